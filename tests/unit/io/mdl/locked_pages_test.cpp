// DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS (0xCB): a driver verified with Pool Tracking locks a
// process's pages with MmProbeAndLockPages and never unlocks them; when that process ends, the
// system stops with the MDL and its page count. A driver that unlocks them in time is not flagged.
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xcb--driver-left-locked-pages-in-process
// ("This bug check can also be issued by Driver Verifier when the Pool Tracking option is enabled."
// Parameters: the lock-tracking structure, 0, the MDL, the number of locked pages.)
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/bugcheck_catcher.hpp"
#include "support/system_fixture.hpp"

#include <ntifs.h>
#include <ntio/ntio.h>

#include "ntio/system.hpp"
#include "ob/object_manager.hpp"

namespace ntio::io::test {
namespace locked_pages {

constexpr ULONG kLockAndKeep = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x910, METHOD_NEITHER, FILE_ANY_ACCESS);
constexpr ULONG kLockAndUnlock = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x911, METHOD_NEITHER, FILE_ANY_ACCESS);

PMDL g_kept = nullptr;  // the MDL the driver left locked

// The driver: describes the caller's METHOD_NEITHER input buffer with an MDL and locks it, as a
// driver doing direct I/O on a raw user pointer does; kLockAndKeep "forgets" the unlock.
NTSTATUS NTAPI lock_dispatch(PDEVICE_OBJECT, PIRP irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    PVOID buffer = sp->Parameters.DeviceIoControl.Type3InputBuffer;
    const ULONG length = sp->Parameters.DeviceIoControl.InputBufferLength;
    NTSTATUS status = STATUS_SUCCESS;
    PMDL mdl = IoAllocateMdl(buffer, length, FALSE, FALSE, nullptr);
    if (!mdl) {
        status = STATUS_INSUFFICIENT_RESOURCES;
    } else {
        __try {
            MmProbeAndLockPages(mdl, irp->RequestorMode, IoReadAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = GetExceptionCode();
        }
        if (!NT_SUCCESS(status)) {
            IoFreeMdl(mdl);
        } else if (sp->Parameters.DeviceIoControl.IoControlCode == kLockAndUnlock) {
            MmUnlockPages(mdl);
            IoFreeMdl(mdl);
        } else {
            g_kept = mdl;
        }
    }
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

VOID NTAPI lock_unload(PDRIVER_OBJECT driver) {
    while (driver->DeviceObject) IoDeleteDevice(driver->DeviceObject);
}

NTSTATUS NTAPI lock_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    driver->DriverUnload = lock_unload;
    driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = lock_dispatch;
    PDEVICE_OBJECT device = nullptr;
    const NTSTATUS status = IoCreateDevice(driver, 0, nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (NT_SUCCESS(status)) device->Flags &= ~DO_DEVICE_INITIALIZING;
    return status;
}

// Sends `code` with the buffer's two middle pages (a range over three pages) as the process's
// user-mode request, attached to it.
void send_to(PDRIVER_OBJECT driver, PEPROCESS process, std::vector<char>& buffer, ULONG code) {
    PDEVICE_OBJECT device = driver->DeviceObject;
    KEVENT done;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    IO_STATUS_BLOCK iosb{};
    KAPC_STATE state;
    KeStackAttachProcess(process, &state);
    PIRP irp = IoBuildDeviceIoControlRequest(code, device, buffer.data() + 100, 2 * PAGE_SIZE, nullptr, 0, FALSE,
                                             &done, &iosb);
    ASSERT_NE(irp, nullptr);
    EXPECT_EQ(IoCallDriver(device, irp), STATUS_SUCCESS);
    KeUnstackDetachProcess(&state);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
}

// What the stop says about the MDL the driver kept.
void expect_left_locked(const std::optional<ntio::test::BugCheck>& bc) {
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS));
    EXPECT_NE(bc->p1, 0u);  // the tracking structure
    EXPECT_EQ(bc->p2, 0u);
    EXPECT_EQ(bc->p3, reinterpret_cast<ULONG_PTR>(g_kept));
    EXPECT_EQ(bc->p4, 3u);  // 2 pages from offset 100 span three
}

class LockedPagesTest : public ntio::test::SystemTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        g_kept = nullptr;
        UNICODE_STRING name = RTL_CONSTANT_STRING(L"LockLeak");
        ASSERT_EQ(NtioCreateDriver(&name, lock_entry, &m_driver), STATUS_SUCCESS);
        ASSERT_EQ(system().objects().create_process(nullptr, u"locker", &m_process), STATUS_SUCCESS);
        m_buffer.assign(3 * PAGE_SIZE, 'x');
    }
    void TearDown() override {
        if (g_kept) {
            MmUnlockPages(g_kept);
            IoFreeMdl(g_kept);
        }
        if (m_process) ObDereferenceObject(m_process);
        (void)NtioVerifierSetFlags(m_driver, 0);
        EXPECT_EQ(NtioUnloadDriver(m_driver), STATUS_SUCCESS);
        ObDereferenceObject(m_driver);
        SystemTest::TearDown();
    }
    void send(ULONG code) { send_to(m_driver, m_process, m_buffer, code); }
    void terminate() { system().objects().terminate_process(m_process, STATUS_SUCCESS); }

    PDRIVER_OBJECT m_driver = nullptr;
    PEPROCESS m_process = nullptr;
    std::vector<char> m_buffer;
};

TEST_F(LockedPagesTest, pages_a_pool_tracked_driver_left_locked_stop_the_process_end_with_0xcb) {
    ASSERT_EQ(NtioVerifierSetFlags(m_driver, NTIO_VERIFIER_POOL_TRACKING), STATUS_SUCCESS);
    send(kLockAndKeep);
    ASSERT_NE(g_kept, nullptr);
    EXPECT_EQ(g_kept->Process, m_process);
    expect_left_locked(ntio::test::catch_bugcheck([&] { terminate(); }));
}

TEST_F(LockedPagesTest, pages_unlocked_before_the_process_ends_are_not_flagged) {
    ASSERT_EQ(NtioVerifierSetFlags(m_driver, NTIO_VERIFIER_POOL_TRACKING), STATUS_SUCCESS);
    send(kLockAndUnlock);
    EXPECT_EQ(g_kept, nullptr);
    ntio::test::expect_no_bugcheck([&] { terminate(); });
}

TEST_F(LockedPagesTest, pages_unlocked_late_but_before_the_process_ends_are_not_flagged) {
    // A kept MDL unlocked before the process ends is no longer the process's: the end is quiet.
    ASSERT_EQ(NtioVerifierSetFlags(m_driver, NTIO_VERIFIER_POOL_TRACKING), STATUS_SUCCESS);
    send(kLockAndKeep);
    ASSERT_NE(g_kept, nullptr);
    MmUnlockPages(g_kept);
    IoFreeMdl(g_kept);
    g_kept = nullptr;
    ntio::test::expect_no_bugcheck([&] { terminate(); });
}

TEST_F(LockedPagesTest, without_tracking_a_leak_is_not_reported) {
    // NT deviation (io/locked_pages.hpp): untracked, NT would still stop with 0x76; ntio counts nothing.
    send(kLockAndKeep);
    ASSERT_NE(g_kept, nullptr);
    ntio::test::expect_no_bugcheck([&] { terminate(); });
}

// TrackLockedPages in the registry: "This bug check is issued only if the registry value is equal to
// DWORD 1" (the 0xCB page). Read when a System boots, so each test writes it into a hive file with
// one System and boots another from it; the driver is not verified.
class TrackLockedPagesTest : public ::testing::Test {
protected:
    void SetUp() override {
        char dir[] = "/tmp/ntio_locked_XXXXXX";
        ASSERT_NE(mkdtemp(dir), nullptr);
        m_dir = dir;
        m_options.hive_path = m_dir + "/system.hive";
        g_kept = nullptr;
        m_buffer.assign(3 * PAGE_SIZE, 'x');
    }
    void TearDown() override {
        if (m_system) {
            if (g_kept) {
                MmUnlockPages(g_kept);
                IoFreeMdl(g_kept);
                g_kept = nullptr;
            }
            if (m_process) ObDereferenceObject(m_process);
            if (m_driver) {
                EXPECT_EQ(NtioUnloadDriver(m_driver), STATUS_SUCCESS);
                ObDereferenceObject(m_driver);
            }
            m_system.reset();
        }
        const std::string cleanup = "rm -rf '" + m_dir + "'";
        ASSERT_EQ(std::system(cleanup.c_str()), 0);
    }
    // Writes TrackLockedPages, then boots the System the test runs on.
    void boot_with(ULONG value) {
        {
            System setup(m_options);
            ASSERT_EQ(RtlWriteRegistryValue(RTL_REGISTRY_CONTROL, L"Session Manager\\Memory Management",
                                            L"TrackLockedPages", REG_DWORD, &value, sizeof value),
                      STATUS_SUCCESS);
        }
        m_system = std::make_unique<System>(m_options);
        UNICODE_STRING name = RTL_CONSTANT_STRING(L"LockLeak");
        ASSERT_EQ(NtioCreateDriver(&name, lock_entry, &m_driver), STATUS_SUCCESS);
        ASSERT_EQ(m_system->objects().create_process(nullptr, u"locker", &m_process), STATUS_SUCCESS);
    }
    void terminate() { m_system->objects().terminate_process(m_process, STATUS_SUCCESS); }

    std::string m_dir;
    BootOptions m_options;
    std::unique_ptr<System> m_system;
    PDRIVER_OBJECT m_driver = nullptr;
    PEPROCESS m_process = nullptr;
    std::vector<char> m_buffer;
};

TEST_F(TrackLockedPagesTest, track_locked_pages_1_stops_the_process_end_with_0xcb_for_any_driver) {
    boot_with(1);
    send_to(m_driver, m_process, m_buffer, kLockAndKeep);
    ASSERT_NE(g_kept, nullptr);
    expect_left_locked(ntio::test::catch_bugcheck([&] { terminate(); }));
}

TEST_F(TrackLockedPagesTest, track_locked_pages_other_than_1_tracks_nothing) {
    boot_with(2);
    send_to(m_driver, m_process, m_buffer, kLockAndKeep);
    ASSERT_NE(g_kept, nullptr);
    ntio::test::expect_no_bugcheck([&] { terminate(); });
}

TEST_F(TrackLockedPagesTest, track_locked_pages_1_lets_pages_unlocked_in_time_go) {
    boot_with(1);
    send_to(m_driver, m_process, m_buffer, kLockAndUnlock);
    EXPECT_EQ(g_kept, nullptr);
    ntio::test::expect_no_bugcheck([&] { terminate(); });
}

}  // namespace locked_pages
}  // namespace ntio::io::test

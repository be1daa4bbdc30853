// DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS (0xCB): a driver verified with Pool Tracking locks a
// process's pages with MmProbeAndLockPages and never unlocks them; when that process ends, the
// system stops with the MDL and its page count. A driver that unlocks them in time is not flagged.
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xcb--driver-left-locked-pages-in-process
// ("This bug check can also be issued by Driver Verifier when the Pool Tracking option is enabled."
// Parameters: the lock-tracking structure, 0, the MDL, the number of locked pages.)
#include <cstring>
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
    // Sends `code` with the buffer's two middle pages (a range over three pages) as the process's
    // user-mode request, attached to it.
    void send(ULONG code) {
        PDEVICE_OBJECT device = m_driver->DeviceObject;
        KEVENT done;
        KeInitializeEvent(&done, NotificationEvent, FALSE);
        IO_STATUS_BLOCK iosb{};
        KAPC_STATE state;
        KeStackAttachProcess(m_process, &state);
        PIRP irp = IoBuildDeviceIoControlRequest(code, device, m_buffer.data() + 100, 2 * PAGE_SIZE, nullptr, 0,
                                                 FALSE, &done, &iosb);
        ASSERT_NE(irp, nullptr);
        EXPECT_EQ(IoCallDriver(device, irp), STATUS_SUCCESS);
        KeUnstackDetachProcess(&state);
        EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    }
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
    const auto bc = ntio::test::catch_bugcheck([&] { terminate(); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS));
    EXPECT_NE(bc->p1, 0u);  // the tracking structure
    EXPECT_EQ(bc->p2, 0u);
    EXPECT_EQ(bc->p3, reinterpret_cast<ULONG_PTR>(g_kept));
    EXPECT_EQ(bc->p4, 3u);  // 2 pages from offset 100 span three
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

}  // namespace locked_pages
}  // namespace ntio::io::test

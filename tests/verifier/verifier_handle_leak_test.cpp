// Handles a verified driver opened in kernel mode and still holds when it unloads (or when the system
// shuts down with it loaded): 0xC4 with parameter 1 0x63 (ntio's code, laid out as Pool Tracking's
// 0x62: P2 the driver's name, P3 a LeakedHandles record, P4 the number of handles). Each with its
// legal neighbours: closed before unload, closed in DriverUnload, an unverified driver.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <string_view>
#include <utility>

#include "support/bugcheck_catcher.hpp"
#include "support/system_fixture.hpp"
#include "verifier_unload_leak_support.hpp"

#include <ntddk.h>
#include <ntio/ntio.h>
#include <ntio/ntio_verifier.h>

#include "io/driver_object.hpp"
#include "verifier/handle_tracking.hpp"

namespace ntio::verifier::test {
namespace {

constexpr ULONG handle_ioctl(ULONG function) {
    return CTL_CODE(FILE_DEVICE_UNKNOWN, function, METHOD_NEITHER, FILE_ANY_ACCESS);
}
constexpr ULONG kIoctlOpenEvent = handle_ioctl(0xB00);   // ZwCreateEvent, OBJ_KERNEL_HANDLE, kept
constexpr ULONG kIoctlOpenTarget = handle_ioctl(0xB01);  // ZwCreateFile on \Device\VerHandleTarget, kept
constexpr ULONG kIoctlCloseAll = handle_ioctl(0xB02);    // ZwClose of what it keeps

// The "VerHandle" driver keeps its handles in static storage, so a test that catches the unload
// bugcheck closes them after the driver is gone.
HANDLE g_event = nullptr;
HANDLE g_file = nullptr;
std::atomic<bool> g_close_in_unload{false};

NTSTATUS complete(PIRP Irp, NTSTATUS Status) {
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

VOID close_all() {
    if (g_event) (void)ZwClose(g_event);
    if (g_file) (void)ZwClose(g_file);
    g_event = nullptr;
    g_file = nullptr;
}

NTSTATUS NTAPI HandleCreateClose(PDEVICE_OBJECT, PIRP Irp) { return complete(Irp, STATUS_SUCCESS); }

NTSTATUS NTAPI HandleControl(PDEVICE_OBJECT, PIRP Irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = STATUS_SUCCESS;
    switch (sp->Parameters.DeviceIoControl.IoControlCode) {
    case kIoctlOpenEvent: {
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, nullptr, OBJ_KERNEL_HANDLE, nullptr, nullptr);
        status = ZwCreateEvent(&g_event, EVENT_ALL_ACCESS, &oa, NotificationEvent, FALSE);
        break;
    }
    case kIoctlOpenTarget: {
        UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\VerHandleTarget");
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, nullptr, nullptr);
        IO_STATUS_BLOCK iosb{};
        status = ZwCreateFile(&g_file, FILE_READ_DATA | SYNCHRONIZE, &oa, &iosb, nullptr, 0, 0, FILE_OPEN,
                              FILE_SYNCHRONOUS_IO_NONALERT, nullptr, 0);
        break;
    }
    case kIoctlCloseAll:
        close_all();
        break;
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    return complete(Irp, status);
}

VOID NTAPI HandleUnload(PDRIVER_OBJECT DriverObject) {
    if (g_close_in_unload.load()) close_all();
    while (DriverObject->DeviceObject) IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS NTAPI VerHandleDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\VerHandle");
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(DriverObject, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = HandleCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = HandleCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = HandleControl;
    DriverObject->DriverUnload = HandleUnload;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

// "VerHandleTarget": an unverified driver whose device the verified one opens.
VOID NTAPI TargetUnload(PDRIVER_OBJECT DriverObject) {
    while (DriverObject->DeviceObject) IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS NTAPI TargetDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\VerHandleTarget");
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(DriverObject, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = HandleCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = HandleCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = HandleCreateClose;
    DriverObject->DriverUnload = TargetUnload;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

class HandleLeakTest : public ntio::test::SystemTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        (void)NtioVerifierSetMode(NtioVerifierStrict);
        g_event = nullptr;
        g_file = nullptr;
        g_close_in_unload.store(false);
        UNICODE_STRING target = RTL_CONSTANT_STRING(L"VerHandleTarget");
        ASSERT_EQ(NtioCreateDriver(&target, TargetDriverEntry, &m_target), STATUS_SUCCESS);
    }

    void TearDown() override {
        close_all();
        ntio::test::drop_driver(m_driver);
        ntio::test::drop_driver(m_target);
        SystemTest::TearDown();
    }

    void load(ULONG flags = NTIO_VERIFIER_STANDARD_FLAGS) {
        UNICODE_STRING name = RTL_CONSTANT_STRING(L"VerHandle");
        ASSERT_EQ(NtioCreateDriver(&name, VerHandleDriverEntry, &m_driver), STATUS_SUCCESS);
        if (flags) {
            ASSERT_EQ(NtioVerifierSetFlags(m_driver, flags), STATUS_SUCCESS);
        }
    }

    // An IOCTL of the test's own (not the driver's) to \Device\VerHandle; its final status.
    NTSTATUS ioctl(ULONG code) { return ntio::test::own_ioctl(m_driver, code); }

    // NtioUnloadDriver with the driver still verified; the reference is dropped.
    void unload() { ntio::test::unload_verified(m_driver); }

    ntio::test::BugCheck expect_leak(const std::function<void()>& body) {
        auto bc = ntio::test::catch_bugcheck(body);
        EXPECT_TRUE(bc.has_value()) << "no bugcheck";
        if (!bc) return {};
        EXPECT_EQ(bc->code, ULONG{DRIVER_VERIFIER_DETECTED_VIOLATION}) << std::hex << bc->code << " p1 " << bc->p1;
        EXPECT_EQ(bc->p1, kLeakedHandles);
        m_check_leaks = false;  // the bugcheck cut the unload's bookkeeping short
        return *bc;
    }

    PDRIVER_OBJECT m_driver = nullptr;
    PDRIVER_OBJECT m_target = nullptr;
};

TEST_F(HandleLeakTest, unload_with_an_event_handle_still_open_is_0xc4_0x63) {
    load();
    ASSERT_EQ(ioctl(kIoctlOpenEvent), STATUS_SUCCESS);
    ASSERT_NE(g_event, nullptr);
    PDRIVER_OBJECT driver = m_driver;
    auto bc = expect_leak([&] { unload(); });
    EXPECT_EQ(bc.p2, reinterpret_cast<ULONG_PTR>(&driver->DriverName));
    EXPECT_EQ(bc.p4, 1u);
    const auto* leak = reinterpret_cast<const LeakedHandles*>(bc.p3);
    ASSERT_NE(leak, nullptr);
    EXPECT_EQ(leak->handles, 1u);
    EXPECT_EQ(leak->file_handles, 0u);
    EXPECT_EQ(leak->first_handle, g_event);
    EXPECT_EQ(std::u16string_view(leak->type), u"Event");
    PVOID event = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(g_event, 0, *ExEventObjectType, KernelMode, &event, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(leak->first_object, event);
    ObDereferenceObject(event);
}

// The file object a leaked handle keeps open on another driver's device (and keeps that device and
// its driver from unloading) is named in the report.
TEST_F(HandleLeakTest, unload_with_a_file_handle_still_open_names_the_file_object) {
    load();
    ASSERT_EQ(ioctl(kIoctlOpenEvent), STATUS_SUCCESS);
    ASSERT_EQ(ioctl(kIoctlOpenTarget), STATUS_SUCCESS);
    ASSERT_NE(g_file, nullptr);
    auto bc = expect_leak([&] { unload(); });
    EXPECT_EQ(bc.p4, 2u);
    const auto* leak = reinterpret_cast<const LeakedHandles*>(bc.p3);
    EXPECT_EQ(leak->handles, 2u);
    EXPECT_EQ(leak->file_handles, 1u);
    EXPECT_EQ(leak->first_handle, g_file);
    EXPECT_EQ(std::u16string_view(leak->type), u"File");
    PFILE_OBJECT file = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(g_file, 0, *IoFileObjectType, KernelMode, reinterpret_cast<PVOID*>(&file),
                                        nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(leak->first_object, file);
    EXPECT_EQ(file->DeviceObject, m_target->DeviceObject);
    ObDereferenceObject(file);
}

TEST_F(HandleLeakTest, unload_after_closing_the_handles_is_clean) {
    load();
    ASSERT_EQ(ioctl(kIoctlOpenEvent), STATUS_SUCCESS);
    ASSERT_EQ(ioctl(kIoctlOpenTarget), STATUS_SUCCESS);
    ASSERT_EQ(ioctl(kIoctlCloseAll), STATUS_SUCCESS);
    ntio::test::expect_no_bugcheck([&] { unload(); });
}

TEST_F(HandleLeakTest, handles_closed_in_driver_unload_are_not_leaks) {
    load();
    ASSERT_EQ(ioctl(kIoctlOpenEvent), STATUS_SUCCESS);
    ASSERT_EQ(ioctl(kIoctlOpenTarget), STATUS_SUCCESS);
    g_close_in_unload.store(true);
    ntio::test::expect_no_bugcheck([&] { unload(); });
    EXPECT_EQ(g_event, nullptr);
}

// A handle some other code closes for the driver (here the test, as a system thread would) is gone
// from the driver's charge: removal is counted wherever it happens.
TEST_F(HandleLeakTest, a_handle_closed_by_someone_else_is_not_a_leak) {
    load();
    ASSERT_EQ(ioctl(kIoctlOpenEvent), STATUS_SUCCESS);
    ASSERT_EQ(ZwClose(std::exchange(g_event, nullptr)), STATUS_SUCCESS);
    ntio::test::expect_no_bugcheck([&] { unload(); });
}

TEST_F(HandleLeakTest, an_unverified_driver_leaking_a_handle_is_not_reported) {
    load(0);
    ASSERT_EQ(ioctl(kIoctlOpenEvent), STATUS_SUCCESS);
    ntio::test::expect_no_bugcheck([&] { unload(); });
}

// Handles the test (the "user") opens while the verified driver's code is not running are not the
// driver's, even to the driver's own device.
TEST_F(HandleLeakTest, handles_opened_outside_the_driver_are_not_charged_to_it) {
    load();
    HANDLE event = nullptr;
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, nullptr, OBJ_KERNEL_HANDLE, nullptr, nullptr);
    ASSERT_EQ(ZwCreateEvent(&event, EVENT_ALL_ACCESS, &oa, NotificationEvent, FALSE), STATUS_SUCCESS);
    ntio::test::expect_no_bugcheck([&] { unload(); });
    EXPECT_EQ(ZwClose(event), STATUS_SUCCESS);
}

// A verified driver still loaded when the system shuts down is unloaded by the shutdown (what
// IoManager::shutdown runs for each loaded driver, called alone here), and its handles are checked
// the same way.
TEST_F(HandleLeakTest, shutdown_with_a_verified_driver_holding_a_handle_is_0xc4_0x63) {
    load();
    ASSERT_EQ(ioctl(kIoctlOpenEvent), STATUS_SUCCESS);
    PDRIVER_OBJECT driver = m_driver;
    auto bc = expect_leak([&] { ntio::io::driver_shutdown(driver); });
    EXPECT_EQ(bc.p4, 1u);
    EXPECT_EQ(reinterpret_cast<const LeakedHandles*>(bc.p3)->first_handle, g_event);
    ObDereferenceObject(std::exchange(m_driver, nullptr));
}

}  // namespace
}  // namespace ntio::verifier::test

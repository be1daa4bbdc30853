// File objects a verified driver holds by reference only and has not dereferenced when it unloads
// (or when the system shuts down with it loaded): 0xC4 with parameter 1 0x64 (ntio's code, laid out
// as 0x62 / 0x63: P2 the driver's name, P3 a LeakedFileReferences record, P4 the number of
// references). The leaks: IoGetDeviceObjectPointer's file object, and ObReferenceObjectByHandle's
// with the handle closed. Their legal neighbours: dereferenced in DriverUnload, a reference the I/O
// manager takes and drops for the driver's own request, a reference another party drops for the
// driver, an unverified driver.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
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

constexpr ULONG fref_ioctl(ULONG function) {
    return CTL_CODE(FILE_DEVICE_UNKNOWN, function, METHOD_NEITHER, FILE_ANY_ACCESS);
}
constexpr ULONG kIoctlGetPointer = fref_ioctl(0xC00);   // IoGetDeviceObjectPointer on the target, kept
constexpr ULONG kIoctlRefByHandle = fref_ioctl(0xC01);  // ZwCreateFile, ObReferenceObjectByHandle, ZwClose
constexpr ULONG kIoctlDereference = fref_ioctl(0xC02);  // ObDereferenceObject of the kept file object
constexpr ULONG kIoctlSendAsync = fref_ioctl(0xC03);    // ZwDeviceIoControlFile to the target (it pends)
constexpr ULONG kIoctlCloseHandle = fref_ioctl(0xC04);  // ZwClose of kSendAsync's handle
constexpr ULONG kIoctlTargetPark = fref_ioctl(0xC10);   // the target parks it

const UNICODE_STRING kTargetName = RTL_CONSTANT_STRING(L"\\Device\\VerFileRefTarget");

// The "VerFileRef" driver keeps what it holds in static storage, so that a test that catches the
// unload bugcheck can drop it after the driver is gone.
PFILE_OBJECT g_file = nullptr;
PDEVICE_OBJECT g_target_top = nullptr;
HANDLE g_async_handle = nullptr;
IO_STATUS_BLOCK g_async_iosb{};
std::atomic<bool> g_deref_in_unload{false};
// The target's parked IRP.
std::atomic<PIRP> g_parked{nullptr};

NTSTATUS complete(PIRP Irp, NTSTATUS Status) {
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

NTSTATUS open_target(HANDLE* handle, ULONG options) {
    UNICODE_STRING name = kTargetName;
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    IO_STATUS_BLOCK iosb{};
    return ZwCreateFile(handle, FILE_READ_DATA | SYNCHRONIZE, &oa, &iosb, nullptr, 0, 0, FILE_OPEN, options, nullptr,
                        0);
}

NTSTATUS NTAPI FileRefCreateClose(PDEVICE_OBJECT, PIRP Irp) { return complete(Irp, STATUS_SUCCESS); }

NTSTATUS NTAPI FileRefControl(PDEVICE_OBJECT, PIRP Irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = STATUS_SUCCESS;
    switch (sp->Parameters.DeviceIoControl.IoControlCode) {
    case kIoctlGetPointer: {
        UNICODE_STRING name = kTargetName;
        status = IoGetDeviceObjectPointer(&name, FILE_READ_DATA, &g_file, &g_target_top);
        break;
    }
    case kIoctlRefByHandle: {
        HANDLE handle = nullptr;
        status = open_target(&handle, FILE_SYNCHRONOUS_IO_NONALERT);
        if (!NT_SUCCESS(status)) break;
        PVOID object = nullptr;
        status = ObReferenceObjectByHandle(handle, FILE_READ_DATA, *IoFileObjectType, KernelMode, &object, nullptr);
        if (NT_SUCCESS(status)) g_file = static_cast<PFILE_OBJECT>(object);
        (void)ZwClose(handle);
        break;
    }
    case kIoctlDereference:
        if (g_file) ObDereferenceObject(std::exchange(g_file, nullptr));
        break;
    case kIoctlSendAsync:
        status = open_target(&g_async_handle, 0);
        if (!NT_SUCCESS(status)) break;
        status = ZwDeviceIoControlFile(g_async_handle, nullptr, nullptr, nullptr, &g_async_iosb, kIoctlTargetPark,
                                       nullptr, 0, nullptr, 0);
        if (status == STATUS_PENDING) status = STATUS_SUCCESS;
        break;
    case kIoctlCloseHandle:
        if (g_async_handle) status = ZwClose(std::exchange(g_async_handle, nullptr));
        break;
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    return complete(Irp, status);
}

VOID NTAPI FileRefUnload(PDRIVER_OBJECT DriverObject) {
    if (g_deref_in_unload.load() && g_file) ObDereferenceObject(std::exchange(g_file, nullptr));
    while (DriverObject->DeviceObject) IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS NTAPI FileRefDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\VerFileRef");
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(DriverObject, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = FileRefCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = FileRefCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = FileRefControl;
    DriverObject->DriverUnload = FileRefUnload;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

// "VerFileRefTarget": an unverified driver whose device the verified one opens; it parks the
// IOCTLs it gets until the test completes them.
NTSTATUS NTAPI TargetControl(PDEVICE_OBJECT, PIRP Irp) {
    IoMarkIrpPending(Irp);
    g_parked.store(Irp);
    return STATUS_PENDING;
}

VOID NTAPI TargetUnload(PDRIVER_OBJECT DriverObject) {
    while (DriverObject->DeviceObject) IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS NTAPI TargetDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    UNICODE_STRING name = kTargetName;
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(DriverObject, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = FileRefCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = FileRefCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = FileRefCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = TargetControl;
    DriverObject->DriverUnload = TargetUnload;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

class FileReferenceLeakTest : public ntio::test::SystemTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        (void)NtioVerifierSetMode(NtioVerifierStrict);
        g_file = nullptr;
        g_target_top = nullptr;
        g_async_handle = nullptr;
        g_parked.store(nullptr);
        g_deref_in_unload.store(false);
        UNICODE_STRING target = RTL_CONSTANT_STRING(L"VerFileRefTarget");
        ASSERT_EQ(NtioCreateDriver(&target, TargetDriverEntry, &m_target), STATUS_SUCCESS);
    }

    void TearDown() override {
        if (PIRP parked = g_parked.exchange(nullptr)) complete(parked, STATUS_CANCELLED);
        if (g_async_handle) (void)ZwClose(std::exchange(g_async_handle, nullptr));
        if (g_file) ObDereferenceObject(std::exchange(g_file, nullptr));
        ntio::test::drop_driver(m_driver);
        ntio::test::drop_driver(m_target);
        SystemTest::TearDown();
    }

    void load(ULONG flags = NTIO_VERIFIER_STANDARD_FLAGS) {
        UNICODE_STRING name = RTL_CONSTANT_STRING(L"VerFileRef");
        ASSERT_EQ(NtioCreateDriver(&name, FileRefDriverEntry, &m_driver), STATUS_SUCCESS);
        if (flags) {
            ASSERT_EQ(NtioVerifierSetFlags(m_driver, flags), STATUS_SUCCESS);
        }
    }

    // An IOCTL of the test's own (not the driver's) to \Device\VerFileRef; its final status.
    NTSTATUS ioctl(ULONG code) { return ntio::test::own_ioctl(m_driver, code); }

    // NtioUnloadDriver with the driver still verified; the reference is dropped.
    void unload() { ntio::test::unload_verified(m_driver); }

    void expect_clean_unload() {
        auto bc = ntio::test::catch_bugcheck([&] { unload(); });
        EXPECT_FALSE(bc.has_value()) << std::hex << (bc ? bc->code : 0) << " p1 " << (bc ? bc->p1 : 0);
    }

    ntio::test::BugCheck expect_leak(const std::function<void()>& body) {
        auto bc = ntio::test::catch_bugcheck(body);
        EXPECT_TRUE(bc.has_value()) << "no bugcheck";
        if (!bc) return {};
        EXPECT_EQ(bc->code, ULONG{DRIVER_VERIFIER_DETECTED_VIOLATION}) << std::hex << bc->code << " p1 " << bc->p1;
        EXPECT_EQ(bc->p1, kLeakedFileReferences);
        m_check_leaks = false;  // the bugcheck cut the unload's bookkeeping short
        return *bc;
    }

    PDRIVER_OBJECT m_driver = nullptr;
    PDRIVER_OBJECT m_target = nullptr;
};

// The classic: IoGetDeviceObjectPointer's file object never dereferenced keeps the target's device
// (and its driver) from ever going away.
TEST_F(FileReferenceLeakTest, unload_holding_io_get_device_object_pointers_file_object_is_0xc4_0x64) {
    load();
    ASSERT_EQ(ioctl(kIoctlGetPointer), STATUS_SUCCESS);
    ASSERT_NE(g_file, nullptr);
    EXPECT_EQ(g_target_top, m_target->DeviceObject);
    PDRIVER_OBJECT driver = m_driver;
    auto bc = expect_leak([&] { unload(); });
    EXPECT_EQ(bc.p2, reinterpret_cast<ULONG_PTR>(&driver->DriverName));
    EXPECT_EQ(bc.p4, 1u);
    const auto* leak = reinterpret_cast<const LeakedFileReferences*>(bc.p3);
    ASSERT_NE(leak, nullptr);
    EXPECT_EQ(leak->first_file, g_file);
    EXPECT_EQ(leak->device, m_target->DeviceObject);
    EXPECT_EQ(leak->references, 1u);
    EXPECT_EQ(leak->files, 1u);
}

TEST_F(FileReferenceLeakTest, io_get_device_object_pointers_file_object_dereferenced_in_driver_unload_is_clean) {
    load();
    ASSERT_EQ(ioctl(kIoctlGetPointer), STATUS_SUCCESS);
    g_deref_in_unload.store(true);
    expect_clean_unload();
    EXPECT_EQ(g_file, nullptr);
}

TEST_F(FileReferenceLeakTest, file_object_dereferenced_before_unload_is_clean) {
    load();
    ASSERT_EQ(ioctl(kIoctlGetPointer), STATUS_SUCCESS);
    ASSERT_EQ(ioctl(kIoctlDereference), STATUS_SUCCESS);
    expect_clean_unload();
}

// ObReferenceObjectByHandle, then the handle closed: the handle check has nothing to report, the
// reference keeps the file object.
TEST_F(FileReferenceLeakTest, reference_by_handle_kept_after_closing_the_handle_is_0xc4_0x64) {
    load();
    ASSERT_EQ(ioctl(kIoctlRefByHandle), STATUS_SUCCESS);
    ASSERT_NE(g_file, nullptr);
    auto bc = expect_leak([&] { unload(); });
    EXPECT_EQ(bc.p4, 1u);
    const auto* leak = reinterpret_cast<const LeakedFileReferences*>(bc.p3);
    ASSERT_NE(leak, nullptr);
    EXPECT_EQ(leak->first_file, g_file);
    EXPECT_EQ(leak->device, m_target->DeviceObject);
}

// Two leaked references (one per file object) are counted together.
TEST_F(FileReferenceLeakTest, two_leaked_file_objects_are_counted_in_parameter_4) {
    load();
    ASSERT_EQ(ioctl(kIoctlGetPointer), STATUS_SUCCESS);
    PFILE_OBJECT first = std::exchange(g_file, nullptr);
    ASSERT_EQ(ioctl(kIoctlRefByHandle), STATUS_SUCCESS);
    auto bc = expect_leak([&] { unload(); });
    EXPECT_EQ(bc.p4, 2u);
    const auto* leak = reinterpret_cast<const LeakedFileReferences*>(bc.p3);
    ASSERT_NE(leak, nullptr);
    EXPECT_EQ(leak->files, 2u);
    EXPECT_EQ(leak->references, 2u);
    ObDereferenceObject(first);
}

// The driver's own request: NtDeviceIoControlFile references the file object by handle while the
// driver's code runs, the IRP carries it, and the I/O manager drops it when the request completes on
// another thread (here the test's, completing the IRP the target parked). Nothing is the driver's.
TEST_F(FileReferenceLeakTest, file_object_referenced_and_dropped_by_the_io_manager_for_the_driver_is_clean) {
    load();
    ASSERT_EQ(ioctl(kIoctlSendAsync), STATUS_SUCCESS);
    PIRP parked = g_parked.exchange(nullptr);
    ASSERT_NE(parked, nullptr);
    complete(parked, STATUS_SUCCESS);
    EXPECT_EQ(g_async_iosb.Status, STATUS_SUCCESS);
    ASSERT_EQ(ioctl(kIoctlCloseHandle), STATUS_SUCCESS);
    expect_clean_unload();
}

// The driver hands its reference to someone else (the test), who drops it: the dereference is not
// the driver's, yet the driver no longer holds a reference, and nothing is reported.
TEST_F(FileReferenceLeakTest, a_reference_another_party_dereferences_for_the_driver_is_not_a_leak) {
    load();
    ASSERT_EQ(ioctl(kIoctlGetPointer), STATUS_SUCCESS);
    ObDereferenceObject(std::exchange(g_file, nullptr));
    expect_clean_unload();
}

// References the test takes and drops while the driver is loaded are not the driver's.
TEST_F(FileReferenceLeakTest, references_taken_outside_the_driver_are_not_charged_to_it) {
    load();
    PFILE_OBJECT file = nullptr;
    PDEVICE_OBJECT top = nullptr;
    UNICODE_STRING name = kTargetName;
    ASSERT_EQ(IoGetDeviceObjectPointer(&name, FILE_READ_DATA, &file, &top), STATUS_SUCCESS);
    expect_clean_unload();
    ObDereferenceObject(file);
}

TEST_F(FileReferenceLeakTest, an_unverified_driver_leaking_a_file_object_is_not_reported) {
    load(0);
    ASSERT_EQ(ioctl(kIoctlGetPointer), STATUS_SUCCESS);
    ASSERT_NE(g_file, nullptr);
    expect_clean_unload();
}

// A verified driver still loaded when the system shuts down is unloaded by the shutdown (what
// IoManager::shutdown runs for each loaded driver, called alone here), and its references are
// checked the same way.
TEST_F(FileReferenceLeakTest, shutdown_with_a_verified_driver_holding_a_file_object_is_0xc4_0x64) {
    load();
    ASSERT_EQ(ioctl(kIoctlGetPointer), STATUS_SUCCESS);
    PDRIVER_OBJECT driver = m_driver;
    auto bc = expect_leak([&] { ntio::io::driver_shutdown(driver); });
    EXPECT_EQ(bc.p2, reinterpret_cast<ULONG_PTR>(&driver->DriverName));
    EXPECT_EQ(bc.p4, 1u);
    EXPECT_EQ(reinterpret_cast<const LeakedFileReferences*>(bc.p3)->first_file, g_file);
    ObDereferenceObject(std::exchange(m_driver, nullptr));
}

}  // namespace
}  // namespace ntio::verifier::test

// NtUnloadDriver (ZwUnloadDriver, the service control manager's stop) of a Plug and Play driver, one
// whose DriverEntry set AddDevice: refused with STATUS_INVALID_DEVICE_REQUEST (ERROR_INVALID_SERVICE_CONTROL
// through ControlService), the driver keeps working, and it unloads when the PnP manager removes its
// last device. The in-box filters are PnP filters without Parameters\AttachTo and legacy filters with
// it; a legacy filter still unloads on request.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwunloaddriver
// https://learn.microsoft.com/windows-hardware/drivers/kernel/pnp-driver-s-unload-routine
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ob/object_manager.hpp"
#include "ob/process.hpp"
#include "pnp_sys_support.hpp"
#include "support/administrator_process.hpp"
#include "se/token.hpp"

#include <windows.h>
#include <winsvc.h>

#include "ntio_fault_inject.h"
#include "ntio_trace.h"

namespace ntio::pnp_test::sys {
namespace {

// The in-box filter images, with service names of their own.
inline constexpr Image kPassthrough{L"PnpPassthrough", "passthrough.sys"};
inline constexpr Image kTrace{L"PnpTrace", "trace.sys"};
inline constexpr Image kFaultInject{L"PnpFaultInject", "fault_inject.sys"};

std::string inbox_path(const Image& image) {
    std::string path = NTIO_DRIVERS_DIR;  // appended: see host_path
    return path.append("/").append(image.file);
}

// A demand-start service for an in-box filter; `attach_to` (an NT device name) makes it a legacy filter.
void install_inbox(const Image& image, const std::u16string& attach_to = u"",
                   const std::vector<std::pair<const wchar_t*, ULONG>>& dwords = {}) {
    {
        Key key(services_key(image));
        ASSERT_EQ(key.status(), STATUS_SUCCESS);
        key.set_dword(L"Type", 1);
        key.set_dword(L"Start", 3);
        key.set_dword(L"ErrorControl", 1);
        key.set_string(L"ImagePath", widen(inbox_path(image)), REG_EXPAND_SZ);
    }
    Key parameters(services_key(image) + u"\\Parameters");
    ASSERT_EQ(parameters.status(), STATUS_SUCCESS);
    if (!attach_to.empty()) parameters.set_string(L"AttachTo", attach_to);
    for (const auto& [name, value] : dwords) parameters.set_dword(name, value);
}

// The PNPSYS device with pnp_sys_function.sys and the in-box filters as its filters.
void install_device_with(const std::vector<const Image*>& upper, const std::vector<const Image*>& lower = {}) {
    install(false);
    Key device(enum_key(u"PNPSYS\\0000"));
    ASSERT_EQ(device.status(), STATUS_SUCCESS);
    auto multi = [](const std::vector<const Image*>& images) {
        std::u16string list;
        for (const Image* image : images) list += std::u16string(u16(image->service)) + u'\0';
        return list;  // set_string adds the final NUL
    };
    if (!upper.empty()) device.set_string(L"UpperFilters", multi(upper), REG_MULTI_SZ);
    if (!lower.empty()) device.set_string(L"LowerFilters", multi(lower), REG_MULTI_SZ);
}

NTSTATUS unload_request(const Image& image) {
    std::u16string key = services_key(image);
    UNICODE_STRING name = unicode(key);
    return ZwUnloadDriver(&name);
}

NTSTATUS load_request(const Image& image) {
    std::u16string key = services_key(image);
    UNICODE_STRING name = unicode(key);
    return ZwLoadDriver(&name);
}

PDRIVER_OBJECT reference_driver(const Image& image) {
    std::u16string path = u"\\Driver\\" + std::u16string(u16(image.service));
    UNICODE_STRING name = unicode(path);
    PVOID object = nullptr;
    if (!NT_SUCCESS(ObReferenceObjectByName(&name, OBJ_CASE_INSENSITIVE, nullptr, 0, *IoDriverObjectType, KernelMode,
                                            nullptr, &object)))
        return nullptr;
    return static_cast<PDRIVER_OBJECT>(object);
}

bool device_exists(const wchar_t* nt_name) {
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, nt_name);
    PFILE_OBJECT file = nullptr;
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoGetDeviceObjectPointer(&name, FILE_READ_ATTRIBUTES, &file, &device);
    if (NT_SUCCESS(status)) ObDereferenceObject(file);
    return NT_SUCCESS(status);
}

// Reads 4 bytes through the device interface: the function driver answers 'S' bytes.
NTSTATUS read_interface(char (&buffer)[4]) {
    HANDLE h = nullptr;
    NTSTATUS status = open_interface(&h);
    if (!NT_SUCCESS(status)) return status;
    IO_STATUS_BLOCK iosb{};
    status = NtReadFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof buffer, nullptr, nullptr);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    return status;
}

bool stack_works() {
    char buffer[4] = {};
    return read_interface(buffer) == STATUS_SUCCESS && std::memcmp(buffer, "SSSS", 4) == 0;
}

class PnpUnloadRequestTest : public ntio::test::SystemTest {};

// NtUnloadDriver of the function driver and of the filters the PnP manager loaded for a started
// device: refused, nothing unloads, the stack keeps answering; removal of the device unloads them.
TEST_F(PnpUnloadRequestTest, UnloadRequestOfAPnpDriverIsRefusedAndItUnloadsWithItsLastDevice) {
    install();
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    ASSERT_EQ(device_state(), NtioPnpDeviceStarted);
    for (const Image& image : kImages) {
        SCOPED_TRACE(std::string(image.file));
        EXPECT_EQ(unload_request(image), STATUS_INVALID_DEVICE_REQUEST);
        // Asked twice: still refused, not "already unloading".
        EXPECT_EQ(unload_request(image), STATUS_INVALID_DEVICE_REQUEST);
        EXPECT_EQ(reported(image, L"Unloads"), 0u);
        EXPECT_TRUE(driver_object_exists(image));
        EXPECT_TRUE(image_mapped(image));
    }
    EXPECT_EQ(device_state(), NtioPnpDeviceStarted);
    EXPECT_TRUE(stack_works());
    // The refused request left no unload pending: the next enumeration's load finds them loaded.
    EXPECT_EQ(load_request(kFunction), STATUS_IMAGE_ALREADY_LOADED);

    ASSERT_EQ(remove_device(FALSE), STATUS_SUCCESS);
    for (const Image& image : kImages) {
        SCOPED_TRACE(std::string(image.file));
        EXPECT_EQ(reported(image, L"Unloads"), 1u);
        EXPECT_FALSE(driver_object_exists(image));
        EXPECT_FALSE(image_mapped(image));
        // Gone: NtUnloadDriver finds nothing to unload (NT fact L7).
        EXPECT_EQ(unload_request(image), STATUS_OBJECT_NAME_NOT_FOUND);
    }
}

// A service key that does not exist is STATUS_OBJECT_NAME_NOT_FOUND before any PnP check (NT fact L7).
TEST_F(PnpUnloadRequestTest, AMissingServiceKeyIsNotFoundEvenWhileAPnpDriverOfThatNameRuns) {
    install();
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\PnpSysNoSuchService");
    EXPECT_EQ(ZwUnloadDriver(&name), STATUS_OBJECT_NAME_NOT_FOUND);
    ASSERT_EQ(remove_device(FALSE), STATUS_SUCCESS);
    for (const Image& image : kImages) EXPECT_FALSE(driver_object_exists(image)) << image.file;
}

DWORD service_state(SC_HANDLE service) {
    SERVICE_STATUS status{};
    EXPECT_TRUE(QueryServiceStatus(service, &status)) << GetLastError();
    return status.dwCurrentState;
}

// "sc stop" of a PnP driver: ControlService(SERVICE_CONTROL_STOP) goes through NtUnloadDriver and fails
// with ERROR_INVALID_SERVICE_CONTROL; the service stays running until its device goes.
TEST_F(PnpUnloadRequestTest, ServiceStopOfAPnpDriverIsAnInvalidServiceControl) {
    install();
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    {
        ntio::test::AdministratorProcess admin(system(), u"pnpunload.exe");
        SC_HANDLE scm = OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT);
        ASSERT_NE(scm, nullptr) << GetLastError();
        SC_HANDLE service = OpenServiceW(scm, kFunction.service, SERVICE_STOP | SERVICE_QUERY_STATUS);
        ASSERT_NE(service, nullptr) << GetLastError();
        EXPECT_EQ(service_state(service), static_cast<DWORD>(SERVICE_RUNNING));
        SERVICE_STATUS status{};
        EXPECT_FALSE(ControlService(service, SERVICE_CONTROL_STOP, &status));
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_SERVICE_CONTROL));
        EXPECT_EQ(status.dwCurrentState, static_cast<DWORD>(SERVICE_RUNNING));
        EXPECT_EQ(service_state(service), static_cast<DWORD>(SERVICE_RUNNING));
        EXPECT_TRUE(stack_works());
        EXPECT_EQ(reported(kFunction, L"Unloads"), 0u);

        ASSERT_EQ(remove_device(FALSE), STATUS_SUCCESS);
        EXPECT_EQ(service_state(service), static_cast<DWORD>(SERVICE_STOPPED));
        EXPECT_EQ(reported(kFunction, L"Unloads"), 1u);
        EXPECT_TRUE(CloseServiceHandle(service));
        EXPECT_TRUE(CloseServiceHandle(scm));
    }
}

// passthrough.sys without AttachTo is a PnP upper filter: AddDevice puts it on the stack, IRPs pass
// through it, NtUnloadDriver refuses it, and it unloads with the device.
TEST_F(PnpUnloadRequestTest, PassthroughWithoutAttachToIsAPnpFilterRefusedUntilItsDeviceGoes) {
    install_inbox(kPassthrough);
    install_device_with({&kPassthrough});
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    ASSERT_EQ(device_state(), NtioPnpDeviceStarted);
    PDRIVER_OBJECT filter = reference_driver(kPassthrough);
    ASSERT_NE(filter, nullptr);
    EXPECT_NE(filter->DriverExtension->AddDevice, nullptr);
    ASSERT_NE(filter->DeviceObject, nullptr);
    // Its device is the top of the PDO's stack.
    EXPECT_EQ(filter->DeviceObject->AttachedDevice, nullptr);
    EXPECT_EQ(IoGetAttachedDevice(filter->DeviceObject), filter->DeviceObject);
    ObDereferenceObject(filter);

    EXPECT_EQ(unload_request(kPassthrough), STATUS_INVALID_DEVICE_REQUEST);
    EXPECT_TRUE(driver_object_exists(kPassthrough));
    EXPECT_TRUE(stack_works());

    ASSERT_EQ(remove_device(FALSE), STATUS_SUCCESS);
    EXPECT_FALSE(driver_object_exists(kPassthrough));
    EXPECT_FALSE(driver_object_exists(kFunction));
}

// trace.sys as a PnP upper filter records the stack's IRPs; its control device comes with its first
// filter device and goes with its last, so the driver unloads with the device.
TEST_F(PnpUnloadRequestTest, TraceAsAPnpFilterRecordsAndItsControlDeviceGoesWithItsLastDevice) {
    install_inbox(kTrace);
    install_device_with({&kTrace});
    ASSERT_EQ(load_request(kTrace), STATUS_SUCCESS) << "loaded ahead of its device: no device, no control device";
    EXPECT_FALSE(device_exists(NTIO_TRACE_DEVICE_NAME));
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    ASSERT_EQ(device_state(), NtioPnpDeviceStarted);
    ASSERT_TRUE(device_exists(NTIO_TRACE_DEVICE_NAME));
    EXPECT_TRUE(stack_works());

    HANDLE control = nullptr;
    {
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, NTIO_TRACE_DEVICE_NAME);
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
        IO_STATUS_BLOCK iosb{};
        ASSERT_EQ(NtOpenFile(&control, GENERIC_READ | SYNCHRONIZE, &oa, &iosb, FILE_SHARE_READ | FILE_SHARE_WRITE,
                             FILE_SYNCHRONOUS_IO_NONALERT),
                  STATUS_SUCCESS);
    }
    std::vector<unsigned char> buffer(NTIO_TRACE_BUFFER_HEADER_SIZE + 64 * sizeof(NTIO_TRACE_RECORD));
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(NtDeviceIoControlFile(control, nullptr, nullptr, nullptr, &iosb, IOCTL_NTIO_TRACE_READ, nullptr, 0,
                                    buffer.data(), static_cast<ULONG>(buffer.size())),
              STATUS_SUCCESS);
    auto* out = reinterpret_cast<PNTIO_TRACE_BUFFER>(buffer.data());
    bool saw_read = false;
    for (ULONG i = 0; i < out->Count; ++i)
        if (out->Records[i].MajorFunction == IRP_MJ_READ && out->Records[i].Status == STATUS_SUCCESS &&
            out->Records[i].Information == 4)
            saw_read = true;
    EXPECT_TRUE(saw_read);
    EXPECT_EQ(NtClose(control), STATUS_SUCCESS);

    EXPECT_EQ(unload_request(kTrace), STATUS_INVALID_DEVICE_REQUEST);
    ASSERT_EQ(remove_device(FALSE), STATUS_SUCCESS);
    // NT deviation (see driver_services.cpp): trace was loaded by NtLoadDriver, so the PnP manager
    // leaves that load in place; with no device left, NtUnloadDriver is the way out.
    EXPECT_FALSE(device_exists(NTIO_TRACE_DEVICE_NAME));
    EXPECT_TRUE(driver_object_exists(kTrace));
    EXPECT_EQ(unload_request(kTrace), STATUS_SUCCESS);
    EXPECT_FALSE(driver_object_exists(kTrace));
}

// fault_inject.sys as a PnP lower filter fails the reads its Parameters select; refused on request,
// unloaded (with its control device) by the removal.
TEST_F(PnpUnloadRequestTest, FaultInjectAsAPnpLowerFilterInjectsAndUnloadsWithItsDevice) {
    install_inbox(kFaultInject, u"",
                  {{L"FailRate", NTIO_FAULT_INJECT_RATE_SCALE}, {L"MajorMask", 1UL << IRP_MJ_READ}});
    install_device_with({}, {&kFaultInject});
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    ASSERT_EQ(device_state(), NtioPnpDeviceStarted);
    EXPECT_TRUE(device_exists(NTIO_FAULT_INJECT_DEVICE_NAME));
    // The function driver answers reads itself: a lower filter sees none of them.
    EXPECT_TRUE(stack_works());
    EXPECT_EQ(unload_request(kFaultInject), STATUS_INVALID_DEVICE_REQUEST);
    EXPECT_TRUE(driver_object_exists(kFaultInject));
    ASSERT_EQ(remove_device(FALSE), STATUS_SUCCESS);
    EXPECT_FALSE(device_exists(NTIO_FAULT_INJECT_DEVICE_NAME));
    EXPECT_FALSE(driver_object_exists(kFaultInject));
}

// The same filter as an upper filter fails the stack's reads.
TEST_F(PnpUnloadRequestTest, FaultInjectAsAPnpUpperFilterFailsTheSelectedReads) {
    install_inbox(kFaultInject, u"",
                  {{L"FailRate", NTIO_FAULT_INJECT_RATE_SCALE}, {L"MajorMask", 1UL << IRP_MJ_READ}});
    install_device_with({&kFaultInject});
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    ASSERT_EQ(device_state(), NtioPnpDeviceStarted);
    char buffer[4] = {};
    EXPECT_EQ(read_interface(buffer), STATUS_IO_DEVICE_ERROR);
    ASSERT_EQ(remove_device(FALSE), STATUS_SUCCESS);
    EXPECT_FALSE(driver_object_exists(kFaultInject));
}

// ---- A legacy target for the legacy filters: \Device\PnpUnloadTarget, reads answer 'T' bytes ----

constexpr wchar_t kTargetName[] = L"\\Device\\PnpUnloadTarget";

NTSTATUS NTAPI TargetDispatch(PDEVICE_OBJECT, PIRP Irp) {
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG_PTR information = 0;
    if (stack->MajorFunction == IRP_MJ_READ) {
        RtlFillMemory(Irp->AssociatedIrp.SystemBuffer, stack->Parameters.Read.Length, 'T');
        information = stack->Parameters.Read.Length;
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

VOID NTAPI TargetUnload(PDRIVER_OBJECT DriverObject) {
    while (DriverObject->DeviceObject) IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS NTAPI TargetEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, kTargetName);
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(DriverObject, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    device->Flags |= DO_BUFFERED_IO;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = TargetDispatch;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = TargetDispatch;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = TargetDispatch;
    DriverObject->MajorFunction[IRP_MJ_READ] = TargetDispatch;
    DriverObject->DriverUnload = TargetUnload;
    return STATUS_SUCCESS;
}

NTSTATUS read_target(char (&buffer)[4]) {
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, kTargetName);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    IO_STATUS_BLOCK iosb{};
    HANDLE h = nullptr;
    NTSTATUS status = NtOpenFile(&h, GENERIC_READ | SYNCHRONIZE, &oa, &iosb, FILE_SHARE_READ | FILE_SHARE_WRITE,
                                 FILE_SYNCHRONOUS_IO_NONALERT);
    if (!NT_SUCCESS(status)) return status;
    status = NtReadFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof buffer, nullptr, nullptr);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    return status;
}

// With AttachTo each in-box filter is a legacy filter: no AddDevice, attached in DriverEntry, and
// NtUnloadDriver unloads it (detaching its devices).
TEST_F(PnpUnloadRequestTest, AnInboxFilterWithAttachToIsALegacyFilterThatUnloadsOnRequest) {
    UNICODE_STRING target_service;
    RtlInitUnicodeString(&target_service, L"PnpUnloadTarget");
    PDRIVER_OBJECT target = nullptr;
    ASSERT_EQ(NtioCreateDriver(&target_service, TargetEntry, &target), STATUS_SUCCESS);
    const std::u16string attach_to = u16(kTargetName);
    for (const Image* image : {&kPassthrough, &kTrace, &kFaultInject}) {
        SCOPED_TRACE(std::string(image->file));
        install_inbox(*image, attach_to);
        ASSERT_EQ(load_request(*image), STATUS_SUCCESS);
        PDRIVER_OBJECT filter = reference_driver(*image);
        ASSERT_NE(filter, nullptr);
        EXPECT_EQ(filter->DriverExtension->AddDevice, nullptr);
        EXPECT_EQ(IoGetAttachedDevice(target->DeviceObject)->DriverObject, filter);
        ObDereferenceObject(filter);
        char buffer[4] = {};
        EXPECT_EQ(read_target(buffer), STATUS_SUCCESS);
        EXPECT_EQ(std::memcmp(buffer, "TTTT", 4), 0);

        EXPECT_EQ(unload_request(*image), STATUS_SUCCESS);
        EXPECT_FALSE(driver_object_exists(*image));
        EXPECT_EQ(target->DeviceObject->AttachedDevice, nullptr);
    }
    EXPECT_EQ(NtioUnloadDriver(target), STATUS_SUCCESS);
    ObDereferenceObject(target);
}

// NT deviation (see driver_services.cpp): a PnP driver NtLoadDriver loaded that has no device is
// unloaded on request.
TEST_F(PnpUnloadRequestTest, APnpFilterLoadedWithoutADeviceUnloadsOnRequest) {
    install_inbox(kPassthrough);
    ASSERT_EQ(load_request(kPassthrough), STATUS_SUCCESS);
    PDRIVER_OBJECT filter = reference_driver(kPassthrough);
    ASSERT_NE(filter, nullptr);
    EXPECT_NE(filter->DriverExtension->AddDevice, nullptr);
    EXPECT_EQ(filter->DeviceObject, nullptr);
    ObDereferenceObject(filter);
    EXPECT_EQ(unload_request(kPassthrough), STATUS_SUCCESS);
    EXPECT_FALSE(driver_object_exists(kPassthrough));
}

}  // namespace
}  // namespace ntio::pnp_test::sys

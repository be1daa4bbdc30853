// The UNC provider registration routines. A registration is a kernel handle to \Device\Mup (the "MUP
// handle" of Learn), which MUP knows the provider by; FsRtlDeregisterUncProvider closes it, and MUP
// forgets the provider at that open's cleanup.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlregisteruncprovider
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlregisteruncproviderex
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlderegisteruncprovider
#include "fsrtl/mup.hpp"

#include "io/objects.hpp"
#include "verifier/verifier.hpp"

namespace ntio::fsrtl::mup {
namespace {

bool valid_name(PCUNICODE_STRING name) {
    return name && name->Length != 0 && name->Buffer && (name->Length % sizeof(WCHAR)) == 0 &&
           name->Length <= name->MaximumLength;
}

// Opens \Device\Mup for a registration: the handle the caller gets and MUP's state behind it.
NTSTATUS open_mup(HANDLE* handle, PFILE_OBJECT* file, State** state) {
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, DD_MUP_DEVICE_NAME);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    IO_STATUS_BLOCK iosb{};
    NTSTATUS status = ZwCreateFile(handle, FILE_READ_ATTRIBUTES | SYNCHRONIZE, &oa, &iosb, nullptr, 0,
                                   FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, FILE_OPEN,
                                   FILE_SYNCHRONOUS_IO_NONALERT, nullptr, 0);
    if (!NT_SUCCESS(status)) return status;
    status = ObReferenceObjectByHandle(*handle, 0, *IoFileObjectType, KernelMode, reinterpret_cast<PVOID*>(file),
                                       nullptr);
    if (NT_SUCCESS(status)) {
        *state = state_of((*file)->DeviceObject);
        if (!*state) {
            ObDereferenceObject(*file);
            status = STATUS_OBJECT_TYPE_MISMATCH;
        }
    }
    if (!NT_SUCCESS(status)) (void)ZwClose(*handle);
    return status;
}

NTSTATUS register_provider(PHANDLE MupHandle, ProviderRef provider) {
    HANDLE handle = nullptr;
    PFILE_OBJECT file = nullptr;
    State* state = nullptr;
    NTSTATUS status = open_mup(&handle, &file, &state);
    if (!NT_SUCCESS(status)) return status;
    status = add_provider(*state, file, provider);
    if (NT_SUCCESS(status) && !provider->legacy) {
        // Learn: MUP links RedirDevName to \Device\Mup.
        UNICODE_STRING link{static_cast<USHORT>(provider->name.size() * sizeof(WCHAR)),
                            static_cast<USHORT>(provider->name.size() * sizeof(WCHAR)),
                            reinterpret_cast<PWCH>(provider->name.data())};
        UNICODE_STRING target;
        RtlInitUnicodeString(&target, DD_MUP_DEVICE_NAME);
        status = IoCreateSymbolicLink(&link, &target);
        if (NT_SUCCESS(status)) provider->linked = true;
        else remove_registration(*state, file);
    }
    ObDereferenceObject(file);
    if (!NT_SUCCESS(status)) {
        (void)ZwClose(handle);
        return status;
    }
    *MupHandle = handle;
    return STATUS_SUCCESS;
}

}  // namespace
}  // namespace ntio::fsrtl::mup

using namespace ntio::fsrtl::mup;

extern "C" {

// Legacy providers: the redirector's device is found by RedirectorDeviceName now, and creates MUP
// resolves to it are reparsed to that name. PASSIVE_LEVEL.
NTSTATUS NTAPI FsRtlRegisterUncProvider(PHANDLE MupHandle, PCUNICODE_STRING RedirectorDeviceName,
                                        BOOLEAN MailslotsSupported) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    // NT deviation (a guess): a NULL MupHandle is STATUS_INVALID_PARAMETER where NT would fault.
    if (!MupHandle) return STATUS_INVALID_PARAMETER;
    // Learn: STATUS_INVALID_USER_BUFFER for "an invalid parameter ... in the RedirDevName parameter".
    if (!valid_name(RedirectorDeviceName)) return STATUS_INVALID_USER_BUFFER;
    auto provider = std::make_shared<Provider>();
    provider->name.assign(reinterpret_cast<const char16_t*>(RedirectorDeviceName->Buffer),
                          RedirectorDeviceName->Length / sizeof(WCHAR));
    provider->legacy = true;
    provider->flags = MailslotsSupported ? FSRTL_UNC_PROVIDER_FLAGS_MAILSLOTS_SUPPORTED : 0;
    UNICODE_STRING name{RedirectorDeviceName->Length, RedirectorDeviceName->Length,
                        const_cast<PWCH>(RedirectorDeviceName->Buffer)};
    // NT deviation: the device must exist when the provider registers (its lookup's status if not).
    NTSTATUS status = ObReferenceObjectByName(&name, OBJ_CASE_INSENSITIVE, nullptr, 0, *IoDeviceObjectType,
                                              KernelMode, nullptr, reinterpret_cast<PVOID*>(&provider->device));
    if (!NT_SUCCESS(status)) return status;
    provider->order = provider_order(provider->name);
    return register_provider(MupHandle, std::move(provider));
}

// Vista-model providers: DeviceObject (unnamed) gets the queries, the creates and every later request
// on its files through \Device\Mup; RedirDevName becomes a link to \Device\Mup. PASSIVE_LEVEL.
NTSTATUS NTAPI FsRtlRegisterUncProviderEx(PHANDLE MupHandle, PCUNICODE_STRING RedirDevName, PDEVICE_OBJECT DeviceObject,
                                          FSRTL_UNC_PROVIDER_FLAGS Flags) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    // NT deviation (guesses): a NULL MupHandle or DeviceObject is STATUS_INVALID_PARAMETER; Flags
    // bits Learn does not name are ignored.
    if (!MupHandle || !DeviceObject) return STATUS_INVALID_PARAMETER;
    // Learn: STATUS_INVALID_PARAMETER when RedirDevName's length is zero; STATUS_OBJECT_TYPE_MISMATCH
    // for a DeviceObject that is not a device.
    if (!valid_name(RedirDevName)) return STATUS_INVALID_PARAMETER;
    if (!ntio::io::is_device(DeviceObject)) return STATUS_OBJECT_TYPE_MISMATCH;
    auto provider = std::make_shared<Provider>();
    provider->name.assign(reinterpret_cast<const char16_t*>(RedirDevName->Buffer), RedirDevName->Length / sizeof(WCHAR));
    provider->flags = Flags;
    ObReferenceObject(DeviceObject);
    provider->device = DeviceObject;
    provider->order = provider_order(provider->name);
    return register_provider(MupHandle, std::move(provider));
}

// Closes the MUP handle; MUP asks the provider nothing more, and files it already opened stay its
// own until they close. PASSIVE_LEVEL.
VOID NTAPI FsRtlDeregisterUncProvider(HANDLE Handle) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    // NT deviation: a NULL handle is ignored (a guess; Learn says nothing).
    if (!Handle) return;
    (void)ZwClose(Handle);
}

}  // extern "C"

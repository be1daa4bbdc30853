// IoCreateSymbolicLink / IoCreateUnprotectedSymbolicLink / IoDeleteSymbolicLink over the object
// manager's symbolic links (NT fact S1). Links are permanent objects: they stay after the creating
// handle closes and go with IoDeleteSymbolicLink. `\DosDevices\X` reaches `\??\X` through the
// `\DosDevices` link of the root directory.
#include "io/device_object.hpp"

#include "ntio/system.hpp"
#include "ob/object_manager.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {

NTSTATUS create_symbolic_link(std::u16string_view link, std::u16string_view target, bool unprotected) {
    System* system = System::current();
    if (!system) return STATUS_INVALID_PARAMETER;
    std::u16string name(link);
    UNICODE_STRING link_name{static_cast<USHORT>(name.size() * sizeof(WCHAR)),
                             static_cast<USHORT>(name.size() * sizeof(WCHAR)), reinterpret_cast<PWCH>(name.data())};
    // An unprotected link carries a NULL DACL: anyone may delete or replace it.
    SECURITY_DESCRIPTOR open_descriptor;
    PSECURITY_DESCRIPTOR descriptor = nullptr;
    if (unprotected) {
        NTSTATUS status = RtlCreateSecurityDescriptor(&open_descriptor, SECURITY_DESCRIPTOR_REVISION);
        if (NT_SUCCESS(status)) status = RtlSetDaclSecurityDescriptor(&open_descriptor, TRUE, nullptr, FALSE);
        if (!NT_SUCCESS(status)) return status;
        descriptor = &open_descriptor;
    }
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &link_name, OBJ_PERMANENT | OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, nullptr,
                               descriptor);
    HANDLE handle = nullptr;
    ob::ObjectManager& om = system->objects();
    NTSTATUS status = om.create_symbolic_link(oa, SYMBOLIC_LINK_ALL_ACCESS, target, KernelMode, &handle);
    if (!NT_SUCCESS(status)) return status;
    (void)om.close_handle(handle, KernelMode);
    return STATUS_SUCCESS;
}

NTSTATUS delete_symbolic_link(std::u16string_view link) {
    System* system = System::current();
    if (!system) return STATUS_OBJECT_NAME_NOT_FOUND;
    ob::ObjectManager& om = system->objects();
    void* object = nullptr;
    NTSTATUS status = om.reference_object_by_name(link, nullptr, OBJ_CASE_INSENSITIVE | OBJ_OPENLINK,
                                                  &ob::g_symbolic_link_type, KernelMode, 0, nullptr, &object);
    if (!NT_SUCCESS(status)) return status;
    om.make_temporary(object);
    ObDereferenceObject(object);
    return STATUS_SUCCESS;
}

}  // namespace ntio::io

using namespace ntio;
using namespace ntio::io;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iocreatesymboliclink
NTSTATUS NTAPI IoCreateSymbolicLink(PUNICODE_STRING SymbolicLinkName, PUNICODE_STRING DeviceName) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive3);
    std::u16string link, target;
    NTSTATUS status = capture_unicode(SymbolicLinkName, link);
    if (NT_SUCCESS(status)) status = capture_unicode(DeviceName, target);
    if (!NT_SUCCESS(status)) return status;
    return create_symbolic_link(link, target, false);
}

NTSTATUS NTAPI IoCreateUnprotectedSymbolicLink(PUNICODE_STRING SymbolicLinkName, PUNICODE_STRING DeviceName) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive4);
    std::u16string link, target;
    NTSTATUS status = capture_unicode(SymbolicLinkName, link);
    if (NT_SUCCESS(status)) status = capture_unicode(DeviceName, target);
    if (!NT_SUCCESS(status)) return status;
    return create_symbolic_link(link, target, true);
}

NTSTATUS NTAPI IoDeleteSymbolicLink(PUNICODE_STRING SymbolicLinkName) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive4);
    std::u16string link;
    NTSTATUS status = capture_unicode(SymbolicLinkName, link);
    if (!NT_SUCCESS(status)) return status;
    return delete_symbolic_link(link);
}

}  // extern "C"

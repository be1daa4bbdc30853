// Object security services: NtQuerySecurityObject and NtSetSecurityObject over the descriptor the
// object manager keeps per object, with the access each part of SECURITY_INFORMATION needs on the
// handle and the caller's buffer and descriptor handled as caller memory.
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>
#include <ntifs.h>

#include "nt/object_reference.hpp"
#include "nt/previous_mode.hpp"
#include "nt/query_buffer.hpp"
#include "nt/user_memory.hpp"
#include "se/access_check.hpp"
#include "se/descriptor_capture.hpp"

using namespace ntio;
using namespace ntio::nt;

namespace {

// READ_CONTROL for owner, group, DACL and label; ACCESS_SYSTEM_SECURITY for the SACL.
ACCESS_MASK query_access(SECURITY_INFORMATION information) noexcept {
    ACCESS_MASK access = 0;
    if (information & (OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION |
                       LABEL_SECURITY_INFORMATION))
        access |= READ_CONTROL;
    if (information & SACL_SECURITY_INFORMATION) access |= ACCESS_SYSTEM_SECURITY;
    return access;
}

// WRITE_OWNER for owner, group and label; WRITE_DAC for the DACL; ACCESS_SYSTEM_SECURITY for the SACL.
ACCESS_MASK set_access(SECURITY_INFORMATION information) noexcept {
    ACCESS_MASK access = 0;
    if (information & (OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | LABEL_SECURITY_INFORMATION))
        access |= WRITE_OWNER;
    if (information & DACL_SECURITY_INFORMATION) access |= WRITE_DAC;
    if (information & SACL_SECURITY_INFORMATION) access |= ACCESS_SYSTEM_SECURITY;
    return access;
}

}  // namespace

extern "C" {

// The parts of the object's descriptor that SecurityInformation selects, self-relative, in the
// caller's buffer. A buffer smaller than the descriptor is STATUS_BUFFER_TOO_SMALL with the size in
// *LengthNeeded; a handle without the access the parts need is STATUS_ACCESS_DENIED.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwquerysecurityobject
// NT deviation: a file's descriptor is the one the object manager keeps; no IRP_MJ_QUERY_SECURITY
// goes to the file system.
NTSTATUS NTAPI NtQuerySecurityObject(HANDLE Handle, SECURITY_INFORMATION SecurityInformation,
                                     PSECURITY_DESCRIPTOR SecurityDescriptor, ULONG Length, PULONG LengthNeeded) {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = probe_variable_query(mode, LengthNeeded, SecurityDescriptor, Length);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<void> object;
    status = object.reference(Handle, query_access(SecurityInformation), nullptr, mode);
    if (!NT_SUCCESS(status)) return status;
    se::SecurityDescriptor answer;
    status = object_manager().query_security(object.get(), SecurityInformation, answer);
    if (!NT_SUCCESS(status)) return status;
    if (answer.empty()) {
        // An object without security answers an empty descriptor.
        answer = se::SecurityDescriptor::from_parts(nullptr, nullptr, false, nullptr, false, nullptr, 0);
    }
    const ULONG needed = answer.length();
    status = write_caller(mode, LengthNeeded, needed);
    if (!NT_SUCCESS(status)) return status;
    if (Length < needed || !SecurityDescriptor) return STATUS_BUFFER_TOO_SMALL;
    if (mode == KernelMode) {
        std::memcpy(SecurityDescriptor, answer.get(), needed);
        return STATUS_SUCCESS;
    }
    return copy_to_user(SecurityDescriptor, answer.get(), needed, sizeof(ULONG));
}

// Replaces the parts of the object's descriptor that SecurityInformation selects with those of
// SecurityDescriptor. The handle needs WRITE_OWNER / WRITE_DAC / ACCESS_SYSTEM_SECURITY for the
// parts; a caller in user mode may only make itself (or an owner group it holds) the owner.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwsetsecurityobject
// NT deviation: a file's descriptor is the one the object manager keeps; no IRP_MJ_SET_SECURITY
// goes to the file system.
NTSTATUS NTAPI NtSetSecurityObject(HANDLE Handle, SECURITY_INFORMATION SecurityInformation,
                                   PSECURITY_DESCRIPTOR SecurityDescriptor) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (!SecurityDescriptor) return STATUS_ACCESS_VIOLATION;
    se::SecurityDescriptor captured;
    PSECURITY_DESCRIPTOR input = SecurityDescriptor;
    if (mode != KernelMode) {
        NTSTATUS status = se::capture_user_descriptor(SecurityDescriptor, captured);
        if (!NT_SUCCESS(status)) return status;
        input = captured.get();
    }
    HandleReference<void> object;
    NTSTATUS status = object.reference(Handle, set_access(SecurityInformation), nullptr, mode);
    if (!NT_SUCCESS(status)) return status;
    std::shared_ptr<se::Token> subject;
    if (mode != KernelMode) subject = se::current_effective_token();
    return object_manager().set_security(object.get(), SecurityInformation, input, subject.get());
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwquerysecurityobject
NTSTATUS NTAPI ZwQuerySecurityObject(HANDLE Handle, SECURITY_INFORMATION SecurityInformation,
                                     PSECURITY_DESCRIPTOR SecurityDescriptor, ULONG Length, PULONG LengthNeeded) {
    KernelModeCall kernel;
    return NtQuerySecurityObject(Handle, SecurityInformation, SecurityDescriptor, Length, LengthNeeded);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwsetsecurityobject
NTSTATUS NTAPI ZwSetSecurityObject(HANDLE Handle, SECURITY_INFORMATION SecurityInformation,
                                   PSECURITY_DESCRIPTOR SecurityDescriptor) {
    KernelModeCall kernel;
    return NtSetSecurityObject(Handle, SecurityInformation, SecurityDescriptor);
}

}  // extern "C"

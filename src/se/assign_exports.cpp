// The Se routines that make, capture and free security descriptors for drivers' objects:
// SeAssignSecurity(Ex), SeDeassignSecurity, SeCaptureSecurityDescriptor, SeReleaseSecurityDescriptor.
// Results come from pool and are self-relative.
#include "se/access_check.hpp"
#include "se/assign_security.hpp"
#include "se/descriptor_capture.hpp"

#include <ntio_ddk/ex.h>

#include <cstring>

namespace {

constexpr ULONG kDescriptorTag = 'dSeS';

// A pool copy of `sd`, or null when the pool is exhausted.
PSECURITY_DESCRIPTOR to_pool(const ntio::se::SecurityDescriptor& sd, POOL_TYPE pool)
{
    void* copy = ExAllocatePoolWithTag(pool, sd.length(), kDescriptorTag);
    if (copy != nullptr) {
        std::memcpy(copy, sd.get(), sd.length());
    }
    return copy;
}

}  // namespace

extern "C" {

// Builds a new object's self-relative descriptor in paged pool: owner and group from
// ExplicitDescriptor, else (with SEF_DEFAULT_OWNER/GROUP_FROM_PARENT) the parent's, else the
// subject's token; each ACL from ExplicitDescriptor, the parent's inheritable ACEs (both with
// SEF_DACL/SACL_AUTO_INHERIT) or, for the DACL, the token's default. STATUS_INVALID_OWNER for an
// owner the subject may not assign, STATUS_PRIVILEGE_NOT_HELD for an explicit SACL without
// SeSecurityPrivilege. ObjectType is not used: object ACEs are inherited whatever their type.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-seassignsecurityex
NTKERNELAPI NTSTATUS NTAPI SeAssignSecurityEx(PSECURITY_DESCRIPTOR ParentDescriptor,
                                              PSECURITY_DESCRIPTOR ExplicitDescriptor,
                                              PSECURITY_DESCRIPTOR* NewDescriptor, GUID* ObjectType,
                                              BOOLEAN IsDirectoryObject, ULONG AutoInheritFlags,
                                              PSECURITY_SUBJECT_CONTEXT SubjectContext,
                                              PGENERIC_MAPPING GenericMapping, POOL_TYPE PoolType)
{
    (void)ObjectType;
    (void)PoolType;  // "always allocated from paged pool"
    if (NewDescriptor == nullptr || GenericMapping == nullptr) {
        return STATUS_INVALID_PARAMETER;
    }
    *NewDescriptor = nullptr;
    // The subject's effective token: the client's while it impersonates.
    std::shared_ptr<ntio::se::Token> fallback;
    ntio::se::Token* creator = nullptr;
    if (SubjectContext != nullptr) {
        creator = ntio::se::token_from(SubjectContext->ClientToken ? SubjectContext->ClientToken
                                                                   : SubjectContext->PrimaryToken);
    }
    if (creator == nullptr) {
        fallback = ntio::se::current_effective_token();
        creator = fallback.get();
    }
    ntio::se::AssignRequest request;
    request.parent = ParentDescriptor;
    request.explicit_sd = ExplicitDescriptor;
    request.container = IsDirectoryObject != FALSE;
    request.flags = AutoInheritFlags;
    request.creator = creator;
    request.mapping = *GenericMapping;
    ntio::se::SecurityDescriptor result;
    const NTSTATUS status = ntio::se::assign_security(request, result);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    *NewDescriptor = to_pool(result, PagedPool);
    return *NewDescriptor != nullptr ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
}

// SeAssignSecurityEx without automatic inheritance flags or an object type.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-seassignsecurity
NTKERNELAPI NTSTATUS NTAPI SeAssignSecurity(PSECURITY_DESCRIPTOR ParentDescriptor,
                                            PSECURITY_DESCRIPTOR ExplicitDescriptor,
                                            PSECURITY_DESCRIPTOR* NewDescriptor, BOOLEAN IsDirectoryObject,
                                            PSECURITY_SUBJECT_CONTEXT SubjectContext,
                                            PGENERIC_MAPPING GenericMapping, POOL_TYPE PoolType)
{
    return SeAssignSecurityEx(ParentDescriptor, ExplicitDescriptor, NewDescriptor, nullptr, IsDirectoryObject, 0,
                              SubjectContext, GenericMapping, PoolType);
}

// Frees what SeAssignSecurity(Ex) built and clears the caller's pointer.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-sedeassignsecurity
NTKERNELAPI NTSTATUS NTAPI SeDeassignSecurity(PSECURITY_DESCRIPTOR* SecurityDescriptor)
{
    if (SecurityDescriptor == nullptr) {
        return STATUS_INVALID_PARAMETER;
    }
    if (*SecurityDescriptor != nullptr) {
        ExFreePool(*SecurityDescriptor);
        *SecurityDescriptor = nullptr;
    }
    return STATUS_SUCCESS;
}

// Validates a caller's descriptor and copies it, self-relative, into PoolType; a kernel-mode
// descriptor is used in place unless ForceCapture. A NULL input captures as NULL. User memory is
// read safely: a bad pointer is STATUS_ACCESS_VIOLATION.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-secapturesecuritydescriptor
NTKERNELAPI NTSTATUS NTAPI SeCaptureSecurityDescriptor(PSECURITY_DESCRIPTOR InputSecurityDescriptor,
                                                       KPROCESSOR_MODE RequestorMode, POOL_TYPE PoolType,
                                                       BOOLEAN ForceCapture,
                                                       PSECURITY_DESCRIPTOR* OutputSecurityDescriptor)
{
    if (OutputSecurityDescriptor == nullptr) {
        return STATUS_INVALID_PARAMETER;
    }
    *OutputSecurityDescriptor = nullptr;
    if (InputSecurityDescriptor == nullptr) {
        return STATUS_SUCCESS;
    }
    if (RequestorMode == KernelMode && !ForceCapture) {
        *OutputSecurityDescriptor = InputSecurityDescriptor;
        return STATUS_SUCCESS;
    }
    ntio::se::SecurityDescriptor captured;
    const NTSTATUS status = RequestorMode == KernelMode
                                ? ntio::se::SecurityDescriptor::capture(InputSecurityDescriptor, captured)
                                : ntio::se::capture_user_descriptor(InputSecurityDescriptor, captured);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    *OutputSecurityDescriptor = to_pool(captured, PoolType);
    return *OutputSecurityDescriptor != nullptr ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
}

// Frees a descriptor SeCaptureSecurityDescriptor copied (not one it used in place).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-sereleasesecuritydescriptor
NTKERNELAPI VOID NTAPI SeReleaseSecurityDescriptor(PSECURITY_DESCRIPTOR CapturedSecurityDescriptor,
                                                   KPROCESSOR_MODE RequestorMode, BOOLEAN ForceCapture)
{
    if (CapturedSecurityDescriptor != nullptr && (RequestorMode != KernelMode || ForceCapture)) {
        ExFreePool(CapturedSecurityDescriptor);
    }
}

}  // extern "C"

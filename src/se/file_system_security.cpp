// The security routines file systems call on descriptors they keep themselves (in their FCBs
// rather than in object headers): Rtl-allocated SIDs, query and set by SECURITY_INFORMATION, and
// the audit hooks, which report that nothing is audited since ntio has no audit policy.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-sequerysecuritydescriptorinfo
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-sesetsecuritydescriptorinfo
#include <cstring>

#include "se/sd_layout.hpp"
#include "se/security_descriptor.hpp"

#include <ntifs.h>

namespace ntio::se {
namespace file_system_security {

constexpr ULONG kSidTag = 'diSR';
constexpr ULONG kDescriptorTag = 'dSeS';
constexpr UCHAR kMaxSubAuthorities = 8;

// Generic rights in the ACEs of an ACL of our own copy become the object's specific rights.
inline void map_generic(ACL* acl, const GENERIC_MAPPING* mapping) noexcept {
    if (!acl || !mapping) return;
    auto* ace = reinterpret_cast<unsigned char*>(acl + 1);
    for (USHORT i = 0; i < acl->AceCount; ++i) {
        auto* header = reinterpret_cast<ACE_HEADER*>(ace);
        if (header->AceType == ACCESS_ALLOWED_ACE_TYPE || header->AceType == ACCESS_DENIED_ACE_TYPE ||
            header->AceType == SYSTEM_AUDIT_ACE_TYPE) {
            RtlMapGenericMask(&reinterpret_cast<ACCESS_ALLOWED_ACE*>(ace)->Mask, mapping);
        }
        ace += header->AceSize;
    }
}

// The descriptor of `current` with the parts `information` names taken from `change`, as in
// ObjectManager::set_security (the control bits of a taken ACL travel with it).
inline SecurityDescriptor merged(const SdParts& cur, const SdParts& next, SECURITY_INFORMATION information) {
    const bool take_dacl = (information & DACL_SECURITY_INFORMATION) != 0;
    const bool take_sacl = (information & SACL_SECURITY_INFORMATION) != 0;
    constexpr SECURITY_DESCRIPTOR_CONTROL kDaclBits = SE_DACL_PRESENT | SE_DACL_PROTECTED | SE_DACL_AUTO_INHERITED;
    constexpr SECURITY_DESCRIPTOR_CONTROL kSaclBits = SE_SACL_PRESENT | SE_SACL_PROTECTED | SE_SACL_AUTO_INHERITED;
    const auto control = static_cast<SECURITY_DESCRIPTOR_CONTROL>(((take_dacl ? next.control : cur.control) & kDaclBits) |
                                                                  ((take_sacl ? next.control : cur.control) & kSaclBits));
    return SecurityDescriptor::from_parts((information & OWNER_SECURITY_INFORMATION) ? next.owner : cur.owner,
                                          (information & GROUP_SECURITY_INFORMATION) ? next.group : cur.group,
                                          (control & SE_DACL_PRESENT) != 0, take_dacl ? next.dacl : cur.dacl,
                                          (control & SE_SACL_PRESENT) != 0, take_sacl ? next.sacl : cur.sacl, control);
}

}  // namespace file_system_security
}  // namespace ntio::se

namespace fss = ntio::se::file_system_security;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlallocateandinitializesid
NTSYSAPI NTSTATUS NTAPI RtlAllocateAndInitializeSid(PSID_IDENTIFIER_AUTHORITY IdentifierAuthority,
                                                    UCHAR SubAuthorityCount, ULONG SubAuthority0, ULONG SubAuthority1,
                                                    ULONG SubAuthority2, ULONG SubAuthority3, ULONG SubAuthority4,
                                                    ULONG SubAuthority5, ULONG SubAuthority6, ULONG SubAuthority7,
                                                    PSID* Sid) {
    if (!IdentifierAuthority || !Sid) return STATUS_INVALID_PARAMETER;
    if (SubAuthorityCount > fss::kMaxSubAuthorities) return STATUS_INVALID_SID;
    const ULONG length = RtlLengthRequiredSid(SubAuthorityCount);
    PSID sid = ExAllocatePoolWithTag(PagedPool, length, fss::kSidTag);
    if (!sid) return STATUS_NO_MEMORY;
    (void)RtlInitializeSid(sid, IdentifierAuthority, SubAuthorityCount);
    const ULONG values[] = {SubAuthority0, SubAuthority1, SubAuthority2, SubAuthority3,
                            SubAuthority4, SubAuthority5, SubAuthority6, SubAuthority7};
    for (UCHAR i = 0; i < SubAuthorityCount; ++i) *RtlSubAuthoritySid(sid, i) = values[i];
    *Sid = sid;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlfreesid
// Returns NULL; a NULL Sid is ignored.
NTSYSAPI PVOID NTAPI RtlFreeSid(PSID Sid) {
    if (Sid) ExFreePoolWithTag(Sid, fss::kSidTag);
    return nullptr;
}

// A NULL object descriptor answers with an empty self-relative descriptor (nothing to select).
NTKERNELAPI NTSTATUS NTAPI SeQuerySecurityDescriptorInfo(PSECURITY_INFORMATION SecurityInformation,
                                                         PSECURITY_DESCRIPTOR SecurityDescriptor, PULONG Length,
                                                         PSECURITY_DESCRIPTOR* ObjectsSecurityDescriptor) {
    if (!SecurityInformation || !Length || !ObjectsSecurityDescriptor) return STATUS_INVALID_PARAMETER;
    const SECURITY_INFORMATION information = *SecurityInformation;
    ntio::se::SecurityDescriptor out;
    if (*ObjectsSecurityDescriptor) {
        const ntio::se::SdParts cur = ntio::se::sd_parts(*ObjectsSecurityDescriptor);
        const bool dacl = (information & DACL_SECURITY_INFORMATION) != 0;
        const bool sacl = (information & SACL_SECURITY_INFORMATION) != 0;
        SECURITY_DESCRIPTOR_CONTROL control = 0;
        if (dacl) control |= cur.control & (SE_DACL_PROTECTED | SE_DACL_AUTO_INHERITED | SE_DACL_DEFAULTED);
        if (sacl) control |= cur.control & (SE_SACL_PROTECTED | SE_SACL_AUTO_INHERITED | SE_SACL_DEFAULTED);
        out = ntio::se::SecurityDescriptor::from_parts(
            (information & OWNER_SECURITY_INFORMATION) ? cur.owner : nullptr,
            (information & GROUP_SECURITY_INFORMATION) ? cur.group : nullptr, dacl && (cur.control & SE_DACL_PRESENT),
            dacl ? cur.dacl : nullptr, sacl && (cur.control & SE_SACL_PRESENT), sacl ? cur.sacl : nullptr, control);
    } else {
        out = ntio::se::SecurityDescriptor::from_parts(nullptr, nullptr, false, nullptr, false, nullptr, 0);
    }
    if (out.empty()) return STATUS_INSUFFICIENT_RESOURCES;
    const ULONG needed = out.length();
    if (*Length < needed || !SecurityDescriptor) {
        *Length = needed;
        return STATUS_BUFFER_TOO_SMALL;
    }
    std::memcpy(SecurityDescriptor, out.get(), needed);
    *Length = needed;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-sesetsecuritydescriptorinfoex
// NT deviation: AutoInheritFlags (SEF_DACL_AUTO_INHERIT, SEF_SACL_AUTO_INHERIT) do not recompute
// inherited ACEs from the parent; the ACLs are taken as given, as SeSetSecurityDescriptorInfo does.
// Object is not consulted (it names the object only for auditing, which ntio does not do).
NTKERNELAPI NTSTATUS NTAPI SeSetSecurityDescriptorInfoEx(PVOID Object, PSECURITY_INFORMATION SecurityInformation,
                                                         PSECURITY_DESCRIPTOR ModificationDescriptor,
                                                         PSECURITY_DESCRIPTOR* ObjectsSecurityDescriptor,
                                                         ULONG AutoInheritFlags, POOL_TYPE PoolType,
                                                         PGENERIC_MAPPING GenericMapping) {
    (void)Object;
    (void)AutoInheritFlags;
    if (!SecurityInformation || !ModificationDescriptor || !ObjectsSecurityDescriptor) return STATUS_INVALID_PARAMETER;
    if (!*ObjectsSecurityDescriptor) return STATUS_NO_SECURITY_ON_OBJECT;
    const SECURITY_INFORMATION information = *SecurityInformation;
    ntio::se::SecurityDescriptor change;
    NTSTATUS status = ntio::se::SecurityDescriptor::capture(ModificationDescriptor, change);
    if (!NT_SUCCESS(status)) return status;
    const ntio::se::SdParts next = ntio::se::sd_parts(change.get());
    if ((information & OWNER_SECURITY_INFORMATION) && !next.owner) return STATUS_INVALID_OWNER;
    if ((information & GROUP_SECURITY_INFORMATION) && !next.group) return STATUS_INVALID_PRIMARY_GROUP;
    const ntio::se::SdParts cur = ntio::se::sd_parts(*ObjectsSecurityDescriptor);
    const ntio::se::SecurityDescriptor result = fss::merged(cur, next, information);
    if (result.empty()) return STATUS_INSUFFICIENT_RESOURCES;
    auto* bytes = static_cast<unsigned char*>(ExAllocatePoolWithTag(PoolType, result.length(), fss::kDescriptorTag));
    if (!bytes) return STATUS_INSUFFICIENT_RESOURCES;
    std::memcpy(bytes, result.get(), result.length());
    // The new ACLs taken from the caller get their generic rights mapped; the ones kept were
    // mapped when they were set.
    auto* header = reinterpret_cast<SECURITY_DESCRIPTOR_RELATIVE*>(bytes);
    if ((information & DACL_SECURITY_INFORMATION) && header->Dacl)
        fss::map_generic(reinterpret_cast<ACL*>(bytes + header->Dacl), GenericMapping);
    if ((information & SACL_SECURITY_INFORMATION) && header->Sacl)
        fss::map_generic(reinterpret_cast<ACL*>(bytes + header->Sacl), GenericMapping);
    *ObjectsSecurityDescriptor = bytes;
    return STATUS_SUCCESS;
}

NTKERNELAPI NTSTATUS NTAPI SeSetSecurityDescriptorInfo(PVOID Object, PSECURITY_INFORMATION SecurityInformation,
                                                       PSECURITY_DESCRIPTOR ModificationDescriptor,
                                                       PSECURITY_DESCRIPTOR* ObjectsSecurityDescriptor,
                                                       POOL_TYPE PoolType, PGENERIC_MAPPING GenericMapping) {
    return SeSetSecurityDescriptorInfoEx(Object, SecurityInformation, ModificationDescriptor, ObjectsSecurityDescriptor,
                                         0, PoolType, GenericMapping);
}

// ---- Audit hooks. ntio has no audit policy (no SACL-driven or global auditing): nothing is ever
// audited, so the queries say FALSE and the alarms record nothing.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-seauditingfileevents
NTKERNELAPI BOOLEAN NTAPI SeAuditingFileEvents(BOOLEAN AccessGranted, PSECURITY_DESCRIPTOR SecurityDescriptor) {
    (void)AccessGranted;
    (void)SecurityDescriptor;
    return FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-seauditingfileorglobalevents
NTKERNELAPI BOOLEAN NTAPI SeAuditingFileOrGlobalEvents(BOOLEAN AccessGranted, PSECURITY_DESCRIPTOR SecurityDescriptor,
                                                       PSECURITY_SUBJECT_CONTEXT SubjectSecurityContext) {
    (void)AccessGranted;
    (void)SecurityDescriptor;
    (void)SubjectSecurityContext;
    return FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-seauditinghardlinkevents
NTKERNELAPI BOOLEAN NTAPI SeAuditingHardLinkEvents(BOOLEAN AccessGranted, PSECURITY_DESCRIPTOR SecurityDescriptor) {
    (void)AccessGranted;
    (void)SecurityDescriptor;
    return FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-seopenobjectauditalarm
// No audit is generated, so none is owed at close.
NTKERNELAPI VOID NTAPI SeOpenObjectAuditAlarm(PUNICODE_STRING ObjectTypeName, PVOID Object,
                                              PUNICODE_STRING AbsoluteObjectName, PSECURITY_DESCRIPTOR SecurityDescriptor,
                                              PACCESS_STATE AccessState, BOOLEAN ObjectCreated, BOOLEAN AccessGranted,
                                              KPROCESSOR_MODE AccessMode, PBOOLEAN GenerateOnClose) {
    (void)ObjectTypeName;
    (void)Object;
    (void)AbsoluteObjectName;
    (void)SecurityDescriptor;
    (void)AccessState;
    (void)ObjectCreated;
    (void)AccessGranted;
    (void)AccessMode;
    if (GenerateOnClose) *GenerateOnClose = FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-seopenobjectfordeleteauditalarm
NTKERNELAPI VOID NTAPI SeOpenObjectForDeleteAuditAlarm(PUNICODE_STRING ObjectTypeName, PVOID Object,
                                                       PUNICODE_STRING AbsoluteObjectName,
                                                       PSECURITY_DESCRIPTOR SecurityDescriptor, PACCESS_STATE AccessState,
                                                       BOOLEAN ObjectCreated, BOOLEAN AccessGranted,
                                                       KPROCESSOR_MODE AccessMode, PBOOLEAN GenerateOnClose) {
    SeOpenObjectAuditAlarm(ObjectTypeName, Object, AbsoluteObjectName, SecurityDescriptor, AccessState, ObjectCreated,
                           AccessGranted, AccessMode, GenerateOnClose);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-sedeleteobjectauditalarm
NTKERNELAPI VOID NTAPI SeDeleteObjectAuditAlarm(PVOID Object, HANDLE Handle) {
    (void)Object;
    (void)Handle;
}

// The subject-context and transaction forms answer as the forms above: the context only chooses whose
// auditing would apply, the transaction only names the transaction an audit would carry.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-seauditingfileeventswithcontext
NTKERNELAPI BOOLEAN NTAPI SeAuditingFileEventsWithContext(BOOLEAN AccessGranted, PSECURITY_DESCRIPTOR SecurityDescriptor,
                                                          PSECURITY_SUBJECT_CONTEXT SubjectSecurityContext) {
    (void)SubjectSecurityContext;
    return SeAuditingFileEvents(AccessGranted, SecurityDescriptor);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-seauditinghardlinkeventswithcontext
NTKERNELAPI BOOLEAN NTAPI SeAuditingHardLinkEventsWithContext(BOOLEAN AccessGranted,
                                                              PSECURITY_DESCRIPTOR SecurityDescriptor,
                                                              PSECURITY_SUBJECT_CONTEXT SubjectSecurityContext) {
    (void)SubjectSecurityContext;
    return SeAuditingHardLinkEvents(AccessGranted, SecurityDescriptor);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-seauditinganyfileeventswithcontext:
// whether any file event, granted or denied, would be audited.
NTKERNELAPI BOOLEAN NTAPI SeAuditingAnyFileEventsWithContext(PSECURITY_DESCRIPTOR SecurityDescriptor,
                                                             PSECURITY_SUBJECT_CONTEXT SubjectSecurityContext) {
    return SeAuditingFileEventsWithContext(TRUE, SecurityDescriptor, SubjectSecurityContext) ||
           SeAuditingFileEventsWithContext(FALSE, SecurityDescriptor, SubjectSecurityContext);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-seaudithardlinkcreation: an
// audit of a hard link's creation, when hard-link events are audited (never here).
NTKERNELAPI VOID NTAPI SeAuditHardLinkCreation(PUNICODE_STRING FileName, PUNICODE_STRING LinkName, BOOLEAN bSuccess) {
    (void)FileName;
    (void)LinkName;
    (void)bSuccess;
}

NTKERNELAPI VOID NTAPI SeAuditHardLinkCreationWithTransaction(PUNICODE_STRING FileName, PUNICODE_STRING LinkName,
                                                              BOOLEAN bSuccess, GUID* TransactionId) {
    (void)TransactionId;
    SeAuditHardLinkCreation(FileName, LinkName, bSuccess);
}

// An audit of a transaction's state change; ntio has no transactions to change and no audit policy.
NTKERNELAPI VOID NTAPI SeAuditTransactionStateChange(GUID* TransactionId, GUID* ResourceManagerId,
                                                     ULONG NewTransactionState) {
    (void)TransactionId;
    (void)ResourceManagerId;
    (void)NewTransactionState;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-seopenobjectauditalarmwithtransaction
NTKERNELAPI VOID NTAPI SeOpenObjectAuditAlarmWithTransaction(PUNICODE_STRING ObjectTypeName, PVOID Object,
                                                             PUNICODE_STRING AbsoluteObjectName,
                                                             PSECURITY_DESCRIPTOR SecurityDescriptor,
                                                             PACCESS_STATE AccessState, BOOLEAN ObjectCreated,
                                                             BOOLEAN AccessGranted, KPROCESSOR_MODE AccessMode,
                                                             GUID* TransactionId, PBOOLEAN GenerateOnClose) {
    (void)TransactionId;
    SeOpenObjectAuditAlarm(ObjectTypeName, Object, AbsoluteObjectName, SecurityDescriptor, AccessState, ObjectCreated,
                           AccessGranted, AccessMode, GenerateOnClose);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-seopenobjectfordeleteauditalarmwithtransaction
NTKERNELAPI VOID NTAPI SeOpenObjectForDeleteAuditAlarmWithTransaction(
    PUNICODE_STRING ObjectTypeName, PVOID Object, PUNICODE_STRING AbsoluteObjectName,
    PSECURITY_DESCRIPTOR SecurityDescriptor, PACCESS_STATE AccessState, BOOLEAN ObjectCreated, BOOLEAN AccessGranted,
    KPROCESSOR_MODE AccessMode, GUID* TransactionId, PBOOLEAN GenerateOnClose) {
    (void)TransactionId;
    SeOpenObjectForDeleteAuditAlarm(ObjectTypeName, Object, AbsoluteObjectName, SecurityDescriptor, AccessState,
                                    ObjectCreated, AccessGranted, AccessMode, GenerateOnClose);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-sedeleteobjectauditalarmwithtransaction
NTKERNELAPI VOID NTAPI SeDeleteObjectAuditAlarmWithTransaction(PVOID Object, HANDLE Handle, GUID* TransactionId) {
    (void)TransactionId;
    SeDeleteObjectAuditAlarm(Object, Handle);
}

}  // extern "C"

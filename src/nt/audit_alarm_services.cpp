// Access checks and audit alarms for protected servers: NtAccessCheckAndAuditAlarm and its by-type,
// result-list and by-handle forms, NtOpenObjectAuditAlarm, NtCloseObjectAuditAlarm,
// NtDeleteObjectAuditAlarm, NtPrivilegeObjectAuditAlarm and NtPrivilegedServiceAuditAlarm. ntio keeps
// no audit log and its audit policy is empty (as for the SeAudit* hooks): each service validates its
// input, checks the caller's SeAuditPrivilege, performs the access check where it has one, and
// reports GenerateOnClose FALSE.
#include "nt/current_system.hpp"

#include <ntio/ntapi.h>
#include <ntifs.h>

#include "nt/enum_value.hpp"
#include "nt/object_reference.hpp"
#include "nt/previous_mode.hpp"
#include "nt/token_capture.hpp"
#include "nt/user_memory.hpp"
#include "se/access_check.hpp"
#include "se/descriptor_capture.hpp"

using namespace ntio;
using namespace ntio::nt;

namespace {

constexpr ACCESS_MASK kGenericRights = GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL;

// The audit services need SeAuditPrivilege in the caller's primary token (not its impersonation
// token), as AccessCheckAndAuditAlarm's page says; kernel-mode callers hold it.
bool may_audit(KPROCESSOR_MODE mode) {
    return mode == KernelMode || se::current_subject_token()->privilege_enabled(SE_AUDIT_PRIVILEGE);
}

// The names every alarm takes: captured (validated) and dropped, there being no log to write them to.
NTSTATUS check_names(KPROCESSOR_MODE mode, std::initializer_list<PUNICODE_STRING> names) {
    for (PUNICODE_STRING name : names) {
        std::u16string text;
        if (NTSTATUS status = capture_string(mode, name, text); !NT_SUCCESS(status)) return status;
    }
    return STATUS_SUCCESS;
}

NTSTATUS capture_descriptor(KPROCESSOR_MODE mode, PSECURITY_DESCRIPTOR from, se::SecurityDescriptor& out) {
    if (!from) return STATUS_INVALID_SECURITY_DESCR;
    return mode == KernelMode ? se::SecurityDescriptor::capture(from, out) : se::capture_user_descriptor(from, out);
}

// One access check of a protected server: `client` (the thread's impersonation token when null)
// against the caller's descriptor. The descriptor needs an owner and a group, DesiredAccess must be
// mapped already (STATUS_GENERIC_NOT_MAPPED), and the client must be an impersonation token at
// SecurityIdentification or above.
struct ServerCheck {
    ACCESS_MASK granted = 0;
    NTSTATUS access_status = STATUS_ACCESS_DENIED;
};
NTSTATUS server_check(KPROCESSOR_MODE mode, PSECURITY_DESCRIPTOR descriptor, ACCESS_MASK desired,
                      PGENERIC_MAPPING mapping, std::shared_ptr<se::Token> client, ServerCheck& out) {
    if (!mapping) return STATUS_ACCESS_VIOLATION;
    GENERIC_MAPPING captured_mapping{};
    NTSTATUS status = read_caller(mode, mapping, captured_mapping);
    if (!NT_SUCCESS(status)) return status;
    se::SecurityDescriptor sd;
    status = capture_descriptor(mode, descriptor, sd);
    if (!NT_SUCCESS(status)) return status;
    if (!sd.owner() || !sd.group()) return STATUS_INVALID_SECURITY_DESCR;
    if (desired & kGenericRights) return STATUS_GENERIC_NOT_MAPPED;
    SECURITY_IMPERSONATION_LEVEL level = SecurityAnonymous;
    if (!client) {
        client = se::current_client_token(&level);
        if (!client) return STATUS_NO_IMPERSONATION_TOKEN;
    } else {
        if (client->type() != TokenImpersonation) return STATUS_NO_IMPERSONATION_TOKEN;
        level = client->impersonation_level();
    }
    if (level < SecurityIdentification) return STATUS_BAD_IMPERSONATION_LEVEL;
    out.access_status = se::access_check(sd.get(), *client, desired, captured_mapping, &out.granted);
    return STATUS_SUCCESS;
}

// The by-type forms: AuditType one of the two AUDIT_EVENT_TYPE values, Flags only
// AUDIT_ALLOW_NO_PRIVILEGE, and an object type list (when given) whose first entry is the object
// itself (level 0). PrincipalSelfSid, when given, must be a valid SID.
NTSTATUS check_by_type_input(KPROCESSOR_MODE mode, PSID principal_self, AUDIT_EVENT_TYPE audit_type, ULONG flags,
                             POBJECT_TYPE_LIST list, ULONG length) {
    if (enum_value(audit_type) > AuditEventDirectoryServiceAccess) return STATUS_INVALID_PARAMETER;
    if (flags & ~AUDIT_ALLOW_NO_PRIVILEGE) return STATUS_INVALID_PARAMETER;
    if (principal_self) {
        std::vector<unsigned char> sid;
        if (NTSTATUS status = capture_sid(mode, principal_self, sid); !NT_SUCCESS(status)) return status;
    }
    if (list && length) {
        OBJECT_TYPE_LIST first{};
        if (NTSTATUS status = read_caller(mode, list, first); !NT_SUCCESS(status)) return status;
        if (first.Level != ACCESS_OBJECT_GUID) return STATUS_INVALID_PARAMETER;
    }
    return STATUS_SUCCESS;
}

// Writes `count` copies of the result (one per object type entry), then GenerateOnClose FALSE.
NTSTATUS write_results(KPROCESSOR_MODE mode, const ServerCheck& check, ULONG count, PACCESS_MASK granted,
                       PNTSTATUS access_status, PBOOLEAN generate_on_close) {
    if (!granted || !access_status || !generate_on_close) return STATUS_ACCESS_VIOLATION;
    for (ULONG i = 0; i < count; ++i) {
        if (NTSTATUS status = write_caller(mode, granted + i, check.granted); !NT_SUCCESS(status)) return status;
        if (NTSTATUS status = write_caller(mode, access_status + i, check.access_status); !NT_SUCCESS(status)) {
            return status;
        }
    }
    return write_caller(mode, generate_on_close, BOOLEAN{FALSE});
}

// The by-type services share everything but the client token and how many results they write.
NTSTATUS by_type(KPROCESSOR_MODE mode, PUNICODE_STRING subsystem, std::shared_ptr<se::Token> client,
                 PUNICODE_STRING type_name, PUNICODE_STRING object_name, PSECURITY_DESCRIPTOR descriptor,
                 PSID principal_self, ACCESS_MASK desired, AUDIT_EVENT_TYPE audit_type, ULONG flags,
                 POBJECT_TYPE_LIST list, ULONG length, PGENERIC_MAPPING mapping, bool result_list,
                 PACCESS_MASK granted, PNTSTATUS access_status, PBOOLEAN generate_on_close) {
    if (!may_audit(mode) && !(flags & AUDIT_ALLOW_NO_PRIVILEGE)) return STATUS_PRIVILEGE_NOT_HELD;
    NTSTATUS status = check_names(mode, {subsystem, type_name, object_name});
    if (!NT_SUCCESS(status)) return status;
    status = check_by_type_input(mode, principal_self, audit_type, flags, list, length);
    if (!NT_SUCCESS(status)) return status;
    ServerCheck check;
    status = server_check(mode, descriptor, desired, mapping, std::move(client), check);
    if (!NT_SUCCESS(status)) return status;
    const ULONG count = result_list && list && length ? length : 1;
    return write_results(mode, check, count, granted, access_status, generate_on_close);
}

// The client token a ClientToken handle names (TOKEN_QUERY).
NTSTATUS reference_client(HANDLE handle, KPROCESSOR_MODE mode, std::shared_ptr<se::Token>& out) {
    HandleReference<se::TokenObjectBody> object;
    NTSTATUS status = object.reference(handle, TOKEN_QUERY, *SeTokenObjectType, mode);
    if (NT_SUCCESS(status)) out = object->token;
    return status;
}

}  // namespace

extern "C" {

// Whether SecurityDescriptor grants DesiredAccess to the client the calling thread impersonates
// (*GrantedAccess, *AccessStatus); the call itself fails only for bad input, a caller without
// SeAuditPrivilege (STATUS_PRIVILEGE_NOT_HELD), a thread that does not impersonate
// (STATUS_NO_IMPERSONATION_TOKEN) or one at SecurityAnonymous (STATUS_BAD_IMPERSONATION_LEVEL).
// *GenerateOnClose is FALSE: ntio's audit policy is empty.
// Learn has no page for the service (ntifs.h declares it); the Win32 routine over it is
// https://learn.microsoft.com/windows/win32/api/securitybaseapi/nf-securitybaseapi-accesscheckandauditalarmw
NTSTATUS NTAPI NtAccessCheckAndAuditAlarm(PUNICODE_STRING SubsystemName, PVOID HandleId, PUNICODE_STRING ObjectTypeName,
                                          PUNICODE_STRING ObjectName, PSECURITY_DESCRIPTOR SecurityDescriptor,
                                          ACCESS_MASK DesiredAccess, PGENERIC_MAPPING GenericMapping,
                                          BOOLEAN ObjectCreation, PACCESS_MASK GrantedAccess, PNTSTATUS AccessStatus,
                                          PBOOLEAN GenerateOnClose) {
    (void)HandleId;
    (void)ObjectCreation;
    const KPROCESSOR_MODE mode = previous_mode();
    if (!may_audit(mode)) return STATUS_PRIVILEGE_NOT_HELD;
    NTSTATUS status = check_names(mode, {SubsystemName, ObjectTypeName, ObjectName});
    if (!NT_SUCCESS(status)) return status;
    ServerCheck check;
    status = server_check(mode, SecurityDescriptor, DesiredAccess, GenericMapping, nullptr, check);
    if (!NT_SUCCESS(status)) return status;
    return write_results(mode, check, 1, GrantedAccess, AccessStatus, GenerateOnClose);
}

// NtAccessCheckAndAuditAlarm for the hierarchy ObjectTypeList describes, granted or denied as a
// whole. Learn has no page for the service; the Win32 routine is
// https://learn.microsoft.com/windows/win32/api/securitybaseapi/nf-securitybaseapi-accesscheckbytypeandauditalarmw
// NT deviation: ntio's access check ignores object ACEs and PrincipalSelfSid (it is validated only),
// so the answer is the plain check's.
NTSTATUS NTAPI NtAccessCheckByTypeAndAuditAlarm(PUNICODE_STRING SubsystemName, PVOID HandleId,
                                                PUNICODE_STRING ObjectTypeName, PUNICODE_STRING ObjectName,
                                                PSECURITY_DESCRIPTOR SecurityDescriptor, PSID PrincipalSelfSid,
                                                ACCESS_MASK DesiredAccess, AUDIT_EVENT_TYPE AuditType, ULONG Flags,
                                                POBJECT_TYPE_LIST ObjectTypeList, ULONG ObjectTypeLength,
                                                PGENERIC_MAPPING GenericMapping, BOOLEAN ObjectCreation,
                                                PACCESS_MASK GrantedAccess, PNTSTATUS AccessStatus,
                                                PBOOLEAN GenerateOnClose) {
    (void)HandleId;
    (void)ObjectCreation;
    return by_type(previous_mode(), SubsystemName, nullptr, ObjectTypeName, ObjectName, SecurityDescriptor,
                   PrincipalSelfSid, DesiredAccess, AuditType, Flags, ObjectTypeList, ObjectTypeLength, GenericMapping,
                   false, GrantedAccess, AccessStatus, GenerateOnClose);
}

// The by-type check with one result per ObjectTypeList entry (GrantedAccess and AccessStatus are
// arrays of ObjectTypeLength). Learn has no page for the service; the Win32 routine is
// https://learn.microsoft.com/windows/win32/api/securitybaseapi/nf-securitybaseapi-accesscheckbytyperesultlistandauditalarmw
// NT deviation: without object ACEs every entry gets the object's own result.
NTSTATUS NTAPI NtAccessCheckByTypeResultListAndAuditAlarm(
    PUNICODE_STRING SubsystemName, PVOID HandleId, PUNICODE_STRING ObjectTypeName, PUNICODE_STRING ObjectName,
    PSECURITY_DESCRIPTOR SecurityDescriptor, PSID PrincipalSelfSid, ACCESS_MASK DesiredAccess,
    AUDIT_EVENT_TYPE AuditType, ULONG Flags, POBJECT_TYPE_LIST ObjectTypeList, ULONG ObjectTypeLength,
    PGENERIC_MAPPING GenericMapping, BOOLEAN ObjectCreation, PACCESS_MASK GrantedAccess, PNTSTATUS AccessStatus,
    PBOOLEAN GenerateOnClose) {
    (void)HandleId;
    (void)ObjectCreation;
    return by_type(previous_mode(), SubsystemName, nullptr, ObjectTypeName, ObjectName, SecurityDescriptor,
                   PrincipalSelfSid, DesiredAccess, AuditType, Flags, ObjectTypeList, ObjectTypeLength, GenericMapping,
                   true, GrantedAccess, AccessStatus, GenerateOnClose);
}

// The result-list check for the client ClientToken names (TOKEN_QUERY; an impersonation token, else
// STATUS_NO_IMPERSONATION_TOKEN) instead of the thread's impersonation token.
// https://learn.microsoft.com/windows/win32/api/securitybaseapi/nf-securitybaseapi-accesscheckbytyperesultlistandauditalarmbyhandlew
NTSTATUS NTAPI NtAccessCheckByTypeResultListAndAuditAlarmByHandle(
    PUNICODE_STRING SubsystemName, PVOID HandleId, HANDLE ClientToken, PUNICODE_STRING ObjectTypeName,
    PUNICODE_STRING ObjectName, PSECURITY_DESCRIPTOR SecurityDescriptor, PSID PrincipalSelfSid,
    ACCESS_MASK DesiredAccess, AUDIT_EVENT_TYPE AuditType, ULONG Flags, POBJECT_TYPE_LIST ObjectTypeList,
    ULONG ObjectTypeLength, PGENERIC_MAPPING GenericMapping, BOOLEAN ObjectCreation, PACCESS_MASK GrantedAccess,
    PNTSTATUS AccessStatus, PBOOLEAN GenerateOnClose) {
    (void)HandleId;
    (void)ObjectCreation;
    const KPROCESSOR_MODE mode = previous_mode();
    std::shared_ptr<se::Token> client;
    NTSTATUS status = reference_client(ClientToken, mode, client);
    if (!NT_SUCCESS(status)) return status;
    return by_type(mode, SubsystemName, std::move(client), ObjectTypeName, ObjectName, SecurityDescriptor,
                   PrincipalSelfSid, DesiredAccess, AuditType, Flags, ObjectTypeList, ObjectTypeLength, GenericMapping,
                   true, GrantedAccess, AccessStatus, GenerateOnClose);
}

// Records a client's open of a server's object: with an empty audit policy nothing is recorded and
// *GenerateOnClose is FALSE. The input is still validated (names, descriptor, ClientToken with
// TOKEN_QUERY, the privilege set) and the caller needs SeAuditPrivilege.
// https://learn.microsoft.com/windows/win32/api/securitybaseapi/nf-securitybaseapi-objectopenauditalarmw
NTSTATUS NTAPI NtOpenObjectAuditAlarm(PUNICODE_STRING SubsystemName, PVOID HandleId, PUNICODE_STRING ObjectTypeName,
                                      PUNICODE_STRING ObjectName, PSECURITY_DESCRIPTOR SecurityDescriptor,
                                      HANDLE ClientToken, ACCESS_MASK DesiredAccess, ACCESS_MASK GrantedAccess,
                                      PPRIVILEGE_SET Privileges, BOOLEAN ObjectCreation, BOOLEAN AccessGranted,
                                      PBOOLEAN GenerateOnClose) {
    (void)HandleId, (void)DesiredAccess, (void)GrantedAccess, (void)ObjectCreation, (void)AccessGranted;
    const KPROCESSOR_MODE mode = previous_mode();
    if (!may_audit(mode)) return STATUS_PRIVILEGE_NOT_HELD;
    if (!GenerateOnClose) return STATUS_ACCESS_VIOLATION;
    NTSTATUS status = check_names(mode, {SubsystemName, ObjectTypeName, ObjectName});
    if (!NT_SUCCESS(status)) return status;
    if (SecurityDescriptor) {
        se::SecurityDescriptor sd;
        status = capture_descriptor(mode, SecurityDescriptor, sd);
        if (!NT_SUCCESS(status)) return status;
    }
    if (Privileges) {
        std::vector<unsigned char> set;
        status = capture_counted(mode, Privileges, offsetof(PRIVILEGE_SET, Privilege), sizeof(LUID_AND_ATTRIBUTES), set);
        if (!NT_SUCCESS(status)) return status;
    }
    std::shared_ptr<se::Token> client;
    status = reference_client(ClientToken, mode, client);
    if (!NT_SUCCESS(status)) return status;
    return write_caller(mode, GenerateOnClose, BOOLEAN{FALSE});
}

// Records a client's use of privileges on an open handle of a server's object (nothing, with an empty
// audit policy); SeAuditPrivilege, the names, ClientToken (TOKEN_QUERY) and the set are checked.
// https://learn.microsoft.com/windows/win32/api/securitybaseapi/nf-securitybaseapi-objectprivilegeauditalarmw
NTSTATUS NTAPI NtPrivilegeObjectAuditAlarm(PUNICODE_STRING SubsystemName, PVOID HandleId, HANDLE ClientToken,
                                           ACCESS_MASK DesiredAccess, PPRIVILEGE_SET Privileges,
                                           BOOLEAN AccessGranted) {
    (void)HandleId, (void)DesiredAccess, (void)AccessGranted;
    const KPROCESSOR_MODE mode = previous_mode();
    if (!may_audit(mode)) return STATUS_PRIVILEGE_NOT_HELD;
    NTSTATUS status = check_names(mode, {SubsystemName});
    if (!NT_SUCCESS(status)) return status;
    if (!Privileges) return STATUS_ACCESS_VIOLATION;
    std::vector<unsigned char> set;
    status = capture_counted(mode, Privileges, offsetof(PRIVILEGE_SET, Privilege), sizeof(LUID_AND_ATTRIBUTES), set);
    if (!NT_SUCCESS(status)) return status;
    std::shared_ptr<se::Token> client;
    return reference_client(ClientToken, mode, client);
}

// Records a client's use of a privileged service (nothing, with an empty audit policy).
// https://learn.microsoft.com/windows/win32/api/securitybaseapi/nf-securitybaseapi-privilegedserviceauditalarmw
NTSTATUS NTAPI NtPrivilegedServiceAuditAlarm(PUNICODE_STRING SubsystemName, PUNICODE_STRING ServiceName,
                                             HANDLE ClientToken, PPRIVILEGE_SET Privileges, BOOLEAN AccessGranted) {
    (void)AccessGranted;
    const KPROCESSOR_MODE mode = previous_mode();
    if (!may_audit(mode)) return STATUS_PRIVILEGE_NOT_HELD;
    NTSTATUS status = check_names(mode, {SubsystemName, ServiceName});
    if (!NT_SUCCESS(status)) return status;
    if (!Privileges) return STATUS_ACCESS_VIOLATION;
    std::vector<unsigned char> set;
    status = capture_counted(mode, Privileges, offsetof(PRIVILEGE_SET, Privilege), sizeof(LUID_AND_ATTRIBUTES), set);
    if (!NT_SUCCESS(status)) return status;
    std::shared_ptr<se::Token> client;
    return reference_client(ClientToken, mode, client);
}

// Records the close of a handle an open alarm reported GenerateOnClose for; ntio never reports it,
// so there is nothing to record. SeAuditPrivilege and the subsystem name are checked.
// https://learn.microsoft.com/windows/win32/api/securitybaseapi/nf-securitybaseapi-objectcloseauditalarmw
NTSTATUS NTAPI NtCloseObjectAuditAlarm(PUNICODE_STRING SubsystemName, PVOID HandleId, BOOLEAN GenerateOnClose) {
    (void)HandleId, (void)GenerateOnClose;
    const KPROCESSOR_MODE mode = previous_mode();
    if (!may_audit(mode)) return STATUS_PRIVILEGE_NOT_HELD;
    return check_names(mode, {SubsystemName});
}

// As NtCloseObjectAuditAlarm, for the deletion of the object.
// https://learn.microsoft.com/windows/win32/api/securitybaseapi/nf-securitybaseapi-objectdeleteauditalarmw
NTSTATUS NTAPI NtDeleteObjectAuditAlarm(PUNICODE_STRING SubsystemName, PVOID HandleId, BOOLEAN GenerateOnClose) {
    return NtCloseObjectAuditAlarm(SubsystemName, HandleId, GenerateOnClose);
}

// NtAccessCheckAndAuditAlarm from kernel mode (ntifs.h; no Learn page).
NTSTATUS NTAPI ZwAccessCheckAndAuditAlarm(PUNICODE_STRING SubsystemName, PVOID HandleId, PUNICODE_STRING ObjectTypeName,
                                          PUNICODE_STRING ObjectName, PSECURITY_DESCRIPTOR SecurityDescriptor,
                                          ACCESS_MASK DesiredAccess, PGENERIC_MAPPING GenericMapping,
                                          BOOLEAN ObjectCreation, PACCESS_MASK GrantedAccess, PNTSTATUS AccessStatus,
                                          PBOOLEAN GenerateOnClose) {
    KernelModeCall kernel;
    return NtAccessCheckAndAuditAlarm(SubsystemName, HandleId, ObjectTypeName, ObjectName, SecurityDescriptor,
                                      DesiredAccess, GenericMapping, ObjectCreation, GrantedAccess, AccessStatus,
                                      GenerateOnClose);
}

// NtOpenObjectAuditAlarm from kernel mode (ntifs.h; no Learn page).
NTSTATUS NTAPI ZwOpenObjectAuditAlarm(PUNICODE_STRING SubsystemName, PVOID HandleId, PUNICODE_STRING ObjectTypeName,
                                      PUNICODE_STRING ObjectName, PSECURITY_DESCRIPTOR SecurityDescriptor,
                                      HANDLE ClientToken, ACCESS_MASK DesiredAccess, ACCESS_MASK GrantedAccess,
                                      PPRIVILEGE_SET Privileges, BOOLEAN ObjectCreation, BOOLEAN AccessGranted,
                                      PBOOLEAN GenerateOnClose) {
    KernelModeCall kernel;
    return NtOpenObjectAuditAlarm(SubsystemName, HandleId, ObjectTypeName, ObjectName, SecurityDescriptor, ClientToken,
                                  DesiredAccess, GrantedAccess, Privileges, ObjectCreation, AccessGranted,
                                  GenerateOnClose);
}

// NtCloseObjectAuditAlarm from kernel mode (ntifs.h; no Learn page).
NTSTATUS NTAPI ZwCloseObjectAuditAlarm(PUNICODE_STRING SubsystemName, PVOID HandleId, BOOLEAN GenerateOnClose) {
    KernelModeCall kernel;
    return NtCloseObjectAuditAlarm(SubsystemName, HandleId, GenerateOnClose);
}

}  // extern "C"

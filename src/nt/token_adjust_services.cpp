// Token services that change a token or test it: NtAdjustPrivilegesToken, NtSetInformationToken and
// NtPrivilegeCheck, with their Zw forms. Privilege changes land in the token the privilege checks
// read (SeSinglePrivilegeCheck, SePrivilegeCheck, the services that need a privilege).
#include "nt/current_system.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <vector>

#include <ntio/ntapi.h>
#include <ntifs.h>

#include "nt/object_reference.hpp"
#include "nt/previous_mode.hpp"
#include "nt/token_capture.hpp"
#include "nt/user_memory.hpp"
#include "se/token.hpp"

using namespace ntio;
using namespace ntio::nt;

namespace {

std::uint64_t privilege_bit(const LUID& luid) noexcept {
    return luid.HighPart == 0 && luid.LowPart < 64 ? std::uint64_t{1} << luid.LowPart : 0;
}

ULONG attributes_of(std::uint64_t bit, std::uint64_t enabled, std::uint64_t by_default) noexcept {
    return ((by_default & bit) ? SE_PRIVILEGE_ENABLED_BY_DEFAULT : 0) | ((enabled & bit) ? SE_PRIVILEGE_ENABLED : 0);
}

}  // namespace

extern "C" {

// Enables, disables or removes (SE_PRIVILEGE_REMOVED, for good) privileges of the token TokenHandle
// names (TOKEN_ADJUST_PRIVILEGES, and TOKEN_QUERY when PreviousState is asked for), or disables them
// all with DisableAllPrivileges (NewState is then ignored). PreviousState receives the earlier
// attributes of each privilege whose state changed (removed ones are not listed); when it is too
// small nothing changes, *ReturnLength gets the size needed and the result is
// STATUS_BUFFER_TOO_SMALL. A privilege the token does not hold is skipped and the call returns
// STATUS_NOT_ALL_ASSIGNED (a success status) after adjusting the others.
// Learn has no page for the service itself (ntifs.h declares it); the Win32 routine over it is
// https://learn.microsoft.com/windows/win32/api/securitybaseapi/nf-securitybaseapi-adjusttokenprivileges
// and what it documents is what the service does. Learn is silent on some inputs; ntio's choices: NewState NULL without DisableAllPrivileges is
// STATUS_INVALID_PARAMETER; PreviousState without ReturnLength is STATUS_ACCESS_VIOLATION (the
// service must be able to report the size); the size reported is FIELD_OFFSET(TOKEN_PRIVILEGES,
// Privileges) plus one LUID_AND_ATTRIBUTES per changed privilege.
NTSTATUS NTAPI NtAdjustPrivilegesToken(HANDLE TokenHandle, BOOLEAN DisableAllPrivileges, PTOKEN_PRIVILEGES NewState,
                                       ULONG BufferLength, PTOKEN_PRIVILEGES PreviousState, PULONG ReturnLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (!DisableAllPrivileges && !NewState) return STATUS_INVALID_PARAMETER;
    if (NTSTATUS status = probe_previous_state(mode, PreviousState, BufferLength, ReturnLength); !NT_SUCCESS(status)) {
        return status;
    }
    std::vector<unsigned char> requested;
    if (!DisableAllPrivileges) {
        NTSTATUS status = capture_counted(mode, NewState, offsetof(TOKEN_PRIVILEGES, Privileges),
                                          sizeof(LUID_AND_ATTRIBUTES), requested);
        if (!NT_SUCCESS(status)) return status;
    }
    HandleReference<se::TokenObjectBody> object;
    NTSTATUS status = object.reference(TokenHandle, TOKEN_ADJUST_PRIVILEGES | (PreviousState ? TOKEN_QUERY : 0),
                                       *SeTokenObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    se::Token& token = *object->token;

    std::lock_guard guard(token.adjust_lock());
    const std::uint64_t present = token.present_mask();
    const std::uint64_t enabled = token.enabled_mask();
    const std::uint64_t by_default = token.enabled_by_default_mask();
    std::uint64_t next_present = present;
    std::uint64_t next_enabled = enabled;
    bool not_all_assigned = false;
    if (DisableAllPrivileges) {
        next_enabled = 0;
    } else {
        const auto* entries = reinterpret_cast<const LUID_AND_ATTRIBUTES*>(requested.data() +
                                                                          offsetof(TOKEN_PRIVILEGES, Privileges));
        const ULONG count = *reinterpret_cast<const ULONG*>(requested.data());
        for (ULONG i = 0; i < count; ++i) {
            const std::uint64_t bit = privilege_bit(entries[i].Luid);
            if ((next_present & bit) == 0) {
                not_all_assigned = true;
                continue;
            }
            if (entries[i].Attributes & SE_PRIVILEGE_REMOVED) {
                next_present &= ~bit;
                next_enabled &= ~bit;
            } else if (entries[i].Attributes & SE_PRIVILEGE_ENABLED) {
                next_enabled |= bit;
            } else {
                next_enabled &= ~bit;
            }
        }
    }

    // Previous state: privileges still present whose enabled bit flips.
    std::vector<LUID_AND_ATTRIBUTES> changed;
    const std::uint64_t flipped = (enabled ^ next_enabled) & next_present;
    for (ULONG luid = 0; luid < 64; ++luid) {
        const std::uint64_t bit = std::uint64_t{1} << luid;
        if (flipped & bit) changed.push_back({{luid, 0}, attributes_of(bit, enabled, by_default)});
    }
    if (PreviousState) {
        std::vector<unsigned char> staged(offsetof(TOKEN_PRIVILEGES, Privileges) +
                                          changed.size() * sizeof(LUID_AND_ATTRIBUTES));
        const ULONG count = static_cast<ULONG>(changed.size());
        std::memcpy(staged.data(), &count, sizeof count);
        if (!changed.empty()) {
            std::memcpy(staged.data() + offsetof(TOKEN_PRIVILEGES, Privileges), changed.data(),
                        changed.size() * sizeof(LUID_AND_ATTRIBUTES));
        }
        status = write_previous_state(mode, PreviousState, BufferLength, ReturnLength, staged);
        if (!NT_SUCCESS(status)) return status;
    }
    if (next_present != present || next_enabled != enabled) token.set_privilege_state(next_present, next_enabled);
    return not_all_assigned ? STATUS_NOT_ALL_ASSIGNED : STATUS_SUCCESS;
}

// Sets one TOKEN_INFORMATION_CLASS of the token TokenHandle names. ntio's tokens hold TokenOwner
// (the user or a group with SE_GROUP_OWNER, else STATUS_INVALID_OWNER), TokenPrimaryGroup (the user
// or one of its groups, else STATUS_INVALID_PRIMARY_GROUP), TokenDefaultDacl (a NULL DefaultDacl
// removes it) and TokenIntegrityLevel (a label S-1-16-<level>; raising it needs SeTcbPrivilege),
// each with TOKEN_ADJUST_DEFAULT; TokenMandatoryPolicy (TOKEN_ADJUST_DEFAULT and SeTcbPrivilege); and
// TokenSessionId with TOKEN_ADJUST_SESSIONID and the caller's SeTcbPrivilege (else
// STATUS_PRIVILEGE_NOT_HELD). A length below the class's structure is STATUS_INFO_LENGTH_MISMATCH;
// read-only classes are STATUS_INVALID_INFO_CLASS.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntsetinformationtoken
// https://learn.microsoft.com/windows/win32/api/securitybaseapi/nf-securitybaseapi-settokeninformation
// NT deviation: the other classes Windows lets a caller set (TokenOrigin, TokenVirtualization*,
// TokenUIAccess, TokenSessionReference, TokenAuditPolicy, TokenLinkedToken) are
// STATUS_NOT_IMPLEMENTED: ntio's tokens do not hold that state. The privilege that raising the
// integrity level and setting the mandatory policy need (SeTcbPrivilege) and
// STATUS_INVALID_PARAMETER for a label that is not S-1-16-<level> or a policy outside
// TOKEN_MANDATORY_POLICY_VALID_MASK are ntio's choices where Learn is silent. Learn says
// a default DACL is not validated; ntio requires a valid ACL (STATUS_INVALID_ACL), because objects
// the token creates get it as their DACL.
NTSTATUS NTAPI NtSetInformationToken(HANDLE TokenHandle, TOKEN_INFORMATION_CLASS TokenInformationClass,
                                     PVOID TokenInformation, ULONG TokenInformationLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    ULONG minimum = 0;
    ACCESS_MASK access = TOKEN_ADJUST_DEFAULT;
    switch (TokenInformationClass) {
    case TokenOwner:
        minimum = sizeof(TOKEN_OWNER);
        break;
    case TokenPrimaryGroup:
        minimum = sizeof(TOKEN_PRIMARY_GROUP);
        break;
    case TokenDefaultDacl:
        minimum = sizeof(TOKEN_DEFAULT_DACL);
        break;
    case TokenSessionId:
        minimum = sizeof(ULONG);
        access = TOKEN_ADJUST_SESSIONID;
        break;
    case TokenIntegrityLevel:
        minimum = sizeof(TOKEN_MANDATORY_LABEL);
        break;
    case TokenMandatoryPolicy:
        minimum = sizeof(TOKEN_MANDATORY_POLICY);
        break;
    case TokenOrigin:
    case TokenVirtualizationAllowed:
    case TokenVirtualizationEnabled:
    case TokenUIAccess:
    case TokenSessionReference:
    case TokenAuditPolicy:
    case TokenLinkedToken:
        return STATUS_NOT_IMPLEMENTED;
    default:
        return STATUS_INVALID_INFO_CLASS;
    }
    if (TokenInformationLength < minimum) return STATUS_INFO_LENGTH_MISMATCH;
    if (!TokenInformation) return STATUS_ACCESS_VIOLATION;
    // The structure: one pointer (owner, group, DACL) or one ULONG (session), 32-bit aligned.
    PVOID pointer = nullptr;
    ULONG session = 0;  // the ULONG of TokenSessionId or TokenMandatoryPolicy
    const bool ulong_class = TokenInformationClass == TokenSessionId || TokenInformationClass == TokenMandatoryPolicy;
    NTSTATUS status = ulong_class
                          ? read_caller(mode, static_cast<const ULONG*>(TokenInformation), session)
                      : mode == KernelMode
                          ? (pointer = *static_cast<PVOID*>(TokenInformation), STATUS_SUCCESS)
                          : copy_from_user(&pointer, TokenInformation, sizeof(pointer), sizeof(ULONG));
    if (!NT_SUCCESS(status)) return status;
    std::vector<unsigned char> captured;
    if (TokenInformationClass == TokenOwner || TokenInformationClass == TokenPrimaryGroup ||
        TokenInformationClass == TokenIntegrityLevel) {
        status = capture_sid(mode, pointer, captured);
    } else if (TokenInformationClass == TokenDefaultDacl && pointer) {
        status = capture_acl(mode, pointer, captured);
    }
    if (!NT_SUCCESS(status)) return status;
    const auto* sid = reinterpret_cast<const SID*>(captured.data());
    if (TokenInformationClass == TokenIntegrityLevel &&
        (sid->SubAuthorityCount != 1 || sid->IdentifierAuthority.Value[5] != 16 ||
         sid->IdentifierAuthority.Value[0] | sid->IdentifierAuthority.Value[1] | sid->IdentifierAuthority.Value[2] |
             sid->IdentifierAuthority.Value[3] | sid->IdentifierAuthority.Value[4])) {
        return STATUS_INVALID_PARAMETER;  // not a mandatory label S-1-16-<level>
    }
    if (TokenInformationClass == TokenMandatoryPolicy && (session & ~TOKEN_MANDATORY_POLICY_VALID_MASK)) {
        return STATUS_INVALID_PARAMETER;
    }
    const bool tcb = SeSinglePrivilegeCheck(SeExports->SeTcbPrivilege, mode) != FALSE;
    if ((TokenInformationClass == TokenSessionId || TokenInformationClass == TokenMandatoryPolicy) && !tcb) {
        return STATUS_PRIVILEGE_NOT_HELD;
    }

    HandleReference<se::TokenObjectBody> object;
    status = object.reference(TokenHandle, access, *SeTokenObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    se::Token& token = *object->token;
    std::lock_guard guard(token.adjust_lock());
    switch (TokenInformationClass) {
    case TokenOwner:
        return token.set_defaults(sid, nullptr, nullptr, false);
    case TokenPrimaryGroup:
        return token.set_defaults(nullptr, sid, nullptr, false);
    case TokenDefaultDacl:
        return token.set_defaults(nullptr, nullptr, pointer ? reinterpret_cast<const ACL*>(captured.data()) : nullptr,
                                  pointer == nullptr);
    case TokenIntegrityLevel: {
        const ULONG rid = sid->SubAuthority[0];
        if (rid > token.integrity_rid() && !tcb) return STATUS_PRIVILEGE_NOT_HELD;
        token.set_integrity_rid(rid);
        return STATUS_SUCCESS;
    }
    case TokenMandatoryPolicy:
        token.set_mandatory_policy(session);
        return STATUS_SUCCESS;
    default:
        token.set_session_id(session);
        return STATUS_SUCCESS;
    }
}

// Whether the client token ClientToken names (TOKEN_QUERY; an impersonation token at
// SecurityIdentification or above) has the privileges RequiredPrivileges lists enabled: all of them
// with PRIVILEGE_SET_ALL_NECESSARY, any one without. Each enabled one gets
// SE_PRIVILEGE_USED_FOR_ACCESS in the caller's set.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntprivilegecheck
// https://learn.microsoft.com/windows/win32/api/securitybaseapi/nf-securitybaseapi-privilegecheck
// (a primary token is STATUS_NO_IMPERSONATION_TOKEN, a level below SecurityIdentification
// STATUS_BAD_IMPERSONATION_LEVEL).
NTSTATUS NTAPI NtPrivilegeCheck(HANDLE ClientToken, PPRIVILEGE_SET RequiredPrivileges, PBOOLEAN Result) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (!RequiredPrivileges || !Result) return STATUS_ACCESS_VIOLATION;
    if (NTSTATUS status = probe_caller_output(mode, Result); !NT_SUCCESS(status)) return status;
    std::vector<unsigned char> set;
    NTSTATUS status = capture_counted(mode, RequiredPrivileges, offsetof(PRIVILEGE_SET, Privilege),
                                      sizeof(LUID_AND_ATTRIBUTES), set);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<se::TokenObjectBody> object;
    status = object.reference(ClientToken, TOKEN_QUERY, *SeTokenObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    const se::Token& token = *object->token;
    if (token.type() != TokenImpersonation) return STATUS_NO_IMPERSONATION_TOKEN;
    if (token.impersonation_level() < SecurityIdentification) return STATUS_BAD_IMPERSONATION_LEVEL;

    auto* privileges = reinterpret_cast<PPRIVILEGE_SET>(set.data());
    auto* entries = reinterpret_cast<LUID_AND_ATTRIBUTES*>(set.data() + offsetof(PRIVILEGE_SET, Privilege));
    ULONG held = 0;
    for (ULONG i = 0; i < privileges->PrivilegeCount; ++i) {
        if (entries[i].Luid.HighPart == 0 && token.privilege_enabled(entries[i].Luid.LowPart)) {
            entries[i].Attributes |= SE_PRIVILEGE_USED_FOR_ACCESS;
            ++held;
        }
    }
    const BOOLEAN answer = (privileges->Control & PRIVILEGE_SET_ALL_NECESSARY)
                               ? (held == privileges->PrivilegeCount ? TRUE : FALSE)
                               : (held != 0 ? TRUE : FALSE);
    if (mode == KernelMode) {
        std::memcpy(RequiredPrivileges, set.data(), set.size());
    } else {
        status = copy_to_user(RequiredPrivileges, set.data(), set.size(), sizeof(ULONG));
        if (!NT_SUCCESS(status)) return status;
    }
    return write_caller(mode, Result, answer);
}

// NtAdjustPrivilegesToken from kernel mode (ntifs.h; no Learn page).
NTSTATUS NTAPI ZwAdjustPrivilegesToken(HANDLE TokenHandle, BOOLEAN DisableAllPrivileges, PTOKEN_PRIVILEGES NewState,
                                       ULONG BufferLength, PTOKEN_PRIVILEGES PreviousState, PULONG ReturnLength) {
    KernelModeCall kernel;
    return NtAdjustPrivilegesToken(TokenHandle, DisableAllPrivileges, NewState, BufferLength, PreviousState,
                                   ReturnLength);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwsetinformationtoken
NTSTATUS NTAPI ZwSetInformationToken(HANDLE TokenHandle, TOKEN_INFORMATION_CLASS TokenInformationClass,
                                     PVOID TokenInformation, ULONG TokenInformationLength) {
    KernelModeCall kernel;
    return NtSetInformationToken(TokenHandle, TokenInformationClass, TokenInformation, TokenInformationLength);
}

}  // extern "C"

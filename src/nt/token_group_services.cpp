// Token services over groups and restrictions: NtAdjustGroupsToken (enable, disable or reset the
// token's groups) and NtFilterToken (a restricted copy of a token), with their Zw forms.
#include "nt/current_system.hpp"

#include <ntio/ntapi.h>
#include <ntifs.h>

#include "nt/object_reference.hpp"
#include "nt/previous_mode.hpp"
#include "nt/token_capture.hpp"
#include "nt/user_memory.hpp"

using namespace ntio;
using namespace ntio::nt;

namespace {

constexpr ULONG kFilterFlags = DISABLE_MAX_PRIVILEGE | SANDBOX_INERT | LUA_TOKEN | WRITE_RESTRICTED;

// The TOKEN_GROUPS PreviousState receives, laid out for the caller's buffer at `base`: the array,
// then each SID, with the pointers made absolute.
std::vector<unsigned char> previous_groups(const std::vector<se::Token::Group>& changed, ULONG_PTR base) {
    const std::size_t array_end = offsetof(TOKEN_GROUPS, Groups) + changed.size() * sizeof(SID_AND_ATTRIBUTES);
    std::size_t total = array_end;
    for (const auto& group : changed) total += group.sid.length();
    std::vector<unsigned char> bytes(total, 0);
    const ULONG count = static_cast<ULONG>(changed.size());
    std::memcpy(bytes.data(), &count, sizeof(count));
    std::size_t sid_at = array_end;
    for (std::size_t i = 0; i < changed.size(); ++i) {
        SID_AND_ATTRIBUTES entry;
        entry.Sid = reinterpret_cast<PSID>(base + sid_at);
        entry.Attributes = changed[i].attributes;
        std::memcpy(bytes.data() + offsetof(TOKEN_GROUPS, Groups) + i * sizeof(entry), &entry, sizeof(entry));
        std::memcpy(bytes.data() + sid_at, changed[i].sid.get(), changed[i].sid.length());
        sid_at += changed[i].sid.length();
    }
    return bytes;
}

}  // namespace

extern "C" {

// Enables or disables groups of the token TokenHandle names (TOKEN_ADJUST_GROUPS, and TOKEN_QUERY
// when PreviousState is asked for): each group NewState lists gets its SE_GROUP_ENABLED bit from the
// entry, or with ResetToDefault every group gets its enabled-by-default state back (NewState is then
// ignored). PreviousState receives the earlier attributes of each group whose state changed; when it
// is too small nothing changes, *ReturnLength gets the size needed and the result is
// STATUS_BUFFER_TOO_SMALL. A SID the token has no group for is skipped and the call returns
// STATUS_NOT_ALL_ASSIGNED (a success status) after adjusting the others.
// Learn has no page for the service itself (ntifs.h declares it); the Win32 routine over it is
// https://learn.microsoft.com/windows/win32/api/securitybaseapi/nf-securitybaseapi-adjusttokengroups
// which says mandatory groups cannot be disabled and deny-only groups cannot be enabled: ntio fails
// the whole call then, changing nothing, with STATUS_CANT_DISABLE_MANDATORY or
// STATUS_CANT_ENABLE_DENY_ONLY (the statuses behind the Win32 errors that page's family documents).
// As for NtAdjustPrivilegesToken: NewState NULL without ResetToDefault is STATUS_INVALID_PARAMETER and
// PreviousState without ReturnLength STATUS_ACCESS_VIOLATION.
NTSTATUS NTAPI NtAdjustGroupsToken(HANDLE TokenHandle, BOOLEAN ResetToDefault, PTOKEN_GROUPS NewState,
                                   ULONG BufferLength, PTOKEN_GROUPS PreviousState, PULONG ReturnLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (!ResetToDefault && !NewState) return STATUS_INVALID_PARAMETER;
    if (NTSTATUS status = probe_previous_state(mode, PreviousState, BufferLength, ReturnLength); !NT_SUCCESS(status)) {
        return status;
    }
    std::vector<CapturedGroup> requested;
    if (!ResetToDefault) {
        NTSTATUS status = capture_groups(mode, NewState, requested);
        if (!NT_SUCCESS(status)) return status;
    }
    HandleReference<se::TokenObjectBody> object;
    NTSTATUS status = object.reference(TokenHandle, TOKEN_ADJUST_GROUPS | (PreviousState ? TOKEN_QUERY : 0),
                                       *SeTokenObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    se::Token& token = *object->token;

    std::lock_guard guard(token.adjust_lock());
    const std::vector<se::Token::Group>& current = token.groups();
    std::vector<se::Token::Group> next = current;
    bool not_all_assigned = false;
    if (ResetToDefault) {
        const std::vector<se::Token::Group>& defaults = token.default_groups();
        for (std::size_t i = 0; i < next.size(); ++i) {
            const bool on = (defaults[i].attributes & SE_GROUP_ENABLED_BY_DEFAULT) != 0 &&
                            (next[i].attributes & SE_GROUP_USE_FOR_DENY_ONLY) == 0;
            next[i].attributes = on ? (next[i].attributes | SE_GROUP_ENABLED) : (next[i].attributes & ~SE_GROUP_ENABLED);
        }
    } else {
        for (const CapturedGroup& entry : requested) {
            const bool enable = (entry.attributes & SE_GROUP_ENABLED) != 0;
            bool found = false;
            for (se::Token::Group& group : next) {
                if (!se::sid_equal(group.sid.get(), entry.sid.get())) continue;
                found = true;
                if (!enable && (group.attributes & SE_GROUP_MANDATORY)) return STATUS_CANT_DISABLE_MANDATORY;
                if (enable && (group.attributes & SE_GROUP_USE_FOR_DENY_ONLY)) return STATUS_CANT_ENABLE_DENY_ONLY;
                group.attributes = enable ? (group.attributes | SE_GROUP_ENABLED) : (group.attributes & ~SE_GROUP_ENABLED);
            }
            not_all_assigned |= !found;
        }
    }

    std::vector<se::Token::Group> changed;
    for (std::size_t i = 0; i < next.size(); ++i) {
        if ((next[i].attributes ^ current[i].attributes) & SE_GROUP_ENABLED) changed.push_back(current[i]);
    }
    if (PreviousState) {
        status = write_previous_state(mode, PreviousState, BufferLength, ReturnLength,
                                      previous_groups(changed, reinterpret_cast<ULONG_PTR>(PreviousState)));
        if (!NT_SUCCESS(status)) return status;
    }
    if (!changed.empty()) token.set_groups(std::move(next));
    return not_all_assigned ? STATUS_NOT_ALL_ASSIGNED : STATUS_SUCCESS;
}

// A handle to a restricted copy of the token ExistingTokenHandle names (TOKEN_DUPLICATE), with the
// access the existing handle has: what SeFilterToken makes (SIDs to disable become deny-only,
// privileges deleted, restricting SIDs added; Flags DISABLE_MAX_PRIVILEGE, SANDBOX_INERT, LUA_TOKEN,
// WRITE_RESTRICTED). Flags outside those four are STATUS_INVALID_PARAMETER.
// Learn has no page for the service (ntifs.h declares it); the routines over and beside it are
// https://learn.microsoft.com/windows/win32/api/securitybaseapi/nf-securitybaseapi-createrestrictedtoken
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-sefiltertoken
NTSTATUS NTAPI NtFilterToken(HANDLE ExistingTokenHandle, ULONG Flags, PTOKEN_GROUPS SidsToDisable,
                             PTOKEN_PRIVILEGES PrivilegesToDelete, PTOKEN_GROUPS RestrictedSids,
                             PHANDLE NewTokenHandle) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (!NewTokenHandle) return STATUS_ACCESS_VIOLATION;
    if (NTSTATUS status = probe_caller_output(mode, NewTokenHandle); !NT_SUCCESS(status)) return status;
    if (Flags & ~kFilterFlags) return STATUS_INVALID_PARAMETER;
    se::Token::FilterRequest request;
    request.flags = Flags;
    std::vector<CapturedGroup> groups;
    if (SidsToDisable) {
        NTSTATUS status = capture_groups(mode, SidsToDisable, groups);
        if (!NT_SUCCESS(status)) return status;
        for (const CapturedGroup& group : groups) request.disable.push_back(group.sid);
    }
    if (RestrictedSids) {
        NTSTATUS status = capture_groups(mode, RestrictedSids, groups);
        if (!NT_SUCCESS(status)) return status;
        for (const CapturedGroup& group : groups) request.restricting.push_back(group.sid);
    }
    if (PrivilegesToDelete && !(Flags & DISABLE_MAX_PRIVILEGE)) {
        std::vector<unsigned char> privileges;
        NTSTATUS status = capture_counted(mode, PrivilegesToDelete, offsetof(TOKEN_PRIVILEGES, Privileges),
                                          sizeof(LUID_AND_ATTRIBUTES), privileges);
        if (!NT_SUCCESS(status)) return status;
        const ULONG count = *reinterpret_cast<const ULONG*>(privileges.data());
        for (ULONG i = 0; i < count; ++i) {
            LUID_AND_ATTRIBUTES entry;
            std::memcpy(&entry, privileges.data() + offsetof(TOKEN_PRIVILEGES, Privileges) + i * sizeof(entry),
                        sizeof(entry));
            if (entry.Luid.HighPart == 0 && entry.Luid.LowPart < 64) request.delete_mask |= 1ull << entry.Luid.LowPart;
        }
    }
    HandleReference<se::TokenObjectBody> existing;
    NTSTATUS status = existing.reference(ExistingTokenHandle, TOKEN_DUPLICATE, *SeTokenObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    return open_token_handle(existing->token->filtered(request), existing.info().GrantedAccess, 0, mode,
                             NewTokenHandle);
}

// NtAdjustGroupsToken from kernel mode (ntifs.h; no Learn page).
NTSTATUS NTAPI ZwAdjustGroupsToken(HANDLE TokenHandle, BOOLEAN ResetToDefault, PTOKEN_GROUPS NewState,
                                   ULONG BufferLength, PTOKEN_GROUPS PreviousState, PULONG ReturnLength) {
    KernelModeCall kernel;
    return NtAdjustGroupsToken(TokenHandle, ResetToDefault, NewState, BufferLength, PreviousState, ReturnLength);
}

// NtFilterToken from kernel mode (ntifs.h; no Learn page).
NTSTATUS NTAPI ZwFilterToken(HANDLE ExistingTokenHandle, ULONG Flags, PTOKEN_GROUPS SidsToDisable,
                             PTOKEN_PRIVILEGES PrivilegesToDelete, PTOKEN_GROUPS RestrictedSids,
                             PHANDLE NewTokenHandle) {
    KernelModeCall kernel;
    return NtFilterToken(ExistingTokenHandle, Flags, SidsToDisable, PrivilegesToDelete, RestrictedSids,
                         NewTokenHandle);
}

}  // extern "C"

// SeFilterToken: a restricted copy of a token, handed to the driver as a token object it releases
// with ObDereferenceObject (so it lives in ob, which owns the Token object type).
#include "ob/object_manager.hpp"
#include "ob/process.hpp"
#include "ob/token_objects.hpp"

#include <ntifs.h>

using namespace ntio;

namespace {

constexpr ULONG kFilterFlags = DISABLE_MAX_PRIVILEGE | SANDBOX_INERT | LUA_TOKEN | WRITE_RESTRICTED;

// The SIDs of a kernel TOKEN_GROUPS; false when one is malformed.
bool sids_of(const TOKEN_GROUPS* groups, std::vector<se::SidBuffer>& out)
{
    if (groups == nullptr) return true;
    for (ULONG i = 0; i < groups->GroupCount; ++i) {
        const PSID sid = groups->Groups[i].Sid;
        if (sid == nullptr || !RtlValidSid(sid)) return false;
        out.emplace_back(static_cast<const SID*>(sid));
    }
    return true;
}

}  // namespace

extern "C" {

// A new token that is a restricted version of ExistingToken (a token or a token object): the SIDs
// SidsToDisable names (user or groups; others are ignored) become deny-only, the privileges
// PrivilegesToDelete names are deleted (all but SeChangeNotifyPrivilege with DISABLE_MAX_PRIVILEGE,
// which ignores PrivilegesToDelete), RestrictedSids become restricting SIDs, and SANDBOX_INERT is
// recorded. *FilteredToken gets a referenced token object; the caller releases it with
// ObDereferenceObject. The Attributes of the entries are ignored, as Learn says.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-sefiltertoken
// Learn lists no failure statuses; ntio's: a NULL token or FilteredToken, or flags outside
// DISABLE_MAX_PRIVILEGE | SANDBOX_INERT | LUA_TOKEN | WRITE_RESTRICTED, are STATUS_INVALID_PARAMETER,
// a malformed SID STATUS_INVALID_SID.
NTKERNELAPI NTSTATUS NTAPI SeFilterToken(PACCESS_TOKEN ExistingToken, ULONG Flags, PTOKEN_GROUPS SidsToDisable,
                                         PTOKEN_PRIVILEGES PrivilegesToDelete, PTOKEN_GROUPS RestrictedSids,
                                         PACCESS_TOKEN* FilteredToken)
{
    const se::Token* token = se::token_from(ExistingToken);
    if (token == nullptr || FilteredToken == nullptr || (Flags & ~kFilterFlags) != 0) return STATUS_INVALID_PARAMETER;
    *FilteredToken = nullptr;
    se::Token::FilterRequest request;
    request.flags = Flags;
    if (!sids_of(SidsToDisable, request.disable) || !sids_of(RestrictedSids, request.restricting)) {
        return STATUS_INVALID_SID;
    }
    if (PrivilegesToDelete != nullptr && (Flags & DISABLE_MAX_PRIVILEGE) == 0) {
        for (ULONG i = 0; i < PrivilegesToDelete->PrivilegeCount; ++i) {
            const LUID& luid = PrivilegesToDelete->Privileges[i].Luid;
            if (luid.HighPart == 0 && luid.LowPart < 64) request.delete_mask |= 1ull << luid.LowPart;
        }
    }
    PEPROCESS process = ob::current_process();
    if (process == nullptr || process->m_manager == nullptr) return STATUS_INVALID_PARAMETER;
    void* body = nullptr;
    const NTSTATUS status = ob::create_token_object(*process->m_manager, token->filtered(request), &body);
    if (NT_SUCCESS(status)) *FilteredToken = body;
    return status;
}

}  // extern "C"

// The access check over a DACL, following Microsoft Learn "How DACLs Control Access to an Object" and
// the SeAccessCheck DDI page: generic mapping, privileges, owner rights, ordered allow/deny ACEs.
#include "se/access_check.hpp"

#include "se/sd_layout.hpp"

#include <atomic>
#include <cstring>

namespace ntio::se {
namespace {

ACCESS_MASK map_generic(ACCESS_MASK mask, const GENERIC_MAPPING& mapping) noexcept
{
    if (mask & GENERIC_READ) {
        mask |= mapping.GenericRead;
    }
    if (mask & GENERIC_WRITE) {
        mask |= mapping.GenericWrite;
    }
    if (mask & GENERIC_EXECUTE) {
        mask |= mapping.GenericExecute;
    }
    if (mask & GENERIC_ALL) {
        mask |= mapping.GenericAll;
    }
    return mask & ~(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL);
}

struct AceView {
    UCHAR type;
    UCHAR flags;
    ACCESS_MASK mask;
    const SID* sid;
};

// Calls `visit(ace)` for each effective mask+SID allow/deny ACE; stops when it returns false.
template <typename Visit>
void for_each_ace(const ACL* acl, Visit&& visit) noexcept
{
    auto* bytes = reinterpret_cast<const unsigned char*>(acl) + sizeof(ACL);
    for (USHORT i = 0; i < acl->AceCount; ++i) {
        ACE_HEADER header;
        std::memcpy(&header, bytes, sizeof(header));
        // Inherit-only ACEs exist for children and take no part in this object's check.
        if ((header.AceFlags & INHERIT_ONLY_ACE) == 0 &&
            (header.AceType == ACCESS_ALLOWED_ACE_TYPE || header.AceType == ACCESS_DENIED_ACE_TYPE)) {
            AceView ace;
            ace.type = header.AceType;
            ace.flags = header.AceFlags;
            std::memcpy(&ace.mask, bytes + FIELD_OFFSET(ACCESS_ALLOWED_ACE, Mask), sizeof(ACCESS_MASK));
            ace.sid = reinterpret_cast<const SID*>(bytes + FIELD_OFFSET(ACCESS_ALLOWED_ACE, SidStart));
            if (!visit(ace)) {
                return;
            }
        }
        bytes += header.AceSize;
    }
}

const SID* owner_rights_sid() noexcept
{
    static const SidBuffer sid(3, {SECURITY_CREATOR_OWNER_RIGHTS_RID});
    return sid.get();
}

// What the DACL grants to one view of the token: its user and groups, or (`restricting`) its
// restricting SIDs. The owner's implicit READ_CONTROL | WRITE_DAC count unless an OWNER RIGHTS ACE
// replaces them.
ACCESS_MASK dacl_grants(const SdParts& parts, const Token& token, const GENERIC_MAPPING& mapping,
                        bool restricting) noexcept
{
    auto member = [&](const SID* sid, bool deny) {
        if (restricting) return token.is_restricted_member(sid);
        return deny ? token.is_member_for_deny(sid) : token.is_member(sid);
    };
    const bool is_owner = parts.owner != nullptr && member(parts.owner, false);
    bool owner_rights_ace = false;
    ACCESS_MASK allowed = 0, denied = 0;
    if (is_owner) {
        for_each_ace(parts.dacl, [&](const AceView& ace) {
            owner_rights_ace = sid_equal(ace.sid, owner_rights_sid());
            return !owner_rights_ace;
        });
        if (!owner_rights_ace) allowed |= READ_CONTROL | WRITE_DAC;
    }
    for_each_ace(parts.dacl, [&](const AceView& ace) {
        const bool deny = ace.type == ACCESS_DENIED_ACE_TYPE;
        const bool matches = (owner_rights_ace && is_owner && sid_equal(ace.sid, owner_rights_sid())) ||
                             member(ace.sid, deny);
        if (!matches) return true;
        const ACCESS_MASK mask = map_generic(ace.mask, mapping);
        if (deny) {
            denied |= mask & ~allowed;
        } else {
            allowed |= mask & ~denied;
        }
        return true;
    });
    return allowed;
}

std::atomic<SubjectTokenResolver> g_resolver{nullptr};
std::atomic<ImpersonationResolver> g_impersonation_resolver{nullptr};

}  // namespace

NTSTATUS access_check(PSECURITY_DESCRIPTOR sd, const Token& token, ACCESS_MASK desired, const GENERIC_MAPPING& mapping,
                      ACCESS_MASK* granted) noexcept
{
    return access_check(sd, token, desired, 0, mapping, granted);
}

NTSTATUS access_check(PSECURITY_DESCRIPTOR sd, const Token& token, ACCESS_MASK desired, ACCESS_MASK previously_granted,
                      const GENERIC_MAPPING& mapping, ACCESS_MASK* granted) noexcept
{
    *granted = 0;
    desired = map_generic(desired, mapping);
    const bool maximum = (desired & MAXIMUM_ALLOWED) != 0;
    desired &= ~MAXIMUM_ALLOWED;
    ACCESS_MASK have = map_generic(previously_granted, mapping) & ~MAXIMUM_ALLOWED;
    ACCESS_MASK remaining = desired & ~have;
    const ACCESS_MASK all = mapping.GenericAll | STANDARD_RIGHTS_ALL;

    // SACL access is a privilege, never a DACL grant.
    if (remaining & ACCESS_SYSTEM_SECURITY) {
        if (!token.privilege_enabled(SE_SECURITY_PRIVILEGE)) {
            return STATUS_PRIVILEGE_NOT_HELD;
        }
        have |= ACCESS_SYSTEM_SECURITY;
        remaining &= ~ACCESS_SYSTEM_SECURITY;
    }

    if (sd == nullptr) {
        *granted = have | remaining | (maximum ? all : 0);
        return STATUS_SUCCESS;
    }

    const SdParts parts = sd_parts(sd);

    if ((remaining & WRITE_OWNER) || maximum) {
        if (token.privilege_enabled(SE_TAKE_OWNERSHIP_PRIVILEGE)) {
            have |= WRITE_OWNER;
            remaining &= ~WRITE_OWNER;
        }
    }

    if (parts.dacl == nullptr) {
        // No DACL, or a NULL DACL: everyone gets everything.
        *granted = have | remaining | (maximum ? all : 0);
        return STATUS_SUCCESS;
    }

    // The rights the DACL grants: a right is granted when the first ACE that mentions it for a SID
    // the token matches is an allow ACE. A restricted token is checked a second time against its
    // restricting SIDs and gets only what both passes grant (Learn, "Restricted Tokens"); a
    // write-restricted token's second pass decides only the object's write rights.
    ACCESS_MASK allowed = dacl_grants(parts, token, mapping, false);
    if (token.restricted()) {
        ACCESS_MASK second = dacl_grants(parts, token, mapping, true);
        if (token.write_restricted()) second |= ~mapping.GenericWrite;
        allowed &= second;
    }
    allowed &= ~ACCESS_SYSTEM_SECURITY;

    if (maximum) {
        if ((remaining & ~allowed) != 0) {
            return STATUS_ACCESS_DENIED;
        }
        const ACCESS_MASK result = have | allowed | desired;
        if (result == 0) {
            return STATUS_ACCESS_DENIED;
        }
        *granted = result;
        return STATUS_SUCCESS;
    }
    if ((remaining & ~allowed) != 0) {
        return STATUS_ACCESS_DENIED;
    }
    *granted = have | desired;
    return STATUS_SUCCESS;
}

void set_subject_token_resolver(SubjectTokenResolver resolver) noexcept
{
    g_resolver.store(resolver, std::memory_order_release);
}

std::shared_ptr<Token> current_subject_token()
{
    if (SubjectTokenResolver resolver = g_resolver.load(std::memory_order_acquire)) {
        if (auto token = resolver()) {
            return token;
        }
    }
    // NT deviation: a thread with no emulated process (or before the object manager installs its
    // resolver) acts with a process-wide SYSTEM token, like a kernel system thread.
    static const std::shared_ptr<Token> system_token = Token::create_system();
    return system_token;
}

void set_impersonation_resolver(ImpersonationResolver resolver) noexcept
{
    g_impersonation_resolver.store(resolver, std::memory_order_release);
}

std::shared_ptr<Token> current_client_token(SECURITY_IMPERSONATION_LEVEL* level)
{
    *level = SecurityAnonymous;
    if (ImpersonationResolver resolver = g_impersonation_resolver.load(std::memory_order_acquire)) {
        return resolver(level);
    }
    return nullptr;
}

std::shared_ptr<Token> current_effective_token()
{
    SECURITY_IMPERSONATION_LEVEL level;
    if (auto client = current_client_token(&level)) {
        return client;
    }
    return current_subject_token();
}

}  // namespace ntio::se

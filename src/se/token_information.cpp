// Token information classes: layouts of TOKEN_USER, TOKEN_GROUPS, TOKEN_PRIVILEGES and the rest, as
// one relocatable byte block whose embedded SID/ACL pointers point into the block itself.
#include "se/token_information.hpp"

#include "se/sid.hpp"

#include <cstring>

namespace ntio::se {
namespace {

constexpr std::size_t align4(std::size_t n) noexcept
{
    return (n + 3u) & ~std::size_t{3};
}

ULONG sid_length(const SID* sid) noexcept
{
    return 8 + ULONG{sid->SubAuthorityCount} * sizeof(ULONG);
}

}  // namespace

std::size_t TokenInformation::reserve(std::size_t size)
{
    const std::size_t at = align4(m_bytes.size());
    m_bytes.resize(at + size, 0);
    return at;
}

std::size_t TokenInformation::append(const void* data, std::size_t size)
{
    const std::size_t at = reserve(size);
    std::memcpy(m_bytes.data() + at, data, size);
    return at;
}

void TokenInformation::point(std::size_t field_offset, std::size_t target_offset)
{
    const ULONG_PTR relative = target_offset;
    std::memcpy(m_bytes.data() + field_offset, &relative, sizeof(relative));
    m_pointers.push_back(field_offset);
}

void TokenInformation::put_ulong(std::size_t offset, ULONG value)
{
    std::memcpy(m_bytes.data() + offset, &value, sizeof(value));
}

void TokenInformation::sid_and_attributes(std::size_t entry_offset, const SID* sid, ULONG attributes)
{
    const std::size_t sid_at = append(sid, sid_length(sid));
    point(entry_offset + offsetof(SID_AND_ATTRIBUTES, Sid), sid_at);
    put_ulong(entry_offset + offsetof(SID_AND_ATTRIBUTES, Attributes), attributes);
}

void TokenInformation::groups(const std::vector<Token::Group>& groups)
{
    // The SID_AND_ATTRIBUTES array first, then the SIDs it points to.
    const std::size_t count = groups.size();
    const std::size_t header = offsetof(TOKEN_GROUPS, Groups) + count * sizeof(SID_AND_ATTRIBUTES);
    reserve(header);
    put_ulong(offsetof(TOKEN_GROUPS, GroupCount), static_cast<ULONG>(count));
    for (std::size_t i = 0; i < count; ++i) {
        sid_and_attributes(offsetof(TOKEN_GROUPS, Groups) + i * sizeof(SID_AND_ATTRIBUTES), groups[i].sid.get(),
                           groups[i].attributes);
    }
}

void TokenInformation::sid_holder(const SID* sid)
{
    // TOKEN_OWNER and TOKEN_PRIMARY_GROUP: one pointer, followed by the SID.
    reserve(sizeof(PSID));
    point(0, append(sid, sid_length(sid)));
}

NTSTATUS TokenInformation::build(const Token& token, TOKEN_INFORMATION_CLASS information_class, bool se_form)
{
    m_bytes.clear();
    m_pointers.clear();
    auto ulong_answer = [&](ULONG value) { append(&value, sizeof(value)); };
    switch (information_class) {
    case TokenUser:
        reserve(sizeof(TOKEN_USER));
        sid_and_attributes(0, token.user(), token.user_attributes());
        break;
    case TokenGroups:
        groups(token.groups());
        break;
    case TokenRestrictedSids:
        groups(token.restricted_sids());
        break;
    case TokenCapabilities:
        groups({});  // never an app container: no capabilities
        break;
    case TokenPrivileges: {
        const std::vector<Token::Privilege> privileges = token.privileges();
        reserve(offsetof(TOKEN_PRIVILEGES, Privileges) + privileges.size() * sizeof(LUID_AND_ATTRIBUTES));
        put_ulong(0, static_cast<ULONG>(privileges.size()));
        for (std::size_t i = 0; i < privileges.size(); ++i) {
            LUID_AND_ATTRIBUTES entry{};
            entry.Luid.LowPart = privileges[i].luid_low;
            entry.Attributes = (privileges[i].enabled_by_default ? SE_PRIVILEGE_ENABLED_BY_DEFAULT : 0) |
                               (privileges[i].enabled ? SE_PRIVILEGE_ENABLED : 0);
            std::memcpy(m_bytes.data() + offsetof(TOKEN_PRIVILEGES, Privileges) + i * sizeof(entry), &entry,
                        sizeof(entry));
        }
        break;
    }
    case TokenOwner:
        sid_holder(token.owner());
        break;
    case TokenPrimaryGroup:
        sid_holder(token.primary_group());
        break;
    case TokenDefaultDacl: {
        reserve(sizeof(TOKEN_DEFAULT_DACL));
        const std::vector<unsigned char>& dacl = token.default_dacl();
        if (!dacl.empty()) {
            point(0, append(dacl.data(), dacl.size()));
        }
        break;
    }
    case TokenSource:
        append(&token.source(), sizeof(TOKEN_SOURCE));
        break;
    case TokenType: {
        const TOKEN_TYPE type = token.type();
        append(&type, sizeof(type));
        break;
    }
    case TokenImpersonationLevel: {
        // Only an impersonation token has a level (Learn: the query fails for a primary token).
        if (token.type() != TokenImpersonation) {
            return STATUS_INVALID_INFO_CLASS;
        }
        const SECURITY_IMPERSONATION_LEVEL level = token.impersonation_level();
        append(&level, sizeof(level));
        break;
    }
    case TokenStatistics: {
        TOKEN_STATISTICS statistics{};
        statistics.TokenId = token.token_id();
        statistics.AuthenticationId = token.authentication_id();
        statistics.ExpirationTime.QuadPart = 0x7FFFFFFFFFFFFFFFll;  // never expires
        statistics.TokenType = token.type();
        statistics.ImpersonationLevel = token.impersonation_level();
        statistics.GroupCount = static_cast<ULONG>(token.groups().size());
        statistics.PrivilegeCount = static_cast<ULONG>(token.privileges().size());
        statistics.ModifiedId = token.modified_id();
        append(&statistics, sizeof(statistics));
        break;
    }
    case TokenSessionId:
        ulong_answer(token.session_id());
        break;
    case TokenElevationType: {
        const TOKEN_ELEVATION_TYPE type = token.elevation_type();
        append(&type, sizeof(type));
        break;
    }
    case TokenElevation:
        ulong_answer(token.elevated() ? 1 : 0);
        break;
    case TokenHasRestrictions:
        ulong_answer(token.ever_filtered() ? 1 : 0);  // nonzero once a filter made it (or its source)
        break;
    case TokenIsRestricted:
        ulong_answer(token.restricted() ? 1 : 0);
        break;
    case TokenSandBoxInert:
        ulong_answer(token.sandbox_inert() ? 1 : 0);
        break;
    case TokenIsAppContainer:
    case TokenAppContainerNumber:
    case TokenVirtualizationAllowed:
    case TokenVirtualizationEnabled:
    case TokenUIAccess:
        // Never an app container; no UAC file and registry virtualization; no UIAccess.
        ulong_answer(0);
        break;
    case TokenAppContainerSid:
        reserve(sizeof(TOKEN_APPCONTAINER_INFORMATION));  // TokenAppContainer NULL: not an app container
        break;
    case TokenMandatoryPolicy:
        ulong_answer(token.mandatory_policy());
        break;
    case TokenOrigin: {
        const LUID origin = token.origin();
        append(&origin, sizeof(origin));
        break;
    }
    case TokenIntegrityLevel:
        if (se_form) {
            ulong_answer(token.integrity_rid());
        } else {
            const SidBuffer label(16, {token.integrity_rid()});
            reserve(sizeof(TOKEN_MANDATORY_LABEL));
            sid_and_attributes(0, label.get(), SE_GROUP_INTEGRITY | SE_GROUP_INTEGRITY_ENABLED);
        }
        break;
    default:
        // NT deviation: the remaining classes (linked tokens, logon SIDs, claims, device groups,
        // access information and the reserved ones) describe state ntio tokens do not have.
        return STATUS_INVALID_INFO_CLASS;
    }
    return STATUS_SUCCESS;
}

void TokenInformation::place(void* destination, ULONG_PTR final_address) const noexcept
{
    auto* out = static_cast<unsigned char*>(destination);
    std::memcpy(out, m_bytes.data(), m_bytes.size());
    for (std::size_t field : m_pointers) {
        ULONG_PTR value = 0;
        std::memcpy(&value, out + field, sizeof(value));
        value += final_address;
        std::memcpy(out + field, &value, sizeof(value));
    }
}

}  // namespace ntio::se

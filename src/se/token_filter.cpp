// Filtered (restricted) tokens, as SeFilterToken and NtFilterToken make them: SIDs turned deny-only,
// privileges deleted, restricting SIDs the access check evaluates in a second pass, and the
// sandbox-inert and write-restricted marks.
#include "se/token.hpp"

namespace ntio::se {
namespace {

constexpr ULONG kRestrictingAttributes = SE_GROUP_MANDATORY | SE_GROUP_ENABLED_BY_DEFAULT | SE_GROUP_ENABLED;

bool listed(const std::vector<SidBuffer>& sids, const SID* sid) noexcept
{
    for (const SidBuffer& candidate : sids) {
        if (sid_equal(candidate.get(), sid)) return true;
    }
    return false;
}

// Deny-only: SE_GROUP_USE_FOR_DENY_ONLY on, SE_GROUP_ENABLED and SE_GROUP_ENABLED_BY_DEFAULT off.
ULONG deny_only(ULONG attributes) noexcept
{
    return (attributes | SE_GROUP_USE_FOR_DENY_ONLY) & ~(SE_GROUP_ENABLED | SE_GROUP_ENABLED_BY_DEFAULT);
}

}  // namespace

std::shared_ptr<Token> Token::filtered(const FilterRequest& request) const
{
    std::shared_ptr<Token> copy = duplicate(m_type, m_level);
    if (listed(request.disable, m_user.get())) copy->m_user_attributes |= SE_GROUP_USE_FOR_DENY_ONLY;
    std::vector<Group> groups_now = copy->groups();
    for (std::size_t i = 0; i < groups_now.size(); ++i) {
        if (!listed(request.disable, groups_now[i].sid.get())) continue;
        groups_now[i].attributes = deny_only(groups_now[i].attributes);
        copy->m_default_groups[i].attributes = deny_only(copy->m_default_groups[i].attributes);
    }
    copy->publish_groups_keep_defaults(std::move(groups_now));

    std::uint64_t present = copy->m_present.load(std::memory_order_relaxed);
    if (request.flags & DISABLE_MAX_PRIVILEGE) {
        present &= bit(SE_CHANGE_NOTIFY_PRIVILEGE);
    } else {
        present &= ~request.delete_mask;
    }
    copy->m_present.store(present, std::memory_order_relaxed);
    copy->m_enabled.store(copy->m_enabled.load(std::memory_order_relaxed) & present, std::memory_order_relaxed);
    copy->m_enabled_by_default &= present;

    if (!request.restricting.empty()) {
        std::vector<Group> restricting;
        for (const SidBuffer& sid : request.restricting) {
            // NT deviation (unverified): a token that is already restricted keeps only the restricting
            // SIDs both lists name, so filtering never widens what the second pass grants.
            if (restricted() && !is_restricted_member(sid.get())) continue;
            bool duplicate_sid = false;
            for (const Group& kept : restricting) duplicate_sid |= sid_equal(kept.sid.get(), sid.get());
            if (!duplicate_sid) restricting.push_back({sid, kRestrictingAttributes});
        }
        copy->m_restricted = std::move(restricting);
        copy->m_is_restricted = true;  // even when the intersection is empty: then the second pass grants nothing
    }
    if (request.flags & SANDBOX_INERT) copy->m_sandbox_inert = true;
    if (request.flags & WRITE_RESTRICTED) copy->m_write_restricted = true;
    if (request.flags & LUA_TOKEN) copy->m_lua = true;
    copy->m_ever_filtered = true;
    copy->touch_modified();
    return copy;
}

}  // namespace ntio::se

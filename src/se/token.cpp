// Token construction (SYSTEM and interactive users, as Windows builds them) and the lock-free
// membership and privilege queries the access check relies on.
#include "se/token.hpp"

#include "se/acl_builder.hpp"

#include <cstring>

namespace ntio::se {
namespace {

// The emulated machine's account domain, S-1-5-21-<a>-<b>-<c>.
constexpr ULONG kMachineA = 1004336348, kMachineB = 1177238915, kMachineC = 682003330;
constexpr ULONG kFirstUserRid = 1001;
constexpr ULONG kDomainNoneRid = 513;
constexpr ULONG kEnabledGroup = SE_GROUP_MANDATORY | SE_GROUP_ENABLED_BY_DEFAULT | SE_GROUP_ENABLED;

std::uint64_t mask_of(std::initializer_list<ULONG> privileges)
{
    std::uint64_t mask = 0;
    for (ULONG luid : privileges) {
        mask |= std::uint64_t{1} << luid;
    }
    return mask;
}

// LUIDs below this are well known (privilege values, SYSTEM_LUID 0x3e7 and the service logon
// sessions); Windows hands out allocated ones well above them too.
constexpr std::uint64_t kFirstAllocatedLuid = 0x10000;
std::atomic<std::uint64_t> g_next_luid{kFirstAllocatedLuid};

LUID to_luid(std::uint64_t value) noexcept
{
    LUID luid;
    luid.LowPart = static_cast<ULONG>(value);
    luid.HighPart = static_cast<LONG>(value >> 32);
    return luid;
}

std::uint64_t from_luid(LUID luid) noexcept
{
    return (std::uint64_t{static_cast<ULONG>(luid.HighPart)} << 32) | luid.LowPart;
}

void set_source(TOKEN_SOURCE& source, const char (&name)[TOKEN_SOURCE_LENGTH + 1], LUID id) noexcept
{
    std::memcpy(source.SourceName, name, TOKEN_SOURCE_LENGTH);
    source.SourceIdentifier = id;
}

}  // namespace

Token* token_from(PACCESS_TOKEN access_token) noexcept
{
    if (access_token == nullptr) {
        return nullptr;
    }
    // A Token starts with its enable_shared_from_this weak pointer (a heap address), never the magic.
    std::uint64_t first = 0;
    std::memcpy(&first, access_token, sizeof(first));
    if (first == TokenObjectBody::kMagic) {
        return static_cast<TokenObjectBody*>(access_token)->token.get();
    }
    return static_cast<Token*>(access_token);
}

LUID allocate_luid() noexcept
{
    return to_luid(g_next_luid.fetch_add(1, std::memory_order_relaxed));
}

std::shared_ptr<Token> Token::create_system()
{
    auto token = std::make_shared<Token>(PrivateTag{});
    token->m_user = SidBuffer(well_known::local_system());
    auto defaults = std::make_unique<Defaults>();
    defaults->owner = token->m_user;
    defaults->primary_group = SidBuffer(well_known::local_system());
    token->publish_groups({
        {SidBuffer(well_known::administrators()), SE_GROUP_ENABLED_BY_DEFAULT | SE_GROUP_ENABLED | SE_GROUP_OWNER},
        {SidBuffer(well_known::world()), kEnabledGroup},
        {SidBuffer(well_known::authenticated_users()), kEnabledGroup},
    });
    // The kernel's System process token holds every well-known privilege, enabled by default.
    for (ULONG luid = SE_MIN_WELL_KNOWN_PRIVILEGE; luid <= SE_MAX_WELL_KNOWN_PRIVILEGE; ++luid) {
        token->m_enabled_by_default |= std::uint64_t{1} << luid;
    }
    token->m_present.store(token->m_enabled_by_default, std::memory_order_relaxed);
    token->m_enabled.store(token->m_enabled_by_default, std::memory_order_relaxed);
    token->build_default_dacl(*defaults, true);
    token->publish_defaults(std::move(defaults));
    token->m_token_id = allocate_luid();
    token->m_authentication_id = to_luid(0x3e7);  // SYSTEM_LUID, the SYSTEM logon session
    token->m_logon.attach(token->m_authentication_id);
    token->m_modified_id.store(from_luid(allocate_luid()), std::memory_order_relaxed);
    set_source(token->m_source, "*SYSTEM*", LUID{});
    token->m_session_id = 0;
    token->m_integrity_rid.store(SECURITY_MANDATORY_SYSTEM_RID, std::memory_order_relaxed);
    token->m_elevated = true;
    token->m_elevation_type = TokenElevationTypeDefault;
    return token;
}

std::shared_ptr<Token> Token::create_user(bool administrator)
{
    auto token = std::make_shared<Token>(PrivateTag{});
    token->m_user = SidBuffer(5, {21, kMachineA, kMachineB, kMachineC, kFirstUserRid});
    auto defaults = std::make_unique<Defaults>();
    defaults->owner = token->m_user;
    defaults->primary_group = SidBuffer(5, {21, kMachineA, kMachineB, kMachineC, kDomainNoneRid});
    std::vector<Group> groups;
    groups.push_back({defaults->primary_group, kEnabledGroup});
    groups.push_back({SidBuffer(well_known::world()), kEnabledGroup});
    if (administrator) {
        groups.push_back({SidBuffer(well_known::administrators()), kEnabledGroup | SE_GROUP_OWNER});
    }
    groups.push_back({SidBuffer(well_known::users()), kEnabledGroup});
    groups.push_back({SidBuffer(well_known::interactive()), kEnabledGroup});
    groups.push_back({SidBuffer(well_known::authenticated_users()), kEnabledGroup});
    token->publish_groups(std::move(groups));

    // What `whoami /priv` lists for a standard user and for an elevated administrator.
    if (administrator) {
        token->m_present = mask_of({SE_INCREASE_QUOTA_PRIVILEGE, SE_SECURITY_PRIVILEGE, SE_TAKE_OWNERSHIP_PRIVILEGE,
                                    SE_LOAD_DRIVER_PRIVILEGE, SE_SYSTEM_PROFILE_PRIVILEGE, SE_SYSTEMTIME_PRIVILEGE,
                                    SE_PROF_SINGLE_PROCESS_PRIVILEGE, SE_INC_BASE_PRIORITY_PRIVILEGE,
                                    SE_CREATE_PAGEFILE_PRIVILEGE, SE_BACKUP_PRIVILEGE, SE_RESTORE_PRIVILEGE,
                                    SE_SHUTDOWN_PRIVILEGE, SE_DEBUG_PRIVILEGE, SE_SYSTEM_ENVIRONMENT_PRIVILEGE,
                                    SE_CHANGE_NOTIFY_PRIVILEGE, SE_REMOTE_SHUTDOWN_PRIVILEGE, SE_UNDOCK_PRIVILEGE,
                                    SE_MANAGE_VOLUME_PRIVILEGE, SE_IMPERSONATE_PRIVILEGE, SE_CREATE_GLOBAL_PRIVILEGE,
                                    SE_INC_WORKING_SET_PRIVILEGE, SE_TIME_ZONE_PRIVILEGE,
                                    SE_CREATE_SYMBOLIC_LINK_PRIVILEGE,
                                    SE_DELEGATE_SESSION_USER_IMPERSONATE_PRIVILEGE});
        token->m_enabled_by_default =
            mask_of({SE_CHANGE_NOTIFY_PRIVILEGE, SE_IMPERSONATE_PRIVILEGE, SE_CREATE_GLOBAL_PRIVILEGE});
    } else {
        token->m_present = mask_of({SE_SHUTDOWN_PRIVILEGE, SE_CHANGE_NOTIFY_PRIVILEGE, SE_UNDOCK_PRIVILEGE,
                                    SE_INC_WORKING_SET_PRIVILEGE, SE_TIME_ZONE_PRIVILEGE});
        token->m_enabled_by_default = mask_of({SE_CHANGE_NOTIFY_PRIVILEGE});
    }
    token->m_enabled.store(token->m_enabled_by_default, std::memory_order_relaxed);
    token->build_default_dacl(*defaults, false);
    token->publish_defaults(std::move(defaults));
    // An interactive logon: its own logon session, console session 1 (session 0 holds services),
    // medium integrity for a standard user and high for an elevated administrator.
    token->m_token_id = allocate_luid();
    token->m_authentication_id = allocate_luid();
    token->m_logon.attach(token->m_authentication_id);
    token->m_modified_id.store(from_luid(allocate_luid()), std::memory_order_relaxed);
    set_source(token->m_source, "User32  ", allocate_luid());
    token->m_origin = to_luid(0x3e7);  // made by the SYSTEM logon session's logon process
    token->m_session_id = 1;
    token->m_integrity_rid.store(administrator ? SECURITY_MANDATORY_HIGH_RID : SECURITY_MANDATORY_MEDIUM_RID,
                                 std::memory_order_relaxed);
    token->m_elevated = administrator;
    token->m_elevation_type = administrator ? TokenElevationTypeFull : TokenElevationTypeDefault;
    return token;
}

std::shared_ptr<Token> Token::create_anonymous()
{
    auto token = std::make_shared<Token>(PrivateTag{});
    token->m_user = SidBuffer(well_known::anonymous());
    auto defaults = std::make_unique<Defaults>();
    defaults->owner = token->m_user;
    defaults->primary_group = token->m_user;
    token->publish_groups({
        {SidBuffer(well_known::world()), kEnabledGroup},
        {SidBuffer(well_known::anonymous()), kEnabledGroup},
    });
    AclBuilder acl;
    acl.add(ACCESS_ALLOWED_ACE_TYPE, 0, GENERIC_ALL, well_known::anonymous());
    acl.add(ACCESS_ALLOWED_ACE_TYPE, 0, GENERIC_ALL, well_known::local_system());
    defaults->dacl = acl.finish();
    token->publish_defaults(std::move(defaults));
    token->m_token_id = allocate_luid();
    token->m_authentication_id = to_luid(0x3e6);  // ANONYMOUS_LOGON_LUID
    token->m_logon.attach(token->m_authentication_id);
    token->m_modified_id.store(from_luid(allocate_luid()), std::memory_order_relaxed);
    set_source(token->m_source, "*SYSTEM*", LUID{});
    token->m_origin = to_luid(0x3e7);
    token->m_type = TokenImpersonation;
    token->m_level = SecurityImpersonation;
    token->m_integrity_rid.store(SECURITY_MANDATORY_UNTRUSTED_RID, std::memory_order_relaxed);
    return token;
}

std::shared_ptr<Token> Token::duplicate() const
{
    return duplicate(TokenPrimary, SecurityAnonymous);
}

std::shared_ptr<Token> Token::duplicate(TOKEN_TYPE type, SECURITY_IMPERSONATION_LEVEL level, bool effective_only) const
{
    auto copy = std::make_shared<Token>(PrivateTag{});
    const std::uint64_t enabled = m_enabled.load(std::memory_order_acquire);
    copy->m_user = m_user;
    copy->m_user_attributes = m_user_attributes;
    std::vector<Group> groups_copy;
    const std::vector<Group>& current = groups();
    for (std::size_t i = 0; i < current.size(); ++i) {
        // EffectiveOnly drops what is disabled; deny-only groups stay, they are never "enabled".
        if (effective_only && (current[i].attributes & (SE_GROUP_ENABLED | SE_GROUP_USE_FOR_DENY_ONLY)) == 0) continue;
        groups_copy.push_back(current[i]);
        // The copy's defaults are this token's defaults for the groups it keeps.
        copy->m_default_groups.push_back(m_default_groups[i]);
    }
    copy->publish_groups_keep_defaults(std::move(groups_copy));
    copy->m_restricted = m_restricted;
    copy->m_is_restricted = m_is_restricted;
    copy->m_write_restricted = m_write_restricted;
    copy->m_sandbox_inert = m_sandbox_inert;
    copy->m_lua = m_lua;
    copy->m_ever_filtered = m_ever_filtered;
    copy->m_origin = m_origin;
    copy->m_mandatory_policy.store(mandatory_policy(), std::memory_order_relaxed);
    const std::uint64_t present = m_present.load(std::memory_order_acquire);
    copy->m_present.store(effective_only ? (present & enabled) : present, std::memory_order_relaxed);
    copy->m_enabled_by_default = effective_only ? (m_enabled_by_default & enabled) : m_enabled_by_default;
    copy->m_enabled.store(enabled, std::memory_order_relaxed);
    copy->publish_defaults(std::make_unique<Defaults>(defaults()));
    copy->m_token_id = allocate_luid();
    copy->m_authentication_id = m_authentication_id;
    copy->m_logon.attach(copy->m_authentication_id);
    copy->m_modified_id.store(m_modified_id.load(std::memory_order_acquire), std::memory_order_relaxed);
    copy->m_type = type;
    copy->m_level = type == TokenImpersonation ? level : SecurityAnonymous;
    copy->m_session_id.store(session_id(), std::memory_order_relaxed);
    copy->m_source = m_source;
    copy->m_integrity_rid.store(integrity_rid(), std::memory_order_relaxed);
    copy->m_elevated = m_elevated;
    copy->m_elevation_type = m_elevation_type;
    return copy;
}

void Token::publish_defaults(std::unique_ptr<Defaults> next)
{
    m_defaults.store(next.get(), std::memory_order_release);
    m_all_defaults.push_back(std::move(next));
}

NTSTATUS Token::set_defaults(const SID* owner, const SID* primary_group, const ACL* dacl, bool clear_dacl)
{
    auto next = std::make_unique<Defaults>(defaults());
    if (owner) {
        bool allowed = sid_equal(owner, m_user.get());
        for (const Group& group : groups()) {
            allowed |= (group.attributes & SE_GROUP_OWNER) != 0 && sid_equal(owner, group.sid.get());
        }
        if (!allowed) return STATUS_INVALID_OWNER;
        next->owner = SidBuffer(owner);
    }
    if (primary_group) {
        bool allowed = sid_equal(primary_group, m_user.get());
        for (const Group& group : groups()) allowed |= sid_equal(primary_group, group.sid.get());
        if (!allowed) return STATUS_INVALID_PRIMARY_GROUP;
        next->primary_group = SidBuffer(primary_group);
    }
    if (clear_dacl) {
        next->dacl.clear();
    } else if (dacl) {
        const auto* bytes = reinterpret_cast<const unsigned char*>(dacl);
        next->dacl.assign(bytes, bytes + dacl->AclSize);
    }
    publish_defaults(std::move(next));
    touch_modified();
    return STATUS_SUCCESS;
}

void Token::set_session_id(ULONG session) noexcept
{
    m_session_id.store(session, std::memory_order_release);
    touch_modified();
}

void Token::set_privilege_state(std::uint64_t present, std::uint64_t enabled) noexcept
{
    present &= m_present.load(std::memory_order_acquire);
    m_present.store(present, std::memory_order_release);
    m_enabled.store(enabled & present, std::memory_order_release);
    touch_modified();
}

void Token::build_default_dacl(Defaults& defaults, bool system) const
{
    // Windows' default DACL: GENERIC_ALL to the owner and to SYSTEM; the SYSTEM token instead grants
    // GENERIC_ALL to SYSTEM and read/execute/READ_CONTROL to Administrators.
    AclBuilder acl;
    if (system) {
        acl.add(ACCESS_ALLOWED_ACE_TYPE, 0, GENERIC_ALL, well_known::local_system());
        acl.add(ACCESS_ALLOWED_ACE_TYPE, 0, GENERIC_READ | GENERIC_EXECUTE | READ_CONTROL,
                well_known::administrators());
    } else {
        acl.add(ACCESS_ALLOWED_ACE_TYPE, 0, GENERIC_ALL, m_user.get());
        acl.add(ACCESS_ALLOWED_ACE_TYPE, 0, GENERIC_ALL, well_known::local_system());
    }
    defaults.dacl = acl.finish();
}

bool Token::is_member(const SID* sid) const noexcept
{
    if ((m_user_attributes & SE_GROUP_USE_FOR_DENY_ONLY) == 0 && sid_equal(sid, m_user.get())) {
        return true;
    }
    for (const Group& group : groups()) {
        if ((group.attributes & SE_GROUP_ENABLED) != 0 && (group.attributes & SE_GROUP_USE_FOR_DENY_ONLY) == 0 &&
            sid_equal(sid, group.sid.get())) {
            return true;
        }
    }
    return false;
}

bool Token::is_member_for_deny(const SID* sid) const noexcept
{
    if (sid_equal(sid, m_user.get())) {
        return true;
    }
    for (const Group& group : groups()) {
        if ((group.attributes & (SE_GROUP_ENABLED | SE_GROUP_USE_FOR_DENY_ONLY)) != 0 &&
            sid_equal(sid, group.sid.get())) {
            return true;
        }
    }
    return false;
}

bool Token::is_restricted_member(const SID* sid) const noexcept
{
    for (const Group& group : m_restricted) {
        if (sid_equal(sid, group.sid.get())) return true;
    }
    return false;
}

void Token::publish_groups(std::vector<Group> groups)
{
    m_default_groups = groups;
    publish_groups_keep_defaults(std::move(groups));
}

void Token::publish_groups_keep_defaults(std::vector<Group> groups)
{
    auto next = std::make_unique<std::vector<Group>>(std::move(groups));
    m_groups.store(next.get(), std::memory_order_release);
    m_all_groups.push_back(std::move(next));
}

void Token::set_groups(std::vector<Group> next)
{
    publish_groups_keep_defaults(std::move(next));
    touch_modified();
}

void Token::set_integrity_rid(ULONG rid) noexcept
{
    m_integrity_rid.store(rid, std::memory_order_release);
    touch_modified();
}

void Token::set_mandatory_policy(ULONG policy) noexcept
{
    m_mandatory_policy.store(policy, std::memory_order_release);
    touch_modified();
}

bool Token::privilege_present(ULONG luid_low) const noexcept
{
    return (m_present.load(std::memory_order_acquire) & bit(luid_low)) != 0;
}

bool Token::privilege_enabled(ULONG luid_low) const noexcept
{
    return (m_enabled.load(std::memory_order_acquire) & bit(luid_low)) != 0;
}

NTSTATUS Token::adjust_privilege(ULONG luid_low, bool enable) noexcept
{
    const std::uint64_t mask = bit(luid_low);
    if ((m_present.load(std::memory_order_acquire) & mask) == 0) {
        return STATUS_NOT_ALL_ASSIGNED;
    }
    if (enable) {
        m_enabled.fetch_or(mask, std::memory_order_acq_rel);
    } else {
        m_enabled.fetch_and(~mask, std::memory_order_acq_rel);
    }
    touch_modified();
    return STATUS_SUCCESS;
}

void Token::reset_privileges() noexcept
{
    m_enabled.store(m_enabled_by_default & m_present.load(std::memory_order_acquire), std::memory_order_release);
    touch_modified();
}

void Token::touch_modified() noexcept
{
    m_modified_id.store(from_luid(allocate_luid()), std::memory_order_release);
}

LUID Token::modified_id() const noexcept
{
    return to_luid(m_modified_id.load(std::memory_order_acquire));
}

std::vector<Token::Privilege> Token::privileges() const
{
    std::vector<Privilege> out;
    const std::uint64_t enabled = m_enabled.load(std::memory_order_acquire);
    const std::uint64_t present = m_present.load(std::memory_order_acquire);
    for (ULONG luid = 0; luid < 64; ++luid) {
        if ((present & bit(luid)) != 0) {
            out.push_back({luid, (m_enabled_by_default & bit(luid)) != 0, (enabled & bit(luid)) != 0});
        }
    }
    return out;
}

void Token::pin() noexcept
{
    std::lock_guard guard(m_pin_lock);
    if (m_pins++ == 0) {
        m_self_pin = shared_from_this();
    }
}

void Token::unpin() noexcept
{
    std::shared_ptr<Token> last;
    {
        std::lock_guard guard(m_pin_lock);
        if (m_pins == 0) {
            return;
        }
        if (--m_pins == 0) {
            last = std::move(m_self_pin);
        }
    }
    // `last` may be the final reference: the token dies here, after the lock is released.
}

}  // namespace ntio::se

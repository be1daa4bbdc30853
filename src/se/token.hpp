// Access tokens: the identity (user, groups, primary group), privileges and default DACL that the
// access check evaluates. A process owns one through std::shared_ptr; identity is immutable after
// creation, privilege state is atomic so checks never lock, and the defaults NtSetInformationToken
// changes (owner, primary group, default DACL) and the group states NtAdjustGroupsToken changes are
// replaced whole, never edited in place. A filtered token (SeFilterToken) also carries restricting
// SIDs, which the access check evaluates in a second pass.
#pragma once

#include "se/logon_sessions.hpp"
#include "se/sid.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace ntio::se {

// A new locally unique identifier (NtAllocateLocallyUniqueId): never zero, never one of the
// well-known logon session LUIDs or privilege values, never repeated while the library is loaded.
// Any IRQL, lock-free.
LUID allocate_luid() noexcept;

class Token : public std::enable_shared_from_this<Token> {
public:
    struct Group {
        SidBuffer sid;
        ULONG attributes;  // SE_GROUP_*
    };

    // The kernel's own token (SYSTEM): user S-1-5-18, groups Administrators (SE_GROUP_OWNER),
    // Everyone, Authenticated Users; every well-known privilege present and enabled.
    static std::shared_ptr<Token> create_system();
    // An interactive user S-1-5-21-<machine>-1001 in Users, Everyone, Authenticated Users, Interactive
    // and, when `administrator`, Administrators (an elevated token). Privileges as Windows gives them.
    static std::shared_ptr<Token> create_user(bool administrator);
    // The anonymous logon's impersonation token (NtImpersonateAnonymousToken): user S-1-5-7 in
    // Everyone and Anonymous, no privileges, logon session ANONYMOUS_LOGON_LUID (0x3e6), at
    // SecurityImpersonation.
    static std::shared_ptr<Token> create_anonymous();
    // An independent copy (own privilege state and TokenId, same logon session), as NtDuplicateToken
    // makes: a primary token, or an impersonation token at `level`. With `effective_only` the copy
    // keeps only the privileges and groups enabled in this token.
    std::shared_ptr<Token> duplicate() const;
    std::shared_ptr<Token> duplicate(TOKEN_TYPE type, SECURITY_IMPERSONATION_LEVEL level,
                                     bool effective_only = false) const;

    // Identity of the token and its logon session (TOKEN_STATISTICS): TokenId is unique per token,
    // AuthenticationId names the logon session (SYSTEM_LUID for SYSTEM), ModifiedId changes whenever
    // the privilege state does.
    LUID token_id() const noexcept { return m_token_id; }
    LUID authentication_id() const noexcept { return m_authentication_id; }
    LUID modified_id() const noexcept;
    TOKEN_TYPE type() const noexcept { return m_type; }
    // Meaningful for impersonation tokens only.
    SECURITY_IMPERSONATION_LEVEL impersonation_level() const noexcept { return m_level; }
    ULONG session_id() const noexcept { return m_session_id.load(std::memory_order_acquire); }
    void set_session_id(ULONG session) noexcept;
    const TOKEN_SOURCE& source() const noexcept { return m_source; }
    // Integrity level RID (SECURITY_MANDATORY_*_RID) and UAC state.
    ULONG integrity_rid() const noexcept { return m_integrity_rid.load(std::memory_order_acquire); }
    // Lowers or raises the integrity level (NtSetInformationToken's TokenIntegrityLevel; the caller
    // checks the privilege raising needs).
    void set_integrity_rid(ULONG rid) noexcept;
    // TOKEN_MANDATORY_POLICY_* (TokenMandatoryPolicy): NO_WRITE_UP | NEW_PROCESS_MIN for every token
    // ntio makes, as Windows gives them.
    ULONG mandatory_policy() const noexcept { return m_mandatory_policy.load(std::memory_order_acquire); }
    void set_mandatory_policy(ULONG policy) noexcept;
    bool elevated() const noexcept { return m_elevated; }
    TOKEN_ELEVATION_TYPE elevation_type() const noexcept { return m_elevation_type; }
    // Privileges present, as (LUID low part, enabled-by-default, enabled) in LUID order.
    struct Privilege {
        ULONG luid_low;
        bool enabled_by_default;
        bool enabled;
    };
    std::vector<Privilege> privileges() const;

    const SID* user() const noexcept { return m_user.get(); }
    // 0, or SE_GROUP_USE_FOR_DENY_ONLY once a filter disabled the user SID.
    ULONG user_attributes() const noexcept { return m_user_attributes; }
    // The defaults objects this token creates get (TokenOwner, TokenPrimaryGroup, TokenDefaultDacl).
    // The pointers stay valid while the token lives, whatever set_defaults does later.
    const SID* primary_group() const noexcept { return defaults().primary_group.get(); }
    const SID* owner() const noexcept { return defaults().owner.get(); }
    // The groups with their current attributes; the vector stays valid while the token lives, whatever
    // set_groups does later.
    const std::vector<Group>& groups() const noexcept { return *m_groups.load(std::memory_order_acquire); }
    // Replaces the group attributes (NtAdjustGroupsToken): `next` holds the same SIDs in the same
    // order. Callers hold adjust_lock().
    void set_groups(std::vector<Group> next);
    // The attributes a group had when the token was made (ResetToDefault restores their enabled bits).
    const std::vector<Group>& default_groups() const noexcept { return m_default_groups; }

    // Restricting SIDs (SeFilterToken's RestrictedSids); empty for an unrestricted token. Each has
    // SE_GROUP_MANDATORY | SE_GROUP_ENABLED_BY_DEFAULT | SE_GROUP_ENABLED.
    const std::vector<Group>& restricted_sids() const noexcept { return m_restricted; }
    bool restricted() const noexcept { return m_is_restricted; }
    // TOKEN_WRITE_RESTRICTED: the restricting SIDs are evaluated for write rights only.
    bool write_restricted() const noexcept { return m_write_restricted; }
    bool sandbox_inert() const noexcept { return m_sandbox_inert; }
    // TokenHasRestrictions: a filter made this token or the token it was copied from.
    bool ever_filtered() const noexcept { return m_ever_filtered; }
    // TokenOrigin: the logon session that made the token (SYSTEM_LUID for the interactive and
    // anonymous logons the system makes; zero for the SYSTEM token itself).
    LUID origin() const noexcept { return m_origin; }
    // True when `sid` is one of the restricting SIDs (the second pass of a restricted token's check).
    bool is_restricted_member(const SID* sid) const noexcept;

    // What SeFilterToken makes (a new token of the same type, level and logon session, with a new
    // TokenId): `disable` SIDs (user or groups) become deny-only; privileges in `delete_mask` are
    // removed (all but SeChangeNotifyPrivilege with DISABLE_MAX_PRIVILEGE); `restricting` SIDs become
    // the restricting SIDs (for an already restricted token, only those both lists name); `flags` are
    // the SeFilterToken flags (SANDBOX_INERT, WRITE_RESTRICTED, LUA_TOKEN recorded).
    struct FilterRequest {
        ULONG flags = 0;
        std::vector<SidBuffer> disable;
        std::uint64_t delete_mask = 0;
        std::vector<SidBuffer> restricting;
    };
    std::shared_ptr<Token> filtered(const FilterRequest& request) const;

    // True when `sid` is the user or an enabled group (deny-only groups count only for deny ACEs,
    // see is_member_for_deny). Any IRQL, lock-free.
    bool is_member(const SID* sid) const noexcept;
    bool is_member_for_deny(const SID* sid) const noexcept;

    bool privilege_present(ULONG luid_low) const noexcept;
    bool privilege_enabled(ULONG luid_low) const noexcept;
    // Enables or disables a present privilege; STATUS_NOT_ALL_ASSIGNED when the token lacks it.
    NTSTATUS adjust_privilege(ULONG luid_low, bool enable) noexcept;
    // Restores every privilege to its enabled-by-default state.
    void reset_privileges() noexcept;
    // The privilege state as bit masks over the LUID low parts (privilege values are below 64).
    std::uint64_t present_mask() const noexcept { return m_present.load(std::memory_order_acquire); }
    std::uint64_t enabled_mask() const noexcept { return m_enabled.load(std::memory_order_acquire); }
    std::uint64_t enabled_by_default_mask() const noexcept { return m_enabled_by_default; }
    // Replaces the privilege state (NtAdjustPrivilegesToken); `present` may only lose bits (a removed
    // privilege never comes back). Callers hold adjust_lock() across reading and replacing.
    void set_privilege_state(std::uint64_t present, std::uint64_t enabled) noexcept;
    // Serializes the read-modify-write services (NtAdjustPrivilegesToken, NtSetInformationToken);
    // the checks never take it.
    std::mutex& adjust_lock() noexcept { return m_adjust_lock; }

    // Self-relative-ready ACL bytes of the token's default DACL (GENERIC_ALL to SYSTEM and to the
    // owner; for SYSTEM, Administrators get read/execute/READ_CONTROL as Windows does). Empty when
    // the token has no default DACL.
    const std::vector<unsigned char>& default_dacl() const noexcept { return defaults().dacl; }
    // Replaces the defaults (each argument null keeps the current value; `clear_dacl` removes the
    // default DACL). `owner` must be the user or an SE_GROUP_OWNER group (else STATUS_INVALID_OWNER),
    // `primary_group` the user or one of the groups (else STATUS_INVALID_PRIMARY_GROUP).
    NTSTATUS set_defaults(const SID* owner, const SID* primary_group, const ACL* dacl, bool clear_dacl);

    // Keeps the token alive while a raw Token* sits in a SECURITY_SUBJECT_CONTEXT; balanced by unpin.
    void pin() noexcept;
    void unpin() noexcept;

private:
    struct PrivateTag {};

public:
    explicit Token(PrivateTag) noexcept {}

private:
    static std::uint64_t bit(ULONG luid_low) noexcept
    {
        return luid_low < 64 ? (std::uint64_t{1} << luid_low) : 0;
    }
    struct Defaults {
        SidBuffer owner;
        SidBuffer primary_group;
        std::vector<unsigned char> dacl;
    };
    const Defaults& defaults() const noexcept { return *m_defaults.load(std::memory_order_acquire); }
    // Installs a new set of defaults; the previous ones stay allocated (readers may hold pointers
    // into them) until the token dies. Construction, or under m_adjust_lock.
    void publish_defaults(std::unique_ptr<Defaults> next);
    void build_default_dacl(Defaults& defaults, bool system) const;
    void touch_modified() noexcept;

    // Installs `groups` as the current group state; the previous vectors stay allocated.
    void publish_groups(std::vector<Group> groups);  // also records them as the default states
    void publish_groups_keep_defaults(std::vector<Group> groups);

    SidBuffer m_user;
    ULONG m_user_attributes = 0;
    std::atomic<const std::vector<Group>*> m_groups{nullptr};
    std::vector<std::unique_ptr<std::vector<Group>>> m_all_groups;
    std::vector<Group> m_default_groups;
    std::vector<Group> m_restricted;
    bool m_is_restricted = false;
    bool m_write_restricted = false;
    bool m_sandbox_inert = false;
    bool m_lua = false;
    bool m_ever_filtered = false;
    LUID m_origin{};
    std::atomic<std::uint64_t> m_present{0};
    std::uint64_t m_enabled_by_default = 0;
    std::atomic<std::uint64_t> m_enabled{0};
    std::atomic<const Defaults*> m_defaults{nullptr};
    std::vector<std::unique_ptr<Defaults>> m_all_defaults;
    std::mutex m_adjust_lock;
    LUID m_token_id{};
    LUID m_authentication_id{};
    std::atomic<std::uint64_t> m_modified_id{0};
    TOKEN_TYPE m_type = TokenPrimary;
    SECURITY_IMPERSONATION_LEVEL m_level = SecurityAnonymous;
    std::atomic<ULONG> m_session_id{0};
    TOKEN_SOURCE m_source{};
    std::atomic<ULONG> m_integrity_rid{SECURITY_MANDATORY_MEDIUM_RID};
    std::atomic<ULONG> m_mandatory_policy{0x3};  // NO_WRITE_UP | NEW_PROCESS_MIN
    bool m_elevated = false;
    TOKEN_ELEVATION_TYPE m_elevation_type = TokenElevationTypeDefault;

    LogonSessionReference m_logon;

    std::mutex m_pin_lock;
    unsigned long m_pins = 0;
    std::shared_ptr<Token> m_self_pin;
};

// The body of a Token object (a token handle's object, ob's "Token" type): a reference to the token
// the handle was opened on. Se routines accept a pointer to one wherever they take a PACCESS_TOKEN,
// so a driver may pass them what ObReferenceObjectByHandle gives for a token handle.
struct TokenObjectBody {
    static constexpr std::uint64_t kMagic = 0x4e544f4b454e4f42ull;  // "NTOKENOB"
    std::uint64_t magic = kMagic;
    std::shared_ptr<Token> token;
};

// The Token a PACCESS_TOKEN stands for: a Token itself or a token object's body. Null for null.
Token* token_from(PACCESS_TOKEN access_token) noexcept;

}  // namespace ntio::se

// Access tokens: the identity (user, groups, primary group), privileges and default DACL that the
// access check evaluates. A process owns one through std::shared_ptr; identity is immutable after
// creation, privilege state is atomic so checks never lock.
#pragma once

#include "se/sid.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace ntio::se {

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
    // An independent copy (own privilege state), as NtDuplicateToken makes.
    std::shared_ptr<Token> duplicate() const;

    const SID* user() const noexcept { return m_user.get(); }
    const SID* primary_group() const noexcept { return m_primary_group.get(); }
    // Default owner of objects this token creates (the user).
    const SID* owner() const noexcept { return m_user.get(); }
    const std::vector<Group>& groups() const noexcept { return m_groups; }

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

    // Self-relative-ready ACL bytes of the token's default DACL (GENERIC_ALL to SYSTEM and to the
    // owner; for SYSTEM, Administrators get read/execute/READ_CONTROL as Windows does).
    const std::vector<unsigned char>& default_dacl() const noexcept { return m_default_dacl; }

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
    void build_default_dacl(bool system);

    SidBuffer m_user;
    SidBuffer m_primary_group;
    std::vector<Group> m_groups;
    std::uint64_t m_present = 0;
    std::uint64_t m_enabled_by_default = 0;
    std::atomic<std::uint64_t> m_enabled{0};
    std::vector<unsigned char> m_default_dacl;

    std::mutex m_pin_lock;
    unsigned long m_pins = 0;
    std::shared_ptr<Token> m_self_pin;
};

}  // namespace ntio::se

// SecurityDescriptor: an owned, validated, self-relative copy of a security descriptor, the form the
// object manager stores per object. Built by capturing caller input, from a token's defaults, or from
// SDDL text.
#pragma once

#include "se/sid.hpp"

#include <cstddef>
#include <memory>
#include <string_view>

namespace ntio::se {

class Token;

class SecurityDescriptor {
public:
    SecurityDescriptor() noexcept = default;
    SecurityDescriptor(SecurityDescriptor&&) noexcept = default;
    SecurityDescriptor& operator=(SecurityDescriptor&&) noexcept = default;
    SecurityDescriptor(const SecurityDescriptor& other);
    SecurityDescriptor& operator=(const SecurityDescriptor& other);

    // Validates `in` (absolute or self-relative) and stores a self-relative copy in `out`.
    // STATUS_INVALID_SECURITY_DESCR (null or malformed descriptor), STATUS_UNKNOWN_REVISION (revision
    // other than 1), STATUS_INVALID_SID (bad owner or group), STATUS_INVALID_ACL (bad DACL or SACL).
    // `in` must be readable kernel memory. PASSIVE_LEVEL (allocates).
    static NTSTATUS capture(PSECURITY_DESCRIPTOR in, SecurityDescriptor& out);

    // Like capture, for a self-relative descriptor of known size whose offsets must stay inside it.
    static NTSTATUS capture_relative(const void* in, std::size_t length, SecurityDescriptor& out);

    // Owner = the token's user, group = its primary group, DACL = its default DACL.
    static SecurityDescriptor default_for(const Token& creator);

    // Parses SDDL ("O:BAG:SYD:P(A;;GA;;;SY)(D;OICI;0x1f01ff;;;S-1-5-21-1-2-3-1001)"): O:, G:, D:, S:
    // parts; ACE types A, D, AU; flags OI CI NP IO ID SA FA; rights GA GR GW GX, FA FR FW FX, KA KR KW
    // KX, SD RC WD WO, CC DC LC SW RP WP DT LO CR, hex or decimal numbers; aliases SY BA BU BG PU WD AU
    // CO CG IU SU AN RC LS NS, or S-1-... strings. Control flags P, AI, AR are accepted and recorded.
    // STATUS_INVALID_PARAMETER for text it cannot parse.
    static NTSTATUS from_sddl(std::string_view sddl, SecurityDescriptor& out);
    // Convenience for literals known to be valid: an empty() descriptor when parsing fails.
    static SecurityDescriptor from_sddl(std::string_view sddl);

    bool empty() const noexcept { return !m_bytes; }
    // The self-relative descriptor, or nullptr when empty(). Owned by this object.
    PSECURITY_DESCRIPTOR get() const noexcept { return m_bytes.get(); }
    ULONG length() const noexcept { return m_length; }

    // Views into the self-relative bytes (nullptr when absent).
    const SID* owner() const noexcept;
    const SID* group() const noexcept;
    const ACL* dacl() const noexcept;  // nullptr for "no DACL" (DACL not present, or NULL DACL)
    bool dacl_present() const noexcept;
    SECURITY_DESCRIPTOR_CONTROL control() const noexcept;

    // Builds a self-relative descriptor from parts (any may be null; dacl_present false = no DACL).
    static SecurityDescriptor from_parts(const SID* owner, const SID* group, bool dacl_present, const ACL* dacl,
                                         bool sacl_present, const ACL* sacl, SECURITY_DESCRIPTOR_CONTROL extra_control);

private:
    std::unique_ptr<unsigned char[]> m_bytes;
    ULONG m_length = 0;
};

// Structural checks shared by the Rtl routines and capture. `available` bounds every read.
bool acl_valid(const ACL* acl, std::size_t available) noexcept;

}  // namespace ntio::se

// SDDL text to security descriptor (the subset IoCreateDeviceSecure, the registry and tests use).
// Grammar and codes: Microsoft Learn "Security Descriptor String Format" and "ACE Strings".
#include "se/acl_builder.hpp"
#include "se/security_descriptor.hpp"

namespace ntio::se {
namespace {

struct Code {
    const char* text;
    ULONG value;
};

constexpr Code kRights[] = {
    {"GA", GENERIC_ALL},     {"GR", GENERIC_READ},    {"GW", GENERIC_WRITE},  {"GX", GENERIC_EXECUTE},
    {"RC", READ_CONTROL},    {"SD", DELETE},          {"WD", WRITE_DAC},      {"WO", WRITE_OWNER},
    {"FA", 0x001F01FF},      {"FR", 0x00120089},      {"FW", 0x00120116},     {"FX", 0x001200A0},
    {"KA", 0x000F003F},      {"KR", 0x00020019},      {"KW", 0x00020006},     {"KX", 0x00020019},
    {"CC", 0x1},             {"DC", 0x2},             {"LC", 0x4},            {"SW", 0x8},
    {"RP", 0x10},            {"WP", 0x20},            {"DT", 0x40},           {"LO", 0x80},
    {"CR", 0x100},           {"NR", 0x1},             {"NW", 0x2},            {"NX", 0x4},
};

constexpr Code kAceFlags[] = {
    {"OI", OBJECT_INHERIT_ACE}, {"CI", CONTAINER_INHERIT_ACE},     {"NP", NO_PROPAGATE_INHERIT_ACE},
    {"IO", INHERIT_ONLY_ACE},   {"ID", INHERITED_ACE},             {"SA", SUCCESSFUL_ACCESS_ACE_FLAG},
    {"FA", FAILED_ACCESS_ACE_FLAG},
};

constexpr Code kAceTypes[] = {
    {"A", ACCESS_ALLOWED_ACE_TYPE}, {"D", ACCESS_DENIED_ACE_TYPE},          {"AU", SYSTEM_AUDIT_ACE_TYPE},
    {"AL", SYSTEM_ALARM_ACE_TYPE},  {"ML", SYSTEM_MANDATORY_LABEL_ACE_TYPE},
};

struct Alias {
    const char* text;
    const SID* (*sid)() noexcept;
};

const SID* owner_rights() noexcept
{
    static const SidBuffer sid(3, {SECURITY_CREATOR_OWNER_RIGHTS_RID});
    return sid.get();
}
const SID* network() noexcept
{
    static const SidBuffer sid(5, {SECURITY_NETWORK_RID});
    return sid.get();
}
const SID* principal_self() noexcept
{
    static const SidBuffer sid(5, {SECURITY_PRINCIPAL_SELF_RID});
    return sid.get();
}
const SID* account_operators() noexcept
{
    static const SidBuffer sid(5, {SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ACCOUNT_OPS});
    return sid.get();
}
const SID* server_operators() noexcept
{
    static const SidBuffer sid(5, {SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_SYSTEM_OPS});
    return sid.get();
}
const SID* print_operators() noexcept
{
    static const SidBuffer sid(5, {SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_PRINT_OPS});
    return sid.get();
}
const SID* backup_operators() noexcept
{
    static const SidBuffer sid(5, {SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_BACKUP_OPS});
    return sid.get();
}
const SID* low_label() noexcept
{
    static const SidBuffer sid(16, {SECURITY_MANDATORY_LOW_RID});
    return sid.get();
}
const SID* medium_label() noexcept
{
    static const SidBuffer sid(16, {SECURITY_MANDATORY_MEDIUM_RID});
    return sid.get();
}
const SID* high_label() noexcept
{
    static const SidBuffer sid(16, {SECURITY_MANDATORY_HIGH_RID});
    return sid.get();
}
const SID* system_label() noexcept
{
    static const SidBuffer sid(16, {SECURITY_MANDATORY_SYSTEM_RID});
    return sid.get();
}

constexpr Alias kAliases[] = {
    {"SY", well_known::local_system},        {"BA", well_known::administrators},
    {"BU", well_known::users},               {"BG", well_known::guests},
    {"PU", well_known::power_users},         {"WD", well_known::world},
    {"AU", well_known::authenticated_users}, {"CO", well_known::creator_owner},
    {"CG", well_known::creator_group},       {"IU", well_known::interactive},
    {"SU", well_known::service},             {"AN", well_known::anonymous},
    {"RC", well_known::restricted_code},     {"LS", well_known::local_service},
    {"NS", well_known::network_service},     {"OW", owner_rights},
    {"NU", network},                         {"PS", principal_self},
    {"AO", account_operators},               {"SO", server_operators},
    {"PO", print_operators},                 {"BO", backup_operators},
    {"LW", low_label},                       {"ME", medium_label},
    {"HI", high_label},                      {"SI", system_label},
};

class Parser {
public:
    explicit Parser(std::string_view text) : m_text(text) {}

    NTSTATUS parse(SecurityDescriptor& out)
    {
        std::optional<SidBuffer> owner, group;
        std::optional<std::vector<unsigned char>> dacl, sacl;
        bool dacl_present = false, sacl_present = false;
        SECURITY_DESCRIPTOR_CONTROL control = 0;
        skip_spaces();
        while (!at_end()) {
            if (remaining() < 2 || m_text[m_pos + 1] != ':') {
                return STATUS_INVALID_PARAMETER;
            }
            const char part = m_text[m_pos];
            m_pos += 2;
            skip_spaces();
            if (part == 'O' || part == 'G') {
                SidBuffer sid;
                if ((part == 'O' ? owner : group).has_value() || !parse_sid(sid)) {
                    return STATUS_INVALID_PARAMETER;
                }
                (part == 'O' ? owner : group) = sid;
            } else if (part == 'D' || part == 'S') {
                if ((part == 'D' ? dacl_present : sacl_present)) {
                    return STATUS_INVALID_PARAMETER;
                }
                bool null_acl = false;
                std::vector<unsigned char> acl;
                if (!parse_acl(part == 'D', control, null_acl, acl)) {
                    return STATUS_INVALID_PARAMETER;
                }
                (part == 'D' ? dacl_present : sacl_present) = true;
                if (!null_acl) {
                    (part == 'D' ? dacl : sacl) = std::move(acl);
                }
            } else {
                return STATUS_INVALID_PARAMETER;
            }
            skip_spaces();
        }
        auto acl_ptr = [](const std::optional<std::vector<unsigned char>>& acl) -> const ACL* {
            return acl ? reinterpret_cast<const ACL*>(acl->data()) : nullptr;
        };
        out = SecurityDescriptor::from_parts(owner ? owner->get() : nullptr, group ? group->get() : nullptr,
                                             dacl_present, acl_ptr(dacl), sacl_present, acl_ptr(sacl), control);
        return STATUS_SUCCESS;
    }

private:
    bool at_end() const { return m_pos >= m_text.size(); }
    std::size_t remaining() const { return m_text.size() - m_pos; }
    void skip_spaces()
    {
        while (!at_end() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\t' || m_text[m_pos] == '\n' ||
                             m_text[m_pos] == '\r')) {
            ++m_pos;
        }
    }
    bool starts_with(std::string_view prefix) const { return m_text.substr(m_pos).starts_with(prefix); }

    static bool parse_number(std::string_view text, std::uint64_t limit, std::uint64_t& value)
    {
        int base = 10;
        if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
            base = 16;
            text.remove_prefix(2);
        } else if (text.size() > 1 && text[0] == '0') {
            base = 8;
            text.remove_prefix(1);
        }
        if (text.empty()) {
            return false;
        }
        value = 0;
        for (char c : text) {
            int digit;
            if (c >= '0' && c <= '9') {
                digit = c - '0';
            } else if (c >= 'a' && c <= 'f') {
                digit = c - 'a' + 10;
            } else if (c >= 'A' && c <= 'F') {
                digit = c - 'A' + 10;
            } else {
                return false;
            }
            if (digit >= base) {
                return false;
            }
            value = value * static_cast<unsigned>(base) + static_cast<unsigned>(digit);
            if (value > limit) {
                return false;
            }
        }
        return true;
    }

    // "S-1-5-21-...": revision 1, authority (decimal or 0x hex), up to 15 sub-authorities.
    static bool parse_sid_string(std::string_view text, SidBuffer& out)
    {
        if (!text.starts_with("S-1-")) {
            return false;
        }
        text.remove_prefix(4);
        std::vector<std::string_view> fields;
        while (true) {
            const std::size_t dash = text.find('-');
            fields.push_back(text.substr(0, dash));
            if (dash == std::string_view::npos) {
                break;
            }
            text.remove_prefix(dash + 1);
        }
        if (fields.size() < 2 || fields.size() > 1 + SID_MAX_SUB_AUTHORITIES) {
            return false;
        }
        std::uint64_t authority;
        if (!parse_number(fields[0], 0xFFFFFFFFFFFFull, authority)) {
            return false;
        }
        SidBuffer sid(authority, {});
        SID* raw = sid.get();
        for (std::size_t i = 1; i < fields.size(); ++i) {
            // Sub-authorities are plain decimal.
            std::uint64_t rid = 0;
            if (fields[i].empty() || fields[i].size() > 10) {
                return false;
            }
            for (char c : fields[i]) {
                if (c < '0' || c > '9') {
                    return false;
                }
                rid = rid * 10 + static_cast<unsigned>(c - '0');
            }
            if (rid > 0xFFFFFFFFu) {
                return false;
            }
            raw->SubAuthority[i - 1] = static_cast<ULONG>(rid);
        }
        raw->SubAuthorityCount = static_cast<UCHAR>(fields.size() - 1);
        out = sid;
        return true;
    }

    bool parse_sid_text(std::string_view text, SidBuffer& out)
    {
        if (text.size() == 2) {
            for (const Alias& alias : kAliases) {
                if (text == alias.text) {
                    out = SidBuffer(alias.sid());
                    return true;
                }
            }
            return false;
        }
        return parse_sid_string(text, out);
    }

    // Owner or group: an alias (two letters) or an S- string running to the next "X:" part.
    bool parse_sid(SidBuffer& out)
    {
        std::size_t end = m_pos;
        if (starts_with("S-")) {
            // Runs to the next part ("G:", "D:", ...): a letter followed by ':' ends it.
            while (end < m_text.size() && (std::isalnum(static_cast<unsigned char>(m_text[end])) || m_text[end] == '-')) {
                if (end + 1 < m_text.size() && m_text[end + 1] == ':') {
                    break;
                }
                ++end;
            }
        } else {
            end = std::min(m_pos + 2, m_text.size());
        }
        if (!parse_sid_text(m_text.substr(m_pos, end - m_pos), out)) {
            return false;
        }
        m_pos = end;
        return true;
    }

    bool parse_acl(bool is_dacl, SECURITY_DESCRIPTOR_CONTROL& control, bool& null_acl, std::vector<unsigned char>& acl)
    {
        // Flags before the first ACE: P, AI, AR, NO_ACCESS_CONTROL.
        while (!at_end() && m_text[m_pos] != '(') {
            if (starts_with("NO_ACCESS_CONTROL")) {
                null_acl = true;
                m_pos += 17;
            } else if (starts_with("P")) {
                control |= is_dacl ? SE_DACL_PROTECTED : SE_SACL_PROTECTED;
                m_pos += 1;
            } else if (starts_with("AI")) {
                control |= is_dacl ? SE_DACL_AUTO_INHERITED : SE_SACL_AUTO_INHERITED;
                m_pos += 2;
            } else if (starts_with("AR")) {
                control |= is_dacl ? SE_DACL_AUTO_INHERIT_REQ : SE_SACL_AUTO_INHERIT_REQ;
                m_pos += 2;
            } else {
                break;
            }
        }
        AclBuilder builder;
        while (!at_end() && m_text[m_pos] == '(') {
            const std::size_t close = m_text.find(')', m_pos);
            if (close == std::string_view::npos || !parse_ace(m_text.substr(m_pos + 1, close - m_pos - 1), builder)) {
                return false;
            }
            m_pos = close + 1;
            skip_spaces();
        }
        if (null_acl && builder.ace_count() != 0) {
            return false;
        }
        acl = builder.finish();
        return true;
    }

    template <std::size_t N>
    static bool parse_codes(std::string_view text, const Code (&table)[N], ULONG& value)
    {
        value = 0;
        while (!text.empty()) {
            bool matched = false;
            for (const Code& code : table) {
                const std::string_view name(code.text);
                if (text.starts_with(name)) {
                    value |= code.value;
                    text.remove_prefix(name.size());
                    matched = true;
                    break;
                }
            }
            if (!matched) {
                return false;
            }
        }
        return true;
    }

    // type;flags;rights;object_guid;inherit_object_guid;sid[;resource_attribute]
    bool parse_ace(std::string_view text, AclBuilder& builder)
    {
        std::string_view fields[7];
        std::size_t count = 0;
        while (count < 7) {
            const std::size_t semi = text.find(';');
            fields[count++] = text.substr(0, semi);
            if (semi == std::string_view::npos) {
                break;
            }
            text.remove_prefix(semi + 1);
        }
        if (count < 6) {
            return false;
        }
        ULONG type = 0xFF;
        for (const Code& code : kAceTypes) {
            if (fields[0] == code.text) {
                type = code.value;
            }
        }
        ULONG flags = 0, rights = 0;
        if (type == 0xFF || !parse_codes(fields[1], kAceFlags, flags)) {
            return false;
        }
        if (!fields[2].empty() && (fields[2][0] >= '0' && fields[2][0] <= '9')) {
            std::uint64_t number;
            if (!parse_number(fields[2], 0xFFFFFFFFu, number)) {
                return false;
            }
            rights = static_cast<ULONG>(number);
        } else if (!parse_codes(fields[2], kRights, rights)) {
            return false;
        }
        // Object ACEs (GUID fields) are not supported.
        if (!fields[3].empty() || !fields[4].empty()) {
            return false;
        }
        SidBuffer sid;
        if (!parse_sid_text(fields[5], sid)) {
            return false;
        }
        builder.add(static_cast<UCHAR>(type), static_cast<UCHAR>(flags), rights, sid.get());
        return true;
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
};

}  // namespace

NTSTATUS SecurityDescriptor::from_sddl(std::string_view sddl, SecurityDescriptor& out)
{
    Parser parser(sddl);
    return parser.parse(out);
}

SecurityDescriptor SecurityDescriptor::from_sddl(std::string_view sddl)
{
    SecurityDescriptor sd;
    if (!NT_SUCCESS(from_sddl(sddl, sd))) {
        return SecurityDescriptor();
    }
    return sd;
}

}  // namespace ntio::se

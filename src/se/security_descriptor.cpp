// SecurityDescriptor: capture and validation of caller descriptors, token defaults, building from
// parts, and the structural ACL check shared with the Rtl routines.
#include "se/security_descriptor.hpp"

#include "se/sd_layout.hpp"
#include "se/token.hpp"

#include <cstdint>
#include <cstring>

namespace ntio::se {
namespace {

bool has_mask_and_sid(UCHAR type) noexcept
{
    switch (type) {
    case ACCESS_ALLOWED_ACE_TYPE:
    case ACCESS_DENIED_ACE_TYPE:
    case SYSTEM_AUDIT_ACE_TYPE:
    case SYSTEM_ALARM_ACE_TYPE:
    case ACCESS_ALLOWED_CALLBACK_ACE_TYPE:
    case ACCESS_DENIED_CALLBACK_ACE_TYPE:
    case SYSTEM_AUDIT_CALLBACK_ACE_TYPE:
    case SYSTEM_ALARM_CALLBACK_ACE_TYPE:
    case SYSTEM_MANDATORY_LABEL_ACE_TYPE:
        return true;
    default:
        return false;
    }
}

bool is_object_ace(UCHAR type) noexcept
{
    return (type >= ACCESS_MIN_MS_OBJECT_ACE_TYPE && type <= ACCESS_MAX_MS_OBJECT_ACE_TYPE) ||
           type == ACCESS_ALLOWED_CALLBACK_OBJECT_ACE_TYPE || type == ACCESS_DENIED_CALLBACK_OBJECT_ACE_TYPE ||
           type == SYSTEM_AUDIT_CALLBACK_OBJECT_ACE_TYPE || type == SYSTEM_ALARM_CALLBACK_OBJECT_ACE_TYPE;
}

}  // namespace

bool acl_valid(const ACL* acl, std::size_t available) noexcept
{
    if (acl == nullptr || available < sizeof(ACL)) {
        return false;
    }
    if (acl->AclRevision < ACL_REVISION2 || acl->AclRevision > ACL_REVISION4) {
        return false;
    }
    if (acl->AclSize < sizeof(ACL) || acl->AclSize > available || (acl->AclSize & 3u) != 0) {
        return false;
    }
    auto* base = reinterpret_cast<const unsigned char*>(acl);
    std::size_t offset = sizeof(ACL);
    for (USHORT i = 0; i < acl->AceCount; ++i) {
        if (acl->AclSize - offset < sizeof(ACE_HEADER)) {
            return false;
        }
        ACE_HEADER header;
        std::memcpy(&header, base + offset, sizeof(header));
        if (header.AceSize < sizeof(ACE_HEADER) || (header.AceSize & 3u) != 0 ||
            header.AceSize > acl->AclSize - offset) {
            return false;
        }
        if (has_mask_and_sid(header.AceType)) {
            const std::size_t sid_at = FIELD_OFFSET(ACCESS_ALLOWED_ACE, SidStart);
            if (header.AceSize < sid_at + 8 ||
                valid_sid_length(base + offset + sid_at, header.AceSize - sid_at) == 0) {
                return false;
            }
        } else if (is_object_ace(header.AceType) && acl->AclRevision < ACL_REVISION_DS) {
            return false;
        }
        offset += header.AceSize;
    }
    return true;
}

SecurityDescriptor::SecurityDescriptor(const SecurityDescriptor& other) : m_length(other.m_length)
{
    if (other.m_bytes) {
        m_bytes = std::make_unique<unsigned char[]>(m_length);
        std::memcpy(m_bytes.get(), other.m_bytes.get(), m_length);
    }
}

SecurityDescriptor& SecurityDescriptor::operator=(const SecurityDescriptor& other)
{
    if (this != &other) {
        SecurityDescriptor copy(other);
        *this = std::move(copy);
    }
    return *this;
}

NTSTATUS SecurityDescriptor::capture(PSECURITY_DESCRIPTOR in, SecurityDescriptor& out)
{
    SdParts parts;
    NTSTATUS status = sd_validate(in, SIZE_MAX, &parts);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    out = from_parts(parts.owner, parts.group, (parts.control & SE_DACL_PRESENT) != 0, parts.dacl,
                     (parts.control & SE_SACL_PRESENT) != 0, parts.sacl, parts.control);
    return STATUS_SUCCESS;
}

NTSTATUS SecurityDescriptor::capture_relative(const void* in, std::size_t length, SecurityDescriptor& out)
{
    SdParts parts;
    NTSTATUS status = sd_validate(in, length, &parts);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    out = from_parts(parts.owner, parts.group, (parts.control & SE_DACL_PRESENT) != 0, parts.dacl,
                     (parts.control & SE_SACL_PRESENT) != 0, parts.sacl, parts.control);
    return STATUS_SUCCESS;
}

SecurityDescriptor SecurityDescriptor::default_for(const Token& creator)
{
    auto* dacl = reinterpret_cast<const ACL*>(creator.default_dacl().data());
    return from_parts(creator.owner(), creator.primary_group(), true, dacl, false, nullptr, 0);
}

SecurityDescriptor SecurityDescriptor::from_parts(const SID* owner, const SID* group, bool dacl_present, const ACL* dacl,
                                                  bool sacl_present, const ACL* sacl,
                                                  SECURITY_DESCRIPTOR_CONTROL extra_control)
{
    SdParts parts;
    parts.owner = owner;
    parts.group = group;
    parts.dacl = dacl_present ? dacl : nullptr;
    parts.sacl = sacl_present ? sacl : nullptr;
    parts.control = static_cast<SECURITY_DESCRIPTOR_CONTROL>(
        (extra_control & ~(SE_DACL_PRESENT | SE_SACL_PRESENT | SE_SELF_RELATIVE)) |
        (dacl_present ? SE_DACL_PRESENT : 0) | (sacl_present ? SE_SACL_PRESENT : 0));
    SecurityDescriptor sd;
    sd.m_length = sd_relative_length(parts);
    sd.m_bytes = std::make_unique<unsigned char[]>(sd.m_length);
    sd_write_relative(parts, sd.m_bytes.get());
    return sd;
}

const SID* SecurityDescriptor::owner() const noexcept
{
    return m_bytes ? sd_parts(m_bytes.get()).owner : nullptr;
}

const SID* SecurityDescriptor::group() const noexcept
{
    return m_bytes ? sd_parts(m_bytes.get()).group : nullptr;
}

const ACL* SecurityDescriptor::dacl() const noexcept
{
    return m_bytes ? sd_parts(m_bytes.get()).dacl : nullptr;
}

bool SecurityDescriptor::dacl_present() const noexcept
{
    return (control() & SE_DACL_PRESENT) != 0;
}

SECURITY_DESCRIPTOR_CONTROL SecurityDescriptor::control() const noexcept
{
    return m_bytes ? sd_parts(m_bytes.get()).control : SECURITY_DESCRIPTOR_CONTROL{0};
}

}  // namespace ntio::se

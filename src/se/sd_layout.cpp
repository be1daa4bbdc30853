// Reading, validating and writing absolute and self-relative security descriptors.
#include "se/sd_layout.hpp"

#include "se/security_descriptor.hpp"

#include <cstdint>
#include <cstring>

namespace ntio::se {
namespace {

ULONG align4(ULONG n) noexcept
{
    return (n + 3u) & ~3u;
}

ULONG sid_bytes(const SID* sid) noexcept
{
    return 8 + ULONG{sid->SubAuthorityCount} * sizeof(ULONG);
}

const unsigned char* at(const void* base, ULONG offset) noexcept
{
    return static_cast<const unsigned char*>(base) + offset;
}

// Offset of a self-relative part: 0 = absent; otherwise past the header and 4-aligned.
bool offset_ok(ULONG offset, std::size_t available, std::size_t need) noexcept
{
    if (offset < sizeof(SECURITY_DESCRIPTOR_RELATIVE) || (offset & 3u) != 0) {
        return false;
    }
    return available == SIZE_MAX || (offset <= available && need <= available - offset);
}

}  // namespace

SdParts sd_parts(const void* sd) noexcept
{
    SdParts parts;
    auto* header = static_cast<const SECURITY_DESCRIPTOR_RELATIVE*>(sd);
    parts.revision = header->Revision;
    parts.control = header->Control;
    if ((header->Control & SE_SELF_RELATIVE) != 0) {
        parts.owner = header->Owner ? reinterpret_cast<const SID*>(at(sd, header->Owner)) : nullptr;
        parts.group = header->Group ? reinterpret_cast<const SID*>(at(sd, header->Group)) : nullptr;
        parts.sacl = header->Sacl ? reinterpret_cast<const ACL*>(at(sd, header->Sacl)) : nullptr;
        parts.dacl = header->Dacl ? reinterpret_cast<const ACL*>(at(sd, header->Dacl)) : nullptr;
    } else {
        auto* absolute = static_cast<const SECURITY_DESCRIPTOR*>(sd);
        parts.owner = static_cast<const SID*>(absolute->Owner);
        parts.group = static_cast<const SID*>(absolute->Group);
        parts.sacl = absolute->Sacl;
        parts.dacl = absolute->Dacl;
    }
    if ((parts.control & SE_DACL_PRESENT) == 0) {
        parts.dacl = nullptr;
    }
    if ((parts.control & SE_SACL_PRESENT) == 0) {
        parts.sacl = nullptr;
    }
    return parts;
}

NTSTATUS sd_validate(const void* sd, std::size_t available, SdParts* out) noexcept
{
    if (sd == nullptr || available < sizeof(SECURITY_DESCRIPTOR_RELATIVE)) {
        return STATUS_INVALID_SECURITY_DESCR;
    }
    auto* header = static_cast<const SECURITY_DESCRIPTOR_RELATIVE*>(sd);
    if (header->Revision != SECURITY_DESCRIPTOR_REVISION) {
        return STATUS_UNKNOWN_REVISION;
    }
    const bool relative = (header->Control & SE_SELF_RELATIVE) != 0;
    if (!relative && available != SIZE_MAX && available < sizeof(SECURITY_DESCRIPTOR)) {
        return STATUS_INVALID_SECURITY_DESCR;
    }
    if (relative) {
        // Offsets must point past the header, stay aligned and, when the size is known, inside it.
        const std::size_t kMin = 8;  // SID header / ACL header
        for (ULONG offset : {header->Owner, header->Group, header->Sacl, header->Dacl}) {
            if (offset != 0 && !offset_ok(offset, available, kMin)) {
                return STATUS_INVALID_SECURITY_DESCR;
            }
        }
    }
    SdParts parts = sd_parts(sd);
    auto remaining = [&](const void* part) -> std::size_t {
        if (!relative || available == SIZE_MAX) {
            return SIZE_MAX;
        }
        return available - static_cast<std::size_t>(static_cast<const unsigned char*>(part) -
                                                     static_cast<const unsigned char*>(sd));
    };
    if (parts.owner != nullptr && valid_sid_length(parts.owner, remaining(parts.owner)) == 0) {
        return STATUS_INVALID_SID;
    }
    if (parts.group != nullptr && valid_sid_length(parts.group, remaining(parts.group)) == 0) {
        return STATUS_INVALID_SID;
    }
    if (parts.dacl != nullptr && !acl_valid(parts.dacl, remaining(parts.dacl))) {
        return STATUS_INVALID_ACL;
    }
    if (parts.sacl != nullptr && !acl_valid(parts.sacl, remaining(parts.sacl))) {
        return STATUS_INVALID_ACL;
    }
    if (out != nullptr) {
        *out = parts;
    }
    return STATUS_SUCCESS;
}

ULONG sd_relative_length(const SdParts& parts) noexcept
{
    ULONG length = sizeof(SECURITY_DESCRIPTOR_RELATIVE);
    if (parts.owner != nullptr) {
        length += align4(sid_bytes(parts.owner));
    }
    if (parts.group != nullptr) {
        length += align4(sid_bytes(parts.group));
    }
    if (parts.sacl != nullptr) {
        length += align4(parts.sacl->AclSize);
    }
    if (parts.dacl != nullptr) {
        length += align4(parts.dacl->AclSize);
    }
    return length;
}

void sd_write_relative(const SdParts& parts, void* out) noexcept
{
    auto* bytes = static_cast<unsigned char*>(out);
    const ULONG total = sd_relative_length(parts);
    std::memset(bytes, 0, total);
    SECURITY_DESCRIPTOR_RELATIVE header{};
    header.Revision = parts.revision;
    header.Control = static_cast<SECURITY_DESCRIPTOR_CONTROL>(parts.control | SE_SELF_RELATIVE);
    ULONG offset = sizeof(SECURITY_DESCRIPTOR_RELATIVE);
    auto place = [&](const void* part, ULONG size) -> ULONG {
        if (part == nullptr) {
            return 0;
        }
        const ULONG where = offset;
        std::memcpy(bytes + where, part, size);
        offset += align4(size);
        return where;
    };
    // Same order as Windows lays them out: SACL, DACL, owner, group.
    header.Sacl = place(parts.sacl, parts.sacl ? parts.sacl->AclSize : 0);
    header.Dacl = place(parts.dacl, parts.dacl ? parts.dacl->AclSize : 0);
    header.Owner = place(parts.owner, parts.owner ? sid_bytes(parts.owner) : 0);
    header.Group = place(parts.group, parts.group ? sid_bytes(parts.group) : 0);
    std::memcpy(bytes, &header, sizeof(header));
}

}  // namespace ntio::se

// SeCaptureSecurityDescriptor's copy of a caller's descriptor: from kernel memory through the
// validating capture, from user memory part by part through the fault-safe user copies, so a bad
// pointer is STATUS_ACCESS_VIOLATION rather than a fault.
#include "se/descriptor_capture.hpp"

#include "se/sd_layout.hpp"

#include "rtl/user_access.hpp"

namespace ntio::se {
namespace {

NTSTATUS copy_user(void* to, const void* from, std::size_t length, ULONG alignment) noexcept
{
    NTSTATUS status = rtl::check_user_range(from, length, alignment);
    return NT_SUCCESS(status) ? ntio_user_copy(to, from, length) : status;
}

// A SID (8-byte header, then its sub-authorities) or an ACL (AclSize bytes) from user memory.
NTSTATUS copy_user_part(const void* user, bool is_acl, std::vector<unsigned char>& out)
{
    unsigned char head[8];
    NTSTATUS status = copy_user(head, user, sizeof(head), alignof(ULONG));
    if (!NT_SUCCESS(status)) return status;
    std::size_t length;
    if (is_acl) {
        ACL acl;
        std::memcpy(&acl, head, sizeof(acl));
        length = acl.AclSize < sizeof(ACL) ? sizeof(ACL) : acl.AclSize;
    } else {
        length = 8 + std::size_t{reinterpret_cast<const SID*>(head)->SubAuthorityCount} * sizeof(ULONG);
    }
    out.resize(length);
    return copy_user(out.data(), user, length, alignof(ULONG));
}

}  // namespace

NTSTATUS capture_user_descriptor(const void* user, SecurityDescriptor& out)
{
    SECURITY_DESCRIPTOR_RELATIVE relative;
    NTSTATUS status = copy_user(&relative, user, sizeof(relative), alignof(ULONG));
    if (!NT_SUCCESS(status)) return status;
    if (relative.Revision != SECURITY_DESCRIPTOR_REVISION) return STATUS_UNKNOWN_REVISION;
    const auto* base = static_cast<const unsigned char*>(user);
    const void* where[4] = {};  // owner, group, sacl, dacl in user memory
    if (relative.Control & SE_SELF_RELATIVE) {
        const ULONG offsets[4] = {relative.Owner, relative.Group, relative.Sacl, relative.Dacl};
        for (int i = 0; i < 4; ++i) {
            if (offsets[i] == 0) continue;
            if (offsets[i] < sizeof(relative)) return STATUS_INVALID_SECURITY_DESCR;
            where[i] = base + offsets[i];
        }
    } else {
        SECURITY_DESCRIPTOR absolute;
        status = copy_user(&absolute, user, sizeof(absolute), alignof(PVOID));
        if (!NT_SUCCESS(status)) return status;
        where[0] = absolute.Owner;
        where[1] = absolute.Group;
        where[2] = absolute.Sacl;
        where[3] = absolute.Dacl;
    }
    if (!(relative.Control & SE_SACL_PRESENT)) where[2] = nullptr;
    if (!(relative.Control & SE_DACL_PRESENT)) where[3] = nullptr;
    std::vector<unsigned char> parts[4];
    for (int i = 0; i < 4; ++i) {
        if (!where[i]) continue;
        status = copy_user_part(where[i], i >= 2, parts[i]);
        if (!NT_SUCCESS(status)) return status;
    }
    // The captured copy is an absolute descriptor in kernel memory: the ordinary capture checks it.
    SECURITY_DESCRIPTOR kernel{};
    kernel.Revision = relative.Revision;
    kernel.Control = static_cast<SECURITY_DESCRIPTOR_CONTROL>(relative.Control & ~SE_SELF_RELATIVE);
    auto part = [&](int i) -> void* { return parts[i].empty() ? nullptr : parts[i].data(); };
    kernel.Owner = part(0);
    kernel.Group = part(1);
    kernel.Sacl = static_cast<PACL>(part(2));
    kernel.Dacl = static_cast<PACL>(part(3));
    return SecurityDescriptor::capture(&kernel, out);
}

}  // namespace ntio::se

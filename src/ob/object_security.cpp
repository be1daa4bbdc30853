// Object security descriptors after creation: NtQuerySecurityObject / NtSetSecurityObject bodies
// and ObGetObjectSecurity. The descriptor of an object can be replaced while others check access
// against it, so readers and writers go through the manager's security lock.
#include "ob/object_manager.hpp"

#include "se/assign_security.hpp"
#include "se/sd_layout.hpp"

namespace ntio::ob {

NTSTATUS ObjectManager::query_security(void* body, SECURITY_INFORMATION information, se::SecurityDescriptor& out)
{
    if (!body) return STATUS_INVALID_PARAMETER;
    ObjectHeader* h = header_of(body);
    std::shared_lock lock(m_security_lock);
    if (h->security.empty()) {
        out = se::SecurityDescriptor();
        return STATUS_SUCCESS;
    }
    const se::SdParts cur = se::sd_parts(h->security.get());
    const bool dacl = (information & DACL_SECURITY_INFORMATION) != 0;
    const bool sacl = (information & SACL_SECURITY_INFORMATION) != 0;
    // The control bits that describe a selected ACL travel with it (protected, auto-inherited).
    SECURITY_DESCRIPTOR_CONTROL control = 0;
    if (dacl) control |= cur.control & (SE_DACL_PROTECTED | SE_DACL_AUTO_INHERITED | SE_DACL_DEFAULTED);
    if (sacl) control |= cur.control & (SE_SACL_PROTECTED | SE_SACL_AUTO_INHERITED | SE_SACL_DEFAULTED);
    out = se::SecurityDescriptor::from_parts((information & OWNER_SECURITY_INFORMATION) ? cur.owner : nullptr,
                                             (information & GROUP_SECURITY_INFORMATION) ? cur.group : nullptr,
                                             dacl && (cur.control & SE_DACL_PRESENT), dacl ? cur.dacl : nullptr,
                                             sacl && (cur.control & SE_SACL_PRESENT), sacl ? cur.sacl : nullptr,
                                             control);
    return STATUS_SUCCESS;
}

NTSTATUS ObjectManager::set_security(void* body, SECURITY_INFORMATION information, PSECURITY_DESCRIPTOR descriptor,
                                     const se::Token* owner_check)
{
    if (!body || !descriptor) return STATUS_INVALID_PARAMETER;
    se::SecurityDescriptor in;
    NTSTATUS status = se::SecurityDescriptor::capture(descriptor, in);
    if (!NT_SUCCESS(status)) return status;
    const se::SdParts next = se::sd_parts(in.get());
    if ((information & OWNER_SECURITY_INFORMATION) && !next.owner) return STATUS_INVALID_OWNER;
    if ((information & GROUP_SECURITY_INFORMATION) && !next.group) return STATUS_INVALID_PRIMARY_GROUP;
    if ((information & OWNER_SECURITY_INFORMATION) && owner_check && !se::owner_assignable(*owner_check, next.owner))
        return STATUS_INVALID_OWNER;
    ObjectHeader* h = header_of(body);
    std::unique_lock lock(m_security_lock);
    se::SdParts cur;
    if (!h->security.empty()) cur = se::sd_parts(h->security.get());
    const bool take_dacl = (information & DACL_SECURITY_INFORMATION) != 0;
    const bool take_sacl = (information & SACL_SECURITY_INFORMATION) != 0;
    constexpr SECURITY_DESCRIPTOR_CONTROL kDaclBits = SE_DACL_PRESENT | SE_DACL_PROTECTED | SE_DACL_AUTO_INHERITED;
    constexpr SECURITY_DESCRIPTOR_CONTROL kSaclBits = SE_SACL_PRESENT | SE_SACL_PROTECTED | SE_SACL_AUTO_INHERITED;
    const SECURITY_DESCRIPTOR_CONTROL control = static_cast<SECURITY_DESCRIPTOR_CONTROL>(
        ((take_dacl ? next.control : cur.control) & kDaclBits) | ((take_sacl ? next.control : cur.control) & kSaclBits));
    h->security = se::SecurityDescriptor::from_parts(
        (information & OWNER_SECURITY_INFORMATION) ? next.owner : cur.owner,
        (information & GROUP_SECURITY_INFORMATION) ? next.group : cur.group, (control & SE_DACL_PRESENT) != 0,
        take_dacl ? next.dacl : cur.dacl, (control & SE_SACL_PRESENT) != 0, take_sacl ? next.sacl : cur.sacl, control);
    return STATUS_SUCCESS;
}

// ObGetObjectSecurity hands out a private copy: the object's own descriptor may be replaced.
NTSTATUS copy_object_security(void* body, PSECURITY_DESCRIPTOR* out)
{
    ObjectHeader* h = header_of(body);
    std::shared_lock lock(h->manager->m_security_lock);
    *out = nullptr;
    if (h->security.empty()) return STATUS_SUCCESS;
    auto* copy = new (std::nothrow) unsigned char[h->security.length()];
    if (!copy) return STATUS_INSUFFICIENT_RESOURCES;
    std::memcpy(copy, h->security.get(), h->security.length());
    *out = copy;
    return STATUS_SUCCESS;
}

}  // namespace ntio::ob

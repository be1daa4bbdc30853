// Object security descriptors after creation: NtQuerySecurityObject / NtSetSecurityObject bodies
// and ObGetObjectSecurity. The descriptor of an object can be replaced while others check access
// against it, so readers and writers go through the manager's security lock.
#include "ob/object_manager.hpp"

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
    const se::SecurityDescriptor& sd = h->security;
    bool dacl = (information & DACL_SECURITY_INFORMATION) != 0;
    out = se::SecurityDescriptor::from_parts((information & OWNER_SECURITY_INFORMATION) ? sd.owner() : nullptr,
                                             (information & GROUP_SECURITY_INFORMATION) ? sd.group() : nullptr,
                                             dacl && sd.dacl_present(), dacl ? sd.dacl() : nullptr, false, nullptr,
                                             0);
    return STATUS_SUCCESS;
}

NTSTATUS ObjectManager::set_security(void* body, SECURITY_INFORMATION information, PSECURITY_DESCRIPTOR descriptor)
{
    if (!body || !descriptor) return STATUS_INVALID_PARAMETER;
    se::SecurityDescriptor in;
    NTSTATUS status = se::SecurityDescriptor::capture(descriptor, in);
    if (!NT_SUCCESS(status)) return status;
    if ((information & OWNER_SECURITY_INFORMATION) && !in.owner()) return STATUS_INVALID_OWNER;
    if ((information & GROUP_SECURITY_INFORMATION) && !in.group()) return STATUS_INVALID_PRIMARY_GROUP;
    ObjectHeader* h = header_of(body);
    std::unique_lock lock(m_security_lock);
    const se::SecurityDescriptor& cur = h->security;
    bool take_dacl = (information & DACL_SECURITY_INFORMATION) != 0;
    const SID* owner = (information & OWNER_SECURITY_INFORMATION) ? in.owner() : cur.owner();
    const SID* group = (information & GROUP_SECURITY_INFORMATION) ? in.group() : cur.group();
    bool dacl_present = take_dacl ? in.dacl_present() : (!cur.empty() && cur.dacl_present());
    const ACL* dacl = take_dacl ? in.dacl() : cur.dacl();
    h->security = se::SecurityDescriptor::from_parts(owner, group, dacl_present, dacl, false, nullptr, 0);
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

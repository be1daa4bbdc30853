// Device interfaces: IoRegisterDeviceInterface / IoSetDeviceInterfaceState / IoGetDeviceInterfaces.
// An interface of a PnP device is named `\??\ROOT#<class>#<instance>#{guid}[\ref]` after its device
// instance path; the symbolic link object is the part before the reference string and targets the
// PDO's name, so an open of the full name reaches the device stack with the reference string as its
// file name. Only PDOs the PnP manager enumerated register interfaces. Links follow the device
// state: an interface enabled before its device started gets its link when the start completes,
// removal disables every interface, and registrations live until the device node goes. An interface
// becoming active (its link created) or inactive is GUID_DEVICE_INTERFACE_ARRIVAL / _REMOVAL to the
// callbacks registered for its class, told once the lock is dropped.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioregisterdeviceinterface
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iosetdeviceinterfacestate
#include "io/device_object.hpp"

#include "io/driver_object.hpp"
#include "io/pnp_manager.hpp"
#include "io/pnp_notification.hpp"
#include "io/pnp_property_store.hpp"

#include "ntio/system.hpp"
#include "ob/object_manager.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {

namespace {

// NT deviation: registrations are not persisted in the registry (the DeviceClasses key).
struct Registration {
    ob::ObjectManager* manager;   // System of the device
    PDEVICE_OBJECT device;
    GUID class_guid;
    std::u16string link_name;     // "\??\ROOT#Name#0000#{guid}[\ref]"
    std::u16string link_object;   // "\??\ROOT#Name#0000#{guid}"
    bool enabled = false;         // IoSetDeviceInterfaceState(TRUE) and not disabled since
    bool linked = false;          // the symbolic link exists (enabled and the device started)
};

// Process-wide, each entry tagged with its System; entries go with their device (IoDeleteDevice).
std::mutex g_lock;
std::vector<Registration> g_registrations;

std::u16string guid_text(const GUID& g) {
    char text[40];
    std::snprintf(text, sizeof text, "{%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}",
                  static_cast<unsigned>(g.Data1), g.Data2, g.Data3, g.Data4[0], g.Data4[1], g.Data4[2], g.Data4[3],
                  g.Data4[4], g.Data4[5], g.Data4[6], g.Data4[7]);
    return std::u16string(text, text + std::strlen(text));
}

bool same_name(std::u16string_view a, std::u16string_view b) {
    return ob::upcase_name(a) == ob::upcase_name(b);
}

// Whether another linked registration still needs r's link object.
bool link_shared_locked(const Registration& r) {
    for (const Registration& o : g_registrations)
        if (&o != &r && o.linked && same_name(o.link_object, r.link_object)) return true;
    return false;
}

// A PnP device admits its interfaces' links once started; other devices at once.
bool device_live(PDEVICE_OBJECT device) {
    if (!pnp_is_pdo(device)) return true;
    PnpNode* node = pnp_node_of(device);
    return node && pnp_node_started(*node);
}

// What the callbacks are told once g_lock is dropped.
using Changes = std::vector<InterfaceChange>;

NTSTATUS link_locked(Registration& r, Changes& changes) {
    NTSTATUS status = STATUS_SUCCESS;
    if (!link_shared_locked(r)) status = create_symbolic_link(r.link_object, device_private(r.device)->name, false);
    if (NT_SUCCESS(status)) {
        r.linked = true;
        changes.push_back({r.manager, r.class_guid, r.link_name, true});
    }
    return status;
}

NTSTATUS enable_locked(Registration& r, Changes& changes) {
    NTSTATUS status = device_live(r.device) ? link_locked(r, changes) : STATUS_SUCCESS;
    if (NT_SUCCESS(status)) r.enabled = true;
    return status;
}

NTSTATUS disable_locked(Registration& r, Changes& changes) {
    r.enabled = false;
    if (!r.linked) return STATUS_SUCCESS;
    r.linked = false;
    changes.push_back({r.manager, r.class_guid, r.link_name, false});
    return link_shared_locked(r) ? STATUS_SUCCESS : delete_symbolic_link(r.link_object);
}

Registration* find_locked(std::u16string_view link_name) {
    for (Registration& r : g_registrations)
        if (same_name(r.link_name, link_name)) return &r;
    return nullptr;
}

}  // namespace

void device_interfaces_started(PDEVICE_OBJECT pdo) {
    Changes changes;
    {
        std::lock_guard guard(g_lock);
        for (Registration& r : g_registrations)
            if (r.device == pdo && r.enabled && !r.linked) (void)link_locked(r, changes);
    }
    pnp_notify_interface_changes(changes);
}

void device_interfaces_disable_all(PDEVICE_OBJECT pdo) {
    Changes changes;
    {
        std::lock_guard guard(g_lock);
        for (Registration& r : g_registrations)
            if (r.device == pdo && r.enabled) (void)disable_locked(r, changes);
    }
    pnp_notify_interface_changes(changes);
}

void device_interfaces_forget(PDEVICE_OBJECT device) {
    Changes changes;
    {
        std::lock_guard guard(g_lock);
        for (Registration& r : g_registrations)
            if (r.device == device && r.enabled) (void)disable_locked(r, changes);
        for (const Registration& r : g_registrations)
            if (r.device == device) property_forget(device_interface_property_id(r.manager, r.link_name));
        std::erase_if(g_registrations, [&](const Registration& r) { return r.device == device; });
    }
    pnp_notify_interface_changes(changes);
}

void device_interfaces_remove(PDEVICE_OBJECT device) {
    // A PnP PDO is deleted when its removal begins; its interfaces stay registered (drivers disable
    // them while handling REMOVE_DEVICE) until the PnP manager forgets the node.
    if (!pnp_node_of(device)) device_interfaces_forget(device);
}

bool device_interface_lookup(std::u16string_view link, DeviceInterfaceInfo& out) {
    std::lock_guard guard(g_lock);
    const Registration* r = find_locked(link);
    if (!r) return false;
    out = {r->manager, r->device, r->class_guid, r->link_name, r->enabled};
    return true;
}

std::u16string device_interface_property_id(ob::ObjectManager* manager, std::u16string_view link_name) {
    char prefix[40];
    std::snprintf(prefix, sizeof prefix, "if:%p:", static_cast<void*>(manager));
    return std::u16string(prefix, prefix + std::strlen(prefix)) + ob::upcase_name(link_name);
}

std::vector<std::u16string> device_interfaces_active(ob::ObjectManager* manager, const GUID& interface_class) {
    std::lock_guard guard(g_lock);
    std::vector<std::u16string> out;
    for (const Registration& r : g_registrations)
        if (r.manager == manager && r.linked && std::memcmp(&r.class_guid, &interface_class, sizeof(GUID)) == 0)
            out.push_back(r.link_name);
    return out;
}

}  // namespace ntio::io

using namespace ntio;
using namespace ntio::io;

extern "C" {

NTSTATUS NTAPI IoRegisterDeviceInterface(PDEVICE_OBJECT PhysicalDeviceObject, const GUID* InterfaceClassGuid,
                                         PUNICODE_STRING ReferenceString, PUNICODE_STRING SymbolicLinkName) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive3);
    if (!PhysicalDeviceObject || ob::type_of(PhysicalDeviceObject) != &g_device_type || !InterfaceClassGuid ||
        !SymbolicLinkName)
        return STATUS_INVALID_PARAMETER;
    SymbolicLinkName->Buffer = nullptr;
    SymbolicLinkName->Length = SymbolicLinkName->MaximumLength = 0;
    std::u16string reference;
    if (ReferenceString) {
        NTSTATUS status = capture_unicode(ReferenceString, reference);
        if (!NT_SUCCESS(status)) return status;
        if (reference.find(u'\\') != std::u16string::npos || reference.find(u'/') != std::u16string::npos)
            return STATUS_INVALID_DEVICE_REQUEST;
    }
    // "PhysicalDeviceObject does not point to a valid PDO" is STATUS_INVALID_DEVICE_REQUEST
    // (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioregisterdeviceinterface):
    // an FDO, a filter's device or a legacy driver's device is not one.
    PnpNode* node = pnp_node_of(PhysicalDeviceObject);
    if (!node || device_private(PhysicalDeviceObject)->name.empty() || device_delete_pending(PhysicalDeviceObject))
        return STATUS_INVALID_DEVICE_REQUEST;
    // The device instance path with '\' as '#': ROOT#PNPTEST#0000.
    std::u16string link_object = u"\\??\\" + pnp_instance_path(*node);
    for (std::size_t i = 4; i < link_object.size(); ++i)
        if (link_object[i] == u'\\') link_object[i] = u'#';
    link_object += u"#" + guid_text(*InterfaceClassGuid);
    std::u16string link = link_object;
    if (!reference.empty()) link += u"\\" + reference;

    {
        // Registering an existing instance again returns its name with STATUS_SUCCESS.
        std::lock_guard guard(g_lock);
        if (!find_locked(link))
            g_registrations.push_back({&ob::manager_of(PhysicalDeviceObject), PhysicalDeviceObject,
                                       *InterfaceClassGuid, link, link_object, false});
    }
    link.push_back(u'\0');
    if (!RtlCreateUnicodeString(SymbolicLinkName, reinterpret_cast<PCWSTR>(link.data())))
        return STATUS_INSUFFICIENT_RESOURCES;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetdeviceinterfacealias
// The alias is the interface the same device registered with the same reference string in the other
// class, enabled or not. An unknown SymbolicLinkName, or NULL arguments, is STATUS_INVALID_HANDLE (the
// page's status for an invalid link or class); no alias is STATUS_OBJECT_NAME_NOT_FOUND. The name is
// allocated as RtlCreateUnicodeString allocates, for RtlFreeUnicodeString.
NTSTATUS NTAPI IoGetDeviceInterfaceAlias(PUNICODE_STRING SymbolicLinkName, const GUID* AliasInterfaceClassGuid,
                                         PUNICODE_STRING AliasSymbolicLinkName) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    if (!AliasInterfaceClassGuid || !AliasSymbolicLinkName) return STATUS_INVALID_HANDLE;
    std::u16string link;
    if (!NT_SUCCESS(capture_unicode(SymbolicLinkName, link))) return STATUS_INVALID_HANDLE;
    std::u16string alias;
    {
        std::lock_guard guard(g_lock);
        const Registration* r = find_locked(link);
        if (!r) return STATUS_INVALID_HANDLE;
        const std::u16string reference = r->link_name.substr(r->link_object.size());
        for (const Registration& o : g_registrations) {
            if (o.manager != r->manager || o.device != r->device ||
                std::memcmp(&o.class_guid, AliasInterfaceClassGuid, sizeof(GUID)) != 0)
                continue;
            if (!same_name(o.link_name.substr(o.link_object.size()), reference)) continue;
            alias = o.link_name;
            break;
        }
    }
    if (alias.empty()) return STATUS_OBJECT_NAME_NOT_FOUND;
    alias.push_back(u'\0');
    if (!RtlCreateUnicodeString(AliasSymbolicLinkName, reinterpret_cast<PCWSTR>(alias.c_str())))
        return STATUS_INSUFFICIENT_RESOURCES;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iosetdeviceinterfacestate
NTSTATUS NTAPI IoSetDeviceInterfaceState(PUNICODE_STRING SymbolicLinkName, BOOLEAN Enable) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive1);
    std::u16string link;
    NTSTATUS status = capture_unicode(SymbolicLinkName, link);
    if (!NT_SUCCESS(status)) return status;
    Changes changes;
    {
        std::lock_guard guard(g_lock);
        Registration* r = find_locked(link);
        if (!r) return STATUS_OBJECT_NAME_NOT_FOUND;
        if (Enable) {
            if (r->enabled) return STATUS_OBJECT_NAME_EXISTS;
            status = enable_locked(*r, changes);
        } else {
            if (!r->enabled) return STATUS_OBJECT_NAME_NOT_FOUND;
            status = disable_locked(*r, changes);
        }
    }
    pnp_notify_interface_changes(changes);
    return status;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetdeviceinterfaces
NTSTATUS NTAPI IoGetDeviceInterfaces(const GUID* InterfaceClassGuid, PDEVICE_OBJECT PhysicalDeviceObject, ULONG Flags,
                                     PWSTR* SymbolicLinkList) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    if (!InterfaceClassGuid || !SymbolicLinkList) return STATUS_INVALID_PARAMETER;
    *SymbolicLinkList = nullptr;
    if (Flags & ~ULONG{DEVICE_INTERFACE_INCLUDE_NONACTIVE}) return STATUS_INVALID_PARAMETER;
    std::u16string list;
    {
        std::lock_guard guard(g_lock);
        System* system = System::current();
        ob::ObjectManager* manager = system ? &system->objects() : nullptr;
        for (const Registration& r : g_registrations) {
            if (r.manager != manager || std::memcmp(&r.class_guid, InterfaceClassGuid, sizeof(GUID)) != 0) continue;
            if (PhysicalDeviceObject && r.device != PhysicalDeviceObject) continue;
            if (!r.linked && !(Flags & DEVICE_INTERFACE_INCLUDE_NONACTIVE)) continue;
            list += r.link_name;
            list.push_back(u'\0');
        }
    }
    // MULTI_SZ: an empty list is one empty string (a single NUL, per the DDI page), plus the final NUL.
    if (list.empty()) list.push_back(u'\0');
    list.push_back(u'\0');
    auto* buffer = static_cast<PWSTR>(ExAllocatePoolWithTag(PagedPool, list.size() * sizeof(WCHAR), 'fIoI'));
    if (!buffer) return STATUS_INSUFFICIENT_RESOURCES;
    std::memcpy(buffer, list.data(), list.size() * sizeof(WCHAR));
    *SymbolicLinkList = buffer;
    return STATUS_SUCCESS;
}

}  // extern "C"

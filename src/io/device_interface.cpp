// Device interfaces: IoRegisterDeviceInterface / IoSetDeviceInterfaceState / IoGetDeviceInterfaces.
// An interface is named `\??\ROOT#<device>#0000#{guid}[\ref]`; the symbolic link object is the part
// before the reference string and targets the device's name, so an open of the full name reaches the
// device with the reference string as its file name. The link exists while an interface using it is
// enabled. Registrations live until the device is deleted.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioregisterdeviceinterface
#include "io/device_object.hpp"

#include "io/driver_object.hpp"

#include "ntio/system.hpp"
#include "ob/object_manager.hpp"

namespace ntio::io {

namespace {

// NT deviation: registrations are not persisted in the registry (no PnP device nodes); the link name
// is derived from the device's name instead of its device instance path.
struct Registration {
    ob::ObjectManager* manager;   // System of the device
    PDEVICE_OBJECT device;
    GUID class_guid;
    std::u16string link_name;     // "\??\ROOT#Name#0000#{guid}[\ref]"
    std::u16string link_object;   // "\??\ROOT#Name#0000#{guid}"
    bool enabled = false;
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

// Whether another enabled registration still needs r's link object.
bool link_shared_locked(const Registration& r) {
    for (const Registration& o : g_registrations)
        if (&o != &r && o.enabled && same_name(o.link_object, r.link_object)) return true;
    return false;
}

NTSTATUS enable_locked(Registration& r) {
    NTSTATUS status = STATUS_SUCCESS;
    if (!link_shared_locked(r)) status = create_symbolic_link(r.link_object, device_private(r.device)->name, false);
    if (NT_SUCCESS(status)) r.enabled = true;
    return status;
}

NTSTATUS disable_locked(Registration& r) {
    r.enabled = false;
    return link_shared_locked(r) ? STATUS_SUCCESS : delete_symbolic_link(r.link_object);
}

Registration* find_locked(std::u16string_view link_name) {
    for (Registration& r : g_registrations)
        if (same_name(r.link_name, link_name)) return &r;
    return nullptr;
}

}  // namespace

void device_interfaces_remove(PDEVICE_OBJECT device) {
    std::lock_guard guard(g_lock);
    for (Registration& r : g_registrations)
        if (r.device == device && r.enabled) (void)disable_locked(r);
    std::erase_if(g_registrations, [&](const Registration& r) { return r.device == device; });
}

}  // namespace ntio::io

using namespace ntio;
using namespace ntio::io;

extern "C" {

NTSTATUS NTAPI IoRegisterDeviceInterface(PDEVICE_OBJECT PhysicalDeviceObject, const GUID* InterfaceClassGuid,
                                         PUNICODE_STRING ReferenceString, PUNICODE_STRING SymbolicLinkName) {
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
    // An interface needs a name to link to (NT requires a PnP PDO, which always has one).
    const std::u16string& device_name = device_private(PhysicalDeviceObject)->name;
    if (device_name.empty() || device_delete_pending(PhysicalDeviceObject)) return STATUS_INVALID_DEVICE_REQUEST;
    std::u16string instance = device_name;
    constexpr std::u16string_view kDevicePrefix = u"\\Device\\";
    if (instance.size() > kDevicePrefix.size() && same_name(instance.substr(0, kDevicePrefix.size()), kDevicePrefix))
        instance.erase(0, kDevicePrefix.size());
    for (char16_t& c : instance)
        if (c == u'\\' || c == u'#') c = u'_';
    const std::u16string link_object = u"\\??\\ROOT#" + instance + u"#0000#" + guid_text(*InterfaceClassGuid);
    std::u16string link = link_object;
    if (!reference.empty()) link += u"\\" + reference;

    {
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

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iosetdeviceinterfacestate
NTSTATUS NTAPI IoSetDeviceInterfaceState(PUNICODE_STRING SymbolicLinkName, BOOLEAN Enable) {
    std::u16string link;
    NTSTATUS status = capture_unicode(SymbolicLinkName, link);
    if (!NT_SUCCESS(status)) return status;
    std::lock_guard guard(g_lock);
    Registration* r = find_locked(link);
    if (!r) return STATUS_OBJECT_NAME_NOT_FOUND;
    if (Enable) {
        if (r->enabled) return STATUS_OBJECT_NAME_EXISTS;
        return enable_locked(*r);
    }
    if (!r->enabled) return STATUS_OBJECT_NAME_NOT_FOUND;
    return disable_locked(*r);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetdeviceinterfaces
NTSTATUS NTAPI IoGetDeviceInterfaces(const GUID* InterfaceClassGuid, PDEVICE_OBJECT PhysicalDeviceObject, ULONG Flags,
                                     PWSTR* SymbolicLinkList) {
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
            if (!r.enabled && !(Flags & DEVICE_INTERFACE_INCLUDE_NONACTIVE)) continue;
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

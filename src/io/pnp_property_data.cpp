// The unified device property DDIs: IoGetDevicePropertyData / IoSetDevicePropertyData on a PnP PDO,
// the device interface variants on a link from IoRegisterDeviceInterface, and
// IoOpenDeviceInterfaceRegistryKey. The system answers the DEVPKEY_* it knows from the device node
// (its Enum key and capabilities); drivers' own keys go to the property store (pnp_property_store.cpp).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetdevicepropertydata
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iosetdevicepropertydata
#include "io/device_object.hpp"
#include "io/objects.hpp"
#include "io/pnp_manager.hpp"
#include "io/pnp_property_store.hpp"

#include "ob/object_manager.hpp"
#include "verifier/verifier.hpp"

#include <ntio/ddk/devpkey.h>

namespace ntio::io {

namespace {

constexpr ULONG_PTR kInvalidPdo = 0x2;
constexpr std::u16string_view kEnumKey = u"\\Registry\\Machine\\System\\CurrentControlSet\\Enum\\";
constexpr std::u16string_view kDeviceClassesKey = u"\\Registry\\Machine\\System\\CurrentControlSet\\Control\\DeviceClasses\\";

// As IoGetDeviceProperty: anything but a PnP PDO is bug check PNP_DETECTED_FATAL_ERROR 0x2.
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xca--pnp-detected-fatal-error
[[noreturn]] void invalid_pdo(PDEVICE_OBJECT device) {
    const bool is_device = device && ob::type_of(device) == &g_device_type;
    KeBugCheckEx(PNP_DETECTED_FATAL_ERROR, kInvalidPdo, reinterpret_cast<ULONG_PTR>(device),
                 is_device ? reinterpret_cast<ULONG_PTR>(device->DriverObject) : 0, 0);
}

bool same_guid(const GUID& a, const GUID& b) { return std::memcmp(&a, &b, sizeof(GUID)) == 0; }
bool same_key(const DEVPROPKEY& a, const DEVPROPKEY& b) { return a.pid == b.pid && same_guid(a.fmtid, b.fmtid); }

// The property categories the system owns: drivers read them, never write them (ntio's reading: the
// DDI pages do not list which keys a driver may set; the system's are the PnP manager's to keep).
bool system_category(const GUID& fmtid) {
    return same_guid(fmtid, DEVPKEY_Device_DeviceDesc.fmtid) || same_guid(fmtid, DEVPKEY_Device_InstanceId.fmtid) ||
           same_guid(fmtid, DEVPKEY_Device_Parent.fmtid) || same_guid(fmtid, DEVPKEY_DeviceInterface_Enabled.fmtid) ||
           same_guid(fmtid, DEVPKEY_NAME.fmtid);
}

PropertyValue string_value(const std::u16string& text) {
    PropertyValue v;
    v.type = DEVPROP_TYPE_STRING;
    v.data.resize((text.size() + 1) * sizeof(WCHAR));
    std::memcpy(v.data.data(), text.c_str(), v.data.size());
    return v;
}

// A MULTI_SZ as the node keeps it (already ending in two NULs).
PropertyValue list_value(const std::u16string& multi) {
    PropertyValue v;
    v.type = DEVPROP_TYPE_STRING_LIST;
    v.data.resize(multi.size() * sizeof(WCHAR));
    std::memcpy(v.data.data(), multi.data(), v.data.size());
    return v;
}

PropertyValue ulong_value(ULONG value) {
    PropertyValue v;
    v.type = DEVPROP_TYPE_UINT32;
    v.data.resize(sizeof value);
    std::memcpy(v.data.data(), &value, sizeof value);
    return v;
}

PropertyValue guid_value(const GUID& guid) {
    PropertyValue v;
    v.type = DEVPROP_TYPE_GUID;
    v.data.resize(sizeof guid);
    std::memcpy(v.data.data(), &guid, sizeof guid);
    return v;
}

// "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" as the ClassGUID value spells it.
bool parse_guid(const std::u16string& text, GUID& out) {
    if (text.size() != 38 || text.front() != u'{' || text.back() != u'}') return false;
    std::string narrow(text.begin() + 1, text.end() - 1);
    unsigned d1 = 0, d2 = 0, d3 = 0, b[8] = {};
    if (std::sscanf(narrow.c_str(), "%8x-%4x-%4x-%2x%2x-%2x%2x%2x%2x%2x%2x", &d1, &d2, &d3, &b[0], &b[1], &b[2], &b[3],
                    &b[4], &b[5], &b[6], &b[7]) != 11)
        return false;
    out.Data1 = d1;
    out.Data2 = static_cast<USHORT>(d2);
    out.Data3 = static_cast<USHORT>(d3);
    for (int i = 0; i < 8; ++i) out.Data4[i] = static_cast<UCHAR>(b[i]);
    return true;
}

// The value the system answers for a device key, if it is one of those it knows and the device has it.
std::optional<PropertyValue> system_device_value(PDEVICE_OBJECT pdo, const PnpNode& node, const DEVPROPKEY& key) {
    const PnpNodeProperties& p = pnp_node_properties(node);
    auto text = [](const std::u16string& s) -> std::optional<PropertyValue> {
        if (s.empty()) return std::nullopt;
        return string_value(s);
    };
    if (same_key(key, DEVPKEY_Device_DeviceDesc)) return text(p.description);
    if (same_key(key, DEVPKEY_Device_Service)) return text(p.service);
    if (same_key(key, DEVPKEY_Device_Class)) return text(p.class_name);
    if (same_key(key, DEVPKEY_Device_Manufacturer)) return text(p.manufacturer);
    if (same_key(key, DEVPKEY_Device_FriendlyName)) return text(p.friendly_name);
    if (same_key(key, DEVPKEY_Device_PDOName)) return text(device_private(pdo)->name);
    if (same_key(key, DEVPKEY_Device_EnumeratorName)) return string_value(u"ROOT");
    if (same_key(key, DEVPKEY_Device_InstanceId)) return string_value(pnp_instance_path(node));
    // A root-enumerated device's parent is the root device node.
    // https://learn.microsoft.com/windows-hardware/drivers/install/devpkey-device-parent
    if (same_key(key, DEVPKEY_Device_Parent)) return string_value(u"HTREE\\ROOT\\0");
    if (same_key(key, DEVPKEY_Device_HardwareIds)) {
        if (p.hardware_ids.empty()) return std::nullopt;
        return list_value(p.hardware_ids);
    }
    if (same_key(key, DEVPKEY_Device_CompatibleIds)) {
        if (p.compatible_ids.empty()) return std::nullopt;
        return list_value(p.compatible_ids);
    }
    if (same_key(key, DEVPKEY_Device_ClassGuid)) {
        GUID guid;
        if (!parse_guid(p.class_guid, guid)) return std::nullopt;
        return guid_value(guid);
    }
    if (same_key(key, DEVPKEY_Device_InstallState)) return ulong_value(0 /* InstallStateInstalled */);
    const DEVICE_CAPABILITIES caps = pnp_node_capabilities(node);
    if (same_key(key, DEVPKEY_Device_Address)) {
        if (caps.Address == 0xFFFFFFFF) return std::nullopt;
        return ulong_value(caps.Address);
    }
    if (same_key(key, DEVPKEY_Device_UINumber)) {
        if (caps.UINumber == 0xFFFFFFFF) return std::nullopt;
        return ulong_value(caps.UINumber);
    }
    if (same_key(key, DEVPKEY_Device_RemovalPolicy)) {
        const ULONG policy = !caps.Removable        ? RemovalPolicyExpectNoRemoval
                             : caps.SurpriseRemovalOK ? RemovalPolicyExpectSurpriseRemoval
                                                      : RemovalPolicyExpectOrderlyRemoval;
        return ulong_value(policy);
    }
    return std::nullopt;
}

PropertyOwner device_owner(const PnpNode& node) {
    std::u16string key(kEnumKey);
    key.append(pnp_instance_path(node));
    return {pnp_node_property_id(node), key};
}

// DeviceClasses\{class}\##?#ROOT#PNPTEST#0000#{class}\#[ref]: the link with "\??\" as "##?#" and the
// reference string (possibly empty) after a '#'.
std::u16string interface_key(const DeviceInterfaceInfo& info) {
    std::u16string link = info.link_name.substr(4);  // after "\??\"
    std::u16string reference;
    if (const std::size_t slash = link.find(u'\\'); slash != std::u16string::npos) {
        reference = link.substr(slash + 1);
        link.resize(slash);
    }
    // Appended piece by piece: operator+ chains trip a GCC 12 false -Warray-bounds.
    std::u16string key(kDeviceClassesKey);
    key.append(property_guid_text(info.class_guid)).append(u"\\##?#").append(link).append(u"\\#").append(reference);
    return key;
}

PropertyOwner interface_owner(const DeviceInterfaceInfo& info) {
    return {device_interface_property_id(info.manager, info.link_name), interface_key(info)};
}

// The checks both Get routines make before looking: STATUS_INVALID_PARAMETER for a NULL key, size or
// type pointer, for Flags (reserved: 0), and for a buffer size without a buffer.
NTSTATUS check_get(const DEVPROPKEY* key, ULONG flags, ULONG size, PVOID data, PULONG required, PDEVPROPTYPE type) {
    if (!required || !type) return STATUS_INVALID_PARAMETER;
    *required = 0;
    *type = DEVPROP_TYPE_EMPTY;
    if (!key || flags != 0 || (size != 0 && !data)) return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

// Set: a NULL key, unknown flags, a reserved identifier (below DEVPROPID_FIRST_USABLE) or a value that
// is not of its type is STATUS_INVALID_PARAMETER; the system's keys are STATUS_ACCESS_DENIED;
// DEVPROP_TYPE_EMPTY or a NULL Data deletes.
NTSTATUS set_property(const PropertyOwner& owner, const DEVPROPKEY* key, LCID lcid, ULONG flags, DEVPROPTYPE type,
                      ULONG size, PVOID data) {
    if (!key || (flags & ~ULONG{PLUGPLAY_PROPERTY_PERSISTENT}) != 0 || key->pid < DEVPROPID_FIRST_USABLE)
        return STATUS_INVALID_PARAMETER;
    if (system_category(key->fmtid)) return STATUS_ACCESS_DENIED;
    if (type == DEVPROP_TYPE_EMPTY || !data) {
        if (type != DEVPROP_TYPE_EMPTY && type != DEVPROP_TYPE_NULL && size != 0) return STATUS_INVALID_PARAMETER;
        return property_delete(owner, *key, lcid);
    }
    NTSTATUS status = property_value_valid(type, size, data);
    if (!NT_SUCCESS(status)) return status;
    PropertyValue value;
    value.type = type;
    value.data.assign(static_cast<const unsigned char*>(data), static_cast<const unsigned char*>(data) + size);
    // NT deviation: a value set without PLUGPLAY_PROPERTY_PERSISTENT lives in memory until the device
    // node (or the interface registration) goes; Windows 8 and later persist every value.
    return property_write(owner, *key, lcid, (flags & PLUGPLAY_PROPERTY_PERSISTENT) != 0, value);
}

NTSTATUS capture_link(PUNICODE_STRING name, DeviceInterfaceInfo& info) {
    std::u16string link;
    NTSTATUS status = capture_unicode(name, link);
    if (!NT_SUCCESS(status)) return status;
    if (link.empty()) return STATUS_INVALID_PARAMETER;
    return device_interface_lookup(link, info) ? STATUS_SUCCESS : STATUS_OBJECT_NAME_NOT_FOUND;
}

std::optional<PropertyValue> system_interface_value(const DeviceInterfaceInfo& info, const DEVPROPKEY& key) {
    if (same_key(key, DEVPKEY_DeviceInterface_Enabled)) {
        PropertyValue v;
        v.type = DEVPROP_TYPE_BOOLEAN;
        v.data.push_back(static_cast<unsigned char>(info.enabled ? DEVPROP_TRUE : DEVPROP_FALSE));
        return v;
    }
    if (same_key(key, DEVPKEY_DeviceInterface_ClassGuid)) return guid_value(info.class_guid);
    if (same_key(key, DEVPKEY_Device_InstanceId)) {
        PnpNode* node = pnp_node_of(info.device);
        if (!node) return std::nullopt;
        return string_value(pnp_instance_path(*node));
    }
    return std::nullopt;
}

}  // namespace

}  // namespace ntio::io

using namespace ntio;
using namespace ntio::io;

extern "C" {

NTSTATUS NTAPI IoGetDevicePropertyData(PDEVICE_OBJECT Pdo, const DEVPROPKEY* PropertyKey, LCID Lcid, ULONG Flags,
                                       ULONG Size, PVOID Data, PULONG RequiredSize, PDEVPROPTYPE Type) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    if (!pnp_is_pdo(Pdo)) invalid_pdo(Pdo);
    NTSTATUS status = check_get(PropertyKey, Flags, Size, Data, RequiredSize, Type);
    if (!NT_SUCCESS(status)) return status;
    PnpNode* node = pnp_node_of(Pdo);
    if (!node) return STATUS_NO_SUCH_DEVICE;
    std::optional<PropertyValue> value;
    if (system_category(PropertyKey->fmtid)) value = system_device_value(Pdo, *node, *PropertyKey);
    else value = property_read(device_owner(*node), *PropertyKey, Lcid);
    return property_answer(value, Size, Data, RequiredSize, Type);
}

NTSTATUS NTAPI IoSetDevicePropertyData(PDEVICE_OBJECT Pdo, const DEVPROPKEY* PropertyKey, LCID Lcid, ULONG Flags,
                                       DEVPROPTYPE Type, ULONG Size, PVOID Data) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    if (!pnp_is_pdo(Pdo)) invalid_pdo(Pdo);
    PnpNode* node = pnp_node_of(Pdo);
    if (!node) return STATUS_NO_SUCH_DEVICE;
    return set_property(device_owner(*node), PropertyKey, Lcid, Flags, Type, Size, Data);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetdeviceinterfacepropertydata
NTSTATUS NTAPI IoGetDeviceInterfacePropertyData(PUNICODE_STRING SymbolicLinkName, const DEVPROPKEY* PropertyKey,
                                                LCID Lcid, ULONG Flags, ULONG Size, PVOID Data, PULONG RequiredSize,
                                                PDEVPROPTYPE Type) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    NTSTATUS status = check_get(PropertyKey, Flags, Size, Data, RequiredSize, Type);
    if (!NT_SUCCESS(status)) return status;
    DeviceInterfaceInfo info;
    status = capture_link(SymbolicLinkName, info);
    if (!NT_SUCCESS(status)) return status;
    std::optional<PropertyValue> value;
    if (system_category(PropertyKey->fmtid)) value = system_interface_value(info, *PropertyKey);
    else value = property_read(interface_owner(info), *PropertyKey, Lcid);
    return property_answer(value, Size, Data, RequiredSize, Type);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iosetdeviceinterfacepropertydata
NTSTATUS NTAPI IoSetDeviceInterfacePropertyData(PUNICODE_STRING SymbolicLinkName, const DEVPROPKEY* PropertyKey,
                                                LCID Lcid, ULONG Flags, DEVPROPTYPE Type, ULONG Size, PVOID Data) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    DeviceInterfaceInfo info;
    NTSTATUS status = capture_link(SymbolicLinkName, info);
    if (!NT_SUCCESS(status)) return status;
    return set_property(interface_owner(info), PropertyKey, Lcid, Flags, Type, Size, Data);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioopendeviceinterfaceregistrykey
NTSTATUS NTAPI IoOpenDeviceInterfaceRegistryKey(PUNICODE_STRING SymbolicLinkName, ACCESS_MASK DesiredAccess,
                                                PHANDLE DeviceInterfaceRegKey) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    if (!DeviceInterfaceRegKey) return STATUS_INVALID_PARAMETER;
    *DeviceInterfaceRegKey = nullptr;
    DeviceInterfaceInfo info;
    NTSTATUS status = capture_link(SymbolicLinkName, info);
    if (!NT_SUCCESS(status)) return status;
    // The keys above "Device Parameters" are the PnP manager's: created as needed.
    std::u16string path = interface_key(info);
    path.append(u"\\Device Parameters");
    return create_key_path(path, DesiredAccess, DeviceInterfaceRegKey);
}

}  // extern "C"

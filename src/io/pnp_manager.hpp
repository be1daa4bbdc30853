// The Plug and Play manager for root-enumerated devices: what the rest of io asks of it (is this a PnP
// PDO, is its stack started, its instance path) and the hooks other parts call (last open of a PDO
// closed, system shutdown). The device nodes, the root bus driver and the IRP sequences live in
// pnp_manager.cpp; Po* and the power IRPs the PnP manager sends in pnp_power.cpp; IoGetDeviceProperty
// in pnp_property.cpp.
#pragma once

#include <string>
#include <string_view>

#include "io/ddk.hpp"

namespace ntio { class System; }
namespace ntio::ob { class ObjectManager; }

namespace ntio::io {

struct PnpNode;

// Whether `device` is a PDO of the root bus (created by \Driver\PnpManager). Any IRQL.
bool pnp_is_pdo(PDEVICE_OBJECT device) noexcept;
// The PDO's device node (null for other devices, and once the node is gone). Any IRQL.
PnpNode* pnp_node_of(PDEVICE_OBJECT pdo) noexcept;
// Whether the node's stack completed IRP_MN_START_DEVICE and no removal has begun. Any IRQL.
bool pnp_node_started(const PnpNode& node) noexcept;
// "ROOT\PNPTEST\0000", as the Enum key spells it.
const std::u16string& pnp_instance_path(const PnpNode& node) noexcept;
// Registry values of the node read at enumeration (DeviceDesc, HardwareID (MULTI_SZ, double NUL),
// Class, ClassGUID); empty when absent.
struct PnpNodeProperties {
    std::u16string description;
    std::u16string hardware_ids;
    std::u16string compatible_ids;
    std::u16string class_name;
    std::u16string class_guid;
    std::u16string friendly_name;
    std::u16string manufacturer;
    std::u16string service;
};
const PnpNodeProperties& pnp_node_properties(const PnpNode& node) noexcept;

// Creates (non-volatile) or opens the registry key at the full path `path`, and the keys above it
// as needed, and returns a kernel handle with `access` (pnp_registry_key.cpp). PASSIVE_LEVEL.
NTSTATUS create_key_path(std::u16string_view path, ACCESS_MASK access, PHANDLE key);

// The capabilities the node's stack reported last: the bus driver's before AddDevice, the whole
// stack's after the start (IRP_MN_QUERY_CAPABILITIES). PASSIVE_LEVEL.
DEVICE_CAPABILITIES pnp_node_capabilities(const PnpNode& node) noexcept;

// The power IRPs the PnP manager sends to the top of a PDO's stack and waits for (pnp_power.cpp):
// a system set-power (built here: PoRequestPowerIrp sends device states only) and a device set-power
// (through PoRequestPowerIrp). Both go down with PoCallDriver. PASSIVE_LEVEL.
NTSTATUS pnp_set_system_power(PDEVICE_OBJECT pdo, SYSTEM_POWER_STATE state, POWER_ACTION action);
NTSTATUS pnp_set_device_power(PDEVICE_OBJECT pdo, DEVICE_POWER_STATE state);

// The resource lists of IRP_MN_START_DEVICE for the interrupts assigned to a device
// (NtioSetDeviceInterrupts; interrupt.cpp): raw and translated, each from paged pool for the caller to
// free with ExFreePool, or both null when the device has none. STATUS_INSUFFICIENT_RESOURCES.
// PASSIVE_LEVEL.
NTSTATUS start_device_resources(const std::u16string& instance, PCM_RESOURCE_LIST* raw,
                                PCM_RESOURCE_LIST* translated);

// Re-reads Enum\Root and starts new instances (NtioPnpEnumerateRoot), in `system` (the calling
// thread's when null; the boot names the System it boots). The first call creates the PnP manager and
// \Driver\PnpManager, which stay until pnp_shutdown. PASSIVE_LEVEL.
NTSTATUS pnp_enumerate_root(System* system);

// The last open of a PDO went away (device_release_open would call it; until then a watcher waits
// for the open count). Any IRQL <= DISPATCH_LEVEL.
void pnp_open_released(PDEVICE_OBJECT pdo) noexcept;

// Device interfaces of a PnP PDO follow its state (device_interface.cpp): the stack started (links of
// the interfaces enabled so far appear), the device is being removed (every interface disabled, links
// gone), the node goes (registrations forgotten). PASSIVE_LEVEL.
void device_interfaces_started(PDEVICE_OBJECT pdo);
void device_interfaces_disable_all(PDEVICE_OBJECT pdo);
void device_interfaces_forget(PDEVICE_OBJECT pdo);
// The names of the active interfaces (link present) of a class in a System, for
// PNPNOTIFY_DEVICE_INTERFACE_INCLUDE_EXISTING_INTERFACES.
std::vector<std::u16string> device_interfaces_active(ob::ObjectManager* manager, const GUID& interface_class);

// A registered device interface as the property and registry-key routines need it (pnp_property_data.cpp).
struct DeviceInterfaceInfo {
    ob::ObjectManager* manager = nullptr;
    PDEVICE_OBJECT device = nullptr;
    GUID class_guid{};
    std::u16string link_name;  // as registered: "\??\ROOT#PNPTEST#0000#{guid}[\ref]"
    bool enabled = false;
};
// The registration named `link` (case-insensitive); false when there is none. PASSIVE_LEVEL.
bool device_interface_lookup(std::u16string_view link, DeviceInterfaceInfo& out);
// The in-memory property owner name of an interface (its properties go with the registration).
std::u16string device_interface_property_id(ob::ObjectManager* manager, std::u16string_view link_name);
// The in-memory property owner name of a device node (its properties go with the node).
std::u16string pnp_node_property_id(const PnpNode& node);

// IoInvalidateDeviceState's and IoRequestDeviceEject's work, run on a system worker (pnp_device_state.cpp):
// IRP_MN_QUERY_PNP_DEVICE_STATE and what its answer asks for; the orderly removal then IRP_MN_EJECT.
// Nothing for a device that is not started. Each consumes one reference on the PDO the caller took
// and announced with pnp_action_queued when it queued the work: a removal waits for every other
// reference but its own, not for these (the work waits for the removal). PASSIVE_LEVEL.
void pnp_query_device_state(PDEVICE_OBJECT pdo);
void pnp_eject_device(PDEVICE_OBJECT pdo);
void pnp_action_queued(PDEVICE_OBJECT pdo);  // any IRQL <= DISPATCH_LEVEL

// IoReportDetectedDevice's work (pnp_detected.cpp): a root-enumerated device for `driver`'s service,
// recorded in Enum\Root (Service, CompatibleIDs: a MULTI_SZ ending in one NUL here), its PDO started
// as it is, the driver referenced for the node's life. PASSIVE_LEVEL.
NTSTATUS pnp_report_detected_device(PDRIVER_OBJECT driver, const std::u16string& compatible_ids,
                                    std::vector<unsigned char> resources, PDEVICE_OBJECT* pdo_out);
// The resources a detected device was reported with (raw CM_RESOURCE_LIST bytes; empty for others).
std::vector<unsigned char> pnp_node_reported_resources(const PnpNode& node);
// The calling thread's System's CONFIGURATION_INFORMATION (null without a System).
PCONFIGURATION_INFORMATION pnp_configuration_information();

// Removes every device node of `system` (IRP_MN_REMOVE_DEVICE to each stack, surprise-removed ones
// too) and lets the root driver go. Meant for IoManager::shutdown, before the drivers unload.
// PASSIVE_LEVEL.
void pnp_shutdown(System& system);

}  // namespace ntio::io

// IoGetDeviceProperty (the basic properties of a root-enumerated device, from its Enum key, its resources and its
// device node's capabilities) and IoInvalidateDeviceRelations. Both take a PDO; anything else is what NT calls an
// invalid PDO: bug check PNP_DETECTED_FATAL_ERROR, parameter 1 = 0x2.
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xca--pnp-detected-fatal-error
#include "io/pnp_manager.hpp"

#include "io/device_object.hpp"
#include "ob/object_manager.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {

namespace {

constexpr ULONG_PTR kInvalidPdo = 0x2;

[[noreturn]] void invalid_pdo(PDEVICE_OBJECT device) {
    const bool is_device = device && ob::type_of(device) == &g_device_type;
    KeBugCheckEx(PNP_DETECTED_FATAL_ERROR, kInvalidPdo, reinterpret_cast<ULONG_PTR>(device),
                 is_device ? reinterpret_cast<ULONG_PTR>(device->DriverObject) : 0, 0);
}

// Copies a string property: REG_SZ ones with their NUL, MULTI_SZ ones as stored (already ending in two
// NULs). The required size goes to *ResultLength either way.
NTSTATUS copy_property(const std::u16string& text, bool multi, ULONG length, PVOID buffer, PULONG result_length) {
    if (text.empty()) return STATUS_OBJECT_NAME_NOT_FOUND;
    const std::size_t chars = multi ? text.size() : text.size() + 1;
    const ULONG needed = static_cast<ULONG>(chars * sizeof(WCHAR));
    *result_length = needed;
    if (length < needed || !buffer) return STATUS_BUFFER_TOO_SMALL;
    std::memcpy(buffer, text.data(), text.size() * sizeof(WCHAR));
    if (!multi) static_cast<PWCH>(buffer)[text.size()] = 0;
    return STATUS_SUCCESS;
}

NTSTATUS copy_ulong(ULONG value, ULONG length, PVOID buffer, PULONG result_length) {
    *result_length = sizeof(ULONG);
    if (length < sizeof(ULONG) || !buffer) return STATUS_BUFFER_TOO_SMALL;
    std::memcpy(buffer, &value, sizeof value);
    return STATUS_SUCCESS;
}

// ntio's reading of how NT derives the removal policy from the capabilities: a device that is not
// Removable expects no removal; a removable one expects surprise removal when it says that is safe
// (SurpriseRemovalOK), else an orderly one.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ne-wdm-_device_removal_policy
DEVICE_REMOVAL_POLICY removal_policy(const DEVICE_CAPABILITIES& caps) {
    if (!caps.Removable) return RemovalPolicyExpectNoRemoval;
    return caps.SurpriseRemovalOK ? RemovalPolicyExpectSurpriseRemoval : RemovalPolicyExpectOrderlyRemoval;
}

// The raw CM_RESOURCE_LIST of a device: the one a legacy driver reported it with
// (IoReportDetectedDevice), else, allocated only, the interrupts assigned to it that its start carried
// (NtioSetDeviceInterrupts). Empty when there is none.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetdeviceproperty
std::vector<unsigned char> pnp_node_resources(const PnpNode& node, bool boot_configuration) {
    std::vector<unsigned char> list = pnp_node_reported_resources(node);
    if (!list.empty() || boot_configuration || !pnp_node_started(node)) return list;
    PCM_RESOURCE_LIST raw = nullptr;
    PCM_RESOURCE_LIST translated = nullptr;
    if (!NT_SUCCESS(start_device_resources(ob::upcase_name(pnp_instance_path(node)), &raw, &translated))) return list;
    if (raw) {
        const CM_FULL_RESOURCE_DESCRIPTOR& full = raw->List[0];
        const std::size_t size = FIELD_OFFSET(CM_RESOURCE_LIST, List[0].PartialResourceList.PartialDescriptors) +
                                 full.PartialResourceList.Count * sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR);
        const auto* bytes = reinterpret_cast<const unsigned char*>(raw);
        list.assign(bytes, bytes + size);
        ExFreePool(raw);
    }
    if (translated) ExFreePool(translated);
    return list;
}

struct Rescan {
    WORK_QUEUE_ITEM item;
};

VOID NTAPI rescan_root(PVOID context) {
    auto* rescan = static_cast<Rescan*>(context);
    (void)pnp_enumerate_root(nullptr);
    ExFreePool(rescan);
}

}  // namespace

}  // namespace ntio::io

using namespace ntio;
using namespace ntio::io;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetdeviceproperty
NTSTATUS NTAPI IoGetDeviceProperty(PDEVICE_OBJECT DeviceObject, DEVICE_REGISTRY_PROPERTY DeviceProperty,
                                   ULONG BufferLength, PVOID PropertyBuffer, PULONG ResultLength) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    if (!pnp_is_pdo(DeviceObject)) invalid_pdo(DeviceObject);
    if (!ResultLength) return STATUS_INVALID_PARAMETER_5;
    *ResultLength = 0;
    PnpNode* node = pnp_node_of(DeviceObject);
    if (!node) return STATUS_NO_SUCH_DEVICE;
    const PnpNodeProperties& p = pnp_node_properties(*node);
    switch (DeviceProperty) {
    case DevicePropertyDeviceDescription: return copy_property(p.description, false, BufferLength, PropertyBuffer, ResultLength);
    case DevicePropertyHardwareID: return copy_property(p.hardware_ids, true, BufferLength, PropertyBuffer, ResultLength);
    case DevicePropertyCompatibleIDs:
        return copy_property(p.compatible_ids, true, BufferLength, PropertyBuffer, ResultLength);
    case DevicePropertyClassName: return copy_property(p.class_name, false, BufferLength, PropertyBuffer, ResultLength);
    case DevicePropertyClassGuid: return copy_property(p.class_guid, false, BufferLength, PropertyBuffer, ResultLength);
    case DevicePropertyFriendlyName:
        return copy_property(p.friendly_name, false, BufferLength, PropertyBuffer, ResultLength);
    case DevicePropertyManufacturer:
        return copy_property(p.manufacturer, false, BufferLength, PropertyBuffer, ResultLength);
    case DevicePropertyEnumeratorName: return copy_property(u"ROOT", false, BufferLength, PropertyBuffer, ResultLength);
    case DevicePropertyPhysicalDeviceObjectName:
        return copy_property(device_private(DeviceObject)->name, false, BufferLength, PropertyBuffer, ResultLength);
    case DevicePropertyInstallState:
        return copy_ulong(0 /* InstallStateInstalled */, BufferLength, PropertyBuffer, ResultLength);
    case DevicePropertyRemovalPolicy:
        return copy_ulong(removal_policy(pnp_node_capabilities(*node)), BufferLength, PropertyBuffer, ResultLength);
    // "An address value of 0xFFFFFFFF indicates that the underlying bus driver did not supply a bus
    // address": the value is returned as is.
    case DevicePropertyAddress:
        return copy_ulong(pnp_node_capabilities(*node).Address, BufferLength, PropertyBuffer, ResultLength);
    case DevicePropertyUINumber: {
        // ntio's reading, not confirmed on Windows: a stack that reported no UI number (-1) has no
        // such property.
        const ULONG number = pnp_node_capabilities(*node).UINumber;
        if (number == 0xFFFFFFFF) return STATUS_OBJECT_NAME_NOT_FOUND;
        return copy_ulong(number, BufferLength, PropertyBuffer, ResultLength);
    }
    case DevicePropertyAllocatedResources:
    case DevicePropertyBootConfiguration: {
        std::vector<unsigned char> list = pnp_node_resources(*node, DeviceProperty == DevicePropertyBootConfiguration);
        if (list.empty()) return STATUS_OBJECT_NAME_NOT_FOUND;
        *ResultLength = static_cast<ULONG>(list.size());
        if (BufferLength < list.size() || !PropertyBuffer) return STATUS_BUFFER_TOO_SMALL;
        std::memcpy(PropertyBuffer, list.data(), list.size());
        return STATUS_SUCCESS;
    }
    case DevicePropertyBootConfigurationTranslated:
    case DevicePropertyDriverKeyName:
    case DevicePropertyLocationInformation:
    case DevicePropertyBusTypeGuid:
    case DevicePropertyLegacyBusType:
    case DevicePropertyBusNumber:
    case DevicePropertyResourceRequirements:
    case DevicePropertyContainerID:
        // A root device has no bus location, translated boot configuration or driver key here.
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    return STATUS_INVALID_PARAMETER_2;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioinvalidatedevicerelations
// NT deviation: minimal. Root devices have no children of their own; BusRelations on a root PDO
// re-reads Enum\Root (new instances are added and started) from a system worker; the other relation
// types have nothing to re-query.
VOID NTAPI IoInvalidateDeviceRelations(PDEVICE_OBJECT DeviceObject, DEVICE_RELATION_TYPE Type) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    if (!pnp_is_pdo(DeviceObject)) invalid_pdo(DeviceObject);
    if (Type != BusRelations) return;
    auto* rescan = static_cast<Rescan*>(ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(Rescan), 'PnpR'));
    if (!rescan) return;
    ExInitializeWorkItem(&rescan->item, rescan_root, rescan);
    ExQueueWorkItem(&rescan->item, DelayedWorkQueue);
}

}  // extern "C"

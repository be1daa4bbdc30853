// The legacy (pre-Plug and Play) configuration routines: IoQueryDeviceDescription over the
// registry's hardware description, IoReportResourceUsage (the claims IoReportResourceForDetection
// keeps), the obsolete IoAssignResources, IoSetSystemPartition and the boot disk. ntio starts without
// firmware, buses or a boot loader (docs/nt-deviations.md, "io: legacy configuration").
#include "io/ddk.hpp"
#include "verifier/verifier.hpp"

namespace {

constexpr char16_t kSetupKey[] = u"\\Registry\\Machine\\SYSTEM\\Setup";
constexpr char16_t kSystemPartitionValue[] = u"SystemPartition";

PWSTR wide(const char16_t* text) { return reinterpret_cast<PWSTR>(const_cast<char16_t*>(text)); }

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioquerydevicedescription
// The routine walks \Registry\Machine\Hardware\Description\System, where firmware detection records
// buses, controllers and peripherals, and returns the status of the last CalloutRoutine. ntio detects
// no hardware, so nothing matches: the callout is never called and the status is the one a missing
// key gives, STATUS_OBJECT_NAME_NOT_FOUND.
NTKERNELAPI NTSTATUS NTAPI IoQueryDeviceDescription(PINTERFACE_TYPE BusType, PULONG BusNumber,
                                                    PCONFIGURATION_TYPE ControllerType, PULONG ControllerNumber,
                                                    PCONFIGURATION_TYPE PeripheralType, PULONG PeripheralNumber,
                                                    PIO_QUERY_DEVICE_ROUTINE CalloutRoutine, PVOID Context) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    (void)BusNumber, (void)ControllerNumber, (void)PeripheralNumber, (void)Context;
    if (!CalloutRoutine) return STATUS_INVALID_PARAMETER;
    // "The caller must supply at least one type parameter."
    if (!BusType && !ControllerType && !PeripheralType) return STATUS_INVALID_PARAMETER;
    if (BusType && (*BusType <= InterfaceTypeUndefined || *BusType >= MaximumInterfaceType))
        return STATUS_INVALID_PARAMETER;
    return STATUS_OBJECT_NAME_NOT_FOUND;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioreportresourceusage
// The claims are IoReportResourceForDetection's (the same table, the same conflicts); with
// OverrideConflict the caller takes the resources whatever conflicts, so a conflict is reported in
// *ConflictDetected and the claim still fails, as there is no arbiter to override.
NTKERNELAPI NTSTATUS NTAPI IoReportResourceUsage(PUNICODE_STRING DriverClassName, PDRIVER_OBJECT DriverObject,
                                                 PCM_RESOURCE_LIST DriverList, ULONG DriverListSize,
                                                 PDEVICE_OBJECT DeviceObject, PCM_RESOURCE_LIST DeviceList,
                                                 ULONG DeviceListSize, BOOLEAN OverrideConflict,
                                                 PBOOLEAN ConflictDetected) {
    (void)DriverClassName, (void)OverrideConflict;
    return IoReportResourceForDetection(DriverObject, DriverList, DriverListSize, DeviceObject, DeviceList,
                                        DeviceListSize, ConflictDetected);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioassignresources
// Obsolete since Windows 2000: resources come with IRP_MN_START_DEVICE. Assigning them needs a
// legacy bus's arbiter; ntio has none: STATUS_NOT_SUPPORTED, *AllocatedResources left alone.
NTKERNELAPI NTSTATUS NTAPI IoAssignResources(PUNICODE_STRING RegistryPath, PUNICODE_STRING DriverClassName,
                                             PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT DeviceObject,
                                             PIO_RESOURCE_REQUIREMENTS_LIST RequestedResources,
                                             PCM_RESOURCE_LIST* AllocatedResources) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    (void)DriverClassName, (void)DeviceObject, (void)RequestedResources;
    if (!RegistryPath || !DriverObject || !AllocatedResources) return STATUS_INVALID_PARAMETER;
    return STATUS_NOT_SUPPORTED;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iosetsystempartition
// Records the volume as the system partition where Windows keeps it: the SystemPartition value of
// HKLM\SYSTEM\Setup. The name must be a device object's (STATUS_OBJECT_NAME_NOT_FOUND, or the
// lookup's status, otherwise).
NTKERNELAPI NTSTATUS NTAPI IoSetSystemPartition(PUNICODE_STRING VolumeNameString) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    if (!VolumeNameString || !VolumeNameString->Buffer || VolumeNameString->Length == 0 ||
        VolumeNameString->Length % sizeof(WCHAR))
        return STATUS_INVALID_PARAMETER;
    PVOID volume = nullptr;
    NTSTATUS status = ObReferenceObjectByName(VolumeNameString, OBJ_CASE_INSENSITIVE, nullptr, 0, *IoDeviceObjectType,
                                              KernelMode, nullptr, &volume);
    if (!NT_SUCCESS(status)) return status;
    ObDereferenceObject(volume);
    status = RtlCreateRegistryKey(RTL_REGISTRY_ABSOLUTE, wide(kSetupKey));
    if (!NT_SUCCESS(status)) return status;
    std::vector<WCHAR> value(VolumeNameString->Length / sizeof(WCHAR) + 1, 0);
    std::memcpy(value.data(), VolumeNameString->Buffer, VolumeNameString->Length);
    return RtlWriteRegistryValue(RTL_REGISTRY_ABSOLUTE, wide(kSetupKey), wide(kSystemPartitionValue), REG_SZ,
                                 value.data(), static_cast<ULONG>(value.size() * sizeof(WCHAR)));
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetbootdiskinformation
// The information comes from the boot loader's block, which is gone once boot drivers have started
// (STATUS_TOO_LATE). ntio has no boot loader, so it is never there.
NTKERNELAPI NTSTATUS NTAPI IoGetBootDiskInformation(PBOOTDISK_INFORMATION BootDiskInformation, ULONG Size) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    if (!BootDiskInformation || Size < sizeof(BOOTDISK_INFORMATION)) return STATUS_INVALID_PARAMETER;
    return STATUS_TOO_LATE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetbootdiskinformationlite
NTKERNELAPI NTSTATUS NTAPI IoGetBootDiskInformationLite(PBOOTDISK_INFORMATION_LITE* BootDiskInformation) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    if (!BootDiskInformation) return STATUS_INVALID_PARAMETER;
    return STATUS_TOO_LATE;
}

}  // extern "C"

// HalDispatchTable: the HAL's table of routines the kernel and drivers call through (ntddk.h's
// HalQuerySystemInformation, HalIoReadPartitionTable, HalReferenceHandlerForBus, ... are macros over
// it). The table holds routines only, no system state, so one table serves every System in the
// process, as the exported data of one kernel image would. Its own entries here: the information
// classes, memory mirroring and the boot-time entries, each as the HAL answers on a machine without
// the feature (docs/nt-deviations.md, "hal").
#include "io/hal_routines.hpp"

namespace {

// Learn documents neither routine; the class answers are those of a HAL on a machine without the
// hardware each class describes: STATUS_INVALID_LEVEL for a class this HAL does not provide (a
// guess, listed in docs/nt-deviations.md).
NTSTATUS NTAPI query_system_information(HAL_QUERY_INFORMATION_CLASS InformationClass, ULONG BufferSize, PVOID Buffer,
                                        PULONG ReturnedLength) {
    switch (InformationClass) {
    case HalInstalledBusInformation:
        // An array of the installed buses' descriptions: ntio has none, so it is empty.
        if (ReturnedLength) *ReturnedLength = 0;
        return STATUS_SUCCESS;
    case HalQueryMaxHotPlugMemoryAddress: {
        // The highest address hot-added memory may reach: no memory can be hot-added, so zero.
        if (BufferSize < sizeof(PHYSICAL_ADDRESS) || !Buffer) {
            if (ReturnedLength) *ReturnedLength = sizeof(PHYSICAL_ADDRESS);
            return STATUS_BUFFER_TOO_SMALL;
        }
        static_cast<PPHYSICAL_ADDRESS>(Buffer)->QuadPart = 0;
        if (ReturnedLength) *ReturnedLength = sizeof(PHYSICAL_ADDRESS);
        return STATUS_SUCCESS;
    }
    default:
        if (ReturnedLength) *ReturnedLength = 0;
        return STATUS_INVALID_LEVEL;
    }
}

// No class can be set: profiling sources, machine-check and platform error drivers, logs and
// enlightenments all need hardware or a hypervisor interface ntio does not have.
NTSTATUS NTAPI set_system_information(HAL_SET_INFORMATION_CLASS InformationClass, ULONG BufferSize, PVOID Buffer) {
    (void)InformationClass, (void)BufferSize, (void)Buffer;
    return STATUS_INVALID_LEVEL;
}

// The kernel calls these once while it boots; ntio's boot has nothing for them to start.
NTSTATUS NTAPI init_pnp_driver() { return STATUS_SUCCESS; }

NTSTATUS NTAPI init_power_management(PPM_DISPATCH_TABLE PmDriverDispatchTable, PPM_DISPATCH_TABLE* PmHalDispatchTable) {
    (void)PmDriverDispatchTable;
    if (PmHalDispatchTable) *PmHalDispatchTable = nullptr;
    return STATUS_NOT_SUPPORTED;
}

VOID NTAPI end_of_boot() {}

// No bus to bridge: no translator.
NTSTATUS NTAPI get_interrupt_translator(INTERFACE_TYPE ParentInterfaceType, ULONG ParentBusNumber,
                                        INTERFACE_TYPE BridgeInterfaceType, USHORT Size, USHORT Version,
                                        struct _TRANSLATOR_INTERFACE* Translator, PULONG BridgeBusNumber) {
    (void)ParentInterfaceType, (void)ParentBusNumber, (void)BridgeInterfaceType, (void)Size, (void)Version;
    (void)Translator, (void)BridgeBusNumber;
    return STATUS_NOT_SUPPORTED;
}

// Memory mirroring copies physical memory to a new board before a hot replace: no physical memory.
NTSTATUS NTAPI start_mirroring() { return STATUS_NOT_SUPPORTED; }
NTSTATUS NTAPI end_mirroring(ULONG PassNumber) {
    (void)PassNumber;
    return STATUS_NOT_SUPPORTED;
}
NTSTATUS NTAPI mirror_physical_memory(PHYSICAL_ADDRESS PhysicalAddress, LARGE_INTEGER NumberOfBytes) {
    (void)PhysicalAddress, (void)NumberOfBytes;
    return STATUS_NOT_SUPPORTED;
}
NTSTATUS NTAPI mirror_verify(PHYSICAL_ADDRESS PhysicalAddress, LARGE_INTEGER NumberOfBytes) {
    (void)PhysicalAddress, (void)NumberOfBytes;
    return STATUS_NOT_SUPPORTED;
}

// No firmware: no ACPI table of any signature.
PVOID NTAPI get_cached_acpi_table(ULONG Signature, PCSTR OemId, PCSTR OemTableId) {
    (void)Signature, (void)OemId, (void)OemTableId;
    return nullptr;
}

// No PCI bus raises an error for the callback to hear of.
VOID NTAPI set_pci_error_handler_callback(PCI_ERROR_HANDLER_CALLBACK Callback) { (void)Callback; }

// Positional: ntddk.h's macros spell most member names.
HAL_DISPATCH g_table = {
    HAL_DISPATCH_VERSION,
    query_system_information,
    set_system_information,
    ntio::io::hal::query_bus_slots,
    0,
    ntio::io::hal::examine_mbr,
    ntio::io::hal::assign_drive_letters,
    ntio::io::hal::read_partition_table,
    ntio::io::hal::set_partition_information,
    ntio::io::hal::write_partition_table,
    ntio::io::hal::reference_handler_for_bus,
    ntio::io::hal::reference_bus_handler,
    ntio::io::hal::reference_bus_handler,
    init_pnp_driver,
    init_power_management,
    ntio::io::hal::get_dma_adapter,
    get_interrupt_translator,
    start_mirroring,
    end_mirroring,
    mirror_physical_memory,
    end_of_boot,
    mirror_verify,
    get_cached_acpi_table,
    set_pci_error_handler_callback,
};

}  // namespace

extern "C" {

NTKERNELAPI PHAL_DISPATCH HalDispatchTable = &g_table;

}  // extern "C"

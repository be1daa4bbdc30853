// Buses as the HAL reports them (ntddk.h): configuration data, slot resources, bus addresses,
// interrupt vectors and bus handlers. ntio runs drivers in user space over no bus at all, so every
// bus a caller names is one that does not exist, and each routine answers as Windows does for it.
#include "io/hal_routines.hpp"
#include "verifier/verifier.hpp"

namespace {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-halgetbusdata
// "If the specified PCI bus does not exist, the return value is zero" (and zero for a BusDataType the
// platform does not have): no bytes are read or written, and the buffer is left as it was.
ULONG no_bus_data(BUS_DATA_TYPE type) {
    (void)type;
    return 0;
}

}  // namespace

extern "C" {

NTHALAPI ULONG NTAPI HalGetBusData(BUS_DATA_TYPE BusDataType, ULONG BusNumber, ULONG SlotNumber, PVOID Buffer,
                                   ULONG Length) {
    (void)BusNumber, (void)SlotNumber, (void)Buffer, (void)Length;
    return no_bus_data(BusDataType);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-halgetbusdatabyoffset
NTHALAPI ULONG NTAPI HalGetBusDataByOffset(BUS_DATA_TYPE BusDataType, ULONG BusNumber, ULONG SlotNumber, PVOID Buffer,
                                           ULONG Offset, ULONG Length) {
    (void)BusNumber, (void)SlotNumber, (void)Buffer, (void)Offset, (void)Length;
    return no_bus_data(BusDataType);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-halsetbusdata
// The number of bytes set: zero when the bus does not exist.
NTHALAPI ULONG NTAPI HalSetBusData(BUS_DATA_TYPE BusDataType, ULONG BusNumber, ULONG SlotNumber, PVOID Buffer,
                                   ULONG Length) {
    (void)BusNumber, (void)SlotNumber, (void)Buffer, (void)Length;
    return no_bus_data(BusDataType);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-halsetbusdatabyoffset
NTHALAPI ULONG NTAPI HalSetBusDataByOffset(BUS_DATA_TYPE BusDataType, ULONG BusNumber, ULONG SlotNumber, PVOID Buffer,
                                           ULONG Offset, ULONG Length) {
    (void)BusNumber, (void)SlotNumber, (void)Buffer, (void)Offset, (void)Length;
    return no_bus_data(BusDataType);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-halassignslotresources
// Learn names no status for a bus that is not there; ntio answers STATUS_NO_SUCH_DEVICE (a guess,
// docs/nt-deviations.md) and leaves *AllocatedResources alone.
NTHALAPI NTSTATUS NTAPI HalAssignSlotResources(PUNICODE_STRING RegistryPath, PUNICODE_STRING DriverClassName,
                                               PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT DeviceObject,
                                               INTERFACE_TYPE BusType, ULONG BusNumber, ULONG SlotNumber,
                                               PCM_RESOURCE_LIST* AllocatedResources) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    (void)DriverClassName, (void)DeviceObject, (void)BusType, (void)BusNumber, (void)SlotNumber;
    if (!RegistryPath || !DriverObject || !AllocatedResources) return STATUS_INVALID_PARAMETER;
    return STATUS_NO_SUCH_DEVICE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-haltranslatebusaddress
// FALSE when the address cannot be translated: no bus maps it. *AddressSpace and *TranslatedAddress
// are left as they were.
NTHALAPI BOOLEAN NTAPI HalTranslateBusAddress(INTERFACE_TYPE InterfaceType, ULONG BusNumber,
                                              PHYSICAL_ADDRESS BusAddress, PULONG AddressSpace,
                                              PPHYSICAL_ADDRESS TranslatedAddress) {
    (void)InterfaceType, (void)BusNumber, (void)BusAddress, (void)AddressSpace, (void)TranslatedAddress;
    return FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iotranslatebusaddress
NTKERNELAPI BOOLEAN NTAPI IoTranslateBusAddress(INTERFACE_TYPE InterfaceType, ULONG BusNumber,
                                                PHYSICAL_ADDRESS BusAddress, PULONG AddressSpace,
                                                PPHYSICAL_ADDRESS TranslatedAddress) {
    return HalTranslateBusAddress(InterfaceType, BusNumber, BusAddress, AddressSpace, TranslatedAddress);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-halgetinterruptvector
// Zero, the vector of no interrupt, when the bus-relative level and vector cannot be translated;
// *Irql and *Affinity get zero too so that nothing reads an uninitialized value.
NTHALAPI ULONG NTAPI HalGetInterruptVector(INTERFACE_TYPE InterfaceType, ULONG BusNumber, ULONG BusInterruptLevel,
                                           ULONG BusInterruptVector, PKIRQL Irql, PKAFFINITY Affinity) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    (void)InterfaceType, (void)BusNumber, (void)BusInterruptLevel, (void)BusInterruptVector;
    if (Irql) *Irql = PASSIVE_LEVEL;
    if (Affinity) *Affinity = 0;
    return 0;
}

}  // extern "C"

namespace ntio::io::hal {

// The bus handler of a bus that does not exist: none.
PBUS_HANDLER FASTCALL reference_handler_for_bus(INTERFACE_TYPE InterfaceType, ULONG BusNumber) {
    (void)InterfaceType, (void)BusNumber;
    return nullptr;
}

// No bus handler can have been handed out, so there is no count to change.
VOID FASTCALL reference_bus_handler(PBUS_HANDLER BusHandler) { (void)BusHandler; }

// Only a handler from HalReferenceHandlerForBus names a bus, and it hands out none.
NTSTATUS NTAPI query_bus_slots(PBUS_HANDLER BusHandler, ULONG BufferSize, PULONG SlotNumbers, PULONG ReturnedLength) {
    (void)BusHandler, (void)BufferSize, (void)SlotNumbers;
    if (ReturnedLength) *ReturnedLength = 0;
    return STATUS_INVALID_PARAMETER;
}

}  // namespace ntio::io::hal

// VerDdi's modes for the I/O and memory manager routines the IRQL rules name beyond the ones in
// verifier_ddi_driver.cpp, and for the PnP and power manager routines no rule names: one routine
// first in each mode, called at the IRQL the read asked for, as a driver writer would call it.
#include "verifier_ddi_driver.hpp"

#include <ntio/ddk/devpkey.h>

namespace ntio::verifier::test {
namespace {

// An interface class nobody registers.
constexpr GUID kNoClass = {0x5d3a1c07, 0x2b4e, 0x4f61, {0x9a, 0x10, 0x3c, 0x77, 0x41, 0xe2, 0x0b, 0x58}};

NTSTATUS NTAPI interface_arrived(PVOID, PVOID) { return STATUS_SUCCESS; }

VOID NTAPI power_set(PDEVICE_OBJECT, UCHAR, POWER_STATE, PVOID Context, PIO_STATUS_BLOCK) {
    KeSetEvent(static_cast<PKEVENT>(Context), IO_NO_INCREMENT, FALSE);
}

// A custom event for the target device change reports.
TARGET_DEVICE_CUSTOM_NOTIFICATION custom_event() {
    TARGET_DEVICE_CUSTOM_NOTIFICATION n{};
    n.Version = 1;
    n.Size = sizeof n;
    n.Event = kNoClass;
    n.NameBufferOffset = -1;
    return n;
}

UNICODE_STRING missing_link() {
    UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\??\\ROOT#VERDDI#0000#{5d3a1c07-2b4e-4f61-9a10-3c7741e20b58}");
    return link;
}

NTSTATUS power_state(PDEVICE_OBJECT device, DEVICE_POWER_STATE d) {
    POWER_STATE state;
    state.DeviceState = d;
    (void)PoSetPowerState(device, DevicePowerState, state);
    return STATUS_SUCCESS;
}

}  // namespace

NTSTATUS VerDdiCallPnpDdi(ULONG mode, PDEVICE_OBJECT device, DdiExtension* ext) {
    switch (mode) {
    case kDdiCheckShareAccess: {
        // What a file system's create does with the new file object (here one of its own).
        FILE_OBJECT file{};
        SHARE_ACCESS share{};
        return IoCheckShareAccess(FILE_READ_DATA, FILE_SHARE_READ, &file, &share, FALSE);
    }
    case kDdiCreateController:
        if (PCONTROLLER_OBJECT controller = IoCreateController(16)) IoDeleteController(controller);
        break;
    case kDdiDeleteController: IoDeleteController(ext->SpareController); ext->SpareController = nullptr; break;
    case kDdiDisconnectInterrupt: IoDisconnectInterrupt(ext->SpareInterrupt); ext->SpareInterrupt = nullptr; break;
    case kDdiConfigurationInformation: return IoGetConfigurationInformation() ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
    case kDdiGetDmaAdapter: {
        DEVICE_DESCRIPTION d{};
        d.Version = DEVICE_DESCRIPTION_VERSION;
        d.Master = TRUE;
        d.ScatterGather = TRUE;
        d.Dma32BitAddresses = TRUE;
        d.InterfaceType = Internal;
        d.MaximumLength = PAGE_SIZE;
        ULONG registers = 0;
        if (PDMA_ADAPTER adapter = IoGetDmaAdapter(device, &d, &registers)) adapter->DmaOperations->PutDmaAdapter(adapter);
        break;
    }
    case kDdiFileGenericMapping: return IoGetFileObjectGenericMapping() ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
    case kDdiWdmVersion: return IoIsWdmVersionAvailable(1, 0x10) ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
    case kDdiWmiRegistration: {
        const NTSTATUS status = IoWMIRegistrationControl(device, WMIREG_ACTION_REGISTER);
        if (!NT_SUCCESS(status)) return status;
        return IoWMIRegistrationControl(device, WMIREG_ACTION_DEREGISTER);
    }
    case kDdiFreeContiguous: MmFreeContiguousMemory(ext->SpareContiguous); ext->SpareContiguous = nullptr; break;
    case kDdiRegisterPlugPlay: {
        PVOID entry = nullptr;
        const NTSTATUS status =
            IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange, 0, const_cast<GUID*>(&kNoClass),
                                           device->DriverObject, interface_arrived, nullptr, &entry);
        if (!NT_SUCCESS(status)) return status;
        return IoUnregisterPlugPlayNotificationEx(entry);
    }
    case kDdiUnregisterPlugPlay: {
        PVOID entry = ext->SpareNotification;
        ext->SpareNotification = nullptr;
        return IoUnregisterPlugPlayNotification(entry);
    }
    case kDdiUnregisterPlugPlayEx: {
        PVOID entry = ext->SpareNotification;
        ext->SpareNotification = nullptr;
        return IoUnregisterPlugPlayNotificationEx(entry);
    }
    case kDdiReportTargetChange: {
        TARGET_DEVICE_CUSTOM_NOTIFICATION n = custom_event();
        (void)IoReportTargetDeviceChange(device, &n);  // not a PDO: STATUS_INVALID_PARAMETER
        break;
    }
    case kDdiReportTargetChangeAsync: {
        TARGET_DEVICE_CUSTOM_NOTIFICATION n = custom_event();
        (void)IoReportTargetDeviceChangeAsynchronous(device, &n, nullptr, nullptr);
        break;
    }
    case kDdiGetDeviceProperty: {
        ULONG length = 0;
        (void)IoGetDeviceProperty(device, DevicePropertyDeviceDescription, 0, nullptr, &length);
        break;
    }
    case kDdiInvalidateRelations: IoInvalidateDeviceRelations(device, BusRelations); break;
    case kDdiGetPropertyData: {
        ULONG required = 0;
        DEVPROPTYPE type = 0;
        (void)IoGetDevicePropertyData(device, &DEVPKEY_Device_DeviceDesc, LOCALE_NEUTRAL, 0, 0, nullptr, &required,
                                      &type);
        break;
    }
    case kDdiSetPropertyData:
        (void)IoSetDevicePropertyData(device, &DEVPKEY_Device_DeviceDesc, LOCALE_NEUTRAL, 0, DEVPROP_TYPE_EMPTY, 0,
                                      nullptr);
        break;
    case kDdiGetInterfacePropertyData: {
        UNICODE_STRING link = missing_link();
        ULONG required = 0;
        DEVPROPTYPE type = 0;
        (void)IoGetDeviceInterfacePropertyData(&link, &DEVPKEY_Device_DeviceDesc, LOCALE_NEUTRAL, 0, 0, nullptr,
                                               &required, &type);
        break;
    }
    case kDdiSetInterfacePropertyData: {
        UNICODE_STRING link = missing_link();
        (void)IoSetDeviceInterfacePropertyData(&link, &DEVPKEY_Device_DeviceDesc, LOCALE_NEUTRAL, 0,
                                               DEVPROP_TYPE_EMPTY, 0, nullptr);
        break;
    }
    case kDdiOpenInterfaceKey: {
        UNICODE_STRING link = missing_link();
        HANDLE key = nullptr;
        if (NT_SUCCESS(IoOpenDeviceInterfaceRegistryKey(&link, KEY_READ, &key))) ZwClose(key);
        break;
    }
    case kDdiInvalidateState: IoInvalidateDeviceState(device); break;
    case kDdiRequestEject: IoRequestDeviceEject(device); break;
    case kDdiGetDeviceInterfaces: {
        PWSTR list = nullptr;
        const NTSTATUS status = IoGetDeviceInterfaces(&kNoClass, nullptr, 0, &list);
        if (NT_SUCCESS(status)) ExFreePool(list);
        return status;
    }
    case kDdiReportDetected: {
        PDEVICE_OBJECT pdo = device;  // "supplies a PDO": this one is none
        return IoReportDetectedDevice(device->DriverObject, InterfaceTypeUndefined, static_cast<ULONG>(-1),
                                      static_cast<ULONG>(-1), nullptr, nullptr, FALSE, &pdo) ==
                       STATUS_INVALID_PARAMETER_8
                   ? STATUS_SUCCESS
                   : STATUS_UNSUCCESSFUL;
    }
    case kDdiReportResourceForDetection: {
        BOOLEAN conflict = FALSE;
        return IoReportResourceForDetection(device->DriverObject, nullptr, 0, nullptr, nullptr, 0, &conflict);
    }
    case kDdiGetRelatedTargetDevice: {
        PDEVICE_OBJECT target = nullptr;
        return IoGetRelatedTargetDevice(nullptr, &target) == STATUS_INVALID_PARAMETER ? STATUS_SUCCESS
                                                                                        : STATUS_UNSUCCESSFUL;
    }
    case kDdiPoCallDriver: {
        PIRP irp = ext->SparePowerIrp;
        ext->SparePowerIrp = nullptr;
        return PoCallDriver(device, irp);
    }
    case kDdiStartNextPowerIrp: PoStartNextPowerIrp(ext->SparePowerIrp); break;
    case kDdiSetPowerStateD3: return power_state(device, PowerDeviceD3);
    case kDdiSetPowerStateD0: return power_state(device, PowerDeviceD0);
    case kDdiRequestPowerIrp: {
        POWER_STATE state;
        state.DeviceState = PowerDeviceD0;
        const NTSTATUS status =
            PoRequestPowerIrp(device, IRP_MN_SET_POWER, state, power_set, &ext->PowerDone, nullptr);
        return status == STATUS_PENDING ? STATUS_SUCCESS : status;
    }
    case kDdiIdleDetection:
        return PoRegisterDeviceForIdleDetection(device, 0, 0, PowerDeviceD3) ? STATUS_UNSUCCESSFUL : STATUS_SUCCESS;
    case kDdiRegisterSystemState: {
        PVOID state = PoRegisterSystemState(nullptr, ES_SYSTEM_REQUIRED);
        if (!state) return STATUS_INSUFFICIENT_RESOURCES;
        PoUnregisterSystemState(state);
        break;
    }
    case kDdiUnregisterSystemState:
        PoUnregisterSystemState(ext->SpareSystemState);
        ext->SpareSystemState = nullptr;
        break;
    case kDdiSetSystemState: PoSetSystemState(ES_SYSTEM_REQUIRED); break;
    case kDdiPowerRequest: {
        PVOID request = nullptr;
        const NTSTATUS status = PoCreatePowerRequest(&request, device, nullptr);
        if (!NT_SUCCESS(status)) return status;
        PoDeletePowerRequest(request);
        break;
    }
    case kDdiSetPowerRequest: {
        const NTSTATUS status = PoSetPowerRequest(ext->SparePowerRequest, PowerRequestSystemRequired);
        if (!NT_SUCCESS(status)) return status;
        return PoClearPowerRequest(ext->SparePowerRequest, PowerRequestSystemRequired);
    }
    case kDdiPoFxRegister: {
        POHANDLE handle = nullptr;
        return PoFxRegisterDevice(device, nullptr, &handle) == STATUS_INVALID_PARAMETER ? STATUS_SUCCESS
                                                                                       : STATUS_UNSUCCESSFUL;
    }
    case kDdiPoFxStart: PoFxStartDevicePowerManagement(nullptr); break;
    case kDdiPoFxUnregister: PoFxUnregisterDevice(nullptr); break;
    case kDdiPoFxActivate: PoFxActivateComponent(nullptr, 0, 0); break;
    case kDdiPoFxIdle: PoFxIdleComponent(nullptr, 0, 0); break;
    case kDdiPoFxCompleteIdleCondition: PoFxCompleteIdleCondition(nullptr, 0); break;
    case kDdiPoFxCompleteIdleState: PoFxCompleteIdleState(nullptr, 0); break;
    case kDdiPoFxCompleteNotRequired: PoFxCompleteDevicePowerNotRequired(nullptr); break;
    case kDdiPoFxReportPoweredOn: PoFxReportDevicePoweredOn(nullptr); break;
    case kDdiPoFxSetIdleTimeout: PoFxSetDeviceIdleTimeout(nullptr, 0); break;
    case kDdiPoFxSetLatency: PoFxSetComponentLatency(nullptr, 0, 0); break;
    case kDdiPoFxSetResidency: PoFxSetComponentResidency(nullptr, 0, 0); break;
    case kDdiPoFxSetWake: PoFxSetComponentWake(nullptr, 0, FALSE); break;
    case kDdiPoFxPowerControl: {
        SIZE_T returned = 1;
        return PoFxPowerControl(nullptr, &kNoClass, nullptr, 0, nullptr, 0, &returned) == STATUS_INVALID_PARAMETER &&
                       returned == 0
                   ? STATUS_SUCCESS
                   : STATUS_UNSUCCESSFUL;
    }
    case kDdiPoFxSurprisePowerOn: PoFxNotifySurprisePowerOn(device); break;
    case kDdiInvalidateAllCaches: (void)KeInvalidateAllCaches(); break;
    case kDdiInvalidateRangeAllCaches: KeInvalidateRangeAllCaches(ext, sizeof(*ext)); break;
    case kDdiMapIoSpace: {
        PVOID mapped = MmMapIoSpace(MmGetPhysicalAddress(ext), sizeof(*ext), MmNonCached);
        if (mapped != ext) return STATUS_UNSUCCESSFUL;
        MmUnmapIoSpace(mapped, sizeof(*ext));
        break;
    }
    case kDdiHardwareCounters: {
        HARDWARE_COUNTER counters[MAX_HW_COUNTERS];
        ULONG count = 0;
        return KeQueryHardwareCounterConfiguration(counters, MAX_HW_COUNTERS, &count) == STATUS_NOT_IMPLEMENTED
                   ? STATUS_SUCCESS
                   : STATUS_UNSUCCESSFUL;
    }
    default: break;
    }
    return STATUS_SUCCESS;
}

}  // namespace ntio::verifier::test

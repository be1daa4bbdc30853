// The WMI suite's provider driver (see wmi_provider_driver.hpp), written as a WDK driver handles
// WMI IRPs without the WMI library: each request whose ProviderId is not its device goes down the
// stack, IRP_MN_REGINFO_EX returns a WMIREGINFO (or the size it needs), the data requests read
// and write WNODEs at the offsets WMI gives, and a buffer too small gets a WNODE_TOO_SMALL.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/handling-wmi-requests
#include "wmi_provider_driver.hpp"

namespace ntio::wmi_test {
namespace {

UNICODE_STRING g_registry_path;
WCHAR g_registry_path_buffer[256];


BOOLEAN is_guid(const GUID* a, const GUID* b) { return RtlCompareMemory(a, b, sizeof(GUID)) == sizeof(GUID); }

// Writes a counted string at `offset` of `base` (when base is not NULL); returns the offset after it.
ULONG put_counted(PUCHAR base, ULONG offset, PCWSTR text, USHORT bytes) {
    if (base) {
        RtlCopyMemory(base + offset, &bytes, sizeof(USHORT));
        RtlCopyMemory(base + offset + sizeof(USHORT), text, bytes);
    }
    return offset + sizeof(USHORT) + bytes;
}

ULONG put_sz(PUCHAR base, ULONG offset, PCWSTR text) {
    USHORT bytes = 0;
    while (text[bytes / sizeof(WCHAR)]) bytes += sizeof(WCHAR);
    return put_counted(base, offset, text, bytes);
}

// The WMIREGINFO: fills `base` when given, returns its size either way.
ULONG build_reginfo(PUCHAR base) {
    const ULONG guids = 3;
    ULONG offset = FIELD_OFFSET(WMIREGINFO, WmiRegGuid) + guids * sizeof(WMIREGGUID);
    PWMIREGINFO info = (PWMIREGINFO)base;
    ULONG registry_path = offset;
    offset = put_counted(base, offset, g_registry_path.Buffer, g_registry_path.Length);
    ULONG mof = offset;
    offset = put_sz(base, offset, L"WmiProviderMof");
    ULONG names = offset;
    offset = put_sz(base, offset, L"Alpha");
    offset = put_sz(base, offset, L"Beta");
    ULONG expensive = offset;
    offset = put_sz(base, offset, L"Expensive");
    ULONG event = offset;
    offset = put_sz(base, offset, L"Event");
    if (base) {
        info->BufferSize = offset;
        info->NextWmiRegInfo = 0;
        info->RegistryPath = registry_path;
        info->MofResourceName = mof;
        info->GuidCount = guids;
        info->WmiRegGuid[0].Guid = kDataGuid;
        info->WmiRegGuid[0].Flags = WMIREG_FLAG_INSTANCE_LIST;
        info->WmiRegGuid[0].InstanceCount = 2;
        info->WmiRegGuid[0].InstanceNameList = names;
        info->WmiRegGuid[1].Guid = kExpensiveGuid;
        info->WmiRegGuid[1].Flags = WMIREG_FLAG_EXPENSIVE | WMIREG_FLAG_INSTANCE_BASENAME;
        info->WmiRegGuid[1].InstanceCount = 1;
        info->WmiRegGuid[1].BaseNameOffset = expensive;
        info->WmiRegGuid[2].Guid = kEventGuid;
        info->WmiRegGuid[2].Flags = WMIREG_FLAG_EVENT_ONLY_GUID | WMIREG_FLAG_INSTANCE_BASENAME;
        info->WmiRegGuid[2].InstanceCount = 1;
        info->WmiRegGuid[2].BaseNameOffset = event;
    }
    return offset;
}

// A WNODE_TOO_SMALL telling WMI the size needed; STATUS_BUFFER_TOO_SMALL when even that does not fit.
NTSTATUS too_small(PIRP irp, PVOID buffer, ULONG buffer_size, ULONG needed) {
    if (buffer_size < sizeof(WNODE_TOO_SMALL)) {
        irp->IoStatus.Information = 0;
        return STATUS_BUFFER_TOO_SMALL;
    }
    PWNODE_TOO_SMALL small = (PWNODE_TOO_SMALL)buffer;
    small->WnodeHeader.BufferSize = sizeof(WNODE_TOO_SMALL);
    small->WnodeHeader.Flags |= WNODE_FLAG_TOO_SMALL;
    small->SizeNeeded = needed;
    irp->IoStatus.Information = sizeof(WNODE_TOO_SMALL);
    return STATUS_SUCCESS;
}

NTSTATUS reginfo(ProviderExtension* ext, PIRP irp, PIO_STACK_LOCATION sp) {
    InterlockedIncrement(&ext->reginfo_calls);
    if (PsGetCurrentThread() == ext->registering_thread) InterlockedIncrement(&ext->reginfo_on_registering_thread);
    ext->reginfo_passive = KeGetCurrentIrql() == PASSIVE_LEVEL;
    ext->reginfo_last_size = sp->Parameters.WMI.BufferSize;
    ext->reginfo_last_data_path = (ULONG_PTR)sp->Parameters.WMI.DataPath;
    if ((ULONG_PTR)sp->Parameters.WMI.DataPath == WMIUPDATE) InterlockedIncrement(&ext->updates);
    ULONG size = build_reginfo(NULL);
    if (sp->Parameters.WMI.BufferSize < size) {
        InterlockedIncrement(&ext->reginfo_too_small);
        if (sp->Parameters.WMI.BufferSize < sizeof(ULONG)) return STATUS_BUFFER_TOO_SMALL;
        *(PULONG)sp->Parameters.WMI.Buffer = size;
        irp->IoStatus.Information = sizeof(ULONG);
        return STATUS_BUFFER_TOO_SMALL;
    }
    build_reginfo((PUCHAR)sp->Parameters.WMI.Buffer);
    irp->IoStatus.Information = size;
    return STATUS_SUCCESS;
}

NTSTATUS query_all(ProviderExtension* ext, PIRP irp, PIO_STACK_LOCATION sp, const GUID* guid) {
    PWNODE_ALL_DATA wnode = (PWNODE_ALL_DATA)sp->Parameters.WMI.Buffer;
    ULONG count;
    if (is_guid(guid, &kDataGuid)) {
        count = 2;
    } else if (is_guid(guid, &kExpensiveGuid)) {
        count = 1;
    } else {
        return STATUS_WMI_GUID_NOT_FOUND;
    }
    InterlockedIncrement(&ext->queries);
    ULONG data = (sizeof(WNODE_ALL_DATA) + 7) & ~7u;
    ULONG size = data + count * sizeof(ULONG);
    if (sp->Parameters.WMI.BufferSize < size) return too_small(irp, wnode, sp->Parameters.WMI.BufferSize, size);
    PULONG out = (PULONG)((PUCHAR)wnode + data);
    if (count == 2) {
        out[0] = ext->values[0];
        out[1] = ext->values[1];
    } else {
        out[0] = ext->collecting;
    }
    wnode->WnodeHeader.BufferSize = size;
    wnode->WnodeHeader.Flags |= WNODE_FLAG_FIXED_INSTANCE_SIZE;
    KeQuerySystemTime(&wnode->WnodeHeader.TimeStamp);
    wnode->DataBlockOffset = data;
    wnode->InstanceCount = count;
    wnode->FixedInstanceSize = sizeof(ULONG);
    irp->IoStatus.Information = size;
    return STATUS_SUCCESS;
}

NTSTATUS query_single(ProviderExtension* ext, PIRP irp, PIO_STACK_LOCATION sp, const GUID* guid) {
    PWNODE_SINGLE_INSTANCE wnode = (PWNODE_SINGLE_INSTANCE)sp->Parameters.WMI.Buffer;
    ULONG value;
    if (is_guid(guid, &kDataGuid)) {
        if (wnode->InstanceIndex >= 2) return STATUS_WMI_INSTANCE_NOT_FOUND;
        value = ext->values[wnode->InstanceIndex];
    } else if (is_guid(guid, &kExpensiveGuid)) {
        if (wnode->InstanceIndex != 0) return STATUS_WMI_INSTANCE_NOT_FOUND;
        value = ext->collecting;
    } else {
        return STATUS_WMI_GUID_NOT_FOUND;
    }
    InterlockedIncrement(&ext->queries);
    ULONG size = wnode->DataBlockOffset + sizeof(ULONG);
    if (sp->Parameters.WMI.BufferSize < size) return too_small(irp, wnode, sp->Parameters.WMI.BufferSize, size);
    *(PULONG)((PUCHAR)wnode + wnode->DataBlockOffset) = value;
    wnode->SizeDataBlock = sizeof(ULONG);
    wnode->WnodeHeader.BufferSize = size;
    irp->IoStatus.Information = size;
    return STATUS_SUCCESS;
}

NTSTATUS change(ProviderExtension* ext, PIO_STACK_LOCATION sp, const GUID* guid) {
    if (!is_guid(guid, &kDataGuid)) return STATUS_WMI_GUID_NOT_FOUND;
    if (sp->MinorFunction == IRP_MN_CHANGE_SINGLE_INSTANCE) {
        PWNODE_SINGLE_INSTANCE wnode = (PWNODE_SINGLE_INSTANCE)sp->Parameters.WMI.Buffer;
        if (wnode->InstanceIndex >= 2) return STATUS_WMI_INSTANCE_NOT_FOUND;
        if (wnode->SizeDataBlock != sizeof(ULONG)) return STATUS_INVALID_BUFFER_SIZE;
        ext->values[wnode->InstanceIndex] = *(PULONG)((PUCHAR)wnode + wnode->DataBlockOffset);
        ext->last_version = wnode->WnodeHeader.Version;
        return STATUS_SUCCESS;
    }
    PWNODE_SINGLE_ITEM item = (PWNODE_SINGLE_ITEM)sp->Parameters.WMI.Buffer;
    if (item->InstanceIndex >= 2) return STATUS_WMI_INSTANCE_NOT_FOUND;
    if (item->ItemId != kItemValue) return STATUS_WMI_ITEMID_NOT_FOUND;
    if (item->SizeDataItem != sizeof(ULONG)) return STATUS_INVALID_BUFFER_SIZE;
    ext->values[item->InstanceIndex] = *(PULONG)((PUCHAR)item + item->DataBlockOffset);
    return STATUS_SUCCESS;
}

NTSTATUS execute(ProviderExtension* ext, PDEVICE_OBJECT device, PIRP irp, PIO_STACK_LOCATION sp, const GUID* guid) {
    if (!is_guid(guid, &kDataGuid)) return STATUS_WMI_GUID_NOT_FOUND;
    PWNODE_METHOD_ITEM method = (PWNODE_METHOD_ITEM)sp->Parameters.WMI.Buffer;
    if (method->InstanceIndex >= 2) return STATUS_WMI_INSTANCE_NOT_FOUND;
    PULONG data = (PULONG)((PUCHAR)method + method->DataBlockOffset);
    if (method->MethodId == kMethodFire) {
        if (method->SizeDataBlock < sizeof(ULONG)) return STATUS_INVALID_PARAMETER;
        NTSTATUS status = WmiProviderFireEvent(device, data[0]);
        method->SizeDataBlock = 0;
        method->WnodeHeader.BufferSize = method->DataBlockOffset;
        irp->IoStatus.Information = method->DataBlockOffset;
        return status;
    }
    if (method->MethodId != kMethodAdd) return STATUS_WMI_ITEMID_NOT_FOUND;
    if (method->SizeDataBlock < sizeof(ULONG)) return STATUS_INVALID_PARAMETER;
    ULONG size = method->DataBlockOffset + 2 * sizeof(ULONG);
    if (sp->Parameters.WMI.BufferSize < size) return too_small(irp, method, sp->Parameters.WMI.BufferSize, size);
    ULONG input = data[0];
    data[0] = ext->values[method->InstanceIndex] + input;
    data[1] = method->InstanceIndex;
    method->SizeDataBlock = 2 * sizeof(ULONG);
    method->WnodeHeader.BufferSize = size;
    irp->IoStatus.Information = size;
    return STATUS_SUCCESS;
}

NTSTATUS function_control(ProviderExtension* ext, PIO_STACK_LOCATION sp, const GUID* guid) {
    switch (sp->MinorFunction) {
    case IRP_MN_ENABLE_EVENTS:
    case IRP_MN_DISABLE_EVENTS:
        if (!is_guid(guid, &kEventGuid)) return STATUS_WMI_GUID_NOT_FOUND;
        if (sp->MinorFunction == IRP_MN_ENABLE_EVENTS) {
            ext->events_header_size = sp->Parameters.WMI.BufferSize;
            InterlockedIncrement(&ext->enable_events);
        } else {
            InterlockedIncrement(&ext->disable_events);
        }
        return STATUS_SUCCESS;
    default:
        if (!is_guid(guid, &kExpensiveGuid)) return STATUS_WMI_GUID_NOT_FOUND;
        if (sp->MinorFunction == IRP_MN_ENABLE_COLLECTION) {
            ext->collecting = TRUE;
            InterlockedIncrement(&ext->enable_collection);
        } else {
            ext->collecting = FALSE;
            InterlockedIncrement(&ext->disable_collection);
        }
        return STATUS_SUCCESS;
    }
}

NTSTATUS NTAPI dispatch_system_control(PDEVICE_OBJECT device, PIRP irp) {
    ProviderExtension* ext = (ProviderExtension*)device->DeviceExtension;
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    if ((PDEVICE_OBJECT)sp->Parameters.WMI.ProviderId != device) {
        // Not ours: a filter passes it down; this device has nothing below, so it completes it
        // with the status it came with.
        InterlockedIncrement(&ext->foreign_provider_ids);
        NTSTATUS status = irp->IoStatus.Status;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        return status;
    }
    const GUID* guid = (const GUID*)sp->Parameters.WMI.DataPath;
    NTSTATUS status;
    irp->IoStatus.Information = 0;
    switch (sp->MinorFunction) {
    case IRP_MN_REGINFO_EX: status = reginfo(ext, irp, sp); break;
    case IRP_MN_QUERY_ALL_DATA: status = query_all(ext, irp, sp, guid); break;
    case IRP_MN_QUERY_SINGLE_INSTANCE: status = query_single(ext, irp, sp, guid); break;
    case IRP_MN_CHANGE_SINGLE_INSTANCE:
    case IRP_MN_CHANGE_SINGLE_ITEM: status = change(ext, sp, guid); break;
    case IRP_MN_EXECUTE_METHOD: status = execute(ext, device, irp, sp, guid); break;
    case IRP_MN_ENABLE_EVENTS:
    case IRP_MN_DISABLE_EVENTS:
    case IRP_MN_ENABLE_COLLECTION:
    case IRP_MN_DISABLE_COLLECTION: status = function_control(ext, sp, guid); break;
    default: status = STATUS_INVALID_DEVICE_REQUEST; break;
    }
    irp->IoStatus.Status = status;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

VOID NTAPI unload(PDRIVER_OBJECT driver) {
    while (driver->DeviceObject) {
        PDEVICE_OBJECT device = driver->DeviceObject;
        (void)IoWMIRegistrationControl(device, WMIREG_ACTION_DEREGISTER);
        IoDeleteDevice(device);
    }
}

}  // namespace

NTSTATUS NTAPI WmiProviderDriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path) {
    g_registry_path.Buffer = g_registry_path_buffer;
    g_registry_path.MaximumLength = sizeof(g_registry_path_buffer);
    RtlCopyUnicodeString(&g_registry_path, registry_path);
    driver->DriverUnload = unload;
    driver->MajorFunction[IRP_MJ_SYSTEM_CONTROL] = dispatch_system_control;
    PDEVICE_OBJECT device;
    NTSTATUS status = IoCreateDevice(driver, sizeof(ProviderExtension), NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    ProviderExtension* ext = (ProviderExtension*)device->DeviceExtension;
    RtlZeroMemory(ext, sizeof(*ext));
    ext->self = device;
    ext->values[0] = 0x11;
    ext->values[1] = 0x22;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    ext->registering_thread = PsGetCurrentThread();
    status = IoWMIRegistrationControl(device, WMIREG_ACTION_REGISTER);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(device);
        return status;
    }
    return STATUS_SUCCESS;
}

NTSTATUS WmiProviderFireEvent(PDEVICE_OBJECT device, ULONG payload) {
    UNREFERENCED_PARAMETER(device);
    ULONG size = sizeof(WNODE_SINGLE_INSTANCE) + sizeof(ULONG);
    PWNODE_SINGLE_INSTANCE event = (PWNODE_SINGLE_INSTANCE)ExAllocatePoolWithTag(NonPagedPoolNx, size, 'vPmW');
    if (!event) return STATUS_INSUFFICIENT_RESOURCES;
    RtlZeroMemory(event, size);
    event->WnodeHeader.BufferSize = size;
    event->WnodeHeader.Guid = kEventGuid;
    event->WnodeHeader.Flags = WNODE_FLAG_EVENT_ITEM | WNODE_FLAG_SINGLE_INSTANCE | WNODE_FLAG_STATIC_INSTANCE_NAMES;
    KeQuerySystemTime(&event->WnodeHeader.TimeStamp);
    event->InstanceIndex = 0;
    event->DataBlockOffset = sizeof(WNODE_SINGLE_INSTANCE);
    event->SizeDataBlock = sizeof(ULONG);
    *(PULONG)event->VariableData = payload;
    NTSTATUS status = IoWMIWriteEvent(event);
    if (!NT_SUCCESS(status)) ExFreePoolWithTag(event, 'vPmW');
    return status;
}

}  // namespace ntio::wmi_test

/* Attaching the in-box filters over their target devices (see filter_attach.h): by name from the
 * Parameters key (legacy filters), or over a PDO from AddDevice (PnP filters); detaching them at
 * unload; passing fast reads and writes down to the driver below. */
#include "filter_attach.h"

#define FILTER_TAG 'tliF'
#define FILTER_VALUE_BUFFER 4096

NTSTATUS FilterAttachToDevice(_In_ PDRIVER_OBJECT DriverObject, _In_ PDEVICE_OBJECT Target, _In_ ULONG ExtensionSize,
                              _Out_ PDEVICE_OBJECT *FilterDevice)
{
    PDEVICE_OBJECT device = NULL;
    PDEVICE_OBJECT lower = NULL;
    PFILTER_EXTENSION extension;
    NTSTATUS status;

    *FilterDevice = NULL;
    status = IoCreateDevice(DriverObject, ExtensionSize, NULL, Target->DeviceType, Target->Characteristics, FALSE,
                            &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    extension = (PFILTER_EXTENSION)device->DeviceExtension;
    RtlZeroMemory(extension, ExtensionSize);
    extension->Signature = FILTER_DEVICE_SIGNATURE;
    extension->Self = device;
    status = IoAttachDeviceToDeviceStackSafe(device, Target, &lower);
    if (!NT_SUCCESS(status) || !lower) {
        IoDeleteDevice(device);
        return NT_SUCCESS(status) ? STATUS_NO_SUCH_DEVICE : status;
    }
    extension->Lower = lower;
    /* The I/O manager looks at the top device to decide how to pass buffers: the filter must
     * describe the device below it. */
    device->Flags |= lower->Flags & (DO_BUFFERED_IO | DO_DIRECT_IO | DO_POWER_PAGABLE);
    device->DeviceType = lower->DeviceType;
    device->Characteristics = lower->Characteristics;
    device->SectorSize = lower->SectorSize;
    device->AlignmentRequirement = lower->AlignmentRequirement;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    *FilterDevice = device;
    return STATUS_SUCCESS;
}

static NTSTATUS FilterAttachByName(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING Name,
                                   _In_ ULONG ExtensionSize)
{
    PFILE_OBJECT file = NULL;
    PDEVICE_OBJECT target = NULL;
    PDEVICE_OBJECT device = NULL;
    NTSTATUS status = IoGetDeviceObjectPointer(Name, FILE_READ_ATTRIBUTES, &file, &target);
    if (!NT_SUCCESS(status)) {
        DbgPrint("filter: cannot open %wZ (0x%08X)\n", Name, (ULONG)status);
        return status;
    }
    status = FilterAttachToDevice(DriverObject, target, ExtensionSize, &device);
    ObDereferenceObject(file);
    return status;
}

BOOLEAN FilterIsLegacy(_In_ PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING valueName = RTL_CONSTANT_STRING(L"AttachTo");
    KEY_VALUE_BASIC_INFORMATION probe;
    HANDLE parameters = NULL;
    ULONG length = 0;
    NTSTATUS status;

    if (!NT_SUCCESS(DrvOpenParameters(RegistryPath, &parameters))) {
        return FALSE;
    }
    /* Only whether the value exists: a short buffer still finds it. */
    status = ZwQueryValueKey(parameters, &valueName, KeyValueBasicInformation, &probe, sizeof(probe), &length);
    ZwClose(parameters);
    return status != STATUS_OBJECT_NAME_NOT_FOUND;
}

ULONG FilterQueryDword(_In_ HANDLE Key, _In_ PCWSTR Name, _In_ ULONG Default)
{
    UCHAR buffer[sizeof(KEY_VALUE_PARTIAL_INFORMATION) + sizeof(ULONG)];
    PKEY_VALUE_PARTIAL_INFORMATION info = (PKEY_VALUE_PARTIAL_INFORMATION)buffer;
    UNICODE_STRING name;
    ULONG length = 0;
    ULONG value;

    RtlInitUnicodeString(&name, Name);
    if (!NT_SUCCESS(ZwQueryValueKey(Key, &name, KeyValuePartialInformation, info, sizeof(buffer), &length)) ||
        info->Type != REG_DWORD || info->DataLength != sizeof(ULONG)) {
        return Default;
    }
    RtlCopyMemory(&value, info->Data, sizeof(value));
    return value;
}

NTSTATUS FilterAttachFromRegistry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath,
                                  _In_ ULONG ExtensionSize)
{
    UNICODE_STRING valueName = RTL_CONSTANT_STRING(L"AttachTo");
    PKEY_VALUE_PARTIAL_INFORMATION info;
    HANDLE parameters = NULL;
    ULONG length = 0;
    NTSTATUS status;
    const WCHAR *cursor;
    const WCHAR *end;

    if (!NT_SUCCESS(DrvOpenParameters(RegistryPath, &parameters))) {
        return STATUS_SUCCESS;
    }
    info = (PKEY_VALUE_PARTIAL_INFORMATION)ExAllocatePool2(POOL_FLAG_PAGED, FILTER_VALUE_BUFFER, FILTER_TAG);
    if (!info) {
        ZwClose(parameters);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    status = ZwQueryValueKey(parameters, &valueName, KeyValuePartialInformation, info, FILTER_VALUE_BUFFER, &length);
    ZwClose(parameters);
    if (status == STATUS_OBJECT_NAME_NOT_FOUND) {
        ExFreePoolWithTag(info, FILTER_TAG);
        return STATUS_SUCCESS;
    }
    if (NT_SUCCESS(status) && info->Type != REG_SZ && info->Type != REG_MULTI_SZ) {
        status = STATUS_INVALID_PARAMETER;
    }
    /* REG_SZ is one name; REG_MULTI_SZ a list of NUL-terminated names. */
    cursor = (const WCHAR *)info->Data;
    end = cursor + info->DataLength / sizeof(WCHAR);
    while (NT_SUCCESS(status) && cursor < end && *cursor) {
        UNICODE_STRING name;
        const WCHAR *stop = cursor;
        while (stop < end && *stop) {
            ++stop;
        }
        name.Buffer = (PWCH)cursor;
        name.Length = (USHORT)((stop - cursor) * sizeof(WCHAR));
        name.MaximumLength = name.Length;
        status = FilterAttachByName(DriverObject, &name, ExtensionSize);
        cursor = stop + 1;
        if (info->Type == REG_SZ) {
            break;
        }
    }
    ExFreePoolWithTag(info, FILTER_TAG);
    if (!NT_SUCCESS(status)) {
        FilterDetachAll(DriverObject);
    }
    return status;
}

VOID FilterDetachAll(_In_ PDRIVER_OBJECT DriverObject)
{
    PDEVICE_OBJECT device = DriverObject->DeviceObject;
    while (device) {
        PDEVICE_OBJECT next = device->NextDevice;
        PFILTER_EXTENSION extension = (PFILTER_EXTENSION)device->DeviceExtension;
        if (extension && extension->Signature == FILTER_DEVICE_SIGNATURE) {
            if (extension->Lower) {
                IoDetachDevice(extension->Lower);
            }
            IoDeleteDevice(device);
        }
        device = next;
    }
}

/* A filter that does not pass fast I/O down stops it: the I/O manager calls only the top device's
 * driver's routines, and a legacy file system filter passes each one to the driver of the device it
 * is attached to, with that device
 * (https://learn.microsoft.com/windows-hardware/drivers/ifs/filtering-irps-and-fast-i-o). The lower
 * driver's table counts only up to its SizeOfFastIoDispatch
 * (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_fast_io_dispatch). */
static PDEVICE_OBJECT FilterFastIoLower(_In_ PDEVICE_OBJECT DeviceObject, _In_ BOOLEAN Write,
                                        _Out_ PFAST_IO_READ *Routine)
{
    PFILTER_EXTENSION extension = (PFILTER_EXTENSION)DeviceObject->DeviceExtension;
    PDEVICE_OBJECT lower;
    PFAST_IO_DISPATCH fast;
    ULONG end;

    *Routine = NULL;
    if (!extension || extension->Signature != FILTER_DEVICE_SIGNATURE || !extension->Lower) {
        return NULL;
    }
    lower = extension->Lower;
    fast = lower->DriverObject ? lower->DriverObject->FastIoDispatch : NULL;
    if (!fast) {
        return NULL;
    }
    end = Write ? (ULONG)(FIELD_OFFSET(FAST_IO_DISPATCH, FastIoWrite) + sizeof(PFAST_IO_WRITE))
                : (ULONG)(FIELD_OFFSET(FAST_IO_DISPATCH, FastIoRead) + sizeof(PFAST_IO_READ));
    if (fast->SizeOfFastIoDispatch < end) {
        return NULL;
    }
    *Routine = Write ? fast->FastIoWrite : fast->FastIoRead;
    return *Routine ? lower : NULL;
}

BOOLEAN NTAPI FilterFastIoRead(_In_ PFILE_OBJECT FileObject, _In_ PLARGE_INTEGER FileOffset, _In_ ULONG Length,
                               _In_ BOOLEAN Wait, _In_ ULONG LockKey, _Out_ PVOID Buffer,
                               _Out_ PIO_STATUS_BLOCK IoStatus, _In_ PDEVICE_OBJECT DeviceObject)
{
    PFAST_IO_READ routine;
    PDEVICE_OBJECT lower = FilterFastIoLower(DeviceObject, FALSE, &routine);
    return lower ? routine(FileObject, FileOffset, Length, Wait, LockKey, Buffer, IoStatus, lower) : FALSE;
}

BOOLEAN NTAPI FilterFastIoWrite(_In_ PFILE_OBJECT FileObject, _In_ PLARGE_INTEGER FileOffset, _In_ ULONG Length,
                                _In_ BOOLEAN Wait, _In_ ULONG LockKey, _In_ PVOID Buffer,
                                _Out_ PIO_STATUS_BLOCK IoStatus, _In_ PDEVICE_OBJECT DeviceObject)
{
    PFAST_IO_WRITE routine;
    PDEVICE_OBJECT lower = FilterFastIoLower(DeviceObject, TRUE, &routine);
    return lower ? routine(FileObject, FileOffset, Length, Wait, LockKey, Buffer, IoStatus, lower) : FALSE;
}

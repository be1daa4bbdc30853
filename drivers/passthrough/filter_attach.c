/* Attaching the in-box filters over their target devices (see filter_attach.h): by name from the
 * Parameters key (legacy filters), or over a PDO from AddDevice (PnP filters); detaching them at
 * unload; passing fast reads and writes down to the driver below. */
#include "filter_attach.h"

#define FILTER_TAG 'tliF'

static VOID FilterResolveLowerFastIo(_Inout_ PFILTER_EXTENSION Extension, _In_opt_ PFAST_IO_DISPATCH Fast);
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
    extension->LowerDriver = lower->DriverObject;
    FilterResolveLowerFastIo(extension, lower->DriverObject ? lower->DriverObject->FastIoDispatch : NULL);
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
static PFAST_IO_READ FilterTableRead(_In_opt_ PFAST_IO_DISPATCH Fast)
{
    return Fast && Fast->SizeOfFastIoDispatch >= FIELD_OFFSET(FAST_IO_DISPATCH, FastIoRead) + sizeof(PFAST_IO_READ)
               ? Fast->FastIoRead
               : NULL;
}

static PFAST_IO_WRITE FilterTableWrite(_In_opt_ PFAST_IO_DISPATCH Fast)
{
    return Fast && Fast->SizeOfFastIoDispatch >= FIELD_OFFSET(FAST_IO_DISPATCH, FastIoWrite) + sizeof(PFAST_IO_WRITE)
               ? Fast->FastIoWrite
               : NULL;
}

/* Stores the routines of table Fast (the lower driver's current one) in the extension. The table
 * pointer that vouches for the routines is cleared first and set last, each with a full barrier, so
 * a reader that finds the current table there also finds its routines. One thread refreshes at a
 * time; the others walk the table themselves meanwhile. */
static VOID FilterResolveLowerFastIo(_Inout_ PFILTER_EXTENSION Extension, _In_opt_ PFAST_IO_DISPATCH Fast)
{
    if (InterlockedCompareExchange(&Extension->FastIoRefreshing, 1, 0) != 0) {
        return;
    }
    InterlockedExchangePointer((PVOID volatile *)&Extension->LowerFastIoDispatch, NULL);
    InterlockedExchangePointer((PVOID volatile *)&Extension->LowerFastIoRead, (PVOID)FilterTableRead(Fast));
    InterlockedExchangePointer((PVOID volatile *)&Extension->LowerFastIoWrite, (PVOID)FilterTableWrite(Fast));
    InterlockedExchangePointer((PVOID volatile *)&Extension->LowerFastIoDispatch, Fast);
    InterlockedExchange(&Extension->FastIoRefreshing, 0);
}

/* Whether the extension's fast I/O routines are the lower driver's current ones: an attached filter
 * device whose driver below still has the table they were read from. */
FORCEINLINE BOOLEAN FilterFastIoCached(_In_opt_ PFILTER_EXTENSION Extension)
{
    return Extension && Extension->Signature == FILTER_DEVICE_SIGNATURE && Extension->Lower && Extension->LowerDriver &&
           Extension->LowerDriver->FastIoDispatch ==
               (PFAST_IO_DISPATCH)ReadPointerAcquire((PVOID const volatile *)&Extension->LowerFastIoDispatch);
}

/* The lower driver's current table, re-resolved into the extension when it is not the cached one;
 * NULL when DeviceObject is no attached filter device or the driver below has no table. */
static PFAST_IO_DISPATCH FilterLowerFastIo(_In_opt_ PFILTER_EXTENSION Extension)
{
    PFAST_IO_DISPATCH fast;

    if (!Extension || Extension->Signature != FILTER_DEVICE_SIGNATURE || !Extension->Lower || !Extension->LowerDriver) {
        return NULL;
    }
    fast = Extension->LowerDriver->FastIoDispatch;
    if (fast != (PFAST_IO_DISPATCH)ReadPointerAcquire((PVOID const volatile *)&Extension->LowerFastIoDispatch)) {
        /* The driver below changed its table after the attach: take this one and keep it. */
        FilterResolveLowerFastIo(Extension, fast);
    }
    return fast;
}

/* The walk when the cached routines do not apply (kept out of line so the cached hop below is a
 * leaf that jumps straight to the routine below). */
static DECLSPEC_NOINLINE BOOLEAN FilterFastIoReadUncached(_In_ PFILE_OBJECT FileObject, _In_ PLARGE_INTEGER FileOffset,
                                                          _In_ ULONG Length, _In_ BOOLEAN Wait, _In_ ULONG LockKey,
                                                          _Out_ PVOID Buffer, _Out_ PIO_STATUS_BLOCK IoStatus,
                                                          _In_ PDEVICE_OBJECT DeviceObject)
{
    PFILTER_EXTENSION extension = (PFILTER_EXTENSION)DeviceObject->DeviceExtension;
    PFAST_IO_READ routine = FilterTableRead(FilterLowerFastIo(extension));
    return routine ? routine(FileObject, FileOffset, Length, Wait, LockKey, Buffer, IoStatus, extension->Lower) : FALSE;
}

static DECLSPEC_NOINLINE BOOLEAN FilterFastIoWriteUncached(_In_ PFILE_OBJECT FileObject, _In_ PLARGE_INTEGER FileOffset,
                                                           _In_ ULONG Length, _In_ BOOLEAN Wait, _In_ ULONG LockKey,
                                                           _In_ PVOID Buffer, _Out_ PIO_STATUS_BLOCK IoStatus,
                                                           _In_ PDEVICE_OBJECT DeviceObject)
{
    PFILTER_EXTENSION extension = (PFILTER_EXTENSION)DeviceObject->DeviceExtension;
    PFAST_IO_WRITE routine = FilterTableWrite(FilterLowerFastIo(extension));
    return routine ? routine(FileObject, FileOffset, Length, Wait, LockKey, Buffer, IoStatus, extension->Lower) : FALSE;
}

/* A hop: extension -> (lower driver's table still the cached one) -> the cached routine. */
BOOLEAN NTAPI FilterFastIoRead(_In_ PFILE_OBJECT FileObject, _In_ PLARGE_INTEGER FileOffset, _In_ ULONG Length,
                               _In_ BOOLEAN Wait, _In_ ULONG LockKey, _Out_ PVOID Buffer,
                               _Out_ PIO_STATUS_BLOCK IoStatus, _In_ PDEVICE_OBJECT DeviceObject)
{
    PFILTER_EXTENSION extension = (PFILTER_EXTENSION)DeviceObject->DeviceExtension;
    if (FilterFastIoCached(extension)) {
        /* NULL: the driver below has no such routine (null.sys), the I/O manager sends the IRP. */
        PFAST_IO_READ routine = extension->LowerFastIoRead;
        return routine ? routine(FileObject, FileOffset, Length, Wait, LockKey, Buffer, IoStatus, extension->Lower)
                       : FALSE;
    }
    return FilterFastIoReadUncached(FileObject, FileOffset, Length, Wait, LockKey, Buffer, IoStatus, DeviceObject);
}

BOOLEAN NTAPI FilterFastIoWrite(_In_ PFILE_OBJECT FileObject, _In_ PLARGE_INTEGER FileOffset, _In_ ULONG Length,
                                _In_ BOOLEAN Wait, _In_ ULONG LockKey, _In_ PVOID Buffer,
                                _Out_ PIO_STATUS_BLOCK IoStatus, _In_ PDEVICE_OBJECT DeviceObject)
{
    PFILTER_EXTENSION extension = (PFILTER_EXTENSION)DeviceObject->DeviceExtension;
    if (FilterFastIoCached(extension)) {
        /* NULL: the driver below has no such routine (null.sys), the I/O manager sends the IRP. */
        PFAST_IO_WRITE routine = extension->LowerFastIoWrite;
        return routine ? routine(FileObject, FileOffset, Length, Wait, LockKey, Buffer, IoStatus, extension->Lower)
                       : FALSE;
    }
    return FilterFastIoWriteUncached(FileObject, FileOffset, Length, Wait, LockKey, Buffer, IoStatus, DeviceObject);
}

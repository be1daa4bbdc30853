/* trace.sys: a filter that records every IRP passing through it (major, minor, status, information,
 * length, offset, IOCTL code, start time and duration) into a ring buffer, and a control device
 * \Device\NtioTrace whose IOCTL_NTIO_TRACE_READ hands the records out. Each filter device copies its
 * stack location and sets a completion routine that appends the record; fast reads and writes are
 * passed down and recorded (marked FastIo) when the drivers below completed them; when the ring is full the
 * oldest record is overwritten and counted as lost. A legacy trace (Parameters\AttachTo) creates the
 * control device in DriverEntry; a PnP one creates it with its first filter device and deletes it
 * with its last, so the PnP manager can unload the driver once its devices are gone. */
#include "filter_attach.h"
#include <wdmsec.h>
#include "ntio_trace.h"

#define TRACE_TAG 'carT'
#define TRACE_DEFAULT_RING 4096
#define TRACE_MAX_RING (1024 * 1024)
#define TRACE_CONTROL_SIGNATURE 'ltcT'

static const GUID TraceClassGuid = {0x4E54494F, 0x0003, 0x5472, {0x61, 0x63, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01}};

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD TraceUnload;
DRIVER_ADD_DEVICE TraceAddDevice;
DRIVER_DISPATCH TraceDispatch;
IO_COMPLETION_ROUTINE TraceCompletion;
static FAST_IO_READ TraceFastIoRead;
static FAST_IO_WRITE TraceFastIoWrite;

static FAST_IO_DISPATCH TraceFastIoDispatch = {
    .SizeOfFastIoDispatch = sizeof(FAST_IO_DISPATCH),
    .FastIoRead = TraceFastIoRead,
    .FastIoWrite = TraceFastIoWrite,
};

typedef struct _TRACE_CONTROL_EXTENSION {
    ULONG Signature;
} TRACE_CONTROL_EXTENSION, *PTRACE_CONTROL_EXTENSION;

/* The ring, shared by every filter device of the driver. */
static struct {
    KSPIN_LOCK Lock;
    PNTIO_TRACE_RECORD Records;
    ULONG Capacity;
    ULONG First;               /* oldest unread record */
    ULONG Count;               /* unread records */
    ULONGLONG Recorded;
    ULONGLONG Lost;
    ULONGLONG Frequency;
    PDEVICE_OBJECT Control;
    /* PnP filter only: the filter devices AddDevice created and REMOVE_DEVICE has not deleted, under
     * ControlMutex with the creation and deletion of Control. */
    BOOLEAN Pnp;
    KMUTEX ControlMutex;
    ULONG Filters;
} TraceRing;

static UNICODE_STRING TraceLinkName = RTL_CONSTANT_STRING(NTIO_TRACE_LINK_NAME);

static VOID TraceAppend(_In_ PNTIO_TRACE_RECORD Record)
{
    KIRQL irql;
    ULONG slot;
    KeAcquireSpinLock(&TraceRing.Lock, &irql);
    Record->Sequence = ++TraceRing.Recorded;
    if (TraceRing.Count == TraceRing.Capacity) {
        TraceRing.First = (TraceRing.First + 1) % TraceRing.Capacity;
        --TraceRing.Count;
        ++TraceRing.Lost;
    }
    slot = (TraceRing.First + TraceRing.Count) % TraceRing.Capacity;
    TraceRing.Records[slot] = *Record;
    ++TraceRing.Count;
    KeReleaseSpinLock(&TraceRing.Lock, irql);
}

NTSTATUS TraceCompletion(_In_ PDEVICE_OBJECT DeviceObject, _In_ PIRP Irp, _In_opt_ PVOID Context)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTIO_TRACE_RECORD record;
    LARGE_INTEGER now = KeQueryPerformanceCounter(NULL);

    RtlZeroMemory(&record, sizeof(record));
    record.StartTime = (ULONGLONG)(ULONG_PTR)Context;
    record.Duration = (ULONGLONG)now.QuadPart - record.StartTime;
    record.Irp = (ULONGLONG)(ULONG_PTR)Irp;
    record.Device = (ULONGLONG)(ULONG_PTR)DeviceObject;
    record.Information = Irp->IoStatus.Information;
    record.Status = Irp->IoStatus.Status;
    record.MajorFunction = stack->MajorFunction;
    record.MinorFunction = stack->MinorFunction;
    record.PendingReturned = Irp->PendingReturned ? 1 : 0;
    switch (stack->MajorFunction) {
    case IRP_MJ_READ:
    case IRP_MJ_WRITE:
        record.Length = stack->Parameters.Read.Length;
        record.ByteOffset = stack->Parameters.Read.ByteOffset.QuadPart;
        break;
    case IRP_MJ_DEVICE_CONTROL:
    case IRP_MJ_INTERNAL_DEVICE_CONTROL:
    case IRP_MJ_FILE_SYSTEM_CONTROL:
        record.Length = stack->Parameters.DeviceIoControl.OutputBufferLength;
        record.IoControlCode = stack->Parameters.DeviceIoControl.IoControlCode;
        break;
    default:
        break;
    }
    TraceAppend(&record);

    if (Irp->PendingReturned) {
        IoMarkIrpPending(Irp);
    }
    return STATUS_CONTINUE_COMPLETION;
}

/* A fast read or write the drivers below did (TRUE) is recorded like the IRP it replaced; one they
 * declined is not, since the I/O manager then sends that IRP, which is recorded itself. The control
 * device has no stack below it: FilterFastIoRead / FilterFastIoWrite decline it. */
static BOOLEAN TraceFastIo(_In_ PDEVICE_OBJECT DeviceObject, _In_ BOOLEAN Write, _In_ PFILE_OBJECT FileObject,
                           _In_ PLARGE_INTEGER FileOffset, _In_ ULONG Length, _In_ BOOLEAN Wait, _In_ ULONG LockKey,
                           _Inout_ PVOID Buffer, _Out_ PIO_STATUS_BLOCK IoStatus)
{
    NTIO_TRACE_RECORD record;
    const LONGLONG offset = FileOffset->QuadPart;
    const ULONGLONG start = (ULONGLONG)KeQueryPerformanceCounter(NULL).QuadPart;
    const BOOLEAN done = Write ? FilterFastIoWrite(FileObject, FileOffset, Length, Wait, LockKey, Buffer, IoStatus,
                                                   DeviceObject)
                               : FilterFastIoRead(FileObject, FileOffset, Length, Wait, LockKey, Buffer, IoStatus,
                                                  DeviceObject);
    if (!done) {
        return FALSE;
    }
    RtlZeroMemory(&record, sizeof(record));
    record.StartTime = start;
    record.Duration = (ULONGLONG)KeQueryPerformanceCounter(NULL).QuadPart - start;
    record.Device = (ULONGLONG)(ULONG_PTR)DeviceObject;
    record.Information = IoStatus->Information;
    record.Status = IoStatus->Status;
    record.MajorFunction = Write ? IRP_MJ_WRITE : IRP_MJ_READ;
    record.FastIo = 1;
    record.Length = Length;
    record.ByteOffset = offset;
    TraceAppend(&record);
    return TRUE;
}

static BOOLEAN NTAPI TraceFastIoRead(_In_ PFILE_OBJECT FileObject, _In_ PLARGE_INTEGER FileOffset, _In_ ULONG Length,
                                     _In_ BOOLEAN Wait, _In_ ULONG LockKey, _Out_ PVOID Buffer,
                                     _Out_ PIO_STATUS_BLOCK IoStatus, _In_ PDEVICE_OBJECT DeviceObject)
{
    return TraceFastIo(DeviceObject, FALSE, FileObject, FileOffset, Length, Wait, LockKey, Buffer, IoStatus);
}

static BOOLEAN NTAPI TraceFastIoWrite(_In_ PFILE_OBJECT FileObject, _In_ PLARGE_INTEGER FileOffset, _In_ ULONG Length,
                                      _In_ BOOLEAN Wait, _In_ ULONG LockKey, _In_ PVOID Buffer,
                                      _Out_ PIO_STATUS_BLOCK IoStatus, _In_ PDEVICE_OBJECT DeviceObject)
{
    return TraceFastIo(DeviceObject, TRUE, FileObject, FileOffset, Length, Wait, LockKey, Buffer, IoStatus);
}

/* IOCTL_NTIO_TRACE_READ: as many of the oldest records as fit, removed from the ring. */
static NTSTATUS TraceRead(_Inout_ PIRP Irp, _In_ ULONG OutputLength, _Out_ PULONG_PTR Information)
{
    PNTIO_TRACE_BUFFER out = (PNTIO_TRACE_BUFFER)Irp->AssociatedIrp.SystemBuffer;
    ULONG room;
    ULONG i;
    KIRQL irql;

    *Information = 0;
    if (OutputLength < NTIO_TRACE_BUFFER_HEADER_SIZE) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    room = (OutputLength - NTIO_TRACE_BUFFER_HEADER_SIZE) / sizeof(NTIO_TRACE_RECORD);
    KeAcquireSpinLock(&TraceRing.Lock, &irql);
    out->Count = room < TraceRing.Count ? room : TraceRing.Count;
    out->Capacity = TraceRing.Capacity;
    out->Recorded = TraceRing.Recorded;
    out->Lost = TraceRing.Lost;
    out->Frequency = TraceRing.Frequency;
    for (i = 0; i < out->Count; ++i) {
        out->Records[i] = TraceRing.Records[(TraceRing.First + i) % TraceRing.Capacity];
    }
    TraceRing.First = (TraceRing.First + out->Count) % TraceRing.Capacity;
    TraceRing.Count -= out->Count;
    KeReleaseSpinLock(&TraceRing.Lock, irql);
    *Information = NTIO_TRACE_BUFFER_HEADER_SIZE + (ULONG_PTR)out->Count * sizeof(NTIO_TRACE_RECORD);
    return STATUS_SUCCESS;
}

static NTSTATUS TraceControl(_Inout_ PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG_PTR information = 0;
    NTSTATUS status;
    KIRQL irql;

    switch (stack->MajorFunction) {
    case IRP_MJ_CREATE:
    case IRP_MJ_CLOSE:
    case IRP_MJ_CLEANUP:
        status = STATUS_SUCCESS;
        break;
    case IRP_MJ_DEVICE_CONTROL:
        switch (stack->Parameters.DeviceIoControl.IoControlCode) {
        case IOCTL_NTIO_TRACE_READ:
            status = TraceRead(Irp, stack->Parameters.DeviceIoControl.OutputBufferLength, &information);
            break;
        case IOCTL_NTIO_TRACE_CLEAR:
            KeAcquireSpinLock(&TraceRing.Lock, &irql);
            TraceRing.First = 0;
            TraceRing.Count = 0;
            TraceRing.Recorded = 0;
            TraceRing.Lost = 0;
            KeReleaseSpinLock(&TraceRing.Lock, irql);
            status = STATUS_SUCCESS;
            break;
        default:
            status = STATUS_INVALID_DEVICE_REQUEST;
            break;
        }
        break;
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

/* \Device\NtioTrace and its \DosDevices link, ready for opens. */
static NTSTATUS TraceCreateControl(_In_ PDRIVER_OBJECT DriverObject)
{
    UNICODE_STRING sddl = RTL_CONSTANT_STRING(SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_RW_RES_R);
    UNICODE_STRING controlName = RTL_CONSTANT_STRING(NTIO_TRACE_DEVICE_NAME);
    PDEVICE_OBJECT control = NULL;
    NTSTATUS status;

    /* Any user may read the records and change the settings: test tooling, not a security boundary. */
    status = IoCreateDeviceSecure(DriverObject, sizeof(TRACE_CONTROL_EXTENSION), &controlName, FILE_DEVICE_NTIO_TRACE,
                                  FILE_DEVICE_SECURE_OPEN, FALSE, &sddl, &TraceClassGuid, &control);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    ((PTRACE_CONTROL_EXTENSION)control->DeviceExtension)->Signature = TRACE_CONTROL_SIGNATURE;
    control->Flags |= DO_BUFFERED_IO;
    TraceRing.Control = control;
    status = IoCreateSymbolicLink(&TraceLinkName, &controlName);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(control);
        TraceRing.Control = NULL;
        return status;
    }
    control->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

static VOID TraceDeleteControl(VOID)
{
    if (TraceRing.Control) {
        IoDeleteSymbolicLink(&TraceLinkName);
        IoDeleteDevice(TraceRing.Control);
        TraceRing.Control = NULL;
    }
}

/* PnP filter: the last filter device takes the control device with it. */
static VOID TraceFilterRemoved(VOID)
{
    KeWaitForSingleObject(&TraceRing.ControlMutex, Executive, KernelMode, FALSE, NULL);
    if (--TraceRing.Filters == 0) {
        TraceDeleteControl();
    }
    KeReleaseMutex(&TraceRing.ControlMutex, FALSE);
}

NTSTATUS TraceDispatch(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PFILTER_EXTENSION extension = (PFILTER_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PDEVICE_OBJECT lower;
    NTSTATUS status;

    if (DeviceObject == TraceRing.Control) {
        return TraceControl(Irp);
    }
    lower = extension->Lower;
    if (stack->MajorFunction == IRP_MJ_PNP && stack->MinorFunction == IRP_MN_REMOVE_DEVICE) {
        /* The device goes away with this IRP: pass it down untraced, then leave the stack. */
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(lower, Irp);
        IoDetachDevice(lower);
        extension->Lower = NULL;
        IoDeleteDevice(DeviceObject);
        if (TraceRing.Pnp) {
            TraceFilterRemoved();
        }
        return status;
    }
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, TraceCompletion, (PVOID)(ULONG_PTR)KeQueryPerformanceCounter(NULL).QuadPart, TRUE,
                           TRUE, TRUE);
    return IoCallDriver(lower, Irp);
}

/* PnP filter: the first filter device brings the control device. */
NTSTATUS TraceAddDevice(_In_ PDRIVER_OBJECT DriverObject, _In_ PDEVICE_OBJECT PhysicalDeviceObject)
{
    PDEVICE_OBJECT device = NULL;
    NTSTATUS status;

    KeWaitForSingleObject(&TraceRing.ControlMutex, Executive, KernelMode, FALSE, NULL);
    status = TraceRing.Filters == 0 ? TraceCreateControl(DriverObject) : STATUS_SUCCESS;
    if (NT_SUCCESS(status)) {
        status = FilterAttachToDevice(DriverObject, PhysicalDeviceObject, sizeof(FILTER_EXTENSION), &device);
        if (NT_SUCCESS(status)) {
            ++TraceRing.Filters;
        } else if (TraceRing.Filters == 0) {
            TraceDeleteControl();
        }
    }
    KeReleaseMutex(&TraceRing.ControlMutex, FALSE);
    return status;
}

static VOID TraceCleanup(_In_ PDRIVER_OBJECT DriverObject)
{
    FilterDetachAll(DriverObject);
    TraceDeleteControl();
    if (TraceRing.Records) {
        ExFreePoolWithTag(TraceRing.Records, TRACE_TAG);
        TraceRing.Records = NULL;
    }
}

VOID TraceUnload(_In_ PDRIVER_OBJECT DriverObject)
{
    TraceCleanup(DriverObject);
}

NTSTATUS DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath)
{
    LARGE_INTEGER frequency;
    HANDLE parameters = NULL;
    ULONG capacity = TRACE_DEFAULT_RING;
    NTSTATUS status;
    ULONG i;

    RtlZeroMemory(&TraceRing, sizeof(TraceRing));
    KeInitializeSpinLock(&TraceRing.Lock);
    KeInitializeMutex(&TraceRing.ControlMutex, 0);
    KeQueryPerformanceCounter(&frequency);
    TraceRing.Frequency = (ULONGLONG)frequency.QuadPart;
    if (NT_SUCCESS(DrvOpenParameters(RegistryPath, &parameters))) {
        capacity = FilterQueryDword(parameters, L"RingSize", TRACE_DEFAULT_RING);
        ZwClose(parameters);
    }
    if (capacity == 0 || capacity > TRACE_MAX_RING) {
        return STATUS_INVALID_PARAMETER;
    }
    TraceRing.Capacity = capacity;
    TraceRing.Records = (PNTIO_TRACE_RECORD)ExAllocatePool2(POOL_FLAG_NON_PAGED, capacity * sizeof(NTIO_TRACE_RECORD),
                                                            TRACE_TAG);
    if (!TraceRing.Records) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    for (i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; ++i) {
        DriverObject->MajorFunction[i] = TraceDispatch;
    }
    DriverObject->FastIoDispatch = &TraceFastIoDispatch;
    DriverObject->DriverUnload = TraceUnload;
    if (!FilterIsLegacy(RegistryPath)) {
        /* A PnP driver: devices come from AddDevice, the control device with the first of them. */
        TraceRing.Pnp = TRUE;
        DriverObject->DriverExtension->AddDevice = TraceAddDevice;
        return STATUS_SUCCESS;
    }
    status = TraceCreateControl(DriverObject);
    if (NT_SUCCESS(status)) {
        status = FilterAttachFromRegistry(DriverObject, RegistryPath, sizeof(FILTER_EXTENSION));
    }
    if (!NT_SUCCESS(status)) {
        TraceCleanup(DriverObject);
    }
    return status;
}

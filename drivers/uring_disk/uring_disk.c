/* uring_disk.sys: DriverEntry, DriverUnload and the read, write and flush paths. A read whose data
 * the host's page cache holds, issued by a thread with nothing in its ring, completes in the
 * dispatch routine (the cached fast path). Every other read, write or flush is marked pending, made
 * cancelable and handed to the issuing thread's ring; the ring's completion routine completes it at
 * DISPATCH_LEVEL, normally on the issuing thread when it next waits (libntio polls the thread's
 * ring before the thread blocks), on the driver's reaper thread when that thread does not wait.
 * Every dispatch path ends in exactly one complete or one park in the ring. */
#include "uring_disk.h"

#include <ntstrsafe.h>

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD UringDiskUnload;
_Dispatch_type_(IRP_MJ_CREATE) _Dispatch_type_(IRP_MJ_CLOSE) _Dispatch_type_(IRP_MJ_CLEANUP)
DRIVER_DISPATCH UringDiskSucceed;
_Dispatch_type_(IRP_MJ_READ) _Dispatch_type_(IRP_MJ_WRITE) DRIVER_DISPATCH UringDiskReadWrite;
_Dispatch_type_(IRP_MJ_FLUSH_BUFFERS) DRIVER_DISPATCH UringDiskFlushBuffers;
DRIVER_CANCEL UringDiskCancel;
KSTART_ROUTINE UringDiskReaper;
NTIO_URING_COMPLETION UringDiskRequestDone;

/* DriverContext[0] of a parked IRP: set once its cancel routine has finished with the IRP. */
#define URING_DISK_CANCEL_DONE(Irp) (&(Irp)->Tail.Overlay.DriverContext[0])

NTSTATUS UringDiskCompleteRequest(_Inout_ PIRP Irp, _In_ NTSTATUS Status, _In_ ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

NTSTATUS UringDiskSucceed(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    return UringDiskCompleteRequest(Irp, STATUS_SUCCESS, 0);
}

/* The cancel routine only asks the ring to end the request early; the ring's completion routine
 * still completes the IRP (cancelled, or normally when the request had already run). */
VOID UringDiskCancel(_Inout_ PDEVICE_OBJECT DeviceObject, _Inout_ _IRQL_uses_cancel_ PIRP Irp)
{
    PURING_DISK_EXTENSION ext = (PURING_DISK_EXTENSION)DeviceObject->DeviceExtension;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    NtioUringCancel(ext->Ring, Irp);
    InterlockedExchangePointer(URING_DISK_CANCEL_DONE(Irp), (PVOID)1);
}

/* Takes the IRP back from the cancel machinery. When the cancel routine was already called, the IRP
 * is ours only once it has returned (it still reads the IRP). */
static VOID UringDiskClaimFromCancel(_Inout_ PIRP Irp)
{
    if (IoSetCancelRoutine(Irp, NULL) == NULL) {
        while (InterlockedCompareExchangePointer(URING_DISK_CANCEL_DONE(Irp), NULL, NULL) == NULL) {
            YieldProcessor();
        }
    }
}

VOID UringDiskRequestDone(_In_ PVOID RequestContext, _In_ NTSTATUS Status, _In_ ULONG_PTR Information,
                          _In_ PVOID RingContext)
{
    PIRP irp = (PIRP)RequestContext;
    KIRQL oldIrql = KeGetCurrentIrql();
    UNREFERENCED_PARAMETER(RingContext);
    /* Complete as a storage driver's DPC does, at DISPATCH_LEVEL, whichever thread reaped the
     * request (the issuing thread about to wait, or the reaper): completion routines above see
     * the IRQL they would see on Windows. */
    if (oldIrql < DISPATCH_LEVEL) {
        KeRaiseIrql(DISPATCH_LEVEL, &oldIrql);
    }
    UringDiskClaimFromCancel(irp);
    irp->IoStatus.Status = Status;
    irp->IoStatus.Information = NT_SUCCESS(Status) ? Information : 0;
    IoCompleteRequest(irp, IO_DISK_INCREMENT);
    if (oldIrql < DISPATCH_LEVEL) {
        KeLowerIrql(oldIrql);
    }
}

/* Parks a pending IRP in the ring (the caller marked it pending), or completes it when it was
 * cancelled before it got there. Returns STATUS_PENDING. */
static NTSTATUS UringDiskPark(_In_ PURING_DISK_EXTENSION Ext, _Inout_ PIRP Irp, _In_ UCHAR Major,
                              _In_opt_ PVOID Buffer, _In_ ULONG Length, _In_ ULONGLONG Offset)
{
    NTSTATUS status;
    *URING_DISK_CANCEL_DONE(Irp) = NULL;
    IoSetCancelRoutine(Irp, UringDiskCancel);
    if (Irp->Cancel && IoSetCancelRoutine(Irp, NULL) != NULL) {
        UringDiskCompleteRequest(Irp, STATUS_CANCELLED, 0);
        return STATUS_PENDING;
    }
    if (Major == IRP_MJ_READ) {
        status = NtioUringRead(Ext->Ring, Buffer, Length, Offset, Irp);
    } else if (Major == IRP_MJ_WRITE) {
        status = NtioUringWrite(Ext->Ring, Buffer, Length, Offset, Irp);
    } else {
        status = NtioUringFlush(Ext->Ring, Irp);
    }
    if (status != STATUS_PENDING) {
        /* NT deviation: more requests than QueueDepth in flight fail with
         * STATUS_INSUFFICIENT_RESOURCES instead of waiting in a driver queue. */
        UringDiskClaimFromCancel(Irp);
        UringDiskCompleteRequest(Irp, status, 0);
    }
    return STATUS_PENDING;
}

/* Bounds and alignment as the disk class driver checks them: a transfer must be whole sectors
 * inside the disk, else STATUS_INVALID_PARAMETER; with O_DIRECT the buffer must be sector-aligned
 * too (the device's AlignmentRequirement).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_io_stack_location */
NTSTATUS UringDiskReadWrite(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PURING_DISK_EXTENSION ext = (PURING_DISK_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    UCHAR major = stack->MajorFunction;
    ULONG length = major == IRP_MJ_WRITE ? stack->Parameters.Write.Length : stack->Parameters.Read.Length;
    LONGLONG offset = major == IRP_MJ_WRITE ? stack->Parameters.Write.ByteOffset.QuadPart
                                            : stack->Parameters.Read.ByteOffset.QuadPart;
    ULONG mask = ext->SectorSize - 1;
    PVOID buffer;

    if (major == IRP_MJ_WRITE && ext->ReadOnly) {
        return UringDiskCompleteRequest(Irp, STATUS_MEDIA_WRITE_PROTECTED, 0);
    }
    if (offset < 0 || ((ULONGLONG)offset & mask) != 0 || (length & mask) != 0 ||
        (ULONGLONG)offset > ext->DiskSize || length > ext->DiskSize - (ULONGLONG)offset) {
        return UringDiskCompleteRequest(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    if (length == 0) {
        return UringDiskCompleteRequest(Irp, STATUS_SUCCESS, 0);
    }
    buffer = Irp->MdlAddress ? MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority | MdlMappingNoExecute)
                             : NULL;
    if (buffer == NULL) {
        return UringDiskCompleteRequest(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    }
    if (ext->Direct && ((ULONG_PTR)buffer & mask) != 0) {
        return UringDiskCompleteRequest(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    /* The cached fast path: a read the host's page cache holds completes here, synchronously, as
     * any request a driver can satisfy at once; the rest pend in the ring. */
    if (major == IRP_MJ_READ && NtioUringReadResident(ext->Ring, buffer, length, (ULONGLONG)offset)) {
        return UringDiskCompleteRequest(Irp, STATUS_SUCCESS, length);
    }
    IoMarkIrpPending(Irp);
    return UringDiskPark(ext, Irp, major, buffer, length, (ULONGLONG)offset);
}

/* fdatasync of the backing file: every write completed before the flush was issued is on disk
 * when the flush completes successfully. */
NTSTATUS UringDiskFlushBuffers(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PURING_DISK_EXTENSION ext = (PURING_DISK_EXTENSION)DeviceObject->DeviceExtension;
    IoMarkIrpPending(Irp);
    return UringDiskPark(ext, Irp, IRP_MJ_FLUSH_BUFFERS, NULL, 0, 0);
}

/* The fallback: serves the rings of threads that do not wait for their requests, until
 * NtioUringShutdown. */
VOID UringDiskReaper(_In_ PVOID StartContext)
{
    PURING_DISK_EXTENSION ext = (PURING_DISK_EXTENSION)StartContext;
    while (NtioUringReap(ext->Ring, TRUE) != STATUS_CANCELLED) {
    }
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static VOID UringDiskStopRing(_Inout_ PURING_DISK_EXTENSION Ext)
{
    NtioUringShutdown(Ext->Ring);
    if (Ext->ReaperThread) {
        ZwWaitForSingleObject(Ext->ReaperThread, FALSE, NULL);
        ZwClose(Ext->ReaperThread);
        Ext->ReaperThread = NULL;
    }
    NtioUringClose(Ext->Ring);
    Ext->Ring = NULL;
}

VOID UringDiskUnload(_In_ PDRIVER_OBJECT DriverObject)
{
    PDEVICE_OBJECT device = DriverObject->DeviceObject;
    PURING_DISK_EXTENSION ext = (PURING_DISK_EXTENSION)device->DeviceExtension;
    IoDeleteSymbolicLink(&ext->LinkName);
    UringDiskStopRing(ext);
    IoDeleteDevice(device);
}

NTSTATUS DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath)
{
    PURING_DISK_CONFIG config;
    WCHAR nameBuffer[40];
    UNICODE_STRING name;
    UNICODE_STRING fileName;
    NTIO_URING_PARAMETERS parameters;
    PDEVICE_OBJECT device = NULL;
    PURING_DISK_EXTENSION ext;
    PCSTR message = NULL;
    NTSTATUS status;

    config = (PURING_DISK_CONFIG)ExAllocatePool2(POOL_FLAG_PAGED, sizeof(*config), URING_DISK_TAG);
    if (!config) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    status = UringDiskReadConfig(RegistryPath, config);
    if (!NT_SUCCESS(status)) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                   "uring_disk: bad or missing Parameters (FileName is required): 0x%08X\n", (unsigned)status);
        ExFreePoolWithTag(config, URING_DISK_TAG);
        return status;
    }
    RtlStringCchPrintfW(nameBuffer, RTL_NUMBER_OF(nameBuffer), L"\\Device\\UringDisk%u", config->DiskNumber);
    RtlInitUnicodeString(&name, nameBuffer);
    status = IoCreateDevice(DriverObject, sizeof(URING_DISK_EXTENSION), &name, FILE_DEVICE_DISK,
                            FILE_DEVICE_SECURE_OPEN, FALSE, &device);
    if (!NT_SUCCESS(status)) {
        ExFreePoolWithTag(config, URING_DISK_TAG);
        return status;
    }
    ext = (PURING_DISK_EXTENSION)device->DeviceExtension;
    RtlZeroMemory(ext, sizeof(*ext));
    ext->DiskNumber = config->DiskNumber;
    ext->Direct = config->Direct;
    ext->ReadOnly = config->ReadOnly;

    RtlInitUnicodeString(&fileName, config->FileName);
    RtlZeroMemory(&parameters, sizeof(parameters));
    parameters.HostPath = &fileName;
    parameters.Size = config->DiskSize;
    parameters.Flags = NTIO_URING_CREATE | (config->Direct ? NTIO_URING_DIRECT : 0);
    parameters.QueueDepth = config->QueueDepth;
    parameters.SubmitBatch = config->SubmitBatch;
    parameters.CompletionRoutine = UringDiskRequestDone;
    parameters.RingContext = device;
    status = NtioUringOpen(&parameters, &ext->Ring, &message);
    ExFreePoolWithTag(config, URING_DISK_TAG);
    if (!NT_SUCCESS(status)) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "uring_disk: cannot open the disk: %s (0x%08X)\n",
                   message ? message : "backing file", (unsigned)status);
        IoDeleteDevice(device);
        return status;
    }
    ext->DiskSize = NtioUringSize(ext->Ring);
    ext->SectorSize = NtioUringSectorSize(ext->Ring);
    device->SectorSize = (USHORT)ext->SectorSize;
    device->AlignmentRequirement = ext->Direct ? ext->SectorSize - 1 : FILE_BYTE_ALIGNMENT;

    status = PsCreateSystemThread(&ext->ReaperThread, THREAD_ALL_ACCESS, NULL, NULL, NULL, UringDiskReaper, ext);
    if (!NT_SUCCESS(status)) {
        ext->ReaperThread = NULL;
        UringDiskStopRing(ext);
        IoDeleteDevice(device);
        return status;
    }
    RtlStringCchPrintfW(ext->LinkBuffer, RTL_NUMBER_OF(ext->LinkBuffer), L"\\DosDevices\\UringDisk%u",
                        ext->DiskNumber);
    RtlInitUnicodeString(&ext->LinkName, ext->LinkBuffer);
    status = IoCreateSymbolicLink(&ext->LinkName, &name);
    if (!NT_SUCCESS(status)) {
        UringDiskStopRing(ext);
        IoDeleteDevice(device);
        return status;
    }
    DriverObject->MajorFunction[IRP_MJ_CREATE] = UringDiskSucceed;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = UringDiskSucceed;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = UringDiskSucceed;
    DriverObject->MajorFunction[IRP_MJ_READ] = UringDiskReadWrite;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = UringDiskReadWrite;
    DriverObject->MajorFunction[IRP_MJ_FLUSH_BUFFERS] = UringDiskFlushBuffers;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = UringDiskDeviceControl;
    DriverObject->DriverUnload = UringDiskUnload;
    device->Flags |= DO_DIRECT_IO;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

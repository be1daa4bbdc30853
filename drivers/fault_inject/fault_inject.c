/* fault_inject.sys: a filter that injects failures, drops, pends and delays into the IRPs of chosen
 * major functions, by seeded rates (ntio_fault_inject.h), for testing the drivers and applications
 * above a device. The decision for the n-th selected IRP depends only on the seed and n, so a run is
 * reproducible. Dropped IRPs wait in a cancel-safe queue until they are cancelled, their file is
 * cleaned up, or IOCTL_NTIO_FAULT_INJECT_RELEASE_DROPPED completes them. A legacy fault_inject
 * (Parameters\AttachTo) creates its control device in DriverEntry; a PnP one creates it with its first
 * filter device and deletes it with its last, so the PnP manager can unload the driver afterwards.
 * Fast reads and writes pass down only when no rule could apply to them; otherwise they are declined,
 * so the I/O manager sends the IRP and the rules see it. */
#include "filter_attach.h"
#include <wdmsec.h>
#include "ntio_fault_inject.h"

#define FAULT_TAG 'tluF'
#define FAULT_DEFAULT_MASK ((1UL << IRP_MJ_READ) | (1UL << IRP_MJ_WRITE))

static const GUID FaultClassGuid = {0x4E54494F, 0x0004, 0x4661, {0x75, 0x6C, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01}};

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD FaultUnload;
DRIVER_ADD_DEVICE FaultAddDevice;
DRIVER_DISPATCH FaultDispatch;
IO_WORKITEM_ROUTINE FaultPendWorker;
IO_CSQ_INSERT_IRP FaultCsqInsert;
IO_CSQ_REMOVE_IRP FaultCsqRemove;
IO_CSQ_PEEK_NEXT_IRP FaultCsqPeekNext;
IO_CSQ_ACQUIRE_LOCK FaultCsqAcquireLock;
IO_CSQ_RELEASE_LOCK FaultCsqReleaseLock;
IO_CSQ_COMPLETE_CANCELED_IRP FaultCsqCompleteCanceled;
static FAST_IO_READ FaultFastIoRead;
static FAST_IO_WRITE FaultFastIoWrite;

static FAST_IO_DISPATCH FaultFastIoDispatch = {
    .SizeOfFastIoDispatch = sizeof(FAST_IO_DISPATCH),
    .FastIoRead = FaultFastIoRead,
    .FastIoWrite = FaultFastIoWrite,
};

typedef enum _FAULT_ACTION { FaultPass, FaultFail, FaultDrop, FaultPend, FaultDelay } FAULT_ACTION;

static struct {
    KSPIN_LOCK ConfigLock;
    NTIO_FAULT_INJECT_CONFIG Config;
    LONG64 volatile Draws;          /* selected IRPs so far: the index into the random sequence */
    LONG64 volatile Counts[5];      /* by FAULT_ACTION */
    LONG64 volatile Outstanding;    /* dropped, not yet completed */
    IO_CSQ Csq;
    KSPIN_LOCK QueueLock;
    LIST_ENTRY Queue;
    /* Held by each pended IRP from its dispatch until its worker's IoCallDriver returned: unload
     * waits for it before detaching, so the device below (and its driver) cannot go away while a
     * worker is still inside the lower driver's dispatch routine. */
    IO_REMOVE_LOCK RemoveLock;
    PDEVICE_OBJECT Control;
    /* PnP filter only: the filter devices AddDevice created and REMOVE_DEVICE has not deleted, under
     * ControlMutex with the creation and deletion of Control. */
    BOOLEAN Pnp;
    KMUTEX ControlMutex;
    ULONG Filters;
} Fault;

static UNICODE_STRING FaultLinkName = RTL_CONSTANT_STRING(NTIO_FAULT_INJECT_LINK_NAME);

/* splitmix64 of seed + n: a well-mixed number for the n-th draw without shared mutable state. */
static ULONGLONG FaultRandom(_In_ ULONGLONG Seed, _In_ ULONGLONG N)
{
    ULONGLONG z = Seed + N * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static FAULT_ACTION FaultDecide(_In_ UCHAR Major, _Out_ PNTIO_FAULT_INJECT_CONFIG Config)
{
    KIRQL irql;
    ULONGLONG draw;
    ULONGLONG bound;
    ULONG roll;

    KeAcquireSpinLock(&Fault.ConfigLock, &irql);
    *Config = Fault.Config;
    KeReleaseSpinLock(&Fault.ConfigLock, irql);
    if (Major >= 32 || !(Config->MajorMask & (1UL << Major))) {
        return FaultPass;
    }
    draw = (ULONGLONG)InterlockedIncrement64(&Fault.Draws);
    roll = (ULONG)(FaultRandom(Config->Seed, draw) % NTIO_FAULT_INJECT_RATE_SCALE);
    bound = Config->FailRate;
    if (roll < bound) {
        return FaultFail;
    }
    bound += Config->DropRate;
    if (roll < bound) {
        return FaultDrop;
    }
    bound += Config->PendRate;
    if (roll < bound) {
        return FaultPend;
    }
    bound += Config->DelayRate;
    if (roll < bound) {
        return FaultDelay;
    }
    return FaultPass;
}

/* ---- fast I/O ---- */
/* Declined (FALSE) whenever the request's major function is selected and any rate is non-zero: the
 * IRP that follows draws its fate as every other selected IRP does, so failures, drops, pends and
 * delays happen exactly as configured. Otherwise it passes down; a selected request the drivers
 * below did counts as passed, as its IRP would have. */
static BOOLEAN FaultFastIo(_In_ PDEVICE_OBJECT DeviceObject, _In_ BOOLEAN Write, _In_ PFILE_OBJECT FileObject,
                           _In_ PLARGE_INTEGER FileOffset, _In_ ULONG Length, _In_ BOOLEAN Wait, _In_ ULONG LockKey,
                           _Inout_ PVOID Buffer, _Out_ PIO_STATUS_BLOCK IoStatus)
{
    const UCHAR major = Write ? IRP_MJ_WRITE : IRP_MJ_READ;
    BOOLEAN selected;
    BOOLEAN done;
    KIRQL irql;

    if (DeviceObject == Fault.Control) {
        return FALSE;
    }
    KeAcquireSpinLock(&Fault.ConfigLock, &irql);
    selected = (Fault.Config.MajorMask & (1UL << major)) != 0;
    if (selected && (Fault.Config.FailRate || Fault.Config.DropRate || Fault.Config.PendRate || Fault.Config.DelayRate)) {
        KeReleaseSpinLock(&Fault.ConfigLock, irql);
        return FALSE;
    }
    KeReleaseSpinLock(&Fault.ConfigLock, irql);
    done = Write ? FilterFastIoWrite(FileObject, FileOffset, Length, Wait, LockKey, Buffer, IoStatus, DeviceObject)
                 : FilterFastIoRead(FileObject, FileOffset, Length, Wait, LockKey, Buffer, IoStatus, DeviceObject);
    if (done && selected) {
        InterlockedIncrement64(&Fault.Draws);
        InterlockedIncrement64(&Fault.Counts[FaultPass]);
    }
    return done;
}

static BOOLEAN NTAPI FaultFastIoRead(_In_ PFILE_OBJECT FileObject, _In_ PLARGE_INTEGER FileOffset, _In_ ULONG Length,
                                     _In_ BOOLEAN Wait, _In_ ULONG LockKey, _Out_ PVOID Buffer,
                                     _Out_ PIO_STATUS_BLOCK IoStatus, _In_ PDEVICE_OBJECT DeviceObject)
{
    return FaultFastIo(DeviceObject, FALSE, FileObject, FileOffset, Length, Wait, LockKey, Buffer, IoStatus);
}

static BOOLEAN NTAPI FaultFastIoWrite(_In_ PFILE_OBJECT FileObject, _In_ PLARGE_INTEGER FileOffset, _In_ ULONG Length,
                                      _In_ BOOLEAN Wait, _In_ ULONG LockKey, _In_ PVOID Buffer,
                                      _Out_ PIO_STATUS_BLOCK IoStatus, _In_ PDEVICE_OBJECT DeviceObject)
{
    return FaultFastIo(DeviceObject, TRUE, FileObject, FileOffset, Length, Wait, LockKey, Buffer, IoStatus);
}

/* ---- cancel-safe queue of dropped IRPs ---- */
VOID FaultCsqInsert(_In_ PIO_CSQ Csq, _In_ PIRP Irp)
{
    UNREFERENCED_PARAMETER(Csq);
    InsertTailList(&Fault.Queue, &Irp->Tail.Overlay.ListEntry);
}

VOID FaultCsqRemove(_In_ PIO_CSQ Csq, _In_ PIRP Irp)
{
    UNREFERENCED_PARAMETER(Csq);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
}

/* The next IRP after Irp (from the head when NULL) whose file is PeekContext (any when NULL). */
PIRP FaultCsqPeekNext(_In_ PIO_CSQ Csq, _In_opt_ PIRP Irp, _In_opt_ PVOID PeekContext)
{
    PLIST_ENTRY entry = Irp ? Irp->Tail.Overlay.ListEntry.Flink : Fault.Queue.Flink;
    UNREFERENCED_PARAMETER(Csq);
    for (; entry != &Fault.Queue; entry = entry->Flink) {
        PIRP candidate = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        if (!PeekContext || IoGetCurrentIrpStackLocation(candidate)->FileObject == (PFILE_OBJECT)PeekContext) {
            return candidate;
        }
    }
    return NULL;
}

_IRQL_raises_(DISPATCH_LEVEL) VOID FaultCsqAcquireLock(_In_ PIO_CSQ Csq, _Out_ PKIRQL Irql)
{
    UNREFERENCED_PARAMETER(Csq);
    KeAcquireSpinLock(&Fault.QueueLock, Irql);
}

VOID FaultCsqReleaseLock(_In_ PIO_CSQ Csq, _In_ KIRQL Irql)
{
    UNREFERENCED_PARAMETER(Csq);
    KeReleaseSpinLock(&Fault.QueueLock, Irql);
}

VOID FaultCsqCompleteCanceled(_In_ PIO_CSQ Csq, _In_ PIRP Irp)
{
    UNREFERENCED_PARAMETER(Csq);
    InterlockedDecrement64(&Fault.Outstanding);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

/* Completes the dropped IRPs of File (all when NULL) with STATUS_CANCELLED. */
static VOID FaultReleaseDropped(_In_opt_ PFILE_OBJECT File)
{
    PIRP irp;
    while ((irp = IoCsqRemoveNextIrp(&Fault.Csq, File)) != NULL) {
        FaultCsqCompleteCanceled(&Fault.Csq, irp);
    }
}

/* ---- pending: pass down later from a work item ---- */
VOID FaultPendWorker(_In_ PDEVICE_OBJECT DeviceObject, _In_opt_ PVOID Context)
{
    PIRP irp = (PIRP)Context;
    PFILTER_EXTENSION extension = (PFILTER_EXTENSION)DeviceObject->DeviceExtension;
    PIO_WORKITEM item = (PIO_WORKITEM)irp->Tail.Overlay.DriverContext[0];
    const ULONG delay = (ULONG)(ULONG_PTR)irp->Tail.Overlay.DriverContext[1];

    if (delay) {
        LARGE_INTEGER interval;
        interval.QuadPart = -(LONGLONG)delay * 10;
        KeDelayExecutionThread(KernelMode, FALSE, &interval);
    }
    irp->Tail.Overlay.DriverContext[0] = NULL;
    irp->Tail.Overlay.DriverContext[1] = NULL;
    IoFreeWorkItem(item);
    IoCopyCurrentIrpStackLocationToNext(irp);
    (VOID)IoCallDriver(extension->Lower, irp);
    IoReleaseRemoveLock(&Fault.RemoveLock, item);
}

static NTSTATUS FaultComplete(_Inout_ PIRP Irp, _In_ NTSTATUS Status, _In_ ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

static VOID FaultReadConfig(_In_ PUNICODE_STRING RegistryPath, _Out_ PNTIO_FAULT_INJECT_CONFIG Config)
{
    HANDLE parameters = NULL;
    RtlZeroMemory(Config, sizeof(*Config));
    Config->MajorMask = FAULT_DEFAULT_MASK;
    Config->FailStatus = STATUS_IO_DEVICE_ERROR;
    if (!NT_SUCCESS(DrvOpenParameters(RegistryPath, &parameters))) {
        return;
    }
    Config->Seed = FilterQueryDword(parameters, L"Seed", 0);
    Config->MajorMask = FilterQueryDword(parameters, L"MajorMask", FAULT_DEFAULT_MASK);
    Config->FailRate = FilterQueryDword(parameters, L"FailRate", 0);
    Config->FailStatus = (LONG)FilterQueryDword(parameters, L"FailStatus", (ULONG)STATUS_IO_DEVICE_ERROR);
    Config->DropRate = FilterQueryDword(parameters, L"DropRate", 0);
    Config->PendRate = FilterQueryDword(parameters, L"PendRate", 0);
    Config->PendMicroseconds = FilterQueryDword(parameters, L"PendMicroseconds", 0);
    Config->DelayRate = FilterQueryDword(parameters, L"DelayRate", 0);
    Config->DelayMicroseconds = FilterQueryDword(parameters, L"DelayMicroseconds", 0);
    ZwClose(parameters);
}

/* Rates add up to at most 100%, and a failure status must be an error (a success would claim a
 * transfer that never happened). */
static BOOLEAN FaultConfigValid(_In_ PNTIO_FAULT_INJECT_CONFIG Config)
{
    const ULONGLONG total = (ULONGLONG)Config->FailRate + Config->DropRate + Config->PendRate + Config->DelayRate;
    return total <= NTIO_FAULT_INJECT_RATE_SCALE && (Config->FailRate == 0 || NT_ERROR(Config->FailStatus)) &&
           Config->PendMicroseconds <= 10000000 && Config->DelayMicroseconds <= 10000000;
}

static NTSTATUS FaultControl(_Inout_ PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PVOID buffer = Irp->AssociatedIrp.SystemBuffer;
    const ULONG inputLength = stack->Parameters.DeviceIoControl.InputBufferLength;
    const ULONG outputLength = stack->Parameters.DeviceIoControl.OutputBufferLength;
    ULONG_PTR information = 0;
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL irql;

    if (stack->MajorFunction == IRP_MJ_CREATE || stack->MajorFunction == IRP_MJ_CLOSE ||
        stack->MajorFunction == IRP_MJ_CLEANUP) {
        return FaultComplete(Irp, STATUS_SUCCESS, 0);
    }
    if (stack->MajorFunction != IRP_MJ_DEVICE_CONTROL) {
        return FaultComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_NTIO_FAULT_INJECT_SET_CONFIG:
        if (inputLength < sizeof(NTIO_FAULT_INJECT_CONFIG)) {
            status = STATUS_INVALID_PARAMETER;
        } else if (!FaultConfigValid((PNTIO_FAULT_INJECT_CONFIG)buffer)) {
            status = STATUS_INVALID_PARAMETER;
        } else {
            KeAcquireSpinLock(&Fault.ConfigLock, &irql);
            Fault.Config = *(PNTIO_FAULT_INJECT_CONFIG)buffer;
            InterlockedExchange64(&Fault.Draws, 0);
            KeReleaseSpinLock(&Fault.ConfigLock, irql);
        }
        break;
    case IOCTL_NTIO_FAULT_INJECT_GET_CONFIG:
        if (outputLength < sizeof(NTIO_FAULT_INJECT_CONFIG)) {
            status = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        KeAcquireSpinLock(&Fault.ConfigLock, &irql);
        *(PNTIO_FAULT_INJECT_CONFIG)buffer = Fault.Config;
        KeReleaseSpinLock(&Fault.ConfigLock, irql);
        information = sizeof(NTIO_FAULT_INJECT_CONFIG);
        break;
    case IOCTL_NTIO_FAULT_INJECT_GET_STATS: {
        PNTIO_FAULT_INJECT_STATS stats = (PNTIO_FAULT_INJECT_STATS)buffer;
        if (outputLength < sizeof(NTIO_FAULT_INJECT_STATS)) {
            status = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        stats->Passed = (ULONGLONG)InterlockedCompareExchange64(&Fault.Counts[FaultPass], 0, 0);
        stats->Failed = (ULONGLONG)InterlockedCompareExchange64(&Fault.Counts[FaultFail], 0, 0);
        stats->Dropped = (ULONGLONG)InterlockedCompareExchange64(&Fault.Counts[FaultDrop], 0, 0);
        stats->Pended = (ULONGLONG)InterlockedCompareExchange64(&Fault.Counts[FaultPend], 0, 0);
        stats->Delayed = (ULONGLONG)InterlockedCompareExchange64(&Fault.Counts[FaultDelay], 0, 0);
        stats->Seen = stats->Passed + stats->Failed + stats->Dropped + stats->Pended + stats->Delayed;
        stats->DroppedOutstanding = (ULONGLONG)InterlockedCompareExchange64(&Fault.Outstanding, 0, 0);
        information = sizeof(NTIO_FAULT_INJECT_STATS);
        break;
    }
    case IOCTL_NTIO_FAULT_INJECT_RELEASE_DROPPED:
        FaultReleaseDropped(NULL);
        break;
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    return FaultComplete(Irp, status, information);
}

/* \Device\NtioFaultInject and its \DosDevices link, ready for opens. */
static NTSTATUS FaultCreateControl(_In_ PDRIVER_OBJECT DriverObject)
{
    UNICODE_STRING sddl = RTL_CONSTANT_STRING(SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_RW_RES_R);
    UNICODE_STRING controlName = RTL_CONSTANT_STRING(NTIO_FAULT_INJECT_DEVICE_NAME);
    PDEVICE_OBJECT control = NULL;
    NTSTATUS status;

    /* Any user may read the records and change the settings: test tooling, not a security boundary. */
    status = IoCreateDeviceSecure(DriverObject, sizeof(FILTER_EXTENSION), &controlName, FILE_DEVICE_NTIO_FAULT_INJECT,
                                  FILE_DEVICE_SECURE_OPEN, FALSE, &sddl, &FaultClassGuid, &control);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    control->Flags |= DO_BUFFERED_IO;
    Fault.Control = control;
    status = IoCreateSymbolicLink(&FaultLinkName, &controlName);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(control);
        Fault.Control = NULL;
        return status;
    }
    control->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

static VOID FaultDeleteControl(VOID)
{
    if (Fault.Control) {
        IoDeleteSymbolicLink(&FaultLinkName);
        IoDeleteDevice(Fault.Control);
        Fault.Control = NULL;
    }
}

/* PnP filter: the last filter device takes the control device with it. */
static VOID FaultFilterRemoved(VOID)
{
    KeWaitForSingleObject(&Fault.ControlMutex, Executive, KernelMode, FALSE, NULL);
    if (--Fault.Filters == 0) {
        FaultDeleteControl();
    }
    KeReleaseMutex(&Fault.ControlMutex, FALSE);
}

NTSTATUS FaultDispatch(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PFILTER_EXTENSION extension = (PFILTER_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PDEVICE_OBJECT lower;
    NTIO_FAULT_INJECT_CONFIG config;
    FAULT_ACTION action;
    NTSTATUS status;

    if (DeviceObject == Fault.Control) {
        return FaultControl(Irp);
    }
    lower = extension->Lower;
    if (stack->MajorFunction == IRP_MJ_CLEANUP) {
        FaultReleaseDropped(stack->FileObject);
    } else if (stack->MajorFunction == IRP_MJ_PNP && stack->MinorFunction == IRP_MN_REMOVE_DEVICE) {
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(lower, Irp);
        IoDetachDevice(lower);
        extension->Lower = NULL;
        IoDeleteDevice(DeviceObject);
        if (Fault.Pnp) {
            FaultFilterRemoved();
        }
        return status;
    }

    action = FaultDecide(stack->MajorFunction, &config);
    if (config.MajorMask & (1UL << (stack->MajorFunction & 31))) {
        InterlockedIncrement64(&Fault.Counts[action]);
    }
    switch (action) {
    case FaultFail:
        return FaultComplete(Irp, config.FailStatus, 0);
    case FaultDrop:
        InterlockedIncrement64(&Fault.Outstanding);
        IoCsqInsertIrp(&Fault.Csq, Irp, NULL); /* marks the IRP pending */
        return STATUS_PENDING;
    case FaultPend: {
        PIO_WORKITEM item = IoAllocateWorkItem(DeviceObject);
        if (!item) {
            return FaultComplete(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
        }
        status = IoAcquireRemoveLock(&Fault.RemoveLock, item);
        if (!NT_SUCCESS(status)) {
            IoFreeWorkItem(item);
            return FaultComplete(Irp, status, 0);
        }
        Irp->Tail.Overlay.DriverContext[0] = item;
        Irp->Tail.Overlay.DriverContext[1] = (PVOID)(ULONG_PTR)config.PendMicroseconds;
        IoMarkIrpPending(Irp);
        IoQueueWorkItem(item, FaultPendWorker, DelayedWorkQueue, Irp);
        return STATUS_PENDING;
    }
    case FaultDelay:
        if (KeGetCurrentIrql() == PASSIVE_LEVEL && config.DelayMicroseconds) {
            LARGE_INTEGER interval;
            interval.QuadPart = -(LONGLONG)config.DelayMicroseconds * 10;
            KeDelayExecutionThread(KernelMode, FALSE, &interval);
        }
        break;
    case FaultPass:
        break;
    }
    IoSkipCurrentIrpStackLocation(Irp);
    return IoCallDriver(lower, Irp);
}

/* PnP filter: the first filter device brings the control device. */
NTSTATUS FaultAddDevice(_In_ PDRIVER_OBJECT DriverObject, _In_ PDEVICE_OBJECT PhysicalDeviceObject)
{
    PDEVICE_OBJECT device = NULL;
    NTSTATUS status;

    KeWaitForSingleObject(&Fault.ControlMutex, Executive, KernelMode, FALSE, NULL);
    status = Fault.Filters == 0 ? FaultCreateControl(DriverObject) : STATUS_SUCCESS;
    if (NT_SUCCESS(status)) {
        status = FilterAttachToDevice(DriverObject, PhysicalDeviceObject, sizeof(FILTER_EXTENSION), &device);
        if (NT_SUCCESS(status)) {
            ++Fault.Filters;
        } else if (Fault.Filters == 0) {
            FaultDeleteControl();
        }
    }
    KeReleaseMutex(&Fault.ControlMutex, FALSE);
    return status;
}

static VOID FaultCleanup(_In_ PDRIVER_OBJECT DriverObject)
{
    FaultReleaseDropped(NULL);
    if (NT_SUCCESS(IoAcquireRemoveLock(&Fault.RemoveLock, DriverObject))) {
        IoReleaseRemoveLockAndWait(&Fault.RemoveLock, DriverObject);
    }
    FilterDetachAll(DriverObject);
    FaultDeleteControl();
}

VOID FaultUnload(_In_ PDRIVER_OBJECT DriverObject)
{
    FaultCleanup(DriverObject);
}

NTSTATUS DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath)
{
    NTSTATUS status;
    ULONG i;

    RtlZeroMemory(&Fault, sizeof(Fault));
    KeInitializeSpinLock(&Fault.ConfigLock);
    KeInitializeSpinLock(&Fault.QueueLock);
    KeInitializeMutex(&Fault.ControlMutex, 0);
    InitializeListHead(&Fault.Queue);
    IoInitializeRemoveLock(&Fault.RemoveLock, FAULT_TAG, 0, 0);
    status = IoCsqInitialize(&Fault.Csq, FaultCsqInsert, FaultCsqRemove, FaultCsqPeekNext, FaultCsqAcquireLock,
                             FaultCsqReleaseLock, FaultCsqCompleteCanceled);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    FaultReadConfig(RegistryPath, &Fault.Config);
    if (!FaultConfigValid(&Fault.Config)) {
        DbgPrint("fault_inject: the rates in Parameters add up to more than %lu or FailStatus is not an error\n",
                 NTIO_FAULT_INJECT_RATE_SCALE);
        return STATUS_INVALID_PARAMETER;
    }
    for (i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; ++i) {
        DriverObject->MajorFunction[i] = FaultDispatch;
    }
    DriverObject->FastIoDispatch = &FaultFastIoDispatch;
    DriverObject->DriverUnload = FaultUnload;
    if (!FilterIsLegacy(RegistryPath)) {
        /* A PnP driver: devices come from AddDevice, the control device with the first of them. */
        Fault.Pnp = TRUE;
        DriverObject->DriverExtension->AddDevice = FaultAddDevice;
        return STATUS_SUCCESS;
    }
    status = FaultCreateControl(DriverObject);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = FilterAttachFromRegistry(DriverObject, RegistryPath, sizeof(FILTER_EXTENSION));
    if (!NT_SUCCESS(status)) {
        FaultCleanup(DriverObject);
    }
    return status;
}

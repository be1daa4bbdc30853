/* npfs.sys FSCTL_PIPE_WAIT (WaitNamedPipe) on the file system root: succeeds at once when an instance
 * of the named pipe listens, else waits until one does (STATUS_SUCCESS), the timeout passes
 * (STATUS_IO_TIMEOUT), or the request is cancelled. A pipe that does not exist is
 * STATUS_OBJECT_NAME_NOT_FOUND. Each wait has a timer; the wait context is freed by whichever of its
 * two holders, the request and the timer, lets go last.
 * https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-waitnamedpipea */
#include "npfs.h"

static KDEFERRED_ROUTINE NpfsWaitTimeout;
static DRIVER_CANCEL NpfsCancelWait;

/* Drops one hold on Wait; the last frees it. Lock held. */
static VOID NpfsReleaseWait(_Inout_ PNPFS_WAIT Wait)
{
    if (--Wait->References == 0) {
        ExFreePoolWithTag(Wait, NPFS_TAG);
    }
}

/* Ends a wait whose request the caller owns (its cancel routine cleared): Status for the IRP, the
 * timer stopped if it has not fired. Lock held. */
static VOID NpfsFinishWait(_Inout_ PNPFS_WAIT Wait, _In_ NTSTATUS Status, _Inout_ PLIST_ENTRY Done)
{
    PIRP irp = Wait->Irp;
    RemoveEntryList(&Wait->ListEntry);
    Wait->Irp = NULL;
    irp->IoStatus.Status = Status;
    irp->IoStatus.Information = 0;
    InsertTailList(Done, &irp->Tail.Overlay.ListEntry);
    if (KeCancelTimer(&Wait->Timer)) {
        NpfsReleaseWait(Wait); /* the timer's hold: its routine will not run */
    }
    NpfsReleaseWait(Wait);
}

VOID NpfsSatisfyWaiters(_In_ PNPFS_DEVICE_EXTENSION Extension, _In_ PNPFS_FCB Fcb, _Inout_ PLIST_ENTRY Done)
{
    PLIST_ENTRY link = Extension->Waiters.Flink;
    while (link != &Extension->Waiters) {
        PNPFS_WAIT wait = CONTAINING_RECORD(link, NPFS_WAIT, ListEntry);
        link = link->Flink;
        if (RtlEqualUnicodeString(&wait->Name, &Fcb->Name, TRUE) && IoSetCancelRoutine(wait->Irp, NULL) != NULL) {
            NpfsFinishWait(wait, STATUS_SUCCESS, Done);
        }
    }
}

VOID NpfsCleanupWaiters(_In_ PNPFS_DEVICE_EXTENSION Extension, _In_ PFILE_OBJECT FileObject, _Inout_ PLIST_ENTRY Done)
{
    PLIST_ENTRY link = Extension->Waiters.Flink;
    while (link != &Extension->Waiters) {
        PNPFS_WAIT wait = CONTAINING_RECORD(link, NPFS_WAIT, ListEntry);
        link = link->Flink;
        if (IoGetCurrentIrpStackLocation(wait->Irp)->FileObject == FileObject &&
            IoSetCancelRoutine(wait->Irp, NULL) != NULL) {
            NpfsFinishWait(wait, STATUS_CANCELLED, Done);
        }
    }
}

static VOID NpfsWaitTimeout(_In_ PKDPC Dpc, _In_opt_ PVOID DeferredContext, _In_opt_ PVOID SystemArgument1,
                            _In_opt_ PVOID SystemArgument2)
{
    PNPFS_WAIT wait = (PNPFS_WAIT)DeferredContext;
    PNPFS_DEVICE_EXTENSION extension;
    PIRP irp = NULL;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    if (wait == NULL) {
        return;
    }
    extension = wait->Extension;
    KeAcquireSpinLockAtDpcLevel(&extension->Lock);
    if (wait->Irp != NULL && IoSetCancelRoutine(wait->Irp, NULL) != NULL) {
        irp = wait->Irp;
        RemoveEntryList(&wait->ListEntry);
        wait->Irp = NULL;
        NpfsReleaseWait(wait); /* the request's hold */
    }
    NpfsReleaseWait(wait); /* the timer's hold */
    KeReleaseSpinLockFromDpcLevel(&extension->Lock);
    if (irp != NULL) {
        NpfsComplete(irp, STATUS_IO_TIMEOUT, 0);
    }
}

static VOID NpfsCancelWait(_Inout_ PDEVICE_OBJECT DeviceObject, _Inout_ _IRQL_uses_cancel_ PIRP Irp)
{
    PNPFS_DEVICE_EXTENSION extension = (PNPFS_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PNPFS_WAIT wait = (PNPFS_WAIT)Irp->Tail.Overlay.DriverContext[0];
    LIST_ENTRY done;
    KIRQL irql;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    InitializeListHead(&done);
    KeAcquireSpinLock(&extension->Lock, &irql);
    NpfsFinishWait(wait, STATUS_CANCELLED, &done);
    KeReleaseSpinLock(&extension->Lock, irql);
    NpfsCompleteList(&done);
}

NTSTATUS NpfsWaitForPipe(_In_ PNPFS_DEVICE_EXTENSION Extension, _Inout_ PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PFILE_PIPE_WAIT_FOR_BUFFER request = (PFILE_PIPE_WAIT_FOR_BUFFER)Irp->AssociatedIrp.SystemBuffer;
    ULONG length = stack->Parameters.FileSystemControl.InputBufferLength;
    ULONG header = FIELD_OFFSET(FILE_PIPE_WAIT_FOR_BUFFER, Name);
    LARGE_INTEGER timeout;
    LIST_ENTRY done;
    PLIST_ENTRY link;
    PNPFS_WAIT wait;
    PNPFS_FCB fcb = NULL;
    NTSTATUS status = STATUS_OBJECT_NAME_NOT_FOUND;
    PWCH name;
    ULONG nameLength;
    KIRQL irql;

    if (request == NULL || length < header || request->NameLength > length - header ||
        request->NameLength % sizeof(WCHAR) != 0 || request->NameLength > MAXUSHORT) {
        return NpfsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    name = request->Name;
    nameLength = request->NameLength;
    if (nameLength >= sizeof(WCHAR) && name[0] == L'\\') {
        name++;
        nameLength -= sizeof(WCHAR);
    }
    wait = (PNPFS_WAIT)ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(NPFS_WAIT) + nameLength, NPFS_TAG);
    if (wait == NULL) {
        return NpfsComplete(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    }
    wait->Name.Buffer = (PWCH)(wait + 1);
    wait->Name.Length = (USHORT)nameLength;
    wait->Name.MaximumLength = (USHORT)nameLength;
    RtlCopyMemory(wait->Name.Buffer, name, nameLength);
    wait->Extension = Extension;
    wait->Irp = Irp;
    wait->References = 2;
    KeInitializeTimer(&wait->Timer);
    KeInitializeDpc(&wait->Dpc, NpfsWaitTimeout, wait);

    InitializeListHead(&done);
    KeAcquireSpinLock(&Extension->Lock, &irql);
    for (link = Extension->Pipes.Flink; link != &Extension->Pipes; link = link->Flink) {
        PNPFS_FCB candidate = CONTAINING_RECORD(link, NPFS_FCB, ListEntry);
        if (RtlEqualUnicodeString(&candidate->Name, &wait->Name, TRUE)) {
            fcb = candidate;
            break;
        }
    }
    if (fcb != NULL) {
        status = STATUS_PENDING;
        for (link = fcb->Instances.Flink; link != &fcb->Instances; link = link->Flink) {
            if (CONTAINING_RECORD(link, NPFS_CCB, ListEntry)->State == FILE_PIPE_LISTENING_STATE) {
                status = STATUS_SUCCESS;
                break;
            }
        }
    }
    if (status != STATUS_PENDING) {
        KeReleaseSpinLock(&Extension->Lock, irql);
        ExFreePoolWithTag(wait, NPFS_TAG);
        return NpfsComplete(Irp, status, 0);
    }
    timeout = request->TimeoutSpecified ? request->Timeout : fcb->DefaultTimeout;
    Irp->Tail.Overlay.DriverContext[0] = wait;
    IoMarkIrpPending(Irp);
    InsertTailList(&Extension->Waiters, &wait->ListEntry);
    IoSetCancelRoutine(Irp, NpfsCancelWait);
    if (Irp->Cancel && IoSetCancelRoutine(Irp, NULL) != NULL) {
        NpfsFinishWait(wait, STATUS_CANCELLED, &done); /* the timer was never set: drop its hold too */
        NpfsReleaseWait(wait);
    } else {
        KeSetTimer(&wait->Timer, timeout, &wait->Dpc);
    }
    KeReleaseSpinLock(&Extension->Lock, irql);
    NpfsCompleteList(&done);
    return STATUS_PENDING;
}

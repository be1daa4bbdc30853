/* npfs.sys data queues: writes go to the reads waiting on the other end first, then are buffered up
 * to the queue's quota; a write past the quota stays pending, its IRP's own buffer queued in order
 * (unbuffered), until readers take its data or room frees up. Parked IRPs are cancellable through
 * cancel routines that take the driver's one lock; whoever clears an IRP's cancel routine owns its
 * completion. Every routine here runs with the lock held and leaves completed IRPs on a list the
 * caller completes after dropping the lock. */
#include "npfs.h"

/* Parked readers keep their target in the IRP's driver context: the buffer, its length, and whether
 * they read one message at a time. */
#define NPFS_READER_BUFFER(Irp) ((PUCHAR)(Irp)->Tail.Overlay.DriverContext[0])
#define NPFS_READER_LENGTH(Irp) ((ULONG)(ULONG_PTR)(Irp)->Tail.Overlay.DriverContext[1])
#define NPFS_READER_MESSAGES(Irp) ((BOOLEAN)((ULONG_PTR)(Irp)->Tail.Overlay.DriverContext[2] != 0))

/* A retired entry has been read entirely while its write IRP's cancel routine was already on its
 * way: the entry stays listed (the cancel routine unlinks it) but holds no data any more. */
#define NPFS_ENTRY_RETIRED(Entry) ((Entry)->Irp != NULL && (Entry)->Offset == (Entry)->Length)

static DRIVER_CANCEL NpfsCancelParked;
static DRIVER_CANCEL NpfsCancelWrite;

VOID NpfsInitializeQueue(_Out_ PNPFS_QUEUE Queue, _In_ ULONG Quota)
{
    InitializeListHead(&Queue->Data);
    InitializeListHead(&Queue->Readers);
    InitializeListHead(&Queue->Flushers);
    Queue->Quota = Quota;
    Queue->BytesQueued = 0;
    Queue->BytesBuffered = 0;
    Queue->Messages = 0;
}

/* The server reads what clients write (inbound) and writes outbound; the client the reverse. */
PNPFS_QUEUE NpfsReadQueue(_In_ PNPFS_CCB Ccb, _In_ ULONG End)
{
    return &Ccb->Queue[End == FILE_PIPE_SERVER_END ? FILE_PIPE_INBOUND : FILE_PIPE_OUTBOUND];
}

PNPFS_QUEUE NpfsWriteQueue(_In_ PNPFS_CCB Ccb, _In_ ULONG End)
{
    return &Ccb->Queue[End == FILE_PIPE_SERVER_END ? FILE_PIPE_OUTBOUND : FILE_PIPE_INBOUND];
}

static PNPFS_DATA_ENTRY NpfsFirstEntry(_In_ PNPFS_QUEUE Queue)
{
    PLIST_ENTRY link;
    for (link = Queue->Data.Flink; link != &Queue->Data; link = link->Flink) {
        PNPFS_DATA_ENTRY entry = CONTAINING_RECORD(link, NPFS_DATA_ENTRY, ListEntry);
        if (!NPFS_ENTRY_RETIRED(entry)) {
            return entry;
        }
    }
    return NULL;
}

static BOOLEAN NpfsHasPendingWrite(_In_ PNPFS_QUEUE Queue)
{
    PLIST_ENTRY link;
    for (link = Queue->Data.Flink; link != &Queue->Data; link = link->Flink) {
        PNPFS_DATA_ENTRY entry = CONTAINING_RECORD(link, NPFS_DATA_ENTRY, ListEntry);
        if (entry->Irp != NULL && !NPFS_ENTRY_RETIRED(entry)) {
            return TRUE;
        }
    }
    return FALSE;
}

static VOID NpfsDone(_Inout_ PIRP Irp, _In_ NTSTATUS Status, _In_ ULONG_PTR Information, _Inout_ PLIST_ENTRY Done)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    InsertTailList(Done, &Irp->Tail.Overlay.ListEntry);
}

/* An entry whose data has all been read: a buffered one goes, an unbuffered one completes its write. */
static VOID NpfsRetireEntry(_Inout_ PNPFS_QUEUE Queue, _Inout_ PNPFS_DATA_ENTRY Entry, _Inout_ PLIST_ENTRY Done)
{
    PIRP irp = Entry->Irp;
    Queue->Messages--;
    if (irp == NULL) {
        RemoveEntryList(&Entry->ListEntry);
        ExFreePoolWithTag(Entry, NPFS_TAG);
        return;
    }
    if (IoSetCancelRoutine(irp, NULL) == NULL) {
        return; /* retired: the cancel routine unlinks it and completes the write with its data taken */
    }
    RemoveEntryList(&Entry->ListEntry);
    NpfsDone(irp, STATUS_SUCCESS, IoGetCurrentIrpStackLocation(irp)->Parameters.Write.Length, Done);
    ExFreePoolWithTag(Entry, NPFS_TAG);
}

/* Takes up to Length bytes of Entry into Buffer. */
static ULONG NpfsTake(_Inout_ PNPFS_QUEUE Queue, _Inout_ PNPFS_DATA_ENTRY Entry, _Out_writes_bytes_(Length) PUCHAR Buffer,
                      _In_ ULONG Length)
{
    ULONG available = Entry->Length - Entry->Offset;
    ULONG count = Length < available ? Length : available;
    RtlCopyMemory(Buffer, Entry->Data + Entry->Offset, count);
    Entry->Offset += count;
    Queue->BytesQueued -= count;
    if (Entry->Irp == NULL) {
        Queue->BytesBuffered -= count;
    }
    return count;
}

/* Pending writes whose rest now fits in the quota become buffered data and complete, in order: the
 * room a read frees goes to the oldest pending write first. */
static VOID NpfsAbsorbWrites(_Inout_ PNPFS_QUEUE Queue, _Inout_ PLIST_ENTRY Done)
{
    PLIST_ENTRY link;
    for (link = Queue->Data.Flink; link != &Queue->Data; link = link->Flink) {
        PNPFS_DATA_ENTRY entry = CONTAINING_RECORD(link, NPFS_DATA_ENTRY, ListEntry);
        PNPFS_DATA_ENTRY copy;
        PIRP irp = entry->Irp;
        ULONG rest = entry->Length - entry->Offset;
        if (irp == NULL || NPFS_ENTRY_RETIRED(entry)) {
            continue;
        }
        if (rest > Queue->Quota - Queue->BytesBuffered) {
            return;
        }
        copy = (PNPFS_DATA_ENTRY)ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(NPFS_DATA_ENTRY) + rest, NPFS_TAG);
        if (copy == NULL) {
            return;
        }
        if (IoSetCancelRoutine(irp, NULL) == NULL) {
            ExFreePoolWithTag(copy, NPFS_TAG);
            continue; /* being cancelled: its cancel routine takes it out */
        }
        copy->Irp = NULL;
        copy->Data = (PUCHAR)(copy + 1);
        copy->Length = rest;
        copy->Offset = 0;
        RtlCopyMemory(copy->Data, entry->Data + entry->Offset, rest);
        /* The copy takes the entry's place in the queue. */
        InsertHeadList(&entry->ListEntry, &copy->ListEntry);
        RemoveEntryList(&entry->ListEntry);
        Queue->BytesBuffered += rest;
        NpfsDone(irp, STATUS_SUCCESS, IoGetCurrentIrpStackLocation(irp)->Parameters.Write.Length, Done);
        ExFreePoolWithTag(entry, NPFS_TAG);
        link = &copy->ListEntry;
    }
}

NTSTATUS NpfsReadQueueData(_Inout_ PNPFS_QUEUE Queue, _In_ BOOLEAN MessageMode, _Out_writes_bytes_(Length) PUCHAR Buffer,
                           _In_ ULONG Length, _Out_ PULONG Copied, _Inout_ PLIST_ENTRY Done)
{
    PNPFS_DATA_ENTRY entry = NpfsFirstEntry(Queue);
    NTSTATUS status = STATUS_SUCCESS;
    ULONG copied = 0;

    *Copied = 0;
    if (entry == NULL) {
        return STATUS_PENDING;
    }
    if (MessageMode) {
        /* NT fact O4: a message longer than the buffer fills it, STATUS_BUFFER_OVERFLOW, and the rest
         * of the message is what the next read gets. */
        copied = NpfsTake(Queue, entry, Buffer, Length);
        if (entry->Offset < entry->Length) {
            status = STATUS_BUFFER_OVERFLOW;
        } else {
            NpfsRetireEntry(Queue, entry, Done);
        }
    } else {
        /* NT fact O2: a byte-mode read takes what there is, across writes, without waiting for more. */
        while (entry != NULL && copied < Length) {
            copied += NpfsTake(Queue, entry, Buffer + copied, Length - copied);
            if (entry->Offset == entry->Length) {
                NpfsRetireEntry(Queue, entry, Done);
            }
            entry = NpfsFirstEntry(Queue);
        }
    }
    NpfsAbsorbWrites(Queue, Done);
    NpfsCheckFlushers(Queue, Done);
    *Copied = copied;
    return status;
}

BOOLEAN NpfsParkIrp(_Inout_ PLIST_ENTRY List, _Inout_ PIRP Irp, _Inout_ PLIST_ENTRY Done)
{
    IoMarkIrpPending(Irp);
    IoSetCancelRoutine(Irp, NpfsCancelParked);
    if (Irp->Cancel && IoSetCancelRoutine(Irp, NULL) != NULL) {
        NpfsDone(Irp, STATUS_CANCELLED, 0, Done);
        return FALSE;
    }
    InsertTailList(List, &Irp->Tail.Overlay.ListEntry);
    return TRUE;
}

VOID NpfsFailParked(_Inout_ PLIST_ENTRY List, _In_ NTSTATUS Status, _Inout_ PLIST_ENTRY Done)
{
    PLIST_ENTRY link = List->Flink;
    while (link != List) {
        PIRP irp = CONTAINING_RECORD(link, IRP, Tail.Overlay.ListEntry);
        link = link->Flink;
        if (IoSetCancelRoutine(irp, NULL) != NULL) {
            RemoveEntryList(&irp->Tail.Overlay.ListEntry);
            NpfsDone(irp, Status, 0, Done);
        }
    }
}

VOID NpfsCheckFlushers(_Inout_ PNPFS_QUEUE Queue, _Inout_ PLIST_ENTRY Done)
{
    if (Queue->Messages == 0) {
        NpfsFailParked(&Queue->Flushers, STATUS_SUCCESS, Done);
    }
}

VOID NpfsFlushQueue(_Inout_ PNPFS_QUEUE Queue, _In_ NTSTATUS Status, _In_ BOOLEAN DropBuffered, _Inout_ PLIST_ENTRY Done)
{
    PLIST_ENTRY link = Queue->Data.Flink;
    NpfsFailParked(&Queue->Readers, Status, Done);
    NpfsFailParked(&Queue->Flushers, Status, Done);
    while (link != &Queue->Data) {
        PNPFS_DATA_ENTRY entry = CONTAINING_RECORD(link, NPFS_DATA_ENTRY, ListEntry);
        ULONG rest = entry->Length - entry->Offset;
        link = link->Flink;
        if (NPFS_ENTRY_RETIRED(entry)) {
            continue;
        }
        if (entry->Irp != NULL) {
            if (IoSetCancelRoutine(entry->Irp, NULL) == NULL) {
                continue; /* its cancel routine takes it out */
            }
            NpfsDone(entry->Irp, Status, 0, Done);
        } else if (!DropBuffered) {
            continue;
        } else {
            Queue->BytesBuffered -= rest;
        }
        Queue->BytesQueued -= rest;
        Queue->Messages--;
        RemoveEntryList(&entry->ListEntry);
        ExFreePoolWithTag(entry, NPFS_TAG);
    }
}

/* Queues Length bytes at Data as one entry: a copy when Irp is NULL, else the pending IRP's buffer. */
static NTSTATUS NpfsQueueEntry(_Inout_ PNPFS_QUEUE Queue, _In_reads_bytes_(Length) PUCHAR Data, _In_ ULONG Length,
                               _In_opt_ PIRP Irp, _Inout_ PLIST_ENTRY Done)
{
    PNPFS_DATA_ENTRY entry;
    SIZE_T size = sizeof(NPFS_DATA_ENTRY) + (Irp == NULL ? Length : 0);
    entry = (PNPFS_DATA_ENTRY)ExAllocatePool2(POOL_FLAG_NON_PAGED, size, NPFS_TAG);
    if (entry == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    entry->Irp = Irp;
    entry->Length = Length;
    entry->Offset = 0;
    if (Irp == NULL) {
        entry->Data = (PUCHAR)(entry + 1);
        RtlCopyMemory(entry->Data, Data, Length);
        Queue->BytesBuffered += Length;
    } else {
        entry->Data = Data;
        Irp->Tail.Overlay.DriverContext[0] = entry;
        Irp->Tail.Overlay.DriverContext[1] = Queue;
        IoMarkIrpPending(Irp);
        IoSetCancelRoutine(Irp, NpfsCancelWrite);
        if (Irp->Cancel && IoSetCancelRoutine(Irp, NULL) != NULL) {
            ExFreePoolWithTag(entry, NPFS_TAG);
            NpfsDone(Irp, STATUS_CANCELLED, 0, Done);
            return STATUS_PENDING;
        }
    }
    InsertTailList(&Queue->Data, &entry->ListEntry);
    Queue->BytesQueued += Length;
    Queue->Messages++;
    return Irp == NULL ? STATUS_SUCCESS : STATUS_PENDING;
}

NTSTATUS NpfsWriteQueueData(_Inout_ PNPFS_QUEUE Queue, _In_ BOOLEAN MessagePipe, _In_reads_bytes_(Length) PUCHAR Data,
                            _In_ ULONG Length, _In_opt_ PIRP WriteIrp, _In_ BOOLEAN Nonblocking, _Out_ PULONG Written,
                            _Inout_ PLIST_ENTRY Done)
{
    BOOLEAN taken = FALSE;
    ULONG written = 0;
    ULONG room;
    NTSTATUS status;

    *Written = 0;
    if (!MessagePipe && Length == 0) {
        return STATUS_SUCCESS; /* nothing to deliver: a zero-length write on a byte pipe is no data */
    }
    /* Waiting readers take the data directly when nothing is queued ahead of it. */
    if (Queue->Messages == 0) {
        PLIST_ENTRY link = Queue->Readers.Flink;
        while (link != &Queue->Readers && !taken) {
            PIRP irp = CONTAINING_RECORD(link, IRP, Tail.Overlay.ListEntry);
            ULONG want = NPFS_READER_LENGTH(irp);
            link = link->Flink;
            if (IoSetCancelRoutine(irp, NULL) == NULL) {
                continue; /* being cancelled */
            }
            RemoveEntryList(&irp->Tail.Overlay.ListEntry);
            if (want == 0 && Length != 0) {
                NpfsDone(irp, STATUS_SUCCESS, 0, Done); /* NT fact O6 */
                continue;
            }
            if (MessagePipe && NPFS_READER_MESSAGES(irp)) {
                ULONG count = want < Length ? want : Length;
                RtlCopyMemory(NPFS_READER_BUFFER(irp), Data, count);
                NpfsDone(irp, count < Length ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS, count, Done);
                written = count;
                taken = TRUE;
                /* The rest of an overflowed message is still one message: queued below whatever
                 * the quota says, since part of it is already delivered. */
                if (count < Length) {
                    status = NpfsQueueEntry(Queue, Data + count, Length - count, NULL, Done);
                    if (!NT_SUCCESS(status)) {
                        return status;
                    }
                    written = Length;
                }
            } else {
                ULONG count = want < Length - written ? want : Length - written;
                RtlCopyMemory(NPFS_READER_BUFFER(irp), Data + written, count);
                NpfsDone(irp, STATUS_SUCCESS, count, Done);
                written += count;
                taken = written == Length;
            }
        }
    }
    if (taken || (written == Length && !MessagePipe)) {
        *Written = Length;
        return STATUS_SUCCESS;
    }
    room = Queue->Quota - Queue->BytesBuffered;
    /* A write waiting for room keeps its place: later writes wait behind it (NT fact O7). */
    if ((Length - written <= room && !NpfsHasPendingWrite(Queue)) || WriteIrp == NULL) {
        status = NpfsQueueEntry(Queue, Data + written, Length - written, NULL, Done);
        if (NT_SUCCESS(status)) {
            *Written = Length;
        }
        return status;
    }
    if (Nonblocking) {
        /* FILE_PIPE_COMPLETE_OPERATION: a byte pipe takes what fits, a message pipe all or nothing. */
        if (!MessagePipe && room != 0) {
            status = NpfsQueueEntry(Queue, Data + written, room, NULL, Done);
            if (!NT_SUCCESS(status)) {
                return status;
            }
            written += room;
        }
        *Written = written;
        return STATUS_SUCCESS;
    }
    *Written = written;
    return NpfsQueueEntry(Queue, Data + written, Length - written, WriteIrp, Done);
}

static VOID NpfsCancelParked(_Inout_ PDEVICE_OBJECT DeviceObject, _Inout_ _IRQL_uses_cancel_ PIRP Irp)
{
    PNPFS_DEVICE_EXTENSION extension = (PNPFS_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    KIRQL irql;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    KeAcquireSpinLock(&extension->Lock, &irql);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLock(&extension->Lock, irql);
    NpfsComplete(Irp, STATUS_CANCELLED, 0);
}

/* NT fact O7: cancelling a pending write takes only its own unread data out of the queue. */
static VOID NpfsCancelWrite(_Inout_ PDEVICE_OBJECT DeviceObject, _Inout_ _IRQL_uses_cancel_ PIRP Irp)
{
    PNPFS_DEVICE_EXTENSION extension = (PNPFS_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PNPFS_DATA_ENTRY entry = (PNPFS_DATA_ENTRY)Irp->Tail.Overlay.DriverContext[0];
    PNPFS_QUEUE queue = (PNPFS_QUEUE)Irp->Tail.Overlay.DriverContext[1];
    NTSTATUS status = STATUS_CANCELLED;
    ULONG_PTR information = 0;
    LIST_ENTRY done;
    KIRQL irql;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    InitializeListHead(&done);
    KeAcquireSpinLock(&extension->Lock, &irql);
    RemoveEntryList(&entry->ListEntry);
    if (NPFS_ENTRY_RETIRED(entry)) {
        /* Read entirely before the cancel routine got the lock: the write happened. */
        status = STATUS_SUCCESS;
        information = IoGetCurrentIrpStackLocation(Irp)->Parameters.Write.Length;
    } else {
        queue->BytesQueued -= entry->Length - entry->Offset;
        queue->Messages--;
        NpfsCheckFlushers(queue, &done);
    }
    KeReleaseSpinLock(&extension->Lock, irql);
    ExFreePoolWithTag(entry, NPFS_TAG);
    NpfsCompleteList(&done);
    NpfsComplete(Irp, status, information);
}

VOID NpfsPeekQueue(_In_ PNPFS_QUEUE Queue, _In_ BOOLEAN MessagePipe, _Out_ PFILE_PIPE_PEEK_BUFFER Peek,
                   _In_ ULONG DataLength, _Out_ PULONG Copied, _Out_ PULONG Wanted)
{
    PNPFS_DATA_ENTRY entry = NpfsFirstEntry(Queue);
    PLIST_ENTRY link;
    ULONG copied = 0;

    Peek->ReadDataAvailable = Queue->BytesQueued;
    Peek->NumberOfMessages = MessagePipe ? Queue->Messages : 0;
    Peek->MessageLength = (MessagePipe && entry != NULL) ? entry->Length - entry->Offset : 0;
    /* A message pipe shows its first message, a byte pipe whatever is queued. */
    *Wanted = MessagePipe ? Peek->MessageLength : Queue->BytesQueued;
    for (link = entry != NULL ? &entry->ListEntry : &Queue->Data; link != &Queue->Data && copied < DataLength;
         link = link->Flink) {
        PNPFS_DATA_ENTRY next = CONTAINING_RECORD(link, NPFS_DATA_ENTRY, ListEntry);
        ULONG available = next->Length - next->Offset;
        ULONG count = DataLength - copied < available ? DataLength - copied : available;
        RtlCopyMemory((PUCHAR)Peek->Data + copied, next->Data + next->Offset, count);
        copied += count;
        if (MessagePipe) {
            break;
        }
    }
    *Copied = copied;
}

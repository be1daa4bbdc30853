/* npfs.sys shared declarations: the pipe (FCB), instance (CCB) and data-queue structures, the one
 * spin lock that guards them all, and the routines the dispatch files share. A pipe name has one
 * FCB; each server instance is a CCB with two data queues, inbound (client to server) and outbound
 * (server to client). FileObject->FsContext is the CCB (or the root), FsContext2 the end. */
#ifndef NPFS_H
#define NPFS_H

#include <ntifs.h>
#include <wdmsec.h>

#define NPFS_TAG 'sfpN'
#define NPFS_DEVICE_NAME L"\\Device\\NamedPipe"
#define NPFS_LINK_NAME L"\\DosDevices\\pipe"

#define NPFS_NODE_ROOT 0x0401
#define NPFS_NODE_CCB 0x0402

/* One queued write: buffered (a copy, Irp NULL) or unbuffered (the pending write IRP's own buffer).
 * Offset bytes of it have been read already. */
typedef struct _NPFS_DATA_ENTRY {
    LIST_ENTRY ListEntry;
    PIRP Irp;
    PUCHAR Data;
    ULONG Length;
    ULONG Offset;
} NPFS_DATA_ENTRY, *PNPFS_DATA_ENTRY;

/* The data flowing one way: queued writes, and the reads (or transceives) waiting for data. */
typedef struct _NPFS_QUEUE {
    LIST_ENTRY Data;
    LIST_ENTRY Readers;
    LIST_ENTRY Flushers; /* IRP_MJ_FLUSH_BUFFERS of the writing end, waiting until all is read */
    ULONG Quota;
    ULONG BytesQueued;   /* unread bytes of every entry */
    ULONG BytesBuffered; /* unread bytes of the buffered entries: what counts against the quota */
    ULONG Messages;      /* entries queued */
} NPFS_QUEUE, *PNPFS_QUEUE;

typedef struct _NPFS_FCB {
    LIST_ENTRY ListEntry; /* in the device's pipe list while it has server instances */
    UNICODE_STRING Name;  /* without the leading backslash, upcased for lookups */
    ULONG NamedPipeType;
    ULONG NamedPipeConfiguration;
    ULONG MaximumInstances;
    ULONG CurrentInstances; /* server ends not yet cleaned up */
    ULONG InboundQuota;
    ULONG OutboundQuota;
    LARGE_INTEGER DefaultTimeout;
    ULONG References; /* CCBs not yet freed */
    BOOLEAN Listed;
    LIST_ENTRY Instances;
} NPFS_FCB, *PNPFS_FCB;

typedef struct _NPFS_CCB {
    USHORT NodeType;
    LIST_ENTRY ListEntry; /* in the FCB's instances */
    PNPFS_FCB Fcb;
    ULONG State;                 /* FILE_PIPE_*_STATE */
    PFILE_OBJECT EndFile[2];     /* indexed by FILE_PIPE_CLIENT_END / FILE_PIPE_SERVER_END */
    ULONG ReadMode[2];
    ULONG CompletionMode[2];
    ULONG OpenFiles;             /* file objects whose close has not come yet */
    NPFS_QUEUE Queue[2];         /* indexed by FILE_PIPE_INBOUND / FILE_PIPE_OUTBOUND */
    LIST_ENTRY Listeners;        /* pending FSCTL_PIPE_LISTEN */
    FILE_PIPE_CLIENT_PROCESS_BUFFER ClientProcess;
} NPFS_CCB, *PNPFS_CCB;

typedef struct _NPFS_ROOT {
    USHORT NodeType;
} NPFS_ROOT;

typedef struct _NPFS_DEVICE_EXTENSION {
    KSPIN_LOCK Lock;
    LIST_ENTRY Pipes;
    LIST_ENTRY Waiters; /* pending FSCTL_PIPE_WAIT (NPFS_WAIT contexts) */
    NPFS_ROOT Root;
} NPFS_DEVICE_EXTENSION, *PNPFS_DEVICE_EXTENSION;

/* A pending FSCTL_PIPE_WAIT: the name it waits for and its timeout. Freed by whoever drops the last
 * of its two references (the waiting IRP's owner and the timer). */
typedef struct _NPFS_WAIT {
    LIST_ENTRY ListEntry;
    PIRP Irp;
    PNPFS_DEVICE_EXTENSION Extension;
    KTIMER Timer;
    KDPC Dpc;
    LONG References;
    UNICODE_STRING Name;
} NPFS_WAIT, *PNPFS_WAIT;

/* ---- npfs.c ---- */
NTSTATUS NpfsComplete(_Inout_ PIRP Irp, _In_ NTSTATUS Status, _In_ ULONG_PTR Information);
/* Completes each IRP of the list (linked through Tail.Overlay.ListEntry, status already set). Called
 * without the lock held. */
VOID NpfsCompleteList(_Inout_ PLIST_ENTRY Irps);
/* The CCB and end of a pipe file object, or NULL (the root, or not ours). */
PNPFS_CCB NpfsCcbOf(_In_ PFILE_OBJECT FileObject, _Out_ PULONG End);
BOOLEAN NpfsIsRoot(_In_ PNPFS_DEVICE_EXTENSION Extension, _In_ PFILE_OBJECT FileObject);

/* ---- npfs_queue.c: every routine runs with the lock held; IRPs it finishes go to `Done` ---- */
VOID NpfsInitializeQueue(_Out_ PNPFS_QUEUE Queue, _In_ ULONG Quota);
/* The queue this end reads from, and the one it writes to. */
PNPFS_QUEUE NpfsReadQueue(_In_ PNPFS_CCB Ccb, _In_ ULONG End);
PNPFS_QUEUE NpfsWriteQueue(_In_ PNPFS_CCB Ccb, _In_ ULONG End);
/* Reads into Buffer from the queue; STATUS_PENDING when there is nothing to read (the caller then
 * parks the read). MessageMode: one message per read, STATUS_BUFFER_OVERFLOW when it does not fit. */
NTSTATUS NpfsReadQueueData(_Inout_ PNPFS_QUEUE Queue, _In_ BOOLEAN MessageMode, _Out_writes_bytes_(Length) PUCHAR Buffer,
                           _In_ ULONG Length, _Out_ PULONG Copied, _Inout_ PLIST_ENTRY Done);
/* Writes Data to the queue: to waiting readers first, the rest buffered within the quota. Returns
 * STATUS_SUCCESS when all of it was taken, STATUS_PENDING when WriteIrp was queued unbuffered (its
 * cancel routine set), or the cancelled status. Nonblocking: what does not fit is not written. */
NTSTATUS NpfsWriteQueueData(_Inout_ PNPFS_QUEUE Queue, _In_ BOOLEAN MessagePipe, _In_reads_bytes_(Length) PUCHAR Data,
                            _In_ ULONG Length, _In_opt_ PIRP WriteIrp, _In_ BOOLEAN Nonblocking, _Out_ PULONG Written,
                            _Inout_ PLIST_ENTRY Done);
/* Parks a waiting request (read, transceive, listen, flush) on List with the cancel routine that
 * unlinks it; FALSE when it was already cancelled (its status is then set and it is on Done). The
 * IRP is marked pending either way. */
BOOLEAN NpfsParkIrp(_Inout_ PLIST_ENTRY List, _Inout_ PIRP Irp, _Inout_ PLIST_ENTRY Done);
/* Takes every parked IRP off List (those whose cancel routine has not started) onto Done with
 * Status. */
VOID NpfsFailParked(_Inout_ PLIST_ENTRY List, _In_ NTSTATUS Status, _Inout_ PLIST_ENTRY Done);
/* Finishes every pending read, flush and unbuffered write of the queue with Status; with
 * DropBuffered the buffered data goes too. */
VOID NpfsFlushQueue(_Inout_ PNPFS_QUEUE Queue, _In_ NTSTATUS Status, _In_ BOOLEAN DropBuffered,
                    _Inout_ PLIST_ENTRY Done);
/* Completes the flushes waiting on the queue once nothing in it is left to read. */
VOID NpfsCheckFlushers(_Inout_ PNPFS_QUEUE Queue, _Inout_ PLIST_ENTRY Done);

/* Fills Peek's header from the queue and copies up to DataLength bytes after it; Wanted is how many
 * bytes a big enough buffer would have received. */
VOID NpfsPeekQueue(_In_ PNPFS_QUEUE Queue, _In_ BOOLEAN MessagePipe, _Out_ PFILE_PIPE_PEEK_BUFFER Peek,
                   _In_ ULONG DataLength, _Out_ PULONG Copied, _Out_ PULONG Wanted);

/* ---- npfs_wait.c ---- */
/* Completes the FSCTL_PIPE_WAIT requests waiting for Fcb's name (an instance listens). Lock held. */
VOID NpfsSatisfyWaiters(_In_ PNPFS_DEVICE_EXTENSION Extension, _In_ PNPFS_FCB Fcb, _Inout_ PLIST_ENTRY Done);
NTSTATUS NpfsWaitForPipe(_In_ PNPFS_DEVICE_EXTENSION Extension, _Inout_ PIRP Irp);
/* Ends the waits issued through FileObject (its last handle closed). Lock held. */
VOID NpfsCleanupWaiters(_In_ PNPFS_DEVICE_EXTENSION Extension, _In_ PFILE_OBJECT FileObject, _Inout_ PLIST_ENTRY Done);

/* ---- dispatch routines ---- */
_Dispatch_type_(IRP_MJ_CREATE) DRIVER_DISPATCH NpfsCreate;
_Dispatch_type_(IRP_MJ_CREATE_NAMED_PIPE) DRIVER_DISPATCH NpfsCreateNamedPipe;
_Dispatch_type_(IRP_MJ_READ) DRIVER_DISPATCH NpfsRead;
_Dispatch_type_(IRP_MJ_WRITE) DRIVER_DISPATCH NpfsWrite;
_Dispatch_type_(IRP_MJ_FILE_SYSTEM_CONTROL) DRIVER_DISPATCH NpfsFileSystemControl;
_Dispatch_type_(IRP_MJ_QUERY_INFORMATION) DRIVER_DISPATCH NpfsQueryInformation;
_Dispatch_type_(IRP_MJ_SET_INFORMATION) DRIVER_DISPATCH NpfsSetInformation;
_Dispatch_type_(IRP_MJ_CLEANUP) DRIVER_DISPATCH NpfsCleanup;
_Dispatch_type_(IRP_MJ_CLOSE) DRIVER_DISPATCH NpfsClose;
_Dispatch_type_(IRP_MJ_FLUSH_BUFFERS) DRIVER_DISPATCH NpfsFlushBuffers;

#endif /* NPFS_H */

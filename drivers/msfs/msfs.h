/* msfs.sys shared declarations: the mailslot (FCB) with its message queue and waiting reads, the
 * one spin lock that guards them all, and the routines the dispatch files share. A mailslot name
 * has one FCB, made by its server's IRP_MJ_CREATE_MAILSLOT; every file object opened on it (the
 * server end or a client end) has FsContext = the FCB and FsContext2 = the end. */
#ifndef MSFS_H
#define MSFS_H

#include <ntifs.h>
#include <wdmsec.h>

#define MSFS_TAG 'sfsM'
#define MSFS_DEVICE_NAME L"\\Device\\Mailslot"
#define MSFS_LINK_NAME L"\\DosDevices\\MAILSLOT"

#define MSFS_NODE_ROOT 0x0501
#define MSFS_NODE_FCB 0x0502

/* FsContext2 of a mailslot file object. */
#define MSFS_CLIENT_END 0
#define MSFS_SERVER_END 1

/* A ReadTimeout that never runs out (MAILSLOT_WAIT_FOREVER as a LARGE_INTEGER). */
#define MSFS_WAIT_FOREVER (-1LL)

/* One message a client wrote, Length bytes after the header. */
typedef struct _MSFS_MESSAGE {
    LIST_ENTRY ListEntry;
    ULONG Length;
} MSFS_MESSAGE, *PMSFS_MESSAGE;

typedef struct _MSFS_FCB {
    USHORT NodeType;
    LIST_ENTRY ListEntry;  /* in the device's mailslot list while the server is open */
    UNICODE_STRING Name;   /* without the leading backslash */
    ULONG MaximumMessageSize; /* 0: any size */
    ULONG MailslotQuota;
    LARGE_INTEGER ReadTimeout; /* 100 ns units, negative relative; 0 no wait; MSFS_WAIT_FOREVER */
    BOOLEAN Listed;        /* FALSE once the server's last handle closed: the mailslot is gone */
    ULONG OpenFiles;       /* file objects (server and clients) whose close has not come yet */
    LIST_ENTRY Messages;
    ULONG MessageCount;
    LIST_ENTRY Readers;    /* pending reads (MSFS_READ contexts), oldest first */
} MSFS_FCB, *PMSFS_FCB;

typedef struct _MSFS_ROOT {
    USHORT NodeType;
} MSFS_ROOT;

typedef struct _MSFS_DEVICE_EXTENSION {
    KSPIN_LOCK Lock;
    LIST_ENTRY Mailslots;
    MSFS_ROOT Root;
} MSFS_DEVICE_EXTENSION, *PMSFS_DEVICE_EXTENSION;

/* A pending read: its IRP and its timeout timer. Freed by whoever drops the last of its two holds
 * (the waiting IRP's owner and the timer). */
typedef struct _MSFS_READ {
    LIST_ENTRY ListEntry;
    PIRP Irp;
    PMSFS_DEVICE_EXTENSION Extension;
    KTIMER Timer;
    KDPC Dpc;
    LONG References;
} MSFS_READ, *PMSFS_READ;

/* ---- msfs.c ---- */
NTSTATUS MsfsComplete(_Inout_ PIRP Irp, _In_ NTSTATUS Status, _In_ ULONG_PTR Information);
/* Completes each IRP of the list (linked through Tail.Overlay.ListEntry, status already set). Called
 * without the lock held. */
VOID MsfsCompleteList(_Inout_ PLIST_ENTRY Irps);
/* The FCB and end of a mailslot file object, or NULL (the root). */
PMSFS_FCB MsfsFcbOf(_In_ PFILE_OBJECT FileObject, _Out_ PULONG End);

/* ---- msfs_read_write.c ---- */
/* Ends every pending read of Fcb with Status (the server's cleanup). Lock held; the IRPs go to Done. */
VOID MsfsFailReaders(_Inout_ PMSFS_FCB Fcb, _In_ NTSTATUS Status, _Inout_ PLIST_ENTRY Done);

/* ---- dispatch routines ---- */
_Dispatch_type_(IRP_MJ_CREATE) DRIVER_DISPATCH MsfsCreate;
_Dispatch_type_(IRP_MJ_CREATE_MAILSLOT) DRIVER_DISPATCH MsfsCreateMailslot;
_Dispatch_type_(IRP_MJ_READ) DRIVER_DISPATCH MsfsRead;
_Dispatch_type_(IRP_MJ_WRITE) DRIVER_DISPATCH MsfsWrite;
_Dispatch_type_(IRP_MJ_QUERY_INFORMATION) DRIVER_DISPATCH MsfsQueryInformation;
_Dispatch_type_(IRP_MJ_SET_INFORMATION) DRIVER_DISPATCH MsfsSetInformation;
_Dispatch_type_(IRP_MJ_CLEANUP) DRIVER_DISPATCH MsfsCleanup;
_Dispatch_type_(IRP_MJ_CLOSE) DRIVER_DISPATCH MsfsClose;

#endif /* MSFS_H */

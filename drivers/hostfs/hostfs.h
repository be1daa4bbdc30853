/* hostfs.sys shared declarations: the volume device's extension (the host root and the list of open
 * files), the FCB every open of one host file shares (found by the host's device and inode number:
 * share access, byte-range locks, delete pending), the CCB of each file object (its host descriptor
 * and its directory enumeration), and the routines the dispatch files share. */
#ifndef HOSTFS_H
#define HOSTFS_H

#include <ntifs.h>
#include <wdmsec.h>

#include "hostfs_host.h"

#define HOSTFS_TAG 'sftH'
#define HOSTFS_DEVICE_NAME L"\\Device\\HostFs"

#define HOSTFS_NODE_FCB 0x0701

/* Longest host path the driver builds (PATH_MAX). */
#define HOSTFS_MAX_PATH 4096

typedef struct _HOSTFS_FCB {
    USHORT NodeType;
    LIST_ENTRY ListEntry;  /* in the volume's list while the host file exists */
    ULONGLONG HostDevice;
    ULONGLONG HostInode;
    ULONG References;      /* file objects whose close has not come */
    ULONG OpenHandles;     /* file objects whose cleanup has not come */
    SHARE_ACCESS ShareAccess;
    FILE_LOCK FileLock;
    BOOLEAN Directory;
    BOOLEAN DeletePending;
    BOOLEAN Root;
} HOSTFS_FCB, *PHOSTFS_FCB;

/* One name of a directory listing: the UTF-16 name and the host's UTF-8 name. */
typedef struct _HOSTFS_ENTRY {
    USHORT NameLength; /* bytes */
    PCHAR HostName;
    WCHAR Name[1];
} HOSTFS_ENTRY, *PHOSTFS_ENTRY;

typedef struct _HOSTFS_CCB {
    int Fd;
    BOOLEAN DeleteOnClose;
    BOOLEAN EnumStarted;
    UNICODE_STRING Mask;    /* upcased; pool */
    PHOSTFS_ENTRY *Entries; /* the listing read at the first query or a restart */
    ULONG EntryCount;
    ULONG EnumIndex;
} HOSTFS_CCB, *PHOSTFS_CCB;

typedef struct _HOSTFS_DEVICE_EXTENSION {
    /* The FCB list and every FCB's counts, share access and delete pending. An ERESOURCE (in a
     * critical region) rather than a fast mutex: the share-access routines want PASSIVE_LEVEL. */
    ERESOURCE Lock;
    LIST_ENTRY Fcbs;
    CHAR Root[HOSTFS_MAX_PATH]; /* the host root, no trailing slash ("" for "/") */
    ULONG RootLength;
    ULONG SerialNumber;
} HOSTFS_DEVICE_EXTENSION, *PHOSTFS_DEVICE_EXTENSION;

/* ---- hostfs.c ---- */
VOID HostfsLock(_In_ PHOSTFS_DEVICE_EXTENSION Extension);
VOID HostfsUnlock(_In_ PHOSTFS_DEVICE_EXTENSION Extension);
NTSTATUS HostfsComplete(_Inout_ PIRP Irp, _In_ NTSTATUS Status, _In_ ULONG_PTR Information);
/* The FCB and CCB of a file object, FALSE when it is not one of this driver's. */
BOOLEAN HostfsContextOf(_In_ PFILE_OBJECT FileObject, _Out_ PHOSTFS_FCB *Fcb, _Out_ PHOSTFS_CCB *Ccb);
/* The FCB of the host file (Device, Inode), made if none is open; References counted up. Lock held. */
PHOSTFS_FCB HostfsReferenceFcb_locked(_In_ PHOSTFS_DEVICE_EXTENSION Extension, _In_ const HOSTFS_STAT *Stat);
/* Drops one reference; the FCB goes with the last. Lock held. */
VOID HostfsDereferenceFcb_locked(_In_ PHOSTFS_FCB Fcb);
/* The attributes Windows reports for a host file. */
ULONG HostfsAttributesOf(_In_ const HOSTFS_STAT *Stat, _In_opt_ PCUNICODE_STRING Name);

/* ---- hostfs_names.c ---- */
/* Where a create's name leads on the host: Path is the host path of the last component as found
 * (its case as the host spells it), Exists whether that file exists (Stat is then its stat), and
 * LastComponent the part of Path after its last slash. */
typedef struct _HOSTFS_LOOKUP {
    CHAR Path[HOSTFS_MAX_PATH];
    ULONG PathLength;
    ULONG ParentLength; /* bytes of Path before the last slash */
    BOOLEAN Exists;
    HOSTFS_STAT Stat;
} HOSTFS_LOOKUP, *PHOSTFS_LOOKUP;
/* Resolves Name (components separated by single backslashes, no leading or trailing one; empty is
 * the start directory itself) under the host directory Start. STATUS_OBJECT_PATH_NOT_FOUND when a
 * directory on the way is missing, STATUS_OBJECT_NAME_INVALID for a component Windows forbids;
 * a missing last component is STATUS_SUCCESS with Exists FALSE. */
NTSTATUS HostfsLookup(_In_z_ PCSTR Start, _In_ PCUNICODE_STRING Name, _Out_ PHOSTFS_LOOKUP Lookup);
/* A host name (UTF-8) as UTF-16 into Out (OutChars characters); FALSE when it cannot be a Windows
 * name (invalid UTF-8, a character Windows forbids, too long). */
BOOLEAN HostfsWindowsName(_In_z_ PCSTR HostName, _Out_writes_(OutChars) PWCHAR Out, _In_ ULONG OutChars,
                          _Out_ PUSHORT OutBytes);
/* The current host path of an open descriptor (it follows renames of the file and its directories). */
NTSTATUS HostfsPathOfFd(_In_ int Fd, _Out_writes_(Size) PCHAR Path, _In_ ULONG Size);
/* The volume-relative Windows name ("\dir\File.txt", "\" for the root) of an open descriptor, in
 * pool (Name->Buffer freed by the caller with HOSTFS_TAG). */
NTSTATUS HostfsNameOfFd(_In_ PHOSTFS_DEVICE_EXTENSION Extension, _In_ int Fd, _Out_ PUNICODE_STRING Name);

/* ---- hostfs_information.c ---- */
/* Fills FILE_BASIC_INFORMATION / FILE_NETWORK_OPEN_INFORMATION style times from a stat. */
VOID HostfsTimes(_In_ const HOSTFS_STAT *Stat, _Out_ PLARGE_INTEGER Creation, _Out_ PLARGE_INTEGER Access,
                 _Out_ PLARGE_INTEGER Write, _Out_ PLARGE_INTEGER Change);

/* ---- hostfs_directory.c ---- */
/* Frees the CCB's directory listing. */
VOID HostfsFreeListing(_Inout_ PHOSTFS_CCB Ccb);

/* ---- dispatch routines ---- */
_Dispatch_type_(IRP_MJ_CREATE) DRIVER_DISPATCH HostfsCreate;
_Dispatch_type_(IRP_MJ_READ) DRIVER_DISPATCH HostfsRead;
_Dispatch_type_(IRP_MJ_WRITE) DRIVER_DISPATCH HostfsWrite;
_Dispatch_type_(IRP_MJ_QUERY_INFORMATION) DRIVER_DISPATCH HostfsQueryInformation;
_Dispatch_type_(IRP_MJ_SET_INFORMATION) DRIVER_DISPATCH HostfsSetInformation;
_Dispatch_type_(IRP_MJ_DIRECTORY_CONTROL) DRIVER_DISPATCH HostfsDirectoryControl;
_Dispatch_type_(IRP_MJ_QUERY_VOLUME_INFORMATION) DRIVER_DISPATCH HostfsQueryVolumeInformation;
_Dispatch_type_(IRP_MJ_FLUSH_BUFFERS) DRIVER_DISPATCH HostfsFlushBuffers;
_Dispatch_type_(IRP_MJ_LOCK_CONTROL) DRIVER_DISPATCH HostfsLockControl;
_Dispatch_type_(IRP_MJ_CLEANUP) DRIVER_DISPATCH HostfsCleanup;
_Dispatch_type_(IRP_MJ_CLOSE) DRIVER_DISPATCH HostfsClose;

#endif /* HOSTFS_H */

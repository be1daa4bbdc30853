/* fastfat.sys's IRP layer: the volume control block (VCB), the file control block (FCB) every open of
 * one file or directory shares, the context block (CCB) of each handle, and the routines the dispatch
 * files share. The on-disk work is the engine's (fat_engine.h).
 *
 * Locking, in acquisition order: FCB MainResource, FCB PagingIoResource, VCB Resource. The VCB
 * resource guards the engine (shared for lookups and reads of metadata, exclusive for every change)
 * and the FCB list; an FCB's resources guard its header sizes and its cache map. Paging and
 * non-cached I/O hold the FCB's PagingIoResource shared (the file's chain changes only under it
 * exclusive) and the VCB shared around the walk of the chain (the FAT sectors it reads are shared
 * with other files' chains, which change under the VCB exclusive). So a thread holding the VCB
 * exclusive waits for no paging I/O (a flush, a purge, a cache map's teardown), except of a file
 * whose PagingIoResource it holds exclusive (an overwrite's purge), whose paging I/O cannot be in
 * the walk. */
#ifndef NTIO_FASTFAT_FASTFAT_H
#define NTIO_FASTFAT_FASTFAT_H

#include <ntifs.h>

#include "fat_engine.h"

#define FASTFAT_TAG 'tafF'
#define FASTFAT_DEVICE_NAME L"\\Fat"

/* Node type codes in FSRTL_COMMON_FCB_HEADER.NodeTypeCode (FastFat's values are its own business;
 * only the FsContext owner reads them). */
#define FAT_NTC_VCB 0x0701
#define FAT_NTC_FCB 0x0702
#define FAT_NTC_DCB 0x0703
#define FAT_NTC_ROOT_DCB 0x0704
#define FAT_NTC_VOLUME_OPEN 0x0705
#define FAT_NTC_CCB 0x0706

#define VCB_LOCKED 0x01
#define VCB_DISMOUNTED 0x02

typedef struct _FAT_FCB *PFAT_FCB;

typedef struct _FAT_VCB {
    CSHORT NodeTypeCode;
    ERESOURCE Resource;
    PDEVICE_OBJECT VolumeDevice;
    PDEVICE_OBJECT TargetDevice;
    PVPB Vpb;
    FAT_VOLUME Volume;
    ULONG SectorSize;
    ULONG Flags;                 /* VCB_* under Resource */
    PFILE_OBJECT LockFileObject; /* the volume open that locked the volume */
    LIST_ENTRY FcbList;          /* every FCB, under Resource */
    PFAT_FCB RootFcb;
    PFAT_FCB VolumeFcb;          /* the FsContext of whole-volume opens */
    LONG OpenFileObjects;        /* file objects not yet closed; the last close of a dismounted volume deletes it */
    PNOTIFY_SYNC NotifySync;
    LIST_ENTRY DirNotifyList;
    PVPB SpareVpb;               /* swapped into the real device at dismount */
    TUNNEL Tunnel;               /* names just removed, with their creation time (fastfat_tunnel.c) */
    LIST_ENTRY VcbLinks;         /* FatData.VcbList */
    /* Requests posted to worker threads and not yet taken by one (fastfat_post.c): a cancel-safe
     * queue, in PostQueue under PostLock, served by at most FAT_POST_WORKERS workers at a time. */
    IO_CSQ PostCsq;
    KSPIN_LOCK PostLock;
    LIST_ENTRY PostQueue;
    ULONG PostWorkers;           /* workers serving PostQueue, under PostLock */
} FAT_VCB, *PFAT_VCB;

typedef struct _FAT_FCB {
    /* First: the cache manager and FsRtl read FsContext as this. Advanced, so filters can hang
     * per-stream contexts on it (FsRtlSetupAdvancedHeader, with AdvancedFcbHeaderMutex). */
    FSRTL_ADVANCED_FCB_HEADER Header;
    FAST_MUTEX AdvancedFcbHeaderMutex;
    ERESOURCE MainResource;
    ERESOURCE PagingIoResource;
    SECTION_OBJECT_POINTERS SectionObjectPointers;
    PFAT_VCB Vcb;
    LIST_ENTRY Links;            /* Vcb->FcbList */
    LONG References;             /* file objects not yet closed, plus one the VCB holds on the root */
    LONG OpenHandles;            /* file objects not yet cleaned up */
    BOOLEAN DeletePending;
    BOOLEAN Deleted;             /* its directory entry is gone */
    FAT_DIRENT Dirent;           /* the root's is synthesized */
    SHARE_ACCESS ShareAccess;
    FILE_LOCK FileLock;
    OPLOCK Oplock;               /* FsRtl's oplock package (fastfat_oplock.c) */
    UNICODE_STRING FullName;     /* "\dir\name" from the volume root; "\" for the root */
    USHORT FinalNameOffset;      /* bytes to the last component */
} FAT_FCB;

#define CCB_DELETE_ON_CLOSE 0x01
#define CCB_ENUM_STARTED 0x02
#define CCB_MASK_WILD 0x04
/* The open names the file by its short name (the last component of its name is the entry's short
 * name and not its long one); a rename through the open makes it the new name's. Name tunneling
 * keys a removal through this open by the file's short name then. */
#define CCB_OPENED_BY_SHORT_NAME 0x08
/* The handle's last write time is not recorded at its cleanup: the caller set it (CopyFile keeps the
 * source's time this way) or asked with -1 that this handle's writes leave it alone. */
#define CCB_KEEP_LAST_WRITE 0x10

typedef struct _FAT_CCB {
    CSHORT NodeTypeCode;
    ULONG Flags;
    ULONG EnumIndex;             /* where the next directory query resumes */
    UNICODE_STRING SearchMask;   /* upcased, pool */
    UNICODE_STRING NotifyName;   /* the directory's name for FsRtl's notify list, pool: lives as long as the CCB */
} FAT_CCB, *PFAT_CCB;

#define FAT_MAX_SPARE_VPBS 16

/* The driver's global state: its file system control device and the mounted volumes. */
typedef struct _FAT_DATA {
    PDRIVER_OBJECT DriverObject;
    PDEVICE_OBJECT ControlDevice;
    ERESOURCE Resource;          /* VcbList */
    LIST_ENTRY VcbList;
    CACHE_MANAGER_CALLBACKS CacheCallbacks;
    FAST_IO_DISPATCH FastIoDispatch;
    /* VPBs this driver allocated at dismounts, under Resource: it frees one when the volume that
     * used it is deleted and the disk no longer points at it (a disk frees the VPB it holds when it
     * goes, so the unload forgets the rest). */
    PVPB SpareVpbs[FAT_MAX_SPARE_VPBS];
    /* Posting workers queued or running, plus one the driver holds until it unloads;
     * PostedDrained is set when the count reaches zero (fastfat_post.c). */
    LONG PostedRequests;
    KEVENT PostedDrained;
} FAT_DATA;

extern FAT_DATA FatData;

/* fastfat.c */
NTSTATUS FatCompleteRequest(_Inout_ PIRP Irp, _In_ NTSTATUS Status, _In_ ULONG_PTR Information);
PFAT_VCB FatVcbOfDevice(_In_ PDEVICE_OBJECT DeviceObject);
BOOLEAN FatIsDirectoryFcb(_In_ PFAT_FCB Fcb);
/* The directory cluster (engine naming) of a directory FCB's children. */
ULONG FatDirectoryOf(_In_ PFAT_FCB Fcb);
/* The user buffer of a neither-I/O request (or its MDL's system address). */
PVOID FatUserBuffer(_In_ PIRP Irp);
/* Sets FO_FILE_MODIFIED / FO_FILE_SIZE_CHANGED on a file object: interlocked, and only when missing,
 * since a posted request's worker sets them while the caller may be issuing the next request on
 * the same file object. */
VOID FatSetFileObjectFlags(_In_ PFILE_OBJECT FileObject, _In_ ULONG Flags);
VOID FatCurrentFatTime(_Out_ PLARGE_INTEGER Now);

/* fastfat_volume_io.c: the engine's volume callbacks over sector I/O to the target device, and the
 * cluster-level data transfers paging I/O uses. */
NTSTATUS FatVolumeRead(PVOID Context, ULONGLONG Offset, ULONG Length, PVOID Buffer);
NTSTATUS FatVolumeWrite(PVOID Context, ULONGLONG Offset, ULONG Length, const VOID *Buffer);
NTSTATUS FatSendDeviceIoctl(_In_ PDEVICE_OBJECT Device, _In_ ULONG Code, _Out_writes_bytes_opt_(Length) PVOID Output,
                            _In_ ULONG Length);
NTSTATUS FatFlushDevice(_In_ PFAT_VCB Vcb);
/* File data by offset through the file's chain, for paging and non-cached I/O: the caller holds the
 * FCB's PagingIoResource (shared at least); these take the VCB resource shared around the chain walk.
 * FatWriteFileData writes inside the file's allocation without touching its directory entry. */
NTSTATUS FatReadFileData(_In_ PFAT_VCB Vcb, _In_ PFAT_FCB Fcb, _In_ ULONGLONG Offset, _In_ ULONG Length,
                         _Out_writes_bytes_(Length) PVOID Buffer, _Out_ PULONG Done);
NTSTATUS FatWriteFileData(_In_ PFAT_VCB Vcb, _In_ PFAT_FCB Fcb, _In_ ULONGLONG Offset, _In_ ULONG Length,
                          _In_reads_bytes_(Length) const VOID *Buffer);

/* fastfat_mount.c */
NTSTATUS FatFileSystemControl(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp);
VOID FatDeleteVcb(_In_ PFAT_VCB Vcb);
VOID FatFlushVolume(_In_ PFAT_VCB Vcb);

/* fastfat_fcb.c */
/* ParentName: the full name of the directory holding it (NULL for the root and the volume open). */
PFAT_FCB FatCreateFcb(_In_ PFAT_VCB Vcb, _In_opt_ PCUNICODE_STRING ParentName, _In_ const FAT_DIRENT *Dirent,
                      _In_ CSHORT NodeType);
PFAT_FCB FatFindFcb(_In_ PFAT_VCB Vcb, _In_ ULONG DirectoryCluster, _In_ ULONG DirentIndex);
VOID FatReferenceFcb(_In_ PFAT_FCB Fcb);
/* Drops a reference; the last one frees the FCB. Vcb->Resource held exclusive. */
VOID FatDereferenceFcb(_In_ PFAT_FCB Fcb);
NTSTATUS FatSetFcbName(_In_ PFAT_FCB Fcb, _In_opt_ PCUNICODE_STRING ParentName, _In_ const FAT_DIRENT *Dirent);
VOID FatFcbSizesFromDirent(_In_ PFAT_FCB Fcb);
PFAT_CCB FatCreateCcb(VOID);
VOID FatDeleteCcb(_In_ PFAT_CCB Ccb);
VOID FatNotifyChange(_In_ PFAT_VCB Vcb, _In_ PFAT_FCB Fcb, _In_ ULONG Filter, _In_ ULONG Action);

/* fastfat_file_info.c */
ULONG FatFileAttributes(_In_ PFAT_FCB Fcb);
ULONG FatAttributesOf(_In_ UCHAR FatAttributes);
LONGLONG FatDirentId(_In_ PFAT_VOLUME Volume, _In_ const FAT_DIRENT *Dirent);

/* fastfat.c: the dispatch of a volume device's request to its routine (FsRtlEnterFileSystem held).
 * Wait FALSE: the request may not block (IoIsOperationSynchronous said no); the routines that take
 * Wait post what would block to a worker (fastfat_post.c), which calls this again with Wait TRUE. */
NTSTATUS FatCommonDispatch(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp, _In_ BOOLEAN Wait);

/* fastfat_post.c: posting a request that would block to a system worker thread. */
VOID FatInitializePosting(VOID);
/* The volume's posting queue, when its VCB is made. */
VOID FatInitializeVolumePosting(_Inout_ PFAT_VCB Vcb);
/* Locks the caller's buffer, queues the IRP (marked pending, cancellable while it waits) for a
 * worker on DeviceObject (the volume device) and returns STATUS_PENDING; the IRP belongs to the
 * queue from then on. Called with no resource held. A buffer that cannot be locked completes the IRP
 * with the fault's status; when no work item can be had the request is done here, waiting. */
NTSTATUS FatPostRequest(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp);
/* Waits until every posted request is done (DriverUnload, before the devices go). */
VOID FatDrainPostedRequests(VOID);

/* fastfat_oplock.c: the oplock FSCTLs go to FsRtl; an operation that breaks an oplock waiting for
 * its acknowledgement returns STATUS_PENDING (FsRtl owns the IRP and posts it again when the break
 * ends); otherwise STATUS_SUCCESS, or STATUS_OPLOCK_BREAK_IN_PROGRESS for a create with
 * FILE_COMPLETE_IF_OPLOCKED, and the operation goes on. Called with no FCB resource held. */
NTSTATUS FatOplockRequest(_In_ PFAT_FCB Fcb, _Inout_ PIRP Irp);
NTSTATUS FatCheckOplock(_In_ PDEVICE_OBJECT DeviceObject, _In_ PFAT_FCB Fcb, _Inout_ PIRP Irp, _In_ ULONG Flags);

/* dispatch files; Wait as for FatCommonDispatch */
NTSTATUS FatCreate(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp);
NTSTATUS FatCleanup(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp);
NTSTATUS FatClose(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp);
NTSTATUS FatRead(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp, _In_ BOOLEAN Wait);
NTSTATUS FatWrite(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp, _In_ BOOLEAN Wait);
NTSTATUS FatFlushBuffers(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp, _In_ BOOLEAN Wait);
NTSTATUS FatQueryInformation(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp, _In_ BOOLEAN Wait);
NTSTATUS FatSetInformation(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp, _In_ BOOLEAN Wait);
NTSTATUS FatQueryVolumeInformation(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp);
NTSTATUS FatSetVolumeInformation(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp);
NTSTATUS FatDirectoryControl(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp, _In_ BOOLEAN Wait);
NTSTATUS FatLockControl(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp);

/* fastfat_tunnel.c: file name tunneling. An entry removed from a directory (deleted, or renamed
 * away) leaves its names and creation time in the volume's tunnel cache, keyed by the name it was
 * opened by (OpenedName, a path whose last component counts; NULL: its long name); an entry added
 * under one of those names soon after (created, or renamed onto it) gets them back. */
typedef struct _FAT_TUNNELED {
    BOOLEAN Found;               /* CreationTime is the removed entry's */
    LARGE_INTEGER CreationTime;
    UNICODE_STRING ShortName;    /* the short name the new entry should get; Length 0: generate one */
    UNICODE_STRING LongName;     /* the long name it should get (it was named by its old short name) */
    WCHAR ShortBuffer[12];
    WCHAR LongBuffer[FAT_MAX_LONG_NAME];
} FAT_TUNNELED, *PFAT_TUNNELED;

VOID FatTunnelRemovedEntry(_In_ PFAT_VCB Vcb, _In_ const FAT_DIRENT *Dirent, _In_ BOOLEAN ByShortName);
/* Whether the last component of Path names the entry by its short name (and not by its long one). */
BOOLEAN FatNamesShortName(_In_ const FAT_DIRENT *Dirent, _In_opt_ PCUNICODE_STRING Path);
VOID FatFindTunneled(_In_ PFAT_VCB Vcb, _In_ ULONG Directory, _In_ PCUNICODE_STRING Name, _Out_ PFAT_TUNNELED Tunneled);
/* Gives the entry the tunneled creation time, when there is one. */
VOID FatRestoreTunneled(_In_ PFAT_VCB Vcb, _Inout_ PFAT_DIRENT Dirent, _In_ const FAT_TUNNELED *Tunneled);

/* fastfat_read_write.c: the cache manager's callbacks, section synchronization and fast I/O check. */
VOID FatInitializeCacheCallbacks(_Out_ PCACHE_MANAGER_CALLBACKS Callbacks);
/* The FsFilter routine and fast I/O release of section synchronization. */
NTSTATUS FatInitializeSectionSynchronization(_In_ PDRIVER_OBJECT DriverObject, _Inout_ PFAST_IO_DISPATCH FastIo);
FAST_IO_CHECK_IF_POSSIBLE FatFastIoCheckIfPossible;
VOID FatCacheFile(_In_ PFILE_OBJECT FileObject, _In_ PFAT_FCB Fcb);
VOID FatSetCacheSizes(_In_ PFAT_FCB Fcb);
NTSTATUS FatExceptionStatus(_In_ NTSTATUS Code);

#endif

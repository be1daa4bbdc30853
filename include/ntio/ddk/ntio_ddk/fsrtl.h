/* <ntifs.h> contents: the file-system runtime library (FsRtl*) that file systems call. Byte-range
 * locks (FILE_LOCK, FILE_LOCK_INFO, FsRtl*FileLock*, the lock and unlock routines and the
 * IRP_MJ_LOCK_CONTROL processor) and name helpers (wildcard matching, dissecting paths, FAT and HPFS
 * legality), with their WDK names, signatures and Windows x64 layouts. IRQL rules are the WDK's:
 * <= APC_LEVEL for the lock routines, PASSIVE_LEVEL for FsRtlIsNameInExpression. */
#ifndef NTIO_DDK_FSRTL_H
#define NTIO_DDK_FSRTL_H

#include "io_types.h"
#include "pnp.h"
#include "rtl_ntifs.h" /* FlagOn, which the character macros below use */

NTIO_BEGIN_DECLS

/* ---- Byte-range locks ---- */

/* Called instead of IoCompleteRequest for every lock IRP FsRtl completes; a failure status undoes a
 * lock the IRP had been granted. */
typedef NTSTATUS NTAPI COMPLETE_LOCK_IRP_ROUTINE(PVOID Context, PIRP Irp);
typedef COMPLETE_LOCK_IRP_ROUTINE *PCOMPLETE_LOCK_IRP_ROUTINE;

/* One granted byte-range lock as FsRtlGetNextFileLock reports it. EndingByte is the last byte. */
typedef struct _FILE_LOCK_INFO {
    LARGE_INTEGER StartingByte;
    LARGE_INTEGER Length;
    BOOLEAN ExclusiveLock;
    ULONG Key;
    PFILE_OBJECT FileObject;
    PVOID ProcessId;
    LARGE_INTEGER EndingByte;
} FILE_LOCK_INFO, *PFILE_LOCK_INFO;

/* Called for every lock the unlock routines release. */
typedef VOID NTAPI UNLOCK_ROUTINE(PVOID Context, PFILE_LOCK_INFO FileLockInfo);
typedef UNLOCK_ROUTINE *PUNLOCK_ROUTINE;

/* The per-stream lock state a file system keeps in its FCB. LockInformation is FsRtl's own;
 * FastIoIsQuestionable turns TRUE with the first granted lock (FsRtlAreThereCurrentFileLocks). */
typedef struct _FILE_LOCK {
    PCOMPLETE_LOCK_IRP_ROUTINE CompleteLockIrpRoutine;
    PUNLOCK_ROUTINE UnlockRoutine;
    BOOLEAN FastIoIsQuestionable;
    BOOLEAN SpareC[3];
    PVOID LockInformation;
    FILE_LOCK_INFO LastReturnedLockInfo;
    PVOID LastReturnedLock;
    LONG volatile LockRequestsInProgress;
} FILE_LOCK, *PFILE_LOCK;

/* Obsolete (Learn: use ExAllocateFromNPagedLookasideList and ExInitializeResourceLite instead), kept
 * for old file systems that take their FCB's paging I/O resource from it: an initialized ERESOURCE
 * the caller never frees; it lives until the system shuts down. NULL when pool is exhausted.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlallocateresource */
NTKERNELAPI PERESOURCE NTAPI FsRtlAllocateResource(VOID);

NTKERNELAPI PFILE_LOCK NTAPI FsRtlAllocateFileLock(PCOMPLETE_LOCK_IRP_ROUTINE CompleteLockIrpRoutine,
                                                   PUNLOCK_ROUTINE UnlockRoutine);
NTKERNELAPI VOID NTAPI FsRtlFreeFileLock(PFILE_LOCK FileLock);
NTKERNELAPI VOID NTAPI FsRtlInitializeFileLock(PFILE_LOCK FileLock, PCOMPLETE_LOCK_IRP_ROUTINE CompleteLockIrpRoutine,
                                               PUNLOCK_ROUTINE UnlockRoutine);
/* Completes the lock IRPs still waiting (STATUS_RANGE_NOT_LOCKED) and frees the lock state. */
NTKERNELAPI VOID NTAPI FsRtlUninitializeFileLock(PFILE_LOCK FileLock);

/* IRP_MJ_LOCK_CONTROL: performs the minor function for the IRP's requestor process and completes the
 * IRP (or parks it, pending and cancellable, until the lock can be granted). The caller gives up the IRP. */
NTKERNELAPI NTSTATUS NTAPI FsRtlProcessFileLock(PFILE_LOCK FileLock, PIRP Irp, PVOID Context);

/* Read and write IRPs: may the requestor read / write the IRP's range? They never complete the IRP. */
NTKERNELAPI BOOLEAN NTAPI FsRtlCheckLockForReadAccess(PFILE_LOCK FileLock, PIRP Irp);
NTKERNELAPI BOOLEAN NTAPI FsRtlCheckLockForWriteAccess(PFILE_LOCK FileLock, PIRP Irp);
NTKERNELAPI BOOLEAN NTAPI FsRtlFastCheckLockForRead(PFILE_LOCK FileLock, PLARGE_INTEGER StartingByte,
                                                    PLARGE_INTEGER Length, ULONG Key, PFILE_OBJECT FileObject,
                                                    PVOID ProcessId);
NTKERNELAPI BOOLEAN NTAPI FsRtlFastCheckLockForWrite(PFILE_LOCK FileLock, PLARGE_INTEGER StartingByte,
                                                     PLARGE_INTEGER Length, ULONG Key, PVOID FileObject,
                                                     PVOID ProcessId);

NTKERNELAPI PFILE_LOCK_INFO NTAPI FsRtlGetNextFileLock(PFILE_LOCK FileLock, BOOLEAN Restart);
NTKERNELAPI BOOLEAN NTAPI FsRtlAreThereCurrentOrInProgressFileLocks(PFILE_LOCK FileLock);

NTKERNELAPI NTSTATUS NTAPI FsRtlFastUnlockSingle(PFILE_LOCK FileLock, PFILE_OBJECT FileObject,
                                                 PLARGE_INTEGER FileOffset, PLARGE_INTEGER Length,
                                                 PEPROCESS ProcessId, ULONG Key, PVOID Context,
                                                 BOOLEAN AlreadySynchronized);
NTKERNELAPI NTSTATUS NTAPI FsRtlFastUnlockAll(PFILE_LOCK FileLock, PFILE_OBJECT FileObject, PEPROCESS ProcessId,
                                              PVOID Context);
NTKERNELAPI NTSTATUS NTAPI FsRtlFastUnlockAllByKey(PFILE_LOCK FileLock, PFILE_OBJECT FileObject,
                                                   PEPROCESS ProcessId, ULONG Key, PVOID Context);

/* The lock request behind FsRtlFastLock and IRP_MN_LOCK. Without an IRP a request that would have to
 * wait returns FALSE (the fast I/O path then sends the IRP); otherwise TRUE with IoStatus filled. */
NTKERNELAPI BOOLEAN NTAPI FsRtlPrivateLock(PFILE_LOCK FileLock, PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset,
                                           PLARGE_INTEGER Length, PEPROCESS ProcessId, ULONG Key,
                                           BOOLEAN FailImmediately, BOOLEAN ExclusiveLock, PIO_STATUS_BLOCK Iosb,
                                           PIRP Irp, PVOID Context, BOOLEAN AlreadySynchronized);

#define FsRtlFastLock(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11) \
    FsRtlPrivateLock(A1, A2, A3, A4, A5, A6, A7, A8, A9, NULL, A10, A11)
#define FsRtlAreThereCurrentFileLocks(FL) ((FL)->FastIoIsQuestionable)
#define FsRtlIncrementLockRequestsInProgress(FL) ((void)InterlockedIncrement((LONG volatile *)&((FL)->LockRequestsInProgress)))
#define FsRtlDecrementLockRequestsInProgress(FL) ((void)InterlockedDecrement((LONG volatile *)&((FL)->LockRequestsInProgress)))

/* ---- Names ---- */

/* The DOS wildcards FsRtlIsNameInExpression understands besides '*' and '?'. */
#define ANSI_DOS_STAR ('<')
#define ANSI_DOS_QM ('>')
#define ANSI_DOS_DOT ('"')
#define DOS_STAR (L'<')
#define DOS_QM (L'>')
#define DOS_DOT (L'"')

NTKERNELAPI BOOLEAN NTAPI FsRtlIsNameInExpression(PUNICODE_STRING Expression, PUNICODE_STRING Name,
                                                  BOOLEAN IgnoreCase, PWCH UpcaseTable);
NTKERNELAPI BOOLEAN NTAPI FsRtlDoesNameContainWildCards(PUNICODE_STRING Name);
/* Whether two names (no wildcards) are equal; with IgnoreCase both are upcased first (UpcaseTable,
 * else the system's table), UpcaseTable is ignored otherwise. PASSIVE_LEVEL. */
NTKERNELAPI BOOLEAN NTAPI FsRtlAreNamesEqual(_In_ PCUNICODE_STRING ConstantNameA, _In_ PCUNICODE_STRING ConstantNameB,
                                             _In_ BOOLEAN IgnoreCase, _In_opt_ PCWCH UpcaseTable);
NTKERNELAPI VOID NTAPI FsRtlDissectName(UNICODE_STRING Path, PUNICODE_STRING FirstName, PUNICODE_STRING RemainingName);
/* The ANSI forms: wildcards '*', '?', ANSI_DOS_STAR, ANSI_DOS_QM, ANSI_DOS_DOT; matching is
 * case-sensitive. The ANSI code page is UTF-8 (no DBCS lead bytes), so names go byte by byte.
 * <= APC_LEVEL. */
NTKERNELAPI BOOLEAN NTAPI FsRtlIsDbcsInExpression(PANSI_STRING Expression, PANSI_STRING Name);
NTKERNELAPI BOOLEAN NTAPI FsRtlDoesDbcsContainWildCards(PANSI_STRING Name);
NTKERNELAPI VOID NTAPI FsRtlDissectDbcs(ANSI_STRING Path, PANSI_STRING FirstName, PANSI_STRING RemainingName);

/* Which file systems accept each ANSI character in a name, and which are wildcards: a table of
 * 256 entries of FSRTL_*_LEGAL and FSRTL_WILD_CHARACTER bits, and the WDK's macros over it. */
#define FSRTL_FAT_LEGAL 0x01
#define FSRTL_HPFS_LEGAL 0x02
#define FSRTL_NTFS_LEGAL 0x04
#define FSRTL_WILD_CHARACTER 0x08
#define FSRTL_OLE_LEGAL 0x10
#define FSRTL_NTFS_STREAM_LEGAL (FSRTL_NTFS_LEGAL | FSRTL_OLE_LEGAL)
extern NTKERNELAPI const UCHAR *const FsRtlLegalAnsiCharacterArray;
#define LEGAL_ANSI_CHARACTER_ARRAY FsRtlLegalAnsiCharacterArray
#define FsRtlIsAnsiCharacterWild(C) (FlagOn(FsRtlLegalAnsiCharacterArray[(UCHAR)(C)], FSRTL_WILD_CHARACTER))
#define FsRtlIsAnsiCharacterLegalFat(C, WILD) \
    (FlagOn(FsRtlLegalAnsiCharacterArray[(UCHAR)(C)], (FSRTL_FAT_LEGAL) | ((WILD) ? FSRTL_WILD_CHARACTER : 0)))
#define FsRtlIsAnsiCharacterLegalHpfs(C, WILD) \
    (FlagOn(FsRtlLegalAnsiCharacterArray[(UCHAR)(C)], (FSRTL_HPFS_LEGAL) | ((WILD) ? FSRTL_WILD_CHARACTER : 0)))
#define FsRtlIsAnsiCharacterLegalNtfs(C, WILD) \
    (FlagOn(FsRtlLegalAnsiCharacterArray[(UCHAR)(C)], (FSRTL_NTFS_LEGAL) | ((WILD) ? FSRTL_WILD_CHARACTER : 0)))
#define FsRtlIsAnsiCharacterLegalNtfsStream(C, WILD_OK) \
    (FsRtlTestAnsiCharacter((C), TRUE, (WILD_OK), FSRTL_NTFS_STREAM_LEGAL))
#define FsRtlIsAnsiCharacterLegal(C, FLAGS) (FsRtlTestAnsiCharacter((C), TRUE, FALSE, (FLAGS)))
#define FsRtlTestAnsiCharacter(C, DEFAULT_RET, WILD_OK, FLAGS)                 \
    (((SCHAR)(C) < 0) ? DEFAULT_RET                                            \
                      : FlagOn(LEGAL_ANSI_CHARACTER_ARRAY[(C)],                \
                               (FLAGS) | ((WILD_OK) ? FSRTL_WILD_CHARACTER : 0)))
#define FsRtlIsUnicodeCharacterWild(C) \
    ((((C) >= 0x40) ? FALSE : FlagOn(FsRtlLegalAnsiCharacterArray[(C)], FSRTL_WILD_CHARACTER)))
/* Whether an ANSI name (or, with PathNamePermissible, a backslash-separated path) obeys the FAT 8.3 /
 * the HPFS naming rules. IRQL <= APC_LEVEL. */
NTKERNELAPI BOOLEAN NTAPI FsRtlIsFatDbcsLegal(ANSI_STRING DbcsName, BOOLEAN WildCardsPermissible,
                                              BOOLEAN PathNamePermissible, BOOLEAN LeadingBackslashPermissible);
NTKERNELAPI BOOLEAN NTAPI FsRtlIsHpfsDbcsLegal(ANSI_STRING DbcsName, BOOLEAN WildCardsPermissible,
                                               BOOLEAN PathNamePermissible, BOOLEAN LeadingBackslashPermissible);

/* Drops "." components and lets each ".." take away the component before it, in place; NewLength
 * receives the bytes left. STATUS_IO_REPARSE_DATA_INVALID when a ".." has nothing before it to take
 * ("\..", "..", "..\x"). PASSIVE_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI FsRtlRemoveDotsFromPath(_Inout_updates_bytes_(PathLength) PWSTR OriginalString,
                                                   _In_ USHORT PathLength, _Out_ USHORT *NewLength);

/* ---- Pool, exception statuses, stack overflow posting ---- */

/* Pool that raises STATUS_INSUFFICIENT_RESOURCES instead of returning NULL (the WDK's macros). */
#define FsRtlAllocatePool(PoolType, NumberOfBytes)                                                              \
    ExAllocatePoolWithTag((POOL_TYPE)((PoolType) | POOL_RAISE_IF_ALLOCATION_FAILURE), NumberOfBytes, 'trSF')
#define FsRtlAllocatePoolWithTag(PoolType, NumberOfBytes, Tag)                                                  \
    ExAllocatePoolWithTag((POOL_TYPE)((PoolType) | POOL_RAISE_IF_ALLOCATION_FAILURE), NumberOfBytes, Tag)
/* The same, charged to the current process's pool quota (STATUS_QUOTA_EXCEEDED past it). */
#define FsRtlAllocatePoolWithQuota(PoolType, NumberOfBytes)                                                     \
    ExAllocatePoolWithQuotaTag((POOL_TYPE)((PoolType) | POOL_RAISE_IF_ALLOCATION_FAILURE), NumberOfBytes, 'trSF')
#define FsRtlAllocatePoolWithQuotaTag(PoolType, NumberOfBytes, Tag)                                             \
    ExAllocatePoolWithQuotaTag((POOL_TYPE)((PoolType) | POOL_RAISE_IF_ALLOCATION_FAILURE), NumberOfBytes, Tag)

/* Completes an IRP with a status and the disk priority boost. */
#define FsRtlCompleteRequest(IRP, STATUS)             \
    {                                                  \
        (IRP)->IoStatus.Status = (STATUS);             \
        IoCompleteRequest((IRP), IO_DISK_INCREMENT);   \
    }

/* Whether a file system's exception filter handles the status (TRUE: a nonfatal error status). Any
 * IRQL. FsRtlNormalizeNtstatus: Exception when it is expected, else GenericException. */
NTKERNELAPI BOOLEAN NTAPI FsRtlIsNtstatusExpected(NTSTATUS Exception);
NTKERNELAPI NTSTATUS NTAPI FsRtlNormalizeNtstatus(NTSTATUS Exception, NTSTATUS GenericException);

/* Runs StackOverflowRoutine(Context, Event) on another thread with a stack of its own; the caller
 * usually waits on Event, which the routine sets. The paging-file form cannot fail for lack of
 * memory. */
typedef VOID NTAPI FSRTL_STACK_OVERFLOW_ROUTINE(PVOID Context, PKEVENT Event);
typedef FSRTL_STACK_OVERFLOW_ROUTINE *PFSRTL_STACK_OVERFLOW_ROUTINE;
NTKERNELAPI VOID NTAPI FsRtlPostStackOverflow(PVOID Context, PKEVENT Event,
                                              PFSRTL_STACK_OVERFLOW_ROUTINE StackOverflowRoutine);
NTKERNELAPI VOID NTAPI FsRtlPostPagingFileStackOverflow(PVOID Context, PKEVENT Event,
                                                        PFSRTL_STACK_OVERFLOW_ROUTINE StackOverflowRoutine);
/* Whether the file object is a paging file's. ntio's memory manager pages to no file, so none is:
 * always FALSE. <= APC_LEVEL. */
NTKERNELAPI LOGICAL NTAPI FsRtlIsPagingFile(PFILE_OBJECT FileObject);

/* ---- Cancellable waits ---- */
/* Waits on dispatcher objects that end with STATUS_CANCELLED when Irp (which must have no cancel
 * routine, and stays the caller's) is cancelled and with STATUS_THREAD_IS_TERMINATING when the
 * thread is terminating. PASSIVE_LEVEL with an IRP, else <= APC_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI FsRtlCancellableWaitForSingleObject(_In_ PVOID Object, _In_opt_ PLARGE_INTEGER Timeout,
                                                               _In_opt_ PIRP Irp);
NTKERNELAPI NTSTATUS NTAPI FsRtlCancellableWaitForMultipleObjects(_In_ ULONG Count, _In_ PVOID ObjectArray[],
                                                                  _In_ WAIT_TYPE WaitType,
                                                                  _In_opt_ PLARGE_INTEGER Timeout,
                                                                  _In_opt_ PKWAIT_BLOCK WaitBlockArray,
                                                                  _In_opt_ PIRP Irp);

/* ---- Volume events ---- */
/* The events a file system reports on its volume; each is a target-device-change event with its
 * GUID_IO_VOLUME_* GUID on NT.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlnotifyvolumeevent */
#define FSRTL_VOLUME_DISMOUNT 1
#define FSRTL_VOLUME_DISMOUNT_FAILED 2
#define FSRTL_VOLUME_LOCK 3
#define FSRTL_VOLUME_LOCK_FAILED 4
#define FSRTL_VOLUME_UNLOCK 5
#define FSRTL_VOLUME_MOUNT 6
#define FSRTL_VOLUME_NEEDS_CHKDSK 7
#define FSRTL_VOLUME_WORM_NEAR_FULL 8
#define FSRTL_VOLUME_WEARING_OUT 9
#define FSRTL_VOLUME_FORCED_CLOSED 10
#define FSRTL_VOLUME_INFO_MAKE_COMPAT 11
#define FSRTL_VOLUME_PREPARING_EJECT 12
#define FSRTL_VOLUME_CHANGE_SIZE 13
#define FSRTL_VOLUME_BACKGROUND_FORMAT 14
/* STATUS_INVALID_PARAMETER for an unknown EventCode. The GUID_IO_VOLUME_* event (<ioevent.h>) goes
 * through IoReportTargetDeviceChangeAsynchronous to the target-device callbacks of the PnP PDO under
 * the volume; a volume on a device outside PnP has no one to tell. <= APC_LEVEL (the Ex form
 * <= DISPATCH_LEVEL). */
NTKERNELAPI NTSTATUS NTAPI FsRtlNotifyVolumeEvent(PFILE_OBJECT FileObject, ULONG EventCode);
NTKERNELAPI NTSTATUS NTAPI FsRtlNotifyVolumeEventEx(PFILE_OBJECT FileObject, ULONG EventCode,
                                                    PTARGET_DEVICE_CUSTOM_NOTIFICATION Event);

/* ---- DBCS lead bytes ----
 * ntio's ANSI and OEM code pages are UTF-8, which has no DBCS lead bytes: the multibyte tags are
 * FALSE and the OEM lead-byte table holds no lead byte, so FsRtlIsLeadDbcsCharacter is FALSE for
 * every byte (as FsRtlDissectDbcs treats them). */
extern NTSYSAPI BOOLEAN NlsMbCodePageTag;
extern NTSYSAPI BOOLEAN NlsMbOemCodePageTag;
extern NTKERNELAPI PUSHORT NlsOemLeadByteInfo;
#ifdef NLS_MB_CODE_PAGE_TAG
#undef NLS_MB_CODE_PAGE_TAG
#endif
#define NLS_MB_CODE_PAGE_TAG NlsMbOemCodePageTag
#define NLS_MB_OEM_CODE_PAGE_TAG NlsMbOemCodePageTag
#define NLS_OEM_LEAD_BYTE_INFO NlsOemLeadByteInfo
#define FsRtlIsLeadDbcsCharacter(DBCS_CHAR)                                    \
    ((BOOLEAN)((UCHAR)(DBCS_CHAR) < 0x80 ? FALSE                               \
                                         : (NLS_MB_CODE_PAGE_TAG &&            \
                                            (NLS_OEM_LEAD_BYTE_INFO[(UCHAR)(DBCS_CHAR)] != 0))))

/* ---- Fast I/O counters ----
 * The cache manager's fast read statistics: FsRtlCopyRead counts each call as Wait or NoWait, a
 * FCB resource it could not get as ResourceMiss and a request it left to the IRP path as NotPossible;
 * FsRtlMdlReadDev counts MdlReadWait. A file system with its own fast I/O paths counts with the
 * FsRtlIncrementCcFast* routines. Any IRQL. */
extern NTKERNELAPI ULONG CcFastReadNotPossible;
extern NTKERNELAPI ULONG CcFastReadWait;
extern NTKERNELAPI ULONG CcFastReadNoWait;
extern NTKERNELAPI ULONG CcFastReadResourceMiss;
extern NTKERNELAPI ULONG CcFastMdlReadWait;
NTKERNELAPI VOID NTAPI FsRtlIncrementCcFastReadNotPossible(VOID);
NTKERNELAPI VOID NTAPI FsRtlIncrementCcFastReadWait(VOID);
NTKERNELAPI VOID NTAPI FsRtlIncrementCcFastReadNoWait(VOID);
NTKERNELAPI VOID NTAPI FsRtlIncrementCcFastReadResourceMiss(VOID);
NTKERNELAPI VOID NTAPI FsRtlIncrementCcFastMdlReadWait(VOID);

/* ---- Volumes ----
 * FsRtlAreVolumeStartupApplicationsComplete: TRUE (ntio runs no volume start-up applications).
 * FsRtlBalanceReads: FT_BALANCED_READ_MODE to a mirrored volume's device, its status. PASSIVE_LEVEL. */
NTKERNELAPI BOOLEAN NTAPI FsRtlAreVolumeStartupApplicationsComplete(VOID);
#ifndef FT_BALANCED_READ_MODE
#define FT_BALANCED_READ_MODE CTL_CODE(0x66, 6, METHOD_NEITHER, FILE_ANY_ACCESS)
#endif
NTKERNELAPI NTSTATUS NTAPI FsRtlBalanceReads(PDEVICE_OBJECT TargetDevice);

NTIO_END_DECLS

#endif /* NTIO_DDK_FSRTL_H */

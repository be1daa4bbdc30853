/* <ntifs.h> contents: the cache manager (Cc*) that file systems call to cache a stream's data:
 * cache maps, copy reads and writes, flushing and purging, the pin interface for metadata and the
 * lazy writer's callbacks, with WDK names, signatures and Windows x64 layouts. Data lives in views of
 * VACB_MAPPING_GRANULARITY bytes; misses are filled and dirty data written by paging I/O to the
 * file system. IRQL rules are the WDK's: PASSIVE_LEVEL unless said otherwise.
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/cache-manager-routines */
#ifndef NTIO_DDK_CC_H
#define NTIO_DDK_CC_H

#include "ex.h"
#include "io_types.h"

NTIO_BEGIN_DECLS

#define VACB_MAPPING_GRANULARITY (0x40000)
#define VACB_OFFSET_SHIFT (18)

/* What a BCB shows its owner: the file range the buffer maps. */
typedef struct _PUBLIC_BCB {
    CSHORT NodeTypeCode;
    CSHORT NodeByteSize;
    ULONG MappedLength;
    LARGE_INTEGER MappedFileOffset;
} PUBLIC_BCB, *PPUBLIC_BCB;
C_ASSERT(sizeof(PUBLIC_BCB) == 0x10);

typedef struct _CC_FILE_SIZES {
    LARGE_INTEGER AllocationSize;
    LARGE_INTEGER FileSize;
    LARGE_INTEGER ValidDataLength;
} CC_FILE_SIZES, *PCC_FILE_SIZES;
C_ASSERT(sizeof(CC_FILE_SIZES) == 0x18);

typedef BOOLEAN NTAPI ACQUIRE_FOR_LAZY_WRITE(PVOID Context, BOOLEAN Wait);
typedef ACQUIRE_FOR_LAZY_WRITE *PACQUIRE_FOR_LAZY_WRITE;
typedef VOID NTAPI RELEASE_FROM_LAZY_WRITE(PVOID Context);
typedef RELEASE_FROM_LAZY_WRITE *PRELEASE_FROM_LAZY_WRITE;
typedef BOOLEAN NTAPI ACQUIRE_FOR_READ_AHEAD(PVOID Context, BOOLEAN Wait);
typedef ACQUIRE_FOR_READ_AHEAD *PACQUIRE_FOR_READ_AHEAD;
typedef VOID NTAPI RELEASE_FROM_READ_AHEAD(PVOID Context);
typedef RELEASE_FROM_READ_AHEAD *PRELEASE_FROM_READ_AHEAD;

/* The file system's routines the lazy writer (and read-ahead) call around their paging I/O. */
typedef struct _CACHE_MANAGER_CALLBACKS {
    PACQUIRE_FOR_LAZY_WRITE AcquireForLazyWrite;
    PRELEASE_FROM_LAZY_WRITE ReleaseFromLazyWrite;
    PACQUIRE_FOR_READ_AHEAD AcquireForReadAhead;
    PRELEASE_FROM_READ_AHEAD ReleaseFromReadAhead;
} CACHE_MANAGER_CALLBACKS, *PCACHE_MANAGER_CALLBACKS;

typedef struct _CACHE_UNINITIALIZE_EVENT {
    struct _CACHE_UNINITIALIZE_EVENT *Next;
    KEVENT Event;
} CACHE_UNINITIALIZE_EVENT, *PCACHE_UNINITIALIZE_EVENT;

typedef VOID NTAPI CC_POST_DEFERRED_WRITE(PVOID Context1, PVOID Context2);
typedef CC_POST_DEFERRED_WRITE *PCC_POST_DEFERRED_WRITE;

/* CcPurgeCacheSection flags. */
#define UNINITIALIZE_CACHE_MAPS (1)
#define DO_NOT_RETRY_PURGE (2)
#define DO_NOT_PURGE_DIRTY_PAGES (0x4)

/* CcCoherencyFlushAndPurgeCache flags. */
#define CC_FLUSH_AND_PURGE_NO_PURGE (0x1)
#define CC_FLUSH_AND_PURGE_GATHER_DIRTY_BITS (0x2)
#define CC_FLUSH_AND_PURGE_WRITEABLE_VIEWS_NOTSEEN (0x4)

/* CcPinRead / CcPreparePinWrite / CcPinMappedData and CcMapData flags. */
#define PIN_WAIT (1)
#define PIN_EXCLUSIVE (2)
#define PIN_NO_READ (4)
#define PIN_IF_BCB (8)
#define PIN_CALLER_TRACKS_DIRTY_DATA (32)
#define PIN_HIGH_PRIORITY (64)
#define MAP_WAIT (1)
#define MAP_NO_READ (16)
#define MAP_HIGH_PRIORITY (64)

#define CcIsFileCached(FO) \
    (((FO)->SectionObjectPointer != NULL) && \
     (((PSECTION_OBJECT_POINTERS)(FO)->SectionObjectPointer)->SharedCacheMap != NULL))
/* The shared cache map keeps the stream's FileSize right after its first eight bytes. */
#define CcGetFileSizePointer(FO) (((PLARGE_INTEGER)((FO)->SectionObjectPointer->SharedCacheMap) + 1))
#define CcCopyWriteWontFlush(FO, FOFF, LEN) ((LEN) <= 0x10000)

/* ---- Cache maps ---- */
/* Raises STATUS_INSUFFICIENT_RESOURCES when the cache map cannot be created. */
NTKERNELAPI VOID NTAPI CcInitializeCacheMap(PFILE_OBJECT FileObject, PCC_FILE_SIZES FileSizes, BOOLEAN PinAccess,
                                            PCACHE_MANAGER_CALLBACKS Callbacks, PVOID LazyWriteContext);
NTKERNELAPI BOOLEAN NTAPI CcUninitializeCacheMap(PFILE_OBJECT FileObject, PLARGE_INTEGER TruncateSize,
                                                 PCACHE_UNINITIALIZE_EVENT UninitializeCompleteEvent);
NTKERNELAPI VOID NTAPI CcSetFileSizes(PFILE_OBJECT FileObject, PCC_FILE_SIZES FileSizes);
/* The same, returning the status of the purge a smaller FileSize makes instead of raising. */
NTKERNELAPI NTSTATUS NTAPI CcSetFileSizesEx(PFILE_OBJECT FileObject, PCC_FILE_SIZES FileSizes);
NTKERNELAPI VOID NTAPI CcSetReadAheadGranularity(PFILE_OBJECT FileObject, ULONG Granularity);
NTKERNELAPI VOID NTAPI CcSetAdditionalCacheAttributes(PFILE_OBJECT FileObject, BOOLEAN DisableReadAhead,
                                                      BOOLEAN DisableWriteBehind);
NTKERNELAPI PFILE_OBJECT NTAPI CcGetFileObjectFromSectionPtrs(PSECTION_OBJECT_POINTERS SectionObjectPointer);
/* The same, referenced: the caller dereferences it. */
NTKERNELAPI PFILE_OBJECT NTAPI CcGetFileObjectFromSectionPtrsRef(PSECTION_OBJECT_POINTERS SectionObjectPointer);

/* ---- Copy interface (raise the paging I/O status on failure) ---- */
NTKERNELAPI BOOLEAN NTAPI CcCopyRead(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length, BOOLEAN Wait,
                                     PVOID Buffer, PIO_STATUS_BLOCK IoStatus);
NTKERNELAPI VOID NTAPI CcScheduleReadAhead(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length);
/* The WDK's macro: read-ahead for reads of 256 bytes or more. */
#define CcReadAhead(FO, FOFF, LEN)                                                                                  \
    do {                                                                                                            \
        if ((LEN) >= 256) CcScheduleReadAhead((FO), (FOFF), (LEN));                                                 \
    } while (0)
NTKERNELAPI VOID NTAPI CcFastCopyRead(PFILE_OBJECT FileObject, ULONG FileOffset, ULONG Length, ULONG PageCount,
                                      PVOID Buffer, PIO_STATUS_BLOCK IoStatus);
NTKERNELAPI BOOLEAN NTAPI CcCopyWrite(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length, BOOLEAN Wait,
                                      PVOID Buffer);
NTKERNELAPI VOID NTAPI CcFastCopyWrite(PFILE_OBJECT FileObject, ULONG FileOffset, ULONG Length, PVOID Buffer);
NTKERNELAPI BOOLEAN NTAPI CcZeroData(PFILE_OBJECT FileObject, PLARGE_INTEGER StartOffset, PLARGE_INTEGER EndOffset,
                                     BOOLEAN Wait);
NTKERNELAPI BOOLEAN NTAPI CcCanIWrite(PFILE_OBJECT FileObject, ULONG BytesToWrite, BOOLEAN Wait, UCHAR Retrying);
NTKERNELAPI VOID NTAPI CcSetDirtyPageThreshold(PFILE_OBJECT FileObject, ULONG DirtyPageThreshold);
NTKERNELAPI VOID NTAPI CcDeferWrite(PFILE_OBJECT FileObject, PCC_POST_DEFERRED_WRITE PostRoutine, PVOID Context1,
                                    PVOID Context2, ULONG BytesToWrite, BOOLEAN Retrying);

/* ---- MDL interface: a chain of MDLs over the cache pages, given back by the complete routine ---- */
NTKERNELAPI VOID NTAPI CcMdlRead(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length, PMDL *MdlChain,
                                 PIO_STATUS_BLOCK IoStatus);
NTKERNELAPI VOID NTAPI CcMdlReadComplete(PFILE_OBJECT FileObject, PMDL MdlChain);
NTKERNELAPI VOID NTAPI CcPrepareMdlWrite(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length,
                                         PMDL *MdlChain, PIO_STATUS_BLOCK IoStatus);
NTKERNELAPI VOID NTAPI CcMdlWriteComplete(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, PMDL MdlChain);
NTKERNELAPI VOID NTAPI CcMdlWriteAbort(PFILE_OBJECT FileObject, PMDL MdlChain);

/* ---- Flushing and purging ---- */
NTKERNELAPI VOID NTAPI CcFlushCache(PSECTION_OBJECT_POINTERS SectionObjectPointer, PLARGE_INTEGER FileOffset,
                                    ULONG Length, PIO_STATUS_BLOCK IoStatus);
NTKERNELAPI BOOLEAN NTAPI CcPurgeCacheSection(PSECTION_OBJECT_POINTERS SectionObjectPointer,
                                              PLARGE_INTEGER FileOffset, ULONG Length, ULONG Flags);
/* The caller holds the file exclusively. IoStatus->Status STATUS_CACHE_PAGE_LOCKED (a success
 * status): a page could not be purged. */
NTKERNELAPI VOID NTAPI CcCoherencyFlushAndPurgeCache(PSECTION_OBJECT_POINTERS SectionObjectPointer,
                                                     PLARGE_INTEGER FileOffset, ULONG Length,
                                                     PIO_STATUS_BLOCK IoStatus, ULONG Flags);
NTKERNELAPI BOOLEAN NTAPI CcIsThereDirtyData(PVPB Vpb);
NTKERNELAPI BOOLEAN NTAPI CcIsThereDirtyDataEx(PVPB Vpb, PULONG NumberOfDirtyPages);
/* MAXLONGLONG when the stream is not cached. */
NTKERNELAPI LARGE_INTEGER NTAPI CcGetFlushedValidData(PSECTION_OBJECT_POINTERS SectionObjectPointer,
                                                      BOOLEAN CcInternalCaller);
NTKERNELAPI NTSTATUS NTAPI CcWaitForCurrentLazyWriterActivity(VOID);

/* ---- Mapping and pinning (a range must lie within one VACB_MAPPING_GRANULARITY view) ---- */
NTKERNELAPI BOOLEAN NTAPI CcMapData(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length, ULONG Flags,
                                    PVOID *Bcb, PVOID *Buffer);
NTKERNELAPI BOOLEAN NTAPI CcPinRead(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length, ULONG Flags,
                                    PVOID *Bcb, PVOID *Buffer);
NTKERNELAPI BOOLEAN NTAPI CcPreparePinWrite(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length,
                                            BOOLEAN Zero, ULONG Flags, PVOID *Bcb, PVOID *Buffer);
NTKERNELAPI BOOLEAN NTAPI CcPinMappedData(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length,
                                          ULONG Flags, PVOID *Bcb);
NTKERNELAPI VOID NTAPI CcSetDirtyPinnedData(PVOID BcbVoid, PLARGE_INTEGER Lsn);
NTKERNELAPI VOID NTAPI CcUnpinData(PVOID Bcb);
NTKERNELAPI VOID NTAPI CcUnpinDataForThread(PVOID Bcb, ERESOURCE_THREAD ResourceThreadId);
NTKERNELAPI VOID NTAPI CcRepinBcb(PVOID Bcb);
/* Another mapping (read-only) BCB over the BCB's range; unpin it with CcUnpinData. */
NTKERNELAPI PVOID NTAPI CcRemapBcb(PVOID Bcb);
NTKERNELAPI VOID NTAPI CcUnpinRepinnedBcb(PVOID Bcb, BOOLEAN WriteThrough, PIO_STATUS_BLOCK IoStatus);
NTKERNELAPI PFILE_OBJECT NTAPI CcGetFileObjectFromBcb(PVOID Bcb);

/* ---- Log handles (journaling file systems) ---- */
typedef VOID (*PFLUSH_TO_LSN)(PVOID LogHandle, LARGE_INTEGER Lsn);
typedef VOID (*PDIRTY_PAGE_ROUTINE)(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length,
                                    PLARGE_INTEGER OldestLsn, PLARGE_INTEGER NewestLsn, PVOID Context1,
                                    PVOID Context2);
/* FlushToLsnRoutine runs before dirty pages of the stream are written, with the newest LSN that
 * CcSetDirtyPinnedData gave them, while the cache holds the stream's lock (it must not reach this
 * stream through the cache). */
NTKERNELAPI VOID NTAPI CcSetLogHandleForFile(PFILE_OBJECT FileObject, PVOID LogHandle, PFLUSH_TO_LSN FlushToLsnRoutine);
/* DirtyPageRoutine once per dirty page (Length PAGE_SIZE) of every stream with LogHandle; returns
 * the oldest LSN among them, 0 when there is none. */
NTKERNELAPI LARGE_INTEGER NTAPI CcGetDirtyPages(PVOID LogHandle, PDIRTY_PAGE_ROUTINE DirtyPageRoutine, PVOID Context1,
                                                PVOID Context2);
/* The newest LSN CcSetDirtyPinnedData gave a dirty page of the file's stream (0 for none), and in
 * *OldestLsn (optional) the oldest. A file that is not cached: 0 and 0. */
NTKERNELAPI LARGE_INTEGER NTAPI CcGetLsnForFileObject(PFILE_OBJECT FileObject, PLARGE_INTEGER OldestLsn);


NTIO_END_DECLS

#endif /* NTIO_DDK_CC_H */

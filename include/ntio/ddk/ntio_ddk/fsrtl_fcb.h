/* <ntifs.h> contents: the per-stream headers a file system puts at the start of its FCB
 * (FSRTL_COMMON_FCB_HEADER, FSRTL_ADVANCED_FCB_HEADER) and the FsRtl fast I/O routines that work over
 * them (FsRtlCopyRead / FsRtlCopyWrite), with WDK names and Windows x64 layouts. The cache manager
 * and FsRtl read FileObject->FsContext as one of these headers.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/ns-ntifs-_fsrtl_common_fcb_header */
#ifndef NTIO_DDK_FSRTL_FCB_H
#define NTIO_DDK_FSRTL_FCB_H

#include "ex.h"
#include "io_types.h"

NTIO_BEGIN_DECLS

#ifndef NTIO_DDK_PUSH_LOCK_DEFINED
#define NTIO_DDK_PUSH_LOCK_DEFINED
typedef ULONG_PTR EX_PUSH_LOCK, *PEX_PUSH_LOCK;
#endif
#ifndef NTIO_DDK_OPLOCK_DEFINED
#define NTIO_DDK_OPLOCK_DEFINED
typedef PVOID OPLOCK, *POPLOCK;
#endif

/* IsFastIoPossible: whether FsRtlCopyRead / FsRtlCopyWrite may serve a request without an IRP;
 * FastIoIsQuestionable makes them ask the driver's FastIoCheckIfPossible first. */
typedef enum _FAST_IO_POSSIBLE {
    FastIoIsNotPossible = 0,
    FastIoIsPossible,
    FastIoIsQuestionable
} FAST_IO_POSSIBLE;

typedef struct _FSRTL_COMMON_FCB_HEADER {
    CSHORT NodeTypeCode;
    CSHORT NodeByteSize;
    UCHAR Flags;
    UCHAR IsFastIoPossible;
    UCHAR Flags2;
    UCHAR Reserved : 4;
    UCHAR Version : 4;
    PERESOURCE Resource;
    PERESOURCE PagingIoResource;
    LARGE_INTEGER AllocationSize;
    LARGE_INTEGER FileSize;
    LARGE_INTEGER ValidDataLength;
} FSRTL_COMMON_FCB_HEADER, *PFSRTL_COMMON_FCB_HEADER;

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/ns-ntifs-_fsrtl_advanced_fcb_header */
#ifdef __cplusplus
typedef struct _FSRTL_ADVANCED_FCB_HEADER : FSRTL_COMMON_FCB_HEADER {
#else
/* In C the common header's fields are reachable by name too (Header.NodeTypeCode, as WDK file
 * systems write it): an anonymous C11 struct with the same layout shares the storage. */
typedef struct _FSRTL_ADVANCED_FCB_HEADER {
    union {
        FSRTL_COMMON_FCB_HEADER DUMMYSTRUCTNAME;
        struct {
            CSHORT NodeTypeCode;
            CSHORT NodeByteSize;
            UCHAR Flags;
            UCHAR IsFastIoPossible;
            UCHAR Flags2;
            UCHAR Reserved : 4;
            UCHAR Version : 4;
            PERESOURCE Resource;
            PERESOURCE PagingIoResource;
            LARGE_INTEGER AllocationSize;
            LARGE_INTEGER FileSize;
            LARGE_INTEGER ValidDataLength;
        };
    };
#endif
    PFAST_MUTEX FastMutex;
    LIST_ENTRY FilterContexts;
    EX_PUSH_LOCK PushLock;
    PVOID *FileContextSupportPointer;
    union {
        OPLOCK Oplock;
        PVOID ReservedForRemote;
    };
    PVOID AePushLock;
    PVOID ReservedContextLegacy;
    ULONG BypassIoOpenCount;
    struct _FSRTL_PER_STREAM_CONTEXT *ReservedContext;
} FSRTL_ADVANCED_FCB_HEADER, *PFSRTL_ADVANCED_FCB_HEADER;

C_ASSERT(sizeof(FSRTL_COMMON_FCB_HEADER) == 0x30);
C_ASSERT(FIELD_OFFSET(FSRTL_COMMON_FCB_HEADER, Resource) == 0x08);
C_ASSERT(FIELD_OFFSET(FSRTL_COMMON_FCB_HEADER, FileSize) == 0x20);
#ifndef __cplusplus /* C++ derives the advanced header (not standard layout): offsets checked in C */
C_ASSERT(FIELD_OFFSET(FSRTL_ADVANCED_FCB_HEADER, Flags2) == 0x06);
C_ASSERT(FIELD_OFFSET(FSRTL_ADVANCED_FCB_HEADER, ValidDataLength) == 0x28);
C_ASSERT(FIELD_OFFSET(FSRTL_ADVANCED_FCB_HEADER, FastMutex) == 0x30);
C_ASSERT(FIELD_OFFSET(FSRTL_ADVANCED_FCB_HEADER, FilterContexts) == 0x38);
C_ASSERT(FIELD_OFFSET(FSRTL_ADVANCED_FCB_HEADER, FileContextSupportPointer) == 0x50);
C_ASSERT(FIELD_OFFSET(FSRTL_ADVANCED_FCB_HEADER, Oplock) == 0x58);
C_ASSERT(FIELD_OFFSET(FSRTL_ADVANCED_FCB_HEADER, BypassIoOpenCount) == 0x70);
#endif
C_ASSERT(sizeof(FSRTL_ADVANCED_FCB_HEADER) == 0x80);

#define FSRTL_FCB_HEADER_V0 (0x00)
#define FSRTL_FCB_HEADER_V1 (0x01)
#define FSRTL_FCB_HEADER_V2 (0x02)
#define FSRTL_FCB_HEADER_V3 (0x03)
#define FSRTL_FCB_HEADER_V4 (0x04)

#define FSRTL_FLAG_FILE_MODIFIED (0x01)
#define FSRTL_FLAG_FILE_LENGTH_CHANGED (0x02)
#define FSRTL_FLAG_LIMIT_MODIFIED_PAGES (0x04)
#define FSRTL_FLAG_ACQUIRE_MAIN_RSRC_EX (0x08)
#define FSRTL_FLAG_ACQUIRE_MAIN_RSRC_SH (0x10)
#define FSRTL_FLAG_USER_MAPPED_FILE (0x20)
#define FSRTL_FLAG_ADVANCED_HEADER (0x40)
#define FSRTL_FLAG_EOF_ADVANCE_ACTIVE (0x80)

#define FSRTL_FLAG2_DO_MODIFIED_WRITE (0x01)
#define FSRTL_FLAG2_SUPPORTS_FILTER_CONTEXTS (0x02)
#define FSRTL_FLAG2_PURGE_WHEN_MAPPED (0x04)
#define FSRTL_FLAG2_IS_PAGING_FILE (0x08)

/* File systems disable normal kernel APCs while they hold their resources. */
#ifndef FsRtlEnterFileSystem
#define FsRtlEnterFileSystem() KeEnterCriticalRegion()
#define FsRtlExitFileSystem() KeLeaveCriticalRegion()
#endif

/* The standard FastIoRead / FastIoWrite over a cached stream whose FsContext starts with an
 * FSRTL_COMMON_FCB_HEADER. FALSE: take the IRP path. IRQL PASSIVE_LEVEL.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlcopyread
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlcopywrite */
NTKERNELAPI BOOLEAN NTAPI FsRtlCopyRead(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length,
                                        BOOLEAN Wait, ULONG LockKey, PVOID Buffer, PIO_STATUS_BLOCK IoStatus,
                                        PDEVICE_OBJECT DeviceObject);
NTKERNELAPI BOOLEAN NTAPI FsRtlCopyWrite(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length,
                                         BOOLEAN Wait, ULONG LockKey, PVOID Buffer, PIO_STATUS_BLOCK IoStatus,
                                         PDEVICE_OBJECT DeviceObject);

/* The MDL forms: a chain of MDLs over the cache instead of a copy; the Dev forms are the fast I/O
 * entries, the others find the file's driver and call its FastIoDispatch routine (or the Dev form).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlmdlreaddev */
NTKERNELAPI BOOLEAN NTAPI FsRtlMdlReadDev(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length,
                                          ULONG LockKey, PMDL *MdlChain, PIO_STATUS_BLOCK IoStatus,
                                          PDEVICE_OBJECT DeviceObject);
NTKERNELAPI BOOLEAN NTAPI FsRtlMdlReadCompleteDev(PFILE_OBJECT FileObject, PMDL MdlChain, PDEVICE_OBJECT DeviceObject);
NTKERNELAPI BOOLEAN NTAPI FsRtlPrepareMdlWriteDev(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length,
                                                  ULONG LockKey, PMDL *MdlChain, PIO_STATUS_BLOCK IoStatus,
                                                  PDEVICE_OBJECT DeviceObject);
NTKERNELAPI BOOLEAN NTAPI FsRtlMdlWriteCompleteDev(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, PMDL MdlChain,
                                                   PDEVICE_OBJECT DeviceObject);
NTKERNELAPI BOOLEAN NTAPI FsRtlMdlRead(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length, ULONG LockKey,
                                       PMDL *MdlChain, PIO_STATUS_BLOCK IoStatus);
NTKERNELAPI BOOLEAN NTAPI FsRtlMdlReadComplete(PFILE_OBJECT FileObject, PMDL MdlChain);
NTKERNELAPI BOOLEAN NTAPI FsRtlPrepareMdlWrite(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length,
                                               ULONG LockKey, PMDL *MdlChain, PIO_STATUS_BLOCK IoStatus);
NTKERNELAPI BOOLEAN NTAPI FsRtlMdlWriteComplete(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, PMDL MdlChain);

NTIO_END_DECLS

#endif /* NTIO_DDK_FSRTL_FCB_H */

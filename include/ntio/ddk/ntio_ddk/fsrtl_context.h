/* <ntifs.h> contents: filter contexts. A file system that sets up an FSRTL_ADVANCED_FCB_HEADER for a
 * stream lets legacy file system filters hang their own per-stream contexts on it (the FilterContexts
 * list), per-file contexts on the file system's per-file structure (FileContextSupportPointer), and
 * per-file-object contexts on the file object. The file system frees the stream's and the file's
 * contexts when it frees their structures (FsRtlTeardownPerStreamContexts / FsRtlTeardownPerFileContexts,
 * which call each context's FreeCallback). WDK names, signatures and Windows x64 layouts:
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/tracking-per-stream-context-in-a-legacy-file-system-filter-driver
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/ns-ntifs-_fsrtl_advanced_fcb_header
 * Every routine runs at IRQL <= APC_LEVEL; the Init, Get and Supports macros at any IRQL. */
#ifndef NTIO_DDK_FSRTL_CONTEXT_H
#define NTIO_DDK_FSRTL_CONTEXT_H

#include "ex.h"
#include "io_types.h"
#include "fsrtl_fcb.h"

NTIO_BEGIN_DECLS

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/ns-ntifs-_fsrtl_per_stream_context */
typedef struct _FSRTL_PER_STREAM_CONTEXT {
    LIST_ENTRY Links;
    PVOID OwnerId;
    PVOID InstanceId;
    PFREE_FUNCTION FreeCallback;
} FSRTL_PER_STREAM_CONTEXT, *PFSRTL_PER_STREAM_CONTEXT;

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/ns-ntifs-_fsrtl_per_file_context */
typedef struct _FSRTL_PER_FILE_CONTEXT {
    LIST_ENTRY Links;
    PVOID OwnerId;
    PVOID InstanceId;
    PFREE_FUNCTION FreeCallback;
} FSRTL_PER_FILE_CONTEXT, *PFSRTL_PER_FILE_CONTEXT;

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/ns-ntifs-_fsrtl_per_fileobject_context
 * No free callback: the filter removes and frees its context in its IRP_MJ_CLOSE path. */
typedef struct _FSRTL_PER_FILEOBJECT_CONTEXT {
    LIST_ENTRY Links;
    PVOID OwnerId;
    PVOID InstanceId;
} FSRTL_PER_FILEOBJECT_CONTEXT, *PFSRTL_PER_FILEOBJECT_CONTEXT;

C_ASSERT(sizeof(FSRTL_PER_STREAM_CONTEXT) == 0x28);
C_ASSERT(sizeof(FSRTL_PER_FILE_CONTEXT) == 0x28);
C_ASSERT(sizeof(FSRTL_PER_FILEOBJECT_CONTEXT) == 0x20);

/* ---- Setting up the advanced header (file systems) ----------------------------------------------
 * Marks the header advanced and able to take filter contexts, starts an empty FilterContexts list
 * and a free push lock, stores the fast mutex when one is given (else the file system sets
 * FastMutex itself) and the per-file context pointer (NULL: no per-file contexts). The file system
 * zeroes the PVOID _fctxptr points at when it creates its per-file structure.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlsetupadvancedheader
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlsetupadvancedheaderex
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlsetupadvancedheaderex2 */
#define FsRtlSetupAdvancedHeaderEx2(_advhdr, _fmutx, _fctxptr, _aepushlock)                           \
    do {                                                                                               \
        PFSRTL_ADVANCED_FCB_HEADER ntio_adv_hdr_ = (PFSRTL_ADVANCED_FCB_HEADER)(_advhdr);              \
        PFAST_MUTEX ntio_adv_mutex_ = (_fmutx);                                                        \
        ntio_adv_hdr_->Flags |= FSRTL_FLAG_ADVANCED_HEADER;                                            \
        ntio_adv_hdr_->Flags2 |= FSRTL_FLAG2_SUPPORTS_FILTER_CONTEXTS;                                 \
        ntio_adv_hdr_->Version = FSRTL_FCB_HEADER_V2;                                                  \
        InitializeListHead(&ntio_adv_hdr_->FilterContexts);                                            \
        if (ntio_adv_mutex_ != NULL) ntio_adv_hdr_->FastMutex = ntio_adv_mutex_;                       \
        ntio_adv_hdr_->PushLock = 0;                                                                   \
        ntio_adv_hdr_->FileContextSupportPointer = (PVOID *)(_fctxptr);                                \
        ntio_adv_hdr_->AePushLock = (PVOID)(_aepushlock);                                              \
    } while (0)
#define FsRtlSetupAdvancedHeaderEx(_advhdr, _fmutx, _fctxptr) FsRtlSetupAdvancedHeaderEx2(_advhdr, _fmutx, _fctxptr, NULL)
#define FsRtlSetupAdvancedHeader(_advhdr, _fmutx) FsRtlSetupAdvancedHeaderEx2(_advhdr, _fmutx, NULL, NULL)

/* ---- Per-stream contexts ------------------------------------------------------------------------
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlgetperstreamcontextpointer
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlsupportsperstreamcontexts
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlinitperstreamcontext */
#define FsRtlGetPerStreamContextPointer(_fo) ((PFSRTL_ADVANCED_FCB_HEADER)((_fo)->FsContext))
#define FsRtlSupportsPerStreamContexts(_fo)                                                            \
    ((BOOLEAN)(FsRtlGetPerStreamContextPointer(_fo) != NULL &&                                         \
               (FsRtlGetPerStreamContextPointer(_fo)->Flags2 & FSRTL_FLAG2_SUPPORTS_FILTER_CONTEXTS) != 0))
#define FsRtlInitPerStreamContext(_fc, _owner, _inst, _cb)                                             \
    ((_fc)->OwnerId = (_owner), (_fc)->InstanceId = (_inst), (_fc)->FreeCallback = (_cb))

/* STATUS_INVALID_DEVICE_REQUEST: the stream's header does not take filter contexts.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlinsertperstreamcontext */
NTKERNELAPI NTSTATUS NTAPI FsRtlInsertPerStreamContext(_In_ PFSRTL_ADVANCED_FCB_HEADER PerStreamContext,
                                                       _In_ PFSRTL_PER_STREAM_CONTEXT Ptr);
/* The first context whose OwnerId (when given) and InstanceId (when given) match; NULL if none.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtllookupperstreamcontextinternal */
NTKERNELAPI PFSRTL_PER_STREAM_CONTEXT NTAPI FsRtlLookupPerStreamContextInternal(
    _In_ PFSRTL_ADVANCED_FCB_HEADER StreamContext, _In_opt_ PVOID OwnerId, _In_opt_ PVOID InstanceId);
/* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtllookupperstreamcontext */
#define FsRtlLookupPerStreamContext(_sc, _oid, _iid)                                                   \
    (((_sc) != NULL && ((_sc)->Flags2 & FSRTL_FLAG2_SUPPORTS_FILTER_CONTEXTS) != 0)                    \
         ? FsRtlLookupPerStreamContextInternal((_sc), (_oid), (_iid))                                  \
         : (PFSRTL_PER_STREAM_CONTEXT)NULL)
/* Unlinks and returns the first match (no callback runs); NULL if none or no filter contexts.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlremoveperstreamcontext */
NTKERNELAPI PFSRTL_PER_STREAM_CONTEXT NTAPI FsRtlRemovePerStreamContext(_In_ PFSRTL_ADVANCED_FCB_HEADER StreamContext,
                                                                        _In_opt_ PVOID OwnerId,
                                                                        _In_opt_ PVOID InstanceId);
/* The file system, freeing the stream's structure: unlinks every context, then (with the list's
 * lock released) calls each one's FreeCallback.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlteardownperstreamcontexts */
NTKERNELAPI VOID NTAPI FsRtlTeardownPerStreamContexts(_In_ PFSRTL_ADVANCED_FCB_HEADER AdvancedHeader);

/* ---- Per-file contexts ---------------------------------------------------------------------------
 * *PerFileContextPointer is FsRtl's: NULL until the first insert.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/ns-ntifs-_fsrtl_per_file_context */
#define FsRtlSupportsPerFileContexts(_fo)                                                              \
    ((BOOLEAN)(FsRtlGetPerStreamContextPointer(_fo) != NULL &&                                         \
               (FsRtlGetPerStreamContextPointer(_fo)->Flags & FSRTL_FLAG_ADVANCED_HEADER) != 0 &&       \
               FsRtlGetPerStreamContextPointer(_fo)->Version >= FSRTL_FCB_HEADER_V1 &&                  \
               FsRtlGetPerStreamContextPointer(_fo)->FileContextSupportPointer != NULL))
#define FsRtlGetPerFileContextPointer(_fo)                                                             \
    (FsRtlSupportsPerFileContexts(_fo) ? FsRtlGetPerStreamContextPointer(_fo)->FileContextSupportPointer \
                                       : (PVOID *)NULL)
#define FsRtlInitPerFileContext(_fc, _owner, _inst, _cb)                                               \
    ((_fc)->OwnerId = (_owner), (_fc)->InstanceId = (_inst), (_fc)->FreeCallback = (_cb))

/* STATUS_INVALID_DEVICE_REQUEST: no per-file contexts (PerFileContextPointer NULL);
 * STATUS_INSUFFICIENT_RESOURCES: the file's list could not be allocated.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlinsertperfilecontext */
NTKERNELAPI NTSTATUS NTAPI FsRtlInsertPerFileContext(_In_ PVOID *PerFileContextPointer,
                                                     _In_ PFSRTL_PER_FILE_CONTEXT Ptr);
/* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtllookupperfilecontext */
NTKERNELAPI PFSRTL_PER_FILE_CONTEXT NTAPI FsRtlLookupPerFileContext(_In_ PVOID *PerFileContextPointer,
                                                                    _In_opt_ PVOID OwnerId,
                                                                    _In_opt_ PVOID InstanceId);
/* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlremoveperfilecontext */
NTKERNELAPI PFSRTL_PER_FILE_CONTEXT NTAPI FsRtlRemovePerFileContext(_In_ PVOID *PerFileContextPointer,
                                                                    _In_opt_ PVOID OwnerId,
                                                                    _In_opt_ PVOID InstanceId);
/* The file system, freeing its per-file structure: every context's FreeCallback, with the list's
 * lock released; *PerFileContextPointer is NULL afterwards.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlteardownperfilecontexts */
NTKERNELAPI VOID NTAPI FsRtlTeardownPerFileContexts(_In_ PVOID *PerFileContextPointer);

/* ---- Per-file-object contexts --------------------------------------------------------------------
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlinitperfileobjectcontext */
#define FsRtlInitPerFileObjectContext(_fc, _owner, _inst) ((_fc)->OwnerId = (_owner), (_fc)->InstanceId = (_inst))

/* STATUS_INVALID_PARAMETER: FileObject is NULL; STATUS_INSUFFICIENT_RESOURCES: no file object
 * extension. https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlinsertperfileobjectcontext */
NTKERNELAPI NTSTATUS NTAPI FsRtlInsertPerFileObjectContext(_In_ PFILE_OBJECT FileObject,
                                                           _In_ PFSRTL_PER_FILEOBJECT_CONTEXT Ptr);
/* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtllookupperfileobjectcontext */
NTKERNELAPI PFSRTL_PER_FILEOBJECT_CONTEXT NTAPI FsRtlLookupPerFileObjectContext(_In_ PFILE_OBJECT FileObject,
                                                                                _In_opt_ PVOID OwnerId,
                                                                                _In_opt_ PVOID InstanceId);
/* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlremoveperfileobjectcontext */
NTKERNELAPI PFSRTL_PER_FILEOBJECT_CONTEXT NTAPI FsRtlRemovePerFileObjectContext(_In_ PFILE_OBJECT FileObject,
                                                                                _In_opt_ PVOID OwnerId,
                                                                                _In_opt_ PVOID InstanceId);

NTIO_END_DECLS

#endif /* NTIO_DDK_FSRTL_CONTEXT_H */

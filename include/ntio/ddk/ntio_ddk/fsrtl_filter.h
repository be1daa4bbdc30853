/* <ntifs.h> contents: FsFilter callbacks. File systems and legacy file system filters register
 * notification routines with FsRtlRegisterFileSystemFilterCallbacks; the memory manager and the
 * cache manager call them (top of the stack first) when they acquire a file for section
 * synchronization, for the modified page writer and for a cache flush, and again when they release
 * it. WDK names, signatures and Windows x64 layouts:
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlregisterfilesystemfiltercallbacks
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/ns-ntifs-fs_filter_callback_data */
#ifndef NTIO_DDK_FSRTL_FILTER_H
#define NTIO_DDK_FSRTL_FILTER_H

#include "ex.h"
#include "io_types.h"

NTIO_BEGIN_DECLS

/* FS_FILTER_CALLBACK_DATA.Operation */
#define FS_FILTER_ACQUIRE_FOR_SECTION_SYNCHRONIZATION ((UCHAR)-1)
#define FS_FILTER_RELEASE_FOR_SECTION_SYNCHRONIZATION ((UCHAR)-2)
#define FS_FILTER_ACQUIRE_FOR_MOD_WRITE ((UCHAR)-3)
#define FS_FILTER_RELEASE_FOR_MOD_WRITE ((UCHAR)-4)
#define FS_FILTER_ACQUIRE_FOR_CC_FLUSH ((UCHAR)-5)
#define FS_FILTER_RELEASE_FOR_CC_FLUSH ((UCHAR)-6)
#define FS_FILTER_QUERY_OPEN ((UCHAR)-7)

/* AcquireForSectionSynchronization.Flags */
#define FS_FILTER_SECTION_SYNC_IN_FLAG_DONT_UPDATE_LAST_ACCESS 0x00000001
#define FS_FILTER_SECTION_SYNC_IN_FLAG_DONT_UPDATE_LAST_WRITE 0x00000002

/* FS_FILTER_SECTION_SYNC_OUTPUT.Flags */
#define FS_FILTER_SECTION_SYNC_SUPPORTS_ASYNC_PARALLEL_IO 0x00000001
#define FS_FILTER_SECTION_SYNC_SUPPORTS_DIRECT_MAP_DATA 0x00000002
#define FS_FILTER_SECTION_SYNC_SUPPORTS_DIRECT_MAP_IMAGE 0x00000004
#define FS_FILTER_SECTION_SYNC_IMAGE_EXTENTS_ARE_NOT_RVA 0x00000008

typedef enum _FS_FILTER_SECTION_SYNC_TYPE {
    SyncTypeOther = 0,
    SyncTypeCreateSection
} FS_FILTER_SECTION_SYNC_TYPE, *PFS_FILTER_SECTION_SYNC_TYPE;

typedef enum _FS_FILTER_STREAM_FO_NOTIFICATION_TYPE {
    NotifyTypeCreate = 0,
    NotifyTypeRetired
} FS_FILTER_STREAM_FO_NOTIFICATION_TYPE, *PFS_FILTER_STREAM_FO_NOTIFICATION_TYPE;

typedef struct _FS_FILTER_SECTION_SYNC_OUTPUT {
    ULONG StructureSize;
    ULONG SizeReturned;
    ULONG Flags;
    ULONG DesiredReadAlignment;
} FS_FILTER_SECTION_SYNC_OUTPUT, *PFS_FILTER_SECTION_SYNC_OUTPUT;

typedef union _FS_FILTER_PARAMETERS {
    struct {
        PLARGE_INTEGER EndingOffset;
        PERESOURCE *ResourceToRelease;
    } AcquireForModifiedPageWriter;
    struct {
        PERESOURCE ResourceToRelease;
    } ReleaseForModifiedPageWriter;
    struct {
        FS_FILTER_SECTION_SYNC_TYPE SyncType;
        ULONG PageProtection;
        PFS_FILTER_SECTION_SYNC_OUTPUT OutputInformation;
        ULONG Flags;
    } AcquireForSectionSynchronization;
    struct {
        PIRP Irp;
        PVOID FileInformation;
        PULONG Length;
        FILE_INFORMATION_CLASS FileInformationClass;
        NTSTATUS CompletionStatus;
    } QueryOpen;
    struct {
        PVOID Argument1;
        PVOID Argument2;
        PVOID Argument3;
        PVOID Argument4;
        PVOID Argument5;
    } Others;
} FS_FILTER_PARAMETERS, *PFS_FILTER_PARAMETERS;

typedef struct _FS_FILTER_CALLBACK_DATA {
    ULONG SizeOfFsFilterCallbackData;
    UCHAR Operation;
    UCHAR Reserved;
    struct _DEVICE_OBJECT *DeviceObject;
    struct _FILE_OBJECT *FileObject;
    FS_FILTER_PARAMETERS Parameters;
} FS_FILTER_CALLBACK_DATA, *PFS_FILTER_CALLBACK_DATA;

/* A notification routine: STATUS_SUCCESS passes the operation on down the stack; another success
 * status (STATUS_FSFILTER_OP_COMPLETED_SUCCESSFULLY, and for a section being created
 * STATUS_FILE_LOCKED_WITH_ONLY_READERS / _WITH_WRITERS) says this driver did the operation itself;
 * an error fails an acquisition (a release cannot fail). */
typedef NTSTATUS NTAPI FS_FILTER_CALLBACK(PFS_FILTER_CALLBACK_DATA Data, PVOID *CompletionContext);
typedef FS_FILTER_CALLBACK *PFS_FILTER_CALLBACK;
typedef VOID NTAPI FS_FILTER_COMPLETION_CALLBACK(PFS_FILTER_CALLBACK_DATA Data, NTSTATUS OperationStatus,
                                                 PVOID CompletionContext);
typedef FS_FILTER_COMPLETION_CALLBACK *PFS_FILTER_COMPLETION_CALLBACK;

typedef struct _FS_FILTER_CALLBACKS {
    ULONG SizeOfFsFilterCallbacks;
    ULONG Reserved;
    PFS_FILTER_CALLBACK PreAcquireForSectionSynchronization;
    PFS_FILTER_COMPLETION_CALLBACK PostAcquireForSectionSynchronization;
    PFS_FILTER_CALLBACK PreReleaseForSectionSynchronization;
    PFS_FILTER_COMPLETION_CALLBACK PostReleaseForSectionSynchronization;
    PFS_FILTER_CALLBACK PreAcquireForCcFlush;
    PFS_FILTER_COMPLETION_CALLBACK PostAcquireForCcFlush;
    PFS_FILTER_CALLBACK PreReleaseForCcFlush;
    PFS_FILTER_COMPLETION_CALLBACK PostReleaseForCcFlush;
    PFS_FILTER_CALLBACK PreAcquireForModifiedPageWriter;
    PFS_FILTER_COMPLETION_CALLBACK PostAcquireForModifiedPageWriter;
    PFS_FILTER_CALLBACK PreReleaseForModifiedPageWriter;
    PFS_FILTER_COMPLETION_CALLBACK PostReleaseForModifiedPageWriter;
    PFS_FILTER_CALLBACK PreQueryOpen;
    PFS_FILTER_COMPLETION_CALLBACK PostQueryOpen;
} FS_FILTER_CALLBACKS, *PFS_FILTER_CALLBACKS;

/* PASSIVE_LEVEL, normally from DriverEntry. A second call replaces the driver's callbacks.
 * STATUS_INVALID_PARAMETER for a NULL driver or structure or a SizeOfFsFilterCallbacks of 0. */
NTKERNELAPI NTSTATUS NTAPI FsRtlRegisterFileSystemFilterCallbacks(struct _DRIVER_OBJECT *FilterDriverObject,
                                                                   PFS_FILTER_CALLBACKS Callbacks);

/* The acquisitions the memory and cache managers make (Microsoft Learn lists them as reserved for
 * system use; ntio exports them as Windows does). Each runs the stack's notification routines,
 * then, unless a driver did the operation, the file system's fast I/O routine
 * (AcquireFileForNtCreateSection, AcquireForModWrite, AcquireForCcFlush) or, without one, takes the
 * FCB header's resources; the release undoes it the same way. */
NTKERNELAPI VOID NTAPI FsRtlAcquireFileExclusive(PFILE_OBJECT FileObject);
NTKERNELAPI NTSTATUS NTAPI FsRtlAcquireToCreateMappedSection(PFILE_OBJECT FileObject, ULONG SectionPageProtection);
NTKERNELAPI VOID NTAPI FsRtlReleaseFile(PFILE_OBJECT FileObject);
NTKERNELAPI NTSTATUS NTAPI FsRtlAcquireFileForModWriteEx(PFILE_OBJECT FileObject, PLARGE_INTEGER EndingOffset,
                                                         PERESOURCE *ResourceToRelease);
NTKERNELAPI VOID NTAPI FsRtlReleaseFileForModWrite(PFILE_OBJECT FileObject, PERESOURCE ResourceToRelease);
NTKERNELAPI VOID NTAPI FsRtlAcquireFileForCcFlush(PFILE_OBJECT FileObject);
NTKERNELAPI NTSTATUS NTAPI FsRtlAcquireFileForCcFlushEx(PFILE_OBJECT FileObject);
NTKERNELAPI VOID NTAPI FsRtlReleaseFileForCcFlush(PFILE_OBJECT FileObject);

/* The file's size (FILE_STANDARD_INFORMATION.EndOfFile) from its file system, by fast I/O
 * (FastIoQueryStandardInfo) when that answers, else by an IRP_MJ_QUERY_INFORMATION, without the file
 * object's lock, so a caller that owns file system resources may ask. STATUS_FILE_IS_A_DIRECTORY for a
 * directory. PASSIVE_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI FsRtlGetFileSize(PFILE_OBJECT FileObject, PLARGE_INTEGER FileSize);

NTIO_END_DECLS

#endif

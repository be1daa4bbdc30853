/* <ntifs.h> (and native API) contents: I/O completion port types: FILE_COMPLETION_INFORMATION,
 * FILE_IO_COMPLETION_NOTIFICATION_INFORMATION and the FILE_SKIP_* flags, IO_COMPLETION access rights,
 * IO_COMPLETION_INFORMATION_CLASS, IO_COMPLETION_BASIC_INFORMATION, FILE_IO_COMPLETION_INFORMATION.
 * Windows x64 layouts; each definition is guarded because the SDK side may bring it too. */
#ifndef NTIO_DDK_IO_COMPLETION_H
#define NTIO_DDK_IO_COMPLETION_H

#include "io_types.h"

NTIO_BEGIN_DECLS

/* FileCompletionInformation / FileReplaceCompletionInformation (NtSetInformationFile). */
#ifndef NTIO_HAVE_FILE_COMPLETION_INFORMATION
#define NTIO_HAVE_FILE_COMPLETION_INFORMATION
typedef struct _FILE_COMPLETION_INFORMATION {
    HANDLE Port;
    PVOID Key;
} FILE_COMPLETION_INFORMATION, *PFILE_COMPLETION_INFORMATION;
#endif

/* FileIoCompletionNotificationInformation (SetFileCompletionNotificationModes). */
#ifndef NTIO_HAVE_FILE_IO_COMPLETION_NOTIFICATION_INFORMATION
#define NTIO_HAVE_FILE_IO_COMPLETION_NOTIFICATION_INFORMATION
typedef struct _FILE_IO_COMPLETION_NOTIFICATION_INFORMATION {
    ULONG Flags;
} FILE_IO_COMPLETION_NOTIFICATION_INFORMATION, *PFILE_IO_COMPLETION_NOTIFICATION_INFORMATION;
#endif

#ifndef FILE_SKIP_COMPLETION_PORT_ON_SUCCESS
#define FILE_SKIP_COMPLETION_PORT_ON_SUCCESS 0x1
#endif
#ifndef FILE_SKIP_SET_EVENT_ON_HANDLE
#define FILE_SKIP_SET_EVENT_ON_HANDLE 0x2
#endif
#ifndef FILE_SKIP_SET_USER_EVENT_ON_FAST_IO
#define FILE_SKIP_SET_USER_EVENT_ON_FAST_IO 0x4
#endif

/* Access rights of IoCompletion objects. */
#ifndef IO_COMPLETION_QUERY_STATE
#define IO_COMPLETION_QUERY_STATE 0x0001
#endif
#ifndef IO_COMPLETION_MODIFY_STATE
#define IO_COMPLETION_MODIFY_STATE 0x0002
#endif
#ifndef IO_COMPLETION_ALL_ACCESS
#define IO_COMPLETION_ALL_ACCESS (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x3)
#endif

/* NtQueryIoCompletion. */
#ifndef NTIO_HAVE_IO_COMPLETION_INFORMATION_CLASS
#define NTIO_HAVE_IO_COMPLETION_INFORMATION_CLASS
typedef enum _IO_COMPLETION_INFORMATION_CLASS {
    IoCompletionBasicInformation
} IO_COMPLETION_INFORMATION_CLASS;

typedef struct _IO_COMPLETION_BASIC_INFORMATION {
    LONG Depth;
} IO_COMPLETION_BASIC_INFORMATION, *PIO_COMPLETION_BASIC_INFORMATION;
#endif

/* One entry of NtRemoveIoCompletionEx (32 bytes on x64). */
#ifndef NTIO_HAVE_FILE_IO_COMPLETION_INFORMATION
#define NTIO_HAVE_FILE_IO_COMPLETION_INFORMATION
typedef struct _FILE_IO_COMPLETION_INFORMATION {
    PVOID KeyContext;
    PVOID ApcContext;
    IO_STATUS_BLOCK IoStatusBlock;
} FILE_IO_COMPLETION_INFORMATION, *PFILE_IO_COMPLETION_INFORMATION;
#endif

/* Zw forms of the completion-port services for drivers (PASSIVE_LEVEL, PreviousMode KernelMode;
 * semantics and statuses of the Nt* services of <ntio/ntapi.h>). */
NTSYSAPI NTSTATUS NTAPI ZwCreateIoCompletion(_Out_ PHANDLE IoCompletionHandle, _In_ ACCESS_MASK DesiredAccess,
                                             _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes,
                                             _In_opt_ ULONG NumberOfConcurrentThreads);
NTSYSAPI NTSTATUS NTAPI ZwOpenIoCompletion(_Out_ PHANDLE IoCompletionHandle, _In_ ACCESS_MASK DesiredAccess,
                                           _In_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI ZwQueryIoCompletion(_In_ HANDLE IoCompletionHandle,
                                            _In_ IO_COMPLETION_INFORMATION_CLASS IoCompletionInformationClass,
                                            _Out_writes_bytes_(IoCompletionInformationLength) PVOID IoCompletionInformation,
                                            _In_ ULONG IoCompletionInformationLength, _Out_opt_ PULONG ReturnLength);
NTSYSAPI NTSTATUS NTAPI ZwSetIoCompletion(_In_ HANDLE IoCompletionHandle, _In_opt_ PVOID KeyContext,
                                          _In_opt_ PVOID ApcContext, _In_ NTSTATUS IoStatus,
                                          _In_ ULONG_PTR IoStatusInformation);
NTSYSAPI NTSTATUS NTAPI ZwRemoveIoCompletion(_In_ HANDLE IoCompletionHandle, _Out_ PVOID *KeyContext,
                                             _Out_ PVOID *ApcContext, _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                             _In_opt_ PLARGE_INTEGER Timeout);
NTSYSAPI NTSTATUS NTAPI ZwRemoveIoCompletionEx(_In_ HANDLE IoCompletionHandle,
                                               _Out_writes_to_(Count, *NumEntriesRemoved)
                                                   PFILE_IO_COMPLETION_INFORMATION IoCompletionInformation,
                                               _In_ ULONG Count, _Out_ PULONG NumEntriesRemoved,
                                               _In_opt_ PLARGE_INTEGER Timeout, _In_ BOOLEAN Alertable);

NTIO_END_DECLS

#endif /* NTIO_DDK_IO_COMPLETION_H */

/* <wdm.h>/<ntifs.h> contents: directory enumeration and change notification structures
 * (FILE_DIRECTORY_INFORMATION and its relatives, FILE_NOTIFY_INFORMATION), byte-range lock,
 * scatter/gather and named-pipe/mailslot creation types, and the Zw routines that use them.
 * Layouts are Windows x64 (https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/). */
#ifndef NTIO_DDK_FILE_OPERATIONS_H
#define NTIO_DDK_FILE_OPERATIONS_H

NTIO_BEGIN_DECLS

/* ---- Directory enumeration (IRP_MN_QUERY_DIRECTORY) ---- */
typedef struct _FILE_DIRECTORY_INFORMATION {
    ULONG NextEntryOffset;
    ULONG FileIndex;
    LARGE_INTEGER CreationTime;
    LARGE_INTEGER LastAccessTime;
    LARGE_INTEGER LastWriteTime;
    LARGE_INTEGER ChangeTime;
    LARGE_INTEGER EndOfFile;
    LARGE_INTEGER AllocationSize;
    ULONG FileAttributes;
    ULONG FileNameLength;
    WCHAR FileName[1];
} FILE_DIRECTORY_INFORMATION, *PFILE_DIRECTORY_INFORMATION;

typedef struct _FILE_FULL_DIR_INFORMATION {
    ULONG NextEntryOffset;
    ULONG FileIndex;
    LARGE_INTEGER CreationTime;
    LARGE_INTEGER LastAccessTime;
    LARGE_INTEGER LastWriteTime;
    LARGE_INTEGER ChangeTime;
    LARGE_INTEGER EndOfFile;
    LARGE_INTEGER AllocationSize;
    ULONG FileAttributes;
    ULONG FileNameLength;
    ULONG EaSize;
    WCHAR FileName[1];
} FILE_FULL_DIR_INFORMATION, *PFILE_FULL_DIR_INFORMATION;

typedef struct _FILE_ID_FULL_DIR_INFORMATION {
    ULONG NextEntryOffset;
    ULONG FileIndex;
    LARGE_INTEGER CreationTime;
    LARGE_INTEGER LastAccessTime;
    LARGE_INTEGER LastWriteTime;
    LARGE_INTEGER ChangeTime;
    LARGE_INTEGER EndOfFile;
    LARGE_INTEGER AllocationSize;
    ULONG FileAttributes;
    ULONG FileNameLength;
    ULONG EaSize;
    LARGE_INTEGER FileId;
    WCHAR FileName[1];
} FILE_ID_FULL_DIR_INFORMATION, *PFILE_ID_FULL_DIR_INFORMATION;

typedef struct _FILE_BOTH_DIR_INFORMATION {
    ULONG NextEntryOffset;
    ULONG FileIndex;
    LARGE_INTEGER CreationTime;
    LARGE_INTEGER LastAccessTime;
    LARGE_INTEGER LastWriteTime;
    LARGE_INTEGER ChangeTime;
    LARGE_INTEGER EndOfFile;
    LARGE_INTEGER AllocationSize;
    ULONG FileAttributes;
    ULONG FileNameLength;
    ULONG EaSize;
    CCHAR ShortNameLength;
    WCHAR ShortName[12];
    WCHAR FileName[1];
} FILE_BOTH_DIR_INFORMATION, *PFILE_BOTH_DIR_INFORMATION;

typedef struct _FILE_ID_BOTH_DIR_INFORMATION {
    ULONG NextEntryOffset;
    ULONG FileIndex;
    LARGE_INTEGER CreationTime;
    LARGE_INTEGER LastAccessTime;
    LARGE_INTEGER LastWriteTime;
    LARGE_INTEGER ChangeTime;
    LARGE_INTEGER EndOfFile;
    LARGE_INTEGER AllocationSize;
    ULONG FileAttributes;
    ULONG FileNameLength;
    ULONG EaSize;
    CCHAR ShortNameLength;
    WCHAR ShortName[12];
    LARGE_INTEGER FileId;
    WCHAR FileName[1];
} FILE_ID_BOTH_DIR_INFORMATION, *PFILE_ID_BOTH_DIR_INFORMATION;

typedef struct _FILE_NAMES_INFORMATION {
    ULONG NextEntryOffset;
    ULONG FileIndex;
    ULONG FileNameLength;
    WCHAR FileName[1];
} FILE_NAMES_INFORMATION, *PFILE_NAMES_INFORMATION;

/* QueryFlags of NtQueryDirectoryFileEx (the SL_* stack-location flags have the same values). */
#ifndef FILE_QUERY_RESTART_SCAN
#define FILE_QUERY_RESTART_SCAN 0x00000001
#define FILE_QUERY_RETURN_SINGLE_ENTRY 0x00000002
#define FILE_QUERY_INDEX_SPECIFIED 0x00000004
#define FILE_QUERY_RETURN_ON_DISK_ENTRIES_ONLY 0x00000008
#define FILE_QUERY_NO_CURSOR_UPDATE 0x00000010
#endif
#ifndef SL_NO_CURSOR_UPDATE
#define SL_NO_CURSOR_UPDATE 0x10
#endif

/* ---- Change notification (IRP_MN_NOTIFY_CHANGE_DIRECTORY) ---- */
#ifndef NTIO_HAVE_FILE_NOTIFY_INFORMATION /* also in <windows.h> (winnt.h) */
#define NTIO_HAVE_FILE_NOTIFY_INFORMATION
typedef struct _FILE_NOTIFY_INFORMATION {
    ULONG NextEntryOffset;
    ULONG Action;
    ULONG FileNameLength;
    WCHAR FileName[1];
} FILE_NOTIFY_INFORMATION, *PFILE_NOTIFY_INFORMATION;
#endif

#define FILE_NOTIFY_CHANGE_FILE_NAME 0x00000001
#define FILE_NOTIFY_CHANGE_DIR_NAME 0x00000002
#define FILE_NOTIFY_CHANGE_NAME 0x00000003
#define FILE_NOTIFY_CHANGE_ATTRIBUTES 0x00000004
#define FILE_NOTIFY_CHANGE_SIZE 0x00000008
#define FILE_NOTIFY_CHANGE_LAST_WRITE 0x00000010
#define FILE_NOTIFY_CHANGE_LAST_ACCESS 0x00000020
#define FILE_NOTIFY_CHANGE_CREATION 0x00000040
#define FILE_NOTIFY_CHANGE_EA 0x00000080
#define FILE_NOTIFY_CHANGE_SECURITY 0x00000100
#define FILE_NOTIFY_CHANGE_STREAM_NAME 0x00000200
#define FILE_NOTIFY_CHANGE_STREAM_SIZE 0x00000400
#define FILE_NOTIFY_CHANGE_STREAM_WRITE 0x00000800
#define FILE_NOTIFY_VALID_MASK 0x00000fff

#define FILE_ACTION_ADDED 0x00000001
#define FILE_ACTION_REMOVED 0x00000002
#define FILE_ACTION_MODIFIED 0x00000003
#define FILE_ACTION_RENAMED_OLD_NAME 0x00000004
#define FILE_ACTION_RENAMED_NEW_NAME 0x00000005
#define FILE_ACTION_ADDED_STREAM 0x00000006
#define FILE_ACTION_REMOVED_STREAM 0x00000007
#define FILE_ACTION_MODIFIED_STREAM 0x00000008
#define FILE_ACTION_REMOVED_BY_DELETE 0x00000009
#define FILE_ACTION_ID_NOT_TUNNELLED 0x0000000A
#define FILE_ACTION_TUNNELLED_ID_COLLISION 0x0000000B

/* ---- Scatter/gather (NtReadFileScatter / NtWriteFileGather): one page per element ---- */
#ifndef NTIO_HAVE_FILE_SEGMENT_ELEMENT /* also in <windows.h> (winnt.h) */
#define NTIO_HAVE_FILE_SEGMENT_ELEMENT
typedef void *PVOID64; /* x64: an ordinary pointer (identical redefinition is legal in C11 and C++) */
typedef union _FILE_SEGMENT_ELEMENT {
    PVOID64 Buffer;
    ULONGLONG Alignment;
} FILE_SEGMENT_ELEMENT, *PFILE_SEGMENT_ELEMENT;
#endif

/* ---- Named pipes (IRP_MJ_CREATE_NAMED_PIPE, Parameters.CreatePipe) ---- */
#define FILE_PIPE_BYTE_STREAM_TYPE 0x00000000
#define FILE_PIPE_MESSAGE_TYPE 0x00000001
#define FILE_PIPE_ACCEPT_REMOTE_CLIENTS 0x00000000
#define FILE_PIPE_REJECT_REMOTE_CLIENTS 0x00000002
#define FILE_PIPE_TYPE_VALID_MASK 0x00000003
#define FILE_PIPE_BYTE_STREAM_MODE 0x00000000
#define FILE_PIPE_MESSAGE_MODE 0x00000001
#define FILE_PIPE_QUEUE_OPERATION 0x00000000
#define FILE_PIPE_COMPLETE_OPERATION 0x00000001
#define FILE_PIPE_INBOUND 0x00000000
#define FILE_PIPE_OUTBOUND 0x00000001
#define FILE_PIPE_FULL_DUPLEX 0x00000002
#define FILE_PIPE_DISCONNECTED_STATE 0x00000001
#define FILE_PIPE_LISTENING_STATE 0x00000002
#define FILE_PIPE_CONNECTED_STATE 0x00000003
#define FILE_PIPE_CLOSING_STATE 0x00000004
#define FILE_PIPE_CLIENT_END 0x00000000
#define FILE_PIPE_SERVER_END 0x00000001

typedef struct _NAMED_PIPE_CREATE_PARAMETERS {
    ULONG NamedPipeType;
    ULONG ReadMode;
    ULONG CompletionMode;
    ULONG MaximumInstances;
    ULONG InboundQuota;
    ULONG OutboundQuota;
    LARGE_INTEGER DefaultTimeout;
    BOOLEAN TimeoutSpecified;
} NAMED_PIPE_CREATE_PARAMETERS;

/* ---- Mailslots (IRP_MJ_CREATE_MAILSLOT, Parameters.CreateMailslot) ---- */
#ifndef MAILSLOT_NO_MESSAGE
#define MAILSLOT_NO_MESSAGE ((ULONG)-1)
#endif
#ifndef MAILSLOT_WAIT_FOREVER
#define MAILSLOT_WAIT_FOREVER ((ULONG)-1)
#endif

typedef struct _MAILSLOT_CREATE_PARAMETERS {
    ULONG MailslotQuota;
    ULONG MaximumMessageSize;
    LARGE_INTEGER ReadTimeout;
    BOOLEAN TimeoutSpecified;
} MAILSLOT_CREATE_PARAMETERS;

/* FileMailslotQueryInformation (GetMailslotInfo): ReadTimeout in 100 ns units as the create gave it
 * (-1: MAILSLOT_WAIT_FOREVER). */
typedef struct _FILE_MAILSLOT_QUERY_INFORMATION {
    ULONG MaximumMessageSize;
    ULONG MailslotQuota;
    ULONG NextMessageSize;
    ULONG MessagesAvailable;
    LARGE_INTEGER ReadTimeout;
} FILE_MAILSLOT_QUERY_INFORMATION, *PFILE_MAILSLOT_QUERY_INFORMATION;

/* FileMailslotSetInformation (SetMailslotInfo): a pointer to the new read timeout. */
typedef struct _FILE_MAILSLOT_SET_INFORMATION {
    PLARGE_INTEGER ReadTimeout;
} FILE_MAILSLOT_SET_INFORMATION, *PFILE_MAILSLOT_SET_INFORMATION;

/* ---- Zw routines (PASSIVE_LEVEL, PreviousMode KernelMode; statuses as the Nt* routine) ---- */
NTSYSAPI NTSTATUS NTAPI ZwQueryDirectoryFile(_In_ HANDLE FileHandle, _In_opt_ HANDLE Event,
                                             _In_opt_ PIO_APC_ROUTINE ApcRoutine, _In_opt_ PVOID ApcContext,
                                             _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                             _Out_writes_bytes_(Length) PVOID FileInformation, _In_ ULONG Length,
                                             _In_ FILE_INFORMATION_CLASS FileInformationClass,
                                             _In_ BOOLEAN ReturnSingleEntry, _In_opt_ PUNICODE_STRING FileName,
                                             _In_ BOOLEAN RestartScan);
NTSYSAPI NTSTATUS NTAPI ZwQueryDirectoryFileEx(_In_ HANDLE FileHandle, _In_opt_ HANDLE Event,
                                               _In_opt_ PIO_APC_ROUTINE ApcRoutine, _In_opt_ PVOID ApcContext,
                                               _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                               _Out_writes_bytes_(Length) PVOID FileInformation, _In_ ULONG Length,
                                               _In_ FILE_INFORMATION_CLASS FileInformationClass,
                                               _In_ ULONG QueryFlags, _In_opt_ PUNICODE_STRING FileName);
NTSYSAPI NTSTATUS NTAPI ZwNotifyChangeDirectoryFile(_In_ HANDLE FileHandle, _In_opt_ HANDLE Event,
                                                    _In_opt_ PIO_APC_ROUTINE ApcRoutine, _In_opt_ PVOID ApcContext,
                                                    _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                                    _Out_writes_bytes_(Length) PVOID Buffer, _In_ ULONG Length,
                                                    _In_ ULONG CompletionFilter, _In_ BOOLEAN WatchTree);
NTSYSAPI NTSTATUS NTAPI ZwLockFile(_In_ HANDLE FileHandle, _In_opt_ HANDLE Event, _In_opt_ PIO_APC_ROUTINE ApcRoutine,
                                   _In_opt_ PVOID ApcContext, _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                   _In_ PLARGE_INTEGER ByteOffset, _In_ PLARGE_INTEGER Length, _In_ ULONG Key,
                                   _In_ BOOLEAN FailImmediately, _In_ BOOLEAN ExclusiveLock);
NTSYSAPI NTSTATUS NTAPI ZwUnlockFile(_In_ HANDLE FileHandle, _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                     _In_ PLARGE_INTEGER ByteOffset, _In_ PLARGE_INTEGER Length, _In_ ULONG Key);
NTSYSAPI NTSTATUS NTAPI ZwDeleteFile(_In_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI ZwQueryAttributesFile(_In_ POBJECT_ATTRIBUTES ObjectAttributes,
                                              _Out_ PFILE_BASIC_INFORMATION FileInformation);
NTSYSAPI NTSTATUS NTAPI ZwQueryFullAttributesFile(_In_ POBJECT_ATTRIBUTES ObjectAttributes,
                                                  _Out_ PFILE_NETWORK_OPEN_INFORMATION FileInformation);
NTSYSAPI NTSTATUS NTAPI ZwReadFileScatter(_In_ HANDLE FileHandle, _In_opt_ HANDLE Event,
                                          _In_opt_ PIO_APC_ROUTINE ApcRoutine, _In_opt_ PVOID ApcContext,
                                          _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                          _In_ PFILE_SEGMENT_ELEMENT SegmentArray, _In_ ULONG Length,
                                          _In_opt_ PLARGE_INTEGER ByteOffset, _In_opt_ PULONG Key);
NTSYSAPI NTSTATUS NTAPI ZwWriteFileGather(_In_ HANDLE FileHandle, _In_opt_ HANDLE Event,
                                          _In_opt_ PIO_APC_ROUTINE ApcRoutine, _In_opt_ PVOID ApcContext,
                                          _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                          _In_ PFILE_SEGMENT_ELEMENT SegmentArray, _In_ ULONG Length,
                                          _In_opt_ PLARGE_INTEGER ByteOffset, _In_opt_ PULONG Key);
NTSYSAPI NTSTATUS NTAPI ZwCreateNamedPipeFile(_Out_ PHANDLE FileHandle, _In_ ULONG DesiredAccess,
                                              _In_ POBJECT_ATTRIBUTES ObjectAttributes,
                                              _Out_ PIO_STATUS_BLOCK IoStatusBlock, _In_ ULONG ShareAccess,
                                              _In_ ULONG CreateDisposition, _In_ ULONG CreateOptions,
                                              _In_ ULONG NamedPipeType, _In_ ULONG ReadMode,
                                              _In_ ULONG CompletionMode, _In_ ULONG MaximumInstances,
                                              _In_ ULONG InboundQuota, _In_ ULONG OutboundQuota,
                                              _In_opt_ PLARGE_INTEGER DefaultTimeout);
NTSYSAPI NTSTATUS NTAPI ZwCreateMailslotFile(_Out_ PHANDLE FileHandle, _In_ ULONG DesiredAccess,
                                             _In_ POBJECT_ATTRIBUTES ObjectAttributes,
                                             _Out_ PIO_STATUS_BLOCK IoStatusBlock, _In_ ULONG CreateOptions,
                                             _In_ ULONG MailslotQuota, _In_ ULONG MaximumMessageSize,
                                             _In_opt_ PLARGE_INTEGER ReadTimeout);
/* Cancellation (semantics of NtCancelIoFile, NtCancelIoFileEx, NtCancelSynchronousIoFile). */
NTSYSAPI NTSTATUS NTAPI ZwCancelIoFile(_In_ HANDLE FileHandle, _Out_ PIO_STATUS_BLOCK IoStatusBlock);
NTSYSAPI NTSTATUS NTAPI ZwCancelIoFileEx(_In_ HANDLE FileHandle, _In_opt_ PIO_STATUS_BLOCK IoRequestToCancel,
                                         _Out_ PIO_STATUS_BLOCK IoStatusBlock);
NTSYSAPI NTSTATUS NTAPI ZwCancelSynchronousIoFile(_In_ HANDLE ThreadHandle, _In_opt_ PIO_STATUS_BLOCK IoRequestToCancel,
                                                  _Out_ PIO_STATUS_BLOCK IoStatusBlock);

NTIO_END_DECLS

#endif /* NTIO_DDK_FILE_OPERATIONS_H */

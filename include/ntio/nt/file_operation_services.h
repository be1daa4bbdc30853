/* <ntio/ntapi.h> piece: file operation services (Nt* prototypes for applications): scatter/gather
 * transfers, byte-range locks, delete by name, attribute queries by name, directory enumeration and
 * change notification, and the creation of named pipes and mailslots. Signatures as ntdll exports them. */
#ifndef NTIO_NT_FILE_OPERATION_SERVICES_H
#define NTIO_NT_FILE_OPERATION_SERVICES_H

NTIO_BEGIN_DECLS

NTSYSAPI NTSTATUS NTAPI NtReadFileScatter(_In_ HANDLE FileHandle, _In_opt_ HANDLE Event,
                                          _In_opt_ PIO_APC_ROUTINE ApcRoutine, _In_opt_ PVOID ApcContext,
                                          _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                          _In_ PFILE_SEGMENT_ELEMENT SegmentArray, _In_ ULONG Length,
                                          _In_opt_ PLARGE_INTEGER ByteOffset, _In_opt_ PULONG Key);
NTSYSAPI NTSTATUS NTAPI NtWriteFileGather(_In_ HANDLE FileHandle, _In_opt_ HANDLE Event,
                                          _In_opt_ PIO_APC_ROUTINE ApcRoutine, _In_opt_ PVOID ApcContext,
                                          _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                          _In_ PFILE_SEGMENT_ELEMENT SegmentArray, _In_ ULONG Length,
                                          _In_opt_ PLARGE_INTEGER ByteOffset, _In_opt_ PULONG Key);
NTSYSAPI NTSTATUS NTAPI NtLockFile(_In_ HANDLE FileHandle, _In_opt_ HANDLE Event, _In_opt_ PIO_APC_ROUTINE ApcRoutine,
                                   _In_opt_ PVOID ApcContext, _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                   _In_ PLARGE_INTEGER ByteOffset, _In_ PLARGE_INTEGER Length, _In_ ULONG Key,
                                   _In_ BOOLEAN FailImmediately, _In_ BOOLEAN ExclusiveLock);
NTSYSAPI NTSTATUS NTAPI NtUnlockFile(_In_ HANDLE FileHandle, _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                     _In_ PLARGE_INTEGER ByteOffset, _In_ PLARGE_INTEGER Length, _In_ ULONG Key);
NTSYSAPI NTSTATUS NTAPI NtDeleteFile(_In_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI NtQueryAttributesFile(_In_ POBJECT_ATTRIBUTES ObjectAttributes,
                                              _Out_ PFILE_BASIC_INFORMATION FileInformation);
NTSYSAPI NTSTATUS NTAPI NtQueryFullAttributesFile(_In_ POBJECT_ATTRIBUTES ObjectAttributes,
                                                  _Out_ PFILE_NETWORK_OPEN_INFORMATION FileInformation);
NTSYSAPI NTSTATUS NTAPI NtQueryDirectoryFile(_In_ HANDLE FileHandle, _In_opt_ HANDLE Event,
                                             _In_opt_ PIO_APC_ROUTINE ApcRoutine, _In_opt_ PVOID ApcContext,
                                             _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                             _Out_writes_bytes_(Length) PVOID FileInformation, _In_ ULONG Length,
                                             _In_ FILE_INFORMATION_CLASS FileInformationClass,
                                             _In_ BOOLEAN ReturnSingleEntry, _In_opt_ PUNICODE_STRING FileName,
                                             _In_ BOOLEAN RestartScan);
NTSYSAPI NTSTATUS NTAPI NtQueryDirectoryFileEx(_In_ HANDLE FileHandle, _In_opt_ HANDLE Event,
                                               _In_opt_ PIO_APC_ROUTINE ApcRoutine, _In_opt_ PVOID ApcContext,
                                               _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                               _Out_writes_bytes_(Length) PVOID FileInformation, _In_ ULONG Length,
                                               _In_ FILE_INFORMATION_CLASS FileInformationClass,
                                               _In_ ULONG QueryFlags, _In_opt_ PUNICODE_STRING FileName);
NTSYSAPI NTSTATUS NTAPI NtNotifyChangeDirectoryFile(_In_ HANDLE FileHandle, _In_opt_ HANDLE Event,
                                                    _In_opt_ PIO_APC_ROUTINE ApcRoutine, _In_opt_ PVOID ApcContext,
                                                    _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                                    _Out_writes_bytes_(Length) PVOID Buffer, _In_ ULONG Length,
                                                    _In_ ULONG CompletionFilter, _In_ BOOLEAN WatchTree);
NTSYSAPI NTSTATUS NTAPI NtCreateNamedPipeFile(_Out_ PHANDLE FileHandle, _In_ ULONG DesiredAccess,
                                              _In_ POBJECT_ATTRIBUTES ObjectAttributes,
                                              _Out_ PIO_STATUS_BLOCK IoStatusBlock, _In_ ULONG ShareAccess,
                                              _In_ ULONG CreateDisposition, _In_ ULONG CreateOptions,
                                              _In_ ULONG NamedPipeType, _In_ ULONG ReadMode,
                                              _In_ ULONG CompletionMode, _In_ ULONG MaximumInstances,
                                              _In_ ULONG InboundQuota, _In_ ULONG OutboundQuota,
                                              _In_opt_ PLARGE_INTEGER DefaultTimeout);
NTSYSAPI NTSTATUS NTAPI NtCreateMailslotFile(_Out_ PHANDLE FileHandle, _In_ ULONG DesiredAccess,
                                             _In_ POBJECT_ATTRIBUTES ObjectAttributes,
                                             _Out_ PIO_STATUS_BLOCK IoStatusBlock, _In_ ULONG CreateOptions,
                                             _In_ ULONG MailslotQuota, _In_ ULONG MaximumMessageSize,
                                             _In_opt_ PLARGE_INTEGER ReadTimeout);

NTIO_END_DECLS

#endif

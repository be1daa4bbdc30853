/* <ntio/ntapi.h> piece: io completion services (Nt* prototypes for applications), with the ntdll
 * signatures. Ports are IoCompletion objects; every routine runs at PASSIVE_LEVEL. */
#ifndef NTIO_NT_IO_COMPLETION_SERVICES_H
#define NTIO_NT_IO_COMPLETION_SERVICES_H

#include "../ddk/ntio_ddk/io_completion.h"

NTIO_BEGIN_DECLS

/* NumberOfConcurrentThreads 0 means the number of processors. */
NTSYSAPI NTSTATUS NTAPI NtCreateIoCompletion(_Out_ PHANDLE IoCompletionHandle, _In_ ACCESS_MASK DesiredAccess,
                                             _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes,
                                             _In_opt_ ULONG NumberOfConcurrentThreads);
NTSYSAPI NTSTATUS NTAPI NtOpenIoCompletion(_Out_ PHANDLE IoCompletionHandle, _In_ ACCESS_MASK DesiredAccess,
                                           _In_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI NtQueryIoCompletion(_In_ HANDLE IoCompletionHandle,
                                            _In_ IO_COMPLETION_INFORMATION_CLASS IoCompletionInformationClass,
                                            _Out_writes_bytes_(IoCompletionInformationLength) PVOID IoCompletionInformation,
                                            _In_ ULONG IoCompletionInformationLength, _Out_opt_ PULONG ReturnLength);
/* Queues a packet {KeyContext, ApcContext, {IoStatus, IoStatusInformation}} (PostQueuedCompletionStatus). */
NTSYSAPI NTSTATUS NTAPI NtSetIoCompletion(_In_ HANDLE IoCompletionHandle, _In_opt_ PVOID KeyContext,
                                          _In_opt_ PVOID ApcContext, _In_ NTSTATUS IoStatus,
                                          _In_ ULONG_PTR IoStatusInformation);
/* Timeout NULL waits forever; STATUS_TIMEOUT when nothing came, STATUS_ABANDONED_WAIT_0 when the port's
 * last handle was closed during the wait. */
NTSYSAPI NTSTATUS NTAPI NtRemoveIoCompletion(_In_ HANDLE IoCompletionHandle, _Out_ PVOID *KeyContext,
                                             _Out_ PVOID *ApcContext, _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                             _In_opt_ PLARGE_INTEGER Timeout);
/* Up to Count packets in FIFO order (GetQueuedCompletionStatusEx); an alertable wait on an empty port
 * runs queued user APCs and returns STATUS_USER_APC. */
NTSYSAPI NTSTATUS NTAPI NtRemoveIoCompletionEx(_In_ HANDLE IoCompletionHandle,
                                               _Out_writes_to_(Count, *NumEntriesRemoved)
                                                   PFILE_IO_COMPLETION_INFORMATION IoCompletionInformation,
                                               _In_ ULONG Count, _Out_ PULONG NumEntriesRemoved,
                                               _In_opt_ PLARGE_INTEGER Timeout, _In_ BOOLEAN Alertable);

NTIO_END_DECLS

#endif

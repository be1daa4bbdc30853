/* <wdm.h> piece: the registry routines that work on several values or keys at once, with the
 * Nt services of the same names run as a kernel-mode caller's (no probing, kernel handles).
 * ZwQueryMultipleValueKey reads each entry's ValueName and writes its DataLength, DataOffset (from
 * ValueBuffer) and Type; a buffer too small for the data -> STATUS_BUFFER_OVERFLOW with
 * *BufferLength the size needed. ZwNotifyChangeMultipleKeys watches MasterKeyHandle's key and the
 * one key SubordinateObjects names (Count must be 1 with it, 0 without) and completes once, when
 * either changes. PASSIVE_LEVEL. */
#ifndef NTIO_DDK_REGISTRY_MULTIPLE_H
#define NTIO_DDK_REGISTRY_MULTIPLE_H
#include "io_types.h"
#include "registry.h"

NTIO_BEGIN_DECLS

NTSYSAPI NTSTATUS NTAPI ZwQueryMultipleValueKey(_In_ HANDLE KeyHandle, _Inout_updates_(EntryCount) PKEY_VALUE_ENTRY ValueEntries,
                                                _In_ ULONG EntryCount, _Out_writes_bytes_(*BufferLength) PVOID ValueBuffer,
                                                _Inout_ PULONG BufferLength, _Out_opt_ PULONG RequiredBufferLength);
NTSYSAPI NTSTATUS NTAPI ZwNotifyChangeMultipleKeys(_In_ HANDLE MasterKeyHandle, _In_opt_ ULONG Count,
                                                   _In_reads_opt_(Count) OBJECT_ATTRIBUTES SubordinateObjects[],
                                                   _In_opt_ HANDLE Event, _In_opt_ PIO_APC_ROUTINE ApcRoutine,
                                                   _In_opt_ PVOID ApcContext, _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                                   _In_ ULONG CompletionFilter, _In_ BOOLEAN WatchTree,
                                                   _Out_writes_bytes_opt_(BufferSize) PVOID Buffer,
                                                   _In_ ULONG BufferSize, _In_ BOOLEAN Asynchronous);

NTIO_END_DECLS

#endif /* NTIO_DDK_REGISTRY_MULTIPLE_H */

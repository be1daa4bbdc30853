/* <ntifs.h> piece: ZwNotifyChangeKey, a driver's request to hear of changes to a registry key. A
 * kernel caller passes its WORK_QUEUE_ITEM as ApcRoutine and the WORK_QUEUE_TYPE as ApcContext; the
 * item is queued when the change happens. PASSIVE_LEVEL.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwnotifychangekey */
#ifndef NTIO_DDK_REGISTRY_NOTIFY_H
#define NTIO_DDK_REGISTRY_NOTIFY_H
#include "io_types.h"
#include "registry.h"

NTIO_BEGIN_DECLS

NTSYSAPI NTSTATUS NTAPI ZwNotifyChangeKey(_In_ HANDLE KeyHandle, _In_opt_ HANDLE Event,
                                          _In_opt_ PIO_APC_ROUTINE ApcRoutine, _In_opt_ PVOID ApcContext,
                                          _Out_ PIO_STATUS_BLOCK IoStatusBlock, _In_ ULONG CompletionFilter,
                                          _In_ BOOLEAN WatchTree, _Out_writes_bytes_opt_(BufferSize) PVOID Buffer,
                                          _In_ ULONG BufferSize, _In_ BOOLEAN Asynchronous);

NTIO_END_DECLS

#endif /* NTIO_DDK_REGISTRY_NOTIFY_H */

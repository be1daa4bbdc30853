/* <ntio/ntapi.h> piece: the registry services (Nt*Key prototypes for applications), with the ntdll
 * signatures. Keys are Key objects under \REGISTRY; every routine runs at PASSIVE_LEVEL and, called
 * from an application, probes and captures its caller's memory. Types are in <wdm.h>'s registry.h. */
#ifndef NTIO_NT_REGISTRY_SERVICES_H
#define NTIO_NT_REGISTRY_SERVICES_H

#include "../ddk/ntio_ddk/io_types.h"
#include "../ddk/ntio_ddk/registry.h"

NTIO_BEGIN_DECLS

NTSYSAPI NTSTATUS NTAPI NtCreateKey(_Out_ PHANDLE KeyHandle, _In_ ACCESS_MASK DesiredAccess,
                                    _In_ POBJECT_ATTRIBUTES ObjectAttributes, _Reserved_ ULONG TitleIndex,
                                    _In_opt_ PUNICODE_STRING Class, _In_ ULONG CreateOptions,
                                    _Out_opt_ PULONG Disposition);
NTSYSAPI NTSTATUS NTAPI NtOpenKey(_Out_ PHANDLE KeyHandle, _In_ ACCESS_MASK DesiredAccess,
                                  _In_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI NtOpenKeyEx(_Out_ PHANDLE KeyHandle, _In_ ACCESS_MASK DesiredAccess,
                                    _In_ POBJECT_ATTRIBUTES ObjectAttributes, _In_ ULONG OpenOptions);
/* Keys bound to a KTM transaction (TRANSACTION_ENLIST on TransactionHandle): see <wdm.h>'s
 * registry_transacted.h for what the binding means. */
NTSYSAPI NTSTATUS NTAPI NtCreateKeyTransacted(_Out_ PHANDLE KeyHandle, _In_ ACCESS_MASK DesiredAccess,
                                              _In_ POBJECT_ATTRIBUTES ObjectAttributes, _Reserved_ ULONG TitleIndex,
                                              _In_opt_ PUNICODE_STRING Class, _In_ ULONG CreateOptions,
                                              _In_ HANDLE TransactionHandle, _Out_opt_ PULONG Disposition);
NTSYSAPI NTSTATUS NTAPI NtOpenKeyTransacted(_Out_ PHANDLE KeyHandle, _In_ ACCESS_MASK DesiredAccess,
                                            _In_ POBJECT_ATTRIBUTES ObjectAttributes, _In_ HANDLE TransactionHandle);
NTSYSAPI NTSTATUS NTAPI NtOpenKeyTransactedEx(_Out_ PHANDLE KeyHandle, _In_ ACCESS_MASK DesiredAccess,
                                              _In_ POBJECT_ATTRIBUTES ObjectAttributes, _In_ ULONG OpenOptions,
                                              _In_ HANDLE TransactionHandle);
NTSYSAPI NTSTATUS NTAPI NtDeleteKey(_In_ HANDLE KeyHandle);
NTSYSAPI NTSTATUS NTAPI NtDeleteValueKey(_In_ HANDLE KeyHandle, _In_ PUNICODE_STRING ValueName);
NTSYSAPI NTSTATUS NTAPI NtEnumerateKey(_In_ HANDLE KeyHandle, _In_ ULONG Index,
                                       _In_ KEY_INFORMATION_CLASS KeyInformationClass,
                                       _Out_writes_bytes_opt_(Length) PVOID KeyInformation, _In_ ULONG Length,
                                       _Out_ PULONG ResultLength);
NTSYSAPI NTSTATUS NTAPI NtEnumerateValueKey(_In_ HANDLE KeyHandle, _In_ ULONG Index,
                                            _In_ KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass,
                                            _Out_writes_bytes_opt_(Length) PVOID KeyValueInformation,
                                            _In_ ULONG Length, _Out_ PULONG ResultLength);
NTSYSAPI NTSTATUS NTAPI NtFlushKey(_In_ HANDLE KeyHandle);
NTSYSAPI NTSTATUS NTAPI NtQueryKey(_In_ HANDLE KeyHandle, _In_ KEY_INFORMATION_CLASS KeyInformationClass,
                                   _Out_writes_bytes_opt_(Length) PVOID KeyInformation, _In_ ULONG Length,
                                   _Out_ PULONG ResultLength);
NTSYSAPI NTSTATUS NTAPI NtQueryValueKey(_In_ HANDLE KeyHandle, _In_ PUNICODE_STRING ValueName,
                                        _In_ KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass,
                                        _Out_writes_bytes_opt_(Length) PVOID KeyValueInformation, _In_ ULONG Length,
                                        _Out_ PULONG ResultLength);
NTSYSAPI NTSTATUS NTAPI NtSetValueKey(_In_ HANDLE KeyHandle, _In_ PUNICODE_STRING ValueName,
                                      _In_opt_ ULONG TitleIndex, _In_ ULONG Type,
                                      _In_reads_bytes_opt_(DataSize) PVOID Data, _In_ ULONG DataSize);
NTSYSAPI NTSTATUS NTAPI NtRenameKey(_In_ HANDLE KeyHandle, _In_ PUNICODE_STRING NewName);
NTSYSAPI NTSTATUS NTAPI NtSetInformationKey(_In_ HANDLE KeyHandle, _In_ KEY_SET_INFORMATION_CLASS KeySetInformationClass,
                                            _In_reads_bytes_(KeySetInformationLength) PVOID KeySetInformation,
                                            _In_ ULONG KeySetInformationLength);
/* Each entry's ValueName is read; DataLength, DataOffset (from ValueBuffer) and Type are written. A
 * buffer too small for the data -> STATUS_BUFFER_OVERFLOW with *BufferLength the size needed. */
NTSYSAPI NTSTATUS NTAPI NtQueryMultipleValueKey(_In_ HANDLE KeyHandle, _Inout_updates_(EntryCount) PKEY_VALUE_ENTRY ValueEntries,
                                                _In_ ULONG EntryCount, _Out_writes_bytes_(*BufferLength) PVOID ValueBuffer,
                                                _Inout_ PULONG BufferLength, _Out_opt_ PULONG RequiredBufferLength);

/* Change notification: STATUS_PENDING when Asynchronous; else waits for the change. */
NTSYSAPI NTSTATUS NTAPI NtNotifyChangeKey(_In_ HANDLE KeyHandle, _In_opt_ HANDLE Event,
                                          _In_opt_ PIO_APC_ROUTINE ApcRoutine, _In_opt_ PVOID ApcContext,
                                          _Out_ PIO_STATUS_BLOCK IoStatusBlock, _In_ ULONG CompletionFilter,
                                          _In_ BOOLEAN WatchTree, _Out_writes_bytes_opt_(BufferSize) PVOID Buffer,
                                          _In_ ULONG BufferSize, _In_ BOOLEAN Asynchronous);
NTSYSAPI NTSTATUS NTAPI NtNotifyChangeMultipleKeys(_In_ HANDLE MasterKeyHandle, _In_opt_ ULONG Count,
                                                   _In_reads_opt_(Count) OBJECT_ATTRIBUTES SubordinateObjects[],
                                                   _In_opt_ HANDLE Event, _In_opt_ PIO_APC_ROUTINE ApcRoutine,
                                                   _In_opt_ PVOID ApcContext, _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                                   _In_ ULONG CompletionFilter, _In_ BOOLEAN WatchTree,
                                                   _Out_writes_bytes_opt_(BufferSize) PVOID Buffer,
                                                   _In_ ULONG BufferSize, _In_ BOOLEAN Asynchronous);

/* Saving a key to a file the caller opened (SeBackupPrivilege, FILE_WRITE_DATA on the file) and
 * restoring one over a key (SeRestorePrivilege, FILE_READ_DATA). ntio writes .reg text, not the
 * binary hive format (docs/nt-deviations.md). */
NTSYSAPI NTSTATUS NTAPI NtSaveKey(_In_ HANDLE KeyHandle, _In_ HANDLE FileHandle);
NTSYSAPI NTSTATUS NTAPI NtSaveKeyEx(_In_ HANDLE KeyHandle, _In_ HANDLE FileHandle, _In_ ULONG Format);
NTSYSAPI NTSTATUS NTAPI NtRestoreKey(_In_ HANDLE KeyHandle, _In_ HANDLE FileHandle, _In_ ULONG Flags);

/* Loading a hive from a file as a key right below \REGISTRY\MACHINE or \REGISTRY\USER, and unloading
 * it (SeRestorePrivilege). The file holds what NtSaveKey writes; a missing one is created empty. The
 * hive's keys are written back to it when flushed, unloaded or at shutdown. NtLoadKey2's Flags and
 * NtUnloadKey2's other than REG_FORCE_UNLOAD must be 0. */
NTSYSAPI NTSTATUS NTAPI NtLoadKey(_In_ POBJECT_ATTRIBUTES TargetKey, _In_ POBJECT_ATTRIBUTES SourceFile);
NTSYSAPI NTSTATUS NTAPI NtLoadKey2(_In_ POBJECT_ATTRIBUTES TargetKey, _In_ POBJECT_ATTRIBUTES SourceFile,
                                   _In_ ULONG Flags);
NTSYSAPI NTSTATUS NTAPI NtUnloadKey(_In_ POBJECT_ATTRIBUTES TargetKey);
NTSYSAPI NTSTATUS NTAPI NtUnloadKey2(_In_ POBJECT_ATTRIBUTES TargetKey, _In_ ULONG Flags);
/* The loaded hive's file renamed to OldFile and NewFile (a saved key) put in its place, for the
 * hive's next load (SeRestorePrivilege; a system hive is STATUS_NOT_SUPPORTED in ntio). */
NTSYSAPI NTSTATUS NTAPI NtReplaceKey(_In_ POBJECT_ATTRIBUTES NewFile, _In_ HANDLE TargetHandle,
                                     _In_ POBJECT_ATTRIBUTES OldFile);

NTIO_END_DECLS

#endif /* NTIO_NT_REGISTRY_SERVICES_H */

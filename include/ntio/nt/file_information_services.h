/* <ntio/ntapi.h> piece: file information services (Nt* prototypes for applications). The structures
 * and the Zw forms are in <wdm.h> (ntio_ddk/file_information.h). None of these services takes an
 * event or an APC: each blocks until its request is done, on asynchronous handles too (NT fact E13). */
#ifndef NTIO_NT_FILE_INFORMATION_SERVICES_H
#define NTIO_NT_FILE_INFORMATION_SERVICES_H

NTIO_BEGIN_DECLS

NTSYSAPI NTSTATUS NTAPI NtQueryInformationFile(_In_ HANDLE FileHandle, _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                               _Out_writes_bytes_(Length) PVOID FileInformation, _In_ ULONG Length,
                                               _In_ FILE_INFORMATION_CLASS FileInformationClass);
NTSYSAPI NTSTATUS NTAPI NtSetInformationFile(_In_ HANDLE FileHandle, _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                             _In_reads_bytes_(Length) PVOID FileInformation, _In_ ULONG Length,
                                             _In_ FILE_INFORMATION_CLASS FileInformationClass);
NTSYSAPI NTSTATUS NTAPI NtQueryVolumeInformationFile(_In_ HANDLE FileHandle, _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                                     _Out_writes_bytes_(Length) PVOID FsInformation, _In_ ULONG Length,
                                                     _In_ FS_INFORMATION_CLASS FsInformationClass);
NTSYSAPI NTSTATUS NTAPI NtSetVolumeInformationFile(_In_ HANDLE FileHandle, _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                                   _In_reads_bytes_(Length) PVOID FsInformation, _In_ ULONG Length,
                                                   _In_ FS_INFORMATION_CLASS FsInformationClass);
NTSYSAPI NTSTATUS NTAPI NtFlushBuffersFile(_In_ HANDLE FileHandle, _Out_ PIO_STATUS_BLOCK IoStatusBlock);
NTSYSAPI NTSTATUS NTAPI NtFlushBuffersFileEx(_In_ HANDLE FileHandle, _In_ ULONG Flags,
                                             _In_reads_bytes_(ParametersSize) PVOID Parameters,
                                             _In_ ULONG ParametersSize, _Out_ PIO_STATUS_BLOCK IoStatusBlock);
NTSYSAPI NTSTATUS NTAPI NtQueryEaFile(_In_ HANDLE FileHandle, _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                      _Out_writes_bytes_(Length) PVOID Buffer, _In_ ULONG Length,
                                      _In_ BOOLEAN ReturnSingleEntry,
                                      _In_reads_bytes_opt_(EaListLength) PVOID EaList, _In_ ULONG EaListLength,
                                      _In_opt_ PULONG EaIndex, _In_ BOOLEAN RestartScan);
NTSYSAPI NTSTATUS NTAPI NtSetEaFile(_In_ HANDLE FileHandle, _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                    _In_reads_bytes_(Length) PVOID Buffer, _In_ ULONG Length);
NTSYSAPI NTSTATUS NTAPI NtQueryQuotaInformationFile(_In_ HANDLE FileHandle, _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                                    _Out_writes_bytes_(Length) PVOID Buffer, _In_ ULONG Length,
                                                    _In_ BOOLEAN ReturnSingleEntry,
                                                    _In_reads_bytes_opt_(SidListLength) PVOID SidList,
                                                    _In_ ULONG SidListLength, _In_opt_ PSID StartSid,
                                                    _In_ BOOLEAN RestartScan);
NTSYSAPI NTSTATUS NTAPI NtSetQuotaInformationFile(_In_ HANDLE FileHandle, _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                                  _In_reads_bytes_(Length) PVOID Buffer, _In_ ULONG Length);

NTIO_END_DECLS

#endif /* NTIO_NT_FILE_INFORMATION_SERVICES_H */

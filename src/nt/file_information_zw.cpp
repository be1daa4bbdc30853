// The Zw forms of the information services: the Nt* service with PreviousMode KernelMode, as
// zw_services.cpp does for the other services.
#include "nt/file_information_common.hpp"

using ntio::nt::KernelModeCall;

extern "C" {

NTSTATUS NTAPI ZwQueryInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation,
                                      ULONG Length, FILE_INFORMATION_CLASS FileInformationClass) {
    KernelModeCall kernel;
    return NtQueryInformationFile(FileHandle, IoStatusBlock, FileInformation, Length, FileInformationClass);
}

NTSTATUS NTAPI ZwSetInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation,
                                    ULONG Length, FILE_INFORMATION_CLASS FileInformationClass) {
    KernelModeCall kernel;
    return NtSetInformationFile(FileHandle, IoStatusBlock, FileInformation, Length, FileInformationClass);
}

NTSTATUS NTAPI ZwQueryVolumeInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FsInformation,
                                            ULONG Length, FS_INFORMATION_CLASS FsInformationClass) {
    KernelModeCall kernel;
    return NtQueryVolumeInformationFile(FileHandle, IoStatusBlock, FsInformation, Length, FsInformationClass);
}

NTSTATUS NTAPI ZwSetVolumeInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FsInformation,
                                          ULONG Length, FS_INFORMATION_CLASS FsInformationClass) {
    KernelModeCall kernel;
    return NtSetVolumeInformationFile(FileHandle, IoStatusBlock, FsInformation, Length, FsInformationClass);
}

NTSTATUS NTAPI ZwFlushBuffersFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock) {
    KernelModeCall kernel;
    return NtFlushBuffersFile(FileHandle, IoStatusBlock);
}

NTSTATUS NTAPI ZwFlushBuffersFileEx(HANDLE FileHandle, ULONG Flags, PVOID Parameters, ULONG ParametersSize,
                                    PIO_STATUS_BLOCK IoStatusBlock) {
    KernelModeCall kernel;
    return NtFlushBuffersFileEx(FileHandle, Flags, Parameters, ParametersSize, IoStatusBlock);
}

NTSTATUS NTAPI ZwQueryEaFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length,
                             BOOLEAN ReturnSingleEntry, PVOID EaList, ULONG EaListLength, PULONG EaIndex,
                             BOOLEAN RestartScan) {
    KernelModeCall kernel;
    return NtQueryEaFile(FileHandle, IoStatusBlock, Buffer, Length, ReturnSingleEntry, EaList, EaListLength, EaIndex,
                         RestartScan);
}

NTSTATUS NTAPI ZwSetEaFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length) {
    KernelModeCall kernel;
    return NtSetEaFile(FileHandle, IoStatusBlock, Buffer, Length);
}

NTSTATUS NTAPI ZwQueryQuotaInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer,
                                           ULONG Length, BOOLEAN ReturnSingleEntry, PVOID SidList,
                                           ULONG SidListLength, PSID StartSid, BOOLEAN RestartScan) {
    KernelModeCall kernel;
    return NtQueryQuotaInformationFile(FileHandle, IoStatusBlock, Buffer, Length, ReturnSingleEntry, SidList,
                                       SidListLength, StartSid, RestartScan);
}

NTSTATUS NTAPI ZwSetQuotaInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer,
                                         ULONG Length) {
    KernelModeCall kernel;
    return NtSetQuotaInformationFile(FileHandle, IoStatusBlock, Buffer, Length);
}

}  // extern "C"

// NtQueryVolumeInformationFile, NtSetVolumeInformationFile, NtFlushBuffersFile(Ex): class rules,
// probing, access, the direct-device-open rule (NT fact K7) and FileFsDeviceInformation answered
// from the device object; IRP_MJ_QUERY/SET_VOLUME_INFORMATION and IRP_MJ_FLUSH_BUFFERS otherwise.
// IoQueryVolumeInformation is the query for a file object a kernel-mode caller holds.
#include "nt/file_information_common.hpp"

using namespace ntio::nt;
using namespace ntio::nt::info;

namespace {

// FileFsDeviceInformation comes from the device the file was opened on, as the I/O manager keeps it
// (FILE_DEVICE_IS_MOUNTED when its VPB is mounted).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/ns-ntddk-_file_fs_device_information
FILE_FS_DEVICE_INFORMATION device_information(PFILE_OBJECT file) noexcept {
    PDEVICE_OBJECT device = file->DeviceObject;
    FILE_FS_DEVICE_INFORMATION info{};
    info.DeviceType = device->DeviceType;
    info.Characteristics = device->Characteristics;
    if (device->Vpb && (device->Vpb->Flags & VPB_MOUNTED)) info.Characteristics |= FILE_DEVICE_IS_MOUNTED;
    return info;
}

bool direct_device_open(PFILE_OBJECT file) noexcept { return (ntio::io::file_flags(file) & FO_DIRECT_DEVICE_OPEN) != 0; }

NTSTATUS flush(HANDLE handle, PIO_STATUS_BLOCK iosb, UCHAR minor) noexcept {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = probe_iosb(mode, iosb);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<FILE_OBJECT> file;
    status = reference_file(file, handle, 0, mode);
    if (!NT_SUCCESS(status)) return status;
    // NT fact I10: either right will do.
    if (mode != KernelMode && !(file.info().GrantedAccess & (FILE_WRITE_DATA | FILE_APPEND_DATA)))
        return STATUS_ACCESS_DENIED;
    ntio::io::InformationRequest request;
    request.file = file.get();
    request.iosb = iosb;
    request.mode = mode;
    request.major = IRP_MJ_FLUSH_BUFFERS;
    request.minor = minor;
    return ntio::io::submit_information(request);
}

// NtQueryVolumeInformationFile once the handle is referenced (also IoQueryVolumeInformation's).
NTSTATUS query_volume(PFILE_OBJECT fo, PIO_STATUS_BLOCK iosb, PVOID buffer, ULONG length,
                      FS_INFORMATION_CLASS info_class, KPROCESSOR_MODE mode) noexcept;

}  // namespace

extern "C" {

NTSTATUS NTAPI NtQueryVolumeInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FsInformation,
                                            ULONG Length, FS_INFORMATION_CLASS FsInformationClass) {
    const KPROCESSOR_MODE mode = previous_mode();
    const ClassRule rule = query_volume_rule(FsInformationClass);
    if (!rule.min_length) return STATUS_INVALID_INFO_CLASS;
    if (Length < rule.min_length) return STATUS_INFO_LENGTH_MISMATCH;
    NTSTATUS status = probe_iosb(mode, IoStatusBlock);
    if (!NT_SUCCESS(status)) return status;
    if (mode != KernelMode) {
        status = probe_for_write(FsInformation, Length, probe_alignment(rule.min_length));
        if (!NT_SUCCESS(status)) return status;
    }
    HandleReference<FILE_OBJECT> file;
    status = reference_file(file, FileHandle, rule.access, mode);
    if (!NT_SUCCESS(status)) return status;
    return query_volume(file.get(), IoStatusBlock, FsInformation, Length, FsInformationClass, mode);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioqueryvolumeinformation
// Learn reserves the routine and points to ZwQueryVolumeInformationFile: this is that service for a
// file object a kernel-mode caller holds (no handle, no access check), the length of the answer in
// *ReturnedLength. PASSIVE_LEVEL. Where Learn is silent: a NULL file object, buffer or
// ReturnedLength is STATUS_INVALID_PARAMETER.
NTSTATUS NTAPI IoQueryVolumeInformation(PFILE_OBJECT FileObject, FS_INFORMATION_CLASS FsInformationClass,
                                        ULONG Length, PVOID FsInformation, PULONG ReturnedLength) {
    const ClassRule rule = query_volume_rule(FsInformationClass);
    if (!rule.min_length) return STATUS_INVALID_INFO_CLASS;
    if (Length < rule.min_length) return STATUS_INFO_LENGTH_MISMATCH;
    if (!FileObject || !FsInformation || !ReturnedLength) return STATUS_INVALID_PARAMETER;
    IO_STATUS_BLOCK iosb{};
    const NTSTATUS status = query_volume(FileObject, &iosb, FsInformation, Length, FsInformationClass, KernelMode);
    *ReturnedLength = NT_ERROR(status) ? 0 : static_cast<ULONG>(iosb.Information);  // a warning keeps its length
    return status;
}

}  // extern "C"

namespace {

NTSTATUS query_volume(PFILE_OBJECT fo, PIO_STATUS_BLOCK IoStatusBlock, PVOID FsInformation, ULONG Length,
                      FS_INFORMATION_CLASS FsInformationClass, KPROCESSOR_MODE mode) noexcept {
    if (FsInformationClass == FileFsDeviceInformation) {
        const FILE_FS_DEVICE_INFORMATION info = device_information(fo);
        return answer(FsInformation, &info, sizeof(info), IoStatusBlock);
    }
    // NT fact K7: a direct device open reaches no file system, so the I/O manager refuses every
    // other volume class itself.
    if (direct_device_open(fo)) return STATUS_INVALID_DEVICE_REQUEST;

    ntio::io::InformationRequest request;
    request.file = fo;
    request.iosb = IoStatusBlock;
    request.mode = mode;
    request.major = IRP_MJ_QUERY_VOLUME_INFORMATION;
    request.buffering = ntio::io::InformationBuffering::system;
    request.query = true;
    request.user_buffer = FsInformation;
    request.length = Length;
    request.parameters.QueryVolume.Length = Length;
    request.parameters.QueryVolume.FsInformationClass = FsInformationClass;
    return ntio::io::submit_information(request);
}

}  // namespace

extern "C" {

NTSTATUS NTAPI NtSetVolumeInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FsInformation,
                                          ULONG Length, FS_INFORMATION_CLASS FsInformationClass) {
    const KPROCESSOR_MODE mode = previous_mode();
    const ClassRule rule = set_volume_rule(FsInformationClass);
    if (!rule.min_length) return STATUS_INVALID_INFO_CLASS;
    if (Length < rule.min_length) return STATUS_INFO_LENGTH_MISMATCH;
    NTSTATUS status = probe_iosb(mode, IoStatusBlock);
    if (!NT_SUCCESS(status)) return status;
    PVOID captured = nullptr;
    status = capture_input(mode, FsInformation, Length, probe_alignment(rule.min_length), &captured);
    if (!NT_SUCCESS(status)) return status;
    std::unique_ptr<void, void (*)(void*)> owned(captured, [](void* p) { if (p) ExFreePool(p); });
    HandleReference<FILE_OBJECT> file;
    status = reference_file(file, FileHandle, rule.access, mode);
    if (!NT_SUCCESS(status)) return status;
    // As for queries (NT fact K7), by inference: no file system behind a direct device open.
    if (direct_device_open(file.get())) return STATUS_INVALID_DEVICE_REQUEST;

    ntio::io::InformationRequest request;
    request.file = file.get();
    request.iosb = IoStatusBlock;
    request.mode = mode;
    request.major = IRP_MJ_SET_VOLUME_INFORMATION;
    request.buffering = ntio::io::InformationBuffering::system;
    request.user_buffer = FsInformation;
    request.length = Length;
    request.parameters.SetVolume.Length = Length;
    request.parameters.SetVolume.FsInformationClass = FsInformationClass;
    request.system_buffer = owned.release();
    return ntio::io::submit_information(request);
}

NTSTATUS NTAPI NtFlushBuffersFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock) {
    return flush(FileHandle, IoStatusBlock, 0);
}

// Flags select the IRP_MN_FLUSH_* minor function; no flush parameters are defined, so Parameters
// must be NULL and ParametersSize 0.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntflushbuffersfileex
NTSTATUS NTAPI NtFlushBuffersFileEx(HANDLE FileHandle, ULONG Flags, PVOID Parameters, ULONG ParametersSize,
                                    PIO_STATUS_BLOCK IoStatusBlock) {
    if (Parameters || ParametersSize) return STATUS_INVALID_PARAMETER;
    UCHAR minor = 0;
    switch (Flags) {
    case 0: minor = 0; break;
    case FLUSH_FLAGS_FILE_DATA_ONLY: minor = IRP_MN_FLUSH_DATA_ONLY; break;
    case FLUSH_FLAGS_NO_SYNC: minor = IRP_MN_FLUSH_NO_SYNC; break;
    case FLUSH_FLAGS_FILE_DATA_SYNC_ONLY: minor = IRP_MN_FLUSH_DATA_SYNC_ONLY; break;
    default: return STATUS_INVALID_PARAMETER;
    }
    return flush(FileHandle, IoStatusBlock, minor);
}

}  // extern "C"

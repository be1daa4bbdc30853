// FsRtlGetFileSize: a file's size asked of its file system the way the memory and cache managers
// ask it, without the file object's lock (which ZwQueryInformationFile takes on a synchronous file
// object), so that a caller already owning file system resources does not deadlock.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlgetfilesize
#include <ntifs.h>

#include "cc/paging_io.hpp"

extern "C" {

// Fast I/O first (FastIoQueryStandardInfo with Wait TRUE), then the IRP; the status is the file
// system's. A NULL FileObject or FileSize is STATUS_INVALID_PARAMETER (Learn does not say).
NTKERNELAPI NTSTATUS NTAPI FsRtlGetFileSize(PFILE_OBJECT FileObject, PLARGE_INTEGER FileSize) {
    if (!FileObject || !FileSize) return STATUS_INVALID_PARAMETER;
    PDEVICE_OBJECT device = IoGetRelatedDeviceObject(FileObject);
    if (!device) return STATUS_INVALID_PARAMETER;
    FILE_STANDARD_INFORMATION info{};
    NTSTATUS status = STATUS_UNSUCCESSFUL;
    bool answered = false;
    const PFAST_IO_DISPATCH fast = device->DriverObject ? device->DriverObject->FastIoDispatch : nullptr;
    if (fast && fast->SizeOfFastIoDispatch > FIELD_OFFSET(FAST_IO_DISPATCH, FastIoQueryStandardInfo) &&
        fast->FastIoQueryStandardInfo) {
        IO_STATUS_BLOCK iosb{};
        if (fast->FastIoQueryStandardInfo(FileObject, TRUE, &info, &iosb, device)) {
            answered = true;
            status = iosb.Status;
        }
    }
    if (!answered)
        status = ntio::cc::file_information(device, FileObject, false, FileStandardInformation, &info, sizeof(info));
    if (!NT_SUCCESS(status)) return status;
    if (info.Directory) return STATUS_FILE_IS_A_DIRECTORY;
    *FileSize = info.EndOfFile;
    return STATUS_SUCCESS;
}

}  // extern "C"

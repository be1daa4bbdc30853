// FsRtlCopyRead / FsRtlCopyWrite: the fast I/O read and write a file system built on the cache
// manager installs as FastIoRead / FastIoWrite. They serve a request from the cache under the FCB
// header's Resource when the header says fast I/O is possible, and return FALSE (the I/O manager
// then builds an IRP) whenever they cannot: the contracts of
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlcopyread and
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlcopywrite.
#include <ntifs.h>

namespace {

// FastIoIsQuestionable: the driver's FastIoCheckIfPossible decides (byte-range locks, for one).
bool fast_io_allowed(PFSRTL_COMMON_FCB_HEADER header, PFILE_OBJECT file, PLARGE_INTEGER offset, ULONG length,
                     BOOLEAN wait, ULONG key, bool read, PIO_STATUS_BLOCK iosb) {
    if (header->IsFastIoPossible == FastIoIsNotPossible) return false;
    if (header->IsFastIoPossible != FastIoIsQuestionable) return true;
    PDEVICE_OBJECT device = IoGetRelatedDeviceObject(file);
    PFAST_IO_DISPATCH fast = device->DriverObject->FastIoDispatch;
    if (!fast || !fast->FastIoCheckIfPossible) return false;
    return fast->FastIoCheckIfPossible(file, offset, length, wait, key, read ? TRUE : FALSE, iosb, device) != FALSE;
}

// FileSize changes under the PagingIoResource too: paging I/O reads it holding only that one.
void set_file_size(PFSRTL_COMMON_FCB_HEADER header, LONGLONG size) {
    if (header->PagingIoResource) ExAcquireResourceExclusiveLite(header->PagingIoResource, TRUE);
    header->FileSize.QuadPart = size;
    if (header->PagingIoResource) ExReleaseResourceLite(header->PagingIoResource);
}

}  // namespace

extern "C" {

NTKERNELAPI BOOLEAN NTAPI FsRtlCopyRead(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length,
                                        BOOLEAN Wait, ULONG LockKey, PVOID Buffer, PIO_STATUS_BLOCK IoStatus,
                                        PDEVICE_OBJECT DeviceObject) {
    (void)DeviceObject;
    if (Length == 0) {
        IoStatus->Status = STATUS_SUCCESS;
        IoStatus->Information = 0;
        return TRUE;
    }
    const LONGLONG offset = FileOffset->QuadPart;
    // A range that wraps is left to the IRP path, which fails it.
    if (offset < 0 || offset + LONGLONG(Length) < offset) return FALSE;
    auto* header = static_cast<PFSRTL_COMMON_FCB_HEADER>(FileObject->FsContext);
    if (!header || !FileObject->PrivateCacheMap) return FALSE;
    FsRtlEnterFileSystem();
    if (header->Resource && !ExAcquireResourceSharedLite(header->Resource, Wait)) {
        FsRtlExitFileSystem();
        return FALSE;
    }
    volatile BOOLEAN served = FALSE;
    if (fast_io_allowed(header, FileObject, FileOffset, Length, Wait, LockKey, true, IoStatus)) {
        const LONGLONG file_size = header->FileSize.QuadPart;
        if (offset >= file_size) {
            // At or past the end: an answer, not a reason for an IRP (NT fact I1).
            IoStatus->Status = STATUS_END_OF_FILE;
            IoStatus->Information = 0;
            served = TRUE;
        } else {
            const ULONG length = offset + LONGLONG(Length) > file_size ? ULONG(file_size - offset) : Length;
            // A failure the cache raises (a paging read error, a bad buffer) sends the request down
            // the IRP path, where the file system reports it.
            __try {
                served = CcCopyRead(FileObject, FileOffset, length, Wait, Buffer, IoStatus);
            } __except (EXCEPTION_EXECUTE_HANDLER) {
                served = FALSE;
            }
            if (served) {
                FileObject->Flags |= FO_FILE_FAST_IO_READ;
                if (FileObject->Flags & FO_SYNCHRONOUS_IO)
                    FileObject->CurrentByteOffset.QuadPart = offset + LONGLONG(IoStatus->Information);
            }
        }
    }
    if (header->Resource) ExReleaseResourceLite(header->Resource);
    FsRtlExitFileSystem();
    return served;
}

NTKERNELAPI BOOLEAN NTAPI FsRtlCopyWrite(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length,
                                         BOOLEAN Wait, ULONG LockKey, PVOID Buffer, PIO_STATUS_BLOCK IoStatus,
                                         PDEVICE_OBJECT DeviceObject) {
    (void)DeviceObject;
    auto* header = static_cast<PFSRTL_COMMON_FCB_HEADER>(FileObject->FsContext);
    // Write-through requests and throttled writers take the IRP path.
    if (!header || !FileObject->PrivateCacheMap || (FileObject->Flags & FO_WRITE_THROUGH) ||
        !CcCanIWrite(FileObject, Length, Wait, FALSE))
        return FALSE;
    if (Length == 0) {
        IoStatus->Status = STATUS_SUCCESS;
        IoStatus->Information = 0;
        return TRUE;
    }
    const bool to_end = FileOffset->LowPart == FILE_WRITE_TO_END_OF_FILE && FileOffset->HighPart == -1;
    if (!to_end && (FileOffset->QuadPart < 0 || FileOffset->QuadPart + LONGLONG(Length) < FileOffset->QuadPart))
        return FALSE;
    FsRtlEnterFileSystem();
    // Writes that move ValidDataLength or FileSize change the header: those hold the Resource
    // exclusively; the others share it and give up if the sizes moved under them.
    const bool exclusive =
        to_end || FileOffset->QuadPart + LONGLONG(Length) > header->ValidDataLength.QuadPart;
    if (header->Resource &&
        !(exclusive ? ExAcquireResourceExclusiveLite(header->Resource, Wait)
                    : ExAcquireResourceSharedLite(header->Resource, Wait))) {
        FsRtlExitFileSystem();
        return FALSE;
    }
    volatile BOOLEAN served = FALSE;
    LARGE_INTEGER offset;
    offset.QuadPart = to_end ? header->FileSize.QuadPart : FileOffset->QuadPart;
    const LONGLONG end = offset.QuadPart + LONGLONG(Length);
    const LONGLONG old_file_size = header->FileSize.QuadPart;
    const LONGLONG old_valid = header->ValidDataLength.QuadPart;
    if ((exclusive || end <= old_valid) && end >= offset.QuadPart &&
        end <= header->AllocationSize.QuadPart &&
        fast_io_allowed(header, FileObject, &offset, Length, Wait, LockKey, false, IoStatus)) {
        const bool grows = end > old_file_size;
        CC_FILE_SIZES sizes;
        sizes.AllocationSize = header->AllocationSize;
        sizes.ValidDataLength = header->ValidDataLength;
        if (grows) {
            set_file_size(header, end);
            sizes.FileSize = header->FileSize;
            CcSetFileSizes(FileObject, &sizes);
        }
        __try {
            // The gap between the valid data and the write reads as zeroes from now on.
            LARGE_INTEGER valid = header->ValidDataLength;
            served = TRUE;
            if (offset.QuadPart > valid.QuadPart) served = CcZeroData(FileObject, &valid, &offset, Wait);
            if (served) served = CcCopyWrite(FileObject, &offset, Length, Wait, Buffer);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            served = FALSE;
        }
        if (served) {
            FileObject->Flags |= FO_FILE_MODIFIED;
            if (grows) FileObject->Flags |= FO_FILE_SIZE_CHANGED;
            if (end > header->ValidDataLength.QuadPart) header->ValidDataLength.QuadPart = end;
            if (FileObject->Flags & FO_SYNCHRONOUS_IO) FileObject->CurrentByteOffset.QuadPart = end;
            IoStatus->Status = STATUS_SUCCESS;
            IoStatus->Information = Length;
        } else if (grows) {
            set_file_size(header, old_file_size);
            sizes.FileSize = header->FileSize;
            CcSetFileSizes(FileObject, &sizes);
        }
    }
    if (header->Resource) ExReleaseResourceLite(header->Resource);
    FsRtlExitFileSystem();
    return served;
}

}  // extern "C"

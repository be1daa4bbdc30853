// The common body of FsRtl's fast read and write entries (copy and MDL forms): the FCB header's
// Resource, IsFastIoPossible / FastIoCheckIfPossible, the end of file, size and valid-data updates
// and the flags of the file object, around one cache call given by the caller.
#pragma once

#include <ntifs.h>

namespace ntio::fsrtl {

// FastIoIsQuestionable: the driver's FastIoCheckIfPossible decides (byte-range locks, for one).
inline bool fast_io_allowed(PFSRTL_COMMON_FCB_HEADER header, PFILE_OBJECT file, PLARGE_INTEGER offset, ULONG length,
                            BOOLEAN wait, ULONG key, bool read, PIO_STATUS_BLOCK iosb) {
    if (header->IsFastIoPossible == FastIoIsNotPossible) return false;
    if (header->IsFastIoPossible != FastIoIsQuestionable) return true;
    PDEVICE_OBJECT device = IoGetRelatedDeviceObject(file);
    PFAST_IO_DISPATCH fast = device->DriverObject->FastIoDispatch;
    if (!fast || !fast->FastIoCheckIfPossible) return false;
    return fast->FastIoCheckIfPossible(file, offset, length, wait, key, read ? TRUE : FALSE, iosb, device) != FALSE;
}

// FileSize changes under the PagingIoResource too: paging I/O reads it holding only that one.
inline void set_file_size(PFSRTL_COMMON_FCB_HEADER header, LONGLONG size) {
    if (header->PagingIoResource) ExAcquireResourceExclusiveLite(header->PagingIoResource, TRUE);
    header->FileSize.QuadPart = size;
    if (header->PagingIoResource) ExReleaseResourceLite(header->PagingIoResource);
}

// The statistics a fast read counts in (the exported Cc* counters of FsRtlCopyRead), or none.
struct ReadCounters {
    ULONG* not_possible;   // fast I/O not possible for the file, or the check said no
    ULONG* resource_miss;  // the FCB header's Resource could not be had without waiting
};
inline void count(ULONG* counter) {
    if (counter) __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

// `transfer(offset, length)` performs the cache call and returns whether it was served; a raise
// from it sends the request to the IRP path (FALSE).
template <class Transfer>
BOOLEAN fast_read(PFILE_OBJECT file, PLARGE_INTEGER file_offset, ULONG length, BOOLEAN wait, ULONG key,
                  PIO_STATUS_BLOCK iosb, Transfer transfer, ReadCounters counters = {nullptr, nullptr}) {
    if (length == 0) {
        iosb->Status = STATUS_SUCCESS;
        iosb->Information = 0;
        return TRUE;
    }
    const LONGLONG offset = file_offset->QuadPart;
    // A range that wraps is left to the IRP path, which fails it.
    if (offset < 0 || offset + LONGLONG(length) < offset) return FALSE;
    auto* header = static_cast<PFSRTL_COMMON_FCB_HEADER>(file->FsContext);
    if (!header || !file->PrivateCacheMap) return FALSE;
    FsRtlEnterFileSystem();
    if (header->Resource && !ExAcquireResourceSharedLite(header->Resource, wait)) {
        FsRtlExitFileSystem();
        count(counters.resource_miss);
        return FALSE;
    }
    volatile BOOLEAN served = FALSE;
    const bool allowed = fast_io_allowed(header, file, file_offset, length, wait, key, true, iosb);
    if (!allowed) count(counters.not_possible);
    if (allowed) {
        const LONGLONG file_size = header->FileSize.QuadPart;
        if (offset >= file_size) {
            // At or past the end: an answer, not a reason for an IRP (NT fact I1).
            iosb->Status = STATUS_END_OF_FILE;
            iosb->Information = 0;
            served = TRUE;
        } else {
            const ULONG clamped = offset + LONGLONG(length) > file_size ? ULONG(file_size - offset) : length;
            // The file system's paging read under the copy sees it come from fast I/O (set and
            // restored by hand: a raise leaves the __try without running destructors).
            PIRP const top_level = IoGetTopLevelIrp();
            IoSetTopLevelIrp(reinterpret_cast<PIRP>(FSRTL_FAST_IO_TOP_LEVEL_IRP));
            __try {
                served = transfer(file_offset, clamped);
            } __except (EXCEPTION_EXECUTE_HANDLER) {
                served = FALSE;
            }
            IoSetTopLevelIrp(top_level);
            if (served) {
                // The file system's workers may set flags of this file object at the same time.
                __atomic_fetch_or(&file->Flags, ULONG{FO_FILE_FAST_IO_READ}, __ATOMIC_RELAXED);
                if (__atomic_load_n(&file->Flags, __ATOMIC_RELAXED) & FO_SYNCHRONOUS_IO)
                    file->CurrentByteOffset.QuadPart = offset + LONGLONG(iosb->Information);
            }
        }
    }
    if (header->Resource) ExReleaseResourceLite(header->Resource);
    FsRtlExitFileSystem();
    return served;
}

template <class Transfer>
BOOLEAN fast_write(PFILE_OBJECT file, PLARGE_INTEGER file_offset, ULONG length, BOOLEAN wait, ULONG key,
                   PIO_STATUS_BLOCK iosb, Transfer transfer) {
    auto* header = static_cast<PFSRTL_COMMON_FCB_HEADER>(file->FsContext);
    // Write-through requests and throttled writers take the IRP path.
    if (!header || !file->PrivateCacheMap || (__atomic_load_n(&file->Flags, __ATOMIC_RELAXED) & FO_WRITE_THROUGH) || !CcCanIWrite(file, length, wait, FALSE))
        return FALSE;
    if (length == 0) {
        iosb->Status = STATUS_SUCCESS;
        iosb->Information = 0;
        return TRUE;
    }
    const bool to_end = file_offset->LowPart == FILE_WRITE_TO_END_OF_FILE && file_offset->HighPart == -1;
    if (!to_end && (file_offset->QuadPart < 0 || file_offset->QuadPart + LONGLONG(length) < file_offset->QuadPart))
        return FALSE;
    FsRtlEnterFileSystem();
    // Writes that move ValidDataLength or FileSize change the header: those hold the Resource
    // exclusively; the others share it and give up if the sizes moved under them.
    const bool exclusive = to_end || file_offset->QuadPart + LONGLONG(length) > header->ValidDataLength.QuadPart;
    if (header->Resource && !(exclusive ? ExAcquireResourceExclusiveLite(header->Resource, wait)
                                        : ExAcquireResourceSharedLite(header->Resource, wait))) {
        FsRtlExitFileSystem();
        return FALSE;
    }
    volatile BOOLEAN served = FALSE;
    LARGE_INTEGER offset;
    offset.QuadPart = to_end ? header->FileSize.QuadPart : file_offset->QuadPart;
    const LONGLONG end = offset.QuadPart + LONGLONG(length);
    const LONGLONG old_file_size = header->FileSize.QuadPart;
    const LONGLONG old_valid = header->ValidDataLength.QuadPart;
    if ((exclusive || end <= old_valid) && end >= offset.QuadPart && end <= header->AllocationSize.QuadPart &&
        fast_io_allowed(header, file, &offset, length, wait, key, false, iosb)) {
        const bool grows = end > old_file_size;
        CC_FILE_SIZES sizes;
        sizes.AllocationSize = header->AllocationSize;
        sizes.ValidDataLength = header->ValidDataLength;
        if (grows) {
            set_file_size(header, end);
            sizes.FileSize = header->FileSize;
            CcSetFileSizes(file, &sizes);
        }
        PIRP const top_level = IoGetTopLevelIrp();
        IoSetTopLevelIrp(reinterpret_cast<PIRP>(FSRTL_FAST_IO_TOP_LEVEL_IRP));
        __try {
            // The gap between the valid data and the write reads as zeroes from now on.
            LARGE_INTEGER valid = header->ValidDataLength;
            served = TRUE;
            if (offset.QuadPart > valid.QuadPart) served = CcZeroData(file, &valid, &offset, wait);
            if (served) served = transfer(&offset, length);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            served = FALSE;
        }
        IoSetTopLevelIrp(top_level);
        if (served) {
            __atomic_fetch_or(&file->Flags, ULONG{FO_FILE_MODIFIED} | (grows ? ULONG{FO_FILE_SIZE_CHANGED} : 0),
                              __ATOMIC_RELAXED);
            if (end > header->ValidDataLength.QuadPart) header->ValidDataLength.QuadPart = end;
            if (__atomic_load_n(&file->Flags, __ATOMIC_RELAXED) & FO_SYNCHRONOUS_IO) file->CurrentByteOffset.QuadPart = end;
            iosb->Status = STATUS_SUCCESS;
            iosb->Information = length;
        } else if (grows) {
            set_file_size(header, old_file_size);
            sizes.FileSize = header->FileSize;
            CcSetFileSizes(file, &sizes);
        }
    }
    if (header->Resource) ExReleaseResourceLite(header->Resource);
    FsRtlExitFileSystem();
    return served;
}

}  // namespace ntio::fsrtl

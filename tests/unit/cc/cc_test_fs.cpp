// A WDK-style test file system over the cache manager: up to four files kept in memory "disks",
// cached reads and writes through CcCopyRead / CcCopyWrite, FsRtlCopyRead / FsRtlCopyWrite and the
// FsRtl MDL routines as fast I/O, paging I/O served from the disk (and counted), CcFlushCache on IRP_MJ_FLUSH_BUFFERS,
// CcSetFileSizes on FileEndOfFileInformation and CcUninitializeCacheMap at cleanup, the way FAT
// uses them. Opened with FILE_NO_INTERMEDIATE_BUFFERING a file object is not cached.
#include "cc_test_fs.hpp"

#include <cstring>
#include <new>

namespace ntio::cc::test {
namespace {

constexpr int kFiles = 4;

struct Fcb {
    FSRTL_COMMON_FCB_HEADER Header;  // first: FsContext points here
    ERESOURCE MainResource;
    ERESOURCE PagingIoResource;
    SECTION_OBJECT_POINTERS SectionObjectPointers;
    FAST_MUTEX DiskMutex;  // the disk's bytes and size
    UCHAR* Disk;
    LONGLONG DiskSize;
    CcTestFsCounters Counters;
    NTSTATUS FailReads;
    NTSTATUS FailWrites;
    BOOLEAN InUse;
};

Fcb g_fcbs[kFiles];
// The disks outlive the driver (and the System) for the shutdown test.
UCHAR* g_disks[kFiles];
LONGLONG g_disk_sizes[kFiles];
FAST_IO_DISPATCH g_fast_io;
CACHE_MANAGER_CALLBACKS g_cache_callbacks;

Fcb* fcb_of_letter(WCHAR letter) {
    if (letter < L'a' || letter >= L'a' + kFiles) return nullptr;
    return &g_fcbs[letter - L'a'];
}

NTSTATUS complete(PIRP irp, NTSTATUS status, ULONG_PTR information = 0) {
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

BOOLEAN NTAPI acquire_for_lazy_write(PVOID context, BOOLEAN wait) {
    auto* fcb = static_cast<Fcb*>(context);
    if (!ExAcquireResourceSharedLite(&fcb->MainResource, wait)) return FALSE;
    InterlockedIncrement(&fcb->Counters.lazy_acquires);
    return TRUE;
}

VOID NTAPI release_from_lazy_write(PVOID context) {
    auto* fcb = static_cast<Fcb*>(context);
    InterlockedIncrement(&fcb->Counters.lazy_releases);
    ExReleaseResourceLite(&fcb->MainResource);
}

BOOLEAN NTAPI acquire_for_read_ahead(PVOID context, BOOLEAN wait) {
    auto* fcb = static_cast<Fcb*>(context);
    InterlockedIncrement(&fcb->Counters.read_ahead_acquires);
    return ExAcquireResourceSharedLite(&fcb->MainResource, wait);
}

VOID NTAPI release_from_read_ahead(PVOID context) { ExReleaseResourceLite(&static_cast<Fcb*>(context)->MainResource); }

BOOLEAN NTAPI fast_io_check_if_possible(PFILE_OBJECT file, PLARGE_INTEGER, ULONG, BOOLEAN, ULONG, BOOLEAN,
                                        PIO_STATUS_BLOCK, PDEVICE_OBJECT) {
    auto* fcb = CONTAINING_RECORD(file->FsContext, Fcb, Header);
    InterlockedIncrement(&fcb->Counters.fast_checks);
    return TRUE;
}

CC_FILE_SIZES sizes_of(Fcb* fcb) {
    CC_FILE_SIZES sizes;
    sizes.AllocationSize = fcb->Header.AllocationSize;
    sizes.FileSize = fcb->Header.FileSize;
    sizes.ValidDataLength = fcb->Header.ValidDataLength;
    return sizes;
}

void cache_file(PFILE_OBJECT file, Fcb* fcb) {
    if (file->PrivateCacheMap) return;
    CC_FILE_SIZES sizes = sizes_of(fcb);
    CcInitializeCacheMap(file, &sizes, FALSE, &g_cache_callbacks, fcb);
}

bool cached_handle(PFILE_OBJECT file) { return !(file->Flags & FO_NO_INTERMEDIATE_BUFFERING); }

// Disk transfers: a paging read past the disk's end is short; a write grows the disk.
ULONG disk_read(Fcb* fcb, LONGLONG offset, PVOID buffer, ULONG length) {
    ExAcquireFastMutex(&fcb->DiskMutex);
    ULONG done = 0;
    if (offset < fcb->DiskSize) {
        done = static_cast<ULONG>(offset + length > fcb->DiskSize ? fcb->DiskSize - offset : length);
        RtlCopyMemory(buffer, fcb->Disk + offset, done);
    }
    ExReleaseFastMutex(&fcb->DiskMutex);
    return done;
}

void disk_write(Fcb* fcb, LONGLONG offset, const void* buffer, ULONG length) {
    ExAcquireFastMutex(&fcb->DiskMutex);
    if (offset > fcb->DiskSize) RtlZeroMemory(fcb->Disk + fcb->DiskSize, static_cast<SIZE_T>(offset - fcb->DiskSize));
    RtlCopyMemory(fcb->Disk + offset, buffer, length);
    if (offset + length > fcb->DiskSize) fcb->DiskSize = offset + length;
    ExReleaseFastMutex(&fcb->DiskMutex);
}

NTSTATUS fs_create(PIRP irp, PIO_STACK_LOCATION sp) {
    PFILE_OBJECT file = sp->FileObject;
    // The volume itself (no name): only the test's IOCTLs.
    if (file->FileName.Length == 0) return complete(irp, STATUS_SUCCESS, FILE_OPENED);
    if (file->FileName.Length != 2 * sizeof(WCHAR) || file->FileName.Buffer[0] != L'\\')
        return complete(irp, STATUS_OBJECT_NAME_NOT_FOUND);
    Fcb* fcb = fcb_of_letter(file->FileName.Buffer[1]);
    if (!fcb) return complete(irp, STATUS_OBJECT_NAME_NOT_FOUND);
    const int index = static_cast<int>(fcb - g_fcbs);
    if (!fcb->InUse) {
        if (!g_disks[index]) {
            g_disks[index] = new (std::nothrow) UCHAR[kCcTestFsCapacity];
            if (!g_disks[index]) return complete(irp, STATUS_INSUFFICIENT_RESOURCES);
        }
        fcb->Disk = g_disks[index];
        fcb->DiskSize = 0;
        fcb->InUse = TRUE;
    }
    file->FsContext = &fcb->Header;
    file->SectionObjectPointer = &fcb->SectionObjectPointers;
    return complete(irp, STATUS_SUCCESS, FILE_OPENED);
}

NTSTATUS paging_read(PIRP irp, PIO_STACK_LOCATION sp, Fcb* fcb) {
    __atomic_store_n(&fcb->Counters.paging_read_top_level, reinterpret_cast<ULONG_PTR>(IoGetTopLevelIrp()), __ATOMIC_RELAXED);
    if (fcb->FailReads) return complete(irp, fcb->FailReads);
    const LONGLONG offset = sp->Parameters.Read.ByteOffset.QuadPart;
    PVOID buffer = MmGetSystemAddressForMdlSafe(irp->MdlAddress, NormalPagePriority);
    ExAcquireResourceSharedLite(&fcb->PagingIoResource, TRUE);
    const ULONG done = disk_read(fcb, offset, buffer, sp->Parameters.Read.Length);
    ExReleaseResourceLite(&fcb->PagingIoResource);
    InterlockedIncrement(&fcb->Counters.paging_reads);
    InterlockedAdd64(&fcb->Counters.paging_read_bytes, sp->Parameters.Read.Length);
    return complete(irp, STATUS_SUCCESS, done);
}

NTSTATUS paging_write(PIRP irp, PIO_STACK_LOCATION sp, Fcb* fcb) {
    __atomic_store_n(&fcb->Counters.paging_write_top_level, reinterpret_cast<ULONG_PTR>(IoGetTopLevelIrp()), __ATOMIC_RELAXED);
    if (fcb->FailWrites) return complete(irp, fcb->FailWrites);
    const LONGLONG offset = sp->Parameters.Write.ByteOffset.QuadPart;
    ULONG length = sp->Parameters.Write.Length;
    PVOID buffer = MmGetSystemAddressForMdlSafe(irp->MdlAddress, NormalPagePriority);
    ExAcquireResourceSharedLite(&fcb->PagingIoResource, TRUE);
    // The file ends at FileSize: the rest of the last page is not the file's.
    const LONGLONG file_size = fcb->Header.FileSize.QuadPart;
    if (offset >= file_size) length = 0;
    else if (offset + length > file_size) length = static_cast<ULONG>(file_size - offset);
    if (length) disk_write(fcb, offset, buffer, length);
    ExReleaseResourceLite(&fcb->PagingIoResource);
    InterlockedIncrement(&fcb->Counters.paging_writes);
    InterlockedAdd64(&fcb->Counters.paging_write_bytes, length);
    return complete(irp, STATUS_SUCCESS, sp->Parameters.Write.Length);
}

NTSTATUS fs_read(PIRP irp, PIO_STACK_LOCATION sp, Fcb* fcb) {
    if (irp->Flags & IRP_PAGING_IO) return paging_read(irp, sp, fcb);
    PFILE_OBJECT file = sp->FileObject;
    LARGE_INTEGER offset = sp->Parameters.Read.ByteOffset;
    ULONG length = sp->Parameters.Read.Length;
    if (length == 0) return complete(irp, STATUS_SUCCESS);
    ExAcquireResourceSharedLite(&fcb->MainResource, TRUE);
    const LONGLONG file_size = fcb->Header.FileSize.QuadPart;
    NTSTATUS status = STATUS_SUCCESS;
    ULONG_PTR information = 0;
    if (offset.QuadPart >= file_size) {
        status = STATUS_END_OF_FILE;
    } else {
        if (offset.QuadPart + length > file_size) length = static_cast<ULONG>(file_size - offset.QuadPart);
        if (!cached_handle(file)) {
            __try {
                information = disk_read(fcb, offset.QuadPart, irp->UserBuffer, length);
                // Past the disk but inside the file: never written, so zero.
                if (information < length) RtlZeroMemory(static_cast<UCHAR*>(irp->UserBuffer) + information, length - information);
                information = length;
            } __except (EXCEPTION_EXECUTE_HANDLER) {
                status = GetExceptionCode();
            }
        } else {
            InterlockedIncrement(&fcb->Counters.irp_reads);
            __try {
                cache_file(file, fcb);
                IO_STATUS_BLOCK iosb;
                (void)CcCopyRead(file, &offset, length, TRUE, irp->UserBuffer, &iosb);
                status = iosb.Status;
                information = iosb.Information;
            } __except (EXCEPTION_EXECUTE_HANDLER) {
                status = GetExceptionCode();
            }
        }
    }
    ExReleaseResourceLite(&fcb->MainResource);
    return complete(irp, status, information);
}

NTSTATUS fs_write(PIRP irp, PIO_STACK_LOCATION sp, Fcb* fcb) {
    if (irp->Flags & IRP_PAGING_IO) return paging_write(irp, sp, fcb);
    PFILE_OBJECT file = sp->FileObject;
    LARGE_INTEGER offset = sp->Parameters.Write.ByteOffset;
    const ULONG length = sp->Parameters.Write.Length;
    if (length == 0) return complete(irp, STATUS_SUCCESS);
    ExAcquireResourceExclusiveLite(&fcb->MainResource, TRUE);
    if (offset.LowPart == FILE_WRITE_TO_END_OF_FILE && offset.HighPart == -1) offset = fcb->Header.FileSize;
    NTSTATUS status = STATUS_SUCCESS;
    const LONGLONG end = offset.QuadPart + length;
    if (offset.QuadPart < 0 || end > kCcTestFsCapacity) {
        ExReleaseResourceLite(&fcb->MainResource);
        return complete(irp, STATUS_DISK_FULL);
    }
    if (end > fcb->Header.FileSize.QuadPart) {
        // Paging writes read FileSize under the paging resource.
        ExAcquireResourceExclusiveLite(&fcb->PagingIoResource, TRUE);
        fcb->Header.FileSize.QuadPart = end;
        ExReleaseResourceLite(&fcb->PagingIoResource);
        if (CcIsFileCached(file)) {
            CC_FILE_SIZES sizes = sizes_of(fcb);
            CcSetFileSizes(file, &sizes);
        }
    }
    __try {
        if (!cached_handle(file)) {
            // Cached data of the range goes to the disk first and then leaves the cache, so neither
            // the cache nor a later write-back hides this write (FAT does the same).
            if (fcb->SectionObjectPointers.SharedCacheMap) {
                IO_STATUS_BLOCK iosb;
                CcFlushCache(&fcb->SectionObjectPointers, &offset, length, &iosb);
                (void)CcPurgeCacheSection(&fcb->SectionObjectPointers, &offset, length, 0);
            }
            disk_write(fcb, offset.QuadPart, irp->UserBuffer, length);
        } else {
            InterlockedIncrement(&fcb->Counters.irp_writes);
            cache_file(file, fcb);
            if (offset.QuadPart > fcb->Header.ValidDataLength.QuadPart) {
                LARGE_INTEGER valid = fcb->Header.ValidDataLength;
                (void)CcZeroData(file, &valid, &offset, TRUE);
            }
            (void)CcCopyWrite(file, &offset, length, TRUE, irp->UserBuffer);
        }
        if (end > fcb->Header.ValidDataLength.QuadPart) fcb->Header.ValidDataLength.QuadPart = end;
        file->Flags |= FO_FILE_MODIFIED;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    ExReleaseResourceLite(&fcb->MainResource);
    return complete(irp, status, NT_SUCCESS(status) ? length : 0);
}

NTSTATUS fs_set_information(PIRP irp, PIO_STACK_LOCATION sp, Fcb* fcb) {
    if (sp->Parameters.SetFile.FileInformationClass != FileEndOfFileInformation)
        return complete(irp, STATUS_INVALID_PARAMETER);
    auto* info = static_cast<PFILE_END_OF_FILE_INFORMATION>(irp->AssociatedIrp.SystemBuffer);
    const LONGLONG size = info->EndOfFile.QuadPart;
    if (sp->Parameters.SetFile.AdvanceOnly) {
        // The lazy writer says the data up to `size` is on disk: valid data may only grow, and the
        // file's size stays.
        ExAcquireResourceExclusiveLite(&fcb->MainResource, TRUE);
        InterlockedIncrement(&fcb->Counters.valid_data_advances);
        fcb->Counters.advanced_to = size;
        if (size > fcb->Header.ValidDataLength.QuadPart && size <= fcb->Header.FileSize.QuadPart)
            fcb->Header.ValidDataLength.QuadPart = size;
        ExReleaseResourceLite(&fcb->MainResource);
        return complete(irp, STATUS_SUCCESS);
    }
    if (size < 0 || size > kCcTestFsCapacity) return complete(irp, STATUS_DISK_FULL);
    ExAcquireResourceExclusiveLite(&fcb->MainResource, TRUE);
    ExAcquireResourceExclusiveLite(&fcb->PagingIoResource, TRUE);
    fcb->Header.FileSize.QuadPart = size;
    if (fcb->Header.ValidDataLength.QuadPart > size) fcb->Header.ValidDataLength.QuadPart = size;
    ExAcquireFastMutex(&fcb->DiskMutex);
    if (fcb->DiskSize > size) fcb->DiskSize = size;
    ExReleaseFastMutex(&fcb->DiskMutex);
    ExReleaseResourceLite(&fcb->PagingIoResource);
    if (CcIsFileCached(sp->FileObject)) {
        CC_FILE_SIZES sizes = sizes_of(fcb);
        CcSetFileSizes(sp->FileObject, &sizes);
    }
    ExReleaseResourceLite(&fcb->MainResource);
    return complete(irp, STATUS_SUCCESS);
}

// FileStandardInformation from the FCB header (what the memory manager asks for a section's size),
// counting the queries that came while the caller held the main resource exclusively.
NTSTATUS fs_query_information(PIRP irp, PIO_STACK_LOCATION sp, Fcb* fcb) {
    if (sp->Parameters.QueryFile.FileInformationClass != FileStandardInformation)
        return complete(irp, STATUS_INVALID_PARAMETER);
    if (sp->Parameters.QueryFile.Length < sizeof(FILE_STANDARD_INFORMATION))
        return complete(irp, STATUS_BUFFER_TOO_SMALL);
    InterlockedIncrement(&fcb->Counters.standard_queries);
    if (ExIsResourceAcquiredExclusiveLite(&fcb->MainResource)) InterlockedIncrement(&fcb->Counters.queries_main_exclusive);
    ExAcquireResourceSharedLite(&fcb->MainResource, TRUE);
    auto* info = static_cast<PFILE_STANDARD_INFORMATION>(irp->AssociatedIrp.SystemBuffer);
    RtlZeroMemory(info, sizeof(*info));
    info->AllocationSize = fcb->Header.AllocationSize;
    info->EndOfFile = fcb->Header.FileSize;
    info->NumberOfLinks = 1;
    ExReleaseResourceLite(&fcb->MainResource);
    return complete(irp, STATUS_SUCCESS, sizeof(*info));
}

NTSTATUS fs_device_control(PIRP irp, PIO_STACK_LOCATION sp) {
    PVOID buffer = irp->AssociatedIrp.SystemBuffer;
    const ULONG in = sp->Parameters.DeviceIoControl.InputBufferLength;
    const ULONG out = sp->Parameters.DeviceIoControl.OutputBufferLength;
    switch (sp->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_CCTESTFS_COUNTERS: {
        Fcb* fcb = in >= sizeof(WCHAR) ? fcb_of_letter(*static_cast<WCHAR*>(buffer)) : nullptr;
        if (!fcb || out < sizeof(CcTestFsCounters)) return complete(irp, STATUS_INVALID_PARAMETER);
        CcTestFsCounters counters = fcb->Counters;
        ExAcquireFastMutex(&fcb->DiskMutex);
        counters.disk_size = fcb->DiskSize;
        ExReleaseFastMutex(&fcb->DiskMutex);
        counters.file_size = fcb->Header.FileSize.QuadPart;
        counters.valid_data_length = fcb->Header.ValidDataLength.QuadPart;
        RtlCopyMemory(buffer, &counters, sizeof(counters));
        return complete(irp, STATUS_SUCCESS, sizeof(counters));
    }
    case IOCTL_CCTESTFS_READ_DISK: {
        if (in < sizeof(CcTestFsDiskRead)) return complete(irp, STATUS_INVALID_PARAMETER);
        const CcTestFsDiskRead request = *static_cast<CcTestFsDiskRead*>(buffer);
        Fcb* fcb = fcb_of_letter(request.file);
        if (!fcb || !fcb->InUse || request.offset < 0 || request.length > out) return complete(irp, STATUS_INVALID_PARAMETER);
        return complete(irp, STATUS_SUCCESS, disk_read(fcb, request.offset, buffer, request.length));
    }
    case IOCTL_CCTESTFS_FAIL_PAGING: {
        if (in < sizeof(CcTestFsFail)) return complete(irp, STATUS_INVALID_PARAMETER);
        const CcTestFsFail request = *static_cast<CcTestFsFail*>(buffer);
        Fcb* fcb = fcb_of_letter(request.file);
        if (!fcb) return complete(irp, STATUS_INVALID_PARAMETER);
        (request.write ? fcb->FailWrites : fcb->FailReads) = request.status;
        return complete(irp, STATUS_SUCCESS);
    }
    case IOCTL_CCTESTFS_SET_FAST_IO: {
        if (in < sizeof(CcTestFsSetFastIo)) return complete(irp, STATUS_INVALID_PARAMETER);
        const CcTestFsSetFastIo request = *static_cast<CcTestFsSetFastIo*>(buffer);
        Fcb* fcb = fcb_of_letter(request.file);
        if (!fcb) return complete(irp, STATUS_INVALID_PARAMETER);
        fcb->Header.IsFastIoPossible = request.possible;
        return complete(irp, STATUS_SUCCESS);
    }
    default: return complete(irp, STATUS_INVALID_DEVICE_REQUEST);
    }
}

NTSTATUS fs_dispatch_in_file_system(PIRP irp);

// File systems hold their resources with normal kernel APCs disabled.
NTSTATUS NTAPI fs_dispatch(PDEVICE_OBJECT, PIRP irp) {
    FsRtlEnterFileSystem();
    const NTSTATUS status = fs_dispatch_in_file_system(irp);
    FsRtlExitFileSystem();
    return status;
}

NTSTATUS fs_dispatch_in_file_system(PIRP irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    if (sp->MajorFunction == IRP_MJ_CREATE) return fs_create(irp, sp);
    // A handle to the device itself (no file name) only takes the test's IOCTLs.
    Fcb* fcb = sp->FileObject && sp->FileObject->FsContext ? CONTAINING_RECORD(sp->FileObject->FsContext, Fcb, Header)
                                                          : nullptr;
    switch (sp->MajorFunction) {
    case IRP_MJ_READ: return fcb ? fs_read(irp, sp, fcb) : complete(irp, STATUS_INVALID_DEVICE_REQUEST);
    case IRP_MJ_WRITE: return fcb ? fs_write(irp, sp, fcb) : complete(irp, STATUS_INVALID_DEVICE_REQUEST);
    case IRP_MJ_FLUSH_BUFFERS: {
        if (!fcb) return complete(irp, STATUS_SUCCESS);
        IO_STATUS_BLOCK iosb;
        ExAcquireResourceExclusiveLite(&fcb->MainResource, TRUE);
        CcFlushCache(&fcb->SectionObjectPointers, nullptr, 0, &iosb);
        ExReleaseResourceLite(&fcb->MainResource);
        return complete(irp, iosb.Status);
    }
    case IRP_MJ_SET_INFORMATION:
        return fcb ? fs_set_information(irp, sp, fcb) : complete(irp, STATUS_INVALID_PARAMETER);
    case IRP_MJ_QUERY_INFORMATION:
        return fcb ? fs_query_information(irp, sp, fcb) : complete(irp, STATUS_INVALID_PARAMETER);
    case IRP_MJ_DEVICE_CONTROL: return fs_device_control(irp, sp);
    case IRP_MJ_CLEANUP:
        if (fcb) {
            ExAcquireResourceExclusiveLite(&fcb->MainResource, TRUE);
            (void)CcUninitializeCacheMap(sp->FileObject, nullptr, nullptr);
            ExReleaseResourceLite(&fcb->MainResource);
        }
        return complete(irp, STATUS_SUCCESS);
    default: return complete(irp, STATUS_SUCCESS);
    }
}

VOID NTAPI fs_unload(PDRIVER_OBJECT driver) {
    UNICODE_STRING link;
    RtlInitUnicodeString(&link, L"\\DosDevices\\CcTestFs");
    (void)IoDeleteSymbolicLink(&link);
    for (int i = 0; i < kFiles; ++i) {
        Fcb& fcb = g_fcbs[i];
        g_disk_sizes[i] = fcb.InUse ? fcb.DiskSize : 0;
        (void)ExDeleteResourceLite(&fcb.MainResource);
        (void)ExDeleteResourceLite(&fcb.PagingIoResource);
    }
    if (driver->DeviceObject) IoDeleteDevice(driver->DeviceObject);
}

}  // namespace

NTSTATUS NTAPI cctestfs_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    UNICODE_STRING name, link;
    RtlInitUnicodeString(&name, L"\\Device\\CcTestFs");
    RtlInitUnicodeString(&link, L"\\DosDevices\\CcTestFs");
    for (int i = 0; i < kFiles; ++i) {
        Fcb& fcb = g_fcbs[i];
        RtlZeroMemory(&fcb, sizeof(fcb));
        fcb.Header.NodeTypeCode = 0x0502;
        fcb.Header.NodeByteSize = sizeof(Fcb);
        fcb.Header.IsFastIoPossible = FastIoIsPossible;
        fcb.Header.Resource = &fcb.MainResource;
        fcb.Header.PagingIoResource = &fcb.PagingIoResource;
        fcb.Header.AllocationSize.QuadPart = kCcTestFsCapacity;
        (void)ExInitializeResourceLite(&fcb.MainResource);
        (void)ExInitializeResourceLite(&fcb.PagingIoResource);
        ExInitializeFastMutex(&fcb.DiskMutex);
        g_disk_sizes[i] = 0;
    }
    RtlZeroMemory(&g_fast_io, sizeof(g_fast_io));
    g_fast_io.SizeOfFastIoDispatch = sizeof(g_fast_io);
    g_fast_io.FastIoCheckIfPossible = fast_io_check_if_possible;
    g_fast_io.FastIoRead = FsRtlCopyRead;
    g_fast_io.FastIoWrite = FsRtlCopyWrite;
    g_fast_io.MdlRead = FsRtlMdlReadDev;
    g_fast_io.MdlReadComplete = FsRtlMdlReadCompleteDev;
    g_fast_io.PrepareMdlWrite = FsRtlPrepareMdlWriteDev;
    g_fast_io.MdlWriteComplete = FsRtlMdlWriteCompleteDev;
    g_cache_callbacks.AcquireForLazyWrite = acquire_for_lazy_write;
    g_cache_callbacks.ReleaseFromLazyWrite = release_from_lazy_write;
    g_cache_callbacks.AcquireForReadAhead = acquire_for_read_ahead;
    g_cache_callbacks.ReleaseFromReadAhead = release_from_read_ahead;

    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(driver, 0, &name, FILE_DEVICE_DISK_FILE_SYSTEM, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    for (auto& major : driver->MajorFunction) major = fs_dispatch;
    driver->FastIoDispatch = &g_fast_io;
    driver->DriverUnload = fs_unload;
    status = IoCreateSymbolicLink(&link, &name);
    if (!NT_SUCCESS(status)) fs_unload(driver);
    return status;
}

const UCHAR* cctestfs_disk(WCHAR letter, LONGLONG* size) {
    if (letter < L'a' || letter >= L'a' + kFiles) return nullptr;
    *size = g_disk_sizes[letter - L'a'];
    return g_disks[letter - L'a'];
}

void cctestfs_forget_disks() {
    for (auto& disk : g_disks) {
        delete[] disk;
        disk = nullptr;
    }
}

}  // namespace ntio::cc::test

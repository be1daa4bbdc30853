// The MDL forms of the fast I/O read and write (FsRtlMdlReadDev, FsRtlPrepareMdlWriteDev and their
// complete routines) over the cache manager's MDL interface, with the same rules as FsRtlCopyRead /
// FsRtlCopyWrite; and the forms without Dev, which go through the file's driver's FastIoDispatch.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlmdlreaddev
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlpreparemdlwritedev
#include "fsrtl/fast_transfer.hpp"

using ntio::fsrtl::fast_read;
using ntio::fsrtl::fast_write;

namespace {

PFAST_IO_DISPATCH fast_io_of(PFILE_OBJECT file, PDEVICE_OBJECT* device) {
    *device = IoGetRelatedDeviceObject(file);
    return (*device)->DriverObject->FastIoDispatch;
}

}  // namespace

extern "C" {

NTKERNELAPI BOOLEAN NTAPI FsRtlMdlReadDev(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length,
                                          ULONG LockKey, PMDL* MdlChain, PIO_STATUS_BLOCK IoStatus,
                                          PDEVICE_OBJECT DeviceObject) {
    (void)DeviceObject;
    *MdlChain = nullptr;
    FsRtlIncrementCcFastMdlReadWait();
    return fast_read(FileObject, FileOffset, Length, TRUE, LockKey, IoStatus, [&](PLARGE_INTEGER offset, ULONG length) {
        CcMdlRead(FileObject, offset, length, MdlChain, IoStatus);
        return BOOLEAN(TRUE);
    });
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlmdlreadcompletedev
NTKERNELAPI BOOLEAN NTAPI FsRtlMdlReadCompleteDev(PFILE_OBJECT FileObject, PMDL MdlChain, PDEVICE_OBJECT DeviceObject) {
    (void)DeviceObject;
    CcMdlReadComplete(FileObject, MdlChain);
    return TRUE;
}

NTKERNELAPI BOOLEAN NTAPI FsRtlPrepareMdlWriteDev(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length,
                                                  ULONG LockKey, PMDL* MdlChain, PIO_STATUS_BLOCK IoStatus,
                                                  PDEVICE_OBJECT DeviceObject) {
    (void)DeviceObject;
    *MdlChain = nullptr;
    return fast_write(FileObject, FileOffset, Length, TRUE, LockKey, IoStatus, [&](PLARGE_INTEGER offset, ULONG length) {
        CcPrepareMdlWrite(FileObject, offset, length, MdlChain, IoStatus);
        return BOOLEAN(TRUE);
    });
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlmdlwritecompletedev
NTKERNELAPI BOOLEAN NTAPI FsRtlMdlWriteCompleteDev(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, PMDL MdlChain,
                                                   PDEVICE_OBJECT DeviceObject) {
    (void)DeviceObject;
    CcMdlWriteComplete(FileObject, FileOffset, MdlChain);
    return TRUE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlmdlread
NTKERNELAPI BOOLEAN NTAPI FsRtlMdlRead(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length, ULONG LockKey,
                                       PMDL* MdlChain, PIO_STATUS_BLOCK IoStatus) {
    PDEVICE_OBJECT device;
    PFAST_IO_DISPATCH fast = fast_io_of(FileObject, &device);
    if (fast && fast->MdlRead) return fast->MdlRead(FileObject, FileOffset, Length, LockKey, MdlChain, IoStatus, device);
    return FsRtlMdlReadDev(FileObject, FileOffset, Length, LockKey, MdlChain, IoStatus, device);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlmdlreadcomplete
NTKERNELAPI BOOLEAN NTAPI FsRtlMdlReadComplete(PFILE_OBJECT FileObject, PMDL MdlChain) {
    PDEVICE_OBJECT device;
    PFAST_IO_DISPATCH fast = fast_io_of(FileObject, &device);
    if (fast && fast->MdlReadComplete) return fast->MdlReadComplete(FileObject, MdlChain, device);
    return FsRtlMdlReadCompleteDev(FileObject, MdlChain, device);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlpreparemdlwrite
NTKERNELAPI BOOLEAN NTAPI FsRtlPrepareMdlWrite(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length,
                                               ULONG LockKey, PMDL* MdlChain, PIO_STATUS_BLOCK IoStatus) {
    PDEVICE_OBJECT device;
    PFAST_IO_DISPATCH fast = fast_io_of(FileObject, &device);
    if (fast && fast->PrepareMdlWrite)
        return fast->PrepareMdlWrite(FileObject, FileOffset, Length, LockKey, MdlChain, IoStatus, device);
    return FsRtlPrepareMdlWriteDev(FileObject, FileOffset, Length, LockKey, MdlChain, IoStatus, device);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlmdlwritecomplete
NTKERNELAPI BOOLEAN NTAPI FsRtlMdlWriteComplete(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, PMDL MdlChain) {
    PDEVICE_OBJECT device;
    PFAST_IO_DISPATCH fast = fast_io_of(FileObject, &device);
    if (fast && fast->MdlWriteComplete) return fast->MdlWriteComplete(FileObject, FileOffset, MdlChain, device);
    return FsRtlMdlWriteCompleteDev(FileObject, FileOffset, MdlChain, device);
}

}  // extern "C"

// FsRtlCopyRead / FsRtlCopyWrite: the fast I/O read and write a file system built on the cache
// manager installs as FastIoRead / FastIoWrite. They serve a request from the cache under the FCB
// header's Resource when the header says fast I/O is possible, and return FALSE (the I/O manager
// then builds an IRP) whenever they cannot: the contracts of
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlcopyread and
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlcopywrite.
#include "fsrtl/fast_transfer.hpp"

using ntio::fsrtl::fast_read;
using ntio::fsrtl::fast_write;
using ntio::fsrtl::ReadCounters;

extern "C" {

NTKERNELAPI BOOLEAN NTAPI FsRtlCopyRead(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length,
                                        BOOLEAN Wait, ULONG LockKey, PVOID Buffer, PIO_STATUS_BLOCK IoStatus,
                                        PDEVICE_OBJECT DeviceObject) {
    (void)DeviceObject;
    if (Wait)
        FsRtlIncrementCcFastReadWait();
    else
        FsRtlIncrementCcFastReadNoWait();
    return fast_read(
        FileObject, FileOffset, Length, Wait, LockKey, IoStatus,
        [&](PLARGE_INTEGER offset, ULONG length) { return CcCopyRead(FileObject, offset, length, Wait, Buffer, IoStatus); },
        ReadCounters{&CcFastReadNotPossible, &CcFastReadResourceMiss});
}

NTKERNELAPI BOOLEAN NTAPI FsRtlCopyWrite(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length,
                                         BOOLEAN Wait, ULONG LockKey, PVOID Buffer, PIO_STATUS_BLOCK IoStatus,
                                         PDEVICE_OBJECT DeviceObject) {
    (void)DeviceObject;
    return fast_write(FileObject, FileOffset, Length, Wait, LockKey, IoStatus,
                      [&](PLARGE_INTEGER offset, ULONG length) {
                          return CcCopyWrite(FileObject, offset, length, Wait, Buffer);
                      });
}

}  // extern "C"

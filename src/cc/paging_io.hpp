// The paging reads and writes the cache sends to a stream's file system, as Mm's page faults and its
// modified-page writer do on NT: IRP_PAGING_IO | IRP_NOCACHE | IRP_SYNCHRONOUS_PAGING_IO with an MDL
// over the cache pages, to IoGetRelatedDeviceObject(FileObject); and the lazy writer's valid-data
// notice.
#pragma once

#include <ntifs.h>

namespace ntio::cc {

// Sends one paging read or write of `length` bytes at `offset` and waits for it. A read that returns
// fewer bytes zeroes the rest (the part past the end of the file). PASSIVE_LEVEL.
// `device` is IoGetRelatedDeviceObject(file), looked up once per stream: the file object's flags
// belong to the thread using it, not to the cache.
NTSTATUS paging_io(PDEVICE_OBJECT device, PFILE_OBJECT file, bool write, void* memory, LONGLONG offset,
                   ULONG length);

// IRP_MJ_QUERY_INFORMATION or (set) IRP_MJ_SET_INFORMATION of `klass` on the file, from kernel mode,
// waited for: how the cache and Mm ask a file system a file's sizes and set them (FsRtlGetFileSize /
// FsRtlSetFileSize on NT). `advance_only`: SetFile.AdvanceOnly of an end-of-file set. PASSIVE_LEVEL.
NTSTATUS file_information(PDEVICE_OBJECT device, PFILE_OBJECT file, bool set, FILE_INFORMATION_CLASS klass,
                          void* buffer, ULONG length, bool advance_only = false);

// Tells the file system that the data up to `valid` is on disk: IRP_MJ_SET_INFORMATION,
// FileEndOfFileInformation with AdvanceOnly TRUE, as NT's lazy writer does (CcSetValidData) so that
// the file system can advance its valid data length on disk. PASSIVE_LEVEL.
NTSTATUS set_valid_data(PDEVICE_OBJECT device, PFILE_OBJECT file, LONGLONG valid);

}  // namespace ntio::cc

// The paging reads and writes the cache sends to a stream's file system, as Mm's page faults and its
// modified-page writer do on NT: IRP_PAGING_IO | IRP_NOCACHE | IRP_SYNCHRONOUS_PAGING_IO with an MDL
// over the cache pages, to IoGetRelatedDeviceObject(FileObject).
#pragma once

#include <ntifs.h>

namespace ntio::cc {

// Sends one paging read or write of `length` bytes at `offset` and waits for it. A read that returns
// fewer bytes zeroes the rest (the part past the end of the file). PASSIVE_LEVEL.
NTSTATUS paging_io(PFILE_OBJECT file, bool write, void* memory, LONGLONG offset, ULONG length);

}  // namespace ntio::cc

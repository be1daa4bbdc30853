// A paging IRP's fields (IoPageRead, IoSynchronousPageWrite, the cache manager's paging I/O): one
// IRP_MJ_READ or IRP_MJ_WRITE of `length` bytes at `offset` through `mdl`, with IRP_PAGING_IO |
// IRP_NOCACHE | IRP_SYNCHRONOUS_PAGING_IO, from kernel mode, on the caller's thread. The file is
// not referenced: the caller holds it.
#pragma once

#include <wdm.h>

namespace ntio::io {

inline void prepare_paging_irp(PIRP irp, PFILE_OBJECT file, bool write, PMDL mdl, LONGLONG offset,
                               ULONG length) noexcept {
    irp->MdlAddress = mdl;
    irp->UserBuffer = MmGetMdlVirtualAddress(mdl);
    // IRP_SYNCHRONOUS_PAGING_IO shares its bit with IRP_INPUT_OPERATION (io_constants.h).
    irp->Flags = IRP_PAGING_IO | IRP_NOCACHE | IRP_SYNCHRONOUS_PAGING_IO |
                 (write ? IRP_WRITE_OPERATION : IRP_READ_OPERATION);
    irp->RequestorMode = KernelMode;
    irp->Tail.Overlay.OriginalFileObject = file;
    irp->Tail.Overlay.Thread = PsGetCurrentThread();
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = write ? IRP_MJ_WRITE : IRP_MJ_READ;
    sp->FileObject = file;
    if (write) {
        sp->Parameters.Write.Length = length;
        sp->Parameters.Write.ByteOffset.QuadPart = offset;
    } else {
        sp->Parameters.Read.Length = length;
        sp->Parameters.Read.ByteOffset.QuadPart = offset;
    }
}

}  // namespace ntio::io

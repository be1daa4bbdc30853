// IoPageRead and IoSynchronousPageWrite: the paging I/O the memory manager sends a file's stack
// (a page-in read, the modified-page writer's write). One IRP_MJ_READ or IRP_MJ_WRITE with
// IRP_PAGING_IO | IRP_NOCACHE | IRP_SYNCHRONOUS_PAGING_IO, the caller's locked MDL as MdlAddress,
// the caller's event and IOSB as UserEvent and UserIosb; the final stage (complete_paging_io)
// writes the IOSB and sets the event whatever the status, and frees the IRP but not the MDL.
// Learn marks both routines "reserved for system use" and documents the requests a file system
// receives: https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iopageread
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iosynchronouspagewrite
// https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-read (IRP_PAGING_IO, IRP_NOCACHE)
#include "io/irp.hpp"
#include "io/objects.hpp"

namespace ntio::io {

// The final stage of a paging IRP (irp_final_stage.cpp calls it): the requester is the memory
// manager's caller, which holds the file and owns the MDL. Kernel IOSB, kernel event: plain writes.
void complete_paging_io(PIRP irp) noexcept {
    if (irp->UserIosb) *irp->UserIosb = irp->IoStatus;
    PKEVENT event = irp->UserEvent;
    irp->MdlAddress = nullptr;  // the caller's
    IoFreeIrp(irp);
    if (event) KeSetEvent(event, IO_NO_INCREMENT, FALSE);
}

}  // namespace ntio::io

namespace {

NTSTATUS page_io(PFILE_OBJECT file, PMDL mdl, PLARGE_INTEGER offset, PKEVENT event, PIO_STATUS_BLOCK iosb,
                 bool write) {
    if (!ntio::io::is_file(file) || !mdl || !offset || !event || !iosb) return STATUS_INVALID_PARAMETER;
    if (offset->QuadPart < 0) return STATUS_INVALID_PARAMETER;
    PDEVICE_OBJECT device = IoGetRelatedDeviceObject(file);
    PIRP irp = IoAllocateIrp(device->StackSize, FALSE);
    if (!irp) return STATUS_INSUFFICIENT_RESOURCES;
    const ULONG length = MmGetMdlByteCount(mdl);
    irp->MdlAddress = mdl;
    irp->UserBuffer = MmGetMdlVirtualAddress(mdl);
    irp->UserIosb = iosb;
    irp->UserEvent = event;
    // IRP_SYNCHRONOUS_PAGING_IO shares its bit with IRP_INPUT_OPERATION (io_constants.h).
    irp->Flags = IRP_PAGING_IO | IRP_NOCACHE | IRP_SYNCHRONOUS_PAGING_IO |
                 (write ? IRP_WRITE_OPERATION : IRP_READ_OPERATION);
    irp->RequestorMode = KernelMode;
    irp->Tail.Overlay.OriginalFileObject = file;  // not referenced: the caller holds the file
    irp->Tail.Overlay.Thread = PsGetCurrentThread();
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = write ? IRP_MJ_WRITE : IRP_MJ_READ;
    sp->FileObject = file;
    if (write) {
        sp->Parameters.Write.Length = length;
        sp->Parameters.Write.ByteOffset = *offset;
    } else {
        sp->Parameters.Read.Length = length;
        sp->Parameters.Read.ByteOffset = *offset;
    }
    return IoCallDriver(device, irp);
}

}  // namespace

extern "C" {

NTSTATUS NTAPI IoPageRead(PFILE_OBJECT FileObject, PMDL MemoryDescriptorList, PLARGE_INTEGER StartingOffset,
                          PKEVENT Event, PIO_STATUS_BLOCK IoStatusBlock) {
    return page_io(FileObject, MemoryDescriptorList, StartingOffset, Event, IoStatusBlock, false);
}

NTSTATUS NTAPI IoSynchronousPageWrite(PFILE_OBJECT FileObject, PMDL MemoryDescriptorList,
                                      PLARGE_INTEGER StartingOffset, PKEVENT Event,
                                      PIO_STATUS_BLOCK IoStatusBlock) {
    return page_io(FileObject, MemoryDescriptorList, StartingOffset, Event, IoStatusBlock, true);
}

}  // extern "C"

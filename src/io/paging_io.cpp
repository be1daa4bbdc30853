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
#include "io/paging_irp.hpp"

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
    ntio::io::prepare_paging_irp(irp, file, write, mdl, offset->QuadPart, length);
    irp->UserIosb = iosb;
    irp->UserEvent = event;
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

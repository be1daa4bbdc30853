// Paging I/O for the cache: one IRP per run of pages, built by hand (no IoBuild* routine makes a
// paging IRP) and taken back by its completion routine, so the MDL over cache memory stays the
// cache's and the I/O manager's final stage never touches it.
#include "cc/paging_io.hpp"

#include "io/paging_irp.hpp"

#include <cstring>

namespace ntio::cc {
namespace {

NTSTATUS NTAPI paging_io_done(PDEVICE_OBJECT, PIRP, PVOID context) {
    KeSetEvent(static_cast<PKEVENT>(context), IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

}  // namespace

NTSTATUS paging_io(PDEVICE_OBJECT device, PFILE_OBJECT file, bool write, void* memory, LONGLONG offset,
                   ULONG length) {
    PIRP irp = IoAllocateIrp(device->StackSize, FALSE);
    if (!irp) return STATUS_INSUFFICIENT_RESOURCES;
    PMDL mdl = IoAllocateMdl(memory, length, FALSE, FALSE, nullptr);
    if (!mdl) {
        IoFreeIrp(irp);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    // Cache memory is never paged out: it is described as nonpaged pool is.
    MmBuildMdlForNonPagedPool(mdl);
    KEVENT done;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    io::prepare_paging_irp(irp, file, write, mdl, offset, length);
    IoSetCompletionRoutine(irp, paging_io_done, &done, TRUE, TRUE, TRUE);
    (void)IoCallDriver(device, irp);
    KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, nullptr);
    NTSTATUS status = irp->IoStatus.Status;
    const ULONG_PTR transferred = irp->IoStatus.Information;
    irp->MdlAddress = nullptr;
    IoFreeMdl(mdl);
    IoFreeIrp(irp);
    // A page straddling the end of the file reads short; the rest of it is zero, as Mm's fault
    // leaves it. A read wholly past the end (STATUS_END_OF_FILE) is a page of zeroes.
    if (!write && (NT_SUCCESS(status) || status == STATUS_END_OF_FILE)) {
        if (transferred < length) std::memset(static_cast<char*>(memory) + transferred, 0, length - transferred);
        status = STATUS_SUCCESS;
    }
    return status;
}

NTSTATUS file_information(PDEVICE_OBJECT device, PFILE_OBJECT file, bool set, FILE_INFORMATION_CLASS klass,
                          void* buffer, ULONG length, bool advance_only) {
    PIRP irp = IoAllocateIrp(device->StackSize, FALSE);
    if (!irp) return STATUS_INSUFFICIENT_RESOURCES;
    KEVENT done;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    irp->AssociatedIrp.SystemBuffer = buffer;
    irp->Flags = IRP_SYNCHRONOUS_API;
    irp->RequestorMode = KernelMode;
    irp->Tail.Overlay.OriginalFileObject = file;
    irp->Tail.Overlay.Thread = PsGetCurrentThread();
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->FileObject = file;
    if (set) {
        sp->MajorFunction = IRP_MJ_SET_INFORMATION;
        sp->Parameters.SetFile.Length = length;
        sp->Parameters.SetFile.FileInformationClass = klass;
        sp->Parameters.SetFile.AdvanceOnly = advance_only ? TRUE : FALSE;
    } else {
        sp->MajorFunction = IRP_MJ_QUERY_INFORMATION;
        sp->Parameters.QueryFile.Length = length;
        sp->Parameters.QueryFile.FileInformationClass = klass;
    }
    IoSetCompletionRoutine(irp, paging_io_done, &done, TRUE, TRUE, TRUE);
    (void)IoCallDriver(device, irp);
    KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, nullptr);
    const NTSTATUS status = irp->IoStatus.Status;
    IoFreeIrp(irp);
    return status;
}

NTSTATUS set_valid_data(PDEVICE_OBJECT device, PFILE_OBJECT file, LONGLONG valid) {
    FILE_END_OF_FILE_INFORMATION information;
    information.EndOfFile.QuadPart = valid;
    return file_information(device, file, true, FileEndOfFileInformation, &information, sizeof(information), true);
}

}  // namespace ntio::cc

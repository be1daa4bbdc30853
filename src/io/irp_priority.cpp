// What the I/O manager answers about an IRP for its handler: the priority hint it carries
// (IoGet/SetIoPriorityHint, kept in the IRP's hidden block where NT keeps it in the IRP extension)
// and, for paging I/O, the paging priority that hint gives (IoGetPagingIoPriority),
// and whether its sender's handle grants the access an IOCTL needs (IoValidateDeviceIoControlAccess,
// from the SL_*_ACCESS_GRANTED flags the I/O manager sets on user-mode control requests).
#include "io/irp_block.hpp"

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetiopriorityhint
// An IRP whose hint was never set is a normal-priority one.
IO_PRIORITY_HINT NTAPI IoGetIoPriorityHint(PIRP Irp) {
    if (!Irp || !ntio::io::allocated_irp(Irp)) return IoPriorityNormal;
    const std::uint8_t hint = ntio::io::block_of(Irp)->priority_hint;
    return hint ? static_cast<IO_PRIORITY_HINT>(hint - 1) : IoPriorityNormal;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iosetiopriorityhint
// NT deviation: an IRP in the caller's memory (IoInitializeIrp) has no block to keep the hint in;
// NT would give it an IRP extension: STATUS_INSUFFICIENT_RESOURCES, the status of that failing.
NTSTATUS NTAPI IoSetIoPriorityHint(PIRP Irp, IO_PRIORITY_HINT PriorityHint) {
    if (!Irp || static_cast<unsigned>(PriorityHint) >= MaxIoPriorityTypes) return STATUS_INVALID_PARAMETER;
    if (!ntio::io::allocated_irp(Irp)) return STATUS_INSUFFICIENT_RESOURCES;
    ntio::io::block_of(Irp)->priority_hint = static_cast<std::uint8_t>(PriorityHint + 1);
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iogetpagingiopriority
// IoPagingPriorityInvalid for an IRP that is not paging I/O (IRP_PAGING_IO clear, or no IRP).
// Learn does not say what makes a paging IRP a high-priority one; ntio has no memory manager that
// sends paging I/O of its own, so the priority comes from the hint the sender set on the IRP
// (IoSetIoPriorityHint): High or Critical is IoPagingPriorityHigh, anything else Normal. Any IRQL.
// NT deviation: NT marks the priority of the paging I/O its memory manager issues itself.
IO_PAGING_PRIORITY NTAPI IoGetPagingIoPriority(PIRP Irp) {
    if (!Irp || !(Irp->Flags & IRP_PAGING_IO)) return IoPagingPriorityInvalid;
    return IoGetIoPriorityHint(Irp) >= IoPriorityHigh ? IoPagingPriorityHigh : IoPagingPriorityNormal;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iovalidatedeviceiocontrolaccess
// (the behaviour is WdmlibIoValidateDeviceIoControlAccess's: nf-wdmsec-wdmlibiovalidatedeviceiocontrolaccess)
NTSTATUS NTAPI IoValidateDeviceIoControlAccess(PIRP Irp, ULONG RequiredAccess) {
    if (!Irp || (RequiredAccess & ~ULONG{FILE_READ_ACCESS | FILE_WRITE_ACCESS})) return STATUS_INVALID_PARAMETER;
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    if (sp->MajorFunction != IRP_MJ_DEVICE_CONTROL && sp->MajorFunction != IRP_MJ_FILE_SYSTEM_CONTROL)
        return STATUS_INVALID_PARAMETER;
    if (Irp->RequestorMode == KernelMode) return STATUS_SUCCESS;
    if ((RequiredAccess & FILE_READ_ACCESS) && !(sp->Flags & SL_READ_ACCESS_GRANTED)) return STATUS_ACCESS_DENIED;
    if ((RequiredAccess & FILE_WRITE_ACCESS) && !(sp->Flags & SL_WRITE_ACCESS_GRANTED)) return STATUS_ACCESS_DENIED;
    return STATUS_SUCCESS;
}

}  // extern "C"

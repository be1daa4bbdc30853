// IoMakeAssociatedIrp: an IRP a driver splits a master request into. The master's
// AssociatedIrp.IrpCount (set by the driver) counts them; completion frees each associated IRP and
// completes the master when the count reaches 0 (irp_completion.cpp).
#include "io/irp.hpp"
#include "io/irp_block.hpp"

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iomakeassociatedirp: the new
// IRP has IRP_ASSOCIATED_IRP, points at its master and shares its thread and file object; the caller
// sets Irp->AssociatedIrp.IrpCount. NULL when no IRP can be allocated.
PIRP NTAPI IoMakeAssociatedIrp(PIRP Irp, CCHAR StackSize) {
    PIRP associated = ntio::io::allocate_irp(StackSize, false);
    if (!associated) return nullptr;
    associated->Flags |= IRP_ASSOCIATED_IRP;
    ntio::io::mark_built_irp(associated);
    associated->AssociatedIrp.MasterIrp = Irp;
    associated->RequestorMode = Irp->RequestorMode;
    associated->Tail.Overlay.Thread = Irp->Tail.Overlay.Thread;
    associated->Tail.Overlay.OriginalFileObject = Irp->Tail.Overlay.OriginalFileObject;
    return associated;
}

}  // extern "C"

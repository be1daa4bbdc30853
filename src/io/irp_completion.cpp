// IofCompleteRequest: the walk of irp_completion_walk.hpp, with the verifier's hooks while it is
// active (tracing alone takes the IRP log's walk), and the associated-IRP rule the walk ends with.
#include "io/irp_completion_walk.hpp"
#include "io/request_common.hpp"
#include "verifier/fast_hooks.hpp"

namespace ntio::io {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iomakeassociatedirp
void complete_associated(PIRP irp) noexcept {
    PIRP master = irp->AssociatedIrp.MasterIrp;
    release_irp_mdls(irp);
    IoFreeIrp(irp);
    if (InterlockedDecrement(&master->AssociatedIrp.IrpCount) == 0) IofCompleteRequest(master, IO_NO_INCREMENT);
}

namespace {
// A routine runs directly, or through the verifier's hook while it is active.
struct HookedRoutines {
    static NTSTATUS invoke(PIO_COMPLETION_ROUTINE routine, PDEVICE_OBJECT device, PIRP irp, PVOID context, CHAR,
                           bool) noexcept {
        return ntio::verifier::active() ? ntio::verifier::invoke_completion_routine_hooked(routine, device, irp, context)
                                        : routine(device, irp, context);
    }
};
}  // namespace

}  // namespace ntio::io

extern "C" {

VOID FASTCALL IofCompleteRequest(PIRP Irp, CCHAR PriorityBoost) {
    (void)PriorityBoost;  // host thread priorities are not boosted
    if (ntio::verifier::active()) [[unlikely]] {
        // Tracing alone (no driver verified): the records in the walk, and nothing else.
        if (ntio::verifier::trace_only()) return ntio::verifier::traced_complete_request(Irp);
        ntio::verifier::complete_request_hooked(Irp);
    }
    ntio::io::complete_request_walk<ntio::io::HookedRoutines>(Irp);
}

}  // extern "C"

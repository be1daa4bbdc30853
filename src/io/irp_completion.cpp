// IofCompleteRequest: the walk of irp_completion_walk.hpp, with the verifier's hooks when it is
// active at the entry (tracing alone takes the IRP log's walk), and the associated-IRP rule the walk
// ends with.
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
// The walk's routines while the verifier is off at IoCompleteRequest's entry: each runs directly.
struct PlainRoutines {
    static NTSTATUS invoke(PIO_COMPLETION_ROUTINE routine, PDEVICE_OBJECT device, PIRP irp, PVOID context, CHAR,
                           bool) noexcept {
        return routine(device, irp, context);
    }
};
// While it is active (and not only tracing) at the entry: each runs through the verifier's hook.
// The verifier turned on or off during one walk takes effect at the next IoCompleteRequest, as
// for a request completing while it changes.
// The walk's routines then run in one driver context for the whole walk (CompletionWalkContext).
struct HookedRoutines {
    ntio::verifier::CompletionWalkContext walk;
    NTSTATUS invoke(PIO_COMPLETION_ROUTINE routine, PDEVICE_OBJECT device, PIRP irp, PVOID context, CHAR,
                    bool) noexcept {
        return ntio::verifier::invoke_completion_routine_hooked(walk, routine, device, irp, context);
    }
};
}  // namespace

}  // namespace ntio::io

extern "C" {

VOID FASTCALL IofCompleteRequest(PIRP Irp, CCHAR PriorityBoost) {
    (void)PriorityBoost;  // host thread priorities are not boosted
    if (ntio::verifier::hooks_on()) [[unlikely]] {
        const ULONG reasons = ntio::verifier::g_hot.slow_reasons.load(std::memory_order_acquire);
        // Tracing alone (no driver verified): the records in the walk, and nothing else.
        if (ntio::verifier::trace_only(reasons)) return ntio::verifier::traced_complete_request(Irp);
        ntio::verifier::complete_request_hooked(Irp, reasons);
        return ntio::io::complete_request_walk<ntio::io::HookedRoutines>(Irp);
    }
    ntio::io::complete_request_walk<ntio::io::PlainRoutines>(Irp);
}

}  // extern "C"

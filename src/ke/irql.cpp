// Emulated per-thread IRQL. Raising and lowering only change the thread's own level; lowering
// below APC_LEVEL delivers the kernel APCs that became deliverable (DPCs run on DPC threads).
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <ctime>
#include <memory>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "ke/apc.hpp"
#include "ke/thread.hpp"
#include "verifier/verifier.hpp"

using namespace ntio::ke;

namespace {

[[gnu::always_inline]] inline KIRQL raise_irql(KIRQL NewIrql) {
    _KTHREAD* t = current_thread();
    if (!t) return PASSIVE_LEVEL;
    KIRQL old = t->m_irql;
    if (NewIrql < old) KeBugCheckEx(IRQL_NOT_GREATER_OR_EQUAL, old, NewIrql, 0, 0);
    t->m_irql = NewIrql;
    return old;
}

// Lowering to a level above the current one is fatal (Microsoft Learn, KeLowerIrql remarks);
// IRQL_NOT_LESS_OR_EQUAL is the stop code used for it here.
[[gnu::always_inline]] inline void lower_irql(KIRQL NewIrql) {
    _KTHREAD* t = current_thread();
    if (!t) return;
    KIRQL old = t->m_irql;
    if (NewIrql > old) KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, old, NewIrql, 0, 0);
    t->m_irql = NewIrql;
    if (NewIrql < APC_LEVEL && old >= APC_LEVEL) deliver_kernel_apcs_if_pending(t);
}

}  // namespace

extern "C" {

NTKERNELAPI KIRQL KeGetCurrentIrql(VOID) {
    _KTHREAD* t = current_thread();
    return t ? t->m_irql : static_cast<KIRQL>(PASSIVE_LEVEL);
}

// Each DDI with its own body: drivers raise and lower around every completion.
NTKERNELAPI KIRQL KfRaiseIrql(KIRQL NewIrql) { return raise_irql(NewIrql); }

NTKERNELAPI VOID KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql) { *OldIrql = raise_irql(NewIrql); }

NTKERNELAPI VOID KfLowerIrql(KIRQL NewIrql) { lower_irql(NewIrql); }

NTKERNELAPI VOID KeLowerIrql(KIRQL NewIrql) { lower_irql(NewIrql); }

NTKERNELAPI KIRQL KeRaiseIrqlToDpcLevel(VOID) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeDispatchLte);
    return raise_irql(DISPATCH_LEVEL);
}

NTKERNELAPI KIRQL KeRaiseIrqlToSynchLevel(VOID) { return raise_irql(SYNCH_LEVEL); }

}  // extern "C"

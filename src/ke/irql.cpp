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

using namespace ntio::ke;

extern "C" {

NTKERNELAPI KIRQL KeGetCurrentIrql(VOID) {
    _KTHREAD* t = current_thread();
    return t ? t->m_irql : static_cast<KIRQL>(PASSIVE_LEVEL);
}

NTKERNELAPI KIRQL KfRaiseIrql(KIRQL NewIrql) {
    _KTHREAD* t = current_thread();
    if (!t) return PASSIVE_LEVEL;
    KIRQL old = t->m_irql;
    if (NewIrql < old) KeBugCheckEx(IRQL_NOT_GREATER_OR_EQUAL, old, NewIrql, 0, 0);
    t->m_irql = NewIrql;
    return old;
}

NTKERNELAPI VOID KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql) { *OldIrql = KfRaiseIrql(NewIrql); }

// Lowering to a level above the current one is fatal (Microsoft Learn, KeLowerIrql remarks);
// IRQL_NOT_LESS_OR_EQUAL is the stop code used for it here.
NTKERNELAPI VOID KfLowerIrql(KIRQL NewIrql) {
    _KTHREAD* t = current_thread();
    if (!t) return;
    KIRQL old = t->m_irql;
    if (NewIrql > old) KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, old, NewIrql, 0, 0);
    t->m_irql = NewIrql;
    if (NewIrql < APC_LEVEL && old >= APC_LEVEL) deliver_kernel_apcs_if_pending(t);
}

NTKERNELAPI VOID KeLowerIrql(KIRQL NewIrql) { KfLowerIrql(NewIrql); }

NTKERNELAPI KIRQL KeRaiseIrqlToDpcLevel(VOID) { return KfRaiseIrql(DISPATCH_LEVEL); }

NTKERNELAPI KIRQL KeRaiseIrqlToSynchLevel(VOID) { return KfRaiseIrql(SYNCH_LEVEL); }

}  // extern "C"

// Calls on every processor at once: KeGenericCallDpc queues one DPC per emulated processor (each has
// its own DPC thread, so they run concurrently) and waits for all of them to signal done;
// KeSignalCallDpcSynchronize is a reusable barrier between them. KeIpiGenericCall is built on it,
// raising each call to IPI_LEVEL.
#include <atomic>
#include <memory>
#include <new>
#include <vector>

#include "host/cpu.hpp"
#include "ke/kernel.hpp"

namespace ntio::ke {
namespace {

// One KeGenericCallDpc, on the caller's stack. SystemArgument1 and SystemArgument2 both point here.
struct GenericCall {
    explicit GenericCall(unsigned n) : processors(n), remaining(static_cast<LONG>(n)), dpcs(n) {
        KeInitializeEvent(&finished, NotificationEvent, FALSE);
    }
    const unsigned processors;
    std::atomic<LONG> remaining;         // processors that have not signalled done
    std::atomic<unsigned> arrived{0};    // at the current barrier
    std::atomic<unsigned> generation{0}; // barriers completed
    KEVENT finished;
    std::atomic<bool> released{false};   // the last done's last touch
    std::vector<KDPC> dpcs;
};

struct IpiCall {
    PKIPI_BROADCAST_WORKER function;
    ULONG_PTR context;
    unsigned caller;
    ULONG_PTR result = 0;
};

VOID ipi_routine(PKDPC dpc, PVOID context, PVOID done, PVOID barrier) {
    auto* call = static_cast<IpiCall*>(context);
    KeSignalCallDpcSynchronize(barrier);  // every processor starts together, as an IPI has them
    KIRQL irql;
    KeRaiseIrql(IPI_LEVEL, &irql);
    const ULONG_PTR result = call->function(call->context);
    KeLowerIrql(irql);
    if (KeGetCurrentProcessorNumber() == call->caller) call->result = result;
    KeSignalCallDpcSynchronize(barrier);
    KeSignalCallDpcDone(done);
}

}  // namespace
}  // namespace ntio::ke

using namespace ntio::ke;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kegenericcalldpc
NTKERNELAPI VOID KeGenericCallDpc(PKDEFERRED_ROUTINE Routine, PVOID Context) {
    _KTHREAD* t = current_thread();
    if (!t || !Routine) return;
    Kernel& kernel = *t->m_kernel;
    GenericCall call(kernel.processor_count());
    for (unsigned i = 0; i < call.processors; ++i) {
        KeInitializeDpc(&call.dpcs[i], Routine, Context);
        KeSetImportanceDpc(&call.dpcs[i], HighImportance);
        insert_queue_dpc(kernel, i, &call.dpcs[i], &call, &call);
    }
    KeWaitForSingleObject(&call.finished, Executive, KernelMode, FALSE, nullptr);
    for (unsigned step = 0; !call.released.load(std::memory_order_acquire); ++step) ntio::host::spin_step(step);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kesignalcalldpcdone
NTKERNELAPI VOID KeSignalCallDpcDone(PVOID SystemArgument1) {
    auto* call = static_cast<GenericCall*>(SystemArgument1);
    if (call->remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        KeSetEvent(&call->finished, IO_NO_INCREMENT, FALSE);
        call->released.store(true, std::memory_order_release);
    }
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kesignalcalldpcsynchronize
// TRUE for the last processor to arrive, which opens the barrier for the others.
NTKERNELAPI LOGICAL KeSignalCallDpcSynchronize(PVOID SystemArgument2) {
    auto* call = static_cast<GenericCall*>(SystemArgument2);
    const unsigned generation = call->generation.load(std::memory_order_acquire);
    if (call->arrived.fetch_add(1, std::memory_order_acq_rel) + 1 == call->processors) {
        call->arrived.store(0, std::memory_order_relaxed);
        call->generation.store(generation + 1, std::memory_order_release);
        return TRUE;
    }
    for (unsigned step = 0; call->generation.load(std::memory_order_acquire) == generation; ++step)
        ntio::host::spin_step(step);
    return FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keipigenericcall
NTKERNELAPI ULONG_PTR KeIpiGenericCall(PKIPI_BROADCAST_WORKER BroadcastFunction, ULONG_PTR Context) {
    if (!BroadcastFunction) return 0;
    IpiCall call{BroadcastFunction, Context, KeGetCurrentProcessorNumber()};
    KeGenericCallDpc(&ipi_routine, &call);
    return call.result;
}

}  // extern "C"

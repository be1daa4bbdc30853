// DPCs: each emulated processor has a queue and a DPC thread at DISPATCH_LEVEL that runs them.
// KDPC.DpcData points at the processor queue while the DPC is queued, which makes "already queued"
// a single check under that queue's lock.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <ctime>
#include <memory>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "host/cpu.hpp"
#include "host/futex.hpp"
#include "ke/dispatcher.hpp"
#include "ke/dpc_processor.hpp"
#include "ke/kernel.hpp"
#include "verifier/verifier.hpp"

namespace ntio::ke {
namespace {
constexpr USHORT kTargetedProcessor = 0x8000;  // in KDPC.Number: target set by KeSetTargetProcessorDpc

inline std::atomic_ref<PVOID> dpc_data(PRKDPC dpc) noexcept { return std::atomic_ref<PVOID>(*const_cast<PVOID*>(&dpc->DpcData)); }

struct FlushContext {
    KEVENT done;
};
void flush_routine(PKDPC, PVOID context, PVOID, PVOID) {
    KeSetEvent(&static_cast<FlushContext*>(context)->done, 0, FALSE);
}
}  // namespace

void DpcProcessor::start() {
    ThreadProvider& provider = m_kernel.thread_provider();
    PEPROCESS process = provider.system_process();
    _KTHREAD* thread = provider.allocate_thread(process);
    if (!thread) KeBugCheckEx(PHASE1_INITIALIZATION_FAILED, STATUS_INSUFFICIENT_RESOURCES, m_number, 0, 0);
    initialize_thread(thread, m_kernel.system(), process);
    thread->m_is_dpc_thread = true;
    thread->m_dpc_processor = m_number;
    thread->m_irql = DISPATCH_LEVEL;
    NTSTATUS status = m_kernel.start_thread(thread, &DpcProcessor::thread_main, this);
    if (!NT_SUCCESS(status)) KeBugCheckEx(PHASE1_INITIALIZATION_FAILED, static_cast<ULONG_PTR>(status), m_number, 0, 0);
}

void DpcProcessor::request_stop() {
    bool wake;
    m_lock.lock();
    m_stop = true;
    wake = m_sleeping;
    m_sleeping = false;
    m_wake_word.store(1, std::memory_order_release);
    m_lock.unlock();
    if (wake) host::futex_wake(&m_wake_word, 1);
}

BOOLEAN DpcProcessor::insert(PRKDPC dpc, PVOID arg1, PVOID arg2) {
    bool wake;
    m_lock.lock();
    PVOID expected = nullptr;
    if (!dpc_data(dpc).compare_exchange_strong(expected, this, std::memory_order_acq_rel)) {
        m_lock.unlock();
        return FALSE;
    }
    dpc->SystemArgument1 = arg1;
    dpc->SystemArgument2 = arg2;
    dpc->DpcListEntry.Next = nullptr;
    if (dpc->Importance == HighImportance && m_head) {
        dpc->DpcListEntry.Next = m_head;
        m_head = &dpc->DpcListEntry;
    } else if (m_tail) {
        m_tail->Next = &dpc->DpcListEntry;
        m_tail = &dpc->DpcListEntry;
    } else {
        m_head = m_tail = &dpc->DpcListEntry;
    }
    wake = m_sleeping;
    m_sleeping = false;
    if (wake) m_wake_word.store(1, std::memory_order_release);
    m_lock.unlock();
    if (wake) host::futex_wake(&m_wake_word, 1);
    return TRUE;
}

BOOLEAN DpcProcessor::remove(PRKDPC dpc) {
    m_lock.lock();
    if (dpc_data(dpc).load(std::memory_order_acquire) != this) {
        m_lock.unlock();
        return FALSE;
    }
    PSINGLE_LIST_ENTRY prev = nullptr;
    for (PSINGLE_LIST_ENTRY e = m_head; e; prev = e, e = e->Next) {
        if (e != &dpc->DpcListEntry) continue;
        if (prev) prev->Next = e->Next;
        else m_head = e->Next;
        if (m_tail == e) m_tail = prev;
        break;
    }
    dpc_data(dpc).store(nullptr, std::memory_order_release);
    m_lock.unlock();
    return TRUE;
}

void DpcProcessor::for_each_queued(void (*fn)(PRKDPC dpc, void* context), void* context) {
    m_lock.lock();
    for (PSINGLE_LIST_ENTRY e = m_head; e; e = e->Next) fn(CONTAINING_RECORD(e, KDPC, DpcListEntry), context);
    m_lock.unlock();
}

void DpcProcessor::thread_main(PVOID self) { static_cast<DpcProcessor*>(self)->run(); }

void DpcProcessor::run() {
    _KTHREAD* thread = current_thread_if_any();
    for (;;) {
        m_lock.lock();
        PSINGLE_LIST_ENTRY e = m_head;
        if (!e) {
            if (m_stop) {
                m_lock.unlock();
                return;
            }
            m_sleeping = true;
            m_wake_word.store(0, std::memory_order_relaxed);
            m_lock.unlock();
            while (m_wake_word.load(std::memory_order_acquire) == 0) host::futex_wait(&m_wake_word, 0);
            continue;
        }
        m_head = e->Next;
        if (!m_head) m_tail = nullptr;
        PKDPC dpc = CONTAINING_RECORD(e, KDPC, DpcListEntry);
        PKDEFERRED_ROUTINE routine = dpc->DeferredRoutine;
        PVOID context = dpc->DeferredContext;
        PVOID arg1 = dpc->SystemArgument1;
        PVOID arg2 = dpc->SystemArgument2;
        // Cleared before the routine runs so that it may queue itself again.
        dpc_data(dpc).store(nullptr, std::memory_order_release);
        m_lock.unlock();
        thread->m_executing_dpc = true;
        {
            ntio::verifier::DpcScope verifier_scope(dpc);  // the DPC's driver is the context driver
            routine(dpc, context, arg1, arg2);
        }
        thread->m_executing_dpc = false;
        thread->m_irql = DISPATCH_LEVEL;
    }
}

BOOLEAN insert_queue_dpc(Kernel& kernel, unsigned processor, PRKDPC dpc, PVOID arg1, PVOID arg2) {
    return kernel.dpc_processor(processor % kernel.processor_count()).insert(dpc, arg1, arg2);
}

unsigned dpc_processor_for(Kernel& kernel, PRKDPC dpc) noexcept {
    return (dpc->Number & kTargetedProcessor) ? (dpc->Number & ~kTargetedProcessor) : current_processor(kernel);
}

unsigned current_processor(Kernel& kernel) noexcept {
    _KTHREAD* t = current_thread_if_any();
    if (t && t->m_is_dpc_thread) return t->m_dpc_processor;
    const unsigned here = host::current_cpu() % kernel.processor_count();
    // A system affinity keeps the thread's processor number inside the set: the host processor's
    // when it is in the set, else the set's lowest (the host scheduler is not constrained).
    if (t && t->m_system_affinity != 0 && here < 64 && !(t->m_system_affinity & (KAFFINITY{1} << here)))
        return static_cast<unsigned>(__builtin_ctzll(t->m_system_affinity));
    return here;
}

}  // namespace ntio::ke

using namespace ntio::ke;

extern "C" {

NTKERNELAPI VOID KeInitializeDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext) {
    if (ntio::verifier::active()) [[unlikely]] ntio::verifier::on_initialize_dpc(Dpc);
    Dpc->TargetInfoAsUlong = 0;
    Dpc->Type = DpcObject;
    Dpc->Importance = MediumImportance;
    Dpc->Number = 0;
    Dpc->DpcListEntry.Next = nullptr;
    Dpc->ProcessorHistory = 0;
    Dpc->DeferredRoutine = DeferredRoutine;
    Dpc->DeferredContext = DeferredContext;
    Dpc->SystemArgument1 = Dpc->SystemArgument2 = nullptr;
    Dpc->DpcData = nullptr;
}

// NT deviation: threaded DPCs run on the DPC thread at DISPATCH_LEVEL like ordinary DPCs (their
// contract allows either level).
NTKERNELAPI VOID KeInitializeThreadedDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext) {
    KeInitializeDpc(Dpc, DeferredRoutine, DeferredContext);
    Dpc->Type = ThreadedDpcObject;
}

NTKERNELAPI BOOLEAN KeInsertQueueDpc(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2) {
    if (ntio::verifier::active()) [[unlikely]] ntio::verifier::on_queue_dpc(Dpc);
    _KTHREAD* t = current_thread();
    if (!t) return FALSE;
    Kernel& kernel = *t->m_kernel;
    return insert_queue_dpc(kernel, dpc_processor_for(kernel, Dpc), Dpc, SystemArgument1, SystemArgument2);
}

NTKERNELAPI BOOLEAN KeRemoveQueueDpc(PRKDPC Dpc) {
    auto* processor = static_cast<DpcProcessor*>(dpc_data(Dpc).load(std::memory_order_acquire));
    return processor ? processor->remove(Dpc) : FALSE;
}

NTKERNELAPI VOID KeSetImportanceDpc(PRKDPC Dpc, KDPC_IMPORTANCE Importance) {
    Dpc->Importance = static_cast<UCHAR>(Importance);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kesettargetprocessordpc: a
// Number below the count of active processors in group 0 targets that processor; otherwise the
// DPC's target is not changed.
NTKERNELAPI VOID KeSetTargetProcessorDpc(PRKDPC Dpc, CCHAR Number) {
    if (static_cast<UCHAR>(Number) >= KeQueryActiveProcessorCountEx(0)) return;
    Dpc->Number = static_cast<USHORT>(kTargetedProcessor | static_cast<UCHAR>(Number));
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kesettargetprocessordpcex
// STATUS_INVALID_PARAMETER for a processor the system does not have (one group: group 0 only).
NTKERNELAPI NTSTATUS KeSetTargetProcessorDpcEx(PKDPC Dpc, PPROCESSOR_NUMBER ProcNumber) {
    const ULONG index = KeGetProcessorIndexFromNumber(ProcNumber);
    if (index == INVALID_PROCESSOR_INDEX) return STATUS_INVALID_PARAMETER;
    KeSetTargetProcessorDpc(Dpc, static_cast<CCHAR>(index));
    return STATUS_SUCCESS;
}

NTKERNELAPI VOID KeFlushQueuedDpcs(VOID) {
    _KTHREAD* t = current_thread();
    if (!t) return;
    Kernel& kernel = *t->m_kernel;
    for (unsigned i = 0; i < kernel.processor_count(); ++i) {
        FlushContext flush;
        KDPC dpc;
        KeInitializeEvent(&flush.done, NotificationEvent, FALSE);
        KeInitializeDpc(&dpc, &flush_routine, &flush);
        insert_queue_dpc(kernel, i, &dpc, nullptr, nullptr);
        KeWaitForSingleObject(&flush.done, Executive, KernelMode, FALSE, nullptr);
    }
}

}  // extern "C"

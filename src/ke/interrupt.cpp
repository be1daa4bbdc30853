// The interrupt controller of a System (no hardware: NtioRaiseInterrupt asserts a vector), the
// synchronization routines a driver uses against its ISR (KeSynchronizeExecution, the interrupt spin
// lock), and NMI callbacks (NtioRaiseNmi simulates an NMI).
//
// NT deviation: the ISR runs on the thread that raised the interrupt, after that thread raised its
// IRQL to the interrupt's SynchronizeIrql and took the interrupt spin lock; Windows runs it on the
// processor that took the interrupt, in the context of whatever thread was running there (also an
// arbitrary thread), and only on a processor of the interrupt's affinity. An interrupt can only be
// raised at IRQL <= DISPATCH_LEVEL (below every DIRQL, so it is never masked), so the raising thread
// holds no interrupt spin lock; it must hold no other lock an ISR takes either.
#include "ke/interrupt.hpp"

#include "host/cpu.hpp"
#include "ke/kernel.hpp"
#include "ke/spin_lock.hpp"
#include "ke/thread.hpp"
#include "verifier/verifier.hpp"
#include <ntio/ntio.h>

namespace ntio::ke {

// ---- Gate ----

void InterruptController::Gate::enter_shared() noexcept {
    for (unsigned step = 0;; ++step) {
        std::uint32_t word = m_word.load(std::memory_order_relaxed);
        if (!(word & kWriter) &&
            m_word.compare_exchange_weak(word, word + 1, std::memory_order_acquire, std::memory_order_relaxed))
            return;
        host::spin_step(step);
    }
}

void InterruptController::Gate::leave_shared() noexcept { m_word.fetch_sub(1, std::memory_order_release); }

void InterruptController::Gate::enter_exclusive() noexcept {
    m_word.fetch_or(kWriter, std::memory_order_acquire);
    for (unsigned step = 0; m_word.load(std::memory_order_acquire) != kWriter; ++step) host::spin_step(step, 16);
}

void InterruptController::Gate::leave_exclusive() noexcept { m_word.store(0, std::memory_order_release); }

// ---- Connection ----

NTSTATUS InterruptController::connect(_KINTERRUPT* interrupt) {
    const ULONG vector = interrupt->vector;
    if (!is_device_vector(vector) || interrupt->irql != vector_irql(vector)) return STATUS_INVALID_PARAMETER;
    if (interrupt->synchronize_irql < interrupt->irql || interrupt->synchronize_irql > HIGH_LEVEL)
        return STATUS_INVALID_PARAMETER;
    KAFFINITY active = 0;
    (void)KeQueryActiveProcessorCount(&active);
    if (!(interrupt->affinity & active)) return STATUS_INVALID_PARAMETER;
    std::lock_guard guard(m_connect_lock);
    Vector& v = m_vectors[vector];
    // KeConnectInterrupt's rule: a vector takes a second interrupt object only when both share it
    // and have the same mode; otherwise the connection fails (IoConnectInterrupt's
    // STATUS_INVALID_PARAMETER).
    _KINTERRUPT** tail = &v.head;
    for (_KINTERRUPT* k = v.head; k; k = k->next) {
        if (k == interrupt) return STATUS_INVALID_PARAMETER;
        if (!k->share_vector || !interrupt->share_vector || k->mode != interrupt->mode) return STATUS_INVALID_PARAMETER;
        tail = &k->next;
    }
    interrupt->controller = this;
    interrupt->next = nullptr;
    v.gate.enter_exclusive();
    *tail = interrupt;
    v.gate.leave_exclusive();
    return STATUS_SUCCESS;
}

void InterruptController::disconnect(_KINTERRUPT* interrupt) {
    std::lock_guard guard(m_connect_lock);
    if (interrupt->controller != this || interrupt->vector >= kVectors) return;
    Vector& v = m_vectors[interrupt->vector];
    // Exclusive entry waits for the deliveries in flight on the vector: none can still be calling
    // the ISR afterwards, and later ones no longer find it on the chain.
    v.gate.enter_exclusive();
    for (_KINTERRUPT** link = &v.head; *link; link = &(*link)->next) {
        if (*link == interrupt) {
            *link = interrupt->next;
            break;
        }
    }
    v.gate.leave_exclusive();
    interrupt->next = nullptr;
    interrupt->controller = nullptr;
}

// ---- Delivery ----

namespace {

// One ISR call: at the interrupt's SynchronizeIrql with its spin lock held, the soft-connect state
// read under the lock (IoReportInterruptInactive takes the lock after clearing it, so an inactive
// ISR is not called once that returns). *called: the ISR ran.
BOOLEAN call_isr(_KINTERRUPT* k, bool* called) {
    const KIRQL old = KfRaiseIrql(k->synchronize_irql);
    acquire_spin_lock(k->lock);
    BOOLEAN claimed = FALSE;
    *called = k->active.load(std::memory_order_relaxed);
    if (*called) {
        claimed = k->message_routine ? k->message_routine(k, k->service_context, k->message_id)
                                     : k->service_routine(k, k->service_context);
    }
    release_spin_lock(k->lock);
    KfLowerIrql(old);
    return claimed;
}

}  // namespace

NTSTATUS InterruptController::deliver(ULONG vector) {
    if (vector >= kVectors) return STATUS_INVALID_PARAMETER;
    Vector& v = m_vectors[vector];
    bool any = false;
    bool claimed = false;
    v.gate.enter_shared();
    for (_KINTERRUPT* k = v.head; k; k = k->next) {
        if (!k->active.load(std::memory_order_acquire)) continue;
        bool called = false;
        const BOOLEAN handled = call_isr(k, &called);
        any = any || called;
        if (!handled) continue;
        claimed = true;
        // ntio's reading of a chained dispatch: a level-sensitive line stays asserted while a
        // device needs service, so the first ISR that claims it ends the pass; a latched (edge)
        // interrupt may stand for several devices at once, so every ISR of the chain gets its turn.
        if (k->mode == LevelSensitive) break;
    }
    v.gate.leave_shared();
    if (claimed) return STATUS_SUCCESS;
    return any ? STATUS_UNSUCCESSFUL : STATUS_NOT_FOUND;
}

// ---- Contexts ----

void InterruptController::remember_context(const void* context, ULONG version) {
    std::lock_guard guard(m_connect_lock);
    m_contexts[context] = version;
}

bool InterruptController::forget_context(const void* context, ULONG version) {
    std::lock_guard guard(m_connect_lock);
    auto it = m_contexts.find(context);
    if (it == m_contexts.end() || it->second != version) return false;
    m_contexts.erase(it);
    return true;
}

bool InterruptController::has_context(const void* context, ULONG version) {
    std::lock_guard guard(m_connect_lock);
    auto it = m_contexts.find(context);
    return it != m_contexts.end() && it->second == version;
}

// ---- NMI ----

PVOID InterruptController::register_nmi(PNMI_CALLBACK routine, PVOID context) {
    auto* nmi = static_cast<Nmi*>(ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(Nmi), 'imNK'));
    if (!nmi) return nullptr;
    nmi->routine = routine;
    nmi->context = context;
    std::lock_guard guard(m_nmi_lock);
    m_nmi_gate.enter_exclusive();
    nmi->next = m_nmi_head;
    m_nmi_head = nmi;
    m_nmi_gate.leave_exclusive();
    return nmi;
}

NTSTATUS InterruptController::deregister_nmi(PVOID handle) {
    Nmi* found = nullptr;
    {
        std::lock_guard guard(m_nmi_lock);
        // Exclusive entry waits for an NMI in flight, which may be calling this callback.
        m_nmi_gate.enter_exclusive();
        for (Nmi** link = &m_nmi_head; *link; link = &(*link)->next) {
            if (*link == handle) {
                found = *link;
                *link = found->next;
                break;
            }
        }
        m_nmi_gate.leave_exclusive();
    }
    if (!found) return STATUS_INVALID_HANDLE;
    ExFreePoolWithTag(found, 'imNK');
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keregisternmicallback: each
// callback in reverse order of registration; Handled is TRUE for those after one that returned TRUE.
bool InterruptController::deliver_nmi() {
    KIRQL old = PASSIVE_LEVEL;
    KeRaiseIrql(HIGH_LEVEL, &old);
    BOOLEAN handled = FALSE;
    m_nmi_gate.enter_shared();
    for (Nmi* nmi = m_nmi_head; nmi; nmi = nmi->next)
        if (nmi->routine(nmi->context, handled)) handled = TRUE;
    m_nmi_gate.leave_shared();
    KeLowerIrql(old);
    return handled != FALSE;
}

InterruptController* current_interrupt_controller() noexcept {
    _KTHREAD* t = current_thread();
    return t && t->m_kernel ? &t->m_kernel->interrupts() : nullptr;
}

}  // namespace ntio::ke

using namespace ntio::ke;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kesynchronizeexecution
NTKERNELAPI BOOLEAN NTAPI KeSynchronizeExecution(PKINTERRUPT Interrupt, PKSYNCHRONIZE_ROUTINE SynchronizeRoutine,
                                                 PVOID SynchronizeContext) {
    const KIRQL old = KfRaiseIrql(Interrupt->synchronize_irql);
    acquire_spin_lock(Interrupt->lock);
    const BOOLEAN result = SynchronizeRoutine(SynchronizeContext);
    release_spin_lock(Interrupt->lock);
    KfLowerIrql(old);
    return result;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keacquireinterruptspinlock
NTKERNELAPI KIRQL NTAPI KeAcquireInterruptSpinLock(PKINTERRUPT Interrupt) {
    const KIRQL old = KfRaiseIrql(Interrupt->synchronize_irql);
    acquire_spin_lock(Interrupt->lock);
    return old;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kereleaseinterruptspinlock
NTKERNELAPI VOID NTAPI KeReleaseInterruptSpinLock(PKINTERRUPT Interrupt, KIRQL OldIrql) {
    release_spin_lock(Interrupt->lock);
    KfLowerIrql(OldIrql);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keregisternmicallback
NTKERNELAPI PVOID NTAPI KeRegisterNmiCallback(PNMI_CALLBACK CallbackRoutine, PVOID Context) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeApcLte2);
    InterruptController* controller = current_interrupt_controller();
    if (!controller || !CallbackRoutine) return nullptr;
    return controller->register_nmi(CallbackRoutine, Context);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kederegisternmicallback
NTKERNELAPI NTSTATUS NTAPI KeDeregisterNmiCallback(PVOID Handle) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeApcLte2);
    InterruptController* controller = current_interrupt_controller();
    if (!controller || !Handle) return STATUS_INVALID_HANDLE;
    return controller->deregister_nmi(Handle);
}

NTIO_API NTSTATUS NtioRaiseInterrupt(ULONG Vector) {
    const KIRQL irql = KeGetCurrentIrql();
    if (irql > DISPATCH_LEVEL) KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, 0, irql, 0, reinterpret_cast<ULONG_PTR>(&NtioRaiseInterrupt));
    InterruptController* controller = current_interrupt_controller();
    if (!controller) return STATUS_INVALID_DEVICE_STATE;
    return controller->deliver(Vector);
}

// The HAL's default NMI handler stops the system when no callback handled the NMI.
NTIO_API VOID NtioRaiseNmi(VOID) {
    InterruptController* controller = current_interrupt_controller();
    if (!controller || !controller->deliver_nmi()) KeBugCheckEx(NMI_HARDWARE_FAILURE, 0, 0, 0, 0);
}

}  // extern "C"

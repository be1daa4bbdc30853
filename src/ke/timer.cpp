// Timers: KeSetTimer(Ex) arms a KTIMER on the calling kernel's timer engine; the engine thread
// expires due timers in order: signal (notification timers stay signalled, synchronization timers
// release one waiter), queue the DPC, re-arm periodic ones. One process-wide mutex guards every
// engine's list so KeCancelTimer needs no back pointer from the timer to its engine.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <ctime>
#include <memory>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "host/clock.hpp"
#include "host/futex.hpp"
#include "ke/dispatcher.hpp"
#include "ke/kernel.hpp"
#include "ke/timer_engine.hpp"
#include "verifier/verifier.hpp"

namespace ntio::ke {
namespace {

std::mutex& timer_lock() {
    static std::mutex lock;
    return lock;
}

// Armed <=> TimerListEntry is linked (Flink non-null); guarded by timer_lock().
inline bool armed(PKTIMER timer) noexcept { return timer->TimerListEntry.Flink != nullptr; }
inline void disarm_locked(PKTIMER timer) noexcept {
    RemoveEntryList(&timer->TimerListEntry);
    timer->TimerListEntry.Flink = timer->TimerListEntry.Blink = nullptr;
}

}  // namespace

TimerEngine::TimerEngine(Kernel& kernel) : m_kernel(kernel) { InitializeListHead(&m_timers); }

void TimerEngine::start() {
    m_stop = false;
    NTSTATUS status = m_thread.start(&TimerEngine::thread_main, this);
    if (!NT_SUCCESS(status)) KeBugCheckEx(PHASE1_INITIALIZATION_FAILED, static_cast<ULONG_PTR>(status), 0, 0, 0);
}

void TimerEngine::stop() {
    {
        std::lock_guard guard(timer_lock());
        m_stop = true;
        m_wake_word.store(1, std::memory_order_release);
    }
    host::futex_wake(&m_wake_word, 1);
    m_thread.join();
    std::lock_guard guard(timer_lock());
    while (!IsListEmpty(&m_timers)) disarm_locked(CONTAINING_RECORD(m_timers.Flink, KTIMER, TimerListEntry));
}

void TimerEngine::insert_sorted_locked(PKTIMER timer) {
    PLIST_ENTRY e = m_timers.Flink;
    while (e != &m_timers && CONTAINING_RECORD(e, KTIMER, TimerListEntry)->DueTime.QuadPart <= timer->DueTime.QuadPart)
        e = e->Flink;
    InsertTailList(e, &timer->TimerListEntry);  // just before `e`
}

BOOLEAN TimerEngine::set(PKTIMER timer, LARGE_INTEGER due_time, LONG period, PKDPC dpc, unsigned processor) {
    const std::uint64_t now = host::interrupt_time();
    std::uint64_t due;
    if (due_time.QuadPart < 0) {
        due = now + static_cast<std::uint64_t>(-due_time.QuadPart);
    } else {
        // Absolute system time, converted once (NT deviation: later clock changes do not move it).
        std::int64_t delta = due_time.QuadPart - host::system_time();
        due = delta > 0 ? now + static_cast<std::uint64_t>(delta) : now;
    }
    bool wake;
    BOOLEAN was_armed;
    {
        std::lock_guard guard(timer_lock());
        was_armed = armed(timer) ? TRUE : FALSE;
        if (was_armed) disarm_locked(timer);
        exchange_state(&timer->Header, 0);
        timer->DueTime.QuadPart = due;
        timer->Period = static_cast<ULONG>(period > 0 ? period : 0);
        timer->Dpc = dpc;
        timer->Processor = static_cast<USHORT>(processor);
        insert_sorted_locked(timer);
        wake = m_timers.Flink == &timer->TimerListEntry;
        if (wake) m_wake_word.store(1, std::memory_order_release);
    }
    if (wake) host::futex_wake(&m_wake_word, 1);
    return was_armed;
}

BOOLEAN TimerEngine::cancel(PKTIMER timer) {
    std::lock_guard guard(timer_lock());
    if (!armed(timer)) return FALSE;
    disarm_locked(timer);
    return TRUE;
}

void TimerEngine::for_each_armed(void (*fn)(PKTIMER timer, void* context), void* context) {
    std::lock_guard guard(timer_lock());
    for (PLIST_ENTRY e = m_timers.Flink; e != &m_timers; e = e->Flink) fn(CONTAINING_RECORD(e, KTIMER, TimerListEntry), context);
}

void TimerEngine::thread_main(void* self) { static_cast<TimerEngine*>(self)->run(); }

void TimerEngine::run() {
    for (;;) {
        std::uint64_t next_due = 0;
        bool have_next = false;
        {
            std::lock_guard guard(timer_lock());
            if (m_stop) return;
            m_wake_word.store(0, std::memory_order_relaxed);
            const std::uint64_t now = host::interrupt_time();
            while (!IsListEmpty(&m_timers)) {
                PKTIMER timer = CONTAINING_RECORD(m_timers.Flink, KTIMER, TimerListEntry);
                if (timer->DueTime.QuadPart > now) break;
                disarm_locked(timer);
                PKDPC dpc = timer->Dpc;
                unsigned processor = timer->Processor;
                if (timer->Period) {
                    std::uint64_t step = static_cast<std::uint64_t>(timer->Period) * 10000;
                    std::uint64_t due = timer->DueTime.QuadPart + step;
                    timer->DueTime.QuadPart = due > now ? due : now + step;
                    insert_sorted_locked(timer);
                }
                // The DPC gets the expiry time as its system arguments, like NT.
                LARGE_INTEGER at;
                at.QuadPart = host::system_time();
                set_signalled(&timer->Header);
                if (dpc)
                    insert_queue_dpc(m_kernel, processor, dpc, reinterpret_cast<PVOID>(static_cast<ULONG_PTR>(at.LowPart)),
                                     reinterpret_cast<PVOID>(static_cast<LONG_PTR>(at.HighPart)));
            }
            if (!IsListEmpty(&m_timers)) {
                have_next = true;
                next_due = CONTAINING_RECORD(m_timers.Flink, KTIMER, TimerListEntry)->DueTime.QuadPart;
            }
        }
        host::Deadline deadline = host::deadline_from_interrupt_time(next_due);
        host::futex_wait(&m_wake_word, 0, have_next ? &deadline : nullptr);
    }
}

bool timer_armed(PKTIMER timer) noexcept {
    std::lock_guard guard(timer_lock());
    return armed(timer);
}

ULONGLONG timer_due_time(PKTIMER timer) noexcept {
    std::lock_guard guard(timer_lock());
    return timer->DueTime.QuadPart;
}

}  // namespace ntio::ke

using namespace ntio::ke;

extern "C" {

NTKERNELAPI VOID KeInitializeTimerEx(PKTIMER Timer, TIMER_TYPE Type) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeDispatchLte);
    initialize_header(&Timer->Header,
                      Type == SynchronizationTimer ? TimerSynchronizationObject : TimerNotificationObject,
                      static_cast<UCHAR>(sizeof(KTIMER) / sizeof(LONG)), 0);
    Timer->DueTime.QuadPart = 0;
    Timer->TimerListEntry.Flink = Timer->TimerListEntry.Blink = nullptr;
    Timer->Dpc = nullptr;
    Timer->Processor = 0;
    Timer->TimerType = static_cast<USHORT>(Type);
    Timer->Period = 0;
}

NTKERNELAPI VOID KeInitializeTimer(PKTIMER Timer) { KeInitializeTimerEx(Timer, NotificationTimer); }

NTKERNELAPI BOOLEAN KeSetTimerEx(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeDispatchLte);
    if (ntio::verifier::active()) [[unlikely]] ntio::verifier::on_queue_dpc(Dpc);
    _KTHREAD* t = current_thread();
    if (!t) return FALSE;
    // The DPC goes to its KeSetTargetProcessorDpc target, as KeInsertQueueDpc would send it.
    const unsigned processor = Dpc ? dpc_processor_for(*t->m_kernel, Dpc) : current_processor(*t->m_kernel);
    return t->m_kernel->timers().set(Timer, DueTime, Period, Dpc, processor);
}

NTKERNELAPI BOOLEAN KeSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, PKDPC Dpc) {
    return KeSetTimerEx(Timer, DueTime, 0, Dpc);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kesetcoalescabletimer: each
// expiration may come up to TolerableDelay ms late so that the system can coalesce timers; ntio has
// no tick to align them to and fires at the due time, which the tolerance allows. A Period above
// MAXLONG, which the page forbids, is taken as MAXLONG.
NTKERNELAPI BOOLEAN KeSetCoalescableTimer(PKTIMER Timer, LARGE_INTEGER DueTime, ULONG Period, ULONG TolerableDelay,
                                          PKDPC Dpc) {
    (void)TolerableDelay;
    const LONG period = Period > static_cast<ULONG>(MAXLONG) ? MAXLONG : static_cast<LONG>(Period);
    return KeSetTimerEx(Timer, DueTime, period, Dpc);
}

NTKERNELAPI BOOLEAN KeCancelTimer(PKTIMER Timer) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeDispatchLte);
    return TimerEngine::cancel(Timer);
}

NTKERNELAPI BOOLEAN KeReadStateTimer(PKTIMER Timer) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeDispatchLte);
    return state_of(&Timer->Header) > 0 ? TRUE : FALSE;
}

}  // extern "C"

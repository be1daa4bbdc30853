// System-allocated timers (ExAllocateTimer, ExSetTimer, ExCancelTimer, ExDeleteTimer) over a KTIMER
// and its DPC. Periods are in 100 ns units, finer than KTIMER's milliseconds, so the expiry DPC
// re-arms the KTIMER itself from the due time it expired at. Every DPC of an EX_TIMER targets
// processor 0: the DPC that frees a deleted timer then runs after every expiry DPC queued before it,
// on the same thread, so no expiry can touch the timer once it is freed.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/exxxxtimer-routines-and-ex-timer-objects
#include <atomic>
#include <new>

#include <wdm.h>

#include "host/cpu.hpp"
#include "ke/kernel.hpp"

struct _EX_TIMER {
    KTIMER timer;  // first: drivers wait on the EX_TIMER pointer itself
    KDPC expiry;
    KDPC reaper;
    PEXT_CALLBACK callback;
    PVOID context;
    ULONG attributes;
    KSPIN_LOCK lock;  // guards what follows
    LONGLONG period;
    ULONGLONG due;    // interrupt time of the latest arming
    bool periodic;    // re-arm after each expiry (cleared by cancel and delete)
    bool deleting;
    bool reaper_queued;
    PEXT_DELETE_CALLBACK delete_callback;
    PVOID delete_context;
    struct DeleteWait* waiter;
};

namespace ntio::ex {
namespace {

constexpr ULONG kValidAttributes = EX_TIMER_HIGH_RESOLUTION | EX_TIMER_NO_WAKE | EX_TIMER_NOTIFICATION;
constexpr CCHAR kTimerProcessor = 0;

}  // namespace
}  // namespace ntio::ex

// A waiting ExDeleteTimer's block, on its stack; `released` is the reaper's last touch.
struct DeleteWait {
    KEVENT done;
    std::atomic<bool> released{false};
};

namespace ntio::ex {
namespace {

[[noreturn]] void invalid_argument(PEX_TIMER timer, ULONG_PTR what) {
    KeBugCheckEx(KERNEL_SECURITY_CHECK_FAILURE, FAST_FAIL_INVALID_ARG, reinterpret_cast<ULONG_PTR>(timer), what, 0);
}

// Arms the KTIMER to expire at interrupt time `due`; TRUE if it was armed before. Timer lock held.
BOOLEAN arm_locked(PEX_TIMER timer, ULONGLONG due) {
    const ULONGLONG now = KeQueryInterruptTime();
    LARGE_INTEGER relative;
    relative.QuadPart = due > now ? -static_cast<LONGLONG>(due - now) : -1;
    timer->due = due;
    return KeSetTimer(&timer->timer, relative, &timer->expiry);
}

// Queues the reaper once the timer can no longer expire. Timer lock held.
void reap_if_idle_locked(PEX_TIMER timer) {
    if (!timer->deleting || timer->reaper_queued || ntio::ke::timer_armed(&timer->timer)) return;
    timer->reaper_queued = true;
    KeInsertQueueDpc(&timer->reaper, nullptr, nullptr);
}

VOID expiry_routine(PKDPC, PVOID context, PVOID, PVOID) {
    auto* timer = static_cast<PEX_TIMER>(context);
    KeAcquireSpinLockAtDpcLevel(&timer->lock);
    if (timer->periodic && !timer->deleting && !ntio::ke::timer_armed(&timer->timer)) {
        // Missed periods are skipped rather than fired in a burst.
        const ULONGLONG now = KeQueryInterruptTime();
        ULONGLONG next = timer->due + static_cast<ULONGLONG>(timer->period);
        if (next <= now) next = now + static_cast<ULONGLONG>(timer->period);
        arm_locked(timer, next);
    }
    PEXT_CALLBACK callback = timer->callback;
    PVOID callback_context = timer->context;
    KeReleaseSpinLockFromDpcLevel(&timer->lock);
    if (callback) callback(timer, callback_context);
    KeAcquireSpinLockAtDpcLevel(&timer->lock);
    reap_if_idle_locked(timer);
    KeReleaseSpinLockFromDpcLevel(&timer->lock);
}

VOID reaper_routine(PKDPC, PVOID context, PVOID, PVOID) {
    auto* timer = static_cast<PEX_TIMER>(context);
    // The thread that queued this DPC did so holding the timer's lock, and may still be releasing
    // it: the lock is taken and dropped once more before the timer's memory goes.
    KeAcquireSpinLockAtDpcLevel(&timer->lock);
    KeReleaseSpinLockFromDpcLevel(&timer->lock);
    PEXT_DELETE_CALLBACK delete_callback = timer->delete_callback;
    PVOID delete_context = timer->delete_context;
    DeleteWait* waiter = timer->waiter;
    timer->~_EX_TIMER();
    ExFreePoolWithTag(timer, 'rTxE');
    if (delete_callback) delete_callback(delete_context);
    if (waiter) {
        KeSetEvent(&waiter->done, IO_NO_INCREMENT, FALSE);
        waiter->released.store(true, std::memory_order_release);
    }
}

}  // namespace
}  // namespace ntio::ex

using namespace ntio::ex;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exallocatetimer
// Unknown attribute bits get NULL.
NTKERNELAPI PEX_TIMER NTAPI ExAllocateTimer(PEXT_CALLBACK Callback, PVOID CallbackContext, ULONG Attributes) {
    if ((Attributes & EX_TIMER_HIGH_RESOLUTION) && (Attributes & EX_TIMER_NO_WAKE)) invalid_argument(nullptr, Attributes);
    if (Attributes & ~kValidAttributes) return nullptr;
    void* memory = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(_EX_TIMER), 'rTxE');
    if (!memory) return nullptr;
    auto* timer = new (memory) _EX_TIMER{};
    KeInitializeTimerEx(&timer->timer, (Attributes & EX_TIMER_NOTIFICATION) ? NotificationTimer : SynchronizationTimer);
    KeInitializeDpc(&timer->expiry, &expiry_routine, timer);
    KeSetTargetProcessorDpc(&timer->expiry, kTimerProcessor);
    KeInitializeDpc(&timer->reaper, &reaper_routine, timer);
    KeSetTargetProcessorDpc(&timer->reaper, kTimerProcessor);
    KeInitializeSpinLock(&timer->lock);
    timer->callback = Callback;
    timer->context = CallbackContext;
    timer->attributes = Attributes;
    return timer;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exsettimer
// NoWakeTolerance is accepted and not used: ntio's timers never delay an expiry to save power.
NTKERNELAPI BOOLEAN NTAPI ExSetTimer(PEX_TIMER Timer, LONGLONG DueTime, LONGLONG Period, PEXT_SET_PARAMETERS Parameters) {
    if (!Timer) return FALSE;
    if ((Timer->attributes & EX_TIMER_HIGH_RESOLUTION) && DueTime >= 0) invalid_argument(Timer, 1);
    if (Period < 0 || Period > MAXLONG) invalid_argument(Timer, 2);
    const ULONGLONG now = KeQueryInterruptTime();
    ULONGLONG due;
    if (DueTime < 0) {
        due = now + static_cast<ULONGLONG>(-DueTime);
    } else {
        LARGE_INTEGER system;
        KeQuerySystemTime(&system);
        due = DueTime > system.QuadPart ? now + static_cast<ULONGLONG>(DueTime - system.QuadPart) : now;
    }
    KIRQL irql;
    KeAcquireSpinLock(&Timer->lock, &irql);
    if (Timer->deleting) {
        KeReleaseSpinLock(&Timer->lock, irql);
        return FALSE;
    }
    Timer->period = Period;
    Timer->periodic = Period != 0;
    const BOOLEAN was_set = arm_locked(Timer, due);
    KeReleaseSpinLock(&Timer->lock, irql);
    return was_set;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-excanceltimer
// An expiry whose callback is queued but has not run is not cancelled (FALSE, as on NT).
NTKERNELAPI BOOLEAN NTAPI ExCancelTimer(PEX_TIMER Timer, PEXT_CANCEL_PARAMETERS Parameters) {
    if (!Timer) return FALSE;
    KIRQL irql;
    KeAcquireSpinLock(&Timer->lock, &irql);
    Timer->periodic = false;
    const BOOLEAN cancelled = KeCancelTimer(&Timer->timer);
    KeReleaseSpinLock(&Timer->lock, irql);
    return cancelled;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exdeletetimer
// Cancel FALSE on a set timer: it expires once more (a periodic one does not re-arm), then goes.
NTKERNELAPI BOOLEAN NTAPI ExDeleteTimer(PEX_TIMER Timer, BOOLEAN Cancel, BOOLEAN Wait, PEXT_DELETE_PARAMETERS Parameters) {
    if (!Timer) return FALSE;
    if (Wait && !Cancel) invalid_argument(Timer, 3);
    DeleteWait waiter;
    if (Wait) KeInitializeEvent(&waiter.done, NotificationEvent, FALSE);
    KIRQL irql;
    KeAcquireSpinLock(&Timer->lock, &irql);
    Timer->deleting = true;
    Timer->periodic = false;
    if (Parameters) {
        Timer->delete_callback = Parameters->DeleteCallback;
        Timer->delete_context = Parameters->DeleteContext;
    }
    if (Wait) Timer->waiter = &waiter;
    const BOOLEAN cancelled = Cancel ? KeCancelTimer(&Timer->timer) : FALSE;
    reap_if_idle_locked(Timer);
    KeReleaseSpinLock(&Timer->lock, irql);
    if (Wait) {
        KeWaitForSingleObject(&waiter.done, Executive, KernelMode, FALSE, nullptr);
        for (unsigned step = 0; !waiter.released.load(std::memory_order_acquire); ++step) ntio::host::spin_step(step);
    }
    return cancelled;
}

}  // extern "C"

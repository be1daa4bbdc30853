// Device timers: IoInitializeTimer gives a device object one IO_TIMER, and while it is started its
// IoTimer routine runs once a second at DISPATCH_LEVEL on a DPC thread. Each IO_TIMER arms a
// periodic KTIMER with a DPC of its own on ntio's timer engine (NT scans one list of I/O timers
// from its clock tick). The DPC is given the timer's registration number, not its address, and
// finds the timer through the registry below, so that a DPC already taken off its queue when the
// device goes finds nothing instead of freed memory.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioinitializetimer
#include "io/io_timer.hpp"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <new>
#include <unordered_map>

#include "host/cpu.hpp"
#include "verifier/verifier.hpp"

struct _IO_TIMER {
    KTIMER timer;
    KDPC dpc;
    PDEVICE_OBJECT device;
    PIO_TIMER_ROUTINE routine;
    PVOID context;
    std::uintptr_t id;
    std::atomic<bool> started{false};
    std::atomic<int> running{0};       // calls of the routine in progress
    std::atomic<bool> free_after{false};  // deleted from inside its own routine: the call frees it
};

namespace ntio::io {
namespace {

constexpr LONG kPeriodMs = 1000;

std::mutex g_timers_lock;
std::unordered_map<std::uintptr_t, PIO_TIMER>& timers() {
    static std::unordered_map<std::uintptr_t, PIO_TIMER> map;
    return map;
}
std::uintptr_t g_next_id = 1;  // guarded by g_timers_lock
constinit thread_local PIO_TIMER t_in_routine = nullptr;

void timer_dpc(PKDPC, PVOID context, PVOID, PVOID) {
    PIO_TIMER timer;
    PIO_TIMER_ROUTINE routine;
    PVOID routine_context;
    {
        std::lock_guard guard(g_timers_lock);
        auto it = timers().find(reinterpret_cast<std::uintptr_t>(context));
        if (it == timers().end()) return;
        timer = it->second;
        if (!timer->started.load(std::memory_order_acquire)) return;
        timer->running.fetch_add(1, std::memory_order_acq_rel);
        routine = timer->routine;  // read under the lock: a later IoInitializeTimer replaces both
        routine_context = timer->context;
    }
    PIO_TIMER outer = t_in_routine;
    t_in_routine = timer;
    routine(timer->device, routine_context);
    t_in_routine = outer;
    const bool free_now = timer->free_after.load(std::memory_order_acquire);
    timer->running.fetch_sub(1, std::memory_order_acq_rel);
    if (free_now) delete timer;
}

// Stops the timer: not re-armed, not queued, not called by a DPC that has not started its call.
void stop(PIO_TIMER timer) noexcept {
    timer->started.store(false, std::memory_order_release);
    KeCancelTimer(&timer->timer);
    KeRemoveQueueDpc(&timer->dpc);
}

}  // namespace

void stop_device_timer(PDEVICE_OBJECT device) noexcept {
    if (PIO_TIMER timer = device->Timer) stop(timer);
}

void delete_device_timer(PDEVICE_OBJECT device) noexcept {
    PIO_TIMER timer = device->Timer;
    if (!timer) return;
    device->Timer = nullptr;
    stop(timer);
    {
        std::lock_guard guard(g_timers_lock);
        timers().erase(timer->id);
    }
    // No new call can start now; wait for one running elsewhere, or leave the free to the call
    // this thread is inside.
    if (t_in_routine == timer) {
        timer->free_after.store(true, std::memory_order_release);
        return;
    }
    for (unsigned spins = 0; timer->running.load(std::memory_order_acquire) != 0;) host::spin_step(++spins, 64);
    delete timer;
}

}  // namespace ntio::io

using namespace ntio::io;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioinitializetimer
// Learn says to call it once per device object and documents no failure for a second call: that
// call succeeds, and the device keeps its one timer (started or not) with the new routine and context.
NTSTATUS NTAPI IoInitializeTimer(PDEVICE_OBJECT DeviceObject, PIO_TIMER_ROUTINE TimerRoutine, PVOID Context) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive5);
    if (!DeviceObject || !TimerRoutine) return STATUS_INVALID_PARAMETER;
    if (PIO_TIMER existing = DeviceObject->Timer) {
        // Driver Verifier: 0xC9 0x0A for a verified driver (verifier/device_rules.cpp).
        if (ntio::verifier::active()) [[unlikely]] ntio::verifier::on_timer_reinitialized(DeviceObject);
        std::lock_guard guard(g_timers_lock);
        existing->routine = TimerRoutine;
        existing->context = Context;
        return STATUS_SUCCESS;
    }
    auto* timer = new (std::nothrow) _IO_TIMER();
    if (!timer) return STATUS_INSUFFICIENT_RESOURCES;
    timer->device = DeviceObject;
    timer->routine = TimerRoutine;
    timer->context = Context;
    {
        std::lock_guard guard(g_timers_lock);
        timer->id = g_next_id++;
        timers().emplace(timer->id, timer);
    }
    KeInitializeTimerEx(&timer->timer, NotificationTimer);
    KeInitializeDpc(&timer->dpc, timer_dpc, reinterpret_cast<PVOID>(timer->id));
    DeviceObject->Timer = timer;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iostarttimer
// A device without a timer, or whose timer runs already, is left as it is.
VOID NTAPI IoStartTimer(PDEVICE_OBJECT DeviceObject) {
    PIO_TIMER timer = DeviceObject ? DeviceObject->Timer : nullptr;
    if (!timer || timer->started.exchange(true, std::memory_order_acq_rel)) return;
    LARGE_INTEGER due;
    due.QuadPart = -static_cast<LONGLONG>(kPeriodMs) * 10000;
    KeSetTimerEx(&timer->timer, due, kPeriodMs, &timer->dpc);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iostoptimer
VOID NTAPI IoStopTimer(PDEVICE_OBJECT DeviceObject) {
    if (DeviceObject && DeviceObject->Timer) stop(DeviceObject->Timer);
}

}  // extern "C"

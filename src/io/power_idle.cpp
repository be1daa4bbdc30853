// Device idle detection: PoRegisterDeviceForIdleDetection, PoSetDeviceBusyEx, PoStartDeviceBusy and
// PoEndDeviceBusy, the power manager's idle clock that counts each registered device's idle seconds
// and requests the registered device power state once the device has been idle long enough, and
// NtioAdvancePowerIdleClock, which lets tests run that clock without waiting for it.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-poregisterdeviceforidledetection
#include "io/io_manager.hpp"
#include "io/objects.hpp"
#include "io/power_manager.hpp"
#include "ob/object_manager.hpp"
#include "verifier/verifier.hpp"

#include "ntio/ntio.h"

#include <utility>

namespace ntio::io {
namespace {

constexpr LONG kTickPeriodMs = 1000;
constexpr ULONG kStandardTimeout = 0xFFFFFFFF;  // -1: the device class's standard time-out
// The standard time-out of disks and mass storage on AC power: the default power plan turns a disk
// off after 20 minutes. https://learn.microsoft.com/windows-hardware/customize/power-settings/disk-settings-disk-idle-timeout
constexpr ULONG kStandardDiskTimeout = 20 * 60;
constexpr ULONG kFileDeviceMassStorage = 0x0000002d;  // FILE_DEVICE_MASS_STORAGE (ntddstor.h)

// "When running with AC power, the system optimizes for performance, and when running off a
// battery, the system optimizes for conservation" (PoRegisterDeviceForIdleDetection remarks). ntio
// always runs on AC power (GUID_ACDC_POWER_SOURCE is PoAc): the performance time applies.
ULONG applicable_time(const IdleRegistration& r) { return r.performance_time; }

ULONG resolve_time(PDEVICE_OBJECT device, ULONG time, bool* valid) {
    if (time != kStandardTimeout) return time;
    if (device->DeviceType == FILE_DEVICE_DISK || device->DeviceType == kFileDeviceMassStorage)
        return kStandardDiskTimeout;
    *valid = false;
    return 0;
}

// One second of idle time for every live registration; the IRPs that fell due go out after the lock
// is dropped (a driver's dispatch routine may register or set itself busy).
void idle_tick(PowerManager& power) {
    std::vector<std::pair<PDEVICE_OBJECT, DEVICE_POWER_STATE>> due;
    {
        std::lock_guard guard(power.lock);
        for (auto& r : power.idle) {
            if (!r->live) continue;
            ULONG* counter = const_cast<ULONG*>(&r->counter);
            if (__atomic_load_n(&r->busy, __ATOMIC_ACQUIRE) > 0) {
                __atomic_store_n(counter, 0, __ATOMIC_RELAXED);
                r->requested = false;
                continue;
            }
            // A zeroed counter means PoSetDeviceBusy: the device may be sent the idle IRP again.
            if (__atomic_load_n(counter, __ATOMIC_RELAXED) == 0) r->requested = false;
            const ULONG idle = __atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
            const ULONG time = applicable_time(*r);
            if (time == 0 || idle < time || r->requested) continue;
            r->requested = true;
            ObReferenceObject(r->device);
            due.emplace_back(r->device, r->state);
        }
    }
    for (auto [device, state] : due) {
        POWER_STATE power_state;
        power_state.DeviceState = state;
        (void)PoRequestPowerIrp(device, IRP_MN_SET_POWER, power_state, nullptr, nullptr, nullptr);
        ObDereferenceObject(device);
    }
}

// The real clock: a periodic timer whose DPC hands each second to a system worker (power IRPs go at
// PASSIVE_LEVEL).
VOID NTAPI idle_work(PVOID context) {
    auto* power = static_cast<PowerManager*>(context);
    {
        std::lock_guard tick(power->tick_lock);
        if (!power->idle_clock_manual.load(std::memory_order_acquire)) idle_tick(*power);
    }
    KIRQL irql;
    KeAcquireSpinLock(&power->idle_spin, &irql);
    power->idle_tick_queued = false;
    KeSetEvent(&power->idle_work_done, IO_NO_INCREMENT, FALSE);
    KeReleaseSpinLock(&power->idle_spin, irql);
}

VOID NTAPI idle_dpc(PKDPC, PVOID context, PVOID, PVOID) {
    auto* power = static_cast<PowerManager*>(context);
    bool queue = false;
    KeAcquireSpinLockAtDpcLevel(&power->idle_spin);
    if (!power->idle_clock_stopped && !power->idle_tick_queued) {
        power->idle_tick_queued = true;
        KeClearEvent(&power->idle_work_done);
        queue = true;
    }
    KeReleaseSpinLockFromDpcLevel(&power->idle_spin);
    if (queue) ExQueueWorkItem(&power->idle_work, DelayedWorkQueue);
}

// Called with power.lock held, on the first registration.
void arm_idle_clock_locked(PowerManager& power) {
    if (power.idle_timer_armed) return;
    power.idle_timer_armed = true;
    KeInitializeSpinLock(&power.idle_spin);
    KeInitializeTimerEx(&power.idle_timer, NotificationTimer);
    KeInitializeDpc(&power.idle_dpc, idle_dpc, &power);
    ExInitializeWorkItem(&power.idle_work, idle_work, &power);
    LARGE_INTEGER due;
    due.QuadPart = -LONGLONG{kTickPeriodMs} * 10000;
    KeSetTimerEx(&power.idle_timer, due, kTickPeriodMs, &power.idle_dpc);
}

IdleRegistration* registration_of(PULONG idle_pointer) {
    // The counter is the registration's first member.
    return reinterpret_cast<IdleRegistration*>(idle_pointer);
}

}  // namespace

void power_idle_shutdown(PowerManager& power) {
    bool armed;
    {
        std::lock_guard guard(power.lock);
        armed = power.idle_timer_armed;
        for (auto& r : power.idle) r->live = false;
    }
    if (!armed) return;
    KIRQL irql;
    KeAcquireSpinLock(&power.idle_spin, &irql);
    const bool first = !power.idle_clock_stopped;
    power.idle_clock_stopped = true;
    KeReleaseSpinLock(&power.idle_spin, irql);
    if (!first) return;
    (void)KeCancelTimer(&power.idle_timer);
    KeFlushQueuedDpcs();
    (void)KeWaitForSingleObject(&power.idle_work_done, Executive, KernelMode, FALSE, nullptr);
}

// NT deviation: NT keeps the registration in the device object extension; ntio cancels it when the
// device is deleted (the record stays, so a stale counter pointer is still writable memory).
void power_device_deleted(PDEVICE_OBJECT device) {
    PowerManager* power = ob::manager_of(device).system().io().power_if_made();
    if (!power) return;
    std::lock_guard guard(power->lock);
    for (auto& r : power->idle)
        if (r->device == device) r->live = false;
}

}  // namespace ntio::io

using namespace ntio;
using namespace ntio::io;

extern "C" {

PULONG NTAPI PoRegisterDeviceForIdleDetection(PDEVICE_OBJECT DeviceObject, ULONG ConservationIdleTime,
                                              ULONG PerformanceIdleTime, DEVICE_POWER_STATE State) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, APC_LEVEL);
    if (!is_device(DeviceObject)) return nullptr;
    PowerManager& power = power_of(DeviceObject);
    std::lock_guard guard(power.lock);
    IdleRegistration* existing = nullptr;
    for (auto& r : power.idle)
        if (r->device == DeviceObject && (r->live || !existing)) existing = r.get();
    // "If both ConservationIdleTime and PerformanceIdleTime are zero, this routine cancels all idle
    // detection for the device and returns NULL."
    if (ConservationIdleTime == 0 && PerformanceIdleTime == 0) {
        if (existing) existing->live = false;
        return nullptr;
    }
    bool valid = true;
    const ULONG conservation = resolve_time(DeviceObject, ConservationIdleTime, &valid);
    const ULONG performance = resolve_time(DeviceObject, PerformanceIdleTime, &valid);
    if (!valid || State <= PowerDeviceUnspecified || State >= PowerDeviceMaximum) return nullptr;
    if (!existing) {
        auto record = std::make_unique<IdleRegistration>();
        existing = record.get();
        power.idle.push_back(std::move(record));
    }
    // "Only one idle detection can be set per device. Subsequent calls ... change the idle detection
    // values": a live registration keeps its counter; a cancelled one starts again from zero.
    if (!existing->live) {
        existing->counter = 0;
        existing->busy = 0;
        existing->requested = false;
    }
    existing->device = DeviceObject;
    existing->conservation_time = conservation;
    existing->performance_time = performance;
    existing->state = State;
    existing->live = true;
    if (!power.idle_clock_manual.load(std::memory_order_acquire)) arm_idle_clock_locked(power);
    return const_cast<PULONG>(&existing->counter);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-posetdevicebusyex
VOID NTAPI PoSetDeviceBusyEx(PULONG IdlePointer) {
    if (IdlePointer) __atomic_store_n(IdlePointer, 0, __ATOMIC_RELAXED);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-postartdevicebusy
VOID NTAPI PoStartDeviceBusy(PULONG IdlePointer) {
    if (!IdlePointer) return;
    IdleRegistration* r = registration_of(IdlePointer);
    __atomic_add_fetch(&r->busy, 1, __ATOMIC_ACQ_REL);
    __atomic_store_n(IdlePointer, 0, __ATOMIC_RELAXED);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-poenddevicebusy
VOID NTAPI PoEndDeviceBusy(PULONG IdlePointer) {
    if (!IdlePointer) return;
    IdleRegistration* r = registration_of(IdlePointer);
    LONG busy = __atomic_load_n(&r->busy, __ATOMIC_ACQUIRE);
    while (busy > 0 && !__atomic_compare_exchange_n(&r->busy, &busy, busy - 1, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    }
    __atomic_store_n(IdlePointer, 0, __ATOMIC_RELAXED);
}

NTIO_API NTSTATUS NtioAdvancePowerIdleClock(ULONG Seconds) {
    PowerManager* power = current_power();
    if (!power) return STATUS_INVALID_DEVICE_STATE;
    if (KeGetCurrentIrql() != PASSIVE_LEVEL) return STATUS_INVALID_DEVICE_STATE;
    power->idle_clock_manual.store(true, std::memory_order_release);
    std::lock_guard tick(power->tick_lock);
    for (ULONG i = 0; i < Seconds; ++i) idle_tick(*power);
    return STATUS_SUCCESS;
}

}  // extern "C"

// The runtime power management framework (PoFx): device registration, per-component activation
// references, and the callbacks that tell the driver when a component is active or idle, which Fx
// state it should enter, and when its device needs power. The rules are those of
// https://learn.microsoft.com/windows-hardware/drivers/kernel/overview-of-the-power-management-framework,
// https://learn.microsoft.com/windows-hardware/drivers/kernel/component-level-power-management and
// https://learn.microsoft.com/windows-hardware/drivers/kernel/device-power-management. One thread at a
// time issues a device's callbacks (next_call picks the next one under the device's lock); a routine
// the driver calls from a callback only updates the state and the issuing thread carries on.
#include "io/io_manager.hpp"
#include "io/objects.hpp"
#include "io/power_manager.hpp"
#include "verifier/verifier.hpp"

#include <algorithm>
#include <condition_variable>
#include <thread>

namespace ntio::io {
namespace {

struct FxComponent {
    std::vector<PO_FX_COMPONENT_IDLE_STATE> states;
    ULONG deepest_wakeable = 0;
    LONG activations = 0;
    bool active = true;           // the active condition (set when its callback is about to go)
    bool reported_active = true;  // ComponentActiveConditionCallback returned (blocking waiters)
    bool awaiting_idle = false;   // PoFxCompleteIdleCondition not yet called
    bool awaiting_state = false;  // PoFxCompleteIdleState not yet called
    ULONG fstate = 0;
    ULONG target = 0;
    ULONGLONG latency = ~0ULL;    // PoFxSetComponentLatency: the longest tolerable transition
    ULONGLONG residency = ~0ULL;  // PoFxSetComponentResidency: the expected time idle
    bool wake = false;            // PoFxSetComponentWake
};

struct FxDevice {
    PowerManager* power;
    PDEVICE_OBJECT pdo;
    PPO_FX_COMPONENT_ACTIVE_CONDITION_CALLBACK active_cb;
    PPO_FX_COMPONENT_IDLE_CONDITION_CALLBACK idle_cb;
    PPO_FX_COMPONENT_IDLE_STATE_CALLBACK state_cb;
    PPO_FX_DEVICE_POWER_REQUIRED_CALLBACK required_cb;
    PPO_FX_DEVICE_POWER_NOT_REQUIRED_CALLBACK not_required_cb;
    PVOID context;
    std::vector<FxComponent> components;

    std::mutex lock;
    std::condition_variable changed;
    bool started = false;
    bool unregistering = false;
    bool dispatching = false;
    std::thread::id dispatcher;
    bool power_required = true;        // registration finds the device in D0
    bool awaiting_powered_on = false;  // DevicePowerRequiredCallback went; PoFxReportDevicePoweredOn not yet
    bool awaiting_not_required = false;  // DevicePowerNotRequiredCallback went; not completed yet
    ULONGLONG idle_timeout = 0;        // 100 ns
    bool timer_armed = false;
    bool timeout_elapsed = false;

    // Work done off the caller's thread: PO_FX_FLAG_ASYNC_ONLY and the idle timeout.
    KSPIN_LOCK spin;
    bool closing = false;  // under spin
    LONG outstanding = 0;  // work items queued or running, under spin
    KEVENT work_idle;
    KTIMER timer;
    KDPC dpc;
    std::atomic<bool> timer_fired{false};
};

enum class Call { none, active, idle_condition, idle_state, power_required, power_not_required };
struct Next {
    Call call = Call::none;
    ULONG component = 0;
    ULONG state = 0;
};

FxDevice* from_handle(POHANDLE handle) {
    if (!handle) return nullptr;
    PowerManager* power = current_power();
    if (!power) return nullptr;
    std::lock_guard guard(power->lock);
    auto& live = power->fx_devices;
    if (std::find(live.begin(), live.end(), static_cast<void*>(handle)) == live.end()) return nullptr;
    return reinterpret_cast<FxDevice*>(handle);
}

// The deepest Fx state the component may enter: its transition latency within the tolerance, its
// residency requirement within the expected idle time, and no deeper than the deepest wakeable
// state while the driver wants the component able to wake.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-pofxsetcomponentlatency
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-pofxsetcomponentresidency
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-pofxsetcomponentwake
ULONG deepest_allowed(const FxComponent& c) {
    ULONG deepest = 0;
    for (ULONG i = 1; i < c.states.size(); ++i) {
        if (c.wake && i > c.deepest_wakeable) break;
        if (c.states[i].TransitionLatency > c.latency || c.states[i].ResidencyRequirement > c.residency) continue;
        deepest = i;
    }
    return deepest;
}

void queue_work(FxDevice& d);

VOID NTAPI idle_timeout_dpc(PKDPC, PVOID context, PVOID, PVOID) {
    auto* d = static_cast<FxDevice*>(context);
    d->timer_fired.store(true, std::memory_order_release);
    queue_work(*d);
}

void disarm_locked(FxDevice& d) {
    d.timeout_elapsed = false;
    if (!d.timer_armed) return;
    d.timer_armed = false;
    (void)KeCancelTimer(&d.timer);
}

// The next callback to issue, its state change made; Call::none when the framework waits for the
// driver (or nothing is left to do).
Next next_call_locked(FxDevice& d) {
    if (d.unregistering) return {};
    bool all_idle = true;
    for (ULONG i = 0; i < d.components.size(); ++i) {
        FxComponent& c = d.components[i];
        if (c.activations > 0) {
            all_idle = false;
            if (c.active || c.awaiting_idle || c.awaiting_state) continue;
            // "Before the first component becomes active the device must be powered": the driver is
            // told power is required and reports the device powered on (device power management).
            if (!d.power_required) {
                if (d.awaiting_powered_on || d.awaiting_not_required) continue;
                disarm_locked(d);
                d.awaiting_powered_on = true;
                return {Call::power_required, 0, 0};
            }
            // A component leaves its idle Fx state for F0 before it is in the active condition.
            if (c.fstate != 0) {
                c.awaiting_state = true;
                c.target = 0;
                return {Call::idle_state, i, 0};
            }
            c.active = true;
            return {Call::active, i, 0};
        }
        if (c.active) {
            all_idle = false;
            if (!d.started) continue;  // all components stay active until power management starts
            c.active = false;
            c.reported_active = false;
            c.awaiting_idle = true;
            return {Call::idle_condition, i, 0};
        }
        if (c.awaiting_idle || c.awaiting_state) {
            all_idle = false;
            continue;
        }
        const ULONG target = deepest_allowed(c);
        if (target != c.fstate) {
            c.awaiting_state = true;
            c.target = target;
            return {Call::idle_state, i, target};
        }
    }
    if (!all_idle || !d.started) {
        disarm_locked(d);
        return {};
    }
    if (!d.power_required || d.awaiting_powered_on || d.awaiting_not_required) return {};
    // Every component idle: after the device idle timeout, the device no longer needs power.
    if (d.idle_timeout != 0 && !d.timeout_elapsed) {
        if (!d.timer_armed) {
            d.timer_armed = true;
            LARGE_INTEGER due;
            due.QuadPart = -static_cast<LONGLONG>(d.idle_timeout);
            (void)KeSetTimer(&d.timer, due, &d.dpc);
        }
        return {};
    }
    d.timeout_elapsed = false;
    d.timer_armed = false;
    d.power_required = false;
    d.awaiting_not_required = true;
    return {Call::power_not_required, 0, 0};
}

// A callback the driver left NULL is taken as done at once.
void complete_missing_locked(FxDevice& d, const Next& n) {
    switch (n.call) {
    case Call::idle_condition:
        if (!d.idle_cb) d.components[n.component].awaiting_idle = false;
        break;
    case Call::idle_state:
        if (!d.state_cb) {
            d.components[n.component].awaiting_state = false;
            d.components[n.component].fstate = n.state;
        }
        break;
    case Call::power_required:
        if (!d.required_cb) {
            d.awaiting_powered_on = false;
            d.power_required = true;
        }
        break;
    case Call::power_not_required:
        if (!d.not_required_cb) d.awaiting_not_required = false;
        break;
    case Call::active:
        if (!d.active_cb) d.components[n.component].reported_active = true;
        break;
    case Call::none: break;
    }
}

void invoke(FxDevice& d, const Next& n) {
    switch (n.call) {
    case Call::active:
        if (d.active_cb) d.active_cb(d.context, n.component);
        break;
    case Call::idle_condition:
        if (d.idle_cb) d.idle_cb(d.context, n.component);
        break;
    case Call::idle_state:
        if (d.state_cb) d.state_cb(d.context, n.component, n.state);
        break;
    case Call::power_required:
        if (d.required_cb) d.required_cb(d.context);
        break;
    case Call::power_not_required:
        if (d.not_required_cb) d.not_required_cb(d.context);
        break;
    case Call::none: break;
    }
}

// Issues the callbacks that are due, one at a time, on the calling thread, unless another thread
// already does (it sees this thread's change: both look under the lock).
void pump(FxDevice& d) {
    std::unique_lock guard(d.lock);
    if (d.dispatching) return;
    d.dispatching = true;
    d.dispatcher = std::this_thread::get_id();
    for (;;) {
        const Next n = next_call_locked(d);
        if (n.call == Call::none) break;
        complete_missing_locked(d, n);
        guard.unlock();
        invoke(d, n);
        guard.lock();
        if (n.call == Call::active) d.components[n.component].reported_active = true;
        d.changed.notify_all();
    }
    d.dispatching = false;
    d.changed.notify_all();
}

VOID NTAPI fx_work(PVOID context) {
    auto* d = static_cast<FxDevice*>(context);
    if (d->timer_fired.exchange(false, std::memory_order_acq_rel)) {
        std::lock_guard guard(d->lock);
        if (d->timer_armed) {
            d->timer_armed = false;
            d->timeout_elapsed = true;
        }
    }
    pump(*d);
    KIRQL irql;
    KeAcquireSpinLock(&d->spin, &irql);
    if (--d->outstanding == 0) KeSetEvent(&d->work_idle, IO_NO_INCREMENT, FALSE);
    KeReleaseSpinLock(&d->spin, irql);
}

struct FxWork {
    WORK_QUEUE_ITEM item;
    FxDevice* device;
};

VOID NTAPI fx_work_item(PVOID context) {
    auto* work = static_cast<FxWork*>(context);
    FxDevice* device = work->device;
    ExFreePool(work);
    fx_work(device);
}

// Any IRQL <= DISPATCH_LEVEL: a system worker pumps the device.
void queue_work(FxDevice& d) {
    KIRQL irql;
    KeAcquireSpinLock(&d.spin, &irql);
    const bool queue = !d.closing;
    if (queue && d.outstanding++ == 0) KeClearEvent(&d.work_idle);
    KeReleaseSpinLock(&d.spin, irql);
    if (!queue) return;
    // Each queueing gets an item of its own: the previous one may still be running.
    auto* work = static_cast<FxWork*>(ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(FxWork), 'xFoP'));
    if (!work) {
        fx_work(&d);  // no memory: pump here rather than lose the transition
        return;
    }
    work->device = &d;
    ExInitializeWorkItem(&work->item, fx_work_item, work);
    ExQueueWorkItem(&work->item, DelayedWorkQueue);
}

// Applies `change` under the lock, then lets the callbacks run: here, or on a worker for ASYNC_ONLY.
template <typename Change>
void update(FxDevice& d, ULONG flags, Change change) {
    {
        std::lock_guard guard(d.lock);
        change();
    }
    if (flags & PO_FX_FLAG_ASYNC_ONLY)
        queue_work(d);
    else
        pump(d);
}

NTSTATUS copy_registration(PPO_FX_DEVICE device, FxDevice& d) {
    const ULONG version = device->Version;
    if (version != PO_FX_VERSION_V1 && version != PO_FX_VERSION_V2) return STATUS_INVALID_PARAMETER;
    ULONG count;
    if (version == PO_FX_VERSION_V1) {
        const auto* v1 = reinterpret_cast<const PO_FX_DEVICE_V1*>(device);
        count = v1->ComponentCount;
        d.active_cb = v1->ComponentActiveConditionCallback;
        d.idle_cb = v1->ComponentIdleConditionCallback;
        d.state_cb = v1->ComponentIdleStateCallback;
        d.required_cb = v1->DevicePowerRequiredCallback;
        d.not_required_cb = v1->DevicePowerNotRequiredCallback;
        d.context = v1->DeviceContext;
    } else {
        const auto* v2 = reinterpret_cast<const PO_FX_DEVICE_V2*>(device);
        count = v2->ComponentCount;
        d.active_cb = v2->ComponentActiveConditionCallback;
        d.idle_cb = v2->ComponentIdleConditionCallback;
        d.state_cb = v2->ComponentIdleStateCallback;
        d.required_cb = v2->DevicePowerRequiredCallback;
        d.not_required_cb = v2->DevicePowerNotRequiredCallback;
        d.context = v2->DeviceContext;
    }
    if (count == 0) return STATUS_INVALID_PARAMETER;
    bool several_states = false;
    d.components.resize(count);
    for (ULONG i = 0; i < count; ++i) {
        ULONG states;
        ULONG wakeable;
        PPO_FX_COMPONENT_IDLE_STATE idle_states;
        if (version == PO_FX_VERSION_V1) {
            const PO_FX_COMPONENT_V1& c = reinterpret_cast<const PO_FX_DEVICE_V1*>(device)->Components[i];
            states = c.IdleStateCount;
            wakeable = c.DeepestWakeableIdleState;
            idle_states = c.IdleStates;
        } else {
            const PO_FX_COMPONENT_V2& c = reinterpret_cast<const PO_FX_DEVICE_V2*>(device)->Components[i];
            states = c.IdleStateCount;
            wakeable = c.DeepestWakeableIdleState;
            idle_states = c.IdleStates;
        }
        // "the number of idle states specified for a component is zero; or the description of an
        // idle state is invalid" (PoFxRegisterDevice return values).
        if (states == 0 || !idle_states || wakeable >= states) return STATUS_INVALID_PARAMETER;
        // F0 is the on state: no transition latency and no residency requirement.
        if (idle_states[0].TransitionLatency != 0 || idle_states[0].ResidencyRequirement != 0)
            return STATUS_INVALID_PARAMETER;
        d.components[i].states.assign(idle_states, idle_states + states);
        d.components[i].deepest_wakeable = wakeable;
        several_states = several_states || states > 1;
    }
    // PO_FX_DEVICE remarks: with more than one Fx state in some component the three component
    // callbacks are required, else registration fails with STATUS_INVALID_PARAMETER.
    if (several_states && (!d.active_cb || !d.idle_cb || !d.state_cb)) return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

bool component_ok(FxDevice* d, ULONG component) { return d && component < d->components.size(); }

}  // namespace
}  // namespace ntio::io

using namespace ntio;
using namespace ntio::io;

extern "C" {

// The IRQL each routine's page allows (PASSIVE_LEVEL for registration, start and unregistration,
// <= DISPATCH_LEVEL for the rest) is checked for verified drivers: 0xC4 0xE5 above it.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-pofxregisterdevice
// The structure is copied. NT deviation: registering a PDO that is already registered is a bug
// check on NT (the page names no code); ntio fails it with STATUS_INVALID_DEVICE_STATE. Component
// dependencies (PO_FX_COMPONENT_V2 Providers) are not modelled.
NTSTATUS NTAPI PoFxRegisterDevice(PDEVICE_OBJECT Pdo, PPO_FX_DEVICE Device, POHANDLE* Handle) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    if (!is_device(Pdo) || !Device || !Handle) return STATUS_INVALID_PARAMETER;
    auto d = std::make_unique<FxDevice>();
    const NTSTATUS status = copy_registration(Device, *d);
    if (!NT_SUCCESS(status)) return status;
    PowerManager& power = power_of(Pdo);
    d->power = &power;
    d->pdo = Pdo;
    KeInitializeSpinLock(&d->spin);
    KeInitializeEvent(&d->work_idle, NotificationEvent, TRUE);
    KeInitializeTimerEx(&d->timer, NotificationTimer);
    KeInitializeDpc(&d->dpc, idle_timeout_dpc, d.get());
    std::lock_guard guard(power.lock);
    for (void* other : power.fx_devices)
        if (static_cast<FxDevice*>(other)->pdo == Pdo) return STATUS_INVALID_DEVICE_STATE;
    power.fx_devices.push_back(d.get());
    *Handle = reinterpret_cast<POHANDLE>(d.release());
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-pofxstartdevicepowermanagement
// "By default, this call switches all components to the idle condition" (those without an
// activation reference taken since registration).
VOID NTAPI PoFxStartDevicePowerManagement(POHANDLE Handle) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    FxDevice* d = from_handle(Handle);
    if (!d) return;
    update(*d, 0, [&] { d->started = true; });
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-pofxunregisterdevice
// Waits for a callback another thread is issuing; a second call with the same handle finds nothing.
VOID NTAPI PoFxUnregisterDevice(POHANDLE Handle) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    FxDevice* d = from_handle(Handle);
    if (!d) return;
    {
        std::lock_guard guard(d->power->lock);
        std::erase(d->power->fx_devices, static_cast<void*>(d));
    }
    {
        std::unique_lock guard(d->lock);
        d->unregistering = true;
        if (d->dispatcher != std::this_thread::get_id())
            d->changed.wait(guard, [&] { return !d->dispatching; });
        d->timer_armed = false;
    }
    KIRQL irql;
    KeAcquireSpinLock(&d->spin, &irql);
    d->closing = true;
    KeReleaseSpinLock(&d->spin, irql);
    (void)KeCancelTimer(&d->timer);
    KeFlushQueuedDpcs();
    (void)KeWaitForSingleObject(&d->work_idle, Executive, KernelMode, FALSE, nullptr);
    delete d;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-pofxactivatecomponent
// PO_FX_FLAG_BLOCKING: returns once the component is in the active condition (PASSIVE_LEVEL only).
// PO_FX_FLAG_ASYNC_ONLY: the callbacks run on another thread, never inside this call.
VOID NTAPI PoFxActivateComponent(POHANDLE Handle, ULONG Component, ULONG Flags) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    FxDevice* d = from_handle(Handle);
    if (!component_ok(d, Component)) return;
    update(*d, Flags, [&] { ++d->components[Component].activations; });
    if (!(Flags & PO_FX_FLAG_BLOCKING) || KeGetCurrentIrql() != PASSIVE_LEVEL) return;
    std::unique_lock guard(d->lock);
    if (d->dispatching && d->dispatcher == std::this_thread::get_id()) return;  // from a callback: cannot wait
    d->changed.wait(guard, [&] {
        const FxComponent& c = d->components[Component];
        return (c.active && c.reported_active) || d->unregistering;
    });
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-pofxidlecomponent
// NT deviation: dropping a reference the driver does not hold is a Driver Verifier bug check on NT;
// ntio ignores it.
VOID NTAPI PoFxIdleComponent(POHANDLE Handle, ULONG Component, ULONG Flags) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    FxDevice* d = from_handle(Handle);
    if (!component_ok(d, Component)) return;
    update(*d, Flags, [&] {
        LONG& a = d->components[Component].activations;
        if (a > 0) --a;
    });
    if (!(Flags & PO_FX_FLAG_BLOCKING) || KeGetCurrentIrql() != PASSIVE_LEVEL) return;
    std::unique_lock guard(d->lock);
    if (d->dispatching && d->dispatcher == std::this_thread::get_id()) return;
    d->changed.wait(guard, [&] {
        const FxComponent& c = d->components[Component];
        return c.activations > 0 || !c.active || !d->started || d->unregistering;
    });
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-pofxcompleteidlecondition
VOID NTAPI PoFxCompleteIdleCondition(POHANDLE Handle, ULONG Component) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    FxDevice* d = from_handle(Handle);
    if (!component_ok(d, Component)) return;
    update(*d, 0, [&] { d->components[Component].awaiting_idle = false; });
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-pofxcompleteidlestate
VOID NTAPI PoFxCompleteIdleState(POHANDLE Handle, ULONG Component) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    FxDevice* d = from_handle(Handle);
    if (!component_ok(d, Component)) return;
    update(*d, 0, [&] {
        FxComponent& c = d->components[Component];
        if (!c.awaiting_state) return;
        c.awaiting_state = false;
        c.fstate = c.target;
    });
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-pofxcompletedevicepowernotrequired
VOID NTAPI PoFxCompleteDevicePowerNotRequired(POHANDLE Handle) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    FxDevice* d = from_handle(Handle);
    if (!d) return;
    update(*d, 0, [&] { d->awaiting_not_required = false; });
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-pofxreportdevicepoweredon
VOID NTAPI PoFxReportDevicePoweredOn(POHANDLE Handle) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    FxDevice* d = from_handle(Handle);
    if (!d) return;
    update(*d, 0, [&] {
        d->awaiting_powered_on = false;
        d->power_required = true;
    });
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-pofxsetdeviceidletimeout
VOID NTAPI PoFxSetDeviceIdleTimeout(POHANDLE Handle, ULONGLONG IdleTimeout) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    FxDevice* d = from_handle(Handle);
    if (!d) return;
    update(*d, 0, [&] { d->idle_timeout = IdleTimeout; });
}

VOID NTAPI PoFxSetComponentLatency(POHANDLE Handle, ULONG Component, ULONGLONG Latency) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    FxDevice* d = from_handle(Handle);
    if (!component_ok(d, Component)) return;
    update(*d, 0, [&] { d->components[Component].latency = Latency; });
}

VOID NTAPI PoFxSetComponentResidency(POHANDLE Handle, ULONG Component, ULONGLONG Residency) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    FxDevice* d = from_handle(Handle);
    if (!component_ok(d, Component)) return;
    update(*d, 0, [&] { d->components[Component].residency = Residency; });
}

VOID NTAPI PoFxSetComponentWake(POHANDLE Handle, ULONG Component, BOOLEAN WakeHint) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    FxDevice* d = from_handle(Handle);
    if (!component_ok(d, Component)) return;
    update(*d, 0, [&] { d->components[Component].wake = WakeHint != FALSE; });
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-pofxpowercontrol
// PoFx hands power control requests to the platform's power engine plug-in; ntio has none, so none
// acknowledges the device: STATUS_NOT_SUPPORTED ("the PEP does not acknowledge support for this device").
NTSTATUS NTAPI PoFxPowerControl(POHANDLE Handle, LPCGUID PowerControlCode, PVOID InBuffer, SIZE_T InBufferSize,
                                PVOID OutBuffer, SIZE_T OutBufferSize, PSIZE_T BytesReturned) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    (void)InBuffer;
    (void)InBufferSize;
    (void)OutBuffer;
    (void)OutBufferSize;
    if (BytesReturned) *BytesReturned = 0;
    if (!from_handle(Handle) || !PowerControlCode) return STATUS_INVALID_PARAMETER;
    return STATUS_NOT_SUPPORTED;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-pofxnotifysurprisepoweron
// Tells PoFx that a device was powered as a side effect of powering another. ntio never removes
// power from a device, so there is nothing to record.
VOID NTAPI PoFxNotifySurprisePowerOn(PDEVICE_OBJECT Pdo) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    (void)Pdo;
}

}  // extern "C"

// The per-System power manager state behind the Po routines that are not about one power IRP: the
// idle-detection registrations and their one-second idle clock (power_idle.cpp), the system
// execution state registrations (power_system_state.cpp) and the power setting callbacks
// (power_setting.cpp). PoFx registrations (power_fx.cpp) are owned by their handles.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "io/ddk.hpp"
#include <ntio_ddk/po.h>

namespace ntio { class System; }

namespace ntio::io {

// One PoRegisterDeviceForIdleDetection registration. `counter` is first: the PULONG drivers get
// points at it, and PoStartDeviceBusy/PoEndDeviceBusy find the registration from it.
struct IdleRegistration {
    volatile ULONG counter;  // seconds idle; PoSetDeviceBusy zeroes it
    LONG busy;               // PoStartDeviceBusy references
    PDEVICE_OBJECT device;   // not referenced: IoDeleteDevice cancels the registration
    ULONG conservation_time;
    ULONG performance_time;
    DEVICE_POWER_STATE state;
    bool requested;  // the idle IRP went out; armed again once the device was busy
    bool live;       // false once cancelled (the record stays until the System goes: stale counters)
};

struct SystemStateRegistration {
    EXECUTION_STATE flags;
};

struct PowerSettingRegistration {
    GUID setting;
    PPOWER_SETTING_CALLBACK callback;
    PVOID context;
    PDEVICE_OBJECT device;
};

struct PowerManager {
    explicit PowerManager(System& system);
    ~PowerManager();

    System& system;
    std::mutex lock;
    // Idle detection (power_idle.cpp).
    std::vector<std::unique_ptr<IdleRegistration>> idle;
    std::atomic<bool> idle_clock_manual{false};  // NtioAdvancePowerIdleClock took the clock over
    bool idle_clock_stopped = false;  // System shutdown began (under idle_spin)
    bool idle_timer_armed = false;  // under lock
    bool idle_tick_queued = false;
    KTIMER idle_timer;
    KDPC idle_dpc;
    WORK_QUEUE_ITEM idle_work;
    KSPIN_LOCK idle_spin;   // guards idle_tick_queued, idle_clock_stopped and idle_work_done
    KEVENT idle_work_done;  // signalled while no tick work item is queued or running
    std::mutex tick_lock;   // one idle tick at a time; taken before `lock`, held while the IRPs go
    // System execution state (power_system_state.cpp).
    std::vector<std::unique_ptr<SystemStateRegistration>> system_states;
    EXECUTION_STATE one_shot_state = 0;  // PoSetSystemState's last flags
    // Power setting callbacks (power_setting.cpp).
    std::vector<std::unique_ptr<PowerSettingRegistration>> settings;
    // PoFx registrations (power_fx.cpp): the live handles, so that a stale or foreign one is ignored.
    std::vector<void*> fx_devices;
    // Power requests (power_request.cpp): the sum of their PowerRequestSystemRequired counts.
    std::atomic<LONG> system_required_requests{0};
};

struct PowerManagerDeleter {
    void operator()(PowerManager* power) const noexcept;
};

// The power manager of the System `device` belongs to / of the calling thread's System (null when none).
PowerManager& power_of(PDEVICE_OBJECT device);
PowerManager* current_power();

// Idle detection (power_idle.cpp): System shutdown stops the clock before drivers unload; a deleted
// device's registration is cancelled.
void power_idle_shutdown(PowerManager& power);
void power_device_deleted(PDEVICE_OBJECT device);

// The busy state PoRegisterSystemState and PoSetSystemState reported and the power requests set,
// ES_CONTINUOUS left out (power_system_state.cpp).
EXECUTION_STATE power_execution_state(PowerManager& power);

}  // namespace ntio::io

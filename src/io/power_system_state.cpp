// The system busy state drivers report (PoRegisterSystemState, PoSetSystemState,
// PoUnregisterSystemState), the system-wake mark of wait/wake IRPs (PoSetSystemWake,
// PoGetSystemWake) and PoQueryWatchdogTime. ntio never leaves S0, so the busy state is only recorded
// (power_execution_state reads it back).
#include "io/io_manager.hpp"
#include "io/objects.hpp"
#include "io/power_manager.hpp"
#include "verifier/verifier.hpp"

#include <algorithm>

namespace ntio::io {
namespace {

// The mark PoSetSystemWake leaves in every stack location of the IRP (Parameters.Others.Argument4:
// IRP_MN_WAIT_WAKE uses only Parameters.WaitWake.PowerState, at the start of the union), so that
// whichever driver holds the IRP finds it whatever its current location.
const PVOID kSystemWakeMark = reinterpret_cast<PVOID>(static_cast<ULONG_PTR>(0x57414B45534F50ULL));  // "POSWAKE"

PIO_STACK_LOCATION stack_location(PIRP irp, CCHAR index) {
    return reinterpret_cast<PIO_STACK_LOCATION>(irp + 1) + index;
}

}  // namespace

EXECUTION_STATE power_execution_state(PowerManager& power) {
    std::lock_guard guard(power.lock);
    EXECUTION_STATE state = power.one_shot_state;
    for (auto& r : power.system_states) state |= r->flags;
    if (power.system_required_requests.load(std::memory_order_relaxed) > 0) state |= ES_SYSTEM_REQUIRED;
    return state & ~ES_CONTINUOUS;
}

}  // namespace ntio::io

using namespace ntio;
using namespace ntio::io;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-poregistersystemstate
// A new registration (StateHandle NULL) or a change of the one StateHandle names; NULL when no
// handle could be allocated (or StateHandle is not one of ours).
PVOID NTAPI PoRegisterSystemState(PVOID StateHandle, EXECUTION_STATE Flags) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, APC_LEVEL);
    PowerManager* power = current_power();
    if (!power) return nullptr;
    std::lock_guard guard(power->lock);
    if (StateHandle) {
        for (auto& r : power->system_states) {
            if (r.get() != StateHandle) continue;
            r->flags = Flags;
            return StateHandle;
        }
        return nullptr;
    }
    auto record = std::make_unique<SystemStateRegistration>();
    record->flags = Flags;
    PVOID handle = record.get();
    power->system_states.push_back(std::move(record));
    return handle;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-pounregistersystemstate
VOID NTAPI PoUnregisterSystemState(PVOID StateHandle) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, APC_LEVEL);
    PowerManager* power = current_power();
    if (!power || !StateHandle) return;
    std::lock_guard guard(power->lock);
    std::erase_if(power->system_states, [&](const auto& r) { return r.get() == StateHandle; });
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-posetsystemstate
// A momentary busy indication: recorded as the latest one.
VOID NTAPI PoSetSystemState(EXECUTION_STATE Flags) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    PowerManager* power = current_power();
    if (!power) return;
    std::lock_guard guard(power->lock);
    power->one_shot_state = Flags;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-posetsystemwake
VOID NTAPI PoSetSystemWake(PIRP Irp) {
    if (!Irp) return;
    for (CCHAR i = 0; i < Irp->StackCount; ++i) stack_location(Irp, i)->Parameters.Others.Argument4 = kSystemWakeMark;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-pogetsystemwake
BOOLEAN NTAPI PoGetSystemWake(PIRP Irp) {
    if (!Irp) return FALSE;
    for (CCHAR i = 0; i < Irp->StackCount; ++i)
        if (stack_location(Irp, i)->Parameters.Others.Argument4 == kSystemWakeMark) return TRUE;
    return FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-poquerywatchdogtime
// NT deviation: ntio runs no power IRP watchdog (NT bug checks DRIVER_POWER_STATE_FAILURE when a
// power IRP stays pending too long), so there is never one to report.
BOOLEAN NTAPI PoQueryWatchdogTime(PDEVICE_OBJECT Pdo, PULONG SecondsRemaining) {
    (void)Pdo;
    (void)SecondsRemaining;
    return FALSE;
}

}  // extern "C"

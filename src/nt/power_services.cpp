// NtPowerInformation / ZwPowerInformation: the system power information ntio can answer.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-zwpowerinformation (drivers:
// PlatformInformation; no input buffer, an output buffer required: STATUS_INVALID_PARAMETER
// otherwise; STATUS_BUFFER_TOO_SMALL for a short one) and
// https://learn.microsoft.com/windows/win32/api/powerbase/nf-powerbase-callntpowerinformation (the
// SystemExecutionState, LastWakeTime and LastSleepTime queries user mode makes through it).
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>

#include "io/power_manager.hpp"
#include "nt/enum_value.hpp"
#include "nt/previous_mode.hpp"
#include "nt/user_memory.hpp"
#include "verifier/verifier.hpp"

using namespace ntio::nt;

namespace {

// Copies the answer to the caller's buffer, probed for the caller's mode.
template <typename T>
NTSTATUS answer(KPROCESSOR_MODE mode, PVOID output, ULONG length, const T& value) {
    if (length < sizeof(T)) return STATUS_BUFFER_TOO_SMALL;
    return write_caller(mode, static_cast<T*>(output), value);
}

}  // namespace

extern "C" {

// NT deviation: the levels that set power policy or describe hardware ntio does not have (the
// policies, batteries, processor states, ...) are refused with STATUS_INVALID_PARAMETER, as an
// unknown level is.
NTSTATUS NTAPI NtPowerInformation(POWER_INFORMATION_LEVEL InformationLevel, PVOID InputBuffer, ULONG InputBufferLength,
                                  PVOID OutputBuffer, ULONG OutputBufferLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (InputBuffer || InputBufferLength || !OutputBuffer) return STATUS_INVALID_PARAMETER;
    switch (enum_value(InformationLevel)) {
    case PlatformInformation: {
        POWER_PLATFORM_INFORMATION info{};
        info.AoAc = FALSE;  // not a modern-standby (always on, always connected) platform
        return answer(mode, OutputBuffer, OutputBufferLength, info);
    }
    case SystemExecutionState: {
        ntio::io::PowerManager* power = ntio::io::current_power();
        const ULONG state = power ? ntio::io::power_execution_state(*power) : 0;
        return answer(mode, OutputBuffer, OutputBufferLength, state);
    }
    case LastWakeTime:
    case LastSleepTime:
        return answer(mode, OutputBuffer, OutputBufferLength, ULONGLONG{0});  // the system never slept
    default:
        return STATUS_INVALID_PARAMETER;
    }
}

NTSTATUS NTAPI ZwPowerInformation(POWER_INFORMATION_LEVEL InformationLevel, PVOID InputBuffer, ULONG InputBufferLength,
                                  PVOID OutputBuffer, ULONG OutputBufferLength) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtPowerInformation(InformationLevel, InputBuffer, InputBufferLength, OutputBuffer, OutputBufferLength);
}

}  // extern "C"

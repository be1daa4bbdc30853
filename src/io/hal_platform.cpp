// The HAL's platform routines (ntddk.h): the PC speaker, the boot display, hardware performance
// counters and the machine-check bugcheck. ntio runs in a host process with none of that hardware;
// each routine answers as the HAL does where the device is missing (docs/nt-deviations.md, "hal").
#include "io/hal_routines.hpp"
#include "verifier/verifier.hpp"

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-halmakebeep
// Frequency zero stops any beep: with nothing sounding that succeeds (TRUE). Any other frequency
// would sound the speaker, and there is none: FALSE.
NTHALAPI BOOLEAN NTAPI HalMakeBeep(ULONG Frequency) { return Frequency == 0 ? TRUE : FALSE; }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-halacquiredisplayownership
// A display driver hands the boot display back through ResetDisplayParameters when the HAL needs it
// (a bugcheck). ntio's stop screen goes to the host's standard error, never to a display, so the HAL
// never takes the display and the routine is never called.
NTHALAPI VOID NTAPI HalAcquireDisplayOwnership(PHAL_RESET_DISPLAY_PARAMETERS ResetDisplayParameters) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    (void)ResetDisplayParameters;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-halallocatehardwarecounters
// ntio has no performance monitoring unit (as KeSetHardwareCounterConfiguration):
// STATUS_NOT_IMPLEMENTED, *CounterSetHandle left alone (docs/nt-deviations.md, STATUS_NOT_IMPLEMENTED).
NTHALAPI NTSTATUS NTAPI HalAllocateHardwareCounters(PGROUP_AFFINITY GroupAffinty, ULONG GroupCount,
                                                    PPHYSICAL_COUNTER_RESOURCE_LIST ResourceList,
                                                    PHANDLE CounterSetHandle) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    (void)GroupAffinty, (void)GroupCount, (void)ResourceList, (void)CounterSetHandle;
    return STATUS_NOT_IMPLEMENTED;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-halfreehardwarecounters
NTHALAPI NTSTATUS NTAPI HalFreeHardwareCounters(HANDLE CounterSetHandle) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    (void)CounterSetHandle;
    return STATUS_NOT_IMPLEMENTED;
}

// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0x124---whea-uncorrectable-error
// Parameter 1 is the error source's type, parameter 2 the WHEA_ERROR_RECORD; 3 and 4 carry
// processor-specific status that ntio's callers have none of (zero). The source descriptor's Type
// follows its Length and Version (two ULONGs), where the WDK's WHEA_ERROR_SOURCE_DESCRIPTOR has it.
NTHALAPI VOID NTAPI HalBugCheckSystem(PWHEA_ERROR_SOURCE_DESCRIPTOR ErrorSource, PWHEA_ERROR_RECORD ErrorRecord) {
    const ULONG type = ErrorSource ? reinterpret_cast<const ULONG*>(ErrorSource)[2] : 0;
    KeBugCheckEx(WHEA_UNCORRECTABLE_ERROR, type, reinterpret_cast<ULONG_PTR>(ErrorRecord), 0, 0);
}

}  // extern "C"

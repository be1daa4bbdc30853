// The hardware counter configuration for thread profiling. ntio reads no performance monitoring unit
// (the host does not let a process program one), so both routines answer as Windows does on an
// architecture without the feature.
#include "verifier/verifier.hpp"

#include <wdm.h>

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-kesethardwarecounterconfiguration
// IRQL <= APC_LEVEL. STATUS_INVALID_PARAMETER for a Count above MAX_HW_COUNTERS, as documented, then
// STATUS_NOT_IMPLEMENTED (docs/nt-deviations.md, STATUS_NOT_IMPLEMENTED).
NTKERNELAPI NTSTATUS KeSetHardwareCounterConfiguration(PHARDWARE_COUNTER CounterArray, ULONG Count) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, APC_LEVEL);
    (void)CounterArray;
    if (Count > MAX_HW_COUNTERS) return STATUS_INVALID_PARAMETER;
    return STATUS_NOT_IMPLEMENTED;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-kequeryhardwarecounterconfiguration
// IRQL <= APC_LEVEL. "If the routine fails, it writes nothing to this buffer": nor to *Count.
NTKERNELAPI NTSTATUS KeQueryHardwareCounterConfiguration(PHARDWARE_COUNTER CounterArray, ULONG MaximumCount,
                                                         PULONG Count) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, APC_LEVEL);
    (void)CounterArray;
    (void)MaximumCount;
    (void)Count;
    return STATUS_NOT_IMPLEMENTED;
}

}  // extern "C"

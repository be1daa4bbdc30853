// The processor state a driver saves around its own floating-point use, and the DPC watchdog
// queries. In user space the state is the host thread's own: the x87 control word and MXCSR carry
// what a driver can change for the code after it (rounding, precision, exception masks), so those
// are what a restore puts back. ntio has no DPC watchdog. KeSaveFloatingPointState and
// KeRestoreFloatingPointState are inline in the header, as the WDK has them on x64.
#include <wdm.h>

#include "verifier/verifier.hpp"

namespace {

constexpr ULONG kXStateTag = 0x74534b58;  // 'XKSt'

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlgetenabledextendedfeatures
// "The intersection (bitwise AND) between all enabled features and FeatureMask", 0 when the system
// disables XSAVE/XRSTOR. The features enabled are the host kernel's: XCR0, readable with xgetbv
// once CPUID reports OSXSAVE (the host has set CR4.OSXSAVE). The state of each is the host thread's
// own and the System V ABI treats every vector register as clobbered by a call, so a driver may use
// any of them.
NTSYSAPI ULONG64 NTAPI RtlGetEnabledExtendedFeatures(ULONG64 FeatureMask) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    static const ULONG64 enabled = [] {
        unsigned eax = 1, ebx = 0, ecx = 0, edx = 0;
        __asm__("cpuid" : "+a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "2"(0u));
        if (!(ecx & (1u << 27))) return ULONG64{0};  // OSXSAVE
        unsigned lo = 0, hi = 0;
        __asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0u));
        return (static_cast<ULONG64>(hi) << 32) | lo;
    }();
    return enabled & FeatureMask;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keflushwritebuffer: the
// processor's stores become visible before the caller goes on (a full fence: MemoryBarrier).
NTHALAPI VOID KeFlushWriteBuffer(VOID) { MemoryBarrier(); }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kesaveextendedprocessorstate
// NT deviation: only the legacy x87 and SSE state is saved (FXSAVE into a pool block); the mask
// recorded is the requested one limited to those two features.
NTKERNELAPI NTSTATUS KeSaveExtendedProcessorState(ULONG64 Mask, PXSTATE_SAVE XStateSave) {
    auto* area = static_cast<PXSAVE_AREA>(ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(XSAVE_AREA), kXStateTag));
    if (!area) return STATUS_INSUFFICIENT_RESOURCES;
    __asm__ __volatile__("fxsave64 %0" : "=m"(area->LegacyState));
    area->Header.Mask = Mask & XSTATE_MASK_LEGACY;
    XStateSave->Prev = nullptr;
    XStateSave->Thread = KeGetCurrentThread();
    XStateSave->Level = KeGetCurrentIrql();
    XStateSave->XStateContext.Mask = Mask & XSTATE_MASK_LEGACY;
    XStateSave->XStateContext.Length = sizeof(XSAVE_AREA);
    XStateSave->XStateContext.Reserved1 = 0;
    XStateSave->XStateContext.Area = area;
    XStateSave->XStateContext.Buffer = area;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kerestoreextendedprocessorstate
// Puts back the x87 control word and MXCSR of the features saved, and frees the save block; a
// second restore of the same block finds it gone and does nothing.
NTKERNELAPI VOID KeRestoreExtendedProcessorState(PXSTATE_SAVE XStateSave) {
    PXSAVE_AREA area = XStateSave->XStateContext.Area;
    if (!area) return;
    const ULONG64 mask = XStateSave->XStateContext.Mask;
    if (mask & XSTATE_MASK_LEGACY_FLOATING_POINT) {
        const USHORT control = area->LegacyState.ControlWord;
        __asm__ __volatile__("fldcw %0" : : "m"(control));
    }
    if (mask & XSTATE_MASK_LEGACY_SSE) {
        const ULONG mxcsr = area->LegacyState.MxCsr;
        __asm__ __volatile__("ldmxcsr %0" : : "m"(mxcsr));
    }
    XStateSave->XStateContext.Area = nullptr;
    XStateSave->XStateContext.Buffer = nullptr;
    ExFreePoolWithTag(area, kXStateTag);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kequerydpcwatchdoginformation
// A limit of 0 means that watchdog is disabled; with no watchdog, the counts are 0 too.
NTKERNELAPI NTSTATUS KeQueryDpcWatchdogInformation(PKDPC_WATCHDOG_INFORMATION WatchdogInformation) {
    WatchdogInformation->DpcTimeLimit = 0;
    WatchdogInformation->DpcTimeCount = 0;
    WatchdogInformation->DpcWatchdogLimit = 0;
    WatchdogInformation->DpcWatchdogCount = 0;
    WatchdogInformation->Reserved = 0;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keshouldyieldprocessor
NTKERNELAPI LOGICAL KeShouldYieldProcessor(VOID) { return FALSE; }

}  // extern "C"

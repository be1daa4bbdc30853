// Processor cache maintenance: KeInvalidateRangeAllCaches writes back and invalidates a range with
// clflush (an unprivileged instruction that acts on every cache of the coherence domain, so on every
// processor's), KeInvalidateAllCaches has no user-mode equivalent (wbinvd is privileged).
#include "verifier/verifier.hpp"

#include <wdm.h>

namespace {
constexpr ULONG_PTR kFlushLine = 64;  // clflush acts on the line holding its address; 64 is the
                                      // smallest line x86-64 processors have, so no line is missed
}

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-keinvalidaterangeallcaches
// IRQL <= DISPATCH_LEVEL. The flush is complete when the routine returns (the final mfence orders it).
NTKERNELAPI VOID FASTCALL KeInvalidateRangeAllCaches(PVOID BaseAddress, ULONG Length) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    if (Length == 0) return;
    const ULONG_PTR start = reinterpret_cast<ULONG_PTR>(BaseAddress) & ~(kFlushLine - 1);
    const ULONG_PTR end = reinterpret_cast<ULONG_PTR>(BaseAddress) + Length;
    for (ULONG_PTR line = start; line < end; line += kFlushLine)
        __asm__ __volatile__("clflush (%0)" : : "r"(line) : "memory");
    __asm__ __volatile__("mfence" : : : "memory");
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-keinvalidateallcaches
// IRQL <= DISPATCH_LEVEL; the result is reserved for the system (callers treat it as VOID).
// NT deviation: wbinvd is privileged, so nothing is written back or invalidated: only a full memory
// barrier orders the caller's stores. Nothing in ntio can tell: no device reads host memory behind
// the caches (there is no DMA into physical pages), and host caches are coherent.
NTKERNELAPI BOOLEAN KeInvalidateAllCaches(VOID) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    MemoryBarrier();
    return TRUE;
}

}  // extern "C"

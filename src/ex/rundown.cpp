// Run-down protection (EX_RUNDOWN_REF). Count holds the references in units of kReference while
// run-down has not started (bit 0 clear). ExWaitForRundownProtectionRelease sets bit 0: the rest of
// the word then points to the waiter's block, which counts the references still out; the release
// that takes it to zero signals the waiter. After the wait the word is kActive alone, which refuses
// every acquire until ExReInitializeRundownProtection.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/run-down-protection
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exwaitforrundownprotectionrelease
#include <atomic>
#include <cstdint>

#include <wdm.h>

#include "host/cpu.hpp"

namespace ntio::ex {
namespace {

constexpr ULONG_PTR kActive = 1;
constexpr ULONG_PTR kReference = 2;

// The waiter's block, on its stack. `released` is the last thing the signalling release touches: the
// waiter leaves only once it is set, so the block outlives every use.
struct alignas(8) RundownWait {
    std::atomic<ULONG_PTR> remaining;
    KEVENT event;
    std::atomic<bool> released{false};
};

std::atomic_ref<ULONG_PTR> count_of(PEX_RUNDOWN_REF ref) noexcept {
    return std::atomic_ref<ULONG_PTR>(const_cast<ULONG_PTR&>(ref->Count));
}

}  // namespace
}  // namespace ntio::ex

using ntio::ex::count_of;
using ntio::ex::kActive;
using ntio::ex::kReference;
using ntio::ex::RundownWait;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exinitializerundownprotection
NTKERNELAPI VOID NTAPI ExInitializeRundownProtection(PEX_RUNDOWN_REF RunRef) {
    count_of(RunRef).store(0, std::memory_order_relaxed);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exreinitializerundownprotection
// After a completed run-down: references can be acquired again.
NTKERNELAPI VOID NTAPI ExReInitializeRundownProtection(PEX_RUNDOWN_REF RunRef) {
    count_of(RunRef).store(0, std::memory_order_release);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exacquirerundownprotectionex
// FALSE once run-down has started. A Count that would overflow the word is refused as well.
NTKERNELAPI BOOLEAN NTAPI ExAcquireRundownProtectionEx(PEX_RUNDOWN_REF RunRef, ULONG Count) {
    auto word = count_of(RunRef);
    const ULONG_PTR add = ULONG_PTR{Count} * kReference;
    ULONG_PTR value = word.load(std::memory_order_relaxed);
    do {
        if ((value & kActive) || value + add < value) return FALSE;
    } while (!word.compare_exchange_weak(value, value + add, std::memory_order_acquire, std::memory_order_relaxed));
    return TRUE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exacquirerundownprotection
NTKERNELAPI BOOLEAN NTAPI ExAcquireRundownProtection(PEX_RUNDOWN_REF RunRef) {
    return ExAcquireRundownProtectionEx(RunRef, 1);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exreleaserundownprotectionex
// During run-down the references are the waiter's block's: the last one wakes the waiter.
NTKERNELAPI VOID NTAPI ExReleaseRundownProtectionEx(PEX_RUNDOWN_REF RunRef, ULONG Count) {
    auto word = count_of(RunRef);
    const ULONG_PTR sub = ULONG_PTR{Count} * kReference;
    // Acquire: a word with the active bit publishes the waiter's block (its release CAS).
    ULONG_PTR value = word.load(std::memory_order_acquire);
    while (!(value & kActive)) {
        if (word.compare_exchange_weak(value, value - sub, std::memory_order_release, std::memory_order_acquire)) return;
    }
    auto* wait = reinterpret_cast<RundownWait*>(value & ~kActive);
    if (wait->remaining.fetch_sub(Count, std::memory_order_acq_rel) == Count) {
        KeSetEvent(&wait->event, IO_NO_INCREMENT, FALSE);
        wait->released.store(true, std::memory_order_release);
    }
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exreleaserundownprotection
NTKERNELAPI VOID NTAPI ExReleaseRundownProtection(PEX_RUNDOWN_REF RunRef) { ExReleaseRundownProtectionEx(RunRef, 1); }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exwaitforrundownprotectionrelease
// From here on acquires fail; returns when every reference acquired before has been released.
NTKERNELAPI VOID NTAPI ExWaitForRundownProtectionRelease(PEX_RUNDOWN_REF RunRef) {
    auto word = count_of(RunRef);
    ULONG_PTR value = word.load(std::memory_order_relaxed);
    RundownWait wait;
    KeInitializeEvent(&wait.event, NotificationEvent, FALSE);
    for (;;) {
        if (value & kActive) return;  // already run down
        if (value == 0) {  // nothing out: run down at once
            if (word.compare_exchange_weak(value, kActive, std::memory_order_acquire)) return;
            continue;
        }
        wait.remaining.store(value / kReference, std::memory_order_relaxed);
        if (word.compare_exchange_weak(value, reinterpret_cast<ULONG_PTR>(&wait) | kActive, std::memory_order_acq_rel))
            break;
    }
    KeWaitForSingleObject(&wait.event, Executive, KernelMode, FALSE, nullptr);
    for (unsigned step = 0; !wait.released.load(std::memory_order_acquire); ++step) ntio::host::spin_step(step);
    word.store(kActive, std::memory_order_release);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exrundowncompleted
NTKERNELAPI VOID NTAPI ExRundownCompleted(PEX_RUNDOWN_REF RunRef) { count_of(RunRef).store(kActive, std::memory_order_release); }

}  // extern "C"

// Executive spin locks (EX_SPIN_LOCK): reader/writer spin locks in one LONG. kExclusive is set while
// a writer holds the lock, kWriterWaiting while a writer spins for it (new readers then hold back, so
// a stream of readers cannot starve it), and the bits below count the shared owners. The raising
// forms go through the per-thread IRQL the way KeAcquireSpinLock does, and the verifier counts them
// as the spin locks they are.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/reader-writer-spin-locks
#include <atomic>

#include <wdm.h>

#include "host/cpu.hpp"
#include "verifier/verifier.hpp"

namespace ntio::ex {
namespace {

constexpr LONG kExclusive = static_cast<LONG>(0x80000000u);
constexpr LONG kWriterWaiting = 0x40000000;
constexpr LONG kSharedMask = 0x3fffffff;

std::atomic_ref<LONG> word_of(PEX_SPIN_LOCK lock) noexcept {
    return std::atomic_ref<LONG>(*const_cast<LONG*>(lock));
}

bool try_shared(PEX_SPIN_LOCK lock) noexcept {
    auto word = word_of(lock);
    LONG v = word.load(std::memory_order_relaxed);
    while ((v & (kExclusive | kWriterWaiting)) == 0) {
        if (word.compare_exchange_weak(v, v + 1, std::memory_order_acquire, std::memory_order_relaxed)) return true;
    }
    return false;
}

// Free, or free with writers waiting (the one that wins clears the bit; the others set it again).
bool try_exclusive(PEX_SPIN_LOCK lock) noexcept {
    auto word = word_of(lock);
    LONG v = word.load(std::memory_order_relaxed);
    while ((v & ~kWriterWaiting) == 0) {
        if (word.compare_exchange_weak(v, kExclusive, std::memory_order_acquire, std::memory_order_relaxed))
            return true;
    }
    return false;
}

void acquire_shared(PEX_SPIN_LOCK lock) noexcept {
    for (unsigned spins = 0; !try_shared(lock);) ntio::host::spin_step(++spins, 256);
}

void acquire_exclusive(PEX_SPIN_LOCK lock) noexcept {
    auto word = word_of(lock);
    for (unsigned spins = 0; !try_exclusive(lock);) {
        LONG v = word.load(std::memory_order_relaxed);
        if ((v & kWriterWaiting) == 0) word.compare_exchange_weak(v, v | kWriterWaiting, std::memory_order_relaxed);
        ntio::host::spin_step(++spins, 256);
    }
}

// Releasing a mode the lock is not held in is the KSPIN_LOCK case's bugcheck (spin_lock.cpp).
void release_shared(PEX_SPIN_LOCK lock) noexcept {
    auto word = word_of(lock);
    LONG v = word.load(std::memory_order_relaxed);
    do {
        if ((v & kSharedMask) == 0 || (v & kExclusive))
            KeBugCheckEx(SPIN_LOCK_NOT_OWNED, reinterpret_cast<ULONG_PTR>(lock), static_cast<ULONG>(v), 0, 0);
    } while (!word.compare_exchange_weak(v, v - 1, std::memory_order_release, std::memory_order_relaxed));
}

void release_exclusive(PEX_SPIN_LOCK lock) noexcept {
    const LONG v = word_of(lock).fetch_and(~kExclusive, std::memory_order_release);
    if ((v & kExclusive) == 0)
        KeBugCheckEx(SPIN_LOCK_NOT_OWNED, reinterpret_cast<ULONG_PTR>(lock), static_cast<ULONG>(v), 0, 0);
}

ULONG_PTR arg(PEX_SPIN_LOCK lock) noexcept { return reinterpret_cast<ULONG_PTR>(lock); }

}  // namespace
}  // namespace ntio::ex

using namespace ntio::ex;
using ntio::verifier::DdiRule;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exacquirespinlockshared
NTKERNELAPI KIRQL ExAcquireSpinLockShared(PEX_SPIN_LOCK SpinLock) {
    NTIO_VERIFY_DDI(DdiRule::KeAcquireSpinLock, arg(SpinLock));
    const KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);  // checked above
    acquire_shared(SpinLock);
    return old;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exreleasespinlockshared
NTKERNELAPI VOID ExReleaseSpinLockShared(PEX_SPIN_LOCK SpinLock, KIRQL OldIrql) {
    NTIO_VERIFY_DDI(DdiRule::KeReleaseSpinLock, arg(SpinLock));
    release_shared(SpinLock);
    KeLowerIrql(OldIrql);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exacquirespinlockexclusive
NTKERNELAPI KIRQL ExAcquireSpinLockExclusive(PEX_SPIN_LOCK SpinLock) {
    NTIO_VERIFY_DDI(DdiRule::KeAcquireSpinLock, arg(SpinLock));
    const KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);  // checked above
    acquire_exclusive(SpinLock);
    return old;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exreleasespinlockexclusive
NTKERNELAPI VOID ExReleaseSpinLockExclusive(PEX_SPIN_LOCK SpinLock, KIRQL OldIrql) {
    NTIO_VERIFY_DDI(DdiRule::KeReleaseSpinLock, arg(SpinLock));
    release_exclusive(SpinLock);
    KeLowerIrql(OldIrql);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exacquirespinlocksharedatdpclevel
NTKERNELAPI VOID ExAcquireSpinLockSharedAtDpcLevel(PEX_SPIN_LOCK SpinLock) {
    NTIO_VERIFY_DDI(DdiRule::KeAcquireSpinLock, arg(SpinLock), 1);
    acquire_shared(SpinLock);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exreleasespinlocksharedfromdpclevel
NTKERNELAPI VOID ExReleaseSpinLockSharedFromDpcLevel(PEX_SPIN_LOCK SpinLock) {
    NTIO_VERIFY_DDI(DdiRule::KeReleaseSpinLockFromDpcLevel, arg(SpinLock));
    release_shared(SpinLock);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exacquirespinlockexclusiveatdpclevel
NTKERNELAPI VOID ExAcquireSpinLockExclusiveAtDpcLevel(PEX_SPIN_LOCK SpinLock) {
    NTIO_VERIFY_DDI(DdiRule::KeAcquireSpinLock, arg(SpinLock), 1);
    acquire_exclusive(SpinLock);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exreleasespinlockexclusivefromdpclevel
NTKERNELAPI VOID ExReleaseSpinLockExclusiveFromDpcLevel(PEX_SPIN_LOCK SpinLock) {
    NTIO_VERIFY_DDI(DdiRule::KeReleaseSpinLockFromDpcLevel, arg(SpinLock));
    release_exclusive(SpinLock);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-extryacquirespinlocksharedatdpclevel
NTKERNELAPI LOGICAL ExTryAcquireSpinLockSharedAtDpcLevel(PEX_SPIN_LOCK SpinLock) {
    if (!try_shared(SpinLock)) return FALSE;
    NTIO_VERIFY_DDI(DdiRule::KeAcquireSpinLock, arg(SpinLock), 1);
    return TRUE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-extryacquirespinlockexclusiveatdpclevel
NTKERNELAPI LOGICAL ExTryAcquireSpinLockExclusiveAtDpcLevel(PEX_SPIN_LOCK SpinLock) {
    if (!try_exclusive(SpinLock)) return FALSE;
    NTIO_VERIFY_DDI(DdiRule::KeAcquireSpinLock, arg(SpinLock), 1);
    return TRUE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-extryconvertsharedspinlockexclusive
// Succeeds only for the sole shared owner; a waiting writer keeps waiting (its bit is cleared here
// and set again by its next spin).
NTKERNELAPI LOGICAL ExTryConvertSharedSpinLockExclusive(PEX_SPIN_LOCK SpinLock) {
    auto word = word_of(SpinLock);
    LONG v = word.load(std::memory_order_relaxed);
    while ((v & ~kWriterWaiting) == 1) {
        if (word.compare_exchange_weak(v, kExclusive, std::memory_order_acquire, std::memory_order_relaxed))
            return TRUE;
    }
    return FALSE;
}

}  // extern "C"

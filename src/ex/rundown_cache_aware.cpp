// Cache-aware run-down protection: one counter word per processor, each on its own cache line,
// inside the caller's (or our) storage of ExSizeOfRundownProtectionCacheAware() bytes. A slot word
// holds twice its count while run-down has not started (bit 0 clear); counts are modular, since a
// reference acquired on one processor may be released on another, so only their sum is meaningful.
// The wait moves every slot's count into one block on its stack (the slot then holds the block's
// address with bit 0 set), starting from a bias larger than any partial sum can go below zero so
// that no release sees zero before every slot has moved; dropping the bias leaves the true count,
// and the release that takes it to zero wakes the waiter.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exwaitforrundownprotectionreleasecacheaware
#include <atomic>
#include <cstdint>

#include <wdm.h>

#include "host/cpu.hpp"

// The storage's layout: this header on a cache line of its own, then the slots, one line each.
struct _EX_RUNDOWN_REF_CACHE_AWARE {
    ULONG_PTR* slots;  // first slot (cache-line aligned, inside the same storage)
    ULONG slot_count;
    ULONG pool_tag;  // for ExFreeCacheAwareRundownProtection; 0 for the caller's storage
};

namespace ntio::ex {
namespace rundown_cache_aware {

constexpr ULONG_PTR kActive = 1;
constexpr ULONG_PTR kReference = 2;
constexpr SIZE_T kLine = SYSTEM_CACHE_ALIGNMENT_SIZE;
constexpr LONG_PTR kBias = LONG_PTR{1} << 60;

struct alignas(8) Wait {
    std::atomic<LONG_PTR> remaining{kBias};
    KEVENT event;
    std::atomic<bool> released{false};
};

inline ULONG processor_slots() noexcept {
    const ULONG n = KeQueryMaximumProcessorCountEx(ALL_PROCESSOR_GROUPS);
    return n ? n : 1;
}

inline std::atomic_ref<ULONG_PTR> slot(PEX_RUNDOWN_REF_CACHE_AWARE ref, ULONG index) noexcept {
    return std::atomic_ref<ULONG_PTR>(*reinterpret_cast<ULONG_PTR*>(reinterpret_cast<char*>(ref->slots) + index * kLine));
}

inline std::atomic_ref<ULONG_PTR> current_slot(PEX_RUNDOWN_REF_CACHE_AWARE ref) noexcept {
    return slot(ref, KeGetCurrentProcessorNumberEx(nullptr) % ref->slot_count);
}

inline void store_all(PEX_RUNDOWN_REF_CACHE_AWARE ref, ULONG_PTR value) noexcept {
    for (ULONG i = 0; i < ref->slot_count; ++i) slot(ref, i).store(value, std::memory_order_release);
}

inline void drop(Wait* wait, LONG_PTR count) noexcept {
    if (wait->remaining.fetch_sub(count, std::memory_order_acq_rel) == count) {
        KeSetEvent(&wait->event, IO_NO_INCREMENT, FALSE);
        wait->released.store(true, std::memory_order_release);
    }
}

}  // namespace rundown_cache_aware
}  // namespace ntio::ex

namespace rca = ntio::ex::rundown_cache_aware;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exsizeofrundownprotectioncacheaware
// Header line, one line per processor, and a line of slack to align the caller's storage.
NTKERNELAPI SIZE_T NTAPI ExSizeOfRundownProtectionCacheAware(VOID) {
    return rca::kLine * (2 + SIZE_T{rca::processor_slots()});
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exinitializerundownprotectioncacheaware
// NT deviation: storage smaller than asked for gets as many slots as fit (at least one; storage
// too small for the header and one slot is the caller's bug and not checked).
NTKERNELAPI VOID NTAPI ExInitializeRundownProtectionCacheAware(PEX_RUNDOWN_REF_CACHE_AWARE RunRefCacheAware,
                                                               SIZE_T RunRefSize) {
    auto* base = reinterpret_cast<char*>(RunRefCacheAware);
    const auto first = (reinterpret_cast<ULONG_PTR>(base) + sizeof(_EX_RUNDOWN_REF_CACHE_AWARE) + rca::kLine - 1) &
                       ~(ULONG_PTR{rca::kLine} - 1);
    const SIZE_T used = first - reinterpret_cast<ULONG_PTR>(base);
    SIZE_T fit = RunRefSize > used ? (RunRefSize - used) / rca::kLine : 0;
    if (fit == 0) fit = 1;
    const ULONG wanted = rca::processor_slots();
    RunRefCacheAware->slots = reinterpret_cast<ULONG_PTR*>(first);
    RunRefCacheAware->slot_count = fit < wanted ? static_cast<ULONG>(fit) : wanted;
    RunRefCacheAware->pool_tag = 0;
    rca::store_all(RunRefCacheAware, 0);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exallocatecacheawarerundownprotection
// NULL when the pool cannot supply the storage.
NTKERNELAPI PEX_RUNDOWN_REF_CACHE_AWARE NTAPI ExAllocateCacheAwareRundownProtection(POOL_TYPE PoolType, ULONG PoolTag) {
    const SIZE_T size = ExSizeOfRundownProtectionCacheAware();
    auto* ref = static_cast<PEX_RUNDOWN_REF_CACHE_AWARE>(ExAllocatePoolWithTag(PoolType, size, PoolTag));
    if (!ref) return nullptr;
    ExInitializeRundownProtectionCacheAware(ref, size);
    ref->pool_tag = PoolTag;
    return ref;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exfreecacheawarerundownprotection
NTKERNELAPI VOID NTAPI ExFreeCacheAwareRundownProtection(PEX_RUNDOWN_REF_CACHE_AWARE RunRefCacheAware) {
    ExFreePoolWithTag(RunRefCacheAware, RunRefCacheAware->pool_tag);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exacquirerundownprotectioncacheawareex
NTKERNELAPI BOOLEAN NTAPI ExAcquireRundownProtectionCacheAwareEx(PEX_RUNDOWN_REF_CACHE_AWARE RunRefCacheAware,
                                                                 ULONG Count) {
    auto word = rca::current_slot(RunRefCacheAware);
    const ULONG_PTR add = ULONG_PTR{Count} * rca::kReference;
    ULONG_PTR value = word.load(std::memory_order_relaxed);
    do {
        if (value & rca::kActive) return FALSE;
    } while (!word.compare_exchange_weak(value, value + add, std::memory_order_acquire, std::memory_order_relaxed));
    return TRUE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exacquirerundownprotectioncacheaware
NTKERNELAPI BOOLEAN NTAPI ExAcquireRundownProtectionCacheAware(PEX_RUNDOWN_REF_CACHE_AWARE RunRefCacheAware) {
    return ExAcquireRundownProtectionCacheAwareEx(RunRefCacheAware, 1);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exreleaserundownprotectioncacheawareex
NTKERNELAPI VOID NTAPI ExReleaseRundownProtectionCacheAwareEx(PEX_RUNDOWN_REF_CACHE_AWARE RunRef, ULONG Count) {
    auto word = rca::current_slot(RunRef);
    const ULONG_PTR sub = ULONG_PTR{Count} * rca::kReference;
    ULONG_PTR value = word.load(std::memory_order_acquire);
    while (!(value & rca::kActive)) {
        if (word.compare_exchange_weak(value, value - sub, std::memory_order_release, std::memory_order_acquire)) return;
    }
    rca::drop(reinterpret_cast<rca::Wait*>(value & ~rca::kActive), static_cast<LONG_PTR>(Count));
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exreleaserundownprotectioncacheaware
NTKERNELAPI VOID NTAPI ExReleaseRundownProtectionCacheAware(PEX_RUNDOWN_REF_CACHE_AWARE RunRefCacheAware) {
    ExReleaseRundownProtectionCacheAwareEx(RunRefCacheAware, 1);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exwaitforrundownprotectionreleasecacheaware
// IRQL <= APC_LEVEL. Acquires on a slot fail once the wait has moved that slot; returns when every
// reference acquired before has been released. A structure already run down returns at once.
NTKERNELAPI VOID NTAPI ExWaitForRundownProtectionReleaseCacheAware(PEX_RUNDOWN_REF_CACHE_AWARE RunRef) {
    rca::Wait wait;
    KeInitializeEvent(&wait.event, NotificationEvent, FALSE);
    const ULONG_PTR mark = reinterpret_cast<ULONG_PTR>(&wait) | rca::kActive;
    for (ULONG i = 0; i < RunRef->slot_count; ++i) {
        auto word = rca::slot(RunRef, i);
        ULONG_PTR value = word.load(std::memory_order_relaxed);
        while (!(value & rca::kActive) &&
               !word.compare_exchange_weak(value, mark, std::memory_order_acq_rel, std::memory_order_relaxed)) {
        }
        // Already active: run down before (kActive alone); nothing of it to count.
        if (!(value & rca::kActive)) wait.remaining.fetch_add(static_cast<LONG_PTR>(value) / 2, std::memory_order_acq_rel);
    }
    if (wait.remaining.fetch_sub(rca::kBias, std::memory_order_acq_rel) != rca::kBias) {
        KeWaitForSingleObject(&wait.event, Executive, KernelMode, FALSE, nullptr);
        for (unsigned step = 0; !wait.released.load(std::memory_order_acquire); ++step) ntio::host::spin_step(step);
    }
    rca::store_all(RunRef, rca::kActive);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exrundowncompletedcacheaware
NTKERNELAPI VOID NTAPI ExRundownCompletedCacheAware(PEX_RUNDOWN_REF_CACHE_AWARE RunRefCacheAware) {
    rca::store_all(RunRefCacheAware, rca::kActive);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exreinitializerundownprotectioncacheaware
NTKERNELAPI VOID NTAPI ExReInitializeRundownProtectionCacheAware(PEX_RUNDOWN_REF_CACHE_AWARE RunRefCacheAware) {
    rca::store_all(RunRefCacheAware, 0);
}

}  // extern "C"

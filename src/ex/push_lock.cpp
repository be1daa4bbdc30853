// Push locks (EX_PUSH_LOCK): a pointer-sized reader/writer lock whose waiters block. The word holds
// kExclusive while a writer owns it, kWaiting while threads are parked on it, and the shared owners
// in units of kShared. Parked threads wait in a process-wide table hashed by the lock's address
// (the word has no room for a queue), each on a KEVENT in a block on its own stack. While kWaiting is
// set every change to the word is made under the bucket's lock, and the release that leaves the lock
// free hands it to the waiters directly, in arrival order: the first waiter if it wants it
// exclusive, else every shared waiter ahead of the next exclusive one. A woken waiter owns the lock
// and never retries, so no wake-up is lost and no waiter is passed over for ever.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exinitializepushlock
#include <array>
#include <atomic>
#include <cstdint>

#include <wdm.h>

#include "ex/raw_spin_lock.hpp"
#include "host/cpu.hpp"

namespace ntio::ex {
namespace {

constexpr ULONG_PTR kExclusive = 1;
constexpr ULONG_PTR kWaiting = 2;
constexpr ULONG_PTR kShared = 4;

struct PushLockWaiter {
    PushLockWaiter* next;
    PEX_PUSH_LOCK lock;
    bool exclusive;
    KEVENT granted;
    std::atomic<bool> released{false};  // the granting thread no longer touches this block
};

struct alignas(64) Bucket {
    KSPIN_LOCK lock = 0;
    PushLockWaiter* head = nullptr;  // FIFO over every lock hashed here
};

constexpr unsigned kBucketBits = 6;
std::array<Bucket, 1u << kBucketBits> g_buckets;

Bucket& bucket_of(PEX_PUSH_LOCK lock) noexcept {
    const auto key = reinterpret_cast<std::uintptr_t>(lock) >> 3;
    return g_buckets[(key * 0x9E3779B97F4A7C15ULL) >> (64 - kBucketBits)];
}

std::atomic_ref<ULONG_PTR> word_of(PEX_PUSH_LOCK lock) noexcept { return std::atomic_ref<ULONG_PTR>(*lock); }

bool has_waiter_locked(const Bucket& b, PEX_PUSH_LOCK lock) noexcept {
    for (PushLockWaiter* w = b.head; w; w = w->next)
        if (w->lock == lock) return true;
    return false;
}

void append_locked(Bucket& b, PushLockWaiter* w) noexcept {
    w->next = nullptr;
    PushLockWaiter** link = &b.head;
    while (*link) link = &(*link)->next;
    *link = w;
}

// The lock has just become free (holders gone) with waiters parked: unlinks the ones to wake, sets
// the word to their ownership, and returns them as a list. Bucket locked.
PushLockWaiter* grant_locked(Bucket& b, PEX_PUSH_LOCK lock) noexcept {
    PushLockWaiter* granted = nullptr;
    PushLockWaiter** tail = &granted;
    ULONG_PTR owners = 0;
    bool exclusive_first = false;
    for (PushLockWaiter** link = &b.head; *link;) {
        PushLockWaiter* w = *link;
        if (w->lock != lock) {
            link = &w->next;
            continue;
        }
        if (granted == nullptr && w->exclusive) exclusive_first = true;
        else if (exclusive_first || w->exclusive) break;
        *link = w->next;
        w->next = nullptr;
        *tail = w;
        tail = &w->next;
        owners += kShared;
        if (exclusive_first) break;
    }
    const ULONG_PTR held = exclusive_first ? kExclusive : owners;
    word_of(lock).store(held | (has_waiter_locked(b, lock) ? kWaiting : 0), std::memory_order_release);
    return granted;
}

void wake(PushLockWaiter* list) noexcept {
    while (list) {
        PushLockWaiter* next = list->next;
        KeSetEvent(&list->granted, 0, FALSE);
        list->released.store(true, std::memory_order_release);
        list = next;
    }
}

bool try_exclusive(PEX_PUSH_LOCK lock) noexcept {
    ULONG_PTR expected = 0;
    return word_of(lock).compare_exchange_strong(expected, kExclusive, std::memory_order_acquire,
                                                 std::memory_order_relaxed);
}

bool try_shared(PEX_PUSH_LOCK lock) noexcept {
    auto word = word_of(lock);
    ULONG_PTR v = word.load(std::memory_order_relaxed);
    while ((v & (kExclusive | kWaiting)) == 0) {
        if (word.compare_exchange_weak(v, v + kShared, std::memory_order_acquire, std::memory_order_relaxed))
            return true;
    }
    return false;
}

// Slow path of both acquires: under the bucket lock, take the lock if nobody holds it in a way that
// conflicts and nobody waits ahead, else announce a waiter, park, and return once a release has
// granted the lock to this thread.
void acquire_slow(PEX_PUSH_LOCK lock, bool exclusive) {
    Bucket& b = bucket_of(lock);
    PushLockWaiter w{nullptr, lock, exclusive, {}};
    KeInitializeEvent(&w.granted, NotificationEvent, FALSE);
    {
        RawSpinLockGuard guard(&b.lock);
        auto word = word_of(lock);
        ULONG_PTR v = word.load(std::memory_order_relaxed);
        for (;;) {
            const bool free_for_me = (v & kWaiting) == 0 && (exclusive ? v == 0 : (v & kExclusive) == 0);
            const ULONG_PTR desired = free_for_me ? (exclusive ? kExclusive : v + kShared) : (v | kWaiting);
            if (word.compare_exchange_weak(v, desired, std::memory_order_acquire, std::memory_order_relaxed)) {
                if (free_for_me) return;
                break;
            }
        }
        append_locked(b, &w);
    }
    KeWaitForSingleObject(&w.granted, WrPushLock, KernelMode, FALSE, nullptr);
    // The granting thread may have been preempted between the two stores: give it the CPU.
    for (unsigned spins = 0; !w.released.load(std::memory_order_acquire);) ntio::host::spin_step(++spins, 64);
}

// Slow path of both releases (kWaiting seen): under the bucket lock, drop the caller's hold; the
// last holder out hands the lock on.
void release_slow(PEX_PUSH_LOCK lock, bool exclusive) {
    Bucket& b = bucket_of(lock);
    PushLockWaiter* woken = nullptr;
    {
        RawSpinLockGuard guard(&b.lock);
        auto word = word_of(lock);
        ULONG_PTR v = word.load(std::memory_order_relaxed);
        for (;;) {
            if (exclusive ? (v & kExclusive) == 0 : (v & kExclusive) != 0 || v < kShared) return;
            const ULONG_PTR left = exclusive ? (v & ~kExclusive) : v - kShared;
            if ((left & ~kWaiting) == 0 && (left & kWaiting)) {
                woken = grant_locked(b, lock);
                break;
            }
            if (word.compare_exchange_weak(v, left, std::memory_order_release, std::memory_order_relaxed)) break;
        }
    }
    wake(woken);
}

}  // namespace
}  // namespace ntio::ex

using namespace ntio::ex;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exinitializepushlock
NTKERNELAPI VOID ExInitializePushLock(PEX_PUSH_LOCK PushLock) { *PushLock = 0; }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exacquirepushlockexclusive
// Flags (EX_DEFAULT_PUSH_LOCK_FLAGS or the auto-boost bit) only tune priority boosting on Windows.
NTKERNELAPI VOID ExAcquirePushLockExclusiveEx(PEX_PUSH_LOCK PushLock, ULONG Flags) {
    (void)Flags;
    if (!try_exclusive(PushLock)) acquire_slow(PushLock, true);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exacquirepushlockshared
NTKERNELAPI VOID ExAcquirePushLockSharedEx(PEX_PUSH_LOCK PushLock, ULONG Flags) {
    (void)Flags;
    if (!try_shared(PushLock)) acquire_slow(PushLock, false);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-extryacquirepushlockexclusive
NTKERNELAPI BOOLEAN ExTryAcquirePushLockExclusiveEx(PEX_PUSH_LOCK PushLock, ULONG Flags) {
    (void)Flags;
    return try_exclusive(PushLock) ? TRUE : FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-extryacquirepushlockshared
NTKERNELAPI BOOLEAN ExTryAcquirePushLockSharedEx(PEX_PUSH_LOCK PushLock, ULONG Flags) {
    (void)Flags;
    return try_shared(PushLock) ? TRUE : FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exreleasepushlockexclusive
// NT deviation: releasing a push lock the caller does not hold in that mode leaves it unchanged
// (Windows documents no check and corrupts the lock).
NTKERNELAPI VOID ExReleasePushLockExclusiveEx(PEX_PUSH_LOCK PushLock, ULONG Flags) {
    (void)Flags;
    auto word = word_of(PushLock);
    ULONG_PTR expected = kExclusive;
    if (word.compare_exchange_strong(expected, 0, std::memory_order_release, std::memory_order_relaxed)) return;
    release_slow(PushLock, true);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exreleasepushlockshared
NTKERNELAPI VOID ExReleasePushLockSharedEx(PEX_PUSH_LOCK PushLock, ULONG Flags) {
    (void)Flags;
    auto word = word_of(PushLock);
    ULONG_PTR v = word.load(std::memory_order_relaxed);
    while ((v & (kExclusive | kWaiting)) == 0 && v >= kShared) {
        if (word.compare_exchange_weak(v, v - kShared, std::memory_order_release, std::memory_order_relaxed)) return;
    }
    release_slow(PushLock, false);
}

}  // extern "C"

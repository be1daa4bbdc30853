// Executive resources (ERESOURCE): shared/exclusive locks with recursion, following the rules on
// Microsoft Learn (ExAcquireResourceExclusiveLite, ExAcquireResourceSharedLite,
// ExAcquireSharedStarveExclusive, ExAcquireSharedWaitForExclusive, ExReleaseResourceForThreadLite).
// State lives in the ERESOURCE fields and is changed under its SpinLock. Waiters queue a wait block
// on their own stack and sleep on a KEVENT in it; a release hands ownership to them directly (all
// shared waiters after an exclusive release, else the first exclusive waiter), so a woken waiter
// owns the resource and never retries.
#include <atomic>
#include <cstdint>
#include <thread>

#include <wdm.h>

#include "ex/raw_spin_lock.hpp"
#include "ke/thread.hpp"
#include "verifier/verifier.hpp"

namespace ntio::ex {
namespace {

constexpr ULONG kOwnerTableTag = 0x744f6552;  // 'tOeR'
constexpr ULONG kInitialTableSize = 4;

// NT deviation: SharedWaiters and ExclusiveWaiters point to FIFO lists of these blocks (on the
// waiters' stacks), not to a KSEMAPHORE and a KEVENT allocated on first contention.
struct Waiter {
    Waiter* next;
    ERESOURCE_THREAD thread;
    KEVENT granted;
};

enum class SharedMode { Lite, StarveExclusive, WaitForExclusive };

Waiter* shared_head(PERESOURCE r) noexcept { return reinterpret_cast<Waiter*>(r->SharedWaiters); }
Waiter* exclusive_head(PERESOURCE r) noexcept { return reinterpret_cast<Waiter*>(r->ExclusiveWaiters); }
void set_shared_head(PERESOURCE r, Waiter* w) noexcept { r->SharedWaiters = reinterpret_cast<PKSEMAPHORE>(w); }
void set_exclusive_head(PERESOURCE r, Waiter* w) noexcept { r->ExclusiveWaiters = reinterpret_cast<PKEVENT>(w); }

// Appends at the tail: waiters are granted in arrival order.
Waiter* appended(Waiter* head, Waiter* w) noexcept {
    w->next = nullptr;
    if (!head) return w;
    Waiter* last = head;
    while (last->next) last = last->next;
    last->next = w;
    return head;
}

bool owned_exclusive(PERESOURCE r) noexcept { return (r->Flag & ResourceOwnedExclusive) != 0; }

void set_counts(PERESOURCE r, ULONG entries) noexcept {
    r->ActiveEntries = entries;
    r->ActiveCount = static_cast<SHORT>(entries > 0x7fff ? 0x7fff : entries);
}

ULONG table_size(PERESOURCE r) noexcept { return r->OwnerTable ? r->OwnerTable[0].TableSize : 0; }

POWNER_ENTRY find_owner_locked(PERESOURCE r, ERESOURCE_THREAD thread) noexcept {
    if (r->OwnerEntry.OwnerThread == thread) return &r->OwnerEntry;
    for (ULONG i = 1; i < table_size(r); ++i) {
        if (r->OwnerTable[i].OwnerThread == thread) return &r->OwnerTable[i];
    }
    return nullptr;
}

// A free owner slot, growing the table from nonpaged pool when needed. Null if pool is exhausted.
POWNER_ENTRY free_slot_locked(PERESOURCE r) noexcept {
    if (r->OwnerEntry.OwnerThread == 0) return &r->OwnerEntry;
    const ULONG size = table_size(r);
    for (ULONG i = 1; i < size; ++i) {
        if (r->OwnerTable[i].OwnerThread == 0) return &r->OwnerTable[i];
    }
    const ULONG grown = size == 0 ? kInitialTableSize : size * 2;
    auto* table = static_cast<POWNER_ENTRY>(
        ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(OWNER_ENTRY) * grown, kOwnerTableTag));
    if (!table) return nullptr;
    for (ULONG i = 1; i < size; ++i) table[i] = r->OwnerTable[i];
    table[0].TableSize = grown;
    if (r->OwnerTable) ExFreePoolWithTag(r->OwnerTable, kOwnerTableTag);
    r->OwnerTable = table;
    return &table[size == 0 ? 1 : size];
}

bool add_owner_locked(PERESOURCE r, ERESOURCE_THREAD thread) noexcept {
    POWNER_ENTRY e = free_slot_locked(r);
    if (!e) return false;
    e->OwnerThread = thread;
    e->OwnerCount = 1;
    set_counts(r, r->ActiveEntries + 1);
    return true;
}

// Grants the resource to a shared waiter: a new owner entry, or one more count on the entry the
// waiter already has (ExAcquireSharedWaitForExclusive by a shared owner).
void grant_shared_locked(PERESOURCE r, Waiter* w) noexcept {
    if (POWNER_ENTRY e = find_owner_locked(r, w->thread)) {
        ++e->OwnerCount;
        return;
    }
    if (!add_owner_locked(r, w->thread)) {
        // Pool exhausted: account the waiter on the embedded entry's count rather than losing it.
        ++r->OwnerEntry.OwnerCount;
    }
}

// The resource has just become free or shared-only: picks who runs next. Returns the waiters to
// signal (linked through next) once the spin lock is dropped.
Waiter* hand_over_locked(PERESOURCE r, bool prefer_shared) noexcept {
    Waiter* wake = nullptr;
    const bool free = r->ActiveEntries == 0;
    if (shared_head(r) && (prefer_shared || !exclusive_head(r)) && !owned_exclusive(r)) {
        wake = shared_head(r);
        set_shared_head(r, nullptr);
        r->NumberOfSharedWaiters = 0;
        for (Waiter* w = wake; w; w = w->next) grant_shared_locked(r, w);
        return wake;
    }
    if (free && exclusive_head(r)) {
        wake = exclusive_head(r);
        set_exclusive_head(r, wake->next);
        wake->next = nullptr;
        --r->NumberOfExclusiveWaiters;
        r->Flag |= ResourceOwnedExclusive;
        r->OwnerEntry.OwnerThread = wake->thread;
        r->OwnerEntry.OwnerCount = 1;
        set_counts(r, 1);
    }
    return wake;
}

void signal(Waiter* list) noexcept {
    while (list) {
        Waiter* next = list->next;  // the block dies as soon as its owner runs
        KeSetEvent(&list->granted, 0, FALSE);
        list = next;
    }
}

void wait_for_grant(Waiter& w) { KeWaitForSingleObject(&w.granted, WrResource, KernelMode, FALSE, nullptr); }

// Driver Verifier's 0xC4 0x37 (normal kernel APCs enabled below APC_LEVEL), for a verified caller:
// NT checks it under Driver Verifier only.
void check_acquire_context(PERESOURCE r) {
    NTIO_VERIFY_DDI(verifier::DdiRule::LockApcsDisabled, reinterpret_cast<ULONG_PTR>(r), 0x37);
}

BOOLEAN acquire_exclusive(PERESOURCE r, BOOLEAN wait) {
    check_acquire_context(r);
    const ERESOURCE_THREAD self = ExGetCurrentResourceThread();
    Waiter w;
    {
        RawSpinLockGuard guard(&r->SpinLock);
        if (r->ActiveEntries == 0) {
            r->Flag |= ResourceOwnedExclusive;
            r->OwnerEntry.OwnerThread = self;
            r->OwnerEntry.OwnerCount = 1;
            set_counts(r, 1);
            return TRUE;
        }
        if (owned_exclusive(r) && r->OwnerEntry.OwnerThread == self) {
            ++r->OwnerEntry.OwnerCount;
            return TRUE;
        }
        if (!wait) return FALSE;
        if (find_owner_locked(r, self) == nullptr) {
            w.thread = self;
            KeInitializeEvent(&w.granted, NotificationEvent, FALSE);
            set_exclusive_head(r, appended(exclusive_head(r), &w));
            ++r->NumberOfExclusiveWaiters;
            ++r->ContentionCount;
        } else {
            w.thread = 0;  // shared owner asking for exclusive: waits for itself forever
        }
    }
    if (w.thread == 0) {
        // On Windows the thread hangs; the verifier's deadlock detection reports it instead.
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1000, reinterpret_cast<ULONG_PTR>(r), 0, 0);
    }
    wait_for_grant(w);
    return TRUE;
}

BOOLEAN acquire_shared(PERESOURCE r, BOOLEAN wait, SharedMode mode) {
    check_acquire_context(r);
    const ERESOURCE_THREAD self = ExGetCurrentResourceThread();
    Waiter w;
    {
        RawSpinLockGuard guard(&r->SpinLock);
        if (r->ActiveEntries == 0) {
            r->OwnerEntry.OwnerThread = self;
            r->OwnerEntry.OwnerCount = 1;
            set_counts(r, 1);
            return TRUE;
        }
        if (owned_exclusive(r)) {
            if (r->OwnerEntry.OwnerThread == self) {
                ++r->OwnerEntry.OwnerCount;
                return TRUE;
            }
        } else {
            POWNER_ENTRY mine = find_owner_locked(r, self);
            const bool exclusive_waiting = r->NumberOfExclusiveWaiters != 0;
            if (mine && (mode != SharedMode::WaitForExclusive || !exclusive_waiting)) {
                ++mine->OwnerCount;
                return TRUE;
            }
            if (!mine && (!exclusive_waiting || mode == SharedMode::StarveExclusive)) {
                if (add_owner_locked(r, self)) return TRUE;
            }
        }
        if (!wait) return FALSE;
        w.thread = self;
        KeInitializeEvent(&w.granted, NotificationEvent, FALSE);
        set_shared_head(r, appended(shared_head(r), &w));
        ++r->NumberOfSharedWaiters;
        ++r->ContentionCount;
    }
    wait_for_grant(w);
    return TRUE;
}

void release_for(PERESOURCE r, ERESOURCE_THREAD thread) {
    Waiter* wake = nullptr;
    bool not_owned = false;
    {
        RawSpinLockGuard guard(&r->SpinLock);
        if (owned_exclusive(r)) {
            if (r->OwnerEntry.OwnerThread != thread) {
                not_owned = true;
            } else if (--r->OwnerEntry.OwnerCount == 0) {
                r->OwnerEntry.OwnerThread = 0;
                r->Flag &= static_cast<USHORT>(~ResourceOwnedExclusive);
                set_counts(r, 0);
                wake = hand_over_locked(r, true);
            }
        } else {
            POWNER_ENTRY e = find_owner_locked(r, thread);
            if (!e) {
                not_owned = true;
            } else if (--e->OwnerCount == 0) {
                e->OwnerThread = 0;
                set_counts(r, r->ActiveEntries - 1);
                if (r->ActiveEntries == 0) wake = hand_over_locked(r, false);
            }
        }
    }
    if (not_owned) {
        KeBugCheckEx(RESOURCE_NOT_OWNED, reinterpret_cast<ULONG_PTR>(r), thread,
                     reinterpret_cast<ULONG_PTR>(r->OwnerTable), 0);
    }
    signal(wake);
}

void reset(PERESOURCE r) noexcept {
    r->SystemResourcesList.Flink = r->SystemResourcesList.Blink = &r->SystemResourcesList;
    r->ActiveCount = 0;
    r->Flag = 0;
    r->SharedWaiters = nullptr;
    r->ExclusiveWaiters = nullptr;
    r->OwnerEntry.OwnerThread = 0;
    r->OwnerEntry.TableSize = 0;
    r->ActiveEntries = 0;
    r->ContentionCount = 0;
    r->NumberOfSharedWaiters = 0;
    r->NumberOfExclusiveWaiters = 0;
    r->Reserved2 = nullptr;
    r->Address = nullptr;
    r->SpinLock = 0;
}

}  // namespace
}  // namespace ntio::ex

using namespace ntio::ex;

extern "C" {

NTSTATUS NTAPI ExInitializeResourceLite(PERESOURCE Resource) {
    // NT deviation: resources are not linked into a system-wide list (SystemResourcesList points to
    // itself), so freeing one without ExDeleteResourceLite cannot corrupt other resources.
    Resource->OwnerTable = nullptr;
    reset(Resource);
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI ExReinitializeResourceLite(PERESOURCE Resource) {
    POWNER_ENTRY table = Resource->OwnerTable;
    reset(Resource);
    if (table) {
        const ULONG size = table[0].TableSize;
        for (ULONG i = 1; i < size; ++i) table[i] = OWNER_ENTRY{};
    }
    Resource->OwnerTable = table;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI ExDeleteResourceLite(PERESOURCE Resource) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ExApcLte3);
    if (Resource->OwnerTable) ExFreePoolWithTag(Resource->OwnerTable, kOwnerTableTag);
    Resource->OwnerTable = nullptr;
    return STATUS_SUCCESS;
}

BOOLEAN NTAPI ExAcquireResourceExclusiveLite(PERESOURCE Resource, BOOLEAN Wait) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ExApcLte3);
    const BOOLEAN acquired = acquire_exclusive(Resource, Wait);
    if (acquired && ntio::verifier::active()) [[unlikely]] ntio::verifier::sdv_resource_exclusive(Resource);
    return acquired;
}

BOOLEAN NTAPI ExTryToAcquireResourceExclusiveLite(PERESOURCE Resource) {
    const BOOLEAN acquired = acquire_exclusive(Resource, FALSE);
    if (acquired && ntio::verifier::active()) [[unlikely]] ntio::verifier::sdv_resource_exclusive(Resource);
    return acquired;
}

BOOLEAN NTAPI ExAcquireResourceSharedLite(PERESOURCE Resource, BOOLEAN Wait) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ExApcLte3);
    return acquire_shared(Resource, Wait, SharedMode::Lite);
}

BOOLEAN NTAPI ExAcquireSharedStarveExclusive(PERESOURCE Resource, BOOLEAN Wait) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ExApcLte3);
    return acquire_shared(Resource, Wait, SharedMode::StarveExclusive);
}

BOOLEAN NTAPI ExAcquireSharedWaitForExclusive(PERESOURCE Resource, BOOLEAN Wait) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ExApcLte3);
    return acquire_shared(Resource, Wait, SharedMode::WaitForExclusive);
}

VOID FASTCALL ExReleaseResourceLite(PERESOURCE Resource) {
    const ERESOURCE_THREAD self = ExGetCurrentResourceThread();
    if (ntio::verifier::active()) [[unlikely]] ntio::verifier::sdv_release_resource(Resource, self);
    release_for(Resource, self);
}

VOID NTAPI ExReleaseResourceForThreadLite(PERESOURCE Resource, ERESOURCE_THREAD ResourceThreadId) {
    if (ntio::verifier::active()) [[unlikely]] ntio::verifier::sdv_release_resource(Resource, ResourceThreadId);
    release_for(Resource, ResourceThreadId);
}

VOID NTAPI ExSetResourceOwnerPointer(PERESOURCE Resource, PVOID OwnerPointer) {
    if (ntio::verifier::active()) [[unlikely]] ntio::verifier::sdv_resource_not_exclusive(Resource);
    const ERESOURCE_THREAD self = ExGetCurrentResourceThread();
    const auto pointer = reinterpret_cast<ERESOURCE_THREAD>(OwnerPointer);
    bool valid = (pointer & 3) == 3;
    if (valid) {
        RawSpinLockGuard guard(&Resource->SpinLock);
        POWNER_ENTRY e = find_owner_locked(Resource, self);
        if (e) e->OwnerThread = pointer;
        else valid = false;
    }
    if (!valid) {
        KeBugCheckEx(RESOURCE_OWNER_POINTER_INVALID, reinterpret_cast<ULONG_PTR>(Resource),
                     reinterpret_cast<ULONG_PTR>(Resource->OwnerTable), self, pointer);
    }
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exsetresourceownerpointerex
// Both modes take the same owner pointer rule (its two low bits set); the flag only names the thread
// NT may boost.
VOID NTAPI ExSetResourceOwnerPointerEx(PERESOURCE Resource, PVOID OwnerPointer, ULONG Flags) {
    (void)Flags;
    ExSetResourceOwnerPointer(Resource, OwnerPointer);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exdisableresourceboostlite
VOID NTAPI ExDisableResourceBoostLite(PERESOURCE Resource) {
    RawSpinLockGuard guard(&Resource->SpinLock);
    Resource->Flag |= ResourceDisableBoost;
}

BOOLEAN NTAPI ExIsResourceAcquiredExclusiveLite(PERESOURCE Resource) {
    RawSpinLockGuard guard(&Resource->SpinLock);
    return owned_exclusive(Resource) && Resource->OwnerEntry.OwnerThread == ExGetCurrentResourceThread();
}

ULONG NTAPI ExIsResourceAcquiredSharedLite(PERESOURCE Resource) {
    RawSpinLockGuard guard(&Resource->SpinLock);
    POWNER_ENTRY e = find_owner_locked(Resource, ExGetCurrentResourceThread());
    return e ? e->OwnerCount : 0;
}

VOID NTAPI ExConvertExclusiveToSharedLite(PERESOURCE Resource) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ExApcLte3);
    if (ntio::verifier::active()) [[unlikely]] ntio::verifier::sdv_resource_not_exclusive(Resource);
    Waiter* wake = nullptr;
    bool owned = false;
    {
        RawSpinLockGuard guard(&Resource->SpinLock);
        if (owned_exclusive(Resource) && Resource->OwnerEntry.OwnerThread == ExGetCurrentResourceThread()) {
            owned = true;
            Resource->Flag &= static_cast<USHORT>(~ResourceOwnedExclusive);
            wake = hand_over_locked(Resource, true);
        }
    }
    if (!owned) {
        KeBugCheckEx(SHARED_RESOURCE_CONV_ERROR, reinterpret_cast<ULONG_PTR>(Resource),
                     ExGetCurrentResourceThread(), 0, 0);
    }
    signal(wake);
}

ULONG NTAPI ExGetExclusiveWaiterCount(PERESOURCE Resource) {
    return __atomic_load_n(&Resource->NumberOfExclusiveWaiters, __ATOMIC_RELAXED);
}

ULONG NTAPI ExGetSharedWaiterCount(PERESOURCE Resource) {
    return __atomic_load_n(&Resource->NumberOfSharedWaiters, __ATOMIC_RELAXED);
}

// These return the caller's Win32 thread on Windows (win32k's use); ntio threads have none.
PVOID NTAPI ExEnterCriticalRegionAndAcquireResourceExclusive(PERESOURCE Resource) {
    KeEnterCriticalRegion();
    ExAcquireResourceExclusiveLite(Resource, TRUE);
    return nullptr;
}

PVOID NTAPI ExEnterCriticalRegionAndAcquireResourceShared(PERESOURCE Resource) {
    KeEnterCriticalRegion();
    ExAcquireResourceSharedLite(Resource, TRUE);
    return nullptr;
}

PVOID NTAPI ExEnterCriticalRegionAndAcquireSharedWaitForExclusive(PERESOURCE Resource) {
    KeEnterCriticalRegion();
    ExAcquireSharedWaitForExclusive(Resource, TRUE);
    return nullptr;
}

VOID FASTCALL ExReleaseResourceAndLeaveCriticalRegion(PERESOURCE Resource) {
    ExReleaseResourceLite(Resource);
    KeLeaveCriticalRegion();
}

}  // extern "C"

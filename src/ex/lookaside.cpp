// Lookaside lists: an SLIST of free entries in front of an Allocate/Free pair. The statistics
// follow the WDK's inline definitions (TotalAllocates / AllocateMisses on allocate, TotalFrees /
// FreeMisses on free, a free beyond Depth goes straight to Free). Counters are bumped without a
// locked instruction and may lose updates under contention, as on Windows.
#include <algorithm>
#include <type_traits>

#include <wdm.h>

#include "verifier/verifier.hpp"

namespace ntio::ex {
namespace {

constexpr USHORT kMinimumDepth = 4;
constexpr USHORT kMaximumDepth = EX_MAXIMUM_LOOKASIDE_DEPTH_BASE;
// Allocations between two depth adjustments.
constexpr ULONG kAdjustWindow = 128;

void bump(ULONG& counter) noexcept {
    __atomic_store_n(&counter, __atomic_load_n(&counter, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
}
ULONG read(const ULONG& counter) noexcept { return __atomic_load_n(&counter, __ATOMIC_RELAXED); }

PVOID NTAPI default_allocate_ex(POOL_TYPE type, SIZE_T bytes, ULONG tag, PLOOKASIDE_LIST_EX) {
    return ExAllocatePoolWithTag(type, bytes, tag);
}
VOID NTAPI default_free_ex(PVOID buffer, PLOOKASIDE_LIST_EX) { ExFreePool(buffer); }
PVOID NTAPI default_allocate(POOL_TYPE type, SIZE_T bytes, ULONG tag) { return ExAllocatePoolWithTag(type, bytes, tag); }
VOID NTAPI default_free(PVOID buffer) { ExFreePool(buffer); }

// Grows Depth while the list misses and shrinks it while it does not, from the allocations since
// the last adjustment. NT deviation: Windows adjusts once a second from the balance-set manager;
// here the miss path adjusts every kAdjustWindow allocations, so an idle list keeps its depth.
template <class L>
void adjust_depth(L& l) noexcept {
    const ULONG total = read(l.TotalAllocates);
    const ULONG allocates = total - read(l.LastTotalAllocates);
    if (allocates < kAdjustWindow) return;
    const ULONG misses = read(l.AllocateMisses) - read(l.LastAllocateMisses);
    __atomic_store_n(&l.LastTotalAllocates, total, __ATOMIC_RELAXED);
    __atomic_store_n(&l.LastAllocateMisses, read(l.AllocateMisses), __ATOMIC_RELAXED);
    const USHORT depth = __atomic_load_n(&l.Depth, __ATOMIC_RELAXED);
    const ULONG per_mille = static_cast<ULONG>((static_cast<ULONGLONG>(misses) * 1000) / allocates);
    USHORT next = depth;
    if (per_mille < 5) {
        next = static_cast<USHORT>(std::max<int>(kMinimumDepth, depth - 1));
    } else {
        const ULONG room = l.MaximumDepth - depth;
        const ULONG grow = (room * per_mille) / 2000 + 5;
        next = static_cast<USHORT>(std::min<ULONG>(l.MaximumDepth, depth + grow));
    }
    __atomic_store_n(&l.Depth, next, __ATOMIC_RELAXED);
}

template <class L>
void initialize(L& l, POOL_TYPE type, SIZE_T size, ULONG tag) noexcept {
    InitializeSListHead(&l.ListHead);
    l.Depth = kMinimumDepth;
    l.MaximumDepth = kMaximumDepth;
    l.TotalAllocates = 0;
    l.AllocateMisses = 0;
    l.TotalFrees = 0;
    l.FreeMisses = 0;
    l.Type = type;
    l.Tag = tag;
    // An entry must hold the SLIST link while it is cached.
    l.Size = static_cast<ULONG>(std::max<SIZE_T>(size, LOOKASIDE_MINIMUM_BLOCK_SIZE));
    // NT deviation: lists are not linked into a system-wide list (ListEntry points to itself), so
    // memory freed without the Delete call cannot corrupt a global list.
    l.ListEntry.Flink = l.ListEntry.Blink = &l.ListEntry;
    l.LastTotalAllocates = 0;
    l.LastAllocateMisses = 0;
    l.Future[0] = l.Future[1] = 0;
}

template <bool Ex, class L, class Owner>
PVOID allocate(L& l, Owner* owner) {
    bump(l.TotalAllocates);
    if (PSLIST_ENTRY entry = InterlockedPopEntrySList(&l.ListHead)) return entry;
    bump(l.AllocateMisses);
    adjust_depth(l);
    if constexpr (Ex) {
        return l.AllocateEx(l.Type, l.Size, l.Tag, owner);
    } else {
        (void)owner;
        return l.Allocate(l.Type, l.Size, l.Tag);
    }
}

template <bool Ex, class L, class Owner>
void free_entry(L& l, Owner* owner, PVOID entry) {
    bump(l.TotalFrees);
    if (QueryDepthSList(&l.ListHead) >= __atomic_load_n(&l.Depth, __ATOMIC_RELAXED)) {
        bump(l.FreeMisses);
        if constexpr (Ex) l.FreeEx(entry, owner);
        else l.Free(entry);
        return;
    }
    InterlockedPushEntrySList(&l.ListHead, static_cast<PSLIST_ENTRY>(entry));
}

template <bool Ex, class L, class Owner>
void flush(L& l, Owner* owner) {
    PSLIST_ENTRY entry = InterlockedFlushSList(&l.ListHead);
    while (entry) {
        PSLIST_ENTRY next = entry->Next;
        if constexpr (Ex) l.FreeEx(entry, owner);
        else l.Free(entry);
        entry = next;
    }
}

}  // namespace
}  // namespace ntio::ex

using namespace ntio::ex;

extern "C" {

VOID NTAPI ExInitializeNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
                                           PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag, USHORT Depth) {
    (void)Depth;
    initialize(Lookaside->L, static_cast<POOL_TYPE>(NonPagedPool | Flags), Size, Tag);
    Lookaside->L.Allocate = Allocate ? Allocate : default_allocate;
    Lookaside->L.Free = Free ? Free : default_free;
}

VOID NTAPI ExDeleteNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside) {
    flush<false>(Lookaside->L, Lookaside);
}

PVOID NTAPI ExAllocateFromNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside) {
    return allocate<false>(Lookaside->L, Lookaside);
}

VOID NTAPI ExFreeToNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry) {
    free_entry<false>(Lookaside->L, Lookaside, Entry);
}

VOID NTAPI ExInitializePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
                                          PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag, USHORT Depth) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ExApcLte2);
    (void)Depth;
    initialize(Lookaside->L, static_cast<POOL_TYPE>(PagedPool | Flags), Size, Tag);
    Lookaside->L.Allocate = Allocate ? Allocate : default_allocate;
    Lookaside->L.Free = Free ? Free : default_free;
}

VOID NTAPI ExDeletePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ExApcLte2);
    flush<false>(Lookaside->L, Lookaside);
}

PVOID NTAPI ExAllocateFromPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ExApcLte2);
    return allocate<false>(Lookaside->L, Lookaside);
}

VOID NTAPI ExFreeToPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ExApcLte2);
    free_entry<false>(Lookaside->L, Lookaside, Entry);
}

NTSTATUS NTAPI ExInitializeLookasideListEx(PLOOKASIDE_LIST_EX Lookaside, PALLOCATE_FUNCTION_EX Allocate,
                                           PFREE_FUNCTION_EX Free, POOL_TYPE PoolType, ULONG Flags, SIZE_T Size,
                                           ULONG Tag, USHORT Depth) {
    (void)Depth;
    constexpr ULONG kKnown = EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL | EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE;
    if ((Flags & ~kKnown) != 0 || Flags == kKnown) return STATUS_INVALID_PARAMETER_5;
    ULONG type = static_cast<ULONG>(PoolType);
    if (Flags & EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL) type |= POOL_RAISE_IF_ALLOCATION_FAILURE;
    if (Flags & EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE) type |= POOL_QUOTA_FAIL_INSTEAD_OF_RAISE;
    initialize(Lookaside->L, static_cast<POOL_TYPE>(type), Size, Tag);
    Lookaside->L.AllocateEx = Allocate ? Allocate : default_allocate_ex;
    Lookaside->L.FreeEx = Free ? Free : default_free_ex;
    return STATUS_SUCCESS;
}

VOID NTAPI ExDeleteLookasideListEx(PLOOKASIDE_LIST_EX Lookaside) { flush<true>(Lookaside->L, Lookaside); }

VOID NTAPI ExFlushLookasideListEx(PLOOKASIDE_LIST_EX Lookaside) { flush<true>(Lookaside->L, Lookaside); }

PVOID NTAPI ExAllocateFromLookasideListEx(PLOOKASIDE_LIST_EX Lookaside) {
    return allocate<true>(Lookaside->L, Lookaside);
}

VOID NTAPI ExFreeToLookasideListEx(PLOOKASIDE_LIST_EX Lookaside, PVOID Entry) {
    free_entry<true>(Lookaside->L, Lookaside, Entry);
}

}  // extern "C"

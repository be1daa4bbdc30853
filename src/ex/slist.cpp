// Interlocked singly linked lists (SLIST_HEADER, Windows x64 layout): the first 8 bytes hold the
// depth and a sequence number, the next 8 the first entry. Every change replaces all 16 bytes with
// one cmpxchg16b (this file is built with -mcx16 so the compare-exchange is inlined, never a
// library lock) and bumps the sequence, so a pop that read a stale first entry cannot succeed (ABA).
#include <cstdint>

#include <wdm.h>

namespace ntio::ex {
namespace {

using Word = unsigned __int128;

constexpr std::uint64_t kDepthMask = 0xffff;
constexpr std::uint64_t kSequenceOne = 1ULL << 16;
constexpr std::uint64_t kEntryMask = ~0xfULL;

struct Snapshot {
    std::uint64_t low;   // Depth:16, Sequence:48
    std::uint64_t high;  // Reserved:4, NextEntry:60 (the first entry's address)
};

Word* word_of(PSLIST_HEADER head) noexcept { return reinterpret_cast<Word*>(head); }

Snapshot read(const SLIST_HEADER* head) noexcept {
    // Two halves read separately may not belong together; the compare-exchange rejects such pairs.
    Snapshot s;
    s.low = __atomic_load_n(&head->Alignment, __ATOMIC_ACQUIRE);
    s.high = __atomic_load_n(&head->Region, __ATOMIC_ACQUIRE);
    return s;
}

bool replace(PSLIST_HEADER head, Snapshot expected, Snapshot desired) noexcept {
    const Word old_word = (static_cast<Word>(expected.high) << 64) | expected.low;
    const Word new_word = (static_cast<Word>(desired.high) << 64) | desired.low;
    return __sync_bool_compare_and_swap(word_of(head), old_word, new_word);
}

// The first entry may have been popped and reused (or freed) by another thread since the header
// was read; the value read is then garbage that the compare-exchange discards. Reading it is the
// one intended race of a lock-free stack, so the sanitizers do not watch this load.
__attribute__((no_sanitize("address", "thread"))) PSLIST_ENTRY next_of(PSLIST_ENTRY entry) noexcept {
    return *reinterpret_cast<PSLIST_ENTRY volatile*>(&entry->Next);
}

std::uint64_t next_low(std::uint64_t low, int depth_change) noexcept {
    const std::uint64_t depth = ((low & kDepthMask) + static_cast<std::uint64_t>(depth_change)) & kDepthMask;
    return ((low & ~kDepthMask) + kSequenceOne) | depth;
}

}  // namespace
}  // namespace ntio::ex

using namespace ntio::ex;

extern "C" {

VOID NTAPI InitializeSListHead(PSLIST_HEADER SListHead) {
    __atomic_store_n(&SListHead->Alignment, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&SListHead->Region, 0, __ATOMIC_RELEASE);
}

PSLIST_ENTRY NTAPI InterlockedPushEntrySList(PSLIST_HEADER ListHead, PSLIST_ENTRY ListEntry) {
    for (;;) {
        const Snapshot old = read(ListHead);
        PSLIST_ENTRY first = reinterpret_cast<PSLIST_ENTRY>(old.high & kEntryMask);
        ListEntry->Next = first;
        const Snapshot desired{next_low(old.low, +1), reinterpret_cast<std::uintptr_t>(ListEntry)};
        if (replace(ListHead, old, desired)) return first;
    }
}

PSLIST_ENTRY NTAPI InterlockedPopEntrySList(PSLIST_HEADER ListHead) {
    for (;;) {
        const Snapshot old = read(ListHead);
        PSLIST_ENTRY first = reinterpret_cast<PSLIST_ENTRY>(old.high & kEntryMask);
        if (!first) return nullptr;
        const Snapshot desired{next_low(old.low, -1), reinterpret_cast<std::uintptr_t>(next_of(first))};
        if (replace(ListHead, old, desired)) return first;
    }
}

PSLIST_ENTRY NTAPI InterlockedFlushSList(PSLIST_HEADER ListHead) {
    for (;;) {
        const Snapshot old = read(ListHead);
        PSLIST_ENTRY first = reinterpret_cast<PSLIST_ENTRY>(old.high & kEntryMask);
        if (!first) return nullptr;
        const Snapshot desired{(old.low & ~kDepthMask) + kSequenceOne, 0};
        if (replace(ListHead, old, desired)) return first;
    }
}

USHORT NTAPI QueryDepthSList(PSLIST_HEADER SListHead) {
    return static_cast<USHORT>(__atomic_load_n(&SListHead->Alignment, __ATOMIC_ACQUIRE) & kDepthMask);
}

PSLIST_ENTRY NTAPI FirstEntrySList(const SLIST_HEADER* SListHead) {
    return reinterpret_cast<PSLIST_ENTRY>(__atomic_load_n(&SListHead->Region, __ATOMIC_ACQUIRE) & kEntryMask);
}

}  // extern "C"

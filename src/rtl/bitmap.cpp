// Bitmaps: RTL_BITMAP and its search, count and run routines
// (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_rtl_bitmap and the routines
// it lists). Bit N is bit N % 32 of Buffer[N / 32]; bits past SizeOfBitMap in the last ULONG are
// never read as part of the map and never written. The caller synchronizes, as on Windows.
#include <algorithm>
#include <bit>
#include <cstdint>

#include <wdm.h>

namespace {

constexpr ULONG kNotFound = 0xFFFFFFFF;
using Index = std::uint64_t;  // bit indexes as 64-bit values: SizeOfBitMap + 32 must not wrap

// The word holding bit `word * 32`, with the bits looked for as ones.
inline ULONG load(const RTL_BITMAP* map, Index word, bool set) noexcept {
    const ULONG value = map->Buffer[word];
    return set ? value : ~value;
}

// The first index in [from, end) whose bit is `set`, else end (end <= SizeOfBitMap).
Index find(const RTL_BITMAP* map, Index from, Index end, bool set) noexcept {
    if (from >= end) return end;
    Index word = from / 32;
    ULONG bits = load(map, word, set) & (~0u << (from % 32));
    for (;;) {
        if (bits) return std::min<Index>(word * 32 + static_cast<unsigned>(std::countr_zero(bits)), end);
        if (++word * 32 >= end) return end;
        bits = load(map, word, set);
    }
}

// The last index <= from whose bit is `set`, else -1 (from < SizeOfBitMap).
std::int64_t find_back(const RTL_BITMAP* map, Index from, bool set) noexcept {
    std::int64_t word = static_cast<std::int64_t>(from / 32);
    const unsigned top = static_cast<unsigned>(from % 32);
    ULONG bits = load(map, static_cast<Index>(word), set) & (top == 31 ? ~0u : ((1u << (top + 1)) - 1));
    for (;;) {
        if (bits) return word * 32 + 31 - std::countl_zero(bits);
        if (--word < 0) return -1;
        bits = load(map, static_cast<Index>(word), set);
    }
}

struct Run {
    Index start;
    Index length;  // 0: none
};

// The run of `set` bits that starts at or after from.
Run run_from(const RTL_BITMAP* map, Index from, bool set) noexcept {
    const Index size = map->SizeOfBitMap;
    const Index start = find(map, from, size, set);
    if (start >= size) return {size, 0};
    return {start, find(map, start, size, !set) - start};
}

// Sets or clears [start, start + count), clipped to the bitmap.
void fill(PRTL_BITMAP map, Index start, Index count, bool set) noexcept {
    const Index size = map->SizeOfBitMap;
    if (start >= size) return;
    Index end = std::min(size, start + count);
    while (start < end) {
        const Index word = start / 32;
        const unsigned low = static_cast<unsigned>(start % 32);
        const unsigned high = static_cast<unsigned>(std::min<Index>(end - word * 32, 32));  // exclusive
        const ULONG mask = (high == 32 ? ~0u : ((1u << high) - 1)) & (~0u << low);
        if (set) map->Buffer[word] |= mask;
        else map->Buffer[word] &= ~mask;
        start = word * 32 + high;
    }
}

// How many bits in [start, start + count) are `set`, clipped to the bitmap.
ULONG count_bits(const RTL_BITMAP* map, Index start, Index count, bool set) noexcept {
    const Index size = map->SizeOfBitMap;
    if (start >= size) return 0;
    const Index end = std::min(size, start + count);
    ULONG total = 0;
    while (start < end) {
        const Index word = start / 32;
        const unsigned low = static_cast<unsigned>(start % 32);
        const unsigned high = static_cast<unsigned>(std::min<Index>(end - word * 32, 32));
        const ULONG mask = (high == 32 ? ~0u : ((1u << high) - 1)) & (~0u << low);
        total += static_cast<ULONG>(std::popcount(load(map, word, set) & mask));
        start = word * 32 + high;
    }
    return total;
}

// Whether [start, start + length) lies in the bitmap and all its bits are `set`. A range that
// reaches past the end is FALSE (Learn gives no status to report it with).
BOOLEAN all_bits(const RTL_BITMAP* map, Index start, Index length, bool set) noexcept {
    const Index size = map->SizeOfBitMap;
    if (start >= size || length > size - start) return FALSE;
    return find(map, start, start + length, !set) == start + length ? TRUE : FALSE;
}

// RtlFindClearBits / RtlFindSetBits: from the hint to the end, then from the start back to the
// hint (a run beginning before the hint may run across it).
ULONG find_bits(const RTL_BITMAP* map, ULONG number, ULONG hint, bool set) noexcept {
    const Index size = map->SizeOfBitMap;
    // Learn is silent on a request for no bits: the hint (0 when outside the map) satisfies it.
    if (number == 0) return hint < size ? hint : 0;
    if (number > size) return kNotFound;
    if (hint >= size) hint = 0;
    for (Index from = hint;;) {
        const Run run = run_from(map, from, set);
        if (run.length == 0) break;
        if (run.length >= number) return static_cast<ULONG>(run.start);
        from = run.start + run.length;
    }
    for (Index from = 0; from < hint;) {
        const Run run = run_from(map, from, set);
        if (run.length == 0 || run.start >= hint) break;
        if (run.length >= number) return static_cast<ULONG>(run.start);
        from = run.start + run.length;
    }
    return kNotFound;
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlinitializebitmap
NTSYSAPI VOID NTAPI RtlInitializeBitMap(PRTL_BITMAP BitMapHeader, PULONG BitMapBuffer, ULONG SizeOfBitMap) {
    BitMapHeader->SizeOfBitMap = SizeOfBitMap;
    BitMapHeader->Buffer = BitMapBuffer;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlclearallbits
NTSYSAPI VOID NTAPI RtlClearAllBits(PRTL_BITMAP BitMapHeader) { fill(BitMapHeader, 0, BitMapHeader->SizeOfBitMap, false); }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlsetallbits
NTSYSAPI VOID NTAPI RtlSetAllBits(PRTL_BITMAP BitMapHeader) { fill(BitMapHeader, 0, BitMapHeader->SizeOfBitMap, true); }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlclearbit
NTSYSAPI VOID NTAPI RtlClearBit(PRTL_BITMAP BitMapHeader, ULONG BitNumber) { fill(BitMapHeader, BitNumber, 1, false); }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlsetbit
NTSYSAPI VOID NTAPI RtlSetBit(PRTL_BITMAP BitMapHeader, ULONG BitNumber) { fill(BitMapHeader, BitNumber, 1, true); }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtltestbit
// A bit past the end reads as clear.
NTSYSAPI BOOLEAN NTAPI RtlTestBit(PRTL_BITMAP BitMapHeader, ULONG BitNumber) {
    return BitNumber < BitMapHeader->SizeOfBitMap ? RtlCheckBit(BitMapHeader, BitNumber) : FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlclearbits
// NT deviation: a range past the end is clipped to the bitmap (Windows writes past it).
NTSYSAPI VOID NTAPI RtlClearBits(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG NumberToClear) {
    fill(BitMapHeader, StartingIndex, NumberToClear, false);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlsetbits
NTSYSAPI VOID NTAPI RtlSetBits(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG NumberToSet) {
    fill(BitMapHeader, StartingIndex, NumberToSet, true);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlarebitsclear
NTSYSAPI BOOLEAN NTAPI RtlAreBitsClear(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG Length) {
    return all_bits(BitMapHeader, StartingIndex, Length, false);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlarebitsset
NTSYSAPI BOOLEAN NTAPI RtlAreBitsSet(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG Length) {
    return all_bits(BitMapHeader, StartingIndex, Length, true);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlfindclearbits
NTSYSAPI ULONG NTAPI RtlFindClearBits(PRTL_BITMAP BitMapHeader, ULONG NumberToFind, ULONG HintIndex) {
    return find_bits(BitMapHeader, NumberToFind, HintIndex, false);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlfindsetbits
NTSYSAPI ULONG NTAPI RtlFindSetBits(PRTL_BITMAP BitMapHeader, ULONG NumberToFind, ULONG HintIndex) {
    return find_bits(BitMapHeader, NumberToFind, HintIndex, true);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlfindclearbitsandset
NTSYSAPI ULONG NTAPI RtlFindClearBitsAndSet(PRTL_BITMAP BitMapHeader, ULONG NumberToFind, ULONG HintIndex) {
    const ULONG index = find_bits(BitMapHeader, NumberToFind, HintIndex, false);
    if (index != kNotFound) fill(BitMapHeader, index, NumberToFind, true);
    return index;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlfindsetbitsandclear
NTSYSAPI ULONG NTAPI RtlFindSetBitsAndClear(PRTL_BITMAP BitMapHeader, ULONG NumberToFind, ULONG HintIndex) {
    const ULONG index = find_bits(BitMapHeader, NumberToFind, HintIndex, true);
    if (index != kNotFound) fill(BitMapHeader, index, NumberToFind, false);
    return index;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlnumberofclearbits
NTSYSAPI ULONG NTAPI RtlNumberOfClearBits(PRTL_BITMAP BitMapHeader) {
    return count_bits(BitMapHeader, 0, BitMapHeader->SizeOfBitMap, false);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlnumberofsetbits
NTSYSAPI ULONG NTAPI RtlNumberOfSetBits(PRTL_BITMAP BitMapHeader) {
    return count_bits(BitMapHeader, 0, BitMapHeader->SizeOfBitMap, true);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlnumberofclearbitsinrange
NTSYSAPI ULONG NTAPI RtlNumberOfClearBitsInRange(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG Length) {
    return count_bits(BitMapHeader, StartingIndex, Length, false);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlnumberofsetbitsinrange
NTSYSAPI ULONG NTAPI RtlNumberOfSetBitsInRange(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG Length) {
    return count_bits(BitMapHeader, StartingIndex, Length, true);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlnumberofsetbitsulongptr
NTSYSAPI ULONG NTAPI RtlNumberOfSetBitsUlongPtr(ULONG_PTR Target) { return static_cast<ULONG>(std::popcount(Target)); }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlfindfirstrunclear
// No clear bit: 0, with *StartingIndex the bitmap's size (Learn gives the length only).
NTSYSAPI ULONG NTAPI RtlFindFirstRunClear(PRTL_BITMAP BitMapHeader, PULONG StartingIndex) {
    const Run run = run_from(BitMapHeader, 0, false);
    *StartingIndex = static_cast<ULONG>(run.start);
    return static_cast<ULONG>(run.length);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlfindnextforwardrunclear
// The run that starts at or after FromIndex; one that includes FromIndex counts from FromIndex.
NTSYSAPI ULONG NTAPI RtlFindNextForwardRunClear(PRTL_BITMAP BitMapHeader, ULONG FromIndex, PULONG StartingRunIndex) {
    const Run run = run_from(BitMapHeader, FromIndex, false);
    *StartingRunIndex = static_cast<ULONG>(std::min<Index>(run.start, BitMapHeader->SizeOfBitMap));
    return static_cast<ULONG>(run.length);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlfindlastbackwardrunclear
// The clear run that ends at or before FromIndex, counted up to FromIndex at most.
NTSYSAPI ULONG NTAPI RtlFindLastBackwardRunClear(PRTL_BITMAP BitMapHeader, ULONG FromIndex, PULONG StartingRunIndex) {
    const Index size = BitMapHeader->SizeOfBitMap;
    *StartingRunIndex = 0;
    if (size == 0) return 0;
    const Index from = std::min<Index>(FromIndex, size - 1);
    const std::int64_t last = find_back(BitMapHeader, from, false);
    if (last < 0) return 0;
    const std::int64_t before = find_back(BitMapHeader, static_cast<Index>(last), true);  // last set bit below it
    *StartingRunIndex = static_cast<ULONG>(before + 1);
    return static_cast<ULONG>(last - before);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlfindlongestrunclear
// The first of the longest runs; none: 0, with *StartingIndex the bitmap's size.
NTSYSAPI ULONG NTAPI RtlFindLongestRunClear(PRTL_BITMAP BitMapHeader, PULONG StartingIndex) {
    Run best{BitMapHeader->SizeOfBitMap, 0};
    for (Run run = run_from(BitMapHeader, 0, false); run.length; run = run_from(BitMapHeader, run.start + run.length, false))
        if (run.length > best.length) best = run;
    *StartingIndex = static_cast<ULONG>(best.start);
    return static_cast<ULONG>(best.length);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlfindclearruns
// Without LocateLongestRuns: the first runs in bit order. With it: the longest runs, longest first
// (equal lengths in bit order); Learn does not give the order.
NTSYSAPI ULONG NTAPI RtlFindClearRuns(PRTL_BITMAP BitMapHeader, PRTL_BITMAP_RUN RunArray, ULONG SizeOfRunArray,
                                      BOOLEAN LocateLongestRuns) {
    if (SizeOfRunArray == 0) return 0;
    ULONG found = 0;
    for (Run run = run_from(BitMapHeader, 0, false); run.length; run = run_from(BitMapHeader, run.start + run.length, false)) {
        const RTL_BITMAP_RUN entry{static_cast<ULONG>(run.start), static_cast<ULONG>(run.length)};
        if (!LocateLongestRuns) {
            RunArray[found++] = entry;
            if (found == SizeOfRunArray) break;
            continue;
        }
        // Keep the array sorted, longest first: insert after every run at least as long.
        ULONG at = found;
        while (at > 0 && RunArray[at - 1].NumberOfBits < entry.NumberOfBits) --at;
        if (at == SizeOfRunArray) continue;
        const ULONG last = std::min(found, SizeOfRunArray - 1);
        for (ULONG i = last; i > at; --i) RunArray[i] = RunArray[i - 1];
        RunArray[at] = entry;
        if (found < SizeOfRunArray) ++found;
    }
    return found;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlfindmostsignificantbit
NTSYSAPI CCHAR NTAPI RtlFindMostSignificantBit(ULONGLONG Set) {
    return Set ? static_cast<CCHAR>(63 - std::countl_zero(Set)) : static_cast<CCHAR>(-1);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlfindleastsignificantbit
NTSYSAPI CCHAR NTAPI RtlFindLeastSignificantBit(ULONGLONG Set) {
    return Set ? static_cast<CCHAR>(std::countr_zero(Set)) : static_cast<CCHAR>(-1);
}

}  // extern "C"

// Pattern fills and compares by ULONG or ULONGLONG, the non-temporal prefetch hint, and RtlCopyLuid.
#include <cstring>

#include <ntifs.h>

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlfillmemoryulong
// Learn requires Length to be a multiple of 4; a guess for the rest: a tail shorter than the pattern
// is left untouched rather than written past.
VOID NTAPI RtlFillMemoryUlong(PVOID Destination, SIZE_T Length, ULONG Pattern) {
    if (!Destination) return;
    auto* out = static_cast<unsigned char*>(Destination);
    for (SIZE_T i = 0; i + sizeof(ULONG) <= Length; i += sizeof(ULONG)) std::memcpy(out + i, &Pattern, sizeof(ULONG));
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlfillmemoryulonglong
VOID NTAPI RtlFillMemoryUlonglong(PVOID Destination, SIZE_T Length, ULONGLONG Pattern) {
    if (!Destination) return;
    auto* out = static_cast<unsigned char*>(Destination);
    for (SIZE_T i = 0; i + sizeof(ULONGLONG) <= Length; i += sizeof(ULONGLONG))
        std::memcpy(out + i, &Pattern, sizeof(ULONGLONG));
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlcomparememoryulong
// The bytes from Source up to the first ULONG that differs from Pattern. A guess: a tail shorter than
// a ULONG is not compared (Learn requires Length to be a multiple of 4).
SIZE_T NTAPI RtlCompareMemoryUlong(PVOID Source, SIZE_T Length, ULONG Pattern) {
    if (!Source) return 0;
    const auto* in = static_cast<const unsigned char*>(Source);
    SIZE_T i = 0;
    for (; i + sizeof(ULONG) <= Length; i += sizeof(ULONG)) {
        ULONG value;
        std::memcpy(&value, in + i, sizeof(ULONG));
        if (value != Pattern) break;
    }
    return i;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlprefetchmemorynontemporal
// A hint: prefetching never faults, so any range is accepted. A guess: only the first 16 MiB are
// prefetched (more would be evicted again before use), which also keeps an absurd Length from spinning.
VOID NTAPI RtlPrefetchMemoryNonTemporal(PVOID Source, SIZE_T Length) {
    constexpr SIZE_T kLine = 64;
    constexpr SIZE_T kMaxBytes = SIZE_T{16} << 20;
    const auto base = reinterpret_cast<ULONG_PTR>(Source);
    if (Length > kMaxBytes) Length = kMaxBytes;
    for (SIZE_T offset = 0; offset < Length; offset += kLine)
        __builtin_prefetch(reinterpret_cast<const void*>(base + offset), 0, 0);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlcopyluid
// A guess: a NULL pointer copies nothing.
VOID NTAPI RtlCopyLuid(PLUID DestinationLuid, PLUID SourceLuid) {
    if (!DestinationLuid || !SourceLuid) return;
    *DestinationLuid = *SourceLuid;
}

}  // extern "C"

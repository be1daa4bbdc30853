// System time <-> whole seconds since 1970 (the Unix epoch) and since 1980 (the FAT/DOS epoch), as
// ULONGs: the stamps file systems and network protocols store.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtltimetosecondssince1970
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlsecondssince1970totime
#include <cstdint>

#include <wdm.h>

namespace ntio::rtl {
namespace epoch_seconds {

constexpr std::int64_t kTicksPerSecond = 10000000;
// 1601-01-01 to 1970-01-01 and to 1980-01-01, in 100 ns ticks.
constexpr std::int64_t kTicksTo1970 = 116444736000000000LL;
constexpr std::int64_t kTicksTo1980 = 119600064000000000LL;

// FALSE (nothing written) before the epoch or past the last second a ULONG counts.
inline BOOLEAN to_seconds(const LARGE_INTEGER* time, std::int64_t epoch, PULONG seconds) noexcept {
    if (!time || !seconds || time->QuadPart < epoch) return FALSE;
    const std::int64_t elapsed = (time->QuadPart - epoch) / kTicksPerSecond;
    if (elapsed > 0xFFFFFFFFLL) return FALSE;
    *seconds = static_cast<ULONG>(elapsed);
    return TRUE;
}

inline void from_seconds(ULONG seconds, std::int64_t epoch, PLARGE_INTEGER time) noexcept {
    time->QuadPart = epoch + static_cast<std::int64_t>(seconds) * kTicksPerSecond;
}

}  // namespace epoch_seconds
}  // namespace ntio::rtl

namespace es = ntio::rtl::epoch_seconds;

extern "C" {

NTSYSAPI BOOLEAN NTAPI RtlTimeToSecondsSince1970(PLARGE_INTEGER Time, PULONG ElapsedSeconds) {
    return es::to_seconds(Time, es::kTicksTo1970, ElapsedSeconds);
}

NTSYSAPI VOID NTAPI RtlSecondsSince1970ToTime(ULONG ElapsedSeconds, PLARGE_INTEGER Time) {
    es::from_seconds(ElapsedSeconds, es::kTicksTo1970, Time);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtltimetosecondssince1980
NTSYSAPI BOOLEAN NTAPI RtlTimeToSecondsSince1980(PLARGE_INTEGER Time, PULONG ElapsedSeconds) {
    return es::to_seconds(Time, es::kTicksTo1980, ElapsedSeconds);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlsecondssince1980totime
NTSYSAPI VOID NTAPI RtlSecondsSince1980ToTime(ULONG ElapsedSeconds, PLARGE_INTEGER Time) {
    es::from_seconds(ElapsedSeconds, es::kTicksTo1980, Time);
}

}  // extern "C"

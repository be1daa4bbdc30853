// Local time: the host's time zone (TZ, else /etc/localtime) through the C library, with the bias
// in force at the instant converted, so a summer date gets the daylight saving bias even in winter.
#include <cstdint>
#include <ctime>

#include <wdm.h>

namespace ntio::ex {
namespace {

constexpr std::int64_t kTicksPerSecond = 10000000;
constexpr std::int64_t kUnixEpoch = 116444736000000000LL;  // 1970-01-01 in 100 ns units since 1601

std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace
}  // namespace ntio::ex

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exsystemtimetolocaltime
NTKERNELAPI VOID NTAPI ExSystemTimeToLocalTime(PLARGE_INTEGER SystemTime, PLARGE_INTEGER LocalTime) {
    using namespace ntio::ex;
    const std::int64_t since_epoch = SystemTime->QuadPart - kUnixEpoch;
    const time_t seconds = static_cast<time_t>(floor_div(since_epoch, kTicksPerSecond));
    tzset();  // localtime_r does not read a changed TZ by itself
    struct tm local {};
    long bias = 0;
    if (localtime_r(&seconds, &local)) bias = local.tm_gmtoff;
    LocalTime->QuadPart = SystemTime->QuadPart + std::int64_t{bias} * kTicksPerSecond;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exlocaltimetosystemtime
// A local time the clock skips (spring forward) or shows twice (fall back) resolves as mktime
// resolves it: before the change for the skipped hour, the standard-time reading for the repeated one.
NTKERNELAPI VOID NTAPI ExLocalTimeToSystemTime(PLARGE_INTEGER LocalTime, PLARGE_INTEGER SystemTime) {
    using namespace ntio::ex;
    const std::int64_t since_epoch = LocalTime->QuadPart - kUnixEpoch;
    const std::int64_t whole = floor_div(since_epoch, kTicksPerSecond);
    const std::int64_t fraction = since_epoch - whole * kTicksPerSecond;
    const time_t seconds = static_cast<time_t>(whole);
    tzset();
    struct tm fields {};
    if (!gmtime_r(&seconds, &fields)) {
        *SystemTime = *LocalTime;
        return;
    }
    fields.tm_isdst = -1;
    const time_t utc = mktime(&fields);
    if (utc == static_cast<time_t>(-1) && whole != -1) {
        *SystemTime = *LocalTime;
        return;
    }
    SystemTime->QuadPart = std::int64_t{utc} * kTicksPerSecond + fraction + kUnixEpoch;
}

}  // extern "C"

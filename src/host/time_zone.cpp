// The host's time-zone rules, found by sampling localtime_r over the year: a day at a time to find
// the days the offset changes, then a binary search for the second it changes at.
#include "host/time_zone.hpp"

#include <unistd.h>

#include <cstdlib>
#include <ctime>

namespace ntio::host {
namespace {

struct Sample {
    bool ok = false;
    bool dst = false;
    long offset = 0;
    std::string name;
};

Sample sample_at(std::int64_t when) {
    Sample s;
    const time_t t = static_cast<time_t>(when);
    struct tm fields {};
    if (!localtime_r(&t, &fields)) return s;
    s.ok = true;
    s.dst = fields.tm_isdst > 0;
    s.offset = fields.tm_gmtoff;
    if (fields.tm_zone) s.name = fields.tm_zone;
    return s;
}

// The first second in (low, high] whose daylight flag differs from low's.
std::int64_t find_change(std::int64_t low, std::int64_t high, bool low_dst) {
    while (high - low > 1) {
        const std::int64_t middle = low + (high - low) / 2;
        if (sample_at(middle).dst == low_dst) low = middle;
        else high = middle;
    }
    return high;
}

std::int64_t start_of_year(int year) {
    struct tm fields {};
    fields.tm_year = year - 1900;
    fields.tm_mday = 1;
    return static_cast<std::int64_t>(timegm(&fields));
}

}  // namespace

bool time_zone_year(int year, TimeZoneYear& out) {
    tzset();  // localtime_r does not read a changed TZ by itself
    out = TimeZoneYear{};
    constexpr std::int64_t kDay = 86400;
    const std::int64_t begin = start_of_year(year);
    const std::int64_t end = start_of_year(year + 1);
    Sample previous = sample_at(begin);
    if (!previous.ok) return false;
    bool have_standard = false, have_daylight = false;
    auto note = [&](const Sample& s) {
        if (s.dst && !have_daylight) {
            out.daylight_offset = s.offset;
            out.daylight_name = s.name;
            have_daylight = true;
        } else if (!s.dst && !have_standard) {
            out.standard_offset = s.offset;
            out.standard_name = s.name;
            have_standard = true;
        }
    };
    note(previous);
    for (std::int64_t day = begin + kDay; day <= end; day += kDay) {
        const std::int64_t at = day < end ? day : end;
        const Sample s = sample_at(at);
        if (!s.ok) return false;
        if (s.dst != previous.dst) {
            const std::int64_t change = find_change(at - kDay, at, previous.dst);
            if (s.dst) out.daylight_start = change;
            else out.standard_start = change;
            note(s);
        }
        previous = s;
    }
    out.has_daylight = have_daylight && have_standard && out.daylight_start && out.standard_start;
    if (!have_standard) {  // daylight saving all year: report its offset as the standard one
        out.standard_offset = out.daylight_offset;
        out.standard_name = out.daylight_name;
    }
    if (!out.has_daylight) {
        out.daylight_offset = out.standard_offset;
        if (out.daylight_name.empty()) out.daylight_name = out.standard_name;
    }
    return true;
}

int daylight_in_force_now() {
    tzset();
    const Sample s = sample_at(static_cast<std::int64_t>(std::time(nullptr)));
    return s.ok ? (s.dst ? 1 : 0) : -1;
}

std::string time_zone_key_name() {
    if (const char* tz = std::getenv("TZ"); tz && *tz) return tz[0] == ':' ? tz + 1 : tz;
    char target[512];
    const ssize_t length = ::readlink("/etc/localtime", target, sizeof target - 1);
    if (length <= 0) return {};
    const std::string path(target, static_cast<std::size_t>(length));
    const std::string::size_type at = path.find("zoneinfo/");
    return at == std::string::npos ? std::string() : path.substr(at + 9);
}

}  // namespace ntio::host

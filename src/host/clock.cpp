// CLOCK_MONOTONIC / CLOCK_REALTIME conversions to NT time units.
#include "host/clock.hpp"

#include <cstdio>
#include <cstring>

namespace ntio::host {
namespace {
std::int64_t read_100ns(clockid_t clock) noexcept {
    timespec ts{};
    clock_gettime(clock, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 10000000 + ts.tv_nsec / 100;
}
timespec to_timespec(std::int64_t units_100ns) noexcept {
    if (units_100ns < 0) units_100ns = 0;
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(units_100ns / 10000000);
    ts.tv_nsec = static_cast<long>((units_100ns % 10000000) * 100);
    return ts;
}
}  // namespace

std::uint64_t interrupt_time() noexcept { return static_cast<std::uint64_t>(read_100ns(CLOCK_MONOTONIC)); }

std::int64_t system_time() noexcept { return read_100ns(CLOCK_REALTIME) + kUnixEpochAs1601; }

std::uint64_t performance_counter() noexcept { return interrupt_time(); }

bool clock_is_time_stamp_counter() noexcept {
    FILE* f = std::fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
    if (!f) return false;
    char name[32] = {};
    const bool ok = std::fgets(name, sizeof name, f) && std::strncmp(name, "tsc", 3) == 0;
    std::fclose(f);
    return ok;
}

Deadline deadline_from_interrupt_time(std::uint64_t interrupt_due) noexcept {
    Deadline d;
    d.clock = Deadline::Clock::Monotonic;
    d.at = to_timespec(static_cast<std::int64_t>(interrupt_due));
    return d;
}

Deadline deadline_from_system_time(std::int64_t system_due) noexcept {
    Deadline d;
    d.clock = Deadline::Clock::Realtime;
    d.at = to_timespec(system_due - kUnixEpochAs1601);
    return d;
}

}  // namespace ntio::host

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

std::uint64_t cycle_counter() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    return __builtin_ia32_rdtsc();
#else
    return interrupt_time();
#endif
}

std::uint64_t cycles_per_second() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    static const std::uint64_t rate = [] {
        const std::uint64_t t0 = interrupt_time();
        const std::uint64_t c0 = cycle_counter();
        timespec pause{0, 2000000};
        while (nanosleep(&pause, &pause) != 0) {
        }
        const std::uint64_t c1 = cycle_counter();
        const std::uint64_t t1 = interrupt_time();
        const std::uint64_t elapsed = t1 > t0 ? t1 - t0 : 1;  // 100 ns units
        const std::uint64_t measured = static_cast<std::uint64_t>(
            static_cast<unsigned __int128>(c1 - c0) * 10000000u / elapsed);
        return measured ? measured : std::uint64_t{1};
    }();
    return rate;
#else
    return 10000000;  // interrupt time's rate
#endif
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

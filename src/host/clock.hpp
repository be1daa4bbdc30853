// Host clocks in NT units: interrupt time is CLOCK_MONOTONIC in 100 ns units (time since an
// arbitrary start, never adjusted); system time is CLOCK_REALTIME in 100 ns units since 1601-01-01.
#pragma once

#include <cstdint>
#include <ctime>

#include "host/futex.hpp"

namespace ntio::host {

inline constexpr std::int64_t kUnixEpochAs1601 = 116444736000000000LL;  // 1970-01-01 in 100 ns since 1601
inline constexpr std::uint64_t kPerformanceFrequency = 10000000;        // 10 MHz, like current Windows

std::uint64_t interrupt_time() noexcept;   // 100 ns units, CLOCK_MONOTONIC
std::int64_t system_time() noexcept;       // 100 ns since 1601, CLOCK_REALTIME
std::uint64_t performance_counter() noexcept;  // ticks of kPerformanceFrequency
// The host's monotonic clock runs on the CPU's time-stamp counter (invariant and synchronized across
// CPUs, or the host would not use it), so an rdtsc read is as good a time as the clock's own.
bool clock_is_time_stamp_counter() noexcept;

// The processor's cycle counter (rdtsc; interrupt time on hosts without one), and its rate, measured
// once against CLOCK_MONOTONIC at the first call (a 2 ms sleep).
std::uint64_t cycle_counter() noexcept;
std::uint64_t cycles_per_second() noexcept;

// Deadline for a futex wait: `interrupt_due` in interrupt time, or `system_due` in system time.
Deadline deadline_from_interrupt_time(std::uint64_t interrupt_due) noexcept;
Deadline deadline_from_system_time(std::int64_t system_due) noexcept;

}  // namespace ntio::host

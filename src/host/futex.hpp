// Futex wait/wake on a 32-bit atomic word: the only way ntio threads sleep. Deadlines are absolute
// on CLOCK_MONOTONIC (relative NT timeouts) or CLOCK_REALTIME (absolute NT timeouts).
#pragma once

#include <atomic>
#include <cstdint>
#include <ctime>

namespace ntio::host {

struct Deadline {
    enum class Clock { Monotonic, Realtime };
    Clock clock = Clock::Monotonic;
    timespec at{};
};

enum class FutexResult { Woken, Timeout, Changed, Interrupted };

// Sleeps while *word == expected, until woken or `deadline` (null = forever) passes. Spurious
// returns are possible: callers loop on their own condition.
FutexResult futex_wait(std::atomic<std::uint32_t>* word, std::uint32_t expected,
                       const Deadline* deadline = nullptr) noexcept;

// Wakes up to `count` threads sleeping on `word`; returns how many were woken.
int futex_wake(std::atomic<std::uint32_t>* word, int count = 1) noexcept;

}  // namespace ntio::host

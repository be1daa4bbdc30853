// Linux futex system call wrappers (private futexes: the words never cross processes).
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cerrno>

#include "host/futex.hpp"

namespace ntio::host {

static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));

FutexResult futex_wait(std::atomic<std::uint32_t>* word, std::uint32_t expected,
                       const Deadline* deadline) noexcept {
    int op = FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG;
    const timespec* ts = nullptr;
    if (deadline) {
        if (deadline->clock == Deadline::Clock::Realtime) op |= FUTEX_CLOCK_REALTIME;
        ts = &deadline->at;
    }
    long rc = syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), op, expected, ts, nullptr,
                      FUTEX_BITSET_MATCH_ANY);
    if (rc == 0) return FutexResult::Woken;
    switch (errno) {
    case ETIMEDOUT: return FutexResult::Timeout;
    case EAGAIN: return FutexResult::Changed;
    default: return FutexResult::Interrupted;
    }
}

int futex_wake(std::atomic<std::uint32_t>* word, int count) noexcept {
    long rc = syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAKE | FUTEX_PRIVATE_FLAG,
                      count, nullptr, nullptr, 0);
    return rc < 0 ? 0 : static_cast<int>(rc);
}

}  // namespace ntio::host

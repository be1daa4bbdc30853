// FutexMutex: a mutex of one 32-bit word for short critical sections on the I/O path (a uring
// ring's lock is taken once or twice per request). Uncontended, lock is one compare-and-swap and
// unlock one exchange, with no call: std::mutex goes through pthread_mutex_lock/unlock, which cost
// about 60 instructions a pair here for their type dispatch. Contended, it sleeps on a futex like
// pthread's normal mutex (the three-state design of Drepper's "Futexes Are Tricky": 0 free, 1
// held, 2 held with possible sleepers). Not recursive, no owner checks; meets Lockable, so
// std::lock_guard and std::unique_lock work with it.
#pragma once

#include <atomic>
#include <cstdint>

#include "host/futex.hpp"

namespace ntio::host {

class FutexMutex {
public:
    FutexMutex() = default;
    FutexMutex(const FutexMutex&) = delete;
    FutexMutex& operator=(const FutexMutex&) = delete;

    void lock() noexcept {
        std::uint32_t seen = kFree;
        if (m_state.compare_exchange_strong(seen, kHeld, std::memory_order_acquire, std::memory_order_relaxed))
            [[likely]]
            return;
        lock_contended(seen);
    }
    bool try_lock() noexcept {
        std::uint32_t seen = kFree;
        return m_state.compare_exchange_strong(seen, kHeld, std::memory_order_acquire, std::memory_order_relaxed);
    }
    void unlock() noexcept {
        if (m_state.exchange(kFree, std::memory_order_release) == kContended) [[unlikely]] wake_one();
    }

private:
    static constexpr std::uint32_t kFree = 0;
    static constexpr std::uint32_t kHeld = 1;
    static constexpr std::uint32_t kContended = 2;

    // Marks the word contended and sleeps until an unlock frees it; whoever takes it this way
    // leaves it contended, so that its unlock wakes the next sleeper (at worst one wake too many).
    [[gnu::noinline]] void lock_contended(std::uint32_t seen) noexcept {
        if (seen != kContended) seen = m_state.exchange(kContended, std::memory_order_acquire);
        while (seen != kFree) {
            (void)futex_wait(&m_state, kContended);
            seen = m_state.exchange(kContended, std::memory_order_acquire);
        }
    }
    [[gnu::noinline]] void wake_one() noexcept { (void)futex_wake(&m_state, 1); }

    std::atomic<std::uint32_t> m_state{kFree};
};

}  // namespace ntio::host

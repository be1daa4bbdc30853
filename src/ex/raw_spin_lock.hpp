// A spin lock on a caller's KSPIN_LOCK word that leaves IRQL alone, for the ExInterlocked routines
// (callable at any IRQL, where Windows disables interrupts instead of raising IRQL). The word is 0
// when free and non-zero when held, the encoding the kernel's spin locks use too.
#pragma once

#include <thread>

#include <wdm.h>

namespace ntio::ex {

class RawSpinLockGuard {
public:
    explicit RawSpinLockGuard(PKSPIN_LOCK lock) noexcept : m_lock(lock) {
        for (unsigned spins = 0;; ++spins) {
            if (__atomic_load_n(m_lock, __ATOMIC_RELAXED) == 0 &&
                !__atomic_exchange_n(m_lock, KSPIN_LOCK{1}, __ATOMIC_ACQUIRE)) {
                return;
            }
            // On few CPUs the holder may be preempted; let it run instead of burning its slice.
            if (spins >= 64) std::this_thread::yield();
            else __builtin_ia32_pause();
        }
    }
    ~RawSpinLockGuard() { __atomic_store_n(m_lock, KSPIN_LOCK{0}, __ATOMIC_RELEASE); }
    RawSpinLockGuard(const RawSpinLockGuard&) = delete;
    RawSpinLockGuard& operator=(const RawSpinLockGuard&) = delete;

private:
    PKSPIN_LOCK m_lock;
};

}  // namespace ntio::ex

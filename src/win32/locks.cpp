// Critical sections, SRW locks, condition variables and one-time initialization for Win32
// programs. Each lock keeps its state in the caller's structure and sleeps on a futex over one
// 32-bit word of it, as Windows' keyed events let it sleep without a kernel object:
// - a critical section: LockCount 0 free, 1 held, 2 held with sleepers; OwningThread the owner's
//   thread id, RecursionCount its entries; SpinCount spins before sleeping.
// - an SRW lock: the low word of Ptr, bit 0 held exclusively, the readers counted from bit 1, bit 31
//   set by a thread about to sleep on it.
// - a condition variable: the low word of Ptr counts wakes; a sleeper sleeps while it is unchanged.
// InitOnce is RtlRunOnce. https://learn.microsoft.com/windows/win32/sync/synchronization-functions
#include <climits>

#include "host/futex.hpp"
#include "win32/win32.hpp"

using namespace ntio;

namespace {

std::atomic<std::uint32_t>* word(void* p) { return reinterpret_cast<std::atomic<std::uint32_t>*>(p); }
std::atomic<std::uint32_t>* lock_word(LPCRITICAL_SECTION cs) { return word(&cs->LockCount); }

HANDLE current_owner() { return reinterpret_cast<HANDLE>(static_cast<ULONG_PTR>(GetCurrentThreadId())); }

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

// "On single-processor systems, the spin count is ignored"; a count above this is cut to it.
constexpr ULONG_PTR kMaxSpin = 0x00FFFFFF;

void init_section(LPCRITICAL_SECTION cs, DWORD spin) {
    cs->DebugInfo = nullptr;
    cs->LockCount = 0;
    cs->RecursionCount = 0;
    cs->OwningThread = nullptr;
    cs->LockSemaphore = nullptr;
    cs->SpinCount = spin & kMaxSpin;
}

void lock_section(LPCRITICAL_SECTION cs) {
    std::atomic<std::uint32_t>* w = lock_word(cs);
    std::uint32_t seen = 0;
    if (w->compare_exchange_strong(seen, 1, std::memory_order_acquire, std::memory_order_relaxed)) return;
    for (ULONG_PTR spin = cs->SpinCount; spin > 0; --spin) {
        cpu_relax();
        seen = 0;
        if (w->load(std::memory_order_relaxed) == 0 &&
            w->compare_exchange_strong(seen, 1, std::memory_order_acquire, std::memory_order_relaxed))
            return;
    }
    // Held: mark it contended and sleep until a release finds the mark.
    while (w->exchange(2, std::memory_order_acquire) != 0) host::futex_wait(w, 2);
}

// The SRW lock's bits.
constexpr std::uint32_t kExclusive = 1;
constexpr std::uint32_t kReader = 2;
constexpr std::uint32_t kSleepers = 0x80000000u;

void wake_srw_sleepers(std::atomic<std::uint32_t>* w) { host::futex_wake(w, INT_MAX); }

// Sleeps while the lock is as `seen` (with the sleepers' bit set first), or returns at once when it
// changed.
void sleep_on_srw(std::atomic<std::uint32_t>* w, std::uint32_t seen) {
    if (!(seen & kSleepers) &&
        !w->compare_exchange_strong(seen, seen | kSleepers, std::memory_order_relaxed, std::memory_order_relaxed))
        return;
    host::futex_wait(w, seen | kSleepers);
}

void release_srw_exclusive(PSRWLOCK lock) {
    std::atomic<std::uint32_t>* w = word(&lock->Ptr);
    if (w->exchange(0, std::memory_order_release) & kSleepers) wake_srw_sleepers(w);
}

void release_srw_shared(PSRWLOCK lock) {
    std::atomic<std::uint32_t>* w = word(&lock->Ptr);
    const std::uint32_t left = w->fetch_sub(kReader, std::memory_order_release) - kReader;
    if (left == kSleepers) {
        std::uint32_t expected = kSleepers;
        if (w->compare_exchange_strong(expected, 0, std::memory_order_relaxed)) wake_srw_sleepers(w);
    }
}

// A condition variable's sleep: the lock released, a sleep while no wake came, the lock taken again.
// FALSE with ERROR_TIMEOUT when the time ran out first.
template <class Release, class Acquire>
BOOL sleep_on_condition(PCONDITION_VARIABLE cv, DWORD milliseconds, Release release, Acquire acquire) {
    std::atomic<std::uint32_t>* w = word(&cv->Ptr);
    const std::uint32_t seen = w->load(std::memory_order_acquire);
    release();
    host::FutexResult result = host::FutexResult::Woken;
    if (milliseconds == INFINITE) {
        result = host::futex_wait(w, seen);
    } else {
        host::Deadline deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline.at);
        deadline.at.tv_sec += milliseconds / 1000;
        deadline.at.tv_nsec += static_cast<long>(milliseconds % 1000) * 1000000L;
        if (deadline.at.tv_nsec >= 1000000000L) {
            deadline.at.tv_sec += 1;
            deadline.at.tv_nsec -= 1000000000L;
        }
        result = host::futex_wait(w, seen, &deadline);
    }
    acquire();
    if (result == host::FutexResult::Timeout && w->load(std::memory_order_acquire) == seen) {
        SetLastError(ERROR_TIMEOUT);
        return FALSE;
    }
    return TRUE;
}

}  // namespace

extern "C" {

VOID WINAPI InitializeCriticalSection(LPCRITICAL_SECTION lpCriticalSection) { init_section(lpCriticalSection, 0); }

BOOL WINAPI InitializeCriticalSectionAndSpinCount(LPCRITICAL_SECTION lpCriticalSection, DWORD dwSpinCount) {
    init_section(lpCriticalSection, dwSpinCount);
    return TRUE;
}

BOOL WINAPI InitializeCriticalSectionEx(LPCRITICAL_SECTION lpCriticalSection, DWORD dwSpinCount, DWORD Flags) {
    (void)Flags;  // CRITICAL_SECTION_NO_DEBUG_INFO: there is no debug information anyway
    init_section(lpCriticalSection, dwSpinCount);
    return TRUE;
}

DWORD WINAPI SetCriticalSectionSpinCount(LPCRITICAL_SECTION lpCriticalSection, DWORD dwSpinCount) {
    const auto previous = static_cast<DWORD>(lpCriticalSection->SpinCount);
    lpCriticalSection->SpinCount = dwSpinCount & kMaxSpin;
    return previous;
}

VOID WINAPI EnterCriticalSection(LPCRITICAL_SECTION lpCriticalSection) {
    const HANDLE me = current_owner();
    if (__atomic_load_n(&lpCriticalSection->OwningThread, __ATOMIC_RELAXED) == me) {
        ++lpCriticalSection->RecursionCount;
        return;
    }
    lock_section(lpCriticalSection);
    __atomic_store_n(&lpCriticalSection->OwningThread, me, __ATOMIC_RELAXED);
    lpCriticalSection->RecursionCount = 1;
}

BOOL WINAPI TryEnterCriticalSection(LPCRITICAL_SECTION lpCriticalSection) {
    const HANDLE me = current_owner();
    if (__atomic_load_n(&lpCriticalSection->OwningThread, __ATOMIC_RELAXED) == me) {
        ++lpCriticalSection->RecursionCount;
        return TRUE;
    }
    std::uint32_t seen = 0;
    if (!lock_word(lpCriticalSection)->compare_exchange_strong(seen, 1, std::memory_order_acquire,
                                                                std::memory_order_relaxed))
        return FALSE;
    __atomic_store_n(&lpCriticalSection->OwningThread, me, __ATOMIC_RELAXED);
    lpCriticalSection->RecursionCount = 1;
    return TRUE;
}

// A thread that does not own the section leaves it as it is (on Windows that corrupts it).
VOID WINAPI LeaveCriticalSection(LPCRITICAL_SECTION lpCriticalSection) {
    if (__atomic_load_n(&lpCriticalSection->OwningThread, __ATOMIC_RELAXED) != current_owner()) return;
    if (--lpCriticalSection->RecursionCount > 0) return;
    __atomic_store_n(&lpCriticalSection->OwningThread, static_cast<HANDLE>(nullptr), __ATOMIC_RELAXED);
    std::atomic<std::uint32_t>* w = lock_word(lpCriticalSection);
    if (w->exchange(0, std::memory_order_release) == 2) host::futex_wake(w, 1);
}

VOID WINAPI DeleteCriticalSection(LPCRITICAL_SECTION lpCriticalSection) { init_section(lpCriticalSection, 0); }

VOID WINAPI InitializeSRWLock(PSRWLOCK SRWLock) { SRWLock->Ptr = nullptr; }

BOOLEAN WINAPI TryAcquireSRWLockExclusive(PSRWLOCK SRWLock) {
    std::uint32_t seen = 0;
    return word(&SRWLock->Ptr)->compare_exchange_strong(seen, kExclusive, std::memory_order_acquire,
                                                         std::memory_order_relaxed);
}

VOID WINAPI AcquireSRWLockExclusive(PSRWLOCK SRWLock) {
    std::atomic<std::uint32_t>* w = word(&SRWLock->Ptr);
    for (;;) {
        std::uint32_t seen = w->load(std::memory_order_relaxed);
        // Free but for sleepers: take it, keeping their bit so that the release wakes them.
        if ((seen & ~kSleepers) == 0 &&
            w->compare_exchange_weak(seen, seen | kExclusive, std::memory_order_acquire, std::memory_order_relaxed))
            return;
        if ((seen & ~kSleepers) != 0) sleep_on_srw(w, seen);
    }
}

BOOLEAN WINAPI TryAcquireSRWLockShared(PSRWLOCK SRWLock) {
    std::atomic<std::uint32_t>* w = word(&SRWLock->Ptr);
    std::uint32_t seen = w->load(std::memory_order_relaxed);
    while (!(seen & kExclusive))
        if (w->compare_exchange_weak(seen, seen + kReader, std::memory_order_acquire, std::memory_order_relaxed))
            return TRUE;
    return FALSE;
}

VOID WINAPI AcquireSRWLockShared(PSRWLOCK SRWLock) {
    std::atomic<std::uint32_t>* w = word(&SRWLock->Ptr);
    for (;;) {
        std::uint32_t seen = w->load(std::memory_order_relaxed);
        if (!(seen & kExclusive)) {
            if (w->compare_exchange_weak(seen, seen + kReader, std::memory_order_acquire, std::memory_order_relaxed))
                return;
            continue;
        }
        sleep_on_srw(w, seen);
    }
}

VOID WINAPI ReleaseSRWLockExclusive(PSRWLOCK SRWLock) { release_srw_exclusive(SRWLock); }
VOID WINAPI ReleaseSRWLockShared(PSRWLOCK SRWLock) { release_srw_shared(SRWLock); }

VOID WINAPI InitializeConditionVariable(PCONDITION_VARIABLE ConditionVariable) { ConditionVariable->Ptr = nullptr; }

BOOL WINAPI SleepConditionVariableCS(PCONDITION_VARIABLE ConditionVariable, PCRITICAL_SECTION CriticalSection,
                                     DWORD dwMilliseconds) {
    // The section is left however deep the caller entered it, and entered as deep again after.
    const LONG depth = CriticalSection->RecursionCount;
    return sleep_on_condition(
        ConditionVariable, dwMilliseconds,
        [&] {
            CriticalSection->RecursionCount = 1;
            LeaveCriticalSection(CriticalSection);
        },
        [&] {
            EnterCriticalSection(CriticalSection);
            CriticalSection->RecursionCount = depth;
        });
}

BOOL WINAPI SleepConditionVariableSRW(PCONDITION_VARIABLE ConditionVariable, PSRWLOCK SRWLock, DWORD dwMilliseconds,
                                      ULONG Flags) {
    if (Flags & ~ULONG{CONDITION_VARIABLE_LOCKMODE_SHARED}) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    const bool shared = (Flags & CONDITION_VARIABLE_LOCKMODE_SHARED) != 0;
    return sleep_on_condition(
        ConditionVariable, dwMilliseconds,
        [&] { shared ? release_srw_shared(SRWLock) : release_srw_exclusive(SRWLock); },
        [&] { shared ? AcquireSRWLockShared(SRWLock) : AcquireSRWLockExclusive(SRWLock); });
}

VOID WINAPI WakeConditionVariable(PCONDITION_VARIABLE ConditionVariable) {
    std::atomic<std::uint32_t>* w = word(&ConditionVariable->Ptr);
    w->fetch_add(1, std::memory_order_release);
    host::futex_wake(w, 1);
}

VOID WINAPI WakeAllConditionVariable(PCONDITION_VARIABLE ConditionVariable) {
    std::atomic<std::uint32_t>* w = word(&ConditionVariable->Ptr);
    w->fetch_add(1, std::memory_order_release);
    host::futex_wake(w, INT_MAX);
}

VOID WINAPI InitOnceInitialize(PINIT_ONCE InitOnce) { RtlRunOnceInitialize(InitOnce); }

// "If the function fails, the return value is zero": InitFn returned FALSE, and the next caller
// tries again.
BOOL WINAPI InitOnceExecuteOnce(PINIT_ONCE InitOnce, PINIT_ONCE_FN InitFn, PVOID Parameter, LPVOID* Context) {
    PVOID data = nullptr;
    const NTSTATUS status = RtlRunOnceBeginInitialize(InitOnce, 0, &data);
    if (status == STATUS_SUCCESS) {
        if (Context) *Context = data;
        return TRUE;
    }
    if (status != STATUS_PENDING) return win32::succeeded(status);
    data = nullptr;
    if (!InitFn(InitOnce, Parameter, &data)) {
        (void)RtlRunOnceComplete(InitOnce, RTL_RUN_ONCE_INIT_FAILED, nullptr);
        return FALSE;
    }
    const NTSTATUS completed = RtlRunOnceComplete(InitOnce, 0, data);
    if (!NT_SUCCESS(completed)) return win32::succeeded(completed);
    if (Context) *Context = data;
    return TRUE;
}

// "If INIT_ONCE_CHECK_ONLY is specified and the initialization is not complete, the function
// returns FALSE and the GetLastError function returns ERROR_GEN_FAILURE."
BOOL WINAPI InitOnceBeginInitialize(LPINIT_ONCE lpInitOnce, DWORD dwFlags, PBOOL fPending, LPVOID* lpContext) {
    PVOID data = nullptr;
    const NTSTATUS status = RtlRunOnceBeginInitialize(lpInitOnce, dwFlags, &data);
    if (status == STATUS_SUCCESS || status == STATUS_PENDING) {
        if (fPending) *fPending = status == STATUS_PENDING;
        if (lpContext && status == STATUS_SUCCESS) *lpContext = data;
        return TRUE;
    }
    SetLastError(status == STATUS_UNSUCCESSFUL ? ERROR_GEN_FAILURE : ERROR_INVALID_PARAMETER);
    return FALSE;
}

BOOL WINAPI InitOnceComplete(LPINIT_ONCE lpInitOnce, DWORD dwFlags, LPVOID lpContext) {
    return win32::succeeded(RtlRunOnceComplete(lpInitOnce, dwFlags, lpContext));
}

}  // extern "C"

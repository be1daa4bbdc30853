// Critical sections (recursion, TryEnter from another thread), SRW locks (shared and exclusive),
// condition variables (a wake, a timeout), InitOnce (one initialization however many threads race)
// and TLS (per-thread values, TlsFree clearing them). The locks' races are in the stress suite
// (tests/stress/win32).
#include <thread>

#include "win32_test_support.hpp"

namespace ntio::test {
namespace {

constexpr int kThreads = 4;

TEST_F(Win32Test, a_critical_section_is_recursive_and_excludes_other_threads) {
    CRITICAL_SECTION cs;
    ASSERT_TRUE(InitializeCriticalSectionAndSpinCount(&cs, 100));
    EnterCriticalSection(&cs);
    EnterCriticalSection(&cs);
    EXPECT_TRUE(TryEnterCriticalSection(&cs));
    BOOL other = TRUE;
    std::thread([&] { other = TryEnterCriticalSection(&cs); }).join();
    EXPECT_FALSE(other);
    LeaveCriticalSection(&cs);
    LeaveCriticalSection(&cs);
    std::thread([&] { other = TryEnterCriticalSection(&cs); }).join();
    EXPECT_FALSE(other) << "still entered once";
    LeaveCriticalSection(&cs);
    std::thread([&] {
        other = TryEnterCriticalSection(&cs);
        if (other) LeaveCriticalSection(&cs);
    }).join();
    EXPECT_TRUE(other);
    EXPECT_EQ(SetCriticalSectionSpinCount(&cs, 7), 100u);
    DeleteCriticalSection(&cs);
}

TEST_F(Win32Test, an_srw_lock_shares_reads_and_excludes_writes) {
    SRWLOCK lock = SRWLOCK_INIT;
    AcquireSRWLockShared(&lock);
    EXPECT_TRUE(TryAcquireSRWLockShared(&lock));
    EXPECT_FALSE(TryAcquireSRWLockExclusive(&lock));
    ReleaseSRWLockShared(&lock);
    ReleaseSRWLockShared(&lock);
    ASSERT_TRUE(TryAcquireSRWLockExclusive(&lock));
    EXPECT_FALSE(TryAcquireSRWLockShared(&lock));
    ReleaseSRWLockExclusive(&lock);
}

TEST_F(Win32Test, a_condition_variable_wakes_its_sleeper_or_times_out) {
    CRITICAL_SECTION cs;
    InitializeCriticalSection(&cs);
    CONDITION_VARIABLE cv = CONDITION_VARIABLE_INIT;
    EnterCriticalSection(&cs);
    EXPECT_FALSE(SleepConditionVariableCS(&cv, &cs, 10));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_TIMEOUT));
    LeaveCriticalSection(&cs);

    // A queue of items: the consumer sleeps until the producer has put each one.
    int produced = 0, consumed = 0;
    std::thread consumer([&] {
        EnterCriticalSection(&cs);
        while (consumed < 100) {
            while (consumed == produced) SleepConditionVariableCS(&cv, &cs, INFINITE);
            ++consumed;
        }
        LeaveCriticalSection(&cs);
    });
    for (int i = 0; i < 100; ++i) {
        EnterCriticalSection(&cs);
        ++produced;
        LeaveCriticalSection(&cs);
        WakeConditionVariable(&cv);
    }
    consumer.join();
    EXPECT_EQ(consumed, 100);

    SRWLOCK lock = SRWLOCK_INIT;
    bool ready = false;
    std::thread waiter([&] {
        AcquireSRWLockShared(&lock);
        while (!ready) SleepConditionVariableSRW(&cv, &lock, INFINITE, CONDITION_VARIABLE_LOCKMODE_SHARED);
        ReleaseSRWLockShared(&lock);
    });
    AcquireSRWLockExclusive(&lock);
    ready = true;
    ReleaseSRWLockExclusive(&lock);
    WakeAllConditionVariable(&cv);
    waiter.join();
    EXPECT_FALSE(SleepConditionVariableSRW(&cv, &lock, 0, 0x10));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
}

int g_init_runs = 0;
BOOL WINAPI CountedInit(PINIT_ONCE, PVOID Parameter, PVOID* Context) {
    ++g_init_runs;
    std::this_thread::yield();
    *Context = Parameter;
    return TRUE;
}
BOOL WINAPI FailingInit(PINIT_ONCE, PVOID, PVOID*) {
    SetLastError(ERROR_FILE_NOT_FOUND);
    return FALSE;
}

TEST_F(Win32Test, init_once_runs_once_and_again_after_a_failure) {
    INIT_ONCE once = INIT_ONCE_STATIC_INIT;
    g_init_runs = 0;
    alignas(4) static int data = 0;
    std::vector<std::thread> threads;
    std::atomic<int> wrong{0};
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&] {
            PVOID context = nullptr;
            if (!InitOnceExecuteOnce(&once, CountedInit, &data, &context) || context != &data) ++wrong;
        });
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(g_init_runs, 1);
    EXPECT_EQ(wrong.load(), 0);
    BOOL pending = TRUE;
    PVOID context = nullptr;
    EXPECT_TRUE(InitOnceBeginInitialize(&once, INIT_ONCE_CHECK_ONLY, &pending, &context));
    EXPECT_FALSE(pending);
    EXPECT_EQ(context, &data);

    INIT_ONCE failing;
    InitOnceInitialize(&failing);
    EXPECT_FALSE(InitOnceExecuteOnce(&failing, FailingInit, nullptr, nullptr));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_FILE_NOT_FOUND));
    EXPECT_FALSE(InitOnceBeginInitialize(&failing, INIT_ONCE_CHECK_ONLY, &pending, &context));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_GEN_FAILURE));
    EXPECT_TRUE(InitOnceExecuteOnce(&failing, CountedInit, &data, &context));
    EXPECT_EQ(g_init_runs, 2);
}

TEST_F(Win32Test, tls_slots_hold_a_value_per_thread) {
    const DWORD slot = TlsAlloc();
    ASSERT_NE(slot, TLS_OUT_OF_INDEXES);
    SetLastError(ERROR_FILE_NOT_FOUND);
    EXPECT_EQ(TlsGetValue(slot), nullptr);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_SUCCESS)) << "TlsGetValue clears the last error";
    int mine = 1, theirs = 2;
    ASSERT_TRUE(TlsSetValue(slot, &mine));
    std::thread([&] {
        EXPECT_EQ(TlsGetValue(slot), nullptr);
        EXPECT_TRUE(TlsSetValue(slot, &theirs));
        EXPECT_EQ(TlsGetValue(slot), &theirs);
    }).join();
    EXPECT_EQ(TlsGetValue(slot), &mine);
    // Freed and allocated again: every thread's value is NULL.
    EXPECT_TRUE(TlsFree(slot));
    EXPECT_FALSE(TlsFree(slot));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    const DWORD again = TlsAlloc();
    ASSERT_NE(again, TLS_OUT_OF_INDEXES);
    EXPECT_EQ(TlsGetValue(again), nullptr);
    EXPECT_TRUE(TlsFree(again));
    EXPECT_EQ(TlsGetValue(100000), nullptr);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_FALSE(TlsSetValue(100000, &mine));
    // Slots run out at 1088.
    std::vector<DWORD> slots;
    for (DWORD s; (s = TlsAlloc()) != TLS_OUT_OF_INDEXES;) slots.push_back(s);
    EXPECT_GE(slots.size(), 1000u);
    EXPECT_LE(slots.size(), 1088u);
    for (DWORD s : slots) EXPECT_TRUE(TlsFree(s));
}

}  // namespace
}  // namespace ntio::test

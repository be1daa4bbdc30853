// Threads raising and faulting inside __try at the same time: each thread's frame list and exception
// state are its own (thread-local state read and written inline by the __try macros).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include <ntio/ntio.h>

namespace {

// Null through a volatile, so that the compiler cannot see it and emit a trap instead of the store.
volatile int* volatile g_null = nullptr;

// Faults on purpose; UBSan would report the null store before the fault happens, and ThreadSanitizer
// the threads' stores to address 0 as a race.
__attribute__((no_sanitize("null", "thread"), noinline)) void store_through(volatile int* p) { *p = 1; }

// Invariant: each thread's raises and faults reach that thread's innermost frame with their own code,
// and every thread's frame list is empty when its __try blocks are done.
TEST(SehJumpStress, ThreadsRaiseAndFaultConcurrently) {
    constexpr int kThreads = 4;
    constexpr int kIterations = 3000;
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&wrong, t] {
            for (int i = 0; i < kIterations; ++i) {
                const int how = (i + t) % 2;
                NTSTATUS code = STATUS_SUCCESS;
                __try {
                    __try {
                        if (how == 0) ExRaiseStatus(static_cast<NTSTATUS>(0xE0000000u | static_cast<ULONG>(t)));
                        else store_through(g_null);
                    } __finally {
                        if (!AbnormalTermination()) wrong.fetch_add(1);
                    }
                } __except (EXCEPTION_EXECUTE_HANDLER) {
                    code = GetExceptionCode();
                }
                const NTSTATUS expected =
                    how == 0 ? static_cast<NTSTATUS>(0xE0000000u | static_cast<ULONG>(t)) : STATUS_ACCESS_VIOLATION;
                if (code != expected) wrong.fetch_add(1);
            }
            if (NtioSehCurrentFrame() != nullptr) wrong.fetch_add(1);
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(wrong.load(), 0);
}

}  // namespace

// SuspendThread / ResumeThread racing from two controllers against a worker that waits and wakes
// in a loop (run under the tsan preset too).
// Invariant: with every suspension matched by a resume, the count a suspension answers is below
// the two controllers' number and a resume's is 1 or 2 (no update lost under the race with the
// worker taking its suspend APC); once every resume is in the count is 0 and the worker steps
// again and runs to its end.
#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/system_fixture.hpp"

#include <windows.h>

namespace thread_suspend_stress_test {

class ThreadSuspendStressTest : public ntio::test::SystemTest {};

struct Worker {
    HANDLE tick = nullptr;  // auto-reset: one step per signal
    std::atomic<long> steps{0};
    std::atomic<bool> stop{false};
};

DWORD WINAPI stepping_worker(LPVOID parameter) {
    auto* worker = static_cast<Worker*>(parameter);
    while (!worker->stop.load()) {
        if (WaitForSingleObject(worker->tick, 1) == WAIT_OBJECT_0) worker->steps.fetch_add(1);
    }
    return 0;
}

TEST_F(ThreadSuspendStressTest, suspensions_and_resumes_from_two_threads_balance) {
    constexpr int kRounds = 2000;
    Worker worker;
    worker.tick = CreateEventW(nullptr, FALSE, FALSE, nullptr);
    ASSERT_NE(worker.tick, nullptr);
    HANDLE thread = CreateThread(nullptr, 0, stepping_worker, &worker, 0, nullptr);
    ASSERT_NE(thread, nullptr);
    std::atomic<bool> bad_count{false};
    std::vector<std::thread> controllers;
    for (int c = 0; c < 2; ++c)
        controllers.emplace_back([&] {
            for (int i = 0; i < kRounds; ++i) {
                const DWORD before = SuspendThread(thread);
                if (before > 1) bad_count = true;
                SetEvent(worker.tick);
                if (i % 64 == 0) std::this_thread::yield();
                const DWORD held = ResumeThread(thread);
                if (held == 0 || held > 2) bad_count = true;
            }
        });
    for (std::thread& t : controllers) t.join();
    // Every resume is in: the count is zero and the worker steps again.
    EXPECT_EQ(ResumeThread(thread), 0u);
    const long before = worker.steps.load();
    while (worker.steps.load() == before) {
        SetEvent(worker.tick);
        Sleep(1);
    }
    worker.stop.store(true);
    EXPECT_EQ(WaitForSingleObject(thread, INFINITE), WAIT_OBJECT_0);
    EXPECT_FALSE(bad_count.load());
    CloseHandle(thread);
    CloseHandle(worker.tick);
}

}  // namespace thread_suspend_stress_test

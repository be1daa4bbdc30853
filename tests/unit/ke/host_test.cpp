// host: futex wait/wake, host threads, clocks in NT units, CPU queries and the errno table.
#include <atomic>
#include <cerrno>
#include <ctime>

#include <gtest/gtest.h>
#include <wdm.h>

#include "host/clock.hpp"
#include "host/cpu.hpp"
#include "host/errno_status.hpp"
#include "host/futex.hpp"
#include "host/thread.hpp"

namespace ntio::host {
namespace {

TEST(HostFutex, wait_returns_changed_when_the_word_differs) {
    std::atomic<std::uint32_t> word{1};
    EXPECT_EQ(futex_wait(&word, 0), FutexResult::Changed);
}

TEST(HostFutex, wait_times_out_at_the_deadline) {
    std::atomic<std::uint32_t> word{0};
    Deadline d = deadline_from_interrupt_time(interrupt_time() + 20000);  // 2 ms
    EXPECT_EQ(futex_wait(&word, 0, &d), FutexResult::Timeout);
    Deadline r = deadline_from_system_time(system_time() + 20000);
    EXPECT_EQ(futex_wait(&word, 0, &r), FutexResult::Timeout);
}

TEST(HostFutex, wake_without_waiters_wakes_nobody_and_wake_releases_a_sleeper) {
    std::atomic<std::uint32_t> word{0};
    EXPECT_EQ(futex_wake(&word, 1), 0);
    Thread t;
    ASSERT_EQ(t.start([](void* raw) {
        auto* w = static_cast<std::atomic<std::uint32_t>*>(raw);
        while (w->load() == 0) futex_wait(w, 0);
    }, &word), STATUS_SUCCESS);
    word.store(1);
    futex_wake(&word, 1);
    t.join();
    EXPECT_FALSE(t.joinable());
}

TEST(HostThread, start_runs_the_entry_with_its_context) {
    int value = 0;
    {
        Thread t;
        ASSERT_EQ(t.start([](void* raw) { *static_cast<int*>(raw) = 42; }, &value), STATUS_SUCCESS);
        EXPECT_TRUE(t.joinable());
    }  // destructor joins
    EXPECT_EQ(value, 42);
}

TEST(HostClock, system_time_counts_100ns_since_1601) {
    std::int64_t now = system_time();
    std::int64_t expected = static_cast<std::int64_t>(time(nullptr)) * 10000000 + kUnixEpochAs1601;
    EXPECT_LT(std::llabs(now - expected), 2LL * 10000000);
    std::uint64_t a = interrupt_time();
    std::uint64_t b = interrupt_time();
    EXPECT_LE(a, b);
    std::uint64_t counter = performance_counter();
    std::uint64_t later = interrupt_time();
    EXPECT_LE(counter, later);
}

TEST(HostCpu, current_cpu_is_below_the_host_count) {
    EXPECT_GE(cpu_count(), 1u);
    EXPECT_LT(current_cpu(), 4096u);
}

TEST(HostErrno, maps_errno_values_to_nt_statuses) {
    EXPECT_EQ(status_from_errno(0), STATUS_SUCCESS);
    EXPECT_EQ(status_from_errno(ENOENT), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(status_from_errno(EEXIST), STATUS_OBJECT_NAME_COLLISION);
    EXPECT_EQ(status_from_errno(EACCES), STATUS_ACCESS_DENIED);
    EXPECT_EQ(status_from_errno(ENOMEM), STATUS_NO_MEMORY);
    EXPECT_EQ(status_from_errno(EINVAL), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(status_from_errno(EBADF), STATUS_INVALID_HANDLE);
    EXPECT_EQ(status_from_errno(ENOTDIR), STATUS_OBJECT_PATH_NOT_FOUND);
    EXPECT_EQ(status_from_errno(EFAULT), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(status_from_errno(ENAMETOOLONG), STATUS_NAME_TOO_LONG);
    EXPECT_EQ(status_from_errno(ENOSYS), STATUS_NOT_SUPPORTED);
    EXPECT_EQ(status_from_errno(ECANCELED), STATUS_CANCELLED);
    EXPECT_EQ(status_from_errno(EHWPOISON), STATUS_UNSUCCESSFUL);
}

}  // namespace
}  // namespace ntio::host

// User APC ping-pong between two threads that sleep in alertable NtDelayExecution (the
// QueueUserAPC + SleepEx(INFINITE, TRUE) pattern). Invariant: every APC queued to a thread asleep
// in (or about to enter) an alertable delay is delivered exactly once, on that thread, and ends
// the delay with STATUS_USER_APC — so the ping-pong never stalls and the counts match exactly.
#include <atomic>
#include <climits>
#include <thread>

#include "support/system_fixture.hpp"

#undef __try  // the SEH emulation in <wdm.h> takes the name over
#include <ntio/ntapi.h>

namespace ntio::test {
namespace {

using NtStress = SystemTest;

struct PingPong {
    HANDLE main_thread = nullptr;
    HANDLE partner_thread = nullptr;
    std::atomic<long> to_partner{0};
    std::atomic<long> to_main{0};
    std::atomic<bool> stop{false};
    std::thread::id partner_id;
    std::atomic<int> wrong_thread{0};
};

HANDLE own_thread_handle() {
    HANDLE h = nullptr;
    EXPECT_EQ(NtDuplicateObject(NtCurrentProcess(), NtCurrentThread(), NtCurrentProcess(), &h, 0, 0,
                                DUPLICATE_SAME_ACCESS),
              STATUS_SUCCESS);
    return h;
}

VOID NTAPI on_main(PVOID context, PVOID, PVOID) {
    static_cast<PingPong*>(context)->to_main.fetch_add(1, std::memory_order_relaxed);
}

VOID NTAPI on_partner(PVOID context, PVOID, PVOID) {
    auto* pp = static_cast<PingPong*>(context);
    if (std::this_thread::get_id() != pp->partner_id) pp->wrong_thread.fetch_add(1);
    pp->to_partner.fetch_add(1, std::memory_order_relaxed);
    if (!pp->stop.load(std::memory_order_relaxed)) {
        EXPECT_EQ(NtQueueApcThread(pp->main_thread, on_main, pp, nullptr, nullptr), STATUS_SUCCESS);
    }
}

TEST_F(NtStress, apc_ping_pong_through_alertable_delays_never_loses_an_apc) {
    constexpr long kRounds = 5000;
    PingPong pp;
    pp.main_thread = own_thread_handle();
    std::atomic<bool> ready{false};
    std::atomic<long> partner_user_apc_returns{0};
    std::thread partner([&] {
        pp.partner_id = std::this_thread::get_id();
        pp.partner_thread = own_thread_handle();
        ready.store(true);
        LARGE_INTEGER infinite;
        infinite.QuadPart = LLONG_MIN;  // SleepEx(INFINITE, TRUE)
        while (!pp.stop.load()) {
            NTSTATUS status = NtDelayExecution(TRUE, &infinite);
            EXPECT_EQ(status, STATUS_USER_APC);
            partner_user_apc_returns.fetch_add(1);
        }
    });
    while (!ready.load()) std::this_thread::yield();
    LARGE_INTEGER infinite;
    infinite.QuadPart = LLONG_MIN;
    for (long i = 0; i < kRounds; ++i) {
        ASSERT_EQ(NtQueueApcThread(pp.partner_thread, on_partner, &pp, nullptr, nullptr), STATUS_SUCCESS);
        while (pp.to_main.load(std::memory_order_relaxed) == i) {
            ASSERT_EQ(NtDelayExecution(TRUE, &infinite), STATUS_USER_APC);
        }
        ASSERT_EQ(pp.to_main.load(), i + 1);
    }
    pp.stop.store(true);
    ASSERT_EQ(NtQueueApcThread(pp.partner_thread, on_partner, &pp, nullptr, nullptr), STATUS_SUCCESS);
    partner.join();
    EXPECT_EQ(pp.to_partner.load(), kRounds + 1);
    EXPECT_EQ(pp.to_main.load(), kRounds);
    EXPECT_EQ(pp.wrong_thread.load(), 0);
    EXPECT_GE(partner_user_apc_returns.load(), 1);
    EXPECT_EQ(NtClose(pp.partner_thread), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(pp.main_thread), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test

// Gate B4: user APC delivery to a thread blocked in an alertable wait on the other core, through
// the application path (NtQueueApcThread to a thread in NtDelayExecution(Alertable)). Measured as a
// round trip (A queues to B, B's APC queues back to A) against the futex ping-pong. Gate: <= 1.1.
#include <ntio/ntapi.h>

#include <atomic>
#include <climits>
#include <thread>

#include "baselines/baselines.hpp"
#include "gates/gates.hpp"

namespace ntio::bench {
namespace {

struct ApcPingPong {
    HANDLE thread_a = nullptr;
    HANDLE thread_b = nullptr;
    std::atomic<bool> stop{false};
    std::atomic<bool> b_ready{false};
    long b_received = 0;
    long a_received = 0;
};

HANDLE current_thread_handle() {
    HANDLE h = nullptr;
    NTSTATUS status = NtDuplicateObject(NtCurrentProcess(), NtCurrentThread(), NtCurrentProcess(), &h, 0, 0,
                                        DUPLICATE_SAME_ACCESS);
    return NT_SUCCESS(status) ? h : nullptr;
}

// Runs on A when B's answer arrives.
void NTAPI apc_on_a(PVOID context, PVOID, PVOID) { ++static_cast<ApcPingPong*>(context)->a_received; }

// Runs on B: answer A.
void NTAPI apc_on_b(PVOID context, PVOID, PVOID) {
    auto* pp = static_cast<ApcPingPong*>(context);
    ++pp->b_received;
    if (!pp->stop.load(std::memory_order_relaxed))
        (void)NtQueueApcThread(pp->thread_a, apc_on_a, pp, nullptr, nullptr);
}

double apc_pingpong(double min_ns) {
    ApcPingPong pp;
    pp.thread_a = current_thread_handle();
    std::thread b([&] {
        pin_to_cpu(1);
        pp.thread_b = current_thread_handle();
        pp.b_ready.store(true);
        LARGE_INTEGER forever;
        forever.QuadPart = LLONG_MIN;  // SleepEx(INFINITE, TRUE)
        while (!pp.stop.load(std::memory_order_relaxed)) (void)NtDelayExecution(TRUE, &forever);
    });
    pin_to_cpu(0);
    while (!pp.b_ready.load()) std::this_thread::yield();
    LARGE_INTEGER forever;
    forever.QuadPart = LLONG_MIN;  // SleepEx(INFINITE, TRUE)
    const double ns = time_loop(min_ns, [&] {
        const long before = pp.a_received;
        (void)NtQueueApcThread(pp.thread_b, apc_on_b, &pp, nullptr, nullptr);
        while (pp.a_received == before) (void)NtDelayExecution(TRUE, &forever);
    }, 64);
    pp.stop.store(true);
    (void)NtQueueApcThread(pp.thread_b, apc_on_b, &pp, nullptr, nullptr);
    b.join();
    (void)NtClose(pp.thread_b);
    (void)NtClose(pp.thread_a);
    return ns;
}

}  // namespace

GateResult gate_b4_apc_delivery(const GateOptions& options) {
    return run_gate("B4", "user APC to an alertable waiter on the other core (round trip) / futex_pp",
                    apc_pingpong, futex_pingpong, 1.1, options);
}

}  // namespace ntio::bench

// Gate B3: idle wake latency of a completion port. A post (NtSetIoCompletion) to a port with one
// thread blocked in NtRemoveIoCompletion on the other core; measured as a round trip (A posts to
// B's port, B posts back to A's) against the futex auto-reset ping-pong. Round trips on both sides,
// so the ratio equals the one-way ratio the gate names (<= 1.1x half of futex_pp: exactly one futex
// wake per hop). B3.kqueue, informational: the same ping-pong on the KQUEUEs under the ports.
#include <wdm.h>

#include <atomic>
#include <thread>

#include "baselines/baselines.hpp"
#include "drivers/file_stack.hpp"
#include "gates/gates.hpp"

#include <ntio/ntapi.h>

namespace ntio::bench {
namespace {

PVOID const kStopKey = reinterpret_cast<PVOID>(2);

HANDLE new_port() {
    HANDLE port = nullptr;
    NTSTATUS status = NtCreateIoCompletion(&port, IO_COMPLETION_ALL_ACCESS, nullptr, 1);
    require(status == STATUS_SUCCESS, "NtCreateIoCompletion", status);
    return port;
}

// Blocks on `port` for one packet; returns its key.
PVOID remove_one(HANDLE port) {
    PVOID key = nullptr, apc = nullptr;
    IO_STATUS_BLOCK iosb;
    NTSTATUS status = NtRemoveIoCompletion(port, &key, &apc, &iosb, nullptr);
    if (status != STATUS_SUCCESS) require(false, "blocking NtRemoveIoCompletion", status);
    return key;
}

double port_pingpong(double min_ns) {
    HANDLE to_a = new_port(), to_b = new_port();
    std::thread b([&] {
        pin_to_cpu(1);
        while (remove_one(to_b) != kStopKey) (void)NtSetIoCompletion(to_a, nullptr, nullptr, STATUS_SUCCESS, 0);
    });
    pin_to_cpu(0);
    const double ns = time_loop(min_ns, [&] {
        (void)NtSetIoCompletion(to_b, nullptr, nullptr, STATUS_SUCCESS, 0);
        keep(remove_one(to_a));
    }, 64);
    (void)NtSetIoCompletion(to_b, kStopKey, nullptr, STATUS_SUCCESS, 0);
    b.join();
    (void)NtClose(to_b);
    (void)NtClose(to_a);
    return ns;
}

double kqueue_pingpong(double min_ns) {
    static KQUEUE to_a, to_b;
    KeInitializeQueue(&to_a, 0);
    KeInitializeQueue(&to_b, 0);
    LIST_ENTRY token;
    std::atomic<bool> stop{false};
    std::thread b([&] {
        pin_to_cpu(1);
        for (;;) {
            PLIST_ENTRY e = KeRemoveQueue(&to_b, KernelMode, nullptr);
            if (stop.load(std::memory_order_relaxed)) break;
            KeInsertQueue(&to_a, e);
        }
        KeRundownQueue(&to_b);
    });
    pin_to_cpu(0);
    const double ns = time_loop(min_ns, [&] {
        KeInsertQueue(&to_b, &token);
        keep(KeRemoveQueue(&to_a, KernelMode, nullptr));
    }, 64);
    stop.store(true);
    KeInsertQueue(&to_b, &token);
    b.join();
    KeRundownQueue(&to_a);
    return ns;
}

}  // namespace

GateResults gate_b3_idle_wake(const GateOptions& options) {
    GateResults results;
    results.push_back(run_gate("B3", "NtSetIoCompletion to a port with a blocked waiter on the other core "
                                     "(round trip) / futex_pp",
                               port_pingpong, futex_pingpong, 1.1, options));
    GateResult kqueue = run_gate("B3.kqueue", "KQUEUE insert to a blocked KeRemoveQueue on the other core "
                                              "(round trip) / futex_pp",
                                 kqueue_pingpong, futex_pingpong, 1.1, options);
    kqueue.informational = true;
    results.push_back(kqueue);
    return results;
}

}  // namespace ntio::bench

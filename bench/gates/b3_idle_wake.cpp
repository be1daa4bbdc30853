// Gate B3: idle wake latency of the completion-port engine. A KQUEUE post reaches a thread blocked
// in KeRemoveQueue on the other core; measured as a round trip (post to B, B posts back to A)
// against the futex auto-reset ping-pong. Gate: ratio <= 1.1 (exactly one futex wake per hop).
#include <wdm.h>

#include <atomic>
#include <thread>

#include "baselines/baselines.hpp"
#include "gates/gates.hpp"

namespace ntio::bench {

static double kqueue_pingpong(double min_ns) {
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

GateResult gate_b3_idle_wake(const GateOptions& options) {
    return run_gate("B3", "KQUEUE post to a blocked waiter on the other core (round trip) / futex_pp",
                    kqueue_pingpong, futex_pingpong, 1.1, options);
}

}  // namespace ntio::bench

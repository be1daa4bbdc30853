// Gate A5: KeWaitForSingleObject on an already-signalled event (the fast path every synchronous
// completion takes) against an uncontended mutex lock+unlock. Gate: ratio <= 2.
#include <wdm.h>

#include "baselines/baselines.hpp"
#include "gates/gates.hpp"

namespace ntio::bench {

GateResult gate_a5_event_wait(const GateOptions& options) {
    static KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, TRUE);
    auto ntio_phase = [](double min_ns) {
        return time_loop(min_ns, [] {
            NTSTATUS status = KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, nullptr);
            keep(status);
        });
    };
    return run_gate("A5", "KeWaitForSingleObject on a signalled event / mutex lock+unlock", ntio_phase,
                    mutex_lock_unlock, 2.0, options);
}

}  // namespace ntio::bench

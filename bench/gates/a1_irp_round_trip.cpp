// Gates A1 and A2: a synchronous IRP round trip (IoAllocateIrp, IoCallDriver through three
// pass-through filters to a null driver, three completion routines, IoCompleteRequest, IoFreeIrp)
// against vchain4 (gate <= 12x), and the marginal cost per filter, the slope from 0 to 3 filters,
// against vchain4 (gate <= 2.5x). The lean IRP model is logged beside them as the design floor.
#include <cstdio>

#include "baselines/baselines.hpp"
#include "drivers/irp_stack.hpp"
#include "gates/gates.hpp"

namespace ntio::bench {

GateResult gate_a1_irp_round_trip(const GateOptions& options) {
    IrpStack stack = build_irp_stack(3);
    auto ntio_phase = [&stack](double min_ns) {
        return time_loop(min_ns, [&stack] { keep(irp_round_trip(stack)); });
    };
    GateResult result = run_gate("A1", "IRP round trip, 3 filters -> null driver / vchain4", ntio_phase, vchain4,
                                 12.0, options);
    destroy_irp_stack(stack);
    note("lean_irp(3): plain %.1f ns, interlocked %.1f ns (the design floor, informational)",
         lean_irp(3, false, options.min_seconds * 1e9), lean_irp(3, true, options.min_seconds * 1e9));
    return result;
}

GateResult gate_a2_cost_per_filter(const GateOptions& options) {
    IrpStack stack0 = build_irp_stack(0);
    IrpStack stack3 = build_irp_stack(3);
    // One phase measures both depths back to back so the slope comes from the same conditions.
    auto ntio_phase = [&](double min_ns) {
        double t0 = time_loop(min_ns / 2, [&stack0] { keep(irp_round_trip(stack0)); });
        double t3 = time_loop(min_ns / 2, [&stack3] { keep(irp_round_trip(stack3)); });
        return (t3 - t0) / 3.0;
    };
    GateResult result = run_gate("A2", "marginal cost per filter (slope 0 -> 3 filters) / vchain4", ntio_phase,
                                 vchain4, 2.5, options);
    destroy_irp_stack(stack3);
    destroy_irp_stack(stack0);
    return result;
}

}  // namespace ntio::bench

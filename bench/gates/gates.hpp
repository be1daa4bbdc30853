// The gates this binary measures, one function per gate of performance-gates.md.
#pragma once

#include <vector>

#include "harness/gate_runner.hpp"

namespace ntio::bench {

GateResult gate_a1_irp_round_trip(const GateOptions& options);
GateResult gate_a2_cost_per_filter(const GateOptions& options);
GateResult gate_a5_event_wait(const GateOptions& options);
GateResult gate_a6_allocations(const GateOptions& options);
GateResult gate_b3_idle_wake(const GateOptions& options);
GateResult gate_b4_apc_delivery(const GateOptions& options);

}  // namespace ntio::bench

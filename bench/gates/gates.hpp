// The gates this binary measures, one function per gate of performance-gates.md.
#pragma once

#include <vector>

#include "harness/gate_runner.hpp"

namespace ntio::bench {

GateResult gate_a1_irp_round_trip(const GateOptions& options);
GateResult gate_a2_cost_per_filter(const GateOptions& options);
GateResult gate_a3_nt_read_file(const GateOptions& options);
GateResult gate_a4_port_read(const GateOptions& options);
GateResult gate_a4_port_post_dequeue(const GateOptions& options);
GateResult gate_a5_event_wait(const GateOptions& options);
GateResult gate_a6_allocations(const GateOptions& options);
GateResult gate_b1_port_vs_mq_cv(const GateOptions& options);
GateResult gate_b1_port_vs_asio(const GateOptions& options);
GateResult gate_b2_wakeups(const GateOptions& options);
GateResult gate_b3_idle_wake(const GateOptions& options);
GateResult gate_b4_apc_delivery(const GateOptions& options);
GateResult gate_c1_ramdisk_1g(const GateOptions& options);
GateResult gate_c1_ramdisk_16m(const GateOptions& options);
GateResult gate_c2_uring_qd32(const GateOptions& options);
GateResult gate_c3_uring_qd1(const GateOptions& options);
GateResult gate_c4_uring_direct(const GateOptions& options);
GateResult gate_c5_submit_batching(const GateOptions& options);

}  // namespace ntio::bench

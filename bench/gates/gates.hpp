// The gates this binary measures, one function per gate of performance-gates.md (some report
// parts: A4.port, B1.asio, B3.kqueue, C2.fio, C4.cpu, D1.port), and the table the runner walks.
#pragma once

#include <vector>

#include "harness/gate_runner.hpp"

namespace ntio::bench {

using GateResults = std::vector<GateResult>;

GateResult gate_a1_irp_round_trip(const GateOptions& options);
GateResult gate_a2_cost_per_filter(const GateOptions& options);
GateResult gate_a3_nt_read_file(const GateOptions& options);
GateResult gate_a4_port_read(const GateOptions& options);
GateResult gate_a4_port_post_dequeue(const GateOptions& options);
GateResult gate_a5_event_wait(const GateOptions& options);
GateResult gate_a6_allocations(const GateOptions& options);
GateResult gate_b1_port_vs_mq_cv(const GateOptions& options);
GateResult gate_b1_port_vs_asio(const GateOptions& options);
GateResults gate_b2_wakeups(const GateOptions& options);
GateResults gate_b3_idle_wake(const GateOptions& options);
GateResult gate_b4_apc_delivery(const GateOptions& options);
GateResult gate_c1_ramdisk_1g(const GateOptions& options);
GateResult gate_c1_ramdisk_16m(const GateOptions& options);
GateResults gate_c2_uring_qd32(const GateOptions& options);
GateResults gate_c2_fio(const GateOptions& options);
GateResults gate_c3_uring_qd1(const GateOptions& options);
GateResults gate_c4_uring_direct(const GateOptions& options);
GateResults gate_c5_submit_batching(const GateOptions& options);
GateResults gate_d1_scaling(const GateOptions& options);
GateResults gate_v1_verifier_off(const GateOptions& options);
GateResults gate_v2_verifier_level1(const GateOptions& options);
GateResult gate_v3_tracing(const GateOptions& options);

// One runnable step: `id` is the first result it produces; its parts are named id + ".part".
struct GateEntry {
    const char* id;
    GateResults (*run)(const GateOptions& options);
};

// Every gate in the order the report lists them.
const std::vector<GateEntry>& gate_table();

// `--gate ID` matching: the id itself or one of its parts ("A4" selects "A4" and "A4.port").
bool gate_selected(const std::string& result_id, const std::vector<std::string>& wanted);

}  // namespace ntio::bench

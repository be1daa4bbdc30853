// The order in which `ntio bench` runs the gates, and the --gate selection rule.
#include "gates/gates.hpp"

#include <string>

namespace ntio::bench {

namespace {
template <GateResult (*Gate)(const GateOptions&)>
GateResults one(const GateOptions& options) {
    return {Gate(options)};
}
}  // namespace

const std::vector<GateEntry>& gate_table() {
    static const std::vector<GateEntry> table = {
        {"A1", one<gate_a1_irp_round_trip>},
        {"A2", one<gate_a2_cost_per_filter>},
        {"A3", one<gate_a3_nt_read_file>},
        {"A4", one<gate_a4_port_read>},
        {"A4.port", one<gate_a4_port_post_dequeue>},
        {"A5", one<gate_a5_event_wait>},
        {"A6", one<gate_a6_allocations>},
        {"B1", one<gate_b1_port_vs_mq_cv>},
        {"B1.asio", one<gate_b1_port_vs_asio>},
        {"B2", gate_b2_wakeups},
        {"B3", gate_b3_idle_wake},
        {"B4", one<gate_b4_apc_delivery>},
        {"C1", one<gate_c1_ramdisk_1g>},
        {"C1.16M", one<gate_c1_ramdisk_16m>},
        {"C2", gate_c2_uring_qd32},
        {"C2.fio", gate_c2_fio},
        {"C3", gate_c3_uring_qd1},
        {"C4", gate_c4_uring_direct},
        {"C5", gate_c5_submit_batching},
        {"D1", gate_d1_scaling},
        {"V1", gate_v1_verifier_off},
        {"V2", gate_v2_verifier_level1},
        {"V3", one<gate_v3_tracing>},
    };
    return table;
}

bool gate_selected(const std::string& id, const std::vector<std::string>& wanted) {
    if (wanted.empty()) return true;
    for (const std::string& w : wanted) {
        if (id == w) return true;
        if (id.size() > w.size() && id.compare(0, w.size(), w) == 0 && id[w.size()] == '.') return true;
    }
    return false;
}

}  // namespace ntio::bench

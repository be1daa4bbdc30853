// ntio_gates: boots a System, measures each gate as a ratio against its in-binary baseline and
// prints one line per gate (median ratio, min-max, absolute medians, verdict). --markdown prints a
// table for docs/performance.md; --gate=ID runs one gate and its parts (A4 runs A4 and A4.port, B1
// runs B1 and B1.asio). Exit code is 0 even when a gate fails: gates are reported, not tests.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "gates/gates.hpp"
#include "ntio/system.hpp"

int main(int argc, char** argv) {
    using namespace ntio::bench;
    bool markdown = false;
    GateOptions options;
    std::string only;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--markdown")) markdown = true;
        else if (!std::strcmp(argv[i], "--quick")) { options.pairs = 3; options.min_seconds = 0.1; }
        else if (!std::strncmp(argv[i], "--gate=", 7)) only = argv[i] + 7;
        else { std::fprintf(stderr, "usage: %s [--markdown] [--quick] [--gate=ID]\n", argv[0]); return 2; }
    }
    ntio::System system;
    struct Gate {
        const char* id;
        GateResult (*run)(const GateOptions&);
    };
    const Gate gates[] = {{"A1", gate_a1_irp_round_trip}, {"A2", gate_a2_cost_per_filter},
                          {"A3", gate_a3_nt_read_file},   {"A4", gate_a4_port_read},
                          {"A4.port", gate_a4_port_post_dequeue}, {"A5", gate_a5_event_wait},
                          {"A6", gate_a6_allocations},    {"B1", gate_b1_port_vs_mq_cv},
                          {"B1.asio", gate_b1_port_vs_asio}, {"B2", gate_b2_wakeups},
                          {"B3", gate_b3_idle_wake},      {"B4", gate_b4_apc_delivery},
                          {"C1", gate_c1_ramdisk_1g},     {"C1.16M", gate_c1_ramdisk_16m},
                          {"C2", gate_c2_uring_qd32},     {"C3", gate_c3_uring_qd1},
                          {"C4", gate_c4_uring_direct},   {"C5", gate_c5_submit_batching}};
    // --gate=A4 runs A4 and its parts (A4.port); --gate=A4.port runs only that part.
    auto selected = [&only](const char* id) {
        const std::string name = id;
        return only.empty() || name == only || name.rfind(only + ".", 0) == 0;
    };
    if (markdown) {
        std::printf("| gate | what | ratio (median) | min-max | limit | ntio | baseline | verdict |\n");
        std::printf("|---|---|---|---|---|---|---|---|\n");
    }
    for (const Gate& gate : gates) {
        if (!selected(gate.id)) continue;
        GateResult r = gate.run(options);
        if (markdown)
            std::printf("| %s | %s | %.3f | %.3f-%.3f | <= %.2f | %.1f %s | %.1f %s | %s |\n", r.id.c_str(),
                        r.description.c_str(), r.ratio_median, r.ratio_min, r.ratio_max, r.limit, r.ntio_ns, r.ntio_unit,
                        r.baseline_ns, r.baseline_unit, r.passed() ? "pass" : "FAIL");
        else
            std::printf("%-7s ratio %.3f [%.3f-%.3f] limit %.2f  ntio %.1f %s  baseline %.1f %s  %s  (%s)\n",
                        r.id.c_str(), r.ratio_median, r.ratio_min, r.ratio_max, r.limit, r.ntio_ns, r.ntio_unit,
                        r.baseline_ns, r.baseline_unit, r.passed() ? "pass" : "FAIL", r.description.c_str());
        std::fflush(stdout);
    }
    return 0;
}

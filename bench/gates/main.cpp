// ntio_gates: boots a System, measures each gate as a ratio against its in-binary baseline and
// prints one line per gate (median ratio, min-max, absolute medians, verdict). --markdown prints a
// table for docs/performance.md. Exit code is 0 even when a gate fails: gates are reported, not tests.
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
    std::vector<GateResult (*)(const GateOptions&)> gates = {gate_a1_irp_round_trip, gate_a2_cost_per_filter,
                                                               gate_a5_event_wait,     gate_a6_allocations,
                                                               gate_b3_idle_wake,      gate_b4_apc_delivery};
    const char* ids[] = {"A1", "A2", "A5", "A6", "B3", "B4"};
    if (markdown) {
        std::printf("| gate | what | ratio (median) | min-max | limit | ntio | baseline | verdict |\n");
        std::printf("|---|---|---|---|---|---|---|---|\n");
    }
    for (size_t i = 0; i < gates.size(); ++i) {
        if (!only.empty() && only != ids[i]) continue;
        GateResult r = gates[i](options);
        if (markdown)
            std::printf("| %s | %s | %.3f | %.3f-%.3f | <= %.2f | %.1f %s | %.1f %s | %s |\n", r.id.c_str(),
                        r.description.c_str(), r.ratio_median, r.ratio_min, r.ratio_max, r.limit, r.ntio_ns, r.ntio_unit,
                        r.baseline_ns, r.baseline_unit, r.passed() ? "pass" : "FAIL");
        else
            std::printf("%-3s ratio %.3f [%.3f-%.3f] limit %.2f  ntio %.1f %s  baseline %.1f %s  %s  (%s)\n",
                        r.id.c_str(), r.ratio_median, r.ratio_min, r.ratio_max, r.limit, r.ntio_ns, r.ntio_unit,
                        r.baseline_ns, r.baseline_unit, r.passed() ? "pass" : "FAIL", r.description.c_str());
        std::fflush(stdout);
    }
    return 0;
}

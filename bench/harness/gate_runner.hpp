// Gate runner for performance-gates.md: runs an ntio phase and its baseline interleaved
// (A/B/A/B, at least 5 pairs of at least 0.5 s each, in one process) and reports the median of the
// per-pair ratios with min and max. Absolute numbers are logged but never gate.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace ntio::bench {

// A phase runs its operation repeatedly for at least `min_ns` and returns nanoseconds per op.
using Phase = std::function<double(double min_ns)>;

struct GateResult {
    std::string id;
    std::string description;
    double ratio_median = 0, ratio_min = 0, ratio_max = 0;
    double ntio_ns = 0, baseline_ns = 0;  // medians of the phases
    const char* ntio_unit = "ns";         // A6 counts allocator calls ...
    const char* baseline_unit = "ns";     // ... over this many I/Os
    double limit = 0;                     // gate passes when ratio_median <= limit
    bool passed() const { return ratio_median <= limit; }
};

struct GateOptions {
    int pairs = 5;
    double min_seconds = 0.5;
};

// `scale` multiplies the baseline before the ratio (e.g. 1 for ratios of round trips).
GateResult run_gate(std::string id, std::string description, const Phase& ntio_phase,
                    const Phase& baseline_phase, double limit, const GateOptions& options);

double now_ns();
void pin_to_cpu(int cpu);
int cpu_count();

// Runs `op` in batches until `min_ns` have passed; returns ns per op.
template <typename Op>
double time_loop(double min_ns, Op&& op, long batch = 1024) {
    long ops = 0;
    const double start = now_ns();
    double elapsed = 0;
    do {
        for (long i = 0; i < batch; ++i) op();
        ops += batch;
        elapsed = now_ns() - start;
    } while (elapsed < min_ns);
    return elapsed / static_cast<double>(ops);
}

// Keeps a value alive so the compiler cannot drop the work that produced it.
template <typename T>
inline void keep(T const& value) { asm volatile("" : : "r,m"(value) : "memory"); }

}  // namespace ntio::bench

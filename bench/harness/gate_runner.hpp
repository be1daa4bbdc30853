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
    double ntio_ns = 0, baseline_ns = 0;  // medians of the phases, in the units below
    std::string ntio_unit = "ns";         // A6 counts allocator calls ...
    std::string baseline_unit = "ns";     // ... over this many I/Os
    double limit = 0;
    bool at_least = false;       // passes when ratio_median >= limit (speed-ups); else when <= limit
    bool informational = false;  // logged beside a gate, never fails the run
    std::string skipped;         // non-empty: not measured, and why (e.g. io_uring unavailable)
    std::vector<std::string> notes;  // detail lines the gate logged (where the time goes)

    bool passed() const { return at_least ? ratio_median >= limit : ratio_median <= limit; }
    // "pass", "FAIL", "SKIP" or "info".
    const char* verdict() const;
};

struct GateOptions {
    int pairs = 5;
    double min_seconds = 0.5;
    bool quick = false;
};

// Runs `pairs` interleaved ntio/baseline pairs; the ratio is ntio / baseline per pair.
GateResult run_gate(std::string id, std::string description, const Phase& ntio_phase,
                    const Phase& baseline_phase, double limit, const GateOptions& options);

// A result for a gate that could not be measured here.
GateResult skipped_gate(std::string id, std::string description, double limit, std::string why);

double median(std::vector<double> values);

double now_ns();
void pin_to_cpu(int cpu);
int cpu_count();

// A detail line of the running gate: printed under its result line, kept in its JSON record.
void note(const char* format, ...) __attribute__((format(printf, 1, 2)));
// Takes the lines noted since the last call.
std::vector<std::string> take_notes();

// Progress of the run (a bar on stderr when it is a terminal; nothing otherwise). The runner
// names the step; run_gate reports its pairs.
void progress_step(const char* kind, int index, int count, const std::string& name);
void progress_pair(int index, int count);
void progress_done();

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

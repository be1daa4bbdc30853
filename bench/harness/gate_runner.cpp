// Interleaved A/B timing and the median-of-ratios rule shared by every gate, the notes a gate logs
// beside its result, and the progress line on stderr.
#include "harness/gate_runner.hpp"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

namespace ntio::bench {

namespace {

std::vector<std::string> g_notes;

struct Progress {
    bool enabled = isatty(STDERR_FILENO) != 0;
    std::string step;  // "gate 3/21 A3"
    bool drawn = false;
} g_progress;

void draw(const std::string& line) {
    if (!g_progress.enabled) return;
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    std::fflush(stderr);
    g_progress.drawn = true;
}

}  // namespace

const char* GateResult::verdict() const {
    if (!skipped.empty()) return "SKIP";
    if (informational) return "info";
    return passed() ? "pass" : "FAIL";
}

double now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

void pin_to_cpu(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu % cpu_count(), &set);
    pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

int cpu_count() {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? static_cast<int>(n) : 1;
}

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void note(const char* format, ...) {
    char line[512];
    va_list args;
    va_start(args, format);
    std::vsnprintf(line, sizeof(line), format, args);
    va_end(args);
    g_notes.emplace_back(line);
}

std::vector<std::string> take_notes() {
    std::vector<std::string> notes;
    notes.swap(g_notes);
    return notes;
}

void progress_step(const char* kind, int index, int count, const std::string& name) {
    g_progress.step = std::string(kind) + " " + std::to_string(index) + "/" + std::to_string(count) + " " + name;
    draw(g_progress.step);
}

void progress_pair(int index, int count) {
    draw(g_progress.step + "  pair " + std::to_string(index) + "/" + std::to_string(count));
}

void progress_done() {
    if (!g_progress.drawn) return;
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    g_progress.drawn = false;
}

GateResult run_gate(std::string id, std::string description, const Phase& ntio_phase,
                    const Phase& baseline_phase, double limit, const GateOptions& options) {
    const double min_ns = options.min_seconds * 1e9;
    std::vector<double> ratios, ntio_ns, base_ns;
    for (int pair = 0; pair < options.pairs; ++pair) {
        progress_pair(pair + 1, options.pairs);
        // Alternate which side goes first (ABBA...) so drift does not favour one side.
        double a, b;
        if (pair % 2 == 0) {
            a = ntio_phase(min_ns);
            b = baseline_phase(min_ns);
        } else {
            b = baseline_phase(min_ns);
            a = ntio_phase(min_ns);
        }
        ntio_ns.push_back(a);
        base_ns.push_back(b);
        ratios.push_back(a / b);
    }
    GateResult r;
    r.id = std::move(id);
    r.description = std::move(description);
    r.ratio_median = median(ratios);
    r.ratio_min = *std::min_element(ratios.begin(), ratios.end());
    r.ratio_max = *std::max_element(ratios.begin(), ratios.end());
    r.ntio_ns = median(ntio_ns);
    r.baseline_ns = median(base_ns);
    r.limit = limit;
    return r;
}

GateResult skipped_gate(std::string id, std::string description, double limit, std::string why) {
    GateResult r;
    r.id = std::move(id);
    r.description = std::move(description);
    r.limit = limit;
    r.skipped = std::move(why);
    return r;
}

}  // namespace ntio::bench

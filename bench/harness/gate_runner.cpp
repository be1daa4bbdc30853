// Interleaved A/B timing and the median-of-ratios rule shared by every gate.
#include "harness/gate_runner.hpp"

#include <algorithm>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

namespace ntio::bench {

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

static double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

GateResult run_gate(std::string id, std::string description, const Phase& ntio_phase,
                    const Phase& baseline_phase, double limit, const GateOptions& options) {
    const double min_ns = options.min_seconds * 1e9;
    std::vector<double> ratios, ntio_ns, base_ns;
    for (int pair = 0; pair < options.pairs; ++pair) {
        // Alternate which side goes first so drift does not favour one side.
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

}  // namespace ntio::bench

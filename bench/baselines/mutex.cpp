// Baseline: uncontended std::mutex lock+unlock (reference 6.4 ns), the yardstick of gate A5.
#include <mutex>

#include "baselines/baselines.hpp"
#include "harness/gate_runner.hpp"

namespace ntio::bench {

double mutex_lock_unlock(double min_ns) {
    static std::mutex m;
    return time_loop(min_ns, [] {
        m.lock();
        m.unlock();
    });
}

}  // namespace ntio::bench

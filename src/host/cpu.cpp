// sched_getcpu / sched_getaffinity wrappers, and the spin-wait step.
#include <sched.h>

#include "host/cpu.hpp"

namespace ntio::host {

unsigned current_cpu() noexcept {
    int cpu = sched_getcpu();
    return cpu < 0 ? 0u : static_cast<unsigned>(cpu);
}

unsigned cpu_count() noexcept {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
    int n = CPU_COUNT(&set);
    return n > 0 ? static_cast<unsigned>(n) : 1u;
}

void cpu_relax() noexcept {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
}

void spin_step(unsigned step, unsigned pauses) noexcept {
    if (step < pauses) cpu_relax();
    else sched_yield();
}

}  // namespace ntio::host

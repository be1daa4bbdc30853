// membarrier(2) with MEMBARRIER_CMD_PRIVATE_EXPEDITED: an IPI to the CPUs running this process's
// threads, a few microseconds, no effect on other processes.
#include <cstdlib>
#include <cstring>

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "host/memory_barrier.hpp"

namespace ntio::host {
namespace {

// Registers the process for a membarrier command, when the kernel offers it.
bool register_for(int command, int registration) noexcept {
    const long supported = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    if (supported < 0 || !(supported & command)) return false;
    return syscall(SYS_membarrier, registration, 0, 0) == 0;
}

}  // namespace

// NTIO_PROCESS_BARRIER=0 refuses the barrier as a kernel without membarrier would, so that the
// readers' fenced fallbacks (lookup sections, holds, the file lock) run and are tested.
bool process_barrier_available() noexcept {
    static const bool available = [] {
        const char* setting = std::getenv("NTIO_PROCESS_BARRIER");
        if (setting && std::strcmp(setting, "0") == 0) return false;
        return register_for(MEMBARRIER_CMD_PRIVATE_EXPEDITED, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED);
    }();
    return available;
}

void process_barrier() noexcept { (void)syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0); }

bool core_barrier_available() noexcept {
    static const bool available =
        register_for(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE);
    return available;
}

bool core_barrier() noexcept { return syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0) == 0; }

}  // namespace ntio::host

// membarrier(2) with MEMBARRIER_CMD_PRIVATE_EXPEDITED: an IPI to the CPUs running this process's
// threads, a few microseconds, no effect on other processes.
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "host/memory_barrier.hpp"

namespace ntio::host {
namespace {

bool register_expedited() noexcept {
    const long supported = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    if (supported < 0 || !(supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED)) return false;
    return syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
}

}  // namespace

bool process_barrier_available() noexcept {
    static const bool available = register_expedited();
    return available;
}

void process_barrier() noexcept { (void)syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0); }

bool core_barrier_available() noexcept {
    static const bool available = [] {
        const long supported = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
        if (supported < 0 || !(supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE)) return false;
        return syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0) == 0;
    }();
    return available;
}

bool core_barrier() noexcept { return syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0) == 0; }

}  // namespace ntio::host

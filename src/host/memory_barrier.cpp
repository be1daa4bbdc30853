// membarrier(2) with MEMBARRIER_CMD_PRIVATE_EXPEDITED: an IPI to the CPUs running this process's
// threads, a few microseconds, no effect on other processes.
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>

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

// The registration belongs to the process (its mm): the pid it was made for tells a forked child,
// which has its own, to make it again.
bool core_barrier_available() noexcept {
    static std::atomic<pid_t> registered_for{0};
    const pid_t self = getpid();
    if (registered_for.load(std::memory_order_acquire) == self) return true;
    const long supported = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    if (supported < 0 || !(supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE)) return false;
    if (syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0) != 0) return false;
    registered_for.store(self, std::memory_order_release);
    return true;
}

void core_barrier() noexcept { (void)syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0); }

}  // namespace ntio::host

// What the host machine as a whole is doing: its processors' accumulated idle, kernel and user times
// (summed and per processor),
// and its memory and swap in use (kernel32's GetSystemTimes and GlobalMemoryStatusEx report them).
#pragma once

#include <cstddef>
#include <cstdint>

namespace ntio::host {

// Summed over every processor since boot, in ns.
struct CpuTimes {
    std::uint64_t idle_ns = 0;
    std::uint64_t kernel_ns = 0;  // system, interrupt and softirq time
    std::uint64_t user_ns = 0;    // user and nice time
};
// False when the host cannot tell.
bool system_cpu_times(CpuTimes& out) noexcept;
// Each processor's, in the host's numbering (out[i] is processor i's), for up to `count` processors;
// the ones the host does not list stay zero. False when the host cannot tell.
bool processor_cpu_times(CpuTimes* out, std::size_t count) noexcept;

struct MemoryUsage {
    std::uint64_t total_bytes = 0;      // physical memory
    std::uint64_t available_bytes = 0;  // what can be given out without swapping
    std::uint64_t swap_total_bytes = 0;
    std::uint64_t swap_free_bytes = 0;
    std::uint64_t process_mapped_bytes = 0;  // the host process's address space in use (0: unknown)
};
// False when the host cannot tell.
bool memory_usage(MemoryUsage& out) noexcept;

}  // namespace ntio::host

// The host's CPU layout as Linux describes it in sysfs: which core and package a CPU is on, and
// its caches.
#pragma once

#include <cstdint>

namespace ntio::host {

// False when the host says nothing about `cpu`.
bool cpu_core_and_package(unsigned cpu, unsigned long& core, unsigned long& package) noexcept;

struct CpuCache {
    enum Type { kData, kInstruction, kUnified };
    unsigned long level = 0;
    Type type = kUnified;
    unsigned long size = 0;           // bytes, 0 when unknown
    unsigned long line_size = 0;      // bytes, 0 when unknown
    unsigned long ways = 0;           // associativity, 0 when unknown
    std::uint64_t shared_with = 0;    // CPUs below 64 sharing the cache, as a mask
};

// The `index`th cache `cpu` uses (0, 1, ... until false).
bool cpu_cache(unsigned cpu, unsigned index, CpuCache& out) noexcept;

}  // namespace ntio::host

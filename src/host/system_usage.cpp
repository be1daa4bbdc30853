// The host's processor times from /proc/stat and its memory from sysinfo(2) and /proc/meminfo (the
// process's own address space from /proc/self/statm).
#include "host/system_usage.hpp"

#include <sys/sysinfo.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace ntio::host {

namespace {

// One /proc/stat line after its "cpu" or "cpuN" label: user nice system idle iowait irq softirq ...
// in USER_HZ ticks.
bool parse_cpu_fields(const char* fields_text, CpuTimes& out) noexcept {
    unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0;
    const int fields = std::sscanf(fields_text, "%llu %llu %llu %llu %llu %llu %llu", &user, &nice, &system, &idle,
                                   &iowait, &irq, &softirq);
    const long hz = ::sysconf(_SC_CLK_TCK);
    if (fields < 4 || hz <= 0) return false;
    const std::uint64_t ns_per_tick = 1000000000ull / static_cast<std::uint64_t>(hz);
    out.idle_ns = (idle + iowait) * ns_per_tick;
    out.kernel_ns = (system + irq + softirq) * ns_per_tick;
    out.user_ns = (user + nice) * ns_per_tick;
    return true;
}

}  // namespace

bool system_cpu_times(CpuTimes& out) noexcept {
    std::FILE* stat = std::fopen("/proc/stat", "re");
    if (!stat) return false;
    char line[512];
    const bool read = std::fgets(line, sizeof line, stat) && std::strncmp(line, "cpu ", 4) == 0 &&
                      parse_cpu_fields(line + 4, out);
    std::fclose(stat);
    return read;
}

bool processor_cpu_times(CpuTimes* out, std::size_t count) noexcept {
    std::FILE* stat = std::fopen("/proc/stat", "re");
    if (!stat) return false;
    for (std::size_t i = 0; i < count; ++i) out[i] = {};
    bool any = false;
    char line[512];
    while (std::fgets(line, sizeof line, stat)) {
        unsigned index = 0;
        int consumed = 0;
        // "cpu  ..." (the sum) has no number; "cpuN ..." is processor N.
        if (std::strncmp(line, "cpu", 3) != 0 || line[3] < '0' || line[3] > '9') continue;
        if (std::sscanf(line + 3, "%u%n", &index, &consumed) != 1) continue;
        if (index < count && parse_cpu_fields(line + 3 + consumed, out[index])) any = true;
    }
    std::fclose(stat);
    return any;
}

bool memory_usage(MemoryUsage& out) noexcept {
    struct sysinfo info {};
    if (::sysinfo(&info) != 0) return false;
    const std::uint64_t unit = info.mem_unit ? info.mem_unit : 1;
    out.total_bytes = info.totalram * unit;
    out.available_bytes = (info.freeram + info.bufferram) * unit;
    out.swap_total_bytes = info.totalswap * unit;
    out.swap_free_bytes = info.freeswap * unit;
    // MemAvailable counts the page cache the kernel can drop too, which free memory does not.
    if (std::FILE* meminfo = std::fopen("/proc/meminfo", "re")) {
        char line[128];
        while (std::fgets(line, sizeof line, meminfo)) {
            unsigned long long kib = 0;
            if (std::sscanf(line, "MemAvailable: %llu kB", &kib) == 1) {
                out.available_bytes = kib * 1024;
                break;
            }
        }
        std::fclose(meminfo);
    }
    if (out.available_bytes > out.total_bytes) out.available_bytes = out.total_bytes;
    if (std::FILE* statm = std::fopen("/proc/self/statm", "re")) {
        unsigned long long pages = 0;
        const long page = ::sysconf(_SC_PAGESIZE);
        if (std::fscanf(statm, "%llu", &pages) == 1 && page > 0) out.process_mapped_bytes = pages * page;
        std::fclose(statm);
    }
    return true;
}

}  // namespace ntio::host

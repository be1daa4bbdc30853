// sysfs's /sys/devices/system/cpu/cpuN/topology and cache/indexM, read line by line.
#include "host/cpu_topology.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace ntio::host {
namespace {

bool read_line(const std::string& path, std::string& out) {
    FILE* f = std::fopen(path.c_str(), "re");
    if (!f) return false;
    char buffer[256];
    const bool ok = std::fgets(buffer, sizeof(buffer), f) != nullptr;
    std::fclose(f);
    if (!ok) return false;
    out = buffer;
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return true;
}

bool read_number(const std::string& path, unsigned long& out) {
    std::string text;
    if (!read_line(path, text) || text.empty()) return false;
    char* end = nullptr;
    out = std::strtoul(text.c_str(), &end, 10);
    if (*end == 'K') out *= 1024;
    else if (*end == 'M') out *= 1024 * 1024;
    return end != text.c_str();
}

// "0-3,8" as a mask of CPUs below 64.
std::uint64_t parse_cpu_list(const std::string& list) {
    std::uint64_t mask = 0;
    const char* p = list.c_str();
    while (*p) {
        char* end = nullptr;
        unsigned long first = std::strtoul(p, &end, 10);
        if (end == p) break;
        unsigned long last = first;
        p = end;
        if (*p == '-') {
            last = std::strtoul(p + 1, &end, 10);
            p = end;
        }
        for (unsigned long c = first; c <= last && c < 64; ++c) mask |= std::uint64_t{1} << c;
        if (*p == ',') ++p;
        else break;
    }
    return mask;
}

std::string cpu_directory(unsigned cpu) { return "/sys/devices/system/cpu/cpu" + std::to_string(cpu); }

}  // namespace

bool cpu_core_and_package(unsigned cpu, unsigned long& core, unsigned long& package) noexcept {
    try {
        const std::string dir = cpu_directory(cpu);
        return read_number(dir + "/topology/core_id", core) && read_number(dir + "/topology/physical_package_id", package);
    } catch (...) {
        return false;
    }
}

bool cpu_cache(unsigned cpu, unsigned index, CpuCache& out) noexcept {
    try {
        const std::string dir = cpu_directory(cpu) + "/cache/index" + std::to_string(index);
        std::string type, shared;
        out = {};
        if (!read_number(dir + "/level", out.level) || !read_line(dir + "/type", type)) return false;
        out.type = type == "Data" ? CpuCache::kData : type == "Instruction" ? CpuCache::kInstruction : CpuCache::kUnified;
        (void)read_number(dir + "/size", out.size);
        (void)read_number(dir + "/coherency_line_size", out.line_size);
        (void)read_number(dir + "/ways_of_associativity", out.ways);
        if (read_line(dir + "/shared_cpu_list", shared)) out.shared_with = parse_cpu_list(shared);
        return true;
    } catch (...) {
        return false;
    }
}

}  // namespace ntio::host

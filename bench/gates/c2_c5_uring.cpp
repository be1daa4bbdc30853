// C2-C5: the io_uring file disk (uring_disk.sys) under three passthrough.sys filters, read with
// NtReadFile on an asynchronous handle bound to a completion port (4 KiB random reads, QD32 / QD1,
// buffered and O_DIRECT), against the raw_uring baseline over the same file in the same process.
// C2.fio compares with fio's io_uring engine (the sanity floor); C4.cpu compares CPU time per I/O;
// C5 counts host entries per I/O (io_uring_enter calls and cached-path reads). Without io_uring
// they report SKIP.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "baselines/raw_uring.hpp"
#include "drivers/file_stack.hpp"
#include "drivers/uring_stack.hpp"
#include "gates/gates.hpp"

#include <ntio/ntio_uring.h>

namespace ntio::bench {
namespace {

constexpr ULONG kBufferedDisk = 1;
constexpr ULONG kDirectDisk = 2;

// IOPS >= share x raw is ns/IO <= raw / share.
GateResults uring_gate(const char* id, const char* what, int qd, bool direct, double share, const GateOptions& options) {
    if (std::string why = uring_unusable(); !why.empty()) return {skipped_gate(id, what, 1 / share, why)};
    UringStack stack(direct ? kDirectDisk : kBufferedDisk, direct, qd);
    RawUring raw(bench_file_path(), kBenchFileBytes, direct);
    std::vector<double> ntio_cpu, raw_cpu;
    auto ntio_phase = [&](double min_ns) {
        const double ns = stack.phase(min_ns);
        ntio_cpu.push_back(stack.cpu_ns_per_io());
        return ns;
    };
    auto raw_phase = [&](double min_ns) {
        const double ns = raw.run(qd, min_ns);
        raw_cpu.push_back(raw.cpu_ns_per_io());
        return ns;
    };
    GateResults results{run_gate(id, what, ntio_phase, raw_phase, 1 / share, options)};
    results[0].notes.push_back("ntio: " + std::to_string(stack.dequeues_per_io()).substr(0, 5) +
                               " NtRemoveIoCompletionEx calls per I/O (last phase)");
    if (direct) {
        // C4's second bound: CPU time (user + system, the whole process) per I/O <= 1.15x raw.
        std::vector<double> ratios;
        for (size_t i = 0; i < ntio_cpu.size() && i < raw_cpu.size(); ++i) ratios.push_back(ntio_cpu[i] / raw_cpu[i]);
        GateResult cpu;
        cpu.id = std::string(id) + ".cpu";
        cpu.description = "uring_disk QD32 O_DIRECT: CPU time per I/O (user + sys) / raw_uring(32, direct) (<= 1.15x)";
        cpu.ratio_median = median(ratios);
        cpu.ratio_min = *std::min_element(ratios.begin(), ratios.end());
        cpu.ratio_max = *std::max_element(ratios.begin(), ratios.end());
        cpu.ntio_ns = median(ntio_cpu);
        cpu.baseline_ns = median(raw_cpu);
        cpu.ntio_unit = cpu.baseline_unit = "ns CPU";
        cpu.limit = 1.15;
        results.push_back(cpu);
    }
    return results;
}

// fio's io_uring engine over the bench file, the spec's C2 command line; ns per read from its IOPS,
// or 0 when fio did not run.
double fio_phase(double min_ns) {
    const int seconds = std::max(1, static_cast<int>(std::lround(min_ns / 1e9)));
    const std::string command =
        "fio --name=c2 --filename=" + bench_file_path() +
        " --rw=randread --bs=4k --numjobs=1 --runtime=" + std::to_string(seconds) +
        " --time_based --size=1G --norandommap --randrepeat=0 --cpus_allowed=0 --ioengine=io_uring --iodepth=32"
        " --direct=0 --invalidate=0 --minimal 2>/dev/null";
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) return 0;
    char line[8192];
    std::string out;
    while (std::fgets(line, sizeof(line), pipe)) out += line;
    if (pclose(pipe) != 0) return 0;
    // --minimal (terse v3): field 8 (1-based) is the read IOPS.
    size_t at = 0;
    for (int field = 1; field < 8 && at != std::string::npos; ++field) {
        at = out.find(';', at);
        if (at != std::string::npos) ++at;
    }
    if (at == std::string::npos) return 0;
    const double iops = std::atof(out.c_str() + at);
    return iops > 0 ? 1e9 / iops : 0;
}

bool fio_present() { return std::system("fio --version >/dev/null 2>&1") == 0; }

}  // namespace

GateResults gate_c2_uring_qd32(const GateOptions& options) {
    return uring_gate("C2", "uring_disk + 3 filters, QD32 buffered 4K randread via port, ns/IO / raw_uring(32) (>= 0.90x IOPS)",
                      32, false, 0.90, options);
}

GateResults gate_c2_fio(const GateOptions& options) {
    const char* what = "uring_disk + 3 filters, QD32 buffered via port, ns/IO / fio io_uring QD32 warm (>= 1.0x IOPS)";
    if (std::string why = uring_unusable(); !why.empty()) return {skipped_gate("C2.fio", what, 1.0, why)};
    if (!fio_present()) return {skipped_gate("C2.fio", what, 1.0, "fio not installed")};
    UringStack stack(kBufferedDisk, false, 32);
    { RawUring warm(bench_file_path(), kBenchFileBytes, false); }  // warm the page cache once
    // The spec's fio runs are 10 s, three of them, interleaved with ntio's.
    GateOptions fio_options;
    fio_options.pairs = options.quick ? 1 : 3;
    fio_options.min_seconds = options.quick ? 1 : 10;
    return {run_gate("C2.fio", what, [&stack](double min_ns) { return stack.phase(min_ns); }, fio_phase, 1.0,
                     fio_options)};
}

GateResults gate_c3_uring_qd1(const GateOptions& options) {
    return uring_gate("C3", "uring_disk + 3 filters, QD1 buffered 4K randread via port, ns/IO / raw_uring(1) (>= 0.90x IOPS)",
                      1, false, 0.90, options);
}

GateResults gate_c4_uring_direct(const GateOptions& options) {
    return uring_gate("C4",
                      "uring_disk + 3 filters, QD32 O_DIRECT 4K randread via port, ns/IO / raw_uring(32, direct) (>= 0.95x IOPS)",
                      32, true, 0.95, options);
}

// Host entries (io_uring_enter calls and cached-path reads) per I/O at QD32, buffered and O_DIRECT
// (the worse of the two gates).
GateResults gate_c5_submit_batching(const GateOptions& options) {
    const char* what = "io_uring_enter + cached-read calls per I/O at QD32 through the stack (worse of buffered / O_DIRECT)";
    if (std::string why = uring_unusable(); !why.empty()) return {skipped_gate("C5", what, 0.25, why)};
    std::vector<double> per_io[2];
    for (int direct = 0; direct < 2; ++direct) {
        UringStack stack(direct ? kDirectDisk : kBufferedDisk, direct != 0, 32);
        if (!direct) { RawUring warm(bench_file_path(), kBenchFileBytes, false); }
        for (int run = 0; run < options.pairs; ++run) {
            progress_pair(direct * options.pairs + run + 1, 2 * options.pairs);
            NTIO_URING_STATISTICS before{}, after{};
            NtioUringQueryStatistics(nullptr, &before);
            stack.phase(options.min_seconds * 1e9);
            NtioUringQueryStatistics(nullptr, &after);
            // Host entries per I/O: io_uring_enter calls and the cached fast path's reads (one
            // system call each, whether or not the data was resident).
            const auto entries = (after.EnterCalls - before.EnterCalls) + (after.ResidentReadCalls - before.ResidentReadCalls);
            const auto ios = (after.Completions - before.Completions) + (after.ResidentReads - before.ResidentReads);
            per_io[direct].push_back(static_cast<double>(entries) / static_cast<double>(ios));
        }
    }
    GateResult r;
    r.id = "C5";
    r.description = what;
    const double buffered = median(per_io[0]), direct = median(per_io[1]);
    const bool buffered_worse = buffered >= direct;
    const std::vector<double>& worse = buffered_worse ? per_io[0] : per_io[1];
    r.ratio_median = std::max(buffered, direct);
    r.ratio_min = *std::min_element(worse.begin(), worse.end());
    r.ratio_max = *std::max_element(worse.begin(), worse.end());
    r.ntio_ns = buffered;
    r.baseline_ns = direct;
    r.ntio_unit = "enter/IO buffered";
    r.baseline_unit = "enter/IO O_DIRECT";
    r.limit = 0.25;
    return {r};
}

}  // namespace ntio::bench

// Gate B2: blocking waits per completed I/O at queue depth 8 with port completion. The file disk
// (uring_disk.sys under three filters, warm page cache) with 8 random reads in flight, dequeued with
// blocking NtRemoveIoCompletionEx(..., 64); the process's voluntary context switches (getrusage
// RUSAGE_SELF, so the disk's own threads count too) are the blocking waits. Gate: <= 0.05 per I/O,
// absolute (no baseline), median of the runs. B2.sim, informational: a bench driver whose reads a
// simulated "hardware" thread on cpu 1 completes a fixed latency after it took them (as a DpcForIsr
// would), counting the application thread's waits only.
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "baselines/raw_uring.hpp"
#include "drivers/file_stack.hpp"
#include "drivers/uring_stack.hpp"
#include "gates/gates.hpp"

#include <ntio/ntapi.h>

namespace ntio::bench {
namespace {

constexpr ULONG kLength = 4096;
constexpr int kDepth = 8;
constexpr ULONG kBatch = 64;
constexpr ULONG kB2Disk = 3;  // \Device\UringDisk3
// Per-read device latency: about a warm-page-cache io_uring read at this depth (8 x ~0.9 us per
// I/O, performance-gates.md section 1) rounded down, so the device is faster than a sleep/wake.
constexpr double kLatencyNs = 4000;
// A device slower than the application (QD 8 / 40 us = 200 K I/O/s), logged beside the gate.
constexpr double kSlowLatencyNs = 40000;
alignas(64) char g_buffer[kLength];

struct Run {
    double ios = 0;
    double waits = 0;       // voluntary context switches of the application thread
    double preempted = 0;   // involuntary ones (load from other processes)
    double dequeues = 0;    // NtRemoveIoCompletionEx calls
    double wall_ns = 0;
    double cpu_ns = 0;      // the application thread's user + system time
};

double cpu_ns_of(const rusage& usage) {
    return (static_cast<double>(usage.ru_utime.tv_sec) + static_cast<double>(usage.ru_stime.tv_sec)) * 1e9 +
           (static_cast<double>(usage.ru_utime.tv_usec) + static_cast<double>(usage.ru_stime.tv_usec)) * 1e3;
}

Run run_queue_depth(HANDLE file, HANDLE port, double min_ns) {
    IO_STATUS_BLOCK iosb[kDepth];
    FILE_IO_COMPLETION_INFORMATION entries[kBatch];
    LARGE_INTEGER offset{};
    auto issue = [&](int slot) {
        NTSTATUS status = NtReadFile(file, nullptr, nullptr, &iosb[slot], &iosb[slot], g_buffer, kLength, &offset, nullptr);
        if (status != STATUS_PENDING) require(false, "asynchronous NtReadFile did not pend", status);
    };
    Run run;
    rusage before, after;
    getrusage(RUSAGE_THREAD, &before);
    const double start = now_ns();
    for (int slot = 0; slot < kDepth; ++slot) issue(slot);
    int in_flight = kDepth;
    bool stopping = false;
    while (in_flight) {
        ULONG n = 0;
        NTSTATUS status = NtRemoveIoCompletionEx(port, entries, kBatch, &n, nullptr, FALSE);
        if (status != STATUS_SUCCESS) require(false, "blocking NtRemoveIoCompletionEx", status);
        run.dequeues += 1;
        for (ULONG i = 0; i < n; ++i) {
            auto* done = static_cast<IO_STATUS_BLOCK*>(entries[i].ApcContext);
            if (entries[i].IoStatusBlock.Information != kLength) require(false, "read reported the wrong byte count");
            --in_flight;
            run.ios += 1;
            if (!stopping) {
                issue(static_cast<int>(done - iosb));
                ++in_flight;
            }
        }
        if (!stopping && now_ns() - start >= min_ns) stopping = true;
    }
    run.wall_ns = now_ns() - start;
    getrusage(RUSAGE_THREAD, &after);
    run.waits = static_cast<double>(after.ru_nvcsw - before.ru_nvcsw);
    run.preempted = static_cast<double>(after.ru_nivcsw - before.ru_nivcsw);
    run.cpu_ns = cpu_ns_of(after) - cpu_ns_of(before);
    return run;
}


}  // namespace

namespace {

struct Series {
    std::vector<double> per_io, waits, ios, batch, iops, busy, preempted;
};

// `runs` runs of at least min_ns against a device with `latency_ns`, after a short warm-up.
Series measure(double latency_ns, int runs, double min_ns) {
    FileStack stack = build_file_stack(ReadMode::kHardware, 1, latency_ns);
    HANDLE file = open_file_stack(stack, false);
    HANDLE port = nullptr;
    NTSTATUS status = NtCreateIoCompletion(&port, IO_COMPLETION_ALL_ACCESS, nullptr, 1);
    require(status == STATUS_SUCCESS, "NtCreateIoCompletion", status);
    FILE_COMPLETION_INFORMATION info{port, nullptr};
    IO_STATUS_BLOCK iosb{};
    status = NtSetInformationFile(file, &iosb, &info, sizeof(info), FileCompletionInformation);
    require(status == STATUS_SUCCESS, "NtSetInformationFile(FileCompletionInformation)", status);
    pin_to_cpu(0);
    (void)run_queue_depth(file, port, min_ns / 10);  // warm up
    Series s;
    for (int i = 0; i < runs; ++i) {
        const Run run = run_queue_depth(file, port, min_ns);
        s.per_io.push_back(run.waits / run.ios);
        s.waits.push_back(run.waits);
        s.ios.push_back(run.ios);
        s.batch.push_back(run.ios / run.dequeues);
        s.iops.push_back(run.ios / run.wall_ns * 1e9);
        s.busy.push_back(run.cpu_ns / run.wall_ns);
        s.preempted.push_back(run.preempted / run.ios);
    }
    (void)NtClose(port);
    (void)NtClose(file);
    destroy_file_stack(stack);
    return s;
}

void print_detail(const char* what, double latency_ns, const Series& s) {
    note("%s, device latency %.0f us (medians): %.4f waits/I/O, %.0f I/O/s, %.2f packets per dequeue, "
         "app thread busy %.0f%%, %.4f involuntary switches/I/O",
                what, latency_ns / 1000, median(s.per_io), median(s.iops), median(s.batch),
                median(s.busy) * 100, median(s.preempted));
}

}  // namespace

GateResults gate_b2_wakeups(const GateOptions& options) {
    const double min_ns = options.min_seconds * 1e9;
    GateResults results;
    const char* what = "blocking waits (voluntary context switches, whole process) per I/O, uring_disk + 3 filters, "
                       "QD 8 buffered, port completion";
    if (std::string why = uring_unusable(); !why.empty()) {
        results.push_back(skipped_gate("B2", what, 0.05, why));
    } else {
        UringStack stack(kB2Disk, false, kDepth);
        { RawUring warm(bench_file_path(), kBenchFileBytes, false); }  // warm the page cache once
        (void)stack.phase(min_ns / 10);
        std::vector<double> per_io, waits, ios;
        for (int run = 0; run < options.pairs; ++run) {
            progress_pair(run + 1, options.pairs);
            rusage before, after;
            getrusage(RUSAGE_SELF, &before);
            (void)stack.phase(min_ns);
            getrusage(RUSAGE_SELF, &after);
            const double w = static_cast<double>(after.ru_nvcsw - before.ru_nvcsw);
            waits.push_back(w);
            ios.push_back(static_cast<double>(stack.completed()));
            per_io.push_back(w / static_cast<double>(stack.completed()));
        }
        GateResult r;
        r.id = "B2";
        r.description = what;
        r.ratio_median = median(per_io);
        r.ratio_min = *std::min_element(per_io.begin(), per_io.end());
        r.ratio_max = *std::max_element(per_io.begin(), per_io.end());
        r.ntio_ns = median(waits);
        r.baseline_ns = median(ios);
        r.ntio_unit = "waits";
        r.baseline_unit = "I/Os";
        r.limit = 0.05;
        results.push_back(r);
    }

    // Informational: the simulated device (a hardware thread on the other cpu completing each read
    // a fixed latency after it took it), fast and slow.
    const Series s = measure(kLatencyNs, options.pairs, min_ns);
    print_detail("simulated device", kLatencyNs, s);
    print_detail("slow simulated device", kSlowLatencyNs, measure(kSlowLatencyNs, options.pairs, min_ns));
    GateResult r;
    r.id = "B2.sim";
    r.description = "blocking waits of the application thread per I/O, QD 8, port completion, simulated device "
                    "(hardware thread on the other cpu, 4 us latency)";
    r.ratio_median = median(s.per_io);
    r.ratio_min = *std::min_element(s.per_io.begin(), s.per_io.end());
    r.ratio_max = *std::max_element(s.per_io.begin(), s.per_io.end());
    r.ntio_ns = median(s.waits);
    r.baseline_ns = median(s.ios);
    r.ntio_unit = "waits";
    r.baseline_unit = "I/Os";
    r.limit = 0.05;
    r.informational = true;
    r.notes = take_notes();
    results.push_back(r);
    return results;
}

}  // namespace ntio::bench

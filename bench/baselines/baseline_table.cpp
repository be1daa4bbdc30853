// The baselines table of `ntio bench`: every baseline of performance-gates.md section 3 measured on
// its own (median and min-max of the samples), beside the spec's reference figure, so a reader sees
// what this machine's yardsticks are before reading ratios against them.
#include <algorithm>
#include <functional>
#include <memory>

#include "baselines/baselines.hpp"
#include "baselines/memcpy_rand.hpp"
#include "baselines/raw_uring.hpp"

namespace ntio::bench {

namespace {

struct Spec {
    const char* name;
    const char* what;
    const char* reference;
    bool needs_uring;
    bool triples;  // ABC/CBA triples: 6 per row in a full run, as the spec's lean_irp + io_uring
    // Returns a fresh sampler (its setup, e.g. a 1 GiB buffer or a warm file, lives in the closure).
    std::function<Phase()> make;
};

Phase plain(double (*fn)(double)) { return fn; }

Phase memcpy_sampler(std::size_t size) {
    auto buffer = std::make_shared<MemcpyRand>(size);
    return [buffer](double min_ns) { return buffer->run(min_ns); };
}

Phase raw_sampler(int qd, bool direct) {
    auto raw = std::make_shared<RawUring>(bench_file_path(), kBenchFileBytes, direct);
    return [raw, qd](double min_ns) { return raw->run(qd, min_ns); };
}

// One ABC or CBA triple (raw / lean model with 0 filters / with 3 filters, the order alternating
// between samples); the sample is the IOPS ratio 3 filters / raw.
Phase lean_uring_sampler(int qd, bool direct) {
    auto raw = std::make_shared<RawUring>(bench_file_path(), kBenchFileBytes, direct);
    auto turn = std::make_shared<int>(0);
    return [raw, qd, turn](double min_ns) {
        auto lean = [&](int filters) { return lean_irp_uring(filters, raw->fd(), raw->bytes(), qd, min_ns); };
        double r, l3;
        if ((*turn)++ % 2 == 0) {
            r = raw->run(qd, min_ns);
            keep(lean(0));
            l3 = lean(3);
        } else {
            l3 = lean(3);
            keep(lean(0));
            r = raw->run(qd, min_ns);
        }
        return r / l3;
    };
}

}  // namespace

std::vector<BaselineResult> measure_baselines(const GateOptions& options, const std::vector<std::string>& selected) {
    const std::vector<Spec> specs = {
        {"vchain4", "4-level virtual dispatch + completion chain", "9.4 ns", false, false, [] { return plain(vchain4); }},
        {"syscall", "syscall(SYS_getppid), loops of 1024", "104 ns", false, false, [] { return plain(syscall_getppid); }},
        {"mutex", "uncontended std::mutex lock+unlock", "6.4 ns", false, false, [] { return plain(mutex_lock_unlock); }},
        {"nop_b1", "io_uring NOP round trip, batch 1 (SINGLE_ISSUER + DEFER_TASKRUN), per NOP", "202-227 ns", true, false,
         [] { return Phase([](double min_ns) { return uring_nop(1, min_ns); }); }},
        {"nop_b64", "io_uring NOP round trip, batch 64, per NOP", "58 ns", true, false,
         [] { return Phase([](double min_ns) { return uring_nop(64, min_ns); }); }},
        {"spin_pp", "spinning ping-pong cpu 0 <-> cpu 1, round trip", "133 ns", false, false, [] { return plain(spin_pingpong); }},
        {"futex_pp", "futex auto-reset event ping-pong cpu 0 <-> cpu 1, round trip", "75.4 us (2.0 us same core)",
         false, false, [] { return plain(futex_pingpong); }},
        {"mq_cv", "deque + mutex + condvar queue, cpu 0 -> cpu 1, per item", "50 ns", false, false, [] { return plain(mq_cv); }},
        {"asio_post", "Asio post 4096 + run(), same thread, per handler", "37.7 ns", false, false,
         [] { return plain(asio_post_same_thread); }},
        {"asio_post_x", "Asio post cpu 0 -> run() cpu 1, per item", "324 ns (3.1 M/s)", false, false,
         [] { return plain(asio_post_cross_thread); }},
        {"memcpy_rand_16M", "4 KiB memcpy from a random offset of 16 MiB", "148 ns", false, false,
         [] { return memcpy_sampler(16u << 20); }},
        {"memcpy_rand_1G", "4 KiB memcpy from a random offset of 1 GiB", "385 ns", false, false,
         [] { return memcpy_sampler(1u << 30); }},
        {"raw_uring_qd1", "raw io_uring 4 KiB random reads, QD1, warm page cache, per read", "0.95-1.01 M IOPS (~1 us)",
         true, false, [] { return raw_sampler(1, false); }},
        {"raw_uring_qd32", "raw io_uring 4 KiB random reads, QD32, warm page cache, per read",
         "1.14-1.16 M IOPS (~870 ns)", true, false, [] { return raw_sampler(32, false); }},
        {"raw_uring_direct_qd1", "raw io_uring 4 KiB random reads, QD1, O_DIRECT, per read", "~10 K IOPS (~96 us)",
         true, false, [] { return raw_sampler(1, true); }},
        {"raw_uring_direct_qd32", "raw io_uring 4 KiB random reads, QD32, O_DIRECT, per read",
         "79-93 K IOPS (~11-12.6 us)", true, false, [] { return raw_sampler(32, true); }},
        {"lean_irp_0", "lean IRP model, 0 filters, plain", "11.4 ns", false, false,
         [] { return Phase([](double min_ns) { return lean_irp(0, false, min_ns); }); }},
        {"lean_irp_1", "lean IRP model, 1 filter, plain", "20.3 ns", false, false,
         [] { return Phase([](double min_ns) { return lean_irp(1, false, min_ns); }); }},
        {"lean_irp_3", "lean IRP model, 3 filters, plain", "35.2 ns", false, false,
         [] { return Phase([](double min_ns) { return lean_irp(3, false, min_ns); }); }},
        {"lean_irp_0_il", "lean IRP model, 0 filters, interlocked", "14.2 ns", false, false,
         [] { return Phase([](double min_ns) { return lean_irp(0, true, min_ns); }); }},
        {"lean_irp_1_il", "lean IRP model, 1 filter, interlocked", "31.0 ns", false, false,
         [] { return Phase([](double min_ns) { return lean_irp(1, true, min_ns); }); }},
        {"lean_irp_3_il", "lean IRP model, 3 filters, interlocked", "65.5 ns", false, false,
         [] { return Phase([](double min_ns) { return lean_irp(3, true, min_ns); }); }},
        {"lean_uring_qd1", "lean IRP model over io_uring, 3 filters / raw, QD1 warm (IOPS ratio)", "0.942", true, true,
         [] { return lean_uring_sampler(1, false); }},
        {"lean_uring_qd32", "lean IRP model over io_uring, 3 filters / raw, QD32 warm (IOPS ratio)", "0.938", true,
         true, [] { return lean_uring_sampler(32, false); }},
        {"lean_uring_direct_qd32", "lean IRP model over io_uring, 3 filters / raw, QD32 O_DIRECT (IOPS ratio)",
         "0.967", true, true, [] { return lean_uring_sampler(32, true); }},
    };
    std::string no_uring;
    const bool uring = io_uring_available(&no_uring);
    std::vector<const Spec*> chosen;
    for (const Spec& spec : specs)
        if (selected.empty() || std::find(selected.begin(), selected.end(), spec.name) != selected.end())
            chosen.push_back(&spec);

    std::vector<BaselineResult> rows;
    for (size_t i = 0; i < chosen.size(); ++i) {
        const Spec& spec = *chosen[i];
        progress_step("baseline", static_cast<int>(i + 1), static_cast<int>(chosen.size()), spec.name);
        BaselineResult row;
        row.name = spec.name;
        row.what = spec.what;
        row.reference = spec.reference;
        if (spec.needs_uring && !uring) {
            row.skipped = no_uring;
            rows.push_back(row);
            continue;
        }
        if (spec.needs_uring) make_random_file(bench_file_path().c_str(), kBenchFileBytes);
        Phase sample = spec.make();
        std::vector<double> samples;
        const int count = spec.triples && !options.quick ? 6 : options.pairs;
        if (spec.triples) row.unit = "x raw IOPS";
        for (int s = 0; s < count; ++s) {
            progress_pair(s + 1, count);
            samples.push_back(sample(options.min_seconds * 1e9));
        }
        row.median = median(samples);
        row.min = *std::min_element(samples.begin(), samples.end());
        row.max = *std::max_element(samples.begin(), samples.end());
        rows.push_back(row);
    }
    return rows;
}

}  // namespace ntio::bench

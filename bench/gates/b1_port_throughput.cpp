// Gate B1: completion-port throughput across two cpus. A poster on cpu 0 (NtSetIoCompletion) and a
// consumer on cpu 1 (NtRemoveIoCompletionEx in batches of 64, blocking when the port is empty),
// with the poster at most kMaxInFlight packets ahead, so the consumer is kept busy. Expressed as
// ns per item ratios that pass when ratio <= limit: B1 against mq_cv (>= 0.5x its throughput,
// i.e. ratio <= 2.0) and B1.asio against asio_post across threads (>= 1.0x, ratio <= 1.0).
#include <sys/resource.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "baselines/baselines.hpp"
#include "drivers/file_stack.hpp"
#include "gates/gates.hpp"

#include <ntio/ntapi.h>

namespace ntio::bench {
namespace {

constexpr ULONG kBatch = 64;
PVOID const kItemKey = reinterpret_cast<PVOID>(1);
PVOID const kStopKey = reinterpret_cast<PVOID>(2);

// What the consumer saw in the last port phase (logged, never gates): where the time goes.
struct ConsumerDetail {
    double items = 0, dequeues = 0, waits = 0;
} g_last;

double port_throughput(double min_ns) {
    HANDLE port = nullptr;
    NTSTATUS status = NtCreateIoCompletion(&port, IO_COMPLETION_ALL_ACCESS, nullptr, 1);
    require(status == STATUS_SUCCESS, "NtCreateIoCompletion", status);
    alignas(64) std::atomic<long> consumed{0};
    double end = 0;
    std::thread consumer([&] {
        pin_to_cpu(1);
        FILE_IO_COMPLETION_INFORMATION entries[kBatch];
        long handled = 0;
        double dequeues = 0;
        rusage before, after;
        getrusage(RUSAGE_THREAD, &before);
        for (bool stop = false; !stop;) {
            ++dequeues;
            ULONG n = 0;
            NTSTATUS removed = NtRemoveIoCompletionEx(port, entries, kBatch, &n, nullptr, FALSE);
            if (removed != STATUS_SUCCESS) require(false, "blocking NtRemoveIoCompletionEx", removed);
            for (ULONG i = 0; i < n; ++i) {
                if (entries[i].KeyContext == kStopKey) {
                    stop = true;
                    break;
                }
                keep(entries[i].IoStatusBlock.Information);
                ++handled;
            }
            consumed.store(handled, std::memory_order_release);
        }
        end = now_ns();
        getrusage(RUSAGE_THREAD, &after);
        g_last.items = static_cast<double>(handled);
        g_last.dequeues = dequeues;
        g_last.waits = static_cast<double>(after.ru_nvcsw - before.ru_nvcsw);
    });
    pin_to_cpu(0);
    long posted = 0;
    long seen = 0;
    const double start = now_ns();
    do {
        for (int i = 0; i < 1024; ++i) {
            while (posted - seen >= kMaxInFlight) {
                __builtin_ia32_pause();
                seen = consumed.load(std::memory_order_acquire);
            }
            NTSTATUS posted_status = NtSetIoCompletion(port, kItemKey, nullptr, STATUS_SUCCESS, static_cast<ULONG_PTR>(posted++));
            if (posted_status != STATUS_SUCCESS) require(false, "NtSetIoCompletion", posted_status);
        }
    } while (now_ns() - start < min_ns);
    status = NtSetIoCompletion(port, kStopKey, nullptr, STATUS_SUCCESS, 0);
    require(status == STATUS_SUCCESS, "NtSetIoCompletion (stop)", status);
    consumer.join();
    (void)NtClose(port);
    return (end - start) / static_cast<double>(posted);
}

void print_detail() {
    note("consumer, last port phase: %.1f packets per dequeue, %.4f blocking waits per packet",
                g_last.items / g_last.dequeues, g_last.waits / g_last.items);
}

}  // namespace

GateResult gate_b1_port_vs_mq_cv(const GateOptions& options) {
    GateResult result = run_gate("B1", "port throughput, poster cpu 0 -> NtRemoveIoCompletionEx(64) cpu 1, "
                                 "ns/item / mq_cv", port_throughput, mq_cv, 2.0, options);
    print_detail();
    return result;
}

GateResult gate_b1_port_vs_asio(const GateOptions& options) {
    GateResult result = run_gate("B1.asio", "port throughput as B1, ns/item / asio post cross-thread", port_throughput,
                                 asio_post_cross_thread, 1.0, options);
    print_detail();
    return result;
}

}  // namespace ntio::bench

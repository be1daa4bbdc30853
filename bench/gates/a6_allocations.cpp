// Gate A6: no general-purpose allocator on the I/O hot path. The binary interposes malloc, calloc
// and realloc with counting wrappers (glibc's __libc_* entry points underneath; operator new goes
// through malloc), and counts calls per operation in steady state on each hot path the spec names:
// IRPs (IoAllocateIrp round trip through 3 filters, synchronous NtReadFile), completion packets
// (asynchronous reads through a port, NtSetIoCompletion + NtRemoveIoCompletionEx), user APC objects
// (NtQueueApcThread + NtTestAlert) and MDLs (IoAllocateMdl + IoFreeMdl). Gate: 0 on every path.
// Counting is off outside the measurement, so linking this into the ntio command costs one load.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <new>
#include <string>

#include "drivers/file_stack.hpp"
#include "drivers/irp_stack.hpp"
#include "gates/gates.hpp"
#include "gates/port_reads.hpp"

#include <ntio/ntapi.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define NTIO_BENCH_COUNT_ALLOCATIONS 0  // the sanitizer runtime owns malloc
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define NTIO_BENCH_COUNT_ALLOCATIONS 0
#endif
#endif
#ifndef NTIO_BENCH_COUNT_ALLOCATIONS
#define NTIO_BENCH_COUNT_ALLOCATIONS 1
#endif

namespace {
std::atomic<bool> g_counting{false};
std::atomic<unsigned long> g_allocations{0};
}  // namespace

#if NTIO_BENCH_COUNT_ALLOCATIONS
extern "C" {
void* __libc_malloc(size_t size);
void* __libc_calloc(size_t count, size_t size);
void* __libc_realloc(void* pointer, size_t size);

void* malloc(size_t size) {
    if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
    return __libc_malloc(size);
}
void* calloc(size_t count, size_t size) {
    if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
    return __libc_calloc(count, size);
}
void* realloc(void* pointer, size_t size) {
    if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
    return __libc_realloc(pointer, size);
}
}
#endif

namespace ntio::bench {
namespace {

void NTAPI count_apc(PVOID context, PVOID, PVOID) { ++*static_cast<long*>(context); }

// Allocator calls per operation of `op` (`ops_per_call` operations per call) after a warm-up.
double allocations_per_op(const std::function<void()>& op, long calls, long ops_per_call) {
    for (long i = 0; i < calls / 10 + 100; ++i) op();  // warm the lookaside lists and caches
    g_allocations.store(0, std::memory_order_relaxed);
    g_counting.store(true, std::memory_order_seq_cst);
    for (long i = 0; i < calls; ++i) op();
    g_counting.store(false, std::memory_order_seq_cst);
    return static_cast<double>(g_allocations.load(std::memory_order_relaxed)) /
           static_cast<double>(calls * ops_per_call);
}

}  // namespace

GateResult gate_a6_allocations(const GateOptions& options) {
    const char* what = "malloc/calloc/realloc calls per operation in steady state, worst of: IRP round trip, "
                       "sync NtReadFile, async read via port, port packet, user APC, MDL";
    if (!NTIO_BENCH_COUNT_ALLOCATIONS)
        return skipped_gate("A6", what, 0.0, "allocator interposition is off under sanitizers");
    const long calls = options.quick ? 20000 : 200000;
    struct Path {
        const char* name;
        double per_op;
    };
    std::vector<Path> paths;

    IrpStack irps = build_irp_stack(3);
    paths.push_back({"IRP round trip", allocations_per_op([&] { keep(irp_round_trip(irps)); }, calls, 1)});
    destroy_irp_stack(irps);

    FileStack sync_stack = build_file_stack(ReadMode::kComplete);
    HANDLE sync_file = open_file_stack(sync_stack, true);
    alignas(64) static char buffer[4096];
    paths.push_back({"sync NtReadFile", allocations_per_op([&] {
                         IO_STATUS_BLOCK iosb;
                         NTSTATUS status = NtReadFile(sync_file, nullptr, nullptr, nullptr, &iosb, buffer,
                                                      sizeof(buffer), nullptr, nullptr);
                         if (status != STATUS_SUCCESS) require(false, "synchronous NtReadFile", status);
                     }, calls, 1)});
    (void)NtClose(sync_file);
    destroy_file_stack(sync_stack);

    {
        PortReads reads;
        paths.push_back({"async read via port", allocations_per_op([&] { keep(reads.round()); }, calls / 64,
                                                                   PortReads::kBatch)});
        paths.push_back({"port packet", allocations_per_op([&] {
                             NTSTATUS status = NtSetIoCompletion(reads.port, nullptr, nullptr, STATUS_SUCCESS, 0);
                             if (status != STATUS_SUCCESS) require(false, "NtSetIoCompletion", status);
                             keep(reads.drain(1));
                         }, calls, 1)});
    }

    long delivered = 0;
    paths.push_back({"user APC", allocations_per_op([&] {
                         NTSTATUS status = NtQueueApcThread(NtCurrentThread(), count_apc, &delivered, nullptr, nullptr);
                         if (status != STATUS_SUCCESS) require(false, "NtQueueApcThread", status);
                         (void)NtTestAlert();
                     }, calls, 1)});
    require(delivered > calls, "user APCs were not delivered", delivered);

    paths.push_back({"MDL", allocations_per_op([&] {
                         PMDL mdl = IoAllocateMdl(buffer, sizeof(buffer), FALSE, FALSE, nullptr);
                         if (!mdl) require(false, "IoAllocateMdl");
                         MmBuildMdlForNonPagedPool(mdl);
                         IoFreeMdl(mdl);
                     }, calls, 1)});

    GateResult r;
    r.id = "A6";
    r.description = what;
    r.ratio_min = 1e300;
    for (const Path& path : paths) {
        note("%s: %.4f allocator calls per operation", path.name, path.per_op);
        r.ratio_max = std::max(r.ratio_max, path.per_op);
        r.ratio_min = std::min(r.ratio_min, path.per_op);
    }
    r.ratio_median = r.ratio_max;  // the gate is the worst path
    r.ntio_ns = r.ratio_max;
    r.baseline_ns = 0;
    r.ntio_unit = "calls/op (worst path)";
    r.baseline_unit = "calls/op (limit)";
    r.limit = 0.0;
    return r;
}

}  // namespace ntio::bench

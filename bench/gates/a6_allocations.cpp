// Gate A6: no general-purpose allocator on the I/O hot path. The binary interposes malloc, calloc,
// realloc and operator new with counting wrappers (glibc's __libc_* entry points underneath), runs
// IRP round trips through the 3-filter stack in steady state and reports allocations per I/O
// (gate: 0). libntio resolves malloc through the executable first, so its calls are counted too.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>

#include "drivers/irp_stack.hpp"
#include "gates/gates.hpp"

extern "C" {
void* __libc_malloc(size_t size);
void* __libc_calloc(size_t count, size_t size);
void* __libc_realloc(void* pointer, size_t size);
}

namespace {
std::atomic<unsigned long> g_allocations{0};
}

extern "C" void* malloc(size_t size) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
    return __libc_malloc(size);
}
extern "C" void* calloc(size_t count, size_t size) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
    return __libc_calloc(count, size);
}
extern "C" void* realloc(void* pointer, size_t size) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
    return __libc_realloc(pointer, size);
}

namespace ntio::bench {

GateResult gate_a6_allocations(const GateOptions& options) {
    (void)options;
    IrpStack stack = build_irp_stack(3);
    for (int i = 0; i < 10000; ++i) keep(irp_round_trip(stack));  // warm the lookaside caches
    constexpr long kIos = 1000000;
    const unsigned long before = g_allocations.load(std::memory_order_relaxed);
    for (long i = 0; i < kIos; ++i) keep(irp_round_trip(stack));
    const unsigned long after = g_allocations.load(std::memory_order_relaxed);
    destroy_irp_stack(stack);
    GateResult r;
    r.id = "A6";
    r.description = "malloc/new calls per IRP round trip in steady state (3 filters)";
    r.ratio_median = r.ratio_min = r.ratio_max = static_cast<double>(after - before) / kIos;
    r.ntio_ns = static_cast<double>(after - before);  // allocations over the run ...
    r.baseline_ns = kIos;                              // ... and round trips
    r.ntio_unit = "calls";
    r.baseline_unit = "I/Os";
    r.limit = 0.0;
    return r;
}

}  // namespace ntio::bench

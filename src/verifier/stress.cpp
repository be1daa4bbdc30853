// The stress modes of verifier-and-inspector.md section 4 for verified drivers: seeded low-resources
// simulation, forced pending I/O and synchronization delay fuzzing. One generator (splitmix64 over an
// atomic counter, so no lock) serves every decision; the seed is printed in reports for replay.
#include <chrono>
#include <thread>

#include <cstdlib>

#include "verifier/state.hpp"

namespace ntio::verifier {
namespace {

std::uint64_t initial_seed() noexcept {
    const char* env = std::getenv("NTIO_VERIFIER_SEED");
    return env ? std::strtoull(env, nullptr, 0) : 1;
}

std::atomic<std::uint64_t> g_seed{initial_seed()};
std::atomic<std::uint64_t> g_counter{0};
std::atomic<ULONG> g_low_resources{100};
std::atomic<ULONG> g_force_pending{1000};
std::atomic<ULONG> g_delay_max{50};
std::atomic<std::uint64_t> g_injected{0};
std::atomic<std::uint64_t> g_forced{0};
std::atomic<std::uint64_t> g_delays{0};

std::uint64_t next_random() noexcept {
    std::uint64_t z = g_seed.load(std::memory_order_relaxed) +
                      (g_counter.fetch_add(1, std::memory_order_relaxed) + 1) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

bool roll(ULONG per_mille) noexcept { return per_mille >= 1000 || next_random() % 1000 < per_mille; }

}  // namespace

bool roll_low_resources() noexcept { return roll(g_low_resources.load(std::memory_order_relaxed)); }
void count_injected_failure() noexcept { g_injected.fetch_add(1, std::memory_order_relaxed); }

bool roll_force_pending(ULONG flags) noexcept {
    if (!(flags & NTIO_VERIFIER_FORCE_PENDING) || KeGetCurrentIrql() > DISPATCH_LEVEL) return false;
    if (!roll(g_force_pending.load(std::memory_order_relaxed))) return false;
    g_forced.fetch_add(1, std::memory_order_relaxed);
    return true;
}

void maybe_delay(ULONG flags) noexcept {
    if (!(flags & NTIO_VERIFIER_SYNC_DELAY_FUZZING)) return;
    const std::uint64_t r = next_random();
    if (r % 4 == 0) return;  // most synchronization points are perturbed, not all
    g_delays.fetch_add(1, std::memory_order_relaxed);
    const ULONG max = g_delay_max.load(std::memory_order_relaxed);
    // Raised IRQL may not block on NT; a yield perturbs the interleaving all the same.
    if (KeGetCurrentIrql() >= DISPATCH_LEVEL || max == 0 || (r >> 8) % 2 == 0) {
        std::this_thread::yield();
        return;
    }
    std::this_thread::sleep_for(std::chrono::microseconds((r >> 16) % max + 1));
}

NTIO_VERIFIER_STRESS stress_settings() noexcept {
    return {g_seed.load(), g_low_resources.load(), g_force_pending.load(), g_delay_max.load()};
}

StressCounters stress_counters() noexcept { return {g_injected.load(), g_forced.load(), g_delays.load()}; }

}  // namespace ntio::verifier

using namespace ntio::verifier;

extern "C" {

NTSTATUS NtioVerifierSetStress(const NTIO_VERIFIER_STRESS* Stress) {
    if (!Stress || Stress->LowResourcesPerMille > 1000 || Stress->ForcePendingPerMille > 1000)
        return STATUS_INVALID_PARAMETER;
    g_seed.store(Stress->Seed);
    g_counter.store(0);
    g_low_resources.store(Stress->LowResourcesPerMille);
    g_force_pending.store(Stress->ForcePendingPerMille);
    g_delay_max.store(Stress->DelayMaxMicroseconds);
    return STATUS_SUCCESS;
}

VOID NtioVerifierQueryStress(PNTIO_VERIFIER_STRESS Stress) {
    if (Stress) *Stress = stress_settings();
}

VOID NtioVerifierStressCounters(PULONG64 InjectedFailures, PULONG64 ForcedPending, PULONG64 Delays) {
    if (InjectedFailures) *InjectedFailures = g_injected.load();
    if (ForcedPending) *ForcedPending = g_forced.load();
    if (Delays) *Delays = g_delays.load();
}

}  // extern "C"

// What a thread's DDIs record and report beyond waiting: its run time and cycle time (the host
// thread's CPU-time clock), its ideal processor and whether its kernel stack may be swapped out
// (recorded; ntio neither schedules to an ideal processor nor pages stacks).
#include <atomic>
#include <cstdint>

#include <wdm.h>

#include "host/clock.hpp"
#include "host/thread.hpp"
#include "ke/kernel.hpp"
#include "ke/thread_lifecycle.hpp"

namespace ntio::ke {
namespace {

constexpr std::uint64_t kTickNs = 15625000;  // KeQueryTimeIncrement's 15.625 ms

// The host clock's reading, or the final figure once the thread terminated (or the clock is gone).
std::uint64_t read_cpu_time_ns(_KTHREAD* thread) noexcept {
    if (!is_terminated(thread) && thread->m_has_cpu_clock.load(std::memory_order_acquire)) {
        std::uint64_t ns = 0;
        if (host::thread_cpu_time_ns(thread->m_cpu_clock.load(std::memory_order_relaxed), ns)) return ns;
    }
    return thread->m_final_cpu_time_ns.load(std::memory_order_acquire);
}

}  // namespace

void freeze_cpu_time(_KTHREAD* thread) noexcept {
    thread->m_exit_time.store(host::system_time(), std::memory_order_release);
    if (!thread->m_has_cpu_clock.load(std::memory_order_acquire)) return;
    std::uint64_t ns = 0;
    if (host::thread_cpu_time_ns(thread->m_cpu_clock.load(std::memory_order_relaxed), ns))
        thread->m_final_cpu_time_ns.store(ns, std::memory_order_release);
    thread->m_has_cpu_clock.store(false, std::memory_order_release);
}

std::uint64_t thread_cpu_time_ns(_KTHREAD* thread) noexcept { return read_cpu_time_ns(thread); }

std::uint64_t cpu_time_as_cycles(std::uint64_t ns) noexcept {
    return static_cast<std::uint64_t>(static_cast<unsigned __int128>(ns) * host::cycles_per_second() / 1000000000u);
}

}  // namespace ntio::ke

using namespace ntio;
using namespace ntio::ke;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kequeryruntimethread
// In clock ticks (KeQueryTimeIncrement's units). NT deviation: the host does not tell which of a
// thread's CPU time ran driver code, so a system thread's time is all kernel time and an application
// (adopted host) thread's all user time.
NTKERNELAPI ULONG KeQueryRuntimeThread(PKTHREAD Thread, PULONG UserTime) {
    const ULONG ticks = static_cast<ULONG>(thread_cpu_time_ns(Thread) / kTickNs);
    const bool system = Thread->m_is_system_thread || Thread->m_is_dpc_thread;
    if (UserTime) *UserTime = system ? 0 : ticks;
    return system ? ticks : 0;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kequerytotalcycletimethread
// The thread's CPU time in cycles of the processor's cycle counter (rdtsc), whose value now goes to
// *CycleTimeStamp.
NTKERNELAPI ULONG64 KeQueryTotalCycleTimeThread(PKTHREAD Thread, PULONG64 CycleTimeStamp) {
    const std::uint64_t ns = thread_cpu_time_ns(Thread);
    if (CycleTimeStamp) *CycleTimeStamp = host::cycle_counter();
    return cpu_time_as_cycles(ns);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-kesetidealprocessorthread
// Returns the thread's previous ideal processor. A processor the system does not have, or one outside
// the system affinity the thread runs with, changes nothing (NT keeps the user ideal processor then).
NTKERNELAPI UCHAR KeSetIdealProcessorThread(PKTHREAD Thread, UCHAR Processor) {
    const UCHAR previous = Thread->m_ideal_processor.load(std::memory_order_relaxed);
    const unsigned count = Thread->m_kernel ? Thread->m_kernel->processor_count() : 1;
    // A system affinity is the thread's own (only the thread sets it): another thread's is not read.
    const bool system_affinity = Thread == current_thread_if_any() && Thread->m_system_affinity != 0;
    if (Processor < count && !system_affinity) Thread->m_ideal_processor.store(Processor, std::memory_order_relaxed);
    return previous;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-kesetkernelstackswapenable
// Recorded for the calling thread and its previous value returned; no stack is ever swapped out here.
NTKERNELAPI BOOLEAN KeSetKernelStackSwapEnable(BOOLEAN Enable) {
    _KTHREAD* t = current_thread();
    if (!t) return TRUE;
    const bool previous = t->m_stack_swap_enabled;
    t->m_stack_swap_enabled = Enable != FALSE;
    return previous ? TRUE : FALSE;
}

}  // extern "C"

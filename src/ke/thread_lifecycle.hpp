// Thread termination and the binding between host threads and KTHREADs (ke internal).
#pragma once

#include <cstdint>

#include <wdm.h>
#include "ke/thread.hpp"

namespace ntio::ke {

// Terminates `thread` for good: kernel APCs (when it is the caller), rundown hooks, APC rundown,
// mutant abandonment, queue disassociation, signal, unregister, release through the provider.
// After this returns the thread object must not be touched.
void terminate_thread(_KTHREAD* thread, NTSTATUS exit_status) noexcept;

// Records the calling host thread's CPU-time clock in `thread` (KeQueryRuntimeThread & co.).
void note_host_cpu_clock(_KTHREAD* thread) noexcept;
// Keeps the CPU time `thread` has used as its final figure (termination; the clock goes with the host
// thread).
void freeze_cpu_time(_KTHREAD* thread) noexcept;
// The CPU time `thread` has used, in ns (0 when the host could not tell).
std::uint64_t thread_cpu_time_ns(_KTHREAD* thread) noexcept;
// CPU time in ns as cycles of the processor's cycle counter (KeQueryTotalCycleTime*).
std::uint64_t cpu_time_as_cycles(std::uint64_t ns) noexcept;

// Binding of the calling host thread.
void bind_current_thread(_KTHREAD* thread) noexcept;
_KTHREAD* unbind_current_thread_for_exit() noexcept;  // keeps it visible as current while exiting
void clear_terminating() noexcept;
// Kernel::stop(): takes an adopted thread away from its host thread (FALSE if that host thread
// is already terminating it itself).
bool detach_binding(ThreadBinding* binding, _KTHREAD* thread) noexcept;

}  // namespace ntio::ke

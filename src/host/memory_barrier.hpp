// Process-wide memory barrier (Linux membarrier): lets a rare writer order memory against many
// frequent readers that use only compiler barriers, so the readers' hot path has no fence.
#pragma once

namespace ntio::host {

// Registers the process for expedited membarriers (idempotent, thread-safe). False when the kernel
// or a seccomp filter refuses, or NTIO_PROCESS_BARRIER=0: readers must then fence themselves.
bool process_barrier_available() noexcept;

// A full memory barrier on every thread of the process that is running now (threads not running
// pass one when they are next scheduled). Only valid when process_barrier_available() said true.
void process_barrier() noexcept;

// The same with core serialization (MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE): every thread of
// the process that runs now executes a serializing instruction before it returns to this process's
// code, so none runs instruction bytes fetched before the call (code rewritten under it,
// static_branch.cpp). core_barrier() is false when the call fails.
bool core_barrier_available() noexcept;
bool core_barrier() noexcept;  // only valid when core_barrier_available() said true

}  // namespace ntio::host

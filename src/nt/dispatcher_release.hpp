// Status-returning releases of semaphores and mutants for the services. The DDIs report misuse the
// kernel way (KeReleaseSemaphore raises STATUS_SEMAPHORE_LIMIT_EXCEEDED, KeReleaseMutex bugchecks
// THREAD_NOT_MUTEX_OWNER); a user-mode caller gets a status instead and the object stays unchanged.
#pragma once

#include <wdm.h>

namespace ntio::nt {

// Adds `count` (> 0) to the semaphore. STATUS_SEMAPHORE_LIMIT_EXCEEDED leaves the count unchanged.
[[nodiscard]] NTSTATUS release_semaphore(PKSEMAPHORE semaphore, LONG count, LONG* previous) noexcept;

// Releases one level of ownership held by the calling thread. STATUS_MUTANT_NOT_OWNED when the
// calling thread does not own it.
[[nodiscard]] NTSTATUS release_mutant(PKMUTANT mutant, LONG* previous) noexcept;

// True when the calling thread owns the mutant. Only the calling thread can make itself the owner
// or give ownership up, so the answer cannot change under the caller's feet.
[[nodiscard]] bool mutant_owned_by_caller(PKMUTANT mutant) noexcept;

}  // namespace ntio::nt

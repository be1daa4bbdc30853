// Status-returning semaphore and mutant release (see dispatcher_release.hpp).
#include "nt/current_system.hpp"
#include "nt/dispatcher_release.hpp"

namespace ntio::nt {

NTSTATUS release_semaphore(PKSEMAPHORE semaphore, LONG count, LONG* previous) noexcept {
    NTSTATUS status = STATUS_SUCCESS;
    LONG before = 0;
    // KeReleaseSemaphore checks the limit under the dispatcher lock and raises after dropping it,
    // leaving the count unchanged.
    __try {
        before = KeReleaseSemaphore(semaphore, SEMAPHORE_INCREMENT, count, FALSE);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    if (NT_SUCCESS(status) && previous) *previous = before;
    return status;
}

bool mutant_owned_by_caller(PKMUTANT mutant) noexcept {
    PKTHREAD owner = __atomic_load_n(&mutant->OwnerThread, __ATOMIC_ACQUIRE);
    return owner != nullptr && owner == KeGetCurrentThread();
}

NTSTATUS release_mutant(PKMUTANT mutant, LONG* previous) noexcept {
    if (!mutant_owned_by_caller(mutant)) return STATUS_MUTANT_NOT_OWNED;
    const LONG before = KeReleaseMutant(mutant, MUTANT_INCREMENT, FALSE, FALSE);
    if (previous) *previous = before;
    return STATUS_SUCCESS;
}

}  // namespace ntio::nt

/* C helpers for ke tests that need __try/__except (the SEH macros are meant for C driver code). */
#include <wdm.h>

NTSTATUS ke_test_release_semaphore_guarded(PRKSEMAPHORE Semaphore, LONG Adjustment, LONG *Previous)
{
    NTSTATUS status = STATUS_SUCCESS;
    __try {
        *Previous = KeReleaseSemaphore(Semaphore, 0, Adjustment, FALSE);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    return status;
}

NTSTATUS ke_test_release_mutant_guarded(PRKMUTANT Mutant, LONG *Previous)
{
    NTSTATUS status = STATUS_SUCCESS;
    __try {
        *Previous = KeReleaseMutant(Mutant, 0, FALSE, FALSE);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    return status;
}

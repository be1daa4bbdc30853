// PAGED_CODE() under Force IRQL checking. Windows' verifier trims a verified driver's pageable
// sections whenever the IRQL is raised, so pageable code (the functions a driver marks with PAGED_CODE)
// run above APC_LEVEL faults: bug check DRIVER_IRQL_NOT_LESS_OR_EQUAL (0xD1) with the code address
// referenced, the IRQL, 8 (an execute access: bit 3 of parameter 3, as bug check 0xA's page gives
// it) and the address that referenced it.
// https://learn.microsoft.com/windows-hardware/drivers/devtest/force-irql-checking
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xd1--driver-irql-not-less-or-equal
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xa--irql-not-less-or-equal
// NT deviation: nothing is paged in ntio, so the check is PAGED_CODE()'s own: it runs only where the
// driver wrote PAGED_CODE(), and blames the driver whose code runs on the thread (its dispatch,
// completion routine or DriverEntry) when that driver has Force IRQL checking.
#include "ke/thread.hpp"
#include "verifier/state.hpp"

extern "C" {
NTIO_API volatile LONG NtioPagedCodeChecks = 0;
}

namespace ntio::verifier {

void update_paged_code_checks(ULONG all_flags) noexcept {
    __atomic_store_n(&NtioPagedCodeChecks, (all_flags & NTIO_VERIFIER_FORCE_IRQL_CHECKING) ? 1 : 0, __ATOMIC_RELAXED);
}

}  // namespace ntio::verifier

extern "C" [[gnu::noinline]] NTIO_API VOID NTAPI NtioPagedCodeCheck(VOID) {
    using namespace ntio::verifier;
    const void* at = __builtin_extract_return_addr(__builtin_return_address(0));
    const KIRQL irql = KeGetCurrentIrql();
    if (irql <= APC_LEVEL || !active()) return;
    PDRIVER_OBJECT driver = context_driver();
    if (!driver || !(driver_flags(driver) & NTIO_VERIFIER_FORCE_IRQL_CHECKING)) return;
    const auto address = reinterpret_cast<ULONG_PTR>(at);
    report({DRIVER_IRQL_NOT_LESS_OR_EQUAL, address, irql, 8, address, Severity::Always, nullptr,
            "pageable code (PAGED_CODE) ran above APC_LEVEL", driver, nullptr, nullptr});
}

// Driver Verifier's DMA checking (option class 8, NTIO_VERIFIER_DMA_CHECKING): which adapters are
// checked, and the report of a violation. The checks themselves sit in the DMA routines
// (io/dma_verifier.cpp), on adapters a verified driver asked for; the subcodes and parameters are
// those of "Bug Check 0xE6: DRIVER_VERIFIER_DMA_VIOLATION" on Learn.
#include "verifier/state.hpp"
#include "verifier/verifier.hpp"

namespace ntio::verifier {

PDRIVER_OBJECT dma_checked_driver() noexcept {
    if (!active()) return nullptr;
    PDRIVER_OBJECT driver = context_driver();
    return driver && (driver_flags(driver) & NTIO_VERIFIER_DMA_CHECKING) ? driver : nullptr;
}

void report_dma_violation(PDRIVER_OBJECT driver, ULONG_PTR p1, ULONG_PTR p2, ULONG_PTR p3, ULONG_PTR p4,
                          const char* message) noexcept {
    report({DRIVER_VERIFIER_DMA_VIOLATION, p1, p2, p3, p4, Severity::Always, nullptr, message, driver, nullptr,
            nullptr});
}

}  // namespace ntio::verifier

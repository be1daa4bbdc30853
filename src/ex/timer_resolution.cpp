// ExSetTimerResolution: the clock interrupt period drivers ask for. ntio's timers fire from host
// clocks at whatever resolution the host gives, so the period is bookkeeping: the documented rules
// of who may lower it and when the default comes back, observable through the returned value.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exsettimerresolution
#include <mutex>

#include <wdm.h>

#include "verifier/verifier.hpp"

namespace {

// KeQueryTimeIncrement's 15.625 ms, and the "approximately 10,000 (1 millisecond)" least period
// the Learn page gives.
constexpr ULONG kDefaultResolution = 156250;
constexpr ULONG kMinimumResolution = 10000;

std::mutex g_lock;
ULONG g_resolution = kDefaultResolution;
ULONG g_requests = 0;  // TRUE calls not yet undone by a FALSE call

}  // namespace

extern "C" {

// A request only ever lowers the period (one above the current setting returns the setting); the
// default returns once every requester has called with SetResolution FALSE.
NTKERNELAPI ULONG NTAPI ExSetTimerResolution(ULONG DesiredTime, BOOLEAN SetResolution) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ExApcLte2);
    std::lock_guard guard(g_lock);
    if (SetResolution) {
        ++g_requests;
        const ULONG wanted = DesiredTime < kMinimumResolution ? kMinimumResolution : DesiredTime;
        if (wanted < g_resolution) g_resolution = wanted;
    } else if (g_requests > 0 && --g_requests == 0) {
        g_resolution = kDefaultResolution;
    }
    return g_resolution;
}

}  // extern "C"

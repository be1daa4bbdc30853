// The calling thread's PreviousMode (KeGetPreviousMode / ExGetPreviousMode) inline, for the services
// that ask it first on every call. A host thread never adopted as an NT thread counts as KernelMode.
#pragma once

#include <wdm.h>

#include "ke/thread.hpp"

namespace ntio::ke {

inline KPROCESSOR_MODE previous_mode() noexcept {
    _KTHREAD* t = current_thread();
    return t ? t->m_previous_mode : static_cast<KPROCESSOR_MODE>(KernelMode);
}

}  // namespace ntio::ke

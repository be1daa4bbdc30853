// Who is calling a service: the thread's PreviousMode decides whether caller pointers are probed,
// handle access is checked and kernel handles are refused. Zw* routines run the Nt* routine of the
// same name with PreviousMode KernelMode, as the NT system-call path does for kernel callers.
#pragma once

#include <wdm.h>

#include "ke/thread.hpp"

namespace ntio::nt {

// ExGetPreviousMode inline: every service asks first.
inline KPROCESSOR_MODE previous_mode() noexcept {
    _KTHREAD* t = ke::current_thread();
    return t ? t->m_previous_mode : static_cast<KPROCESSOR_MODE>(KernelMode);
}

// Runs the enclosing scope with PreviousMode KernelMode and restores the caller's mode on exit.
class KernelModeCall {
public:
    KernelModeCall() noexcept : m_saved(ke::set_previous_mode(KernelMode)) {}
    ~KernelModeCall() { ke::set_previous_mode(m_saved); }
    KernelModeCall(const KernelModeCall&) = delete;
    KernelModeCall& operator=(const KernelModeCall&) = delete;

private:
    KPROCESSOR_MODE m_saved;
};

}  // namespace ntio::nt

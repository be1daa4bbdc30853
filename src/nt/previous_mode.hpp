// Who is calling a service: the thread's PreviousMode decides whether caller pointers are probed,
// handle access is checked and kernel handles are refused. Zw* routines run the Nt* routine of the
// same name with PreviousMode KernelMode, as the NT system-call path does for kernel callers.
#pragma once

#include <wdm.h>

#include "ke/previous_mode.hpp"
#include "ke/thread.hpp"

namespace ntio::nt {

// ExGetPreviousMode inline: every service asks first.
using ke::previous_mode;

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

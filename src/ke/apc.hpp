// APC delivery internals shared by the wait engine, IRQL lowering and region exits.
#pragma once

#include <wdm.h>
#include "ke/thread.hpp"

namespace ntio::ke {

// True when the first queued kernel APC may run now (special: no guarded region; normal: no
// critical or guarded region and no normal APC in progress). IRQL is the caller's concern.
bool kernel_apc_deliverable_locked(_KTHREAD* t) noexcept;

// Runs the calling thread's deliverable kernel APCs (the thread must be at PASSIVE_LEVEL).
void deliver_kernel_apcs(_KTHREAD* t) noexcept;
// Cheap check + delivery for the calling thread, used after anything that may make APCs
// deliverable (lowering IRQL, leaving a region, entering a wait). Inline: the check is one load.
inline void deliver_kernel_apcs_if_pending(_KTHREAD* t) noexcept {
    if (t->m_kernel_apc_pending.load(std::memory_order_relaxed) && t->m_irql < APC_LEVEL) [[unlikely]]
        deliver_kernel_apcs(t);
}

// Runs every queued user APC of the calling thread in FIFO order (the emulation of the return to
// user mode after STATUS_USER_APC). PASSIVE_LEVEL.
void deliver_user_apcs(_KTHREAD* t) noexcept;

// Termination: stops the thread from taking APCs and runs the rundown routines of what is left.
void rundown_apcs(_KTHREAD* t) noexcept;

}  // namespace ntio::ke

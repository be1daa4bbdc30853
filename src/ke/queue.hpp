// KQUEUE internals shared with the wait engine and thread termination.
#pragma once

#include <wdm.h>
#include "ke/thread.hpp"

namespace ntio::ke {

// Hands queued entries to LIFO dequeue waiters while the concurrency limit allows. Lock held.
void activate_queue_waiters_locked(PRKQUEUE queue) noexcept;
// Terminating thread leaves its queue. Lock held.
void disassociate_queue_locked(_KTHREAD* t) noexcept;

}  // namespace ntio::ke

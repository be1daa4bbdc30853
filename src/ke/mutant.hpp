// Mutant internals shared with thread termination.
#pragma once

#include <wdm.h>
#include "ke/thread.hpp"

namespace ntio::ke {

// Releases every mutant `t` owns as abandoned (its waiters get STATUS_ABANDONED_WAIT_n). Lock held.
void abandon_mutants_locked(_KTHREAD* t) noexcept;

}  // namespace ntio::ke

// What the rest of ntio may ask about a spin lock beyond the DDIs: whether the calling thread is the
// one holding it (the KSPIN_LOCK word names its owner, spin_lock.cpp).
#pragma once

#include <wdm.h>

namespace ntio::ke {

// True when the calling thread holds `lock`. Any IRQL.
bool spin_lock_held_by_current_thread(PKSPIN_LOCK lock) noexcept;

}  // namespace ntio::ke

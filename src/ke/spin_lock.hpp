// What the rest of ntio may ask about a spin lock beyond the DDIs: whether the calling thread is the
// one holding it (the KSPIN_LOCK word names its owner, spin_lock.cpp).
#pragma once

#include <wdm.h>

namespace ntio::ke {

// True when the calling thread holds `lock`. Any IRQL.
bool spin_lock_held_by_current_thread(PKSPIN_LOCK lock) noexcept;

// Takes and gives back a spin lock without changing the IRQL or telling the verifier (the kernel's
// own uses: the interrupt dispatcher's interrupt spin locks). The caller has raised the IRQL.
void acquire_spin_lock(PKSPIN_LOCK lock) noexcept;
void release_spin_lock(PKSPIN_LOCK lock) noexcept;

}  // namespace ntio::ke

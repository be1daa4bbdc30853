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

// The numbered system queued spin locks KeAcquireQueuedSpinLock takes (queued_spin_lock.cpp); number is
// below LockQueueMaximumLock. The I/O manager's cancel and VPB spin locks are LockQueueIoCancelLock and
// LockQueueIoVpbLock, as on NT.
extern KSPIN_LOCK g_queued_spin_locks[LockQueueMaximumLock];
constexpr PKSPIN_LOCK queued_spin_lock(unsigned number) noexcept { return &g_queued_spin_locks[number]; }

}  // namespace ntio::ke

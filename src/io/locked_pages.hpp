// Locked-page tracking (TrackLockedPages): the MDLs whose pages MmProbeAndLockPages locked in a
// process, kept while tracking is on, so that a process whose address space goes while some are
// still locked stops the system with DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS (0xCB).
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xcb--driver-left-locked-pages-in-process:
// issued when HKLM\SYSTEM\CurrentControlSet\Control\Session Manager\Memory Management\TrackLockedPages
// is 1, or by Driver Verifier with Pool Tracking. Parameters: the lock-tracking structure, 0, the MDL,
// the number of locked pages.
// NT deviation: without either, NT still counts a process's locked pages and stops with
// PROCESS_HAS_LOCKED_PAGES (0x76); ntio keeps no count then (a shared counter would be a contended
// line on every direct I/O), so an untracked leak goes unreported.
#pragma once

#include <atomic>
#include <cstddef>

#include "io/ddk.hpp"
#include "verifier/verifier.hpp"

namespace ntio { class System; }

namespace ntio::io {

// Systems booted with TrackLockedPages = 1 in this process.
inline std::atomic<int> g_locked_page_tracking{0};
// MDLs tracked now (any System).
inline std::atomic<std::size_t> g_tracked_mdls{0};

// Whether pages locked now are tracked: a System tracks them, or the driver whose code runs here is
// verified with Pool Tracking.
inline bool tracks_locked_pages() noexcept {
    if (g_locked_page_tracking.load(std::memory_order_relaxed) != 0) [[unlikely]] return true;
    return ntio::verifier::hooks_on() && ntio::verifier::context_tracks_pool();
}

void track_locked_mdl(PMDL mdl, ULONG pages) noexcept;
void untrack_mdl(PMDL mdl) noexcept;
// Pages unlocked or an MDL freed: forgotten if tracked (one relaxed load while nothing is).
inline void on_mdl_unlocked(PMDL mdl) noexcept {
    if (g_tracked_mdls.load(std::memory_order_relaxed) != 0) [[unlikely]] untrack_mdl(mdl);
}

// The process's address space goes (its object is deleted): 0xCB for the first MDL still locked in it.
void check_process_locked_pages(PEPROCESS process) noexcept;

// Reads TrackLockedPages for the System booting on this thread (registry up, System current); the
// returned token is handed back at shutdown.
bool read_locked_page_tracking() noexcept;
void end_locked_page_tracking(bool tracked) noexcept;

}  // namespace ntio::io

// Locked-page tracking: see locked_pages.hpp.
#include "io/locked_pages.hpp"

#include <mutex>
#include <new>
#include <unordered_map>

#include "nt/control_value.hpp"
#include "ob/process.hpp"

namespace ntio::io {
namespace {

// What the tracker keeps per MDL: 0xCB's "internal lock tracking structure" (parameter 1).
struct LockedMdl {
    PEPROCESS process;
    ULONG pages;
};

std::mutex g_lock;
std::unordered_map<PMDL, LockedMdl>* g_locked = nullptr;  // guarded by g_lock; never destroyed

// Installed at load: process deletion reaches the check without ob depending on io.
const bool g_hooked = [] {
    ob::set_process_teardown_hook(check_process_locked_pages);
    return true;
}();

}  // namespace

void track_locked_mdl(PMDL mdl, ULONG pages) noexcept {
    if (!mdl->Process) return;
    std::lock_guard guard(g_lock);
    if (!g_locked) g_locked = new (std::nothrow) std::unordered_map<PMDL, LockedMdl>();
    if (!g_locked) return;
    try {
        (*g_locked)[mdl] = {mdl->Process, pages};
    } catch (...) {
        return;  // out of memory: this lock goes untracked
    }
    g_tracked_mdls.store(g_locked->size(), std::memory_order_relaxed);
}

void untrack_mdl(PMDL mdl) noexcept {
    std::lock_guard guard(g_lock);
    if (!g_locked) return;
    g_locked->erase(mdl);
    g_tracked_mdls.store(g_locked->size(), std::memory_order_relaxed);
}

void check_process_locked_pages(PEPROCESS process) noexcept {
    // The System process never ends on NT; at ntio's shutdown its locks are not a process's leak.
    if (g_tracked_mdls.load(std::memory_order_acquire) == 0 || process->m_is_system) return;
    ULONG_PTR entry = 0, mdl = 0, pages = 0;
    {
        std::lock_guard guard(g_lock);
        for (auto& [locked, info] : *g_locked) {
            if (info.process != process) continue;
            entry = reinterpret_cast<ULONG_PTR>(&info);
            mdl = reinterpret_cast<ULONG_PTR>(locked);
            pages = info.pages;
            break;
        }
    }
    if (mdl) KeBugCheckEx(DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS, entry, 0, mdl, pages);
}

bool read_locked_page_tracking() noexcept {
    // "This bug check is issued only if the registry value is equal to DWORD 1."
    if (nt::control_dword(L"Session Manager\\Memory Management", L"TrackLockedPages", 0) != 1) return false;
    g_locked_page_tracking.fetch_add(1, std::memory_order_relaxed);
    return true;
}

void end_locked_page_tracking(bool tracked) noexcept {
    if (tracked) g_locked_page_tracking.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace ntio::io

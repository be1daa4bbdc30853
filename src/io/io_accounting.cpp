// Live IRP and MDL counts for leak checks without a shared counter on the I/O path: each thread
// counts into its own ThreadCounts, attached to one IoManager at a time; the manager adds them up.
#include <mutex>

#include "io/io_manager.hpp"

namespace ntio::io {

namespace {
// Orders attaching, detaching, summing and manager teardown (all rare).
std::mutex g_accounting_lock;
// Set when the thread's counts were destroyed at thread exit: later frees by the thread's own
// rundown count straight into the manager's retired balance.
thread_local bool t_counts_closed = false;
}  // namespace

constinit thread_local ThreadCounts* t_io_counts = nullptr;

void ThreadCounts::detach_locked() noexcept {
    IoManager* old = io.load(std::memory_order_relaxed);
    if (!old) return;
    for (int k = 0; k < IoManager::kCountedKinds; ++k) {
        old->m_retired[k] += balance[k].load(std::memory_order_relaxed);
        balance[k].store(0, std::memory_order_relaxed);
    }
    std::erase(old->m_counting, this);
    io.store(nullptr, std::memory_order_relaxed);
}

ThreadCounts::~ThreadCounts() {
    std::lock_guard guard(g_accounting_lock);
    detach_locked();
    t_counts_closed = true;
    t_io_counts = nullptr;
}

void IoManager::count_slow(Counted what, long delta) noexcept {
    std::lock_guard guard(g_accounting_lock);
    if (t_counts_closed) {
        m_retired[what] += delta;
        return;
    }
    // The thread's own counts, destroyed (and detached) at thread exit.
    static thread_local ThreadCounts counts;
    ThreadCounts& mine = counts;
    t_io_counts = &mine;
    mine.detach_locked();
    try {
        m_counting.push_back(&mine);
    } catch (...) {
        m_retired[what] += delta;  // out of memory: count without attaching
        return;
    }
    for (auto& b : mine.balance) b.store(0, std::memory_order_relaxed);
    mine.balance[what].store(delta, std::memory_order_relaxed);
    mine.io.store(this, std::memory_order_relaxed);
}

std::size_t IoManager::live(Counted what) const noexcept {
    std::lock_guard guard(g_accounting_lock);
    long sum = m_retired[what];
    for (const ThreadCounts* counts : m_counting) sum += counts->balance[what].load(std::memory_order_relaxed);
    return sum > 0 ? static_cast<std::size_t>(sum) : 0;
}

IoManager::~IoManager() {
    std::lock_guard guard(g_accounting_lock);
    for (ThreadCounts* counts : m_counting) {
        counts->io.store(nullptr, std::memory_order_relaxed);
        for (auto& b : counts->balance) b.store(0, std::memory_order_relaxed);
    }
}

}  // namespace ntio::io

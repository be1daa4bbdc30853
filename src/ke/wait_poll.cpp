// The per-thread poller table and sleeper of wait_poll.hpp: thread-local, so registering,
// unregistering and the "no poller" test on every wait touch no shared state.
#include "ke/wait_poll.hpp"

#include "ke/dispatcher.hpp"
#include "ke/thread.hpp"

namespace ntio::ke {
namespace {

struct PollerTable {
    WaitPoller pollers[kMaxWaitPollers] = {};
    void* contexts[kMaxWaitPollers] = {};
    int count = 0;
    bool running = false;
    WaitSleeper sleeper = nullptr;
    void* sleeper_context = nullptr;
};

constinit thread_local PollerTable t_pollers;

}  // namespace

constinit thread_local std::uint32_t t_polled_waits = 0;

namespace {

bool signalled(PVOID object) noexcept {
    return object_signalled(static_cast<DISPATCHER_HEADER*>(object));
}

bool wait_satisfied(ULONG count, PVOID* objects, WAIT_TYPE wait_type) noexcept {
    if (count == 0 || objects == nullptr) return false;
    if (wait_type == WaitAll) {
        for (ULONG i = 0; i < count; ++i)
            if (objects[i] == nullptr || !signalled(objects[i])) return false;
        return true;
    }
    for (ULONG i = 0; i < count; ++i)
        if (objects[i] != nullptr && signalled(objects[i])) return true;
    return false;
}

}  // namespace

bool register_wait_poller(WaitPoller poller, void* context) noexcept {
    PollerTable& t = t_pollers;
    for (int i = 0; i < t.count; ++i)
        if (t.pollers[i] == poller && t.contexts[i] == context) return true;
    if (poller == nullptr || t.count == kMaxWaitPollers) return false;
    t.pollers[t.count] = poller;
    t.contexts[t.count] = context;
    ++t.count;
    return true;
}

void unregister_wait_poller(WaitPoller poller, void* context) noexcept {
    PollerTable& t = t_pollers;
    for (int i = 0; i < t.count; ++i) {
        if (t.pollers[i] != poller || t.contexts[i] != context) continue;
        for (int j = i + 1; j < t.count; ++j) {
            t.pollers[j - 1] = t.pollers[j];
            t.contexts[j - 1] = t.contexts[j];
        }
        --t.count;
        return;
    }
}

bool run_wait_pollers(bool may_block, bool sleeper_follows) noexcept {
    PollerTable& t = t_pollers;
    if (t.count == 0 || t.running) return false;
    t.running = true;
    bool again = false;
    // A poller may unregister itself (or another) while it runs: index from the live count.
    for (int i = 0; i < t.count; ++i) again = t.pollers[i](t.contexts[i], may_block, sleeper_follows) || again;
    t.running = false;
    return again;
}

void poll_before_wait(ULONG count, PVOID* objects, WAIT_TYPE wait_type, PLARGE_INTEGER timeout) noexcept {
    if (t_pollers.count == 0) return;
    ++t_polled_waits;
    const bool may_block = timeout == nullptr;
    const bool sleeper_follows = t_pollers.sleeper != nullptr && (timeout == nullptr || timeout->QuadPart != 0);
    while (!wait_satisfied(count, objects, wait_type) && run_wait_pollers(may_block, sleeper_follows)) {
    }
}

void poll_before_dequeue(PRKQUEUE queue, PLARGE_INTEGER timeout) noexcept {
    if (t_pollers.count == 0 || queue == nullptr) return;
    ++t_polled_waits;
    const bool may_block = timeout == nullptr;
    const bool sleeper_follows = t_pollers.sleeper != nullptr && (timeout == nullptr || timeout->QuadPart != 0);
    while (!queue_signalled(&queue->Header) && run_wait_pollers(may_block, sleeper_follows)) {
    }
}

bool set_wait_sleeper(WaitSleeper sleeper, void* context) noexcept {
    PollerTable& t = t_pollers;
    if (sleeper == nullptr) return false;
    if (t.sleeper != nullptr) return t.sleeper == sleeper && t.sleeper_context == context;
    t.sleeper = sleeper;
    t.sleeper_context = context;
    return true;
}

void clear_wait_sleeper(WaitSleeper sleeper, void* context) noexcept {
    PollerTable& t = t_pollers;
    if (t.sleeper != sleeper || t.sleeper_context != context) return;
    t.sleeper = nullptr;
    t.sleeper_context = nullptr;
}

host::FutexResult sleep_waiting_thread(_KTHREAD* t, const host::Deadline* deadline) noexcept {
    PollerTable& p = t_pollers;
    // Inside a poller (a completion routine that waits) the source is not re-entered: the plain
    // futex, as for a thread without a sleeper.
    if (p.sleeper == nullptr || p.running) return host::futex_wait(&t->m_wait_word, kWaitSleeping, deadline);
    p.running = true;
    const SleepOutcome outcome = p.sleeper(p.sleeper_context, &t->m_wait_word, kWaitSleeping, deadline);
    p.running = false;
    switch (outcome) {
    case SleepOutcome::none: return host::futex_wait(&t->m_wait_word, kWaitSleeping, deadline);
    case SleepOutcome::woken: return host::FutexResult::Woken;
    case SleepOutcome::timeout: return host::FutexResult::Timeout;
    case SleepOutcome::work: break;
    }
    {
        // Out of the wait before any completion routine runs: one may wait itself, or satisfy
        // this very wait (then the retry finds the object signalled). A waker that got here first
        // keeps its status.
        DispatcherGuard guard;
        if (t->m_wait_word.load(std::memory_order_acquire) != kWaitIdle) {
            unlink_wait_blocks_locked(t);
            t->m_wait_status = STATUS_KERNEL_APC;
            t->m_wait_word.store(kWaitIdle, std::memory_order_release);
        }
        // Running again for the thread's KQUEUE while the completions run (the wait paths resume
        // only a thread still marked blocked, so this is not counted twice).
        queue_thread_resuming_locked(t);
    }
    // (sleeper_follows: the sleep just entered the kernel for these completions; a poller
    // delivers what is ready without another system call, and the retry sleeps again if need be.)
    (void)run_wait_pollers(false, true);
    return host::FutexResult::Woken;
}

}  // namespace ntio::ke

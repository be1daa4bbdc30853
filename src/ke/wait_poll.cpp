// The per-thread poller table of wait_poll.hpp: thread-local, so registering, unregistering and the
// "no poller" test on every wait touch no shared state.
#include "ke/wait_poll.hpp"

#include "ke/dispatcher.hpp"

namespace ntio::ke {
namespace {

struct PollerTable {
    WaitPoller pollers[kMaxWaitPollers] = {};
    void* contexts[kMaxWaitPollers] = {};
    int count = 0;
    bool running = false;
};

constinit thread_local PollerTable t_pollers;

bool signalled(PVOID object) noexcept {
    return state_of(static_cast<DISPATCHER_HEADER*>(object)) > 0;
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

bool run_wait_pollers(bool may_block) noexcept {
    PollerTable& t = t_pollers;
    if (t.count == 0 || t.running) return false;
    t.running = true;
    bool again = false;
    // A poller may unregister itself (or another) while it runs: index from the live count.
    for (int i = 0; i < t.count; ++i) again = t.pollers[i](t.contexts[i], may_block) || again;
    t.running = false;
    return again;
}

void poll_before_wait(ULONG count, PVOID* objects, WAIT_TYPE wait_type, PLARGE_INTEGER timeout) noexcept {
    if (t_pollers.count == 0) return;
    const bool may_block = timeout == nullptr;
    while (!wait_satisfied(count, objects, wait_type) && run_wait_pollers(may_block)) {
    }
}

void poll_before_dequeue(PRKQUEUE queue, PLARGE_INTEGER timeout) noexcept {
    if (t_pollers.count == 0 || queue == nullptr) return;
    const bool may_block = timeout == nullptr;
    while (state_of(&queue->Header) <= 0 && run_wait_pollers(may_block)) {
    }
}

}  // namespace ntio::ke

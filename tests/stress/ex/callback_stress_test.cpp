// Callback objects under contention. Invariant: once ExUnregisterCallback returns, the routine it
// registered is not running and never runs again (each routine counts itself in while it runs and
// counts a late call when its registration was already unregistered). Notifier threads call
// ExNotifyCallback in a loop while the main thread registers and unregisters routines, round after
// round; every round waits for notifications to have happened, never for time to pass.
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <wdm.h>

#include "support/system_fixture.hpp"

namespace callback_stress_test {

class CallbackStressTest : public ntio::test::SystemTest {};

struct Slot {
    std::atomic<int> running{0};
    std::atomic<bool> unregistered{false};
    std::atomic<long> calls{0};
    std::atomic<long> late{0};
};

VOID routine(PVOID context, PVOID, PVOID) {
    auto* slot = static_cast<Slot*>(context);
    slot->running.fetch_add(1, std::memory_order_acq_rel);
    if (slot->unregistered.load(std::memory_order_acquire)) slot->late.fetch_add(1);
    slot->calls.fetch_add(1, std::memory_order_relaxed);
    slot->running.fetch_sub(1, std::memory_order_acq_rel);
}

TEST_F(CallbackStressTest, no_routine_runs_after_its_unregistration_returns) {
    constexpr int kNotifiers = 2;
    constexpr int kRounds = 400;
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Callback\\NtioStress");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_PERMANENT, nullptr, nullptr);
    PCALLBACK_OBJECT object = nullptr;
    ASSERT_EQ(ExCreateCallback(&object, &oa, TRUE, TRUE), STATUS_SUCCESS);
    std::atomic<bool> stop{false};
    std::atomic<long> notifications{0};
    std::vector<std::thread> notifiers;
    for (int i = 0; i < kNotifiers; ++i) {
        notifiers.emplace_back([&] {
            while (!stop.load(std::memory_order_relaxed)) {
                ExNotifyCallback(object, nullptr, nullptr);
                notifications.fetch_add(1, std::memory_order_relaxed);
            }
        });
    }
    std::vector<std::unique_ptr<Slot>> slots;
    int running_at_return = 0;
    PVOID kept = nullptr;  // one registration that stays across rounds
    slots.push_back(std::make_unique<Slot>());
    kept = ExRegisterCallback(object, &routine, slots.back().get());
    ASSERT_NE(kept, nullptr);
    for (int round = 0; round < kRounds; ++round) {
        slots.push_back(std::make_unique<Slot>());
        Slot* slot = slots.back().get();
        PVOID registration = ExRegisterCallback(object, &routine, slot);
        ASSERT_NE(registration, nullptr);
        const long before = notifications.load();
        while (notifications.load() < before + 3) std::this_thread::yield();
        ExUnregisterCallback(registration);
        if (slot->running.load(std::memory_order_acquire) != 0) ++running_at_return;
        slot->unregistered.store(true, std::memory_order_release);
    }
    const long before = notifications.load();
    while (notifications.load() < before + 10) std::this_thread::yield();  // late calls would show now
    stop = true;
    for (auto& t : notifiers) t.join();
    ExUnregisterCallback(kept);
    ObMakeTemporaryObject(object);
    ObDereferenceObject(object);
    long late = 0, calls = 0;
    for (auto& s : slots) {
        late += s->late.load();
        calls += s->calls.load();
    }
    EXPECT_EQ(running_at_return, 0);
    EXPECT_EQ(late, 0);
    EXPECT_GT(calls, kRounds);
}

}  // namespace callback_stress_test

// Threads: adoption of host threads, system threads, termination (signal, exit status, rundown
// hooks) and PreviousMode.
#include "ke_fixture.hpp"

namespace ntio::test {
namespace {

using ThreadTest = KeTest;

TEST_F(ThreadTest, host_thread_is_adopted_on_first_call_with_user_previous_mode) {
    _KTHREAD* seen = nullptr;
    KPROCESSOR_MODE mode = KernelMode;
    System* system_seen = nullptr;
    std::thread host([&] {
        seen = KeGetCurrentThread();
        mode = ExGetPreviousMode();
        system_seen = ke::Kernel::system_of_current_thread();
    });
    host.join();
    ASSERT_NE(seen, nullptr);
    EXPECT_EQ(mode, UserMode);
    EXPECT_EQ(system_seen, &system());
    EXPECT_TRUE(ke::is_terminated(seen));  // its TLS destructor terminated it
    EXPECT_EQ(seen->Header.Type, ThreadObject);
}

TEST_F(ThreadTest, previous_mode_setter_returns_the_old_mode) {
    KPROCESSOR_MODE old = ke::set_previous_mode(KernelMode);
    EXPECT_EQ(KeGetPreviousMode(), KernelMode);
    EXPECT_EQ(ke::set_previous_mode(old), KernelMode);
    EXPECT_EQ(KeGetPreviousMode(), old);
}

TEST_F(ThreadTest, system_thread_runs_at_passive_in_kernel_mode) {
    KIRQL irql = HIGH_LEVEL;
    KPROCESSOR_MODE mode = UserMode;
    _KTHREAD* self = nullptr;
    _KTHREAD* t = start_thread([&] {
        irql = KeGetCurrentIrql();
        mode = KeGetPreviousMode();
        self = KeGetCurrentThread();
    });
    ASSERT_EQ(wait(t), STATUS_SUCCESS);
    EXPECT_EQ(irql, PASSIVE_LEVEL);
    EXPECT_EQ(mode, KernelMode);
    EXPECT_EQ(self, t);
    EXPECT_TRUE(t->m_is_system_thread);
}

TEST_F(ThreadTest, terminate_current_thread_sets_the_exit_status) {
    bool after = false;
    _KTHREAD* t = start_thread([&] {
        system().kernel().terminate_current_thread(STATUS_CANCELLED);
        after = true;
    });
    ASSERT_EQ(wait(t), STATUS_SUCCESS);
    EXPECT_FALSE(after);
    EXPECT_EQ(ke::exit_status(t), STATUS_CANCELLED);
    EXPECT_EQ(KeReadStateEvent(reinterpret_cast<PRKEVENT>(t)), 1);
}

struct HookLog {
    std::mutex lock;
    std::vector<std::pair<_KTHREAD*, _KTHREAD*>> calls;  // (terminating thread, running thread)
};

void record_hook(_KTHREAD* thread, void* context) {
    auto* log = static_cast<HookLog*>(context);
    std::lock_guard guard(log->lock);
    log->calls.emplace_back(thread, ke::current_thread_if_any());
}

TEST_F(ThreadTest, rundown_hooks_run_on_the_terminating_thread_before_it_is_signalled) {
    static HookLog log;  // the hook stays registered until the System goes away
    system().kernel().add_thread_rundown_hook(&record_hook, &log);
    _KTHREAD* t = start_thread([] {});
    ASSERT_EQ(wait(t), STATUS_SUCCESS);
    std::lock_guard guard(log.lock);
    bool found = false;
    for (auto& [thread, running] : log.calls)
        if (thread == t) {
            found = true;
            EXPECT_EQ(running, t);
        }
    EXPECT_TRUE(found);
}

TEST_F(ThreadTest, shutdown_terminates_adopted_threads_still_alive) {
    KeepThreadsProvider keep;
    auto second = std::make_unique<System>();  // the newest System: new host threads join it
    second->kernel().set_thread_provider(&keep);
    KEVENT adopted;
    KeInitializeEvent(&adopted, NotificationEvent, FALSE);
    std::atomic<_KTHREAD*> seen{nullptr};
    std::atomic<bool> go{false};
    std::thread host([&] {
        seen = KeGetCurrentThread();
        KeSetEvent(&adopted, 0, FALSE);
        while (!go.load()) std::this_thread::yield();
    });
    ASSERT_EQ(wait(&adopted), STATUS_SUCCESS);
    ASSERT_NE(seen.load(), nullptr);
    EXPECT_EQ(seen.load()->m_system, second.get());
    EXPECT_FALSE(ke::is_terminated(seen.load()));
    second.reset();
    EXPECT_TRUE(ke::is_terminated(seen.load()));
    EXPECT_EQ(keep.released.load(), 1);
    go = true;
    host.join();  // its TLS destructor finds nothing left to do
    EXPECT_EQ(keep.released.load(), 1);
}

}  // namespace
}  // namespace ntio::test

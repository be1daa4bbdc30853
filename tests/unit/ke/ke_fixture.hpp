// Fixture and helpers for ke tests: a fresh System whose thread objects stay allocated after their
// release (so tests can wait on and inspect terminated threads), system threads running lambdas,
// and NT timeout helpers. Standard headers come before <wdm.h> (its SAL macros clash with libstdc++).
#pragma once

#include <atomic>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <wdm.h>

#include "ke/dispatcher.hpp"
#include "ke/kernel.hpp"
#include "support/bugcheck_catcher.hpp"
#include "support/system_fixture.hpp"

namespace ntio::test {

// Thread objects are deleted only when the provider is destroyed (after the System).
class KeepThreadsProvider final : public ke::ThreadProvider {
public:
    ~KeepThreadsProvider() override {
        for (_KTHREAD* t : m_threads) delete t;
    }
    _KTHREAD* allocate_thread(PEPROCESS) override {
        std::lock_guard guard(m_lock);
        m_threads.push_back(new _KTHREAD());
        return m_threads.back();
    }
    void release_thread(_KTHREAD* thread) override { released.fetch_add(1); (void)thread; }
    PEPROCESS system_process() override { return nullptr; }
    PEPROCESS host_thread_process() override { return nullptr; }
    std::atomic<int> released{0};

private:
    std::mutex m_lock;
    std::vector<_KTHREAD*> m_threads;
};

inline LARGE_INTEGER relative_ms(LONGLONG ms) {
    LARGE_INTEGER li;
    li.QuadPart = -ms * 10000;
    return li;
}

// Hang guard for waits that must succeed: long enough never to fire on a loaded machine.
inline LARGE_INTEGER hang_guard() { return relative_ms(20000); }

class KeTest : public SystemTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        system().kernel().set_thread_provider(&m_provider);
    }
    void TearDown() override {
        SystemTest::TearDown();
    }

    // Starts a system thread (KernelMode, PASSIVE_LEVEL) running `fn`.
    _KTHREAD* start_thread(std::function<void()> fn) {
        m_bodies.push_back(std::move(fn));
        _KTHREAD* t = m_provider.allocate_thread(nullptr);
        ke::initialize_thread(t, system(), nullptr);
        NTSTATUS status = system().kernel().start_thread(t, &run_body, &m_bodies.back());
        EXPECT_EQ(status, STATUS_SUCCESS);
        return t;
    }

    NTSTATUS wait(PVOID object, LARGE_INTEGER timeout = hang_guard(), BOOLEAN alertable = FALSE,
                  KPROCESSOR_MODE mode = KernelMode) {
        return KeWaitForSingleObject(object, Executive, mode, alertable, &timeout);
    }

    // Spins (sleeping 1 ms) until `cond` holds; false if the hang guard expired first.
    static bool eventually(const std::function<bool()>& cond) {
        for (int i = 0; i < 20000; ++i) {
            if (cond()) return true;
            LARGE_INTEGER d = relative_ms(1);
            KeDelayExecutionThread(KernelMode, FALSE, &d);
        }
        return cond();
    }

    // Number of wait blocks queued on an object (read under the dispatcher lock).
    static int waiter_count(PVOID object) {
        auto* h = static_cast<DISPATCHER_HEADER*>(object);
        ke::DispatcherGuard guard;
        int n = 0;
        for (PLIST_ENTRY e = h->WaitListHead.Flink; e != &h->WaitListHead; e = e->Flink) ++n;
        return n;
    }

    KeepThreadsProvider m_provider;

private:
    static void run_body(PVOID context) { (*static_cast<std::function<void()>*>(context))(); }
    std::list<std::function<void()>> m_bodies;
};

}  // namespace ntio::test

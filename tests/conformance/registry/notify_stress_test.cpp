// Concurrency stress of registry change notification. Invariant: with writers changing values and
// adding and deleting subkeys under a watched key while watchers re-arm requests, each armed request
// completes exactly once (STATUS_SUCCESS after a change, STATUS_NOTIFY_CLEANUP when its handle closes
// first), a change made after arming always wakes the request (no lost wakeup: a lost one hangs the
// wait), nothing is delivered for a request after its handle closed, every APC requested runs once,
// and at the end no object or handle is left (the fixture's leak check).
#include "conformance/registry/registry_test_support.hpp"

namespace ntio::test {
namespace {

using NotifyStress = RegistryTest;

std::atomic<long> g_stress_apcs{0};
thread_local long t_stress_apcs = 0;
VOID NTAPI count_apc(PVOID, PIO_STATUS_BLOCK, ULONG) {
    g_stress_apcs.fetch_add(1);
    ++t_stress_apcs;
}

TEST_F(NotifyStress, WatchersRearmWhileWritersChangeTheTree) {
    constexpr int kWriters = 2;
    constexpr int kWatchers = 3;
    constexpr int kRounds = 400;
    const HANDLE parent = scratch();
    std::atomic<bool> stop{false};
    std::atomic<long> broken{0};
    std::atomic<long> armed{0}, completed{0};
    g_stress_apcs = 0;
    std::atomic<long> apcs_requested{0};

    auto writer = [&](int id) {
        const std::u16string sub = u"w" + std::u16string(1, static_cast<char16_t>(u'0' + id));
        ULONG n = 0;
        while (!stop.load()) {
            (void)set_dword(parent, L"Shared", ++n + static_cast<ULONG>(id) * 0x1000000u);
            Handle child;
            if (create_key(child.out(), wide(sub), parent) == STATUS_SUCCESS) (void)NtDeleteKey(child);
        }
    };
    auto watcher = [&](int id) {
        const std::u16string own = u"v" + std::u16string(1, static_cast<char16_t>(u'0' + id));
        Handle event{make_event(NotificationEvent, FALSE)};
        long my_apcs = 0;
        for (int round = 0; round < kRounds; ++round) {
            Handle key;
            if (open_key(key.out(), L"", KEY_NOTIFY, parent) != STATUS_SUCCESS) {
                ++broken;
                continue;
            }
            IO_STATUS_BLOCK iosb{};
            iosb.Status = STATUS_UNSUCCESSFUL;
            const bool with_apc = round % 3 == 0;
            const NTSTATUS status =
                NtNotifyChangeKey(key, event, with_apc ? count_apc : nullptr, nullptr, &iosb,
                                  REG_NOTIFY_CHANGE_LAST_SET | REG_NOTIFY_CHANGE_NAME, TRUE, nullptr, 0, TRUE);
            if (status != STATUS_PENDING) {
                ++broken;
                continue;
            }
            ++armed;
            if (with_apc) {
                ++apcs_requested;
                ++my_apcs;
            }
            const bool close_first = round % 4 == 1;
            if (close_first) {
                key.reset();  // completes it (cleanup) unless a writer's change came first
            } else {
                // A change of our own after arming: the request must complete.
                (void)set_dword(parent, wide(own), static_cast<ULONG>(round + 1));
            }
            if (NtWaitForSingleObject(event, FALSE, nullptr) != STATUS_SUCCESS) ++broken;
            if (iosb.Status == STATUS_SUCCESS || (close_first && iosb.Status == STATUS_NOTIFY_CLEANUP))
                ++completed;
            else
                ++broken;
            key.reset();
            // Nothing comes for a request whose handle is closed.
            (void)NtResetEvent(event, nullptr);
            (void)set_dword(parent, wide(own), 0xFFFF0000u + static_cast<ULONG>(round));
            if (event_state(event) != 0) ++broken;
            if (iosb.Status == STATUS_UNSUCCESSFUL) ++broken;
            // The APC is queued by the completion that set the event (perhaps just after it): alertable
            // waits run it; exactly one per request.
            LARGE_INTEGER zero = zero_timeout();
            while (t_stress_apcs < my_apcs) (void)NtDelayExecution(TRUE, &zero);
        }
    };

    std::vector<std::thread> writers, watchers;
    for (int i = 0; i < kWriters; ++i) writers.emplace_back(writer, i);
    for (int i = 0; i < kWatchers; ++i) watchers.emplace_back(watcher, i);
    for (auto& t : watchers) t.join();
    stop = true;
    for (auto& t : writers) t.join();

    EXPECT_EQ(broken.load(), 0);
    EXPECT_EQ(armed.load(), long{kWatchers} * kRounds);
    EXPECT_EQ(completed.load(), armed.load());
    EXPECT_EQ(g_stress_apcs.load(), apcs_requested.load());
}

}  // namespace
}  // namespace ntio::test

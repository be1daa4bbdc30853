// NT fact D9 under races: the issuing process closes its last handle to a port-bound file (another
// process keeps it) while the driver completes the request on another thread.
#include <atomic>
#include <thread>

#include "lifetime_support.hpp"

namespace ntio::test::io_signalling {
namespace {

constexpr NTSTATUS kSecondFill = static_cast<NTSTATUS>(0xbadc0de5);
constexpr int kIterations = 5000;

// Invariant: each request completes exactly once (one packet, nothing left parked) and its IOSB is
// written exactly once: either at completion (then it holds the packet's values before the removal
// and a removal does not write it again) or at the packet's removal (then it holds the fill pattern
// until the removal and the packet's values after it); never both, never lost.
TEST_F(LifetimeTest, last_handle_close_racing_the_completion_writes_each_iosb_exactly_once) {
    g_state.park_reads = true;
    OtherProcess other(system());
    HANDLE port = make_port();

    std::atomic<int> generation{0};
    std::atomic<int> finished{0};
    std::atomic<bool> stop{false};
    std::thread completer([&] {
        for (int seen = 0;;) {
            int now;
            while ((now = generation.load(std::memory_order_acquire)) == seen) {
                if (stop.load(std::memory_order_acquire)) return;
                std::this_thread::yield();
            }
            seen = now;
            (void)complete_one(STATUS_SUCCESS, 2);  // may find the request already cancelled
            finished.store(seen, std::memory_order_release);
        }
    });

    // A failed ASSERT returns early: the completer still has to be stopped and joined.
    struct Joiner {
        std::atomic<bool>& stop;
        std::thread& thread;
        ~Joiner() {
            stop.store(true, std::memory_order_release);
            thread.join();
        }
    } joiner{stop, completer};

    int deferred = 0, at_completion = 0;
    for (int i = 1; i <= kIterations; ++i) {
        HANDLE h = open_device();
        bind(h, port, ctx(0x99));
        HANDLE copy = share_with(h, other);
        IO_STATUS_BLOCK iosb = filled();
        char buffer[4];
        ASSERT_EQ(read_async(h, &iosb, buffer, nullptr, ctx(i)), STATUS_PENDING);
        generation.store(i, std::memory_order_release);
        if (i % 2) std::this_thread::yield();  // vary which side tends to win
        ASSERT_EQ(NtClose(h), STATUS_SUCCESS);
        while (finished.load(std::memory_order_acquire) != i) std::this_thread::yield();

        ASSERT_EQ(g_state.parked.load(), 0) << "iteration " << i;
        ASSERT_EQ(port_depth(port), 1) << "iteration " << i;
        const bool written_at_completion = !untouched(iosb);
        if (written_at_completion) {
            ++at_completion;
            ASSERT_EQ(iosb.Status, STATUS_SUCCESS) << "iteration " << i;  // a cancel defers its IOSB
            ASSERT_EQ(iosb.Information, 2u);
            iosb.Status = kSecondFill;
        } else {
            ++deferred;
        }
        PVOID key = nullptr, value = nullptr;
        IO_STATUS_BLOCK packet = filled();
        ASSERT_EQ(remove_packet(port, &key, &value, &packet), STATUS_SUCCESS);
        ASSERT_EQ(key, ctx(0x99));
        ASSERT_EQ(value, ctx(i));
        ASSERT_TRUE((packet.Status == STATUS_CANCELLED && packet.Information == 0) ||
                    (packet.Status == STATUS_SUCCESS && packet.Information == 2))
            << "iteration " << i << " status 0x" << std::hex << packet.Status;
        if (written_at_completion) {
            ASSERT_EQ(iosb.Status, kSecondFill) << "iteration " << i << ": written twice";
        } else {
            ASSERT_EQ(iosb.Status, packet.Status) << "iteration " << i << ": lost";
            ASSERT_EQ(iosb.Information, packet.Information);
        }
        ASSERT_EQ(port_depth(port), 0) << "iteration " << i;
        ASSERT_EQ(close_in(other, copy), STATUS_SUCCESS);
    }
    EXPECT_GT(deferred, 0);
    RecordProperty("deferred", deferred);
    RecordProperty("at_completion", at_completion);
    EXPECT_EQ(NtClose(port), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test::io_signalling

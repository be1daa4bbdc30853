// The inspector while I/O runs: a host thread that is not an NT thread (as the attach server's is)
// captures snapshots and formats them without pause while the test thread parks IOCTLs below the
// filter and finishes them by completion or by cancel.
#include "inspect_fixture.hpp"

namespace ntio::inspect::test {
namespace {

// Invariant: every snapshot reads only IRPs that are allocated (each has its type, a stack of
// StackCount locations and a current location inside it or just past it), every command formats
// without error, and every request completes exactly once with the status its finisher chose;
// the inspecting thread never becomes an NT thread (the leak checks count thread objects).
TEST_F(InspectTest, snapshots_while_irps_are_parked_completed_and_cancelled) {
    constexpr int kRequests = 3000;       // at least this many requests
    constexpr int kSnapshots = 300;       // and at least this many snapshots taken meanwhile
    constexpr int kMaxRequests = 200000;  // unless the inspector starves
    std::atomic<bool> stop{false};
    std::atomic<int> snapshots{0};
    std::atomic<int> bad{0};
    std::thread inspector([&] {
        std::string out;
        while (!stop.load(std::memory_order_acquire)) {
            Snapshot s = capture(system());
            for (const IrpSnap& irp : s.irps) {
                const bool sane = irp.type == 6 && irp.stack_count >= 1 && irp.stack_count <= 32 &&
                                  irp.stack.size() == static_cast<std::size_t>(irp.stack_count) &&
                                  irp.current_location >= 1 && irp.current_location <= irp.stack_count + 1;
                if (!sane) bad.fetch_add(1);
            }
            for (const char* command : {"!irpfind -v", "!devobj InspectLower", "!thread 0", "!devstack InspectLower"})
                if (run_kd_command(s, command, out) != 0) bad.fetch_add(1);
            snapshots.fetch_add(1, std::memory_order_relaxed);
        }
    });
    int completed = 0;
    int cancelled = 0;
    int requests = 0;
    for (int i = 0; i < kRequests || (snapshots.load() < kSnapshots && i < kMaxRequests); ++i, ++requests) {
        Request& r = send(IOCTL_INSPECT_PARK);
        std::vector<PIRP> irps = parked();
        ASSERT_EQ(irps.size(), 1u);
        NTSTATUS expected;
        if (i % 2) {
            ASSERT_TRUE(IoCancelIrp(irps[0]));
            expected = STATUS_CANCELLED;
            ++cancelled;
        } else {
            ASSERT_TRUE(InspectLowerCompleteParked(lower_device(), STATUS_SUCCESS));
            expected = STATUS_SUCCESS;
            ++completed;
        }
        ASSERT_EQ(NtWaitForSingleObject(r.event, FALSE, nullptr), STATUS_SUCCESS);
        EXPECT_EQ(r.iosb.Status, expected);
        NtClose(r.event);
        m_requests.pop_back();
        delete &r;
    }
    stop.store(true, std::memory_order_release);
    inspector.join();
    EXPECT_EQ(bad.load(), 0);
    EXPECT_GE(snapshots.load(), kSnapshots);
    EXPECT_EQ(completed + cancelled, requests);
}

}  // namespace
}  // namespace ntio::inspect::test

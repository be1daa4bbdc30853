// NT facts K2, K3: IRP_MJ_CLOSE is sent when the last handle and the last reference of a file object
// go. A request keeps its file object only until it completes, so once every request made through a
// file has completed, closing the file's last handle sends IRP_MJ_CLOSE before NtClose returns:
// whether the requests completed at once or pended and were completed later, were reported through a
// port or an IOSB, and whichever thread made them (one that has ended, or one still running).
#include <condition_variable>
#include <mutex>
#include <thread>

#include "lifetime_support.hpp"

namespace ntio::test::io_signalling {
namespace {

constexpr int kReads = 200;  // well past any batch in which references might be kept

// Reads on an overlapped handle that the driver completes at once.
void read_completed_at_once(HANDLE file, int count) {
    char buffer[4];
    for (int i = 0; i < count; ++i) {
        IO_STATUS_BLOCK iosb = filled();
        LARGE_INTEGER offset{};
        const NTSTATUS status = NtReadFile(file, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer), &offset, nullptr);
        EXPECT_TRUE(status == STATUS_SUCCESS || status == STATUS_PENDING) << std::hex << status;
        if (status == STATUS_PENDING) {
            EXPECT_EQ(NtWaitForSingleObject(file, FALSE, nullptr), STATUS_SUCCESS);
        }
        EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    }
}

TEST_F(LifetimeTest, the_last_close_after_completed_asynchronous_reads_sends_irp_mj_close_at_once) {
    HANDLE h = open_device();
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(g_state.live_contexts.load(), 1);
    read_completed_at_once(h, kReads);
    EXPECT_EQ(g_state.live_contexts.load(), 1);
    ASSERT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(g_state.live_contexts.load(), 0) << "IRP_MJ_CLOSE came with the last handle's close";
}

TEST_F(LifetimeTest, the_last_close_after_pended_reads_reported_through_a_port_sends_irp_mj_close_at_once) {
    g_state.park_reads = true;
    HANDLE h = open_device();
    HANDLE port = make_port();
    bind(h, port, ctx(0x31));
    char buffer[4];
    IO_STATUS_BLOCK iosb[8];
    for (int round = 0; round < kReads / 8; ++round) {
        for (auto& each : iosb) {
            each = filled();
            ASSERT_EQ(read_async(h, &each, buffer, nullptr, ctx(0x32)), STATUS_PENDING);
        }
        ASSERT_TRUE(wait_parked(8));
        for (int i = 0; i < 8; ++i) ASSERT_TRUE(complete_one(STATUS_SUCCESS, 4));
        for (int i = 0; i < 8; ++i) {
            PVOID key = nullptr, value = nullptr;
            IO_STATUS_BLOCK packet = filled();
            ASSERT_EQ(remove_packet(port, &key, &value, &packet), STATUS_SUCCESS);
            EXPECT_EQ(packet.Status, STATUS_SUCCESS);
        }
    }
    EXPECT_EQ(g_state.live_contexts.load(), 1);
    ASSERT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(g_state.live_contexts.load(), 0) << "IRP_MJ_CLOSE came with the last handle's close";
    EXPECT_EQ(NtClose(port), STATUS_SUCCESS);
}

TEST_F(LifetimeTest, reads_made_by_a_thread_that_has_ended_leave_nothing_that_delays_irp_mj_close) {
    HANDLE h = open_device();
    std::thread reader([h] { read_completed_at_once(h, kReads); });
    reader.join();
    EXPECT_EQ(g_state.live_contexts.load(), 1);
    ASSERT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(g_state.live_contexts.load(), 0) << "IRP_MJ_CLOSE came with the last handle's close";
}

TEST_F(LifetimeTest, reads_made_by_a_thread_still_running_leave_nothing_that_delays_irp_mj_close) {
    HANDLE h = open_device();
    std::mutex lock;
    std::condition_variable changed;
    bool read = false, closed = false;
    std::thread reader([&] {
        read_completed_at_once(h, kReads);
        std::unique_lock<std::mutex> guard(lock);
        read = true;
        changed.notify_all();
        changed.wait(guard, [&] { return closed; });  // alive, and doing nothing, while the file closes
    });
    {
        std::unique_lock<std::mutex> guard(lock);
        changed.wait(guard, [&] { return read; });
    }
    ASSERT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(g_state.live_contexts.load(), 0) << "IRP_MJ_CLOSE came with the last handle's close";
    {
        std::lock_guard<std::mutex> guard(lock);
        closed = true;
    }
    changed.notify_all();
    reader.join();
}

}  // namespace
}  // namespace ntio::test::io_signalling

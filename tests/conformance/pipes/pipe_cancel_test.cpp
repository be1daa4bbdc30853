// User-side cancellation of pipe requests, on npfs.sys: the D facts Windows shows with pipes, a
// duplicate handle cancelling (D3), one IOSB naming two reads (D5), one queued read cancelled and the
// next still pending (D6), and a listen on an alertable synchronous handle interrupted by a user APC
// (D12).
#include "pipe_test_support.hpp"

namespace ntio::test::pipes {
namespace {

VOID NTAPI count_user_apc(PVOID context, PVOID, PVOID) { ++*static_cast<ULONG*>(context); }

TEST_F(PipeTest, D3_a_duplicate_handle_cancels_the_reads_of_the_first) {
    // NT fact D3.
    Connected pipe;
    connect(pipe);
    Handle duplicate;
    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), pipe.client, NtCurrentProcess(), duplicate.out(), 0, 0,
                                DUPLICATE_SAME_ACCESS),
              STATUS_SUCCESS);
    Handle event(make_event(NotificationEvent, FALSE));
    char byte;
    ULONG apcs = 0;
    IO_STATUS_BLOCK pending = kUntouched;
    ASSERT_EQ(read(pipe.client, &byte, 1, &pending, event, count_apc, &apcs), STATUS_PENDING);
    IO_STATUS_BLOCK io{};
    ASSERT_EQ(NtCancelIoFile(duplicate, &io), STATUS_SUCCESS);
    EXPECT_EQ(pending.Status, STATUS_CANCELLED);
    EXPECT_EQ(pending.Information, 0u);
    EXPECT_EQ(event_state(event), 1);
    EXPECT_EQ(run_apcs(), STATUS_USER_APC);
    EXPECT_EQ(apcs, 1u);
}

TEST_F(PipeTest, D5_cancelling_by_iosb_cancels_every_read_that_uses_it) {
    // NT fact D5: two reads sharing an IOSB, two APCs.
    Connected pipe;
    connect(pipe);
    char first, second;
    ULONG apcs = 0;
    IO_STATUS_BLOCK shared = kUntouched;
    ASSERT_EQ(read(pipe.client, &first, 1, &shared, nullptr, count_apc, &apcs), STATUS_PENDING);
    ASSERT_EQ(read(pipe.client, &second, 1, &shared, nullptr, count_apc, &apcs), STATUS_PENDING);
    IO_STATUS_BLOCK io{};
    ASSERT_EQ(NtCancelIoFileEx(pipe.client, &shared, &io), STATUS_SUCCESS);
    EXPECT_EQ(shared.Status, STATUS_CANCELLED);
    EXPECT_EQ(run_apcs(), STATUS_USER_APC);
    EXPECT_EQ(apcs, 2u);
    EXPECT_EQ(local_information(pipe.server).WriteQuotaAvailable, 4096u);
}

TEST_F(PipeTest, D6_cancelling_one_queued_read_leaves_the_next_pending) {
    // NT fact D6 (the pipe part).
    Connected pipe;
    connect(pipe);
    Handle e1(make_event(NotificationEvent, FALSE)), e2(make_event(NotificationEvent, FALSE));
    char first = 0, second = 0;
    IO_STATUS_BLOCK r1 = kUntouched, r2 = kUntouched;
    ASSERT_EQ(read(pipe.client, &first, 1, &r1, e1), STATUS_PENDING);
    ASSERT_EQ(read(pipe.client, &second, 1, &r2, e2), STATUS_PENDING);
    IO_STATUS_BLOCK io{};
    ASSERT_EQ(NtCancelIoFileEx(pipe.client, &r1, &io), STATUS_SUCCESS);
    EXPECT_EQ(r1.Status, STATUS_CANCELLED);
    EXPECT_EQ(event_state(e2), 0);
    EXPECT_TRUE(untouched(r2));
    // Cancelling it again finds nothing.
    EXPECT_EQ(NtCancelIoFileEx(pipe.client, &r1, &io), STATUS_NOT_FOUND);
    IO_STATUS_BLOCK w{};
    ASSERT_EQ(write(pipe.server, "s", 1, &w), STATUS_SUCCESS);
    ASSERT_EQ(wait_for(e2), STATUS_SUCCESS);
    EXPECT_EQ(r2.Status, STATUS_SUCCESS);
    EXPECT_EQ(r2.Information, 1u);
    EXPECT_EQ(second, 's');
    EXPECT_EQ(first, 0);
}

TEST_F(PipeTest, D12_a_user_apc_interrupts_a_listen_on_an_alertable_synchronous_server) {
    // NT fact D12: the listen returns STATUS_CANCELLED, the user APC ran; the instance still listens.
    ObjectName name(kPipe);
    IO_STATUS_BLOCK iosb{};
    LARGE_INTEGER timeout = relative_ms(50);
    Handle server;
    ASSERT_EQ(NtCreateNamedPipeFile(server.out(), GENERIC_READ | GENERIC_WRITE | SYNCHRONIZE, name.get(), &iosb,
                                    FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN_IF, FILE_SYNCHRONOUS_IO_ALERT,
                                    FILE_PIPE_BYTE_STREAM_TYPE, FILE_PIPE_BYTE_STREAM_MODE, FILE_PIPE_QUEUE_OPERATION, 1,
                                    4096, 4096, &timeout),
              STATUS_SUCCESS);
    ULONG user_apcs = 0;
    ASSERT_EQ(NtQueueApcThread(NtCurrentThread(), count_user_apc, &user_apcs, nullptr, nullptr), STATUS_SUCCESS);
    std::atomic<bool> returned{false};
    std::thread watchdog([&] {
        for (int i = 0; i < 5000 && !returned.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        if (returned.load()) return;
        ADD_FAILURE() << "the listen was not interrupted by the user APC";
        Handle client;
        (void)open_client(client.out());
    });
    IO_STATUS_BLOCK listen = kUntouched;
    const NTSTATUS status = fsctl(server, FSCTL_PIPE_LISTEN, &listen);
    returned = true;
    watchdog.join();
    EXPECT_EQ(status, STATUS_CANCELLED);
    EXPECT_EQ(user_apcs, 1u);
    Handle client;
    EXPECT_EQ(open_client(client.out()), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test::pipes

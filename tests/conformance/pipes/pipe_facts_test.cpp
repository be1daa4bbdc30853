// The named-pipe facts of nt-behaviour.md through the NT surface: listen (O1), partial and message
// reads (O2, O4), the other end closing (O3, O5, F6), zero-length reads (O6), cancelled writes and
// transceives (O7), the listening and disconnected statuses (O8), and blocking reads on synchronous
// handles (I12). Win32-level parts (ReadFile, PeekNamedPipe) are checked at the Nt level here:
// NtReadFile and FSCTL_PIPE_PEEK.
#include "pipe_test_support.hpp"

namespace ntio::test::pipes {
namespace {

TEST_F(PipeTest, O1_listen_on_an_overlapped_server_pends_until_a_client_opens) {
    // NT fact O1.
    Handle server;
    ASSERT_EQ(create_server(server.out()), STATUS_SUCCESS);
    Handle event(make_event(NotificationEvent, FALSE));
    IO_STATUS_BLOCK iosb = kUntouched;
    ULONG apcs = 0;
    ASSERT_EQ(fsctl(server, FSCTL_PIPE_LISTEN, &iosb, event, count_apc, &apcs), STATUS_PENDING);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_EQ(event_state(event), 0);

    Handle client;
    ASSERT_EQ(open_client(client.out()), STATUS_SUCCESS);
    ASSERT_EQ(wait_for(event), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 0u);
    EXPECT_EQ(apcs, 0u);  // not before an alertable wait
    EXPECT_EQ(run_apcs(), STATUS_USER_APC);
    EXPECT_EQ(apcs, 1u);

    // Already connected: STATUS_PIPE_CONNECTED, the IOSB untouched, the event reset, no APC.
    IO_STATUS_BLOCK again = kUntouched;
    EXPECT_EQ(fsctl(server, FSCTL_PIPE_LISTEN, &again, event, count_apc, &apcs), STATUS_PIPE_CONNECTED);
    EXPECT_TRUE(untouched(again));
    EXPECT_EQ(event_state(event), 0);
    EXPECT_EQ(run_apcs(), STATUS_SUCCESS);
    EXPECT_EQ(apcs, 1u);
}

TEST_F(PipeTest, O1_a_client_that_opens_first_makes_listen_report_pipe_connected) {
    // NT fact O1: a new instance listens from its creation.
    Connected pipe;
    connect(pipe);
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(fsctl(pipe.server, FSCTL_PIPE_LISTEN, &iosb), STATUS_PIPE_CONNECTED);
    EXPECT_TRUE(untouched(iosb));
}

TEST_F(PipeTest, O2_a_byte_mode_read_completes_with_the_bytes_available) {
    // NT fact O2: one byte written, a read of two returns with one.
    Connected pipe;
    connect(pipe);
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(write(pipe.client, "x", 1, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 1u);
    char buffer[2] = {};
    IO_STATUS_BLOCK read_iosb = kUntouched;
    ASSERT_EQ(read(pipe.server, buffer, 2, &read_iosb), STATUS_SUCCESS);
    EXPECT_EQ(read_iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(read_iosb.Information, 1u);
    EXPECT_EQ(buffer[0], 'x');

    // The same for a read already waiting when the byte arrives.
    Handle event(make_event(NotificationEvent, FALSE));
    IO_STATUS_BLOCK pending = kUntouched;
    ASSERT_EQ(read(pipe.server, buffer, 2, &pending, event), STATUS_PENDING);
    ASSERT_EQ(write(pipe.client, "y", 1, &iosb), STATUS_SUCCESS);
    ASSERT_EQ(wait_for(event), STATUS_SUCCESS);
    EXPECT_EQ(pending.Status, STATUS_SUCCESS);
    EXPECT_EQ(pending.Information, 1u);
    EXPECT_EQ(buffer[0], 'y');
}

TEST_F(PipeTest, O3_read_after_the_other_end_closed_is_pipe_broken) {
    // NT fact O3: a read pending when the client closes completes {STATUS_PIPE_BROKEN, 0}, event set,
    // APC queued.
    Connected pipe;
    connect(pipe);
    Handle event(make_event(NotificationEvent, FALSE));
    char buffer[8];
    ULONG apcs = 0;
    IO_STATUS_BLOCK pending = kUntouched;
    ASSERT_EQ(read(pipe.server, buffer, sizeof(buffer), &pending, event, count_apc, &apcs), STATUS_PENDING);
    pipe.client.reset();
    ASSERT_EQ(wait_for(event), STATUS_SUCCESS);
    EXPECT_EQ(pending.Status, STATUS_PIPE_BROKEN);
    EXPECT_EQ(pending.Information, 0u);
    EXPECT_EQ(run_apcs(), STATUS_USER_APC);
    EXPECT_EQ(apcs, 1u);

    // A read after that fails at once: IOSB untouched, the event reset and not set again, no APC.
    EXPECT_EQ(event_state(event), 1);
    IO_STATUS_BLOCK after = kUntouched;
    EXPECT_EQ(read(pipe.server, buffer, sizeof(buffer), &after, event, count_apc, &apcs), STATUS_PIPE_BROKEN);
    EXPECT_TRUE(untouched(after));
    EXPECT_EQ(event_state(event), 0);
    EXPECT_EQ(run_apcs(), STATUS_SUCCESS);
    EXPECT_EQ(apcs, 1u);
}

TEST_F(PipeTest, O4_message_mode_read_into_a_short_buffer_overflows) {
    // NT fact O4: STATUS_BUFFER_OVERFLOW with IOSB {BUFFER_OVERFLOW, bytes copied}; the rest of the
    // message is what the next read gets.
    ServerOptions options;
    options.type = FILE_PIPE_MESSAGE_TYPE;
    options.read_mode = FILE_PIPE_MESSAGE_MODE;
    Connected pipe;
    connect(pipe, options);
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(write(pipe.client, "hello", 5, &iosb), STATUS_SUCCESS);
    ASSERT_EQ(write(pipe.client, "ab", 2, &iosb), STATUS_SUCCESS);
    char buffer[16] = {};
    IO_STATUS_BLOCK short_read = kUntouched;
    EXPECT_EQ(read(pipe.server, buffer, 3, &short_read), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(short_read.Status, STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(short_read.Information, 3u);
    EXPECT_EQ(std::string(buffer, 3), "hel");
    IO_STATUS_BLOCK rest = kUntouched;
    EXPECT_EQ(read(pipe.server, buffer, sizeof(buffer), &rest), STATUS_SUCCESS);
    EXPECT_EQ(rest.Information, 2u);
    EXPECT_EQ(std::string(buffer, 2), "lo");
    EXPECT_EQ(read(pipe.server, buffer, sizeof(buffer), &rest), STATUS_SUCCESS);  // the next message only
    EXPECT_EQ(rest.Information, 2u);
    EXPECT_EQ(std::string(buffer, 2), "ab");
}

TEST_F(PipeTest, O5_queued_data_stays_readable_after_the_server_closes) {
    // NT fact O5 at the Nt level: a zero-byte read succeeds, FSCTL_PIPE_PEEK still shows the data,
    // and after draining reads (and peeks) fail with STATUS_PIPE_BROKEN.
    Connected pipe;
    connect(pipe);
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(write(pipe.server, "abc", 3, &iosb), STATUS_SUCCESS);
    pipe.server.reset();

    char buffer[16];
    IO_STATUS_BLOCK zero = kUntouched;
    EXPECT_EQ(read(pipe.client, buffer, 0, &zero), STATUS_SUCCESS);
    EXPECT_EQ(zero.Information, 0u);
    Peek view;
    ASSERT_EQ(peek(pipe.client, view), STATUS_SUCCESS);
    EXPECT_EQ(view.header.NamedPipeState, static_cast<ULONG>(FILE_PIPE_CLOSING_STATE));
    EXPECT_EQ(view.header.ReadDataAvailable, 3u);
    EXPECT_EQ(std::string(view.header.Data, 3), "abc");

    IO_STATUS_BLOCK drained = kUntouched;
    ASSERT_EQ(read(pipe.client, buffer, sizeof(buffer), &drained), STATUS_SUCCESS);
    EXPECT_EQ(drained.Information, 3u);
    EXPECT_EQ(std::string(buffer, 3), "abc");
    EXPECT_EQ(read(pipe.client, buffer, sizeof(buffer), &drained), STATUS_PIPE_BROKEN);
    EXPECT_EQ(peek(pipe.client, view), STATUS_PIPE_BROKEN);
}

TEST_F(PipeTest, O6_a_zero_length_read_pends_until_data_arrives) {
    // NT fact O6: completes with 0 bytes when data arrives, and the data stays in the pipe.
    Connected pipe;
    connect(pipe);
    Handle event(make_event(NotificationEvent, FALSE));
    char buffer[16];
    IO_STATUS_BLOCK pending = kUntouched;
    ASSERT_EQ(read(pipe.client, buffer, 0, &pending, event), STATUS_PENDING);
    EXPECT_EQ(event_state(event), 0);
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(write(pipe.server, "data", 4, &iosb), STATUS_SUCCESS);
    ASSERT_EQ(wait_for(event), STATUS_SUCCESS);
    EXPECT_EQ(pending.Status, STATUS_SUCCESS);
    EXPECT_EQ(pending.Information, 0u);
    EXPECT_EQ(local_information(pipe.client).ReadDataAvailable, 4u);
    ASSERT_EQ(read(pipe.client, buffer, sizeof(buffer), &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 4u);
    EXPECT_EQ(std::string(buffer, 4), "data");
}

TEST_F(PipeTest, O7_cancelling_a_pending_write_keeps_the_other_queued_writes) {
    // NT fact O7: with a 16-byte inbound quota, the 64-byte write pends behind the first; cancelling
    // it leaves the first and the one queued after it.
    ServerOptions options;
    options.inbound_quota = 16;
    Connected pipe;
    connect(pipe, options);
    std::string first(8, '1'), large(64, 'L'), last(8, '3');
    IO_STATUS_BLOCK w1 = kUntouched, w2 = kUntouched, w3 = kUntouched;
    Handle e2(make_event(NotificationEvent, FALSE)), e3(make_event(NotificationEvent, FALSE));
    ASSERT_EQ(write(pipe.client, first.data(), 8, &w1), STATUS_SUCCESS);
    ASSERT_EQ(write(pipe.client, large.data(), 64, &w2, e2), STATUS_PENDING);
    ASSERT_EQ(write(pipe.client, last.data(), 8, &w3, e3), STATUS_PENDING);

    IO_STATUS_BLOCK cancel{};
    ASSERT_EQ(NtCancelIoFileEx(pipe.client, &w2, &cancel), STATUS_SUCCESS);
    ASSERT_EQ(wait_for(e2), STATUS_SUCCESS);
    EXPECT_EQ(w2.Status, STATUS_CANCELLED);
    EXPECT_EQ(event_state(e3), 0);

    char buffer[128] = {};
    IO_STATUS_BLOCK iosb{};
    ULONG total = 0;
    while (total < 16) {
        ASSERT_EQ(read(pipe.server, buffer + total, sizeof(buffer) - total, &iosb), STATUS_SUCCESS);
        total += static_cast<ULONG>(iosb.Information);
    }
    EXPECT_EQ(total, 16u);
    EXPECT_EQ(std::string(buffer, 16), first + last);
    ASSERT_EQ(wait_for(e3), STATUS_SUCCESS);
    EXPECT_EQ(w3.Status, STATUS_SUCCESS);
    EXPECT_EQ(w3.Information, 8u);
}

TEST_F(PipeTest, O7_a_cancelled_transceive_keeps_the_data_it_wrote) {
    // NT fact O7: the request a transceive wrote stays queued when the transceive is cancelled.
    ServerOptions options;
    options.type = FILE_PIPE_MESSAGE_TYPE;
    options.read_mode = FILE_PIPE_MESSAGE_MODE;
    Connected pipe;
    connect(pipe, options);
    ASSERT_EQ(set_pipe_mode(pipe.client, FILE_PIPE_MESSAGE_MODE), STATUS_SUCCESS);
    Handle event(make_event(NotificationEvent, FALSE));
    char reply[32];
    IO_STATUS_BLOCK iosb = kUntouched;
    ASSERT_EQ(fsctl(pipe.client, FSCTL_PIPE_TRANSCEIVE, &iosb, event, nullptr, nullptr, const_cast<char*>("req"), 3,
                    reply, sizeof(reply)),
              STATUS_PENDING);
    IO_STATUS_BLOCK cancel{};
    ASSERT_EQ(NtCancelIoFile(pipe.client, &cancel), STATUS_SUCCESS);
    ASSERT_EQ(wait_for(event), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_CANCELLED);

    char buffer[16];
    IO_STATUS_BLOCK got{};
    ASSERT_EQ(read(pipe.server, buffer, sizeof(buffer), &got), STATUS_SUCCESS);
    EXPECT_EQ(got.Information, 3u);
    EXPECT_EQ(std::string(buffer, 3), "req");
}

TEST_F(PipeTest, O8_read_or_write_on_a_listening_server_is_pipe_listening) {
    // NT fact O8.
    Handle server;
    ASSERT_EQ(create_server(server.out()), STATUS_SUCCESS);
    char buffer[4];
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(read(server, buffer, sizeof(buffer), &iosb), STATUS_PIPE_LISTENING);
    EXPECT_EQ(write(server, "x", 1, &iosb), STATUS_PIPE_LISTENING);
    EXPECT_TRUE(untouched(iosb));
}

TEST_F(PipeTest, O8_disconnect_ends_a_pending_client_read_and_both_ends_stay_disconnected) {
    // NT fact O8.
    Connected pipe;
    connect(pipe);
    Handle event(make_event(NotificationEvent, FALSE));
    char buffer[8];
    IO_STATUS_BLOCK pending = kUntouched;
    ASSERT_EQ(read(pipe.client, buffer, sizeof(buffer), &pending, event), STATUS_PENDING);
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(fsctl(pipe.server, FSCTL_PIPE_DISCONNECT, &iosb), STATUS_SUCCESS);
    ASSERT_EQ(wait_for(event), STATUS_SUCCESS);
    EXPECT_EQ(pending.Status, STATUS_PIPE_DISCONNECTED);

    EXPECT_EQ(read(pipe.client, buffer, sizeof(buffer), &iosb), STATUS_PIPE_DISCONNECTED);
    EXPECT_EQ(write(pipe.client, "x", 1, &iosb), STATUS_PIPE_DISCONNECTED);
    EXPECT_EQ(read(pipe.server, buffer, sizeof(buffer), &iosb), STATUS_PIPE_DISCONNECTED);
    EXPECT_EQ(write(pipe.server, "x", 1, &iosb), STATUS_PIPE_DISCONNECTED);
    EXPECT_EQ(local_information(pipe.server).NamedPipeState, static_cast<ULONG>(FILE_PIPE_DISCONNECTED_STATE));
}

TEST_F(PipeTest, O8_closing_one_end_breaks_the_other_ends_reads_and_closes_its_writes) {
    // NT fact O8, server closed: the pending client read is STATUS_PIPE_BROKEN, then client reads
    // STATUS_PIPE_BROKEN and client writes STATUS_PIPE_CLOSING.
    for (bool close_server : {true, false}) {
        SCOPED_TRACE(close_server ? "server closed" : "client closed");
        Connected pipe;
        connect(pipe);
        Handle& closer = close_server ? pipe.server : pipe.client;
        Handle& other = close_server ? pipe.client : pipe.server;
        Handle event(make_event(NotificationEvent, FALSE));
        char buffer[8];
        IO_STATUS_BLOCK pending = kUntouched;
        ASSERT_EQ(read(other, buffer, sizeof(buffer), &pending, event), STATUS_PENDING);
        closer.reset();
        ASSERT_EQ(wait_for(event), STATUS_SUCCESS);
        EXPECT_EQ(pending.Status, STATUS_PIPE_BROKEN);
        IO_STATUS_BLOCK iosb{};
        EXPECT_EQ(read(other, buffer, sizeof(buffer), &iosb), STATUS_PIPE_BROKEN);
        EXPECT_EQ(write(other, "x", 1, &iosb), STATUS_PIPE_CLOSING);
    }
}

TEST_F(PipeTest, F6_closing_the_server_end_posts_pipe_broken_for_a_pending_read) {
    // NT fact F6: the server's own pending read ends with a packet {STATUS_PIPE_BROKEN, 0}.
    Connected pipe;
    connect(pipe);
    Handle port;
    ASSERT_EQ(NtCreateIoCompletion(port.out(), IO_COMPLETION_ALL_ACCESS, nullptr, 0), STATUS_SUCCESS);
    FILE_COMPLETION_INFORMATION bind{port, reinterpret_cast<PVOID>(0x77)};
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(NtSetInformationFile(pipe.server, &iosb, &bind, sizeof(bind), FileCompletionInformation), STATUS_SUCCESS);
    char buffer[8];
    IO_STATUS_BLOCK pending = kUntouched;
    ASSERT_EQ(read(pipe.server, buffer, sizeof(buffer), &pending, nullptr, nullptr, reinterpret_cast<PVOID>(0x99)),
              STATUS_PENDING);
    pipe.server.reset();

    PVOID key = nullptr;
    PVOID value = nullptr;
    IO_STATUS_BLOCK packet = kUntouched;
    LARGE_INTEGER timeout = relative_ms(10000);
    ASSERT_EQ(NtRemoveIoCompletion(port, &key, &value, &packet, &timeout), STATUS_SUCCESS);
    EXPECT_EQ(key, reinterpret_cast<PVOID>(0x77));
    EXPECT_EQ(value, reinterpret_cast<PVOID>(0x99));
    EXPECT_EQ(packet.Status, STATUS_PIPE_BROKEN);
    EXPECT_EQ(packet.Information, 0u);
}

TEST_F(PipeTest, I12_blocking_reads_on_synchronous_pipe_handles) {
    // NT fact I12: no event or APC: the read blocks and returns the bytes available.
    Connected pipe;
    connect(pipe, {}, /*client_overlapped=*/false);
    std::thread writer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        IO_STATUS_BLOCK iosb{};
        EXPECT_EQ(write(pipe.server, "ab", 2, &iosb), STATUS_SUCCESS);
    });
    char buffer[16];
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(read(pipe.client, buffer, sizeof(buffer), &iosb), STATUS_SUCCESS);
    writer.join();
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 2u);
    EXPECT_EQ(std::string(buffer, 2), "ab");

    // With an event and an APC: the event is signalled and the APC runs at the next alertable wait.
    IO_STATUS_BLOCK written{};
    ASSERT_EQ(write(pipe.server, "xyz", 3, &written), STATUS_SUCCESS);
    Handle event(make_event(NotificationEvent, FALSE));
    ULONG apcs = 0;
    EXPECT_EQ(read(pipe.client, buffer, sizeof(buffer), &iosb, event, count_apc, &apcs), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 3u);
    EXPECT_EQ(event_state(event), 1);
    EXPECT_EQ(apcs, 0u);
    EXPECT_EQ(run_apcs(), STATUS_USER_APC);
    EXPECT_EQ(apcs, 1u);
}

TEST_F(PipeTest, I12_a_blocking_read_on_an_alertable_handle_runs_its_apc_once) {
    // NT fact I12, FILE_SYNCHRONOUS_IO_ALERT: the read blocks until data comes; its APC runs once,
    // during the blocking wait or at the next alertable wait.
    Handle server;
    ASSERT_EQ(create_server(server.out()), STATUS_SUCCESS);
    ObjectName name(kPipe);
    IO_STATUS_BLOCK open_iosb{};
    Handle client;
    ASSERT_EQ(NtCreateFile(client.out(), GENERIC_READ | GENERIC_WRITE | SYNCHRONIZE, name.get(), &open_iosb, nullptr, 0,
                           FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, FILE_SYNCHRONOUS_IO_ALERT, nullptr, 0),
              STATUS_SUCCESS);
    std::thread writer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        IO_STATUS_BLOCK iosb{};
        EXPECT_EQ(write(server, "abc", 3, &iosb), STATUS_SUCCESS);
    });
    Handle event(make_event(NotificationEvent, FALSE));
    ULONG apcs = 0;
    char buffer[8];
    IO_STATUS_BLOCK iosb = kUntouched;
    const NTSTATUS status = read(client, buffer, sizeof(buffer), &iosb, event, count_apc, &apcs);
    writer.join();
    EXPECT_TRUE(status == STATUS_SUCCESS || status == STATUS_USER_APC) << std::hex << status;
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 3u);
    EXPECT_EQ(event_state(event), 1);
    (void)run_apcs();
    EXPECT_EQ(apcs, 1u);
}

}  // namespace
}  // namespace ntio::test::pipes

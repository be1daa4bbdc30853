// Completion ports and file-object signalling with pipes on npfs.sys, the way Windows shows them: a
// synchronously successful write with and without FILE_SKIP_COMPLETION_PORT_ON_SUCCESS (F2, F12), a
// read that finds its data at once (F5), and the file handle's own signal (H1, H2, H5).
#include "pipe_test_support.hpp"

namespace ntio::test::pipes {
namespace {

struct Port {
    Handle handle;
    Port() { EXPECT_EQ(NtCreateIoCompletion(handle.out(), IO_COMPLETION_ALL_ACCESS, nullptr, 0), STATUS_SUCCESS); }
    void bind(HANDLE file, ULONG_PTR key) {
        FILE_COMPLETION_INFORMATION info{handle, reinterpret_cast<PVOID>(key)};
        IO_STATUS_BLOCK iosb{};
        ASSERT_EQ(NtSetInformationFile(file, &iosb, &info, sizeof(info), FileCompletionInformation), STATUS_SUCCESS);
    }
    // The next packet within `ms`, or STATUS_TIMEOUT.
    NTSTATUS next(IO_STATUS_BLOCK& iosb, PVOID& value, LONGLONG ms = 0) {
        PVOID key = nullptr;
        LARGE_INTEGER timeout = ms ? relative_ms(ms) : zero_timeout();
        return NtRemoveIoCompletion(handle, &key, &value, &iosb, &timeout);
    }
};

NTSTATUS skip_port_on_success(HANDLE file) {
    FILE_IO_COMPLETION_NOTIFICATION_INFORMATION info{FILE_SKIP_COMPLETION_PORT_ON_SUCCESS};
    IO_STATUS_BLOCK iosb{};
    return NtSetInformationFile(file, &iosb, &info, sizeof(info), FileIoCompletionNotificationInformation);
}

TEST_F(PipeTest, F2_F12_a_synchronous_pipe_write_posts_a_packet_unless_skipped_a_pending_one_always) {
    // NT facts F2 (pipes) and F12.
    ServerOptions options;
    options.inbound_quota = 4;
    Connected pipe;
    connect(pipe, options);
    Port port;
    port.bind(pipe.client, 1);
    IO_STATUS_BLOCK iosb = kUntouched;
    ASSERT_EQ(write(pipe.client, "ab", 2, &iosb, nullptr, nullptr, reinterpret_cast<PVOID>(0x10)), STATUS_SUCCESS);
    IO_STATUS_BLOCK packet = kUntouched;
    PVOID value = nullptr;
    ASSERT_EQ(port.next(packet, value), STATUS_SUCCESS);
    EXPECT_EQ(value, reinterpret_cast<PVOID>(0x10));
    EXPECT_EQ(packet.Information, 2u);

    ASSERT_EQ(skip_port_on_success(pipe.client), STATUS_SUCCESS);
    ASSERT_EQ(write(pipe.client, "cd", 2, &iosb, nullptr, nullptr, reinterpret_cast<PVOID>(0x11)), STATUS_SUCCESS);
    EXPECT_EQ(port.next(packet, value), STATUS_TIMEOUT);
    // The quota is full: this write pends, and its completion still posts a packet.
    IO_STATUS_BLOCK pending = kUntouched;
    ASSERT_EQ(write(pipe.client, "ef", 2, &pending, nullptr, nullptr, reinterpret_cast<PVOID>(0x12)), STATUS_PENDING);
    char buffer[8];
    IO_STATUS_BLOCK r{};
    ASSERT_EQ(read(pipe.server, buffer, sizeof(buffer), &r), STATUS_SUCCESS);
    ASSERT_EQ(port.next(packet, value, 10000), STATUS_SUCCESS);
    EXPECT_EQ(value, reinterpret_cast<PVOID>(0x12));
    EXPECT_EQ(packet.Status, STATUS_SUCCESS);
    EXPECT_EQ(packet.Information, 2u);
}

TEST_F(PipeTest, F5_a_read_that_finds_data_at_once_posts_exactly_one_packet) {
    // NT fact F5.
    Connected pipe;
    connect(pipe);
    Port port;
    port.bind(pipe.server, 2);
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(write(pipe.client, "xyz", 3, &iosb), STATUS_SUCCESS);
    char buffer[8];
    IO_STATUS_BLOCK r = kUntouched;
    ASSERT_EQ(read(pipe.server, buffer, sizeof(buffer), &r, nullptr, nullptr, reinterpret_cast<PVOID>(0x20)),
              STATUS_SUCCESS);
    EXPECT_EQ(r.Information, 3u);
    IO_STATUS_BLOCK packet = kUntouched;
    PVOID value = nullptr;
    ASSERT_EQ(port.next(packet, value), STATUS_SUCCESS);
    EXPECT_EQ(value, reinterpret_cast<PVOID>(0x20));
    EXPECT_EQ(packet.Information, 3u);
    EXPECT_EQ(port.next(packet, value), STATUS_TIMEOUT);
}

TEST_F(PipeTest, H1_H2_the_pipe_handle_is_signalled_when_idle_and_only_without_an_event) {
    // NT facts H1 and H2.
    Connected pipe;
    connect(pipe);
    LARGE_INTEGER zero = zero_timeout();
    EXPECT_EQ(NtWaitForSingleObject(pipe.client, FALSE, &zero), STATUS_SUCCESS);  // idle
    char byte;
    IO_STATUS_BLOCK r = kUntouched;
    ASSERT_EQ(read(pipe.client, &byte, 1, &r), STATUS_PENDING);
    EXPECT_EQ(NtWaitForSingleObject(pipe.client, FALSE, &zero), STATUS_TIMEOUT);
    IO_STATUS_BLOCK w{};
    ASSERT_EQ(write(pipe.server, "1", 1, &w), STATUS_SUCCESS);
    EXPECT_EQ(wait_for(pipe.client), STATUS_SUCCESS);
    EXPECT_EQ(r.Status, STATUS_SUCCESS);

    // With an event, only the event: the handle stays non-signalled after the completion.
    Handle event(make_event(NotificationEvent, FALSE));
    ASSERT_EQ(read(pipe.client, &byte, 1, &r, event), STATUS_PENDING);
    ASSERT_EQ(write(pipe.server, "2", 1, &w), STATUS_SUCCESS);
    EXPECT_EQ(wait_for(event), STATUS_SUCCESS);
    EXPECT_EQ(NtWaitForSingleObject(pipe.client, FALSE, &zero), STATUS_TIMEOUT);
}

TEST_F(PipeTest, H5_a_blocking_read_in_progress_makes_the_handle_non_signalled) {
    // NT fact H5: another thread can see that the reader has entered its read.
    Connected pipe;
    connect(pipe, {}, /*client_overlapped=*/false);
    std::atomic<bool> done{false};
    std::thread reader([&] {
        char buffer[4];
        IO_STATUS_BLOCK iosb{};
        EXPECT_EQ(read(pipe.client, buffer, sizeof(buffer), &iosb), STATUS_SUCCESS);
        EXPECT_EQ(iosb.Information, 1u);
        done = true;
    });
    LARGE_INTEGER zero = zero_timeout();
    wait_until([&] { return NtWaitForSingleObject(pipe.client, FALSE, &zero) == STATUS_TIMEOUT; });
    EXPECT_FALSE(done.load());
    IO_STATUS_BLOCK w{};
    ASSERT_EQ(write(pipe.server, "!", 1, &w), STATUS_SUCCESS);
    reader.join();
    EXPECT_EQ(NtWaitForSingleObject(pipe.client, FALSE, &zero), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test::pipes

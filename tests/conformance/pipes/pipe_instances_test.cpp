// npfs.sys instances, opens and pipe information through the NT surface: NtCreateNamedPipeFile's
// dispositions and instance limit, client opens (no pipe, no listening instance, \??\pipe), the
// FilePipe*Information classes, quotas, the nonblocking mode, FSCTL_PIPE_WAIT on the root, and
// cancelling a listen.
#include "pipe_test_support.hpp"

namespace ntio::test::pipes {
namespace {

TEST_F(PipeTest, instances_follow_the_disposition_and_the_instance_limit) {
    ServerOptions options;
    options.max_instances = 2;
    options.disposition = FILE_CREATE;
    Handle first, second, third;
    ASSERT_EQ(create_server(first.out(), options), STATUS_SUCCESS);
    // FILE_CREATE (FILE_FLAG_FIRST_PIPE_INSTANCE) on an existing name is refused.
    EXPECT_EQ(create_server(second.out(), options), STATUS_ACCESS_DENIED);
    options.disposition = FILE_OPEN;
    ASSERT_EQ(create_server(second.out(), options), STATUS_SUCCESS);
    EXPECT_EQ(create_server(third.out(), options), STATUS_INSTANCE_NOT_AVAILABLE);
    EXPECT_EQ(local_information(first).CurrentInstances, 2u);
    // Every instance has the first one's direction (its share access).
    second.reset();
    options.access = GENERIC_READ;
    options.share = FILE_SHARE_WRITE;
    EXPECT_EQ(create_server(third.out(), options), STATUS_ACCESS_DENIED);
    options.share = FILE_SHARE_DELETE;  // neither way
    EXPECT_EQ(create_server(third.out(), options), STATUS_INVALID_PARAMETER);
    options.share = FILE_SHARE_READ | FILE_SHARE_WRITE;
    // FILE_OPEN of a name nobody created.
    EXPECT_EQ(create_server(third.out(), options, L"\\Device\\NamedPipe\\ntio_no_such_pipe"),
              STATUS_OBJECT_NAME_NOT_FOUND);
}

TEST_F(PipeTest, client_opens_need_the_pipe_and_a_listening_instance) {
    Handle client;
    EXPECT_EQ(open_client(client.out()), STATUS_OBJECT_NAME_NOT_FOUND);
    Handle server;
    ASSERT_EQ(create_server(server.out()), STATUS_SUCCESS);
    ASSERT_EQ(open_client(client.out()), STATUS_SUCCESS);
    Handle second;
    EXPECT_EQ(open_client(second.out()), STATUS_PIPE_NOT_AVAILABLE);
    // The DOS name \\.\pipe\name reaches the same pipe through \??\pipe.
    Handle server2;
    ASSERT_EQ(create_server(server2.out()), STATUS_SUCCESS);
    ASSERT_EQ(open_client(second.out(), true, L"\\??\\pipe\\ntio_pipe_test"), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(write(second, "z", 1, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(local_information(server2).ReadDataAvailable, 1u);
}

TEST_F(PipeTest, names_relative_to_the_root_reach_the_same_pipes) {
    // What CreatePipe does: both ends named relative to a handle of \Device\NamedPipe\ itself.
    Handle root;
    ASSERT_EQ(open_client(root.out(), false, L"\\Device\\NamedPipe\\", FILE_READ_ATTRIBUTES), STATUS_SUCCESS);
    ObjectName relative(L"ntio_relative_pipe", OBJ_CASE_INSENSITIVE, root);
    IO_STATUS_BLOCK iosb{};
    LARGE_INTEGER timeout = relative_ms(50);
    Handle server;
    ASSERT_EQ(NtCreateNamedPipeFile(server.out(), GENERIC_READ | SYNCHRONIZE, relative.get(), &iosb, FILE_SHARE_WRITE,
                                    FILE_CREATE, FILE_SYNCHRONOUS_IO_NONALERT,
                                    FILE_PIPE_BYTE_STREAM_TYPE, FILE_PIPE_BYTE_STREAM_MODE, FILE_PIPE_QUEUE_OPERATION, 1,
                                    4096, 4096, &timeout),
              STATUS_SUCCESS);
    EXPECT_EQ(local_information(server).NamedPipeConfiguration, static_cast<ULONG>(FILE_PIPE_INBOUND));
    Handle client;
    ASSERT_EQ(NtOpenFile(client.out(), GENERIC_WRITE | SYNCHRONIZE, relative.get(), &iosb,
                         FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE),
              STATUS_SUCCESS);
    ASSERT_EQ(write(client, "anon", 4, &iosb), STATUS_SUCCESS);
    char buffer[8];
    ASSERT_EQ(read(server, buffer, sizeof(buffer), &iosb), STATUS_SUCCESS);
    EXPECT_EQ(std::string(buffer, iosb.Information), "anon");
}

TEST_F(PipeTest, a_client_may_only_move_data_the_way_the_pipe_goes) {
    ServerOptions options;
    options.access = GENERIC_READ;
    options.share = FILE_SHARE_WRITE;  // inbound: clients write
    Handle server;
    ASSERT_EQ(create_server(server.out(), options), STATUS_SUCCESS);
    EXPECT_EQ(local_information(server).NamedPipeConfiguration, static_cast<ULONG>(FILE_PIPE_INBOUND));
    Handle client;
    EXPECT_EQ(open_client(client.out(), true, kPipe, GENERIC_READ | GENERIC_WRITE), STATUS_ACCESS_DENIED);
    ASSERT_EQ(open_client(client.out(), true, kPipe, GENERIC_WRITE), STATUS_SUCCESS);
    server.reset();
    client.reset();
    options.access = GENERIC_WRITE;
    options.share = FILE_SHARE_READ;  // outbound: clients read
    ASSERT_EQ(create_server(server.out(), options), STATUS_SUCCESS);
    EXPECT_EQ(open_client(client.out(), true, kPipe, GENERIC_WRITE), STATUS_ACCESS_DENIED);
    EXPECT_EQ(open_client(client.out(), true, kPipe, GENERIC_READ), STATUS_SUCCESS);
}

TEST_F(PipeTest, a_flush_waits_until_the_other_end_has_read_everything) {
    // FlushFileBuffers on Learn: on a pipe it returns once the other end has read all the data.
    Connected pipe;
    connect(pipe);
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(NtFlushBuffersFile(pipe.server, &iosb), STATUS_SUCCESS);  // nothing written
    ASSERT_EQ(write(pipe.server, "abcd", 4, &iosb), STATUS_SUCCESS);
    Handle event(make_event(NotificationEvent, FALSE));
    IO_STATUS_BLOCK flush = kUntouched;
    std::thread flusher([&] {
        // NtFlushBuffersFile returns when the flush is done, even on an overlapped handle.
        EXPECT_EQ(NtFlushBuffersFile(pipe.server, &flush), STATUS_SUCCESS);
        NtSetEvent(event, nullptr);
    });
    char buffer[8];
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(event_state(event), 0);
    ASSERT_EQ(read(pipe.client, buffer, 2, &iosb), STATUS_SUCCESS);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(event_state(event), 0);  // two bytes still unread
    ASSERT_EQ(read(pipe.client, buffer, 2, &iosb), STATUS_SUCCESS);
    ASSERT_EQ(wait_for(event), STATUS_SUCCESS);
    flusher.join();
    EXPECT_EQ(flush.Status, STATUS_SUCCESS);
}

TEST_F(PipeTest, pipe_local_information_describes_each_end) {
    ServerOptions options;
    options.type = FILE_PIPE_MESSAGE_TYPE;
    options.read_mode = FILE_PIPE_MESSAGE_MODE;
    options.inbound_quota = 100;
    options.outbound_quota = 200;
    Connected pipe;
    connect(pipe, options);
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(write(pipe.client, "12345", 5, &iosb), STATUS_SUCCESS);

    FILE_PIPE_LOCAL_INFORMATION server = local_information(pipe.server);
    EXPECT_EQ(server.NamedPipeType, static_cast<ULONG>(FILE_PIPE_MESSAGE_TYPE));
    EXPECT_EQ(server.NamedPipeConfiguration, static_cast<ULONG>(FILE_PIPE_FULL_DUPLEX));
    EXPECT_EQ(server.MaximumInstances, 4u);
    EXPECT_EQ(server.CurrentInstances, 1u);
    EXPECT_EQ(server.InboundQuota, 100u);
    EXPECT_EQ(server.OutboundQuota, 200u);
    EXPECT_EQ(server.ReadDataAvailable, 5u);
    EXPECT_EQ(server.WriteQuotaAvailable, 200u);
    EXPECT_EQ(server.NamedPipeState, static_cast<ULONG>(FILE_PIPE_CONNECTED_STATE));
    EXPECT_EQ(server.NamedPipeEnd, static_cast<ULONG>(FILE_PIPE_SERVER_END));
    FILE_PIPE_LOCAL_INFORMATION client = local_information(pipe.client);
    EXPECT_EQ(client.ReadDataAvailable, 0u);
    EXPECT_EQ(client.WriteQuotaAvailable, 95u);
    EXPECT_EQ(client.NamedPipeEnd, static_cast<ULONG>(FILE_PIPE_CLIENT_END));

    // FilePipeInformation: the server has its create modes, the client starts in byte mode.
    FILE_PIPE_INFORMATION modes{};
    ASSERT_EQ(NtQueryInformationFile(pipe.server, &iosb, &modes, sizeof(modes), FilePipeInformation), STATUS_SUCCESS);
    EXPECT_EQ(modes.ReadMode, static_cast<ULONG>(FILE_PIPE_MESSAGE_MODE));
    ASSERT_EQ(NtQueryInformationFile(pipe.client, &iosb, &modes, sizeof(modes), FilePipeInformation), STATUS_SUCCESS);
    EXPECT_EQ(modes.ReadMode, static_cast<ULONG>(FILE_PIPE_BYTE_STREAM_MODE));
    EXPECT_EQ(modes.CompletionMode, static_cast<ULONG>(FILE_PIPE_QUEUE_OPERATION));
    ASSERT_EQ(set_pipe_mode(pipe.client, FILE_PIPE_MESSAGE_MODE, FILE_PIPE_COMPLETE_OPERATION), STATUS_SUCCESS);
    ASSERT_EQ(NtQueryInformationFile(pipe.client, &iosb, &modes, sizeof(modes), FilePipeInformation), STATUS_SUCCESS);
    EXPECT_EQ(modes.ReadMode, static_cast<ULONG>(FILE_PIPE_MESSAGE_MODE));
    EXPECT_EQ(modes.CompletionMode, static_cast<ULONG>(FILE_PIPE_COMPLETE_OPERATION));
}

TEST_F(PipeTest, message_read_mode_needs_a_message_pipe) {
    Connected pipe;
    connect(pipe);
    EXPECT_EQ(set_pipe_mode(pipe.client, FILE_PIPE_MESSAGE_MODE), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(set_pipe_mode(pipe.client, 2), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(set_pipe_mode(pipe.client, FILE_PIPE_BYTE_STREAM_MODE), STATUS_SUCCESS);
}

TEST_F(PipeTest, a_write_past_the_quota_pends_until_the_reader_makes_room) {
    ServerOptions options;
    options.outbound_quota = 4;
    Connected pipe;
    connect(pipe, options);
    Handle port;
    ASSERT_EQ(NtCreateIoCompletion(port.out(), IO_COMPLETION_ALL_ACCESS, nullptr, 0), STATUS_SUCCESS);
    FILE_COMPLETION_INFORMATION bind{port, reinterpret_cast<PVOID>(5)};
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(NtSetInformationFile(pipe.server, &iosb, &bind, sizeof(bind), FileCompletionInformation), STATUS_SUCCESS);
    IO_STATUS_BLOCK pending = kUntouched;
    ASSERT_EQ(write(pipe.server, "0123456789", 10, &pending, nullptr, nullptr, reinterpret_cast<PVOID>(6)),
              STATUS_PENDING);
    EXPECT_TRUE(untouched(pending));
    EXPECT_EQ(local_information(pipe.client).ReadDataAvailable, 10u);

    char buffer[16];
    ASSERT_EQ(read(pipe.client, buffer, 6, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(std::string(buffer, 6), "012345");
    PVOID key = nullptr, value = nullptr;
    IO_STATUS_BLOCK packet{};
    LARGE_INTEGER timeout = relative_ms(10000);
    ASSERT_EQ(NtRemoveIoCompletion(port, &key, &value, &packet, &timeout), STATUS_SUCCESS);
    EXPECT_EQ(value, reinterpret_cast<PVOID>(6));
    EXPECT_EQ(packet.Status, STATUS_SUCCESS);
    EXPECT_EQ(packet.Information, 10u);
    ASSERT_EQ(read(pipe.client, buffer, sizeof(buffer), &iosb), STATUS_SUCCESS);
    EXPECT_EQ(std::string(buffer, iosb.Information), "6789");
}

TEST_F(PipeTest, the_nonblocking_mode_neither_waits_to_read_nor_to_listen) {
    ServerOptions options;
    options.completion = FILE_PIPE_COMPLETE_OPERATION;
    Handle server;
    ASSERT_EQ(create_server(server.out(), options), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(fsctl(server, FSCTL_PIPE_LISTEN, &iosb), STATUS_PIPE_LISTENING);
    Handle client;
    ASSERT_EQ(open_client(client.out()), STATUS_SUCCESS);
    char buffer[4];
    EXPECT_EQ(read(server, buffer, sizeof(buffer), &iosb), STATUS_PIPE_EMPTY);
}

TEST_F(PipeTest, peek_shows_the_first_message_and_overflows_a_short_buffer) {
    ServerOptions options;
    options.type = FILE_PIPE_MESSAGE_TYPE;
    options.read_mode = FILE_PIPE_MESSAGE_MODE;
    Connected pipe;
    connect(pipe, options);
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(write(pipe.client, "first", 5, &iosb), STATUS_SUCCESS);
    ASSERT_EQ(write(pipe.client, "second", 6, &iosb), STATUS_SUCCESS);
    Peek view;
    ASSERT_EQ(peek(pipe.server, view), STATUS_SUCCESS);
    EXPECT_EQ(view.header.NamedPipeState, static_cast<ULONG>(FILE_PIPE_CONNECTED_STATE));
    EXPECT_EQ(view.header.ReadDataAvailable, 11u);
    EXPECT_EQ(view.header.NumberOfMessages, 2u);
    EXPECT_EQ(view.header.MessageLength, 5u);
    EXPECT_EQ(std::string(view.header.Data, 5), "first");
    IO_STATUS_BLOCK peeked{};
    EXPECT_EQ(peek(pipe.server, view, 2, &peeked), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(peeked.Information, FIELD_OFFSET(FILE_PIPE_PEEK_BUFFER, Data) + 2u);
    EXPECT_EQ(local_information(pipe.server).ReadDataAvailable, 11u);  // peeking takes nothing
    IO_STATUS_BLOCK tiny{};
    FILE_PIPE_PEEK_BUFFER header{};
    EXPECT_EQ(fsctl(pipe.server, FSCTL_PIPE_PEEK, &tiny, nullptr, nullptr, nullptr, nullptr, 0, &header, 8),
              STATUS_BUFFER_TOO_SMALL);
}

TEST_F(PipeTest, transceive_writes_a_message_and_reads_the_reply) {
    ServerOptions options;
    options.type = FILE_PIPE_MESSAGE_TYPE;
    options.read_mode = FILE_PIPE_MESSAGE_MODE;
    Connected pipe;
    connect(pipe, options);
    char reply[16] = {};
    IO_STATUS_BLOCK iosb = kUntouched;
    // The client is still in byte read mode.
    EXPECT_EQ(fsctl(pipe.client, FSCTL_PIPE_TRANSCEIVE, &iosb, nullptr, nullptr, nullptr, const_cast<char*>("ping"),
                    4, reply, sizeof(reply)),
              STATUS_INVALID_PIPE_STATE);
    ASSERT_EQ(set_pipe_mode(pipe.client, FILE_PIPE_MESSAGE_MODE), STATUS_SUCCESS);
    Handle event(make_event(NotificationEvent, FALSE));
    ASSERT_EQ(fsctl(pipe.client, FSCTL_PIPE_TRANSCEIVE, &iosb, event, nullptr, nullptr, const_cast<char*>("ping"), 4,
                    reply, sizeof(reply)),
              STATUS_PENDING);
    char request[16];
    IO_STATUS_BLOCK got{};
    ASSERT_EQ(read(pipe.server, request, sizeof(request), &got), STATUS_SUCCESS);
    EXPECT_EQ(std::string(request, got.Information), "ping");
    ASSERT_EQ(write(pipe.server, "pong!", 5, &got), STATUS_SUCCESS);
    ASSERT_EQ(wait_for(event), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 5u);
    EXPECT_EQ(std::string(reply, 5), "pong!");
    // Unread data on the client end: the transceive is refused.
    ASSERT_EQ(write(pipe.server, "extra", 5, &got), STATUS_SUCCESS);
    EXPECT_EQ(fsctl(pipe.client, FSCTL_PIPE_TRANSCEIVE, &iosb, nullptr, nullptr, nullptr, const_cast<char*>("ping"),
                    4, reply, sizeof(reply)),
              STATUS_PIPE_BUSY);
}

TEST_F(PipeTest, transceive_refuses_bad_buffers_before_writing_anything) {
    // [MS-FSCC] 2.3.48: STATUS_INVALID_USER_BUFFER when a user buffer cannot be accessed.
    ServerOptions options;
    options.type = FILE_PIPE_MESSAGE_TYPE;
    options.read_mode = FILE_PIPE_MESSAGE_MODE;
    Connected pipe;
    connect(pipe, options);
    ASSERT_EQ(set_pipe_mode(pipe.client, FILE_PIPE_MESSAGE_MODE), STATUS_SUCCESS);
    BadMemory bad;
    char reply[16];
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(fsctl(pipe.client, FSCTL_PIPE_TRANSCEIVE, &iosb, nullptr, nullptr, nullptr, bad.no_access<char>(), 4,
                    reply, sizeof(reply)),
              STATUS_INVALID_USER_BUFFER);
    EXPECT_EQ(fsctl(pipe.client, FSCTL_PIPE_TRANSCEIVE, &iosb, nullptr, nullptr, nullptr, const_cast<char*>("ping"), 4,
                    bad.read_only<char>(), 16),
              STATUS_INVALID_USER_BUFFER);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_EQ(local_information(pipe.server).ReadDataAvailable, 0u);
}

// FSCTL_PIPE_WAIT on \Device\NamedPipe itself, with the pipe name (no backslash) and a timeout.
NTSTATUS wait_named_pipe(HANDLE root, const std::u16string& name, LONGLONG timeout_ms, HANDLE event = nullptr,
                         IO_STATUS_BLOCK* iosb_out = nullptr) {
    alignas(8) char storage[256] = {};
    auto* request = reinterpret_cast<FILE_PIPE_WAIT_FOR_BUFFER*>(storage);
    request->Timeout = relative_ms(timeout_ms);
    request->TimeoutSpecified = TRUE;
    request->NameLength = static_cast<ULONG>(name.size() * sizeof(WCHAR));
    std::memcpy(request->Name, name.data(), request->NameLength);
    static IO_STATUS_BLOCK scratch;
    IO_STATUS_BLOCK* iosb = iosb_out ? iosb_out : &scratch;
    return fsctl(root, FSCTL_PIPE_WAIT, iosb, event, nullptr, nullptr, request,
                 FIELD_OFFSET(FILE_PIPE_WAIT_FOR_BUFFER, Name) + request->NameLength);
}

TEST_F(PipeTest, wait_on_the_root_finds_a_listening_instance_or_times_out) {
    Handle root;
    ASSERT_EQ(open_client(root.out(), false, L"\\Device\\NamedPipe\\", FILE_READ_ATTRIBUTES), STATUS_SUCCESS);
    EXPECT_EQ(wait_named_pipe(root, u"ntio_pipe_test", 10), STATUS_OBJECT_NAME_NOT_FOUND);
    Connected pipe;
    connect(pipe);
    // The only instance is taken: the wait times out.
    EXPECT_EQ(wait_named_pipe(root, u"ntio_pipe_test", 20), STATUS_IO_TIMEOUT);
    // A second instance listens: the wait succeeds at once.
    Handle server2;
    ASSERT_EQ(create_server(server2.out()), STATUS_SUCCESS);
    EXPECT_EQ(wait_named_pipe(root, u"NTIO_PIPE_TEST", 10000), STATUS_SUCCESS);
}

TEST_F(PipeTest, a_waiting_wait_completes_when_an_instance_starts_listening) {
    Handle root;
    ASSERT_EQ(open_client(root.out(), true, L"\\Device\\NamedPipe\\", FILE_READ_ATTRIBUTES), STATUS_SUCCESS);
    Connected pipe;
    connect(pipe);
    Handle event(make_event(NotificationEvent, FALSE));
    IO_STATUS_BLOCK iosb = kUntouched;
    ASSERT_EQ(wait_named_pipe(root, u"ntio_pipe_test", 10000, event, &iosb), STATUS_PENDING);
    IO_STATUS_BLOCK disconnect{};
    ASSERT_EQ(fsctl(pipe.server, FSCTL_PIPE_DISCONNECT, &disconnect), STATUS_SUCCESS);
    IO_STATUS_BLOCK listen = kUntouched;
    ASSERT_EQ(fsctl(pipe.server, FSCTL_PIPE_LISTEN, &listen), STATUS_PENDING);
    ASSERT_EQ(wait_for(event), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    // The instance listens again: a new wait succeeds at once. Closing the server ends the listen.
    EXPECT_EQ(wait_named_pipe(root, u"ntio_pipe_test", 10000), STATUS_SUCCESS);
    pipe.server.reset();
    EXPECT_EQ(listen.Status, STATUS_PIPE_BROKEN);
}

TEST_F(PipeTest, a_waiting_wait_is_cancellable) {
    Handle root;
    ASSERT_EQ(open_client(root.out(), true, L"\\Device\\NamedPipe\\", FILE_READ_ATTRIBUTES), STATUS_SUCCESS);
    Connected pipe;
    connect(pipe);
    Handle event(make_event(NotificationEvent, FALSE));
    IO_STATUS_BLOCK iosb = kUntouched;
    ASSERT_EQ(wait_named_pipe(root, u"ntio_pipe_test", 10000, event, &iosb), STATUS_PENDING);
    IO_STATUS_BLOCK cancel{};
    ASSERT_EQ(NtCancelIoFile(root, &cancel), STATUS_SUCCESS);
    ASSERT_EQ(wait_for(event), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_CANCELLED);
}

TEST_F(PipeTest, a_pending_listen_is_cancellable) {
    Handle server;
    ASSERT_EQ(create_server(server.out()), STATUS_SUCCESS);
    Handle event(make_event(NotificationEvent, FALSE));
    IO_STATUS_BLOCK iosb = kUntouched;
    ASSERT_EQ(fsctl(server, FSCTL_PIPE_LISTEN, &iosb, event), STATUS_PENDING);
    IO_STATUS_BLOCK cancel{};
    ASSERT_EQ(NtCancelIoFile(server, &cancel), STATUS_SUCCESS);
    ASSERT_EQ(wait_for(event), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_CANCELLED);
    // The instance still listens: a client connects.
    Handle client;
    EXPECT_EQ(open_client(client.out()), STATUS_SUCCESS);
}

TEST_F(PipeTest, closing_a_server_with_pending_reads_and_writes_leaves_nothing_pending) {
    ServerOptions options;
    options.outbound_quota = 0;
    Connected pipe;
    connect(pipe, options);
    Handle read_event(make_event(NotificationEvent, FALSE)), write_event(make_event(NotificationEvent, FALSE));
    char buffer[8];
    IO_STATUS_BLOCK r = kUntouched, w = kUntouched;
    ASSERT_EQ(read(pipe.server, buffer, sizeof(buffer), &r, read_event), STATUS_PENDING);
    ASSERT_EQ(write(pipe.server, "abc", 3, &w, write_event), STATUS_PENDING);  // a zero quota: waits for a reader
    pipe.server.reset();
    ASSERT_EQ(wait_for(read_event), STATUS_SUCCESS);
    ASSERT_EQ(wait_for(write_event), STATUS_SUCCESS);
    EXPECT_EQ(r.Status, STATUS_PIPE_BROKEN);
    EXPECT_EQ(w.Status, STATUS_PIPE_BROKEN);
}

}  // namespace
}  // namespace ntio::test::pipes

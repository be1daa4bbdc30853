// Messages on msfs.sys: each client write queues one message, each server read takes one whole
// message in order; a buffer too small for the next message leaves it queued; an empty mailslot
// times out after its read timeout; only clients write and only the server reads. Facts from
// CreateMailslot on Microsoft Learn and the behaviour Windows shows (Wine's kernel32 mailslot tests).
#include "mailslot_test_support.hpp"

namespace ntio::test::mailslots {
namespace {

TEST_F(MailslotTest, messages_come_out_whole_and_in_order_including_empty_ones) {
    Slot slot;
    make_slot(slot);
    ASSERT_EQ(write_slot(slot.client.get(), "a", 1), STATUS_SUCCESS);
    IO_STATUS_BLOCK w = kUntouched;
    ASSERT_EQ(write_slot(slot.client.get(), "bc", 2, &w), STATUS_SUCCESS);
    EXPECT_EQ(w.Information, 2u);
    ASSERT_EQ(write_slot(slot.client.get(), "", 0), STATUS_SUCCESS);
    char buffer[16] = {};
    IO_STATUS_BLOCK r = kUntouched;
    ASSERT_EQ(read_slot(slot.server.get(), buffer, sizeof(buffer), &r), STATUS_SUCCESS);
    EXPECT_EQ(r.Information, 1u);
    EXPECT_EQ(buffer[0], 'a');
    ASSERT_EQ(read_slot(slot.server.get(), buffer, sizeof(buffer), &r), STATUS_SUCCESS);
    EXPECT_EQ(r.Information, 2u);
    EXPECT_EQ(std::memcmp(buffer, "bc", 2), 0);
    r = kUntouched;
    ASSERT_EQ(read_slot(slot.server.get(), buffer, sizeof(buffer), &r), STATUS_SUCCESS);
    EXPECT_EQ(r.Information, 0u);
    EXPECT_EQ(read_slot(slot.server.get(), buffer, sizeof(buffer), &r), STATUS_IO_TIMEOUT);
}

TEST_F(MailslotTest, a_buffer_too_small_for_the_message_leaves_it_queued) {
    Slot slot;
    make_slot(slot);
    ASSERT_EQ(write_slot(slot.client.get(), "hello", 5), STATUS_SUCCESS);
    char buffer[8] = {};
    IO_STATUS_BLOCK r{};
    EXPECT_EQ(read_slot(slot.server.get(), buffer, 4, &r), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(read_slot(slot.server.get(), buffer, 0, &r), STATUS_BUFFER_TOO_SMALL);
    auto info = mailslot_information(slot.server.get());
    EXPECT_EQ(info.NextMessageSize, 5u);
    EXPECT_EQ(info.MessagesAvailable, 1u);
    ASSERT_EQ(read_slot(slot.server.get(), buffer, 5, &r), STATUS_SUCCESS);
    EXPECT_EQ(r.Information, 5u);
    EXPECT_EQ(std::memcmp(buffer, "hello", 5), 0);
}

TEST_F(MailslotTest, an_empty_mailslot_with_timeout_zero_answers_at_once_even_a_zero_length_read) {
    Slot slot;
    make_slot(slot);
    char buffer[4];
    IO_STATUS_BLOCK r = kUntouched;
    EXPECT_EQ(read_slot(slot.server.get(), buffer, 0, &r), STATUS_IO_TIMEOUT);
    EXPECT_EQ(read_slot(slot.server.get(), buffer, sizeof(buffer), &r), STATUS_IO_TIMEOUT);
}

TEST_F(MailslotTest, a_read_waits_up_to_the_read_timeout) {
    Handle server;
    ASSERT_EQ(create_mailslot(server.out(), 100, 0, false), STATUS_SUCCESS);
    char buffer[4];
    IO_STATUS_BLOCK r = kUntouched;
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(read_slot(server.get(), buffer, sizeof(buffer), &r), STATUS_IO_TIMEOUT);
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(90));
}

TEST_F(MailslotTest, a_synchronous_read_waiting_forever_gets_the_next_message) {
    Handle server, client;
    ASSERT_EQ(create_mailslot(server.out(), kForever, 0, false), STATUS_SUCCESS);
    ASSERT_EQ(open_mailslot_client(client.out()), STATUS_SUCCESS);
    std::thread writer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        EXPECT_EQ(write_slot(client.get(), "late", 4), STATUS_SUCCESS);
    });
    char buffer[8] = {};
    IO_STATUS_BLOCK r = kUntouched;
    EXPECT_EQ(read_slot(server.get(), buffer, sizeof(buffer), &r), STATUS_SUCCESS);
    writer.join();
    EXPECT_EQ(r.Status, STATUS_SUCCESS);
    EXPECT_EQ(r.Information, 4u);
    EXPECT_EQ(std::memcmp(buffer, "late", 4), 0);
}

TEST_F(MailslotTest, a_message_above_the_maximum_size_is_refused) {
    Slot slot;
    make_slot(slot, 0, 4);
    EXPECT_EQ(write_slot(slot.client.get(), "12345", 5), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(write_slot(slot.client.get(), "1234", 4), STATUS_SUCCESS);
    auto info = mailslot_information(slot.server.get());
    EXPECT_EQ(info.MessagesAvailable, 1u);
    EXPECT_EQ(info.NextMessageSize, 4u);
}

TEST_F(MailslotTest, the_server_does_not_write_and_a_client_does_not_read) {
    Handle server, writable_server, client;
    ASSERT_EQ(create_mailslot(server.out()), STATUS_SUCCESS);
    // The server handle CreateMailslot gives has no write access: the I/O manager refuses.
    EXPECT_EQ(write_slot(server.get(), "x", 1), STATUS_ACCESS_DENIED);
    server.reset();
    ObjectName object(kMailslot);
    IO_STATUS_BLOCK iosb{};
    LARGE_INTEGER timeout = zero_timeout();
    ASSERT_EQ(NtCreateMailslotFile(writable_server.out(), GENERIC_READ | GENERIC_WRITE | SYNCHRONIZE, object.get(),
                                   &iosb, FILE_SYNCHRONOUS_IO_NONALERT, 0, 0, &timeout),
              STATUS_SUCCESS);
    EXPECT_EQ(write_slot(writable_server.get(), "x", 1), STATUS_ACCESS_DENIED);
    ASSERT_EQ(open_mailslot_client(client.out(), kMailslot, GENERIC_READ | GENERIC_WRITE), STATUS_SUCCESS);
    char buffer[4];
    IO_STATUS_BLOCK r{};
    EXPECT_EQ(read_slot(client.get(), buffer, sizeof(buffer), &r), STATUS_INVALID_PARAMETER);
    ASSERT_EQ(write_slot(client.get(), "y", 1), STATUS_SUCCESS);
    EXPECT_EQ(read_slot(client.get(), buffer, sizeof(buffer), &r), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(read_slot(writable_server.get(), buffer, sizeof(buffer), &r), STATUS_SUCCESS);
    EXPECT_EQ(r.Information, 1u);
}

}  // namespace
}  // namespace ntio::test::mailslots

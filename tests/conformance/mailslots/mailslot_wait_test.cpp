// Waiting reads on msfs.sys: an asynchronous read of an empty mailslot pends until a client writes
// (completing through its event, its APC or the completion port), times out after the read timeout,
// is cancelled by NtCancelIoFile, or ends when the server's last handle closes.
#include "mailslot_test_support.hpp"

namespace ntio::test::mailslots {
namespace {

TEST_F(MailslotTest, a_pending_read_completes_through_its_event_and_apc_when_a_client_writes) {
    Slot slot;
    make_slot(slot, kForever);
    Handle event(make_event(NotificationEvent, FALSE));
    char buffer[8] = {};
    ULONG apcs = 0;
    IO_STATUS_BLOCK r = kUntouched;
    ASSERT_EQ(read_slot(slot.server.get(), buffer, sizeof(buffer), &r, event.get(), count_slot_apc, &apcs),
              STATUS_PENDING);
    EXPECT_EQ(event_state(event.get()), 0);
    ASSERT_EQ(write_slot(slot.client.get(), "ping", 4), STATUS_SUCCESS);
    ASSERT_EQ(wait_for_slot(event.get()), STATUS_SUCCESS);
    EXPECT_EQ(r.Status, STATUS_SUCCESS);
    EXPECT_EQ(r.Information, 4u);
    EXPECT_EQ(std::memcmp(buffer, "ping", 4), 0);
    LARGE_INTEGER zero = zero_timeout();
    EXPECT_EQ(NtDelayExecution(TRUE, &zero), STATUS_USER_APC);
    EXPECT_EQ(apcs, 1u);
    // The message went to the read: nothing is queued.
    EXPECT_EQ(mailslot_information(slot.server.get()).MessagesAvailable, 0u);
}

TEST_F(MailslotTest, pending_reads_take_messages_in_order_and_a_short_one_leaves_its_message) {
    Slot slot;
    make_slot(slot, kForever);
    Handle e1(make_event(NotificationEvent, FALSE)), e2(make_event(NotificationEvent, FALSE));
    char small[2] = {}, large[8] = {};
    IO_STATUS_BLOCK r1 = kUntouched, r2 = kUntouched;
    ASSERT_EQ(read_slot(slot.server.get(), small, sizeof(small), &r1, e1.get()), STATUS_PENDING);
    ASSERT_EQ(read_slot(slot.server.get(), large, sizeof(large), &r2, e2.get()), STATUS_PENDING);
    ASSERT_EQ(write_slot(slot.client.get(), "four", 4), STATUS_SUCCESS);
    ASSERT_EQ(wait_for_slot(e1.get()), STATUS_SUCCESS);
    ASSERT_EQ(wait_for_slot(e2.get()), STATUS_SUCCESS);
    EXPECT_EQ(r1.Status, STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(r1.Information, 0u);
    EXPECT_EQ(r2.Status, STATUS_SUCCESS);
    EXPECT_EQ(r2.Information, 4u);
    EXPECT_EQ(std::memcmp(large, "four", 4), 0);
}

TEST_F(MailslotTest, a_pending_read_posts_to_the_completion_port) {
    Slot slot;
    make_slot(slot, kForever);
    Handle port;
    ASSERT_EQ(NtCreateIoCompletion(port.out(), IO_COMPLETION_ALL_ACCESS, nullptr, 0), STATUS_SUCCESS);
    FILE_COMPLETION_INFORMATION bind{port.get(), reinterpret_cast<PVOID>(7)};
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(NtSetInformationFile(slot.server.get(), &iosb, &bind, sizeof(bind), FileCompletionInformation),
              STATUS_SUCCESS);
    char buffer[8];
    IO_STATUS_BLOCK r = kUntouched;
    ASSERT_EQ(read_slot(slot.server.get(), buffer, sizeof(buffer), &r, nullptr, nullptr, reinterpret_cast<PVOID>(0x20)),
              STATUS_PENDING);
    ASSERT_EQ(write_slot(slot.client.get(), "abc", 3), STATUS_SUCCESS);
    PVOID key = nullptr, value = nullptr;
    IO_STATUS_BLOCK packet = kUntouched;
    LARGE_INTEGER timeout = relative_ms(10000);
    ASSERT_EQ(NtRemoveIoCompletion(port.get(), &key, &value, &packet, &timeout), STATUS_SUCCESS);
    EXPECT_EQ(key, reinterpret_cast<PVOID>(7));
    EXPECT_EQ(value, reinterpret_cast<PVOID>(0x20));
    EXPECT_EQ(packet.Status, STATUS_SUCCESS);
    EXPECT_EQ(packet.Information, 3u);
}

TEST_F(MailslotTest, a_pending_read_times_out_after_the_read_timeout) {
    Slot slot;
    make_slot(slot, 30);
    Handle event(make_event(NotificationEvent, FALSE));
    char buffer[8];
    IO_STATUS_BLOCK r = kUntouched;
    ASSERT_EQ(read_slot(slot.server.get(), buffer, sizeof(buffer), &r, event.get()), STATUS_PENDING);
    ASSERT_EQ(wait_for_slot(event.get()), STATUS_SUCCESS);
    EXPECT_EQ(r.Status, STATUS_IO_TIMEOUT);
    EXPECT_EQ(r.Information, 0u);
    // A message written after the timeout stays for the next read.
    ASSERT_EQ(write_slot(slot.client.get(), "z", 1), STATUS_SUCCESS);
    EXPECT_EQ(mailslot_information(slot.server.get()).MessagesAvailable, 1u);
}

TEST_F(MailslotTest, NtCancelIoFile_cancels_a_pending_read_and_the_next_message_stays) {
    Slot slot;
    make_slot(slot, 60000);
    Handle event(make_event(NotificationEvent, FALSE));
    char buffer[8];
    IO_STATUS_BLOCK r = kUntouched;
    ASSERT_EQ(read_slot(slot.server.get(), buffer, sizeof(buffer), &r, event.get()), STATUS_PENDING);
    IO_STATUS_BLOCK io{};
    ASSERT_EQ(NtCancelIoFile(slot.server.get(), &io), STATUS_SUCCESS);
    ASSERT_EQ(wait_for_slot(event.get()), STATUS_SUCCESS);
    EXPECT_EQ(r.Status, STATUS_CANCELLED);
    EXPECT_EQ(r.Information, 0u);
    ASSERT_EQ(write_slot(slot.client.get(), "kept", 4), STATUS_SUCCESS);
    EXPECT_EQ(mailslot_information(slot.server.get()).MessagesAvailable, 1u);
}

TEST_F(MailslotTest, closing_the_server_ends_its_pending_reads) {
    Slot slot;
    make_slot(slot, kForever);
    Handle event(make_event(NotificationEvent, FALSE));
    char buffer[8];
    IO_STATUS_BLOCK r = kUntouched;
    ASSERT_EQ(read_slot(slot.server.get(), buffer, sizeof(buffer), &r, event.get()), STATUS_PENDING);
    slot.server.reset();
    ASSERT_EQ(wait_for_slot(event.get()), STATUS_SUCCESS);
    EXPECT_EQ(r.Status, STATUS_CANCELLED);
    EXPECT_EQ(write_slot(slot.client.get(), "x", 1), STATUS_FILE_FORCED_CLOSED);
}

TEST_F(MailslotTest, reads_racing_writes_and_cancels_each_complete_exactly_once) {
    // Invariant: every read completes once, with a message, STATUS_CANCELLED or STATUS_IO_TIMEOUT,
    // and every message written is read or still queued.
    Slot slot;
    make_slot(slot, 1);
    constexpr int kRounds = 300;
    int messages = 0, read_messages = 0;
    for (int i = 0; i < kRounds; ++i) {
        Handle event(make_event(NotificationEvent, FALSE));
        char buffer[8];
        IO_STATUS_BLOCK r = kUntouched;
        NTSTATUS status = read_slot(slot.server.get(), buffer, sizeof(buffer), &r, event.get());
        std::thread writer([&] {
            if (i % 2 == 0) {
                EXPECT_EQ(write_slot(slot.client.get(), "m", 1), STATUS_SUCCESS);
            }
        });
        if (i % 3 == 0) {
            IO_STATUS_BLOCK io{};
            EXPECT_EQ(NtCancelIoFile(slot.server.get(), &io), STATUS_SUCCESS);
        }
        writer.join();
        if (i % 2 == 0) ++messages;
        if (status == STATUS_PENDING) {
            ASSERT_EQ(wait_for_slot(event.get()), STATUS_SUCCESS);
            status = r.Status;
        }
        ASSERT_TRUE(status == STATUS_SUCCESS || status == STATUS_CANCELLED || status == STATUS_IO_TIMEOUT) << status;
        if (status == STATUS_SUCCESS) ++read_messages;
    }
    EXPECT_EQ(static_cast<ULONG>(messages - read_messages), mailslot_information(slot.server.get()).MessagesAvailable);
}

}  // namespace
}  // namespace ntio::test::mailslots

// FileMailslotQueryInformation and FileMailslotSetInformation on msfs.sys: the create's parameters,
// the next message's size (MAILSLOT_NO_MESSAGE when empty), the messages waiting, and the read
// timeout (100 ns units, -1 for MAILSLOT_WAIT_FOREVER) that SetMailslotInfo changes for later reads.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/ns-ntifs-_file_mailslot_query_information
#include "mailslot_test_support.hpp"

namespace ntio::test::mailslots {
namespace {

NTSTATUS set_read_timeout(HANDLE h, LARGE_INTEGER* timeout) {
    FILE_MAILSLOT_SET_INFORMATION info{timeout};
    IO_STATUS_BLOCK iosb{};
    return NtSetInformationFile(h, &iosb, &info, sizeof(info), FileMailslotSetInformation);
}

TEST_F(MailslotTest, query_reports_the_create_parameters_of_an_empty_mailslot) {
    Handle server;
    ASSERT_EQ(create_mailslot(server.out(), 250, 424, true, kMailslot, 8192), STATUS_SUCCESS);
    auto info = mailslot_information(server.get());
    EXPECT_EQ(info.MaximumMessageSize, 424u);
    EXPECT_EQ(info.MailslotQuota, 8192u);
    EXPECT_EQ(info.NextMessageSize, MAILSLOT_NO_MESSAGE);
    EXPECT_EQ(info.MessagesAvailable, 0u);
    EXPECT_EQ(info.ReadTimeout.QuadPart, -250LL * 10000);
    Handle forever;
    ASSERT_EQ(create_mailslot(forever.out(), kForever, ~0u, true, L"\\Device\\Mailslot\\ntio_forever"), STATUS_SUCCESS);
    info = mailslot_information(forever.get());
    EXPECT_EQ(info.ReadTimeout.QuadPart, -1);
    EXPECT_EQ(info.MaximumMessageSize, ~0u);
}

TEST_F(MailslotTest, query_counts_the_messages_and_sizes_the_next) {
    Slot slot;
    make_slot(slot);
    ASSERT_EQ(write_slot(slot.client.get(), "a", 1), STATUS_SUCCESS);
    ASSERT_EQ(write_slot(slot.client.get(), "bc", 2), STATUS_SUCCESS);
    ASSERT_EQ(write_slot(slot.client.get(), "", 0), STATUS_SUCCESS);
    auto info = mailslot_information(slot.server.get());
    EXPECT_EQ(info.NextMessageSize, 1u);
    EXPECT_EQ(info.MessagesAvailable, 3u);
    char buffer[4];
    IO_STATUS_BLOCK r{};
    ASSERT_EQ(read_slot(slot.server.get(), buffer, sizeof(buffer), &r), STATUS_SUCCESS);
    info = mailslot_information(slot.server.get());
    EXPECT_EQ(info.NextMessageSize, 2u);
    EXPECT_EQ(info.MessagesAvailable, 2u);
    ASSERT_EQ(read_slot(slot.server.get(), buffer, sizeof(buffer), &r), STATUS_SUCCESS);
    info = mailslot_information(slot.server.get());
    EXPECT_EQ(info.NextMessageSize, 0u);
    EXPECT_EQ(info.MessagesAvailable, 1u);
}

TEST_F(MailslotTest, set_information_changes_the_timeout_of_later_reads) {
    Handle server;
    ASSERT_EQ(create_mailslot(server.out(), kForever, 0, false), STATUS_SUCCESS);
    LARGE_INTEGER none = zero_timeout();
    ASSERT_EQ(set_read_timeout(server.get(), &none), STATUS_SUCCESS);
    EXPECT_EQ(mailslot_information(server.get()).ReadTimeout.QuadPart, 0);
    char buffer[4];
    IO_STATUS_BLOCK r{};
    EXPECT_EQ(read_slot(server.get(), buffer, sizeof(buffer), &r), STATUS_IO_TIMEOUT);
    LARGE_INTEGER short_wait = relative_ms(30);
    ASSERT_EQ(set_read_timeout(server.get(), &short_wait), STATUS_SUCCESS);
    EXPECT_EQ(mailslot_information(server.get()).ReadTimeout.QuadPart, short_wait.QuadPart);
    EXPECT_EQ(read_slot(server.get(), buffer, sizeof(buffer), &r), STATUS_IO_TIMEOUT);
}

TEST_F(MailslotTest, the_mailslot_classes_belong_to_the_server_end) {
    Slot slot;
    make_slot(slot);
    FILE_MAILSLOT_QUERY_INFORMATION info{};
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(NtQueryInformationFile(slot.client.get(), &iosb, &info, sizeof(info), FileMailslotQueryInformation),
              STATUS_INVALID_PARAMETER);
    LARGE_INTEGER none = zero_timeout();
    EXPECT_EQ(set_read_timeout(slot.client.get(), &none), STATUS_INVALID_PARAMETER);
    // Other classes are not the mailslot file system's.
    FILE_STANDARD_INFORMATION standard{};
    EXPECT_EQ(NtQueryInformationFile(slot.server.get(), &iosb, &standard, sizeof(standard), FileStandardInformation),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtQueryInformationFile(slot.server.get(), &iosb, &info, sizeof(info) - 1, FileMailslotQueryInformation),
              STATUS_INFO_LENGTH_MISMATCH);
}

}  // namespace
}  // namespace ntio::test::mailslots

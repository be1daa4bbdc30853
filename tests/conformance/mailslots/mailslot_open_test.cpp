// Opening mailslots on msfs.sys: NtCreateMailslotFile makes the one server end of a name, NtCreateFile
// opens client ends of an existing mailslot only, and the name is free again once the server closed.
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-createmailslota
#include "mailslot_test_support.hpp"

namespace ntio::test::mailslots {
namespace {

TEST_F(MailslotTest, creating_a_mailslot_reports_file_created) {
    ObjectName object(kMailslot);
    IO_STATUS_BLOCK iosb = kUntouched;
    LARGE_INTEGER timeout = zero_timeout();
    Handle server;
    ASSERT_EQ(NtCreateMailslotFile(server.out(), GENERIC_READ | SYNCHRONIZE, object.get(), &iosb, 0, 0, 0, &timeout),
              STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, static_cast<ULONG_PTR>(FILE_CREATED));
}

TEST_F(MailslotTest, a_second_server_of_a_name_is_a_name_collision_in_any_case) {
    Handle server, second;
    ASSERT_EQ(create_mailslot(server.out()), STATUS_SUCCESS);
    EXPECT_EQ(create_mailslot(second.out()), STATUS_OBJECT_NAME_COLLISION);
    EXPECT_EQ(create_mailslot(second.out(), 0, 0, true, L"\\Device\\Mailslot\\NTIO_MAILSLOT_TEST"),
              STATUS_OBJECT_NAME_COLLISION);
    EXPECT_EQ(second.get(), nullptr);
}

TEST_F(MailslotTest, closing_the_server_deletes_the_mailslot_and_frees_its_name) {
    Handle server, client;
    ASSERT_EQ(create_mailslot(server.out()), STATUS_SUCCESS);
    ASSERT_EQ(open_mailslot_client(client.out()), STATUS_SUCCESS);
    server.reset();
    Handle late;
    EXPECT_EQ(open_mailslot_client(late.out()), STATUS_OBJECT_NAME_NOT_FOUND);
    // The old client's mailslot is gone: writing to it fails, and a new mailslot of the name is another.
    EXPECT_EQ(write_slot(client.get(), "x", 1), STATUS_FILE_FORCED_CLOSED);
    ASSERT_EQ(create_mailslot(server.out()), STATUS_SUCCESS);
    EXPECT_EQ(write_slot(client.get(), "x", 1), STATUS_FILE_FORCED_CLOSED);
    EXPECT_EQ(mailslot_information(server.get()).MessagesAvailable, 0u);
}

TEST_F(MailslotTest, a_client_needs_an_existing_mailslot) {
    // "does not allow you to open the mailslot if the receiver has not created the server end"
    Handle client;
    EXPECT_EQ(open_mailslot_client(client.out()), STATUS_OBJECT_NAME_NOT_FOUND);
}

TEST_F(MailslotTest, any_number_of_clients_open_with_any_sharing) {
    Handle server;
    ASSERT_EQ(create_mailslot(server.out()), STATUS_SUCCESS);
    Handle clients[3];
    for (auto& client : clients) {
        ObjectName object(kMailslot);
        IO_STATUS_BLOCK iosb = kUntouched;
        ASSERT_EQ(NtCreateFile(client.out(), GENERIC_WRITE | SYNCHRONIZE, object.get(), &iosb, nullptr, 0, 0, FILE_OPEN,
                               FILE_SYNCHRONOUS_IO_NONALERT, nullptr, 0),
                  STATUS_SUCCESS);
        EXPECT_EQ(iosb.Information, static_cast<ULONG_PTR>(FILE_OPENED));
    }
    for (int i = 0; i < 3; ++i) EXPECT_EQ(write_slot(clients[i].get(), "abc", i), STATUS_SUCCESS);
    EXPECT_EQ(mailslot_information(server.get()).MessagesAvailable, 3u);
}

TEST_F(MailslotTest, the_dos_devices_link_reaches_the_mailslot_file_system) {
    Handle server, client;
    ASSERT_EQ(create_mailslot(server.out(), 0, 0, true, L"\\??\\MAILSLOT\\ntio_mailslot_test"), STATUS_SUCCESS);
    ASSERT_EQ(open_mailslot_client(client.out()), STATUS_SUCCESS);
    ASSERT_EQ(write_slot(client.get(), "hi", 2), STATUS_SUCCESS);
    char buffer[4] = {};
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(read_slot(server.get(), buffer, sizeof(buffer), &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 2u);
    EXPECT_EQ(std::memcmp(buffer, "hi", 2), 0);
}

TEST_F(MailslotTest, a_mailslot_needs_a_name_and_valid_options) {
    Handle server;
    EXPECT_EQ(create_mailslot(server.out(), 0, 0, true, L"\\Device\\Mailslot\\"), STATUS_OBJECT_NAME_INVALID);
    ObjectName object(kMailslot);
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(NtCreateMailslotFile(server.out(), GENERIC_READ, object.get(), &iosb, FILE_DIRECTORY_FILE, 0, 0, nullptr),
              STATUS_INVALID_PARAMETER);
}

}  // namespace
}  // namespace ntio::test::mailslots

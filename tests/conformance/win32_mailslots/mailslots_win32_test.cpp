// kernel32's mailslot calls through <windows.h> against the mailslot file system: CreateMailslot's
// name rules and parameters, GetMailslotInfo / SetMailslotInfo, clients writing with CreateFile and
// WriteFile, the server reading with ReadFile (synchronously, with its read timeout, or overlapped).
// Facts from the kernel32 documentation on Microsoft Learn and the behaviour Windows shows in Wine's
// kernel32 mailslot tests.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>

#include <windows.h>

#include "support/system_fixture.hpp"

namespace ntio::test {
namespace {

constexpr char kSlot[] = "\\\\.\\mailslot\\ntio_win32_mailslot";

class Win32MailslotTest : public SystemTest {
protected:
    static HANDLE client(DWORD access = GENERIC_WRITE, DWORD share = FILE_SHARE_READ) {
        HANDLE h = CreateFileA(kSlot, access, share, nullptr, OPEN_EXISTING, 0, nullptr);
        EXPECT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
        return h;
    }
    static void write(HANDLE h, const char* text, DWORD length) {
        DWORD written = 0xdeadbeef;
        EXPECT_TRUE(WriteFile(h, text, length, &written, nullptr)) << GetLastError();
        EXPECT_EQ(written, length);
    }
    // A read that finds nothing: FALSE, ERROR_SEM_TIMEOUT and no bytes.
    static void expect_empty(HANDLE server, DWORD length = 16) {
        char buffer[16];
        DWORD count = 0xdeadbeef;
        SetLastError(0);
        EXPECT_FALSE(ReadFile(server, buffer, length, &count, nullptr));
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_SEM_TIMEOUT));
        EXPECT_EQ(count, 0u);
    }
    static void expect_info(HANDLE server, DWORD next, DWORD messages) {
        DWORD next_size = 0xdeadbeef, count = 0xdeadbeef;
        ASSERT_TRUE(GetMailslotInfo(server, nullptr, &next_size, &count, nullptr)) << GetLastError();
        EXPECT_EQ(next_size, next);
        EXPECT_EQ(count, messages);
    }
};

TEST_F(Win32MailslotTest, create_mailslot_needs_a_local_mailslot_name) {
    SetLastError(0);
    EXPECT_EQ(CreateMailslotA("blah", 0, 0, nullptr), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_NAME));
    EXPECT_EQ(CreateMailslotA("\\\\.\\pipe\\ntio_not_a_mailslot", 0, 0, nullptr), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_NAME));
    EXPECT_EQ(CreateMailslotA("\\\\.\\mailslot\\", 0, 0, nullptr), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_NAME));
    EXPECT_EQ(CreateMailslotA(nullptr, 0, 0, nullptr), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_PATH_NOT_FOUND));
    // Pseudo directories and any case of the prefix are fine.
    HANDLE nested = CreateMailslotW(L"\\\\.\\MailSlot\\ntio\\abc\\def", 0, 0, nullptr);
    EXPECT_NE(nested, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_TRUE(CloseHandle(nested));
}

TEST_F(Win32MailslotTest, a_name_has_one_mailslot_until_its_server_closes) {
    HANDLE server = CreateMailslotA(kSlot, 0, 0, nullptr);
    ASSERT_NE(server, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_EQ(CreateMailslotA(kSlot, 0, 0, nullptr), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ALREADY_EXISTS));
    EXPECT_TRUE(CloseHandle(server));
    server = CreateMailslotA(kSlot, 0, 0, nullptr);
    EXPECT_NE(server, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_TRUE(CloseHandle(server));
}

TEST_F(Win32MailslotTest, a_client_needs_the_server) {
    SetLastError(0);
    EXPECT_EQ(CreateFileA(kSlot, GENERIC_WRITE, FILE_SHARE_READ, nullptr, OPEN_EXISTING, 0, nullptr),
              INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
}

TEST_F(Win32MailslotTest, get_mailslot_info_reports_the_create_parameters) {
    DWORD max = 0, next = 0, count = 0, timeout = 0;
    EXPECT_FALSE(GetMailslotInfo(INVALID_HANDLE_VALUE, &max, &next, &count, &timeout));
    HANDLE server = CreateMailslotA(kSlot, ~0u, MAILSLOT_WAIT_FOREVER, nullptr);
    ASSERT_NE(server, INVALID_HANDLE_VALUE) << GetLastError();
    ASSERT_TRUE(GetMailslotInfo(server, &max, &next, &count, &timeout)) << GetLastError();
    EXPECT_EQ(max, ~0u);
    EXPECT_EQ(next, static_cast<DWORD>(MAILSLOT_NO_MESSAGE));
    EXPECT_EQ(count, 0u);
    EXPECT_EQ(timeout, static_cast<DWORD>(MAILSLOT_WAIT_FOREVER));
    EXPECT_TRUE(GetMailslotInfo(server, nullptr, nullptr, nullptr, nullptr));
    EXPECT_TRUE(CloseHandle(server));
    server = CreateMailslotA(kSlot, 0, 250, nullptr);
    ASSERT_NE(server, INVALID_HANDLE_VALUE) << GetLastError();
    ASSERT_TRUE(GetMailslotInfo(server, &max, &next, &count, &timeout));
    EXPECT_EQ(max, 0u);
    EXPECT_EQ(timeout, 250u);
    EXPECT_TRUE(CloseHandle(server));
}

TEST_F(Win32MailslotTest, the_server_reads_and_clients_write) {
    HANDLE server = CreateMailslotA(kSlot, 0, 0, nullptr);
    ASSERT_NE(server, INVALID_HANDLE_VALUE) << GetLastError();
    // Empty, with no read timeout: even a zero-length read fails at once.
    expect_empty(server, 0);
    expect_empty(server);
    char buffer[16] = {};
    DWORD count = 0;
    EXPECT_FALSE(WriteFile(server, buffer, sizeof(buffer), &count, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    // Clients share nothing with each other: no sharing still opens one.
    HANDLE unshared = client(GENERIC_WRITE, 0);
    HANDLE writer = client(GENERIC_READ | GENERIC_WRITE);
    expect_empty(server, 8);
    EXPECT_FALSE(ReadFile(writer, buffer, 8, &count, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    write(writer, "12345678", 8);
    EXPECT_FALSE(ReadFile(writer, buffer, 8, &count, nullptr));
    ASSERT_TRUE(ReadFile(server, buffer, sizeof(buffer), &count, nullptr)) << GetLastError();
    EXPECT_EQ(count, 8u);
    EXPECT_EQ(std::memcmp(buffer, "12345678", 8), 0);
    expect_empty(server);
    EXPECT_TRUE(CloseHandle(unshared));
    EXPECT_TRUE(CloseHandle(writer));
    EXPECT_TRUE(CloseHandle(server));
}

TEST_F(Win32MailslotTest, messages_from_two_clients_come_out_one_per_read_in_order) {
    HANDLE server = CreateMailslotA(kSlot, 0, 0, nullptr);
    ASSERT_NE(server, INVALID_HANDLE_VALUE) << GetLastError();
    HANDLE first = client(GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE);
    HANDLE second = client(GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE);
    write(first, "a", 1);
    expect_info(server, 1, 1);
    write(second, "bc", 2);
    expect_info(server, 1, 2);
    write(second, "", 0);
    expect_info(server, 1, 3);
    char buffer[16] = {};
    DWORD count = 0xdeadbeef;
    ASSERT_TRUE(ReadFile(server, buffer, sizeof(buffer), &count, nullptr));
    EXPECT_EQ(count, 1u);
    EXPECT_EQ(buffer[0], 'a');
    expect_info(server, 2, 2);
    ASSERT_TRUE(ReadFile(server, buffer, sizeof(buffer), &count, nullptr));
    EXPECT_EQ(count, 2u);
    EXPECT_EQ(std::memcmp(buffer, "bc", 2), 0);
    expect_info(server, 0, 1);
    count = 0xdeadbeef;
    ASSERT_TRUE(ReadFile(server, buffer, sizeof(buffer), &count, nullptr));
    EXPECT_EQ(count, 0u);
    expect_info(server, MAILSLOT_NO_MESSAGE, 0);
    expect_empty(server);
    EXPECT_TRUE(CloseHandle(second));
    EXPECT_TRUE(CloseHandle(first));
    EXPECT_TRUE(CloseHandle(server));
}

TEST_F(Win32MailslotTest, short_buffers_and_oversized_messages_fail) {
    HANDLE server = CreateMailslotA(kSlot, 4, 0, nullptr);
    ASSERT_NE(server, INVALID_HANDLE_VALUE) << GetLastError();
    HANDLE writer = client();
    DWORD count = 0;
    EXPECT_FALSE(WriteFile(writer, "12345", 5, &count, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    write(writer, "1234", 4);
    char buffer[4];
    EXPECT_FALSE(ReadFile(server, buffer, 3, &count, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INSUFFICIENT_BUFFER));
    expect_info(server, 4, 1);
    EXPECT_TRUE(ReadFile(server, buffer, 4, &count, nullptr));
    EXPECT_EQ(count, 4u);
    EXPECT_TRUE(CloseHandle(writer));
    EXPECT_TRUE(CloseHandle(server));
}

TEST_F(Win32MailslotTest, a_read_waits_for_the_read_timeout_which_set_mailslot_info_changes) {
    HANDLE server = CreateMailslotA(kSlot, 0, 100, nullptr);
    ASSERT_NE(server, INVALID_HANDLE_VALUE) << GetLastError();
    auto start = std::chrono::steady_clock::now();
    expect_empty(server);
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(90));
    ASSERT_TRUE(SetMailslotInfo(server, 0)) << GetLastError();
    DWORD timeout = 0xdeadbeef;
    ASSERT_TRUE(GetMailslotInfo(server, nullptr, nullptr, nullptr, &timeout));
    EXPECT_EQ(timeout, 0u);
    expect_empty(server);
    ASSERT_TRUE(SetMailslotInfo(server, MAILSLOT_WAIT_FOREVER));
    ASSERT_TRUE(GetMailslotInfo(server, nullptr, nullptr, nullptr, &timeout));
    EXPECT_EQ(timeout, static_cast<DWORD>(MAILSLOT_WAIT_FOREVER));
    EXPECT_TRUE(CloseHandle(server));
}

TEST_F(Win32MailslotTest, an_overlapped_read_completes_when_a_client_writes) {
    HANDLE server = CreateMailslotA(kSlot, 0, MAILSLOT_WAIT_FOREVER, nullptr);
    ASSERT_NE(server, INVALID_HANDLE_VALUE) << GetLastError();
    HANDLE writer = client();
    OVERLAPPED ov{};
    ov.hEvent = CreateEventA(nullptr, TRUE, FALSE, nullptr);
    char buffer[16] = {};
    DWORD count = 0;
    EXPECT_FALSE(ReadFile(server, buffer, sizeof(buffer), &count, &ov));
    ASSERT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
    write(writer, "overlapped", 10);
    ASSERT_TRUE(GetOverlappedResult(server, &ov, &count, TRUE)) << GetLastError();
    EXPECT_EQ(count, 10u);
    EXPECT_EQ(std::memcmp(buffer, "overlapped", 10), 0);
    // A read still waiting when the server closes ends.
    EXPECT_FALSE(ReadFile(server, buffer, sizeof(buffer), &count, &ov));
    ASSERT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
    EXPECT_TRUE(CloseHandle(server));
    EXPECT_EQ(WaitForSingleObject(ov.hEvent, 10000), WAIT_OBJECT_0);
    // Complete and not waited for: GetOverlappedResult reads the OVERLAPPED only.
    EXPECT_FALSE(GetOverlappedResult(server, &ov, &count, FALSE));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_OPERATION_ABORTED));
    EXPECT_FALSE(WriteFile(writer, "late", 4, &count, nullptr));
    EXPECT_TRUE(CloseHandle(writer));
    EXPECT_TRUE(CloseHandle(ov.hEvent));
}

}  // namespace
}  // namespace ntio::test

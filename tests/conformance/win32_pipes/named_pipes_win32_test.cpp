// kernel32's pipe calls through <windows.h> against the named-pipe file system: CreateNamedPipe's
// parameter rules, connecting, the data calls (ReadFile / WriteFile / PeekNamedPipe /
// TransactNamedPipe / CallNamedPipe), the handle-state calls and CreatePipe (NT facts O1, O4, O5 in
// their Win32 form; the rest from the kernel32 documentation and Wine's kernel32 pipe tests).
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include <windows.h>

#include "support/system_fixture.hpp"

namespace ntio::test {
namespace {

constexpr char kPipe[] = "\\\\.\\PiPe\\ntio_win32_pipe";  // Win32 pipe names are case-insensitive
constexpr char kText[] = "Bit Bucket";
constexpr char kText2[] = "More bits";

class Win32PipeTest : public SystemTest {
protected:
    HANDLE server(DWORD pipe_mode, DWORD open_mode = PIPE_ACCESS_DUPLEX, DWORD instances = 1) {
        HANDLE h = CreateNamedPipeA(kPipe, open_mode, pipe_mode, instances, 1024, 1024, NMPWAIT_USE_DEFAULT_WAIT,
                                    nullptr);
        EXPECT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
        return h;
    }
    HANDLE client(DWORD flags = 0) {
        HANDLE h = CreateFileA(kPipe, GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, flags, nullptr);
        EXPECT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
        return h;
    }
    static void write(HANDLE h, const char* text, DWORD length) {
        DWORD written = 0;
        EXPECT_TRUE(WriteFile(h, text, length, &written, nullptr)) << GetLastError();
        EXPECT_EQ(written, length);
    }
};

TEST_F(Win32PipeTest, create_named_pipe_refuses_bad_names_and_modes) {
    SetLastError(0);
    EXPECT_EQ(CreateNamedPipeA("not a named pipe", PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1, 1024, 1024, 0, nullptr),
              INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_NAME));
    EXPECT_EQ(CreateNamedPipeA(nullptr, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1, 1024, 1024, 0, nullptr),
              INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_PATH_NOT_FOUND));
    // A byte pipe cannot be read as messages.
    EXPECT_EQ(CreateNamedPipeA(kPipe, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE | PIPE_READMODE_MESSAGE, 1, 1024, 1024, 0,
                               nullptr),
              INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    for (DWORD instances : {0u, 256u}) {
        SCOPED_TRACE(instances);
        EXPECT_EQ(CreateNamedPipeA(kPipe, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, instances, 1024, 1024, 0, nullptr),
                  INVALID_HANDLE_VALUE);
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    }
    EXPECT_EQ(CreateNamedPipeA(kPipe, 0, PIPE_TYPE_BYTE, 1, 1024, 1024, 0, nullptr), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
}

TEST_F(Win32PipeTest, instances_are_limited_and_first_instance_is_exclusive) {
    HANDLE first = CreateNamedPipeA(kPipe, PIPE_ACCESS_DUPLEX | FILE_FLAG_FIRST_PIPE_INSTANCE, PIPE_TYPE_BYTE, 2,
                                    1024, 1024, 0, nullptr);
    ASSERT_NE(first, INVALID_HANDLE_VALUE);
    // "creation of the next instance fails with ERROR_ACCESS_DENIED" (FILE_FLAG_FIRST_PIPE_INSTANCE).
    EXPECT_EQ(CreateNamedPipeA(kPipe, PIPE_ACCESS_DUPLEX | FILE_FLAG_FIRST_PIPE_INSTANCE, PIPE_TYPE_BYTE, 2, 1024,
                               1024, 0, nullptr),
              INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    HANDLE second = CreateNamedPipeA(kPipe, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 2, 1024, 1024, 0, nullptr);
    ASSERT_NE(second, INVALID_HANDLE_VALUE);
    // Past nMaxInstances: every instance is busy.
    EXPECT_EQ(CreateNamedPipeA(kPipe, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 2, 1024, 1024, 0, nullptr),
              INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_PIPE_BUSY));
    EXPECT_TRUE(CloseHandle(second));
    EXPECT_TRUE(CloseHandle(first));
}

TEST_F(Win32PipeTest, clients_find_listening_instances_only) {
    SetLastError(0);
    EXPECT_EQ(CreateFileA(kPipe, GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr),
              INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
    EXPECT_FALSE(WaitNamedPipeA(kPipe, 100));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));

    HANDLE s = server(PIPE_TYPE_BYTE);
    // A new instance listens at once.
    EXPECT_TRUE(WaitNamedPipeA(kPipe, 2000)) << GetLastError();
    HANDLE c = client();
    // Its one instance is taken: a wait runs out, another client finds the pipe busy.
    EXPECT_FALSE(WaitNamedPipeA(kPipe, 100));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_SEM_TIMEOUT));
    EXPECT_EQ(CreateFileA(kPipe, GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr),
              INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_PIPE_BUSY));
    // NT fact O1: the client connected before ConnectNamedPipe.
    EXPECT_FALSE(ConnectNamedPipe(s, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_PIPE_CONNECTED));
    EXPECT_TRUE(CloseHandle(c));
    // Until the server disconnects, the instance stays taken.
    EXPECT_EQ(CreateFileA(kPipe, GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr),
              INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_PIPE_BUSY));
    EXPECT_TRUE(DisconnectNamedPipe(s)) << GetLastError();
    EXPECT_TRUE(CloseHandle(s));
}

// NT fact O1 (Win32): an overlapped ConnectNamedPipe pends until a client opens; with a client there
// already it is ERROR_PIPE_CONNECTED and Internal stays STATUS_PENDING.
TEST_F(Win32PipeTest, O1_overlapped_connect_pends_until_a_client_opens) {
    HANDLE s = server(PIPE_TYPE_BYTE, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED);
    HANDLE c = client();
    EXPECT_TRUE(DisconnectNamedPipe(s));
    OVERLAPPED ov{};
    ov.hEvent = CreateEventA(nullptr, TRUE, FALSE, nullptr);
    EXPECT_FALSE(ConnectNamedPipe(s, &ov));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
    EXPECT_EQ(WaitForSingleObject(ov.hEvent, 0), static_cast<DWORD>(WAIT_TIMEOUT));
    EXPECT_TRUE(CloseHandle(c));
    c = client();
    EXPECT_EQ(WaitForSingleObject(ov.hEvent, 5000), static_cast<DWORD>(WAIT_OBJECT_0));
    DWORD bytes = 1234;
    EXPECT_TRUE(GetOverlappedResult(s, &ov, &bytes, FALSE));

    ResetEvent(ov.hEvent);
    OVERLAPPED again{};
    again.hEvent = ov.hEvent;
    EXPECT_FALSE(ConnectNamedPipe(s, &again));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_PIPE_CONNECTED));
    EXPECT_EQ(static_cast<NTSTATUS>(again.Internal), STATUS_PENDING);
    EXPECT_TRUE(CloseHandle(ov.hEvent));
    EXPECT_TRUE(CloseHandle(c));
    EXPECT_TRUE(CloseHandle(s));
}

// PeekNamedPipe: the bytes available, and the message's length less the bytes copied (0 less them on
// a byte pipe); a server nobody connected to is ERROR_BAD_PIPE.
TEST_F(Win32PipeTest, peek_reports_what_a_read_would_take) {
    for (DWORD type : {PIPE_TYPE_BYTE, PIPE_TYPE_MESSAGE}) {
        SCOPED_TRACE(type);
        HANDLE s = server(type);
        DWORD avail = 0;
        EXPECT_FALSE(PeekNamedPipe(s, nullptr, 0, nullptr, &avail, nullptr));
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_BAD_PIPE));
        HANDLE c = client();
        write(s, kText, sizeof kText);
        write(s, kText2, sizeof kText2);
        char buffer[32] = {};
        DWORD read = 0, left = 0;
        EXPECT_TRUE(PeekNamedPipe(c, buffer, 4, &read, &avail, &left)) << GetLastError();
        EXPECT_EQ(read, 4u);
        EXPECT_EQ(avail, sizeof kText + sizeof kText2);
        EXPECT_EQ(left, type == PIPE_TYPE_BYTE ? static_cast<DWORD>(-4) : static_cast<DWORD>(sizeof kText - 4));
        EXPECT_EQ(std::memcmp(buffer, kText, 4), 0);
        EXPECT_TRUE(PeekNamedPipe(c, buffer, sizeof buffer, &read, &avail, &left));
        // A byte pipe shows both writes; a message pipe one message.
        EXPECT_EQ(read, type == PIPE_TYPE_BYTE ? sizeof kText + sizeof kText2 : sizeof kText);
        // Peeking took nothing; the client reads in byte mode (its default), which runs across the
        // message boundary.
        EXPECT_TRUE(ReadFile(c, buffer, sizeof buffer, &read, nullptr));
        EXPECT_EQ(read, sizeof kText + sizeof kText2);
        EXPECT_TRUE(CloseHandle(c));
        EXPECT_TRUE(CloseHandle(s));
    }
}

// NT fact O4 (Win32): a message read into a short buffer is FALSE with ERROR_MORE_DATA and the bytes
// that fit; the rest of the message is the next read.
TEST_F(Win32PipeTest, O4_short_message_read_is_more_data) {
    HANDLE s = server(PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE);
    HANDLE c = client();
    DWORD mode = PIPE_READMODE_MESSAGE;
    EXPECT_TRUE(SetNamedPipeHandleState(c, &mode, nullptr, nullptr)) << GetLastError();
    write(s, kText2, sizeof kText2);
    char buffer[32] = {};
    DWORD read = 0;
    SetLastError(0);
    EXPECT_FALSE(ReadFile(c, buffer, 4, &read, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_MORE_DATA));
    EXPECT_EQ(read, 4u);
    EXPECT_TRUE(ReadFile(c, buffer + 4, sizeof buffer - 4, &read, nullptr)) << GetLastError();
    EXPECT_EQ(read, sizeof kText2 - 4);
    EXPECT_STREQ(buffer, kText2);
    EXPECT_TRUE(CloseHandle(c));
    EXPECT_TRUE(CloseHandle(s));
}

// NT fact O5: data the server wrote before it closed stays readable; a zero-byte read of a byte pipe
// succeeds while it is there; once drained, reads are ERROR_BROKEN_PIPE.
TEST_F(Win32PipeTest, O5_data_outlives_the_server) {
    HANDLE s = server(PIPE_TYPE_BYTE);
    HANDLE c = client();
    write(s, kText, sizeof kText);
    EXPECT_TRUE(CloseHandle(s));
    DWORD avail = 0;
    EXPECT_TRUE(PeekNamedPipe(c, nullptr, 0, nullptr, &avail, nullptr)) << GetLastError();
    EXPECT_EQ(avail, sizeof kText);
    char buffer[32] = {};
    DWORD read = 1234;
    EXPECT_TRUE(ReadFile(c, buffer, 0, &read, nullptr)) << GetLastError();
    EXPECT_EQ(read, 0u);
    EXPECT_TRUE(ReadFile(c, buffer, sizeof buffer, &read, nullptr)) << GetLastError();
    EXPECT_EQ(read, sizeof kText);
    EXPECT_FALSE(ReadFile(c, buffer, sizeof buffer, &read, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_BROKEN_PIPE));
    EXPECT_TRUE(CloseHandle(c));
}

TEST_F(Win32PipeTest, pipe_info_and_handle_state) {
    HANDLE s = server(PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE);
    DWORD flags = 0, out_size = 0, in_size = 0, instances = 0;
    EXPECT_TRUE(GetNamedPipeInfo(s, &flags, &out_size, &in_size, &instances)) << GetLastError();
    EXPECT_EQ(flags, static_cast<DWORD>(PIPE_SERVER_END | PIPE_TYPE_MESSAGE));
    EXPECT_EQ(out_size, 1024u);
    EXPECT_EQ(in_size, 1024u);
    EXPECT_EQ(instances, 1u);
    HANDLE c = client();
    EXPECT_TRUE(GetNamedPipeInfo(c, &flags, nullptr, nullptr, nullptr));
    EXPECT_EQ(flags, static_cast<DWORD>(PIPE_CLIENT_END | PIPE_TYPE_MESSAGE));
    // A client opens in byte read mode.
    DWORD state = 0xFF, current = 0;
    EXPECT_TRUE(GetNamedPipeHandleStateA(c, &state, &current, nullptr, nullptr, nullptr, 0)) << GetLastError();
    EXPECT_EQ(state, static_cast<DWORD>(PIPE_WAIT | PIPE_READMODE_BYTE));
    EXPECT_EQ(current, 1u);
    DWORD mode = PIPE_READMODE_MESSAGE | PIPE_NOWAIT;
    EXPECT_TRUE(SetNamedPipeHandleState(c, &mode, nullptr, nullptr)) << GetLastError();
    EXPECT_TRUE(GetNamedPipeHandleStateA(c, &state, nullptr, nullptr, nullptr, nullptr, 0));
    EXPECT_EQ(state, static_cast<DWORD>(PIPE_READMODE_MESSAGE | PIPE_NOWAIT));
    mode = 0x10;
    EXPECT_FALSE(SetNamedPipeHandleState(c, &mode, nullptr, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_TRUE(CloseHandle(c));
    EXPECT_TRUE(CloseHandle(s));

    // The client end of a byte pipe cannot read messages.
    s = server(PIPE_TYPE_BYTE);
    c = client();
    mode = PIPE_READMODE_MESSAGE;
    EXPECT_FALSE(SetNamedPipeHandleState(c, &mode, nullptr, nullptr));
    EXPECT_TRUE(CloseHandle(c));
    EXPECT_TRUE(CloseHandle(s));
}

// The server's side of one exchange: waits for its client (a read on a server nobody connected to yet
// is ERROR_PIPE_LISTENING, NT fact O8), then sends the message back upper-cased.
DWORD WINAPI echo_one_message(LPVOID parameter) {
    HANDLE s = parameter;
    if (!ConnectNamedPipe(s, nullptr) && GetLastError() != ERROR_PIPE_CONNECTED) return GetLastError();
    char buffer[64];
    DWORD read = 0, written = 0;
    if (!ReadFile(s, buffer, sizeof buffer, &read, nullptr)) return GetLastError();
    for (DWORD i = 0; i < read; ++i) buffer[i] = static_cast<char>(buffer[i] ? buffer[i] ^ 0x20 : 0);  // upper case
    if (!WriteFile(s, buffer, read, &written, nullptr)) return GetLastError();
    return 0;
}

// TransactNamedPipe writes a message and reads the reply; CallNamedPipe opens, transacts and closes.
TEST_F(Win32PipeTest, transact_and_call_round_trip_a_message) {
    HANDLE s = server(PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE);
    HANDLE thread = CreateThread(nullptr, 0, echo_one_message, s, 0, nullptr);
    HANDLE c = client();
    DWORD mode = PIPE_READMODE_MESSAGE;
    EXPECT_TRUE(SetNamedPipeHandleState(c, &mode, nullptr, nullptr));
    char reply[64] = {};
    DWORD read = 0;
    EXPECT_TRUE(TransactNamedPipe(c, const_cast<char*>("abc"), 4, reply, sizeof reply, &read, nullptr))
        << GetLastError();
    EXPECT_EQ(read, 4u);
    EXPECT_STREQ(reply, "ABC");
    EXPECT_EQ(WaitForSingleObject(thread, 5000), static_cast<DWORD>(WAIT_OBJECT_0));
    DWORD code = 1;
    EXPECT_TRUE(GetExitCodeThread(thread, &code));
    EXPECT_EQ(code, 0u);
    EXPECT_TRUE(CloseHandle(thread));
    EXPECT_TRUE(CloseHandle(c));
    EXPECT_TRUE(DisconnectNamedPipe(s));

    // The server listens again (its instance was disconnected); CallNamedPipe is a whole exchange.
    thread = CreateThread(nullptr, 0, echo_one_message, s, 0, nullptr);
    read = 0;
    std::memset(reply, 0, sizeof reply);
    EXPECT_TRUE(CallNamedPipeA(kPipe, const_cast<char*>("xyz"), 4, reply, sizeof reply, &read, 5000))
        << GetLastError();
    EXPECT_EQ(read, 4u);
    EXPECT_STREQ(reply, "XYZ");
    EXPECT_EQ(WaitForSingleObject(thread, 5000), static_cast<DWORD>(WAIT_OBJECT_0));
    EXPECT_TRUE(GetExitCodeThread(thread, &code));
    EXPECT_EQ(code, 0u);
    EXPECT_TRUE(CloseHandle(thread));
    EXPECT_TRUE(CloseHandle(s));
}

// CreatePipe: what the write end writes the read end reads; with the write end closed and the data
// drained, a read is ERROR_BROKEN_PIPE.
TEST_F(Win32PipeTest, anonymous_pipe_carries_bytes_until_the_writer_closes) {
    HANDLE read_end = nullptr, write_end = nullptr;
    ASSERT_TRUE(CreatePipe(&read_end, &write_end, nullptr, 0)) << GetLastError();
    write(write_end, kText, sizeof kText);
    char buffer[32] = {};
    DWORD read = 0;
    EXPECT_TRUE(ReadFile(read_end, buffer, sizeof buffer, &read, nullptr)) << GetLastError();
    EXPECT_EQ(read, sizeof kText);
    EXPECT_STREQ(buffer, kText);
    // The read end cannot write, the write end cannot read.
    DWORD written = 0;
    EXPECT_FALSE(WriteFile(read_end, kText, 1, &written, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    EXPECT_FALSE(ReadFile(write_end, buffer, 1, &read, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    // Two pipes have two names.
    HANDLE read2 = nullptr, write2 = nullptr;
    ASSERT_TRUE(CreatePipe(&read2, &write2, nullptr, 64));
    EXPECT_TRUE(CloseHandle(read2));
    EXPECT_TRUE(CloseHandle(write2));
    EXPECT_TRUE(CloseHandle(write_end));
    EXPECT_FALSE(ReadFile(read_end, buffer, sizeof buffer, &read, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_BROKEN_PIPE));
    EXPECT_TRUE(CloseHandle(read_end));
}

// Bad handles: NULL and a handle of another type are ERROR_INVALID_HANDLE for every pipe call;
// ConnectNamedPipe on a client end is ERROR_INVALID_FUNCTION (Wine's kernel32 pipe tests).
TEST_F(Win32PipeTest, pipe_calls_refuse_handles_that_are_not_pipe_ends_they_serve) {
    HANDLE event = CreateEventA(nullptr, TRUE, FALSE, nullptr);
    ASSERT_NE(event, nullptr);
    DWORD mode = PIPE_READMODE_BYTE, value = 0, read = 0;
    char buffer[8];
    for (HANDLE bad : {static_cast<HANDLE>(nullptr), event}) {
        SCOPED_TRACE(bad == nullptr ? "NULL" : "event");
        SetLastError(0);
        EXPECT_FALSE(ConnectNamedPipe(bad, nullptr));
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
        SetLastError(0);
        EXPECT_FALSE(DisconnectNamedPipe(bad));
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
        SetLastError(0);
        EXPECT_FALSE(PeekNamedPipe(bad, buffer, sizeof buffer, &read, &value, nullptr));
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
        SetLastError(0);
        EXPECT_FALSE(TransactNamedPipe(bad, buffer, 1, buffer, sizeof buffer, &read, nullptr));
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
        SetLastError(0);
        EXPECT_FALSE(GetNamedPipeInfo(bad, &value, nullptr, nullptr, nullptr));
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
        SetLastError(0);
        EXPECT_FALSE(SetNamedPipeHandleState(bad, &mode, nullptr, nullptr));
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    }
    EXPECT_TRUE(CloseHandle(event));

    HANDLE s = server(PIPE_TYPE_BYTE);
    HANDLE c = client();
    SetLastError(0);
    EXPECT_FALSE(ConnectNamedPipe(c, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_FUNCTION));
    EXPECT_TRUE(CloseHandle(c));
    EXPECT_TRUE(CloseHandle(s));
}

}  // namespace
}  // namespace ntio::test

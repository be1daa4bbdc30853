// Console handles through the Win32 surface: standard handles, WriteFile/WriteConsole and
// ReadFile/ReadConsole reaching the host's descriptors (pipes and pseudo-terminals put in their
// place), modes, GetFileType, code pages, the screen buffer, the title and bad input.
#include <cstring>
#include <string>

#include "console_test_support.hpp"

namespace ntio::test {
namespace {

std::string console_utf8(const char16_t* text) {
    std::string out;
    const int needed = WideCharToMultiByte(CP_UTF8, 0, reinterpret_cast<LPCWCH>(text), -1, nullptr, 0, nullptr, nullptr);
    out.resize(static_cast<std::size_t>(needed));
    WideCharToMultiByte(CP_UTF8, 0, reinterpret_cast<LPCWCH>(text), -1, out.data(), needed, nullptr, nullptr);
    out.pop_back();
    return out;
}

TEST_F(Win32Test, console_writes_reach_the_host_in_order) {
    HostTerminal terminal(true);
    const char16_t wide[] = u"\u00e9\u20ac\U0001F600 ok\n";
    const DWORD wide_count = static_cast<DWORD>(std::char_traits<char16_t>::length(wide));
    {
        StandardFdSwap swap(1, terminal.slave);
        HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
        ASSERT_NE(out, nullptr);
        ASSERT_NE(out, INVALID_HANDLE_VALUE);
        DWORD done = 0;
        EXPECT_TRUE(WriteFile(out, "one ", 4, &done, nullptr));
        EXPECT_EQ(done, 4u);
        EXPECT_TRUE(WriteConsoleW(out, wide, wide_count, &done, nullptr));
        EXPECT_EQ(done, wide_count);
        EXPECT_TRUE(WriteConsoleA(out, "tw\xc3\xb6", 4, &done, nullptr));
        EXPECT_EQ(done, 4u);
        EXPECT_TRUE(WriteFile(out, " three", 6, &done, nullptr));
        EXPECT_TRUE(FlushFileBuffers(out));
    }
    const std::string expected = "one " + console_utf8(wide) + "tw\xc3\xb6 three";
    EXPECT_EQ(read_host_bytes(terminal.master, expected.size()), expected);
    close_standard_handles();
}

TEST_F(Win32Test, standard_error_reaches_the_hosts_stderr_and_a_pipe_is_no_console) {
    HostPipe pipe;
    {
        StandardFdSwap swap(2, pipe.fds[1]);
        HANDLE err = GetStdHandle(STD_ERROR_HANDLE);
        DWORD done = 0;
        EXPECT_TRUE(WriteFile(err, "err\xe2\x82\xac", 6, &done, nullptr));
        EXPECT_EQ(done, 6u);
        // A redirected handle is no console: the console calls refuse it.
        done = 7;
        EXPECT_FALSE(WriteConsoleA(err, "x", 1, &done, nullptr));
        EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
        EXPECT_EQ(done, 0u);
        DWORD mode = 0;
        EXPECT_FALSE(GetConsoleMode(err, &mode));
        EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
        CONSOLE_SCREEN_BUFFER_INFO info{};
        EXPECT_FALSE(GetConsoleScreenBufferInfo(err, &info));
        EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
        EXPECT_TRUE(WriteFile(err, "!", 1, &done, nullptr));
    }
    pipe.close_write();
    EXPECT_EQ(read_host_bytes(pipe.fds[0], 64), "err\xe2\x82\xac!");
    close_standard_handles();
}

TEST_F(Win32Test, a_large_write_reaches_a_non_blocking_host_pipe_whole_and_in_order) {
    HostPipe pipe;
    // Non-blocking: the host takes part of each write and refuses more until the reader drains it.
    ASSERT_EQ(::fcntl(pipe.fds[1], F_SETFL, ::fcntl(pipe.fds[1], F_GETFL) | O_NONBLOCK), 0);
    std::string sent(300000, '\0');
    for (std::size_t i = 0; i < sent.size(); ++i) sent[i] = static_cast<char>('a' + (i * 7 + i / 4096) % 26);
    std::string received;
    std::thread reader([&] {
        char buffer[1000];  // small reads: the writer waits on a full pipe many times
        for (;;) {
            const ssize_t n = ::read(pipe.fds[0], buffer, sizeof(buffer));
            if (n <= 0) break;
            received.append(buffer, static_cast<std::size_t>(n));
        }
    });
    {
        StandardFdSwap swap(1, pipe.fds[1]);
        DWORD done = 0;
        EXPECT_TRUE(WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), sent.data(), static_cast<DWORD>(sent.size()), &done,
                              nullptr));
        EXPECT_EQ(done, sent.size());
    }
    pipe.close_write();
    reader.join();
    EXPECT_TRUE(received == sent) << received.size() << " bytes arrived";
    close_standard_handles();
}

TEST_F(Win32Test, reads_get_what_the_hosts_stdin_holds) {
    HostPipe pipe;
    write_host_bytes(pipe.fds[1], "first line\n");
    pipe.close_write();
    StandardFdSwap swap(0, pipe.fds[0]);
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
    char buffer[64] = {};
    DWORD done = 0;
    ASSERT_TRUE(ReadFile(in, buffer, 5, &done, nullptr));
    EXPECT_EQ(std::string(buffer, done), "first");
    ASSERT_TRUE(ReadFile(in, buffer, sizeof(buffer), &done, nullptr));
    EXPECT_EQ(std::string(buffer, done), " line\n");
    // The end of the host's input: nothing more, no error.
    ASSERT_TRUE(ReadFile(in, buffer, sizeof(buffer), &done, nullptr));
    EXPECT_EQ(done, 0u);
    EXPECT_FALSE(ReadConsoleA(in, buffer, sizeof(buffer), &done, nullptr));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
    close_standard_handles();
}

TEST_F(Win32Test, read_console_returns_lines_of_the_terminal_as_utf16) {
    HostTerminal terminal(false);
    StandardFdSwap swap(0, terminal.slave);
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
    write_host_bytes(terminal.master, "h\xc3\xa9llo \xf0\x9f\x98\x80\n");
    WCHAR buffer[4] = {};
    DWORD done = 0;
    // Four characters at a time: the rest of the line waits for the next call.
    ASSERT_TRUE(ReadConsoleW(in, buffer, 4, &done, nullptr));
    EXPECT_EQ(std::u16string(reinterpret_cast<char16_t*>(buffer), done), u"h\u00e9ll");
    ASSERT_TRUE(ReadConsoleW(in, buffer, 4, &done, nullptr));
    EXPECT_EQ(std::u16string(reinterpret_cast<char16_t*>(buffer), done), u"o \U0001F600");
    ASSERT_TRUE(ReadConsoleW(in, buffer, 4, &done, nullptr));
    EXPECT_EQ(std::u16string(reinterpret_cast<char16_t*>(buffer), done), u"\n");
    write_host_bytes(terminal.master, "abc\n");
    char bytes[16] = {};
    ASSERT_TRUE(ReadConsoleA(in, bytes, sizeof(bytes), &done, nullptr));
    EXPECT_EQ(std::string(bytes, done), "abc\n");
    EXPECT_TRUE(FlushConsoleInputBuffer(in));
    close_standard_handles();
}

// A ReadFile of the standard input on a thread of its own, blocked on an empty pipe until ended.
struct BlockedConsoleRead {
    HANDLE in = nullptr;
    BOOL ok = TRUE;
    DWORD error = 0;
    HANDLE thread = nullptr;

    explicit BlockedConsoleRead(HANDLE handle) : in(handle) {
        thread = CreateThread(nullptr, 0, run, this, 0, nullptr);
        EXPECT_NE(thread, nullptr);
    }
    static DWORD WINAPI run(LPVOID self) {
        auto* read = static_cast<BlockedConsoleRead*>(self);
        char buffer[8];
        DWORD done = 0;
        read->ok = ReadFile(read->in, buffer, sizeof(buffer), &done, nullptr);
        read->error = GetLastError();
        return 0;
    }
    // Waits for the thread; the read must have ended with ERROR_OPERATION_ABORTED.
    void expect_aborted() {
        EXPECT_EQ(WaitForSingleObject(thread, INFINITE), WAIT_OBJECT_0);
        CloseHandle(thread);
        EXPECT_FALSE(ok);
        EXPECT_EQ(error, DWORD(ERROR_OPERATION_ABORTED));
    }
};

TEST_F(Win32Test, cancel_synchronous_io_ends_a_blocked_console_read) {
    HostPipe pipe;  // stays empty and open: the read blocks
    StandardFdSwap swap(0, pipe.fds[0]);
    BlockedConsoleRead read(GetStdHandle(STD_INPUT_HANDLE));
    ASSERT_NE(read.thread, nullptr);
    // Until the read is under way there is nothing to cancel (ERROR_NOT_FOUND).
    while (!CancelSynchronousIo(read.thread)) {
        ASSERT_EQ(GetLastError(), DWORD(ERROR_NOT_FOUND));
        Sleep(1);
    }
    read.expect_aborted();
    close_standard_handles();
}

TEST_F(Win32Test, closing_the_last_handle_ends_a_blocked_console_read) {
    HostPipe pipe;
    StandardFdSwap swap(0, pipe.fds[0]);
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
    BlockedConsoleRead read(in);
    ASSERT_NE(read.thread, nullptr);
    // Once the read is under way, closing the only handle (its cleanup) ends it.
    BOOL pending = FALSE;
    while (GetThreadIOPendingFlag(read.thread, &pending) && !pending) Sleep(1);
    ASSERT_TRUE(pending);
    EXPECT_FALSE(GetThreadIOPendingFlag(nullptr, &pending));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
    CloseHandle(in);
    read.expect_aborted();
}

TEST_F(Win32Test, console_modes_on_terminals_and_their_validation) {
    HostTerminal terminal(true);
    StandardFdSwap in_swap(0, terminal.slave);
    StandardFdSwap out_swap(1, terminal.slave);
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    DWORD mode = 0;
    ASSERT_TRUE(GetConsoleMode(in, &mode));
    // Every input mode but window and virtual-terminal input.
    EXPECT_EQ(mode, DWORD(0x1F7));
    ASSERT_TRUE(GetConsoleMode(out, &mode));
    EXPECT_EQ(mode, DWORD(ENABLE_PROCESSED_OUTPUT | ENABLE_WRAP_AT_EOL_OUTPUT));

    EXPECT_TRUE(SetConsoleMode(out, ENABLE_PROCESSED_OUTPUT | ENABLE_VIRTUAL_TERMINAL_PROCESSING));
    ASSERT_TRUE(GetConsoleMode(out, &mode));
    EXPECT_EQ(mode, DWORD(ENABLE_PROCESSED_OUTPUT | ENABLE_VIRTUAL_TERMINAL_PROCESSING));
    EXPECT_FALSE(SetConsoleMode(out, 0x20));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    // An input mode is no output mode.
    EXPECT_FALSE(SetConsoleMode(out, ENABLE_AUTO_POSITION));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));

    // Echo needs line input.
    EXPECT_FALSE(SetConsoleMode(in, ENABLE_ECHO_INPUT));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_FALSE(SetConsoleMode(in, 0x400));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    ASSERT_TRUE(GetConsoleMode(in, &mode));
    EXPECT_EQ(mode, DWORD(0x1F7));
    // Quick edit and insert change only with ENABLE_EXTENDED_FLAGS.
    EXPECT_TRUE(SetConsoleMode(in, ENABLE_PROCESSED_INPUT));
    ASSERT_TRUE(GetConsoleMode(in, &mode));
    EXPECT_EQ(mode, DWORD(ENABLE_PROCESSED_INPUT | ENABLE_INSERT_MODE | ENABLE_QUICK_EDIT_MODE));
    EXPECT_TRUE(SetConsoleMode(in, ENABLE_EXTENDED_FLAGS | ENABLE_VIRTUAL_TERMINAL_INPUT));
    ASSERT_TRUE(GetConsoleMode(in, &mode));
    EXPECT_EQ(mode, DWORD(ENABLE_EXTENDED_FLAGS | ENABLE_VIRTUAL_TERMINAL_INPUT));

    CONSOLE_SCREEN_BUFFER_INFO info{};
    ASSERT_TRUE(GetConsoleScreenBufferInfo(out, &info));
    EXPECT_EQ(info.dwSize.X, 80);
    EXPECT_EQ(info.dwSize.Y, 25);
    EXPECT_EQ(info.srWindow.Right, 79);
    EXPECT_EQ(info.srWindow.Bottom, 24);
    EXPECT_FALSE(GetConsoleScreenBufferInfo(in, &info));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
    EXPECT_FALSE(FlushConsoleInputBuffer(out));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
    close_standard_handles();
}

TEST_F(Win32Test, standard_handles_are_character_files_and_can_be_replaced) {
    for (DWORD which : {STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE})
        EXPECT_EQ(GetFileType(GetStdHandle(which)), DWORD(FILE_TYPE_CHAR));
    EXPECT_EQ(GetStdHandle(STD_OUTPUT_HANDLE), GetStdHandle(STD_OUTPUT_HANDLE));
    EXPECT_EQ(GetStdHandle(0), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
    EXPECT_FALSE(SetStdHandle(STD_INPUT_HANDLE - 5, nullptr));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));

    HANDLE original = GetStdHandle(STD_ERROR_HANDLE);
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    ASSERT_TRUE(SetStdHandle(STD_ERROR_HANDLE, event));
    EXPECT_EQ(GetStdHandle(STD_ERROR_HANDLE), event);
    DWORD mode = 0;
    EXPECT_FALSE(GetConsoleMode(event, &mode));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
    ASSERT_TRUE(SetStdHandle(STD_ERROR_HANDLE, original));
    CloseHandle(event);

    // A closed standard handle stays the standard handle, and writes to it fail.
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    ASSERT_TRUE(CloseHandle(out));
    EXPECT_EQ(GetStdHandle(STD_OUTPUT_HANDLE), out);
    DWORD done = 0;
    EXPECT_FALSE(WriteFile(out, "x", 1, &done, nullptr));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
    CloseHandle(GetStdHandle(STD_INPUT_HANDLE));
    CloseHandle(GetStdHandle(STD_ERROR_HANDLE));
}

TEST_F(Win32Test, console_code_pages_are_utf8) {
    EXPECT_EQ(GetConsoleCP(), UINT(CP_UTF8));
    EXPECT_EQ(GetConsoleOutputCP(), UINT(CP_UTF8));
    EXPECT_TRUE(SetConsoleCP(CP_UTF8));
    EXPECT_TRUE(SetConsoleOutputCP(CP_UTF8));
    EXPECT_FALSE(SetConsoleCP(437));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_FALSE(SetConsoleOutputCP(0));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(GetConsoleCP(), UINT(CP_UTF8));
}

TEST_F(Win32Test, console_attach_free_and_alloc) {
    EXPECT_EQ(GetConsoleWindow(), nullptr);
    EXPECT_FALSE(AllocConsole());
    EXPECT_EQ(GetLastError(), DWORD(ERROR_ACCESS_DENIED));
    EXPECT_FALSE(AttachConsole(ATTACH_PARENT_PROCESS));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_ACCESS_DENIED));
    EXPECT_TRUE(FreeConsole());
    EXPECT_EQ(GetStdHandle(STD_OUTPUT_HANDLE), nullptr);  // none was opened before the console went
    EXPECT_FALSE(GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, 0));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
    EXPECT_TRUE(AllocConsole());
    EXPECT_TRUE(FreeConsole());
    EXPECT_FALSE(AttachConsole(GetCurrentProcessId() + 4));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_TRUE(AttachConsole(ATTACH_PARENT_PROCESS));
    EXPECT_EQ(GetFileType(GetStdHandle(STD_OUTPUT_HANDLE)), DWORD(FILE_TYPE_CHAR));
    close_standard_handles();
}

TEST_F(Win32Test, console_title_is_kept) {
    ASSERT_TRUE(SetConsoleTitleW(reinterpret_cast<LPCWSTR>(u"t\u00eftle")));
    WCHAR wide[16] = {};
    EXPECT_EQ(GetConsoleTitleW(wide, 16), 5u);
    EXPECT_EQ(std::u16string(reinterpret_cast<char16_t*>(wide)), u"t\u00eftle");
    // Too small: as much as fits, NUL-terminated.
    EXPECT_EQ(GetConsoleTitleW(wide, 3), 5u);
    EXPECT_EQ(std::u16string(reinterpret_cast<char16_t*>(wide)), u"t\u00ef");
    char narrow[16] = {};
    EXPECT_EQ(GetConsoleTitleA(narrow, sizeof(narrow)), 6u);
    EXPECT_STREQ(narrow, "t\xc3\xaftle");
    ASSERT_TRUE(SetConsoleTitleA("abc"));
    EXPECT_EQ(GetConsoleTitleW(wide, 16), 3u);
    EXPECT_EQ(std::u16string(reinterpret_cast<char16_t*>(wide)), u"abc");
    EXPECT_FALSE(SetConsoleTitleW(nullptr));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(GetConsoleTitleW(nullptr, 0), 0u);
}

TEST_F(Win32Test, console_calls_refuse_bad_handles_pointers_and_lengths) {
    HostTerminal terminal(true);
    StandardFdSwap out_swap(1, terminal.slave);
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    DWORD done = 0;
    DWORD mode = 0;
    EXPECT_FALSE(WriteConsoleA(nullptr, "x", 1, &done, nullptr));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
    EXPECT_FALSE(GetConsoleMode(INVALID_HANDLE_VALUE, &mode));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
    EXPECT_FALSE(SetConsoleMode(reinterpret_cast<HANDLE>(0x7770), 0));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
    EXPECT_FALSE(GetConsoleMode(out, nullptr));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_NOACCESS));
    EXPECT_FALSE(WriteConsoleW(out, reinterpret_cast<const void*>(0x10), 4, &done, nullptr));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_NOACCESS));
    EXPECT_FALSE(WriteConsoleA(out, reinterpret_cast<const void*>(0x10), 4, &done, nullptr));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_NOACCESS));
    EXPECT_FALSE(GetConsoleScreenBufferInfo(out, nullptr));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_NOACCESS));
    // Nothing to write is a write of nothing.
    EXPECT_TRUE(WriteConsoleW(out, nullptr, 0, &done, nullptr));
    EXPECT_EQ(done, 0u);
    // The input handle takes no writes, the output handle no reads.
    HostPipe pipe;
    StandardFdSwap in_swap(0, pipe.fds[0]);
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
    EXPECT_FALSE(WriteFile(in, "x", 1, &done, nullptr));
    char buffer[4];
    EXPECT_FALSE(ReadFile(out, buffer, sizeof(buffer), &done, nullptr));
    close_standard_handles();
}

}  // namespace
}  // namespace ntio::test

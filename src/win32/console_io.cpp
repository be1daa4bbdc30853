// Console reads, writes, modes, the screen buffer's size and the input flush, as private controls to
// the \Device\ConDrv object a handle names (io/console_driver.hpp). ntio's console code page is
// UTF-8: the A forms pass bytes through, the W forms convert.
// https://learn.microsoft.com/windows/console/console-functions
#include <algorithm>

#include "io/console_driver.hpp"
#include "nt/user_memory.hpp"
#include "win32/console.hpp"

using namespace ntio;
namespace console = ntio::win32::console;

namespace {

BOOL fail(NTSTATUS status) {
    win32::set_last_nt_error(status);
    return FALSE;
}

// Stores a count the caller asked for; a bad pointer is ERROR_NOACCESS.
BOOL report_count(LPDWORD where, DWORD count) {
    if (!where) return TRUE;
    if (NTSTATUS status = nt::copy_to_user(where, &count, sizeof(count), 1); !NT_SUCCESS(status)) return fail(status);
    return TRUE;
}

BOOL write_bytes(HANDLE handle, const void* data, DWORD length, DWORD* written) {
    ULONG_PTR information = 0;
    const NTSTATUS status = console::control(handle, io::console::kWrite, data, length, nullptr, 0, &information);
    *written = static_cast<DWORD>(information);
    return NT_SUCCESS(status) ? TRUE : fail(status);
}

// How many bytes at the end of `bytes` begin a UTF-8 sequence that is not complete yet.
std::size_t incomplete_tail(const std::string& bytes) {
    const std::size_t size = bytes.size();
    for (std::size_t back = 1; back <= 3 && back <= size; ++back) {
        const auto c = static_cast<unsigned char>(bytes[size - back]);
        if ((c & 0xC0) == 0x80) continue;  // a continuation byte: the lead is further back
        const std::size_t needed = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        return needed > back ? back : 0;
    }
    return 0;
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows/console/writeconsole: lpNumberOfCharsWritten counts characters
// (TCHARs). A handle that is not a console (a redirected one included) is ERROR_INVALID_HANDLE.
BOOL WINAPI WriteConsoleA(HANDLE hConsoleOutput, CONST VOID* lpBuffer, DWORD nNumberOfCharsToWrite,
                          LPDWORD lpNumberOfCharsWritten, LPVOID lpReserved) {
    (void)lpReserved;
    DWORD written = 0;
    const BOOL ok = write_bytes(hConsoleOutput, lpBuffer, nNumberOfCharsToWrite, &written);
    if (!report_count(lpNumberOfCharsWritten, written)) return FALSE;
    return ok;
}

BOOL WINAPI WriteConsoleW(HANDLE hConsoleOutput, CONST VOID* lpBuffer, DWORD nNumberOfCharsToWrite,
                          LPDWORD lpNumberOfCharsWritten, LPVOID lpReserved) {
    (void)lpReserved;
    win32::ensure_system();
    std::u16string text(nNumberOfCharsToWrite, u'\0');
    if (NTSTATUS status = nt::copy_from_user(text.data(), lpBuffer, text.size() * sizeof(WCHAR), 1);
        !NT_SUCCESS(status))
        return fail(status);
    // NT deviation: a surrogate pair split between two calls becomes two U+FFFD.
    const std::string bytes = win32::utf16_to_ansi(text);
    if (bytes.size() > MAXDWORD) return fail(STATUS_INVALID_PARAMETER);
    DWORD written = 0;
    const BOOL ok = write_bytes(hConsoleOutput, bytes.data(), static_cast<DWORD>(bytes.size()), &written);
    if (!report_count(lpNumberOfCharsWritten, ok ? nNumberOfCharsToWrite : 0)) return FALSE;
    return ok;
}

// https://learn.microsoft.com/windows/console/readconsole: line input as the host's terminal gives
// it (its own line discipline edits and echoes). NT deviation: pInputControl is accepted and not used.
BOOL WINAPI ReadConsoleA(HANDLE hConsoleInput, LPVOID lpBuffer, DWORD nNumberOfCharsToRead,
                         LPDWORD lpNumberOfCharsRead, PCONSOLE_READCONSOLE_CONTROL pInputControl) {
    (void)pInputControl;
    ULONG_PTR information = 0;
    const NTSTATUS status =
        console::control(hConsoleInput, io::console::kRead, nullptr, 0, lpBuffer, nNumberOfCharsToRead, &information);
    if (!NT_SUCCESS(status)) return fail(status);
    return report_count(lpNumberOfCharsRead, static_cast<DWORD>(information));
}

// The UTF-8 the host gives becomes UTF-16. A character cut by the end of one host read waits for the
// next; characters the buffer cannot take are returned by the next call. NT deviation: ReadFile and
// ReadConsoleA do not see what ReadConsoleW holds back.
BOOL WINAPI ReadConsoleW(HANDLE hConsoleInput, LPVOID lpBuffer, DWORD nNumberOfCharsToRead,
                         LPDWORD lpNumberOfCharsRead, PCONSOLE_READCONSOLE_CONTROL pInputControl) {
    (void)pInputControl;
    win32::ensure_system();
    std::u16string units;
    std::string bytes;
    console::with_process_console([&](console::ProcessConsole& state) {
        units.swap(state.pending_units);
        bytes.swap(state.pending_bytes);
    });
    // The check every call makes, even one the pending characters answer.
    if (NTSTATUS status = console::control(hConsoleInput, io::console::kGetMode, nullptr, 0, nullptr, 0, nullptr);
        status == STATUS_INVALID_HANDLE) {
        console::with_process_console([&](console::ProcessConsole& state) {
            state.pending_units.swap(units);
            state.pending_bytes.swap(bytes);
        });
        return fail(status);
    }
    while (units.empty() && nNumberOfCharsToRead > 0) {
        // The whole line the host has, as a console buffers it: what does not fit waits.
        std::string chunk(std::max<DWORD>(nNumberOfCharsToRead, 4096), '\0');
        ULONG_PTR information = 0;
        const NTSTATUS status = console::control(hConsoleInput, io::console::kRead, nullptr, 0, chunk.data(),
                                                 static_cast<ULONG>(chunk.size()), &information);
        if (!NT_SUCCESS(status)) {
            console::with_process_console([&](console::ProcessConsole& state) { state.pending_bytes.swap(bytes); });
            return fail(status);
        }
        if (information == 0) break;  // the end of the host's input
        bytes.append(chunk.data(), information);
        const std::size_t tail = incomplete_tail(bytes);
        units = win32::ansi_to_utf16(std::string_view(bytes).substr(0, bytes.size() - tail));
        bytes.erase(0, bytes.size() - tail);
    }
    const std::size_t count = std::min<std::size_t>(units.size(), nNumberOfCharsToRead);
    NTSTATUS status = nt::copy_to_user(lpBuffer, units.data(), count * sizeof(WCHAR), 1);
    console::with_process_console([&](console::ProcessConsole& state) {
        state.pending_units = NT_SUCCESS(status) ? units.substr(count) : units;
        state.pending_bytes = bytes;
    });
    if (!NT_SUCCESS(status)) return fail(status);
    return report_count(lpNumberOfCharsRead, static_cast<DWORD>(count));
}

// https://learn.microsoft.com/windows/console/getconsolemode
BOOL WINAPI GetConsoleMode(HANDLE hConsoleHandle, LPDWORD lpMode) {
    ULONG mode = 0;
    const NTSTATUS status =
        console::control(hConsoleHandle, io::console::kGetMode, nullptr, 0, &mode, sizeof(mode), nullptr);
    if (!NT_SUCCESS(status)) return fail(status);
    if (!lpMode) return fail(STATUS_ACCESS_VIOLATION);
    return report_count(lpMode, mode);
}

// https://learn.microsoft.com/windows/console/setconsolemode: bits that are no mode of the handle's
// kind, and echo without line input, are ERROR_INVALID_PARAMETER (the driver checks).
BOOL WINAPI SetConsoleMode(HANDLE hConsoleHandle, DWORD dwMode) {
    const ULONG mode = dwMode;
    return win32::succeeded(
        console::control(hConsoleHandle, io::console::kSetMode, &mode, sizeof(mode), nullptr, 0, nullptr));
}

// https://learn.microsoft.com/windows/console/getconsolescreenbufferinfo. NT deviation: the buffer is
// the terminal's visible size, the cursor is reported at the origin and the attributes as light grey
// on black (the host's cursor and colours are not read).
BOOL WINAPI GetConsoleScreenBufferInfo(HANDLE hConsoleOutput, PCONSOLE_SCREEN_BUFFER_INFO lpConsoleScreenBufferInfo) {
    io::console::ScreenSize size{};
    NTSTATUS status =
        console::control(hConsoleOutput, io::console::kScreenSize, nullptr, 0, &size, sizeof(size), nullptr);
    if (!NT_SUCCESS(status)) return fail(status);
    auto clamp = [](ULONG v) { return static_cast<SHORT>(std::min<ULONG>(v, 0x7FFF)); };
    CONSOLE_SCREEN_BUFFER_INFO info{};
    info.dwSize = {clamp(size.columns), clamp(size.rows)};
    info.wAttributes = 0x0007;  // FOREGROUND_RED | FOREGROUND_GREEN | FOREGROUND_BLUE
    info.srWindow = {0, 0, static_cast<SHORT>(info.dwSize.X - 1), static_cast<SHORT>(info.dwSize.Y - 1)};
    info.dwMaximumWindowSize = info.dwSize;
    status = nt::copy_to_user(lpConsoleScreenBufferInfo, &info, sizeof(info), 1);
    return NT_SUCCESS(status) ? TRUE : fail(status);
}

// https://learn.microsoft.com/windows/console/flushconsoleinputbuffer: what the terminal holds
// unread is dropped.
BOOL WINAPI FlushConsoleInputBuffer(HANDLE hConsoleInput) {
    return win32::succeeded(
        console::control(hConsoleInput, io::console::kFlushInput, nullptr, 0, nullptr, 0, nullptr));
}

}  // extern "C"

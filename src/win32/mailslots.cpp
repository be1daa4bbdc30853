// kernel32's mailslot calls: CreateMailslotA/W over NtCreateMailslotFile, GetMailslotInfo and
// SetMailslotInfo over the mailslot information classes. `\\.\mailslot\<name>` is
// `\??\mailslot\<name>` in NT, `\??\MAILSLOT` being the link to the mailslot file system
// (\Device\Mailslot). Clients use CreateFile and WriteFile, the server ReadFile.
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-createmailslota
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-getmailslotinfo
#include "win32/dos_paths.hpp"
#include <ntifs.h>  // FILE_MAILSLOT_QUERY_INFORMATION, FILE_MAILSLOT_SET_INFORMATION

using namespace ntio;

namespace {

// The NT prefix every local mailslot name has after the DOS-to-NT conversion.
constexpr std::u16string_view kMailslotPrefix = u"\\??\\mailslot\\";

// The prefix, compared without case, then at least one character.
bool is_mailslot_path(std::u16string_view nt_path) noexcept {
    if (nt_path.size() <= kMailslotPrefix.size()) return false;
    for (std::size_t i = 0; i < kMailslotPrefix.size(); ++i) {
        char16_t c = nt_path[i];
        if (c >= u'A' && c <= u'Z') c = static_cast<char16_t>(c - u'A' + u'a');
        if (c != kMailslotPrefix[i]) return false;
    }
    return true;
}

// A read timeout in milliseconds as the mailslot file system keeps it: 100 ns units, negative
// (relative), 0 for no wait, -1 for MAILSLOT_WAIT_FOREVER.
LARGE_INTEGER nt_read_timeout(DWORD ms) {
    LARGE_INTEGER timeout;
    timeout.QuadPart = ms == MAILSLOT_WAIT_FOREVER ? -1 : -static_cast<LONGLONG>(ms) * 10000;
    return timeout;
}

DWORD win32_read_timeout(LARGE_INTEGER timeout) {
    if (timeout.QuadPart == -1) return MAILSLOT_WAIT_FOREVER;
    return static_cast<DWORD>(-timeout.QuadPart / 10000);
}

HANDLE create_mailslot(win32::DosPathAttributes& attributes, DWORD max_message_size, DWORD read_timeout) {
    win32::ensure_system();
    // No name is the conversion's STATUS_OBJECT_PATH_NOT_FOUND (ERROR_PATH_NOT_FOUND); a name outside
    // `\\.\mailslot\` ERROR_INVALID_NAME (the facts Windows shows for CreateMailslotA(NULL, ...) and
    // CreateMailslotA("blah", ...)).
    NTSTATUS status = attributes.status();
    if (NT_SUCCESS(status) && !is_mailslot_path(attributes.nt_path())) status = STATUS_OBJECT_NAME_INVALID;
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return INVALID_HANDLE_VALUE;
    }
    LARGE_INTEGER timeout = nt_read_timeout(read_timeout);
    HANDLE handle = nullptr;
    IO_STATUS_BLOCK iosb{};
    // The server reads only: its handle has no write access, and no synchronous-I/O option, so
    // ReadFile may pass an OVERLAPPED. An existing name is STATUS_OBJECT_NAME_COLLISION
    // (ERROR_ALREADY_EXISTS).
    status = NtCreateMailslotFile(&handle, GENERIC_READ | SYNCHRONIZE | WRITE_DAC, attributes.get(), &iosb,
                                  FILE_WRITE_THROUGH, 0, max_message_size, &timeout);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return INVALID_HANDLE_VALUE;
    }
    return handle;
}

}  // namespace

extern "C" {

HANDLE WINAPI CreateMailslotW(LPCWSTR lpName, DWORD nMaxMessageSize, DWORD lReadTimeout,
                              LPSECURITY_ATTRIBUTES lpSecurityAttributes) {
    win32::DosPathAttributes attributes(lpName, lpSecurityAttributes);
    return create_mailslot(attributes, nMaxMessageSize, lReadTimeout);
}

HANDLE WINAPI CreateMailslotA(LPCSTR lpName, DWORD nMaxMessageSize, DWORD lReadTimeout,
                              LPSECURITY_ATTRIBUTES lpSecurityAttributes) {
    win32::DosPathAttributes attributes(lpName, lpSecurityAttributes);
    return create_mailslot(attributes, nMaxMessageSize, lReadTimeout);
}

BOOL WINAPI GetMailslotInfo(HANDLE hMailslot, LPDWORD lpMaxMessageSize, LPDWORD lpNextSize, LPDWORD lpMessageCount,
                            LPDWORD lpReadTimeout) {
    win32::ensure_system();
    FILE_MAILSLOT_QUERY_INFORMATION info{};
    IO_STATUS_BLOCK iosb{};
    const NTSTATUS status = NtQueryInformationFile(hMailslot, &iosb, &info, sizeof(info), FileMailslotQueryInformation);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return FALSE;
    }
    if (lpMaxMessageSize) *lpMaxMessageSize = info.MaximumMessageSize;
    if (lpNextSize) *lpNextSize = info.NextMessageSize;
    if (lpMessageCount) *lpMessageCount = info.MessagesAvailable;
    if (lpReadTimeout) *lpReadTimeout = win32_read_timeout(info.ReadTimeout);
    return TRUE;
}

BOOL WINAPI SetMailslotInfo(HANDLE hMailslot, DWORD lReadTimeout) {
    win32::ensure_system();
    LARGE_INTEGER timeout = nt_read_timeout(lReadTimeout);
    FILE_MAILSLOT_SET_INFORMATION info{&timeout};
    IO_STATUS_BLOCK iosb{};
    const NTSTATUS status = NtSetInformationFile(hMailslot, &iosb, &info, sizeof(info), FileMailslotSetInformation);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return FALSE;
    }
    return TRUE;
}

}  // extern "C"

// kernel32's mailslot calls: CreateMailslotA/W over NtCreateMailslotFile, GetMailslotInfo and
// SetMailslotInfo over the mailslot information classes. `\\.\mailslot\<name>` is
// `\??\mailslot\<name>` in NT, `\??\MAILSLOT` being the link to the mailslot file system
// (\Device\Mailslot). Clients use CreateFile and WriteFile, the server ReadFile.
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-createmailslota
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-getmailslotinfo
#include "win32/local_fs_names.hpp"
#include <ntifs.h>  // FILE_MAILSLOT_QUERY_INFORMATION, FILE_MAILSLOT_SET_INFORMATION

using namespace ntio;

namespace {

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
    // The facts Windows shows for CreateMailslotA(NULL, ...) (ERROR_PATH_NOT_FOUND) and
    // CreateMailslotA("blah", ...) (ERROR_INVALID_NAME).
    NTSTATUS status = win32::check_name_under(attributes, win32::kMailslotPrefix);
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
    return win32::succeeded(status);
}

}  // extern "C"

// FindFirstChangeNotification, FindNextChangeNotification and FindCloseChangeNotification: a change
// notification handle is the watched directory's own handle, opened for asynchronous I/O, with an
// NtNotifyChangeDirectoryFile request outstanding that has no event, so the file object itself is
// signalled when a change completes it (NT fact H1) and the handle is waitable.
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-findfirstchangenotificationw
#include "win32/dos_paths.hpp"

namespace {

// The requests' IOSB and the reason they completed are never read: only the handle's signal state
// matters. kernel32 keeps no state per change handle (it is closed with NtClose), so the request
// writes one process-wide block; it asks for no records (length 0: STATUS_NOTIFY_ENUM_DIR).
IO_STATUS_BLOCK g_change_iosb;

NTSTATUS request_change(HANDLE directory, BOOL watch_subtree, DWORD filter) {
    return NtNotifyChangeDirectoryFile(directory, nullptr, nullptr, nullptr, &g_change_iosb, nullptr, 0, filter,
                                       watch_subtree ? TRUE : FALSE);
}

HANDLE first_change(ntio::win32::DosPathAttributes& attributes, BOOL watch_subtree, DWORD filter) {
    NTSTATUS status = attributes.status();
    HANDLE directory = nullptr;
    if (NT_SUCCESS(status)) {
        IO_STATUS_BLOCK iosb{};
        status = NtOpenFile(&directory, FILE_LIST_DIRECTORY | SYNCHRONIZE, attributes.get(), &iosb,
                            FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                            FILE_DIRECTORY_FILE | FILE_OPEN_FOR_BACKUP_INTENT);
    }
    if (NT_SUCCESS(status)) {
        status = request_change(directory, watch_subtree, filter);
        if (NT_ERROR(status)) (void)NtClose(directory);
    }
    if (NT_ERROR(status)) {
        ntio::win32::set_last_nt_error(status);
        return INVALID_HANDLE_VALUE;
    }
    return directory;
}

}  // namespace

extern "C" {

HANDLE WINAPI FindFirstChangeNotificationW(LPCWSTR lpPathName, BOOL bWatchSubtree, DWORD dwNotifyFilter) {
    ntio::win32::ensure_system();
    ntio::win32::DosPathAttributes attributes(lpPathName, nullptr);
    return first_change(attributes, bWatchSubtree, dwNotifyFilter);
}

HANDLE WINAPI FindFirstChangeNotificationA(LPCSTR lpPathName, BOOL bWatchSubtree, DWORD dwNotifyFilter) {
    ntio::win32::ensure_system();
    ntio::win32::DosPathAttributes attributes(lpPathName, nullptr);
    return first_change(attributes, bWatchSubtree, dwNotifyFilter);
}

// The notify structure keeps the first request's filter and subtree choice, so the next request's
// are immaterial (FsRtl, "FsRtlNotifyFullChangeDirectory").
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-findnextchangenotification
BOOL WINAPI FindNextChangeNotification(HANDLE hChangeHandle) {
    ntio::win32::ensure_system();
    const NTSTATUS status = request_change(hChangeHandle, FALSE, FILE_NOTIFY_CHANGE_FILE_NAME);
    if (NT_ERROR(status)) {
        ntio::win32::set_last_nt_error(status);
        return FALSE;
    }
    return TRUE;
}

// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-findclosechangenotification
BOOL WINAPI FindCloseChangeNotification(HANDLE hChangeHandle) {
    ntio::win32::ensure_system();
    const NTSTATUS status = NtClose(hChangeHandle);
    return ntio::win32::succeeded(status);
}

}  // extern "C"

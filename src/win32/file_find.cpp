// FindFirstFile / FindNextFile / FindClose over NtQueryDirectoryFile (FileBothDirectoryInformation with
// the name mask), and ReadDirectoryChangesW over NtNotifyChangeDirectoryFile. A find handle is a
// kernel32 object, not an NT handle: it owns the directory handle and the entry buffer.
#include <algorithm>
#include <cstring>
#include <mutex>
#include <set>
#include <vector>

#include "win32/dos_paths.hpp"
#include "win32/io_overlapped.hpp"

using namespace ntio;

namespace {

struct FindState {
    HANDLE directory = nullptr;
    std::vector<ULONGLONG> buffer = std::vector<ULONGLONG>(64 * 1024 / sizeof(ULONGLONG));
    ULONG next = 0;       // offset of the next entry in buffer
    bool valid = false;   // buffer holds entries not yet returned
};

struct FindTable {
    std::mutex lock;
    std::set<FindState*> live;
};
FindTable& finds() {
    static FindTable table;
    return table;
}

// Refills the buffer with the next batch (restart on the first call).
NTSTATUS fill(FindState& state, PUNICODE_STRING mask, bool restart) {
    IO_STATUS_BLOCK iosb{};
    NTSTATUS status = NtQueryDirectoryFile(state.directory, nullptr, nullptr, nullptr, &iosb, state.buffer.data(),
                                           static_cast<ULONG>(state.buffer.size() * sizeof(ULONGLONG)),
                                           FileBothDirectoryInformation, FALSE, mask, restart ? TRUE : FALSE);
    status = win32::wait_for_pending(state.directory, status, iosb);
    state.next = 0;
    state.valid = NT_SUCCESS(status);
    return status;
}

// Takes the next entry; STATUS_NO_MORE_FILES at the end.
NTSTATUS next_entry(FindState& state, FILE_BOTH_DIR_INFORMATION*& entry) {
    if (!state.valid) {
        const NTSTATUS status = fill(state, nullptr, false);
        if (!NT_SUCCESS(status)) return status;
    }
    auto* base = reinterpret_cast<UCHAR*>(state.buffer.data());
    entry = reinterpret_cast<FILE_BOTH_DIR_INFORMATION*>(base + state.next);
    if (entry->NextEntryOffset) state.next += entry->NextEntryOffset;
    else state.valid = false;
    return STATUS_SUCCESS;
}

void to_find_data(const FILE_BOTH_DIR_INFORMATION& e, WIN32_FIND_DATAW& out) {
    std::memset(&out, 0, sizeof(out));
    out.dwFileAttributes = e.FileAttributes;
    out.ftCreationTime = {e.CreationTime.LowPart, static_cast<DWORD>(e.CreationTime.HighPart)};
    out.ftLastAccessTime = {e.LastAccessTime.LowPart, static_cast<DWORD>(e.LastAccessTime.HighPart)};
    out.ftLastWriteTime = {e.LastWriteTime.LowPart, static_cast<DWORD>(e.LastWriteTime.HighPart)};
    out.nFileSizeHigh = static_cast<DWORD>(e.EndOfFile.HighPart);
    out.nFileSizeLow = e.EndOfFile.LowPart;
    const std::size_t chars = std::min<std::size_t>(e.FileNameLength / sizeof(WCHAR), MAX_PATH - 1);
    std::memcpy(out.cFileName, e.FileName, chars * sizeof(WCHAR));
    const std::size_t short_chars =
        std::min<std::size_t>(static_cast<UCHAR>(e.ShortNameLength) / sizeof(WCHAR), 13);
    std::memcpy(out.cAlternateFileName, e.ShortName, short_chars * sizeof(WCHAR));
}

void to_find_data(const WIN32_FIND_DATAW& w, WIN32_FIND_DATAA& out) {
    std::memset(&out, 0, sizeof(out));
    out.dwFileAttributes = w.dwFileAttributes;
    out.ftCreationTime = w.ftCreationTime;
    out.ftLastAccessTime = w.ftLastAccessTime;
    out.ftLastWriteTime = w.ftLastWriteTime;
    out.nFileSizeHigh = w.nFileSizeHigh;
    out.nFileSizeLow = w.nFileSizeLow;
    const std::string name = win32::utf16_to_ansi(reinterpret_cast<const char16_t*>(w.cFileName));
    std::memcpy(out.cFileName, name.data(), std::min<std::size_t>(name.size(), MAX_PATH - 1));
    const std::string alt = win32::utf16_to_ansi(reinterpret_cast<const char16_t*>(w.cAlternateFileName));
    std::memcpy(out.cAlternateFileName, alt.data(), std::min<std::size_t>(alt.size(), 13));
}

HANDLE find_first(std::u16string_view pattern, WIN32_FIND_DATAW& data) {
    win32::ensure_system();
    // The directory is everything up to the last separator; the mask is the rest ("*" when empty).
    const std::size_t slash = pattern.find_last_of(u"\\/");
    std::u16string directory;
    std::u16string mask;
    if (slash == std::u16string_view::npos) {
        directory.push_back(u'.');
        mask.append(pattern);
    } else {
        directory.append(pattern.data(), slash + 1);
        mask.append(pattern.data() + slash + 1, pattern.size() - slash - 1);
    }
    if (mask.empty()) mask.push_back(u'*');
    win32::DosPathAttributes attributes(reinterpret_cast<LPCWSTR>(directory.c_str()), nullptr);
    NTSTATUS status = attributes.status();
    auto state = std::make_unique<FindState>();
    if (NT_SUCCESS(status)) {
        IO_STATUS_BLOCK iosb{};
        status = NtOpenFile(&state->directory, FILE_LIST_DIRECTORY | SYNCHRONIZE, attributes.get(), &iosb,
                            FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                            FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT | FILE_OPEN_FOR_BACKUP_INTENT);
    }
    if (NT_SUCCESS(status)) {
        UNICODE_STRING mask_string;
        mask_string.Buffer = reinterpret_cast<PWCH>(mask.data());
        mask_string.Length = static_cast<USHORT>(mask.size() * sizeof(WCHAR));
        mask_string.MaximumLength = mask_string.Length;
        status = fill(*state, &mask_string, true);
        // An empty directory or no match: ERROR_FILE_NOT_FOUND.
        if (status == STATUS_NO_MORE_FILES) status = STATUS_NO_SUCH_FILE;
    }
    FILE_BOTH_DIR_INFORMATION* entry = nullptr;
    if (NT_SUCCESS(status)) status = next_entry(*state, entry);
    if (!NT_SUCCESS(status)) {
        if (state->directory) (void)NtClose(state->directory);
        win32::set_last_nt_error(status);
        return INVALID_HANDLE_VALUE;
    }
    to_find_data(*entry, data);
    FindTable& table = finds();
    std::lock_guard guard(table.lock);
    FindState* raw = state.release();
    table.live.insert(raw);
    return reinterpret_cast<HANDLE>(raw);
}

FindState* lookup(HANDLE handle) {
    FindTable& table = finds();
    std::lock_guard guard(table.lock);
    auto it = table.live.find(reinterpret_cast<FindState*>(handle));
    return it == table.live.end() ? nullptr : *it;
}

BOOL find_next(HANDLE handle, WIN32_FIND_DATAW& data) {
    win32::ensure_system();
    FindState* state = lookup(handle);
    if (!state) {
        SetLastError(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    FILE_BOTH_DIR_INFORMATION* entry = nullptr;
    const NTSTATUS status = next_entry(*state, entry);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);  // STATUS_NO_MORE_FILES -> ERROR_NO_MORE_FILES
        return FALSE;
    }
    to_find_data(*entry, data);
    return TRUE;
}

}  // namespace

extern "C" {

HANDLE WINAPI FindFirstFileW(LPCWSTR lpFileName, LPWIN32_FIND_DATAW lpFindFileData) {
    if (!lpFileName || !*lpFileName) {
        SetLastError(ERROR_PATH_NOT_FOUND);
        return INVALID_HANDLE_VALUE;
    }
    return find_first(win32::wide(lpFileName), *lpFindFileData);
}

HANDLE WINAPI FindFirstFileA(LPCSTR lpFileName, LPWIN32_FIND_DATAA lpFindFileData) {
    if (!lpFileName || !*lpFileName) {
        SetLastError(ERROR_PATH_NOT_FOUND);
        return INVALID_HANDLE_VALUE;
    }
    WIN32_FIND_DATAW wide_data;
    HANDLE handle = find_first(win32::ansi_to_utf16(lpFileName), wide_data);
    if (handle != INVALID_HANDLE_VALUE) to_find_data(wide_data, *lpFindFileData);
    return handle;
}

BOOL WINAPI FindNextFileW(HANDLE hFindFile, LPWIN32_FIND_DATAW lpFindFileData) {
    return find_next(hFindFile, *lpFindFileData);
}

BOOL WINAPI FindNextFileA(HANDLE hFindFile, LPWIN32_FIND_DATAA lpFindFileData) {
    WIN32_FIND_DATAW wide_data;
    if (!find_next(hFindFile, wide_data)) return FALSE;
    to_find_data(wide_data, *lpFindFileData);
    return TRUE;
}

BOOL WINAPI FindClose(HANDLE hFindFile) {
    FindState* state = nullptr;
    {
        FindTable& table = finds();
        std::lock_guard guard(table.lock);
        auto it = table.live.find(reinterpret_cast<FindState*>(hFindFile));
        if (it != table.live.end()) {
            state = *it;
            table.live.erase(it);
        }
    }
    if (!state) {
        SetLastError(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    (void)NtClose(state->directory);
    delete state;
    return TRUE;
}

BOOL WINAPI ReadDirectoryChangesW(HANDLE hDirectory, LPVOID lpBuffer, DWORD nBufferLength, BOOL bWatchSubtree,
                                  DWORD dwNotifyFilter, LPDWORD lpBytesReturned, LPOVERLAPPED lpOverlapped,
                                  LPOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine) {
    win32::ensure_system();
    const BOOLEAN subtree = bWatchSubtree ? TRUE : FALSE;
    if (lpOverlapped) {
        lpOverlapped->Internal = STATUS_PENDING;
        NTSTATUS status;
        if (lpCompletionRoutine) {
            status = NtNotifyChangeDirectoryFile(hDirectory, nullptr, win32::completion_routine_apc,
                                                 reinterpret_cast<PVOID>(lpCompletionRoutine),
                                                 win32::overlapped_iosb(lpOverlapped), lpBuffer, nBufferLength,
                                                 dwNotifyFilter, subtree);
        } else {
            status = NtNotifyChangeDirectoryFile(hDirectory, win32::overlapped_event(lpOverlapped), nullptr,
                                                 win32::overlapped_apc_context(lpOverlapped),
                                                 win32::overlapped_iosb(lpOverlapped), lpBuffer, nBufferLength,
                                                 dwNotifyFilter, subtree);
        }
        // A notification normally pends: that is success for this call (the result comes later).
        if (NT_ERROR(status)) {
            win32::set_last_nt_error(status);
            return FALSE;
        }
        if (lpBytesReturned && status != STATUS_PENDING) *lpBytesReturned = static_cast<DWORD>(lpOverlapped->InternalHigh);
        return TRUE;
    }
    IO_STATUS_BLOCK iosb{};
    NTSTATUS status = NtNotifyChangeDirectoryFile(hDirectory, nullptr, nullptr, nullptr, &iosb, lpBuffer, nBufferLength,
                                                  dwNotifyFilter, subtree);
    status = win32::wait_for_pending(hDirectory, status, iosb);
    if (lpBytesReturned && !NT_ERROR(status)) *lpBytesReturned = static_cast<DWORD>(iosb.Information);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return FALSE;
    }
    return TRUE;
}

}  // extern "C"

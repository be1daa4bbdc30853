// FindFirstFile(Ex) / FindNextFile / FindClose over NtQueryDirectoryFileEx (FileBothDirectoryInformation,
// or FileFullDirectoryInformation for FindExInfoBasic, with the name mask), and ReadDirectoryChangesW
// over NtNotifyChangeDirectoryFile. A find handle is a kernel32 object, not an NT handle: it owns the
// directory handle and the entry buffer.
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
    FILE_INFORMATION_CLASS information_class = FileBothDirectoryInformation;
    ULONG query_flags = 0;  // FILE_QUERY_* added to every query
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
    NTSTATUS status = NtQueryDirectoryFileEx(state.directory, nullptr, nullptr, nullptr, &iosb, state.buffer.data(),
                                             static_cast<ULONG>(state.buffer.size() * sizeof(ULONGLONG)),
                                             state.information_class,
                                             state.query_flags | (restart ? FILE_QUERY_RESTART_SCAN : 0), mask);
    status = win32::wait_for_pending(state.directory, status, iosb);
    state.next = 0;
    state.valid = NT_SUCCESS(status);
    return status;
}

// Takes the next entry (a FILE_BOTH_DIR_INFORMATION or FILE_FULL_DIR_INFORMATION, per the state's
// class); STATUS_NO_MORE_FILES at the end.
NTSTATUS next_entry(FindState& state, const UCHAR*& entry) {
    if (!state.valid) {
        const NTSTATUS status = fill(state, nullptr, false);
        if (!NT_SUCCESS(status)) return status;
    }
    auto* base = reinterpret_cast<UCHAR*>(state.buffer.data());
    entry = base + state.next;
    // NextEntryOffset is the first member of every directory class.
    const ULONG next = *reinterpret_cast<const ULONG*>(entry);
    if (next) state.next += next;
    else state.valid = false;
    return STATUS_SUCCESS;
}

void copy_name(WCHAR* out, std::size_t capacity, const WCHAR* name, std::size_t bytes) {
    const std::size_t chars = std::min<std::size_t>(bytes / sizeof(WCHAR), capacity - 1);
    std::memcpy(out, name, chars * sizeof(WCHAR));
}

// The members FILE_FULL_DIR_INFORMATION and FILE_BOTH_DIR_INFORMATION share come first in both, so
// the common part reads through the full layout; only the both class has a short name.
void to_find_data(FILE_INFORMATION_CLASS cls, const UCHAR* entry, WIN32_FIND_DATAW& out) {
    const auto& e = *reinterpret_cast<const FILE_FULL_DIR_INFORMATION*>(entry);
    std::memset(&out, 0, sizeof(out));
    out.dwFileAttributes = e.FileAttributes;
    out.ftCreationTime = {e.CreationTime.LowPart, static_cast<DWORD>(e.CreationTime.HighPart)};
    out.ftLastAccessTime = {e.LastAccessTime.LowPart, static_cast<DWORD>(e.LastAccessTime.HighPart)};
    out.ftLastWriteTime = {e.LastWriteTime.LowPart, static_cast<DWORD>(e.LastWriteTime.HighPart)};
    out.nFileSizeHigh = static_cast<DWORD>(e.EndOfFile.HighPart);
    out.nFileSizeLow = e.EndOfFile.LowPart;
    if (cls == FileBothDirectoryInformation) {
        const auto& both = *reinterpret_cast<const FILE_BOTH_DIR_INFORMATION*>(entry);
        copy_name(out.cFileName, MAX_PATH, both.FileName, both.FileNameLength);
        copy_name(out.cAlternateFileName, 14, both.ShortName,
                  std::min<std::size_t>(static_cast<UCHAR>(both.ShortNameLength), sizeof(both.ShortName)));
    } else {
        copy_name(out.cFileName, MAX_PATH, e.FileName, e.FileNameLength);
    }
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

// The search expression a file system gets: "*.*" is every name, and the DOS matching rules of '?',
// '*' before a '.', and '.' before a wildcard become the DOS wildcards of FsRtlIsNameInExpression
// (DOS_QM '>', DOS_STAR '<', DOS_DOT '"'), so that "*.*" still matches names without a dot.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlisnameinexpression
std::u16string dos_expression(std::u16string_view mask) {
    if (mask == u"*.*") return u"*";
    std::u16string out;
    for (std::size_t i = 0; i < mask.size(); ++i) {
        const char16_t c = mask[i];
        const char16_t next = i + 1 < mask.size() ? mask[i + 1] : u'\0';
        if (c == u'?') out.push_back(u'>');
        else if (c == u'*' && next == u'.') out.push_back(u'<');
        else if (c == u'.' && (next == u'?' || next == u'*')) out.push_back(u'"');
        else out.push_back(c);
    }
    return out;
}

HANDLE find_first(std::u16string_view pattern, bool basic, bool on_disk_only, WIN32_FIND_DATAW& data) {
    win32::ensure_system();
    // The directory is everything up to the last separator; the mask is the rest. A name ending in a
    // separator names no file (FindFirstFile: lpFileName must not end in a trailing backslash).
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
    if (mask.empty()) {
        SetLastError(ERROR_FILE_NOT_FOUND);
        return INVALID_HANDLE_VALUE;
    }
    mask = dos_expression(mask);
    win32::DosPathAttributes attributes(reinterpret_cast<LPCWSTR>(directory.c_str()), nullptr);
    NTSTATUS status = attributes.status();
    auto state = std::make_unique<FindState>();
    // FindExInfoBasic asks for no short names: the class without them.
    state->information_class = basic ? FileFullDirectoryInformation : FileBothDirectoryInformation;
    state->query_flags = on_disk_only ? FILE_QUERY_RETURN_ON_DISK_ENTRIES_ONLY : 0;
    if (NT_SUCCESS(status)) {
        IO_STATUS_BLOCK iosb{};
        status = NtOpenFile(&state->directory, FILE_LIST_DIRECTORY | SYNCHRONIZE, attributes.get(), &iosb,
                            FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                            FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT | FILE_OPEN_FOR_BACKUP_INTENT);
        if (!NT_SUCCESS(status)) state->directory = nullptr;
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
    const UCHAR* entry = nullptr;
    if (NT_SUCCESS(status)) status = next_entry(*state, entry);
    if (!NT_SUCCESS(status)) {
        if (state->directory) (void)NtClose(state->directory);
        win32::set_last_nt_error(status);
        return INVALID_HANDLE_VALUE;
    }
    to_find_data(state->information_class, entry, data);
    FindTable& table = finds();
    std::lock_guard guard(table.lock);
    FindState* raw = state.release();
    table.live.insert(raw);
    return reinterpret_cast<HANDLE>(raw);
}

// FindFirstFileEx's checks: a known level and search operation (FindExSearchLimitToDevices "is not
// available"), no search filter, only the documented flags.
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-findfirstfileexw
bool valid_ex_arguments(FINDEX_INFO_LEVELS level, FINDEX_SEARCH_OPS op, LPVOID filter, DWORD flags) {
    constexpr DWORD kFlags = FIND_FIRST_EX_CASE_SENSITIVE | FIND_FIRST_EX_LARGE_FETCH | FIND_FIRST_EX_ON_DISK_ENTRIES_ONLY;
    if (level != FindExInfoStandard && level != FindExInfoBasic) return false;
    if (op != FindExSearchNameMatch && op != FindExSearchLimitToDirectories) return false;
    return !filter && !(flags & ~kFlags);
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
    const UCHAR* entry = nullptr;
    const NTSTATUS status = next_entry(*state, entry);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);  // STATUS_NO_MORE_FILES -> ERROR_NO_MORE_FILES
        return FALSE;
    }
    to_find_data(state->information_class, entry, data);
    return TRUE;
}

}  // namespace

extern "C" {

HANDLE WINAPI FindFirstFileW(LPCWSTR lpFileName, LPWIN32_FIND_DATAW lpFindFileData) {
    if (!lpFileName || !*lpFileName) {
        SetLastError(ERROR_PATH_NOT_FOUND);
        return INVALID_HANDLE_VALUE;
    }
    return find_first(win32::wide(lpFileName), false, false, *lpFindFileData);
}

HANDLE WINAPI FindFirstFileA(LPCSTR lpFileName, LPWIN32_FIND_DATAA lpFindFileData) {
    if (!lpFileName || !*lpFileName) {
        SetLastError(ERROR_PATH_NOT_FOUND);
        return INVALID_HANDLE_VALUE;
    }
    WIN32_FIND_DATAW wide_data;
    HANDLE handle = find_first(win32::ansi_to_utf16(lpFileName), false, false, wide_data);
    if (handle != INVALID_HANDLE_VALUE) to_find_data(wide_data, *lpFindFileData);
    return handle;
}

// NT deviation: FIND_FIRST_EX_CASE_SENSITIVE is accepted but the search stays as case-insensitive as
// the file system makes it (directory queries carry no case flag).
HANDLE WINAPI FindFirstFileExW(LPCWSTR lpFileName, FINDEX_INFO_LEVELS fInfoLevelId, LPVOID lpFindFileData,
                               FINDEX_SEARCH_OPS fSearchOp, LPVOID lpSearchFilter, DWORD dwAdditionalFlags) {
    if (!valid_ex_arguments(fInfoLevelId, fSearchOp, lpSearchFilter, dwAdditionalFlags)) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return INVALID_HANDLE_VALUE;
    }
    if (!lpFileName || !*lpFileName) {
        SetLastError(ERROR_PATH_NOT_FOUND);
        return INVALID_HANDLE_VALUE;
    }
    // FindExSearchLimitToDirectories is advisory; no file system here filters, so it is ignored.
    return find_first(win32::wide(lpFileName), fInfoLevelId == FindExInfoBasic,
                      (dwAdditionalFlags & FIND_FIRST_EX_ON_DISK_ENTRIES_ONLY) != 0,
                      *static_cast<LPWIN32_FIND_DATAW>(lpFindFileData));
}

HANDLE WINAPI FindFirstFileExA(LPCSTR lpFileName, FINDEX_INFO_LEVELS fInfoLevelId, LPVOID lpFindFileData,
                               FINDEX_SEARCH_OPS fSearchOp, LPVOID lpSearchFilter, DWORD dwAdditionalFlags) {
    if (!valid_ex_arguments(fInfoLevelId, fSearchOp, lpSearchFilter, dwAdditionalFlags)) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return INVALID_HANDLE_VALUE;
    }
    if (!lpFileName || !*lpFileName) {
        SetLastError(ERROR_PATH_NOT_FOUND);
        return INVALID_HANDLE_VALUE;
    }
    WIN32_FIND_DATAW wide_data;
    HANDLE handle = find_first(win32::ansi_to_utf16(lpFileName), fInfoLevelId == FindExInfoBasic,
                               (dwAdditionalFlags & FIND_FIRST_EX_ON_DISK_ENTRIES_ONLY) != 0, wide_data);
    if (handle != INVALID_HANDLE_VALUE) to_find_data(wide_data, *static_cast<LPWIN32_FIND_DATAA>(lpFindFileData));
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
    return win32::succeeded(status);
}

}  // extern "C"

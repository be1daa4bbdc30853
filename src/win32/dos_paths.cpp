// DOS path translation and the per-process current directory (GetCurrentDirectory,
// SetCurrentDirectory, GetFullPathName). Folding follows the documented rules of "Naming Files, Paths,
// and Namespaces" (https://learn.microsoft.com/windows/win32/fileio/naming-a-file).
#include <cstring>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "win32/dos_paths.hpp"

namespace ntio::win32 {
namespace {

constexpr std::u16string_view kNtPrefix = u"\\??\\";

bool is_sep(char16_t c) { return c == u'\\' || c == u'/'; }
bool is_letter(char16_t c) { return (c >= u'A' && c <= u'Z') || (c >= u'a' && c <= u'z'); }
bool has_drive(std::u16string_view p) { return p.size() >= 2 && is_letter(p[0]) && p[1] == u':'; }

// NT deviation: the current directory is keyed by (System, process) in a host-wide table and no
// handle to it is kept open (kernel32 keeps one in the PEB).
struct CurrentDirectories {
    std::mutex lock;
    std::map<std::pair<const void*, const void*>, std::u16string> by_process;
};
CurrentDirectories& directories() {
    static CurrentDirectories table;
    return table;
}
std::pair<const void*, const void*> process_key() {
    System& system = ensure_system();
    return {&system, PsGetCurrentProcess()};
}

// Folds `rest` (components separated by "\" or "/") onto `root`, which ends with "\". A trailing
// separator in `rest` is kept.
std::u16string fold(std::u16string root, std::u16string_view rest) {
    std::vector<std::u16string_view> parts;
    std::size_t i = 0;
    while (i < rest.size()) {
        std::size_t j = i;
        while (j < rest.size() && !is_sep(rest[j])) ++j;
        std::u16string_view part = rest.substr(i, j - i);
        if (part.empty() || part == u".") {
        } else if (part == u"..") {
            if (!parts.empty()) parts.pop_back();
        } else {
            parts.push_back(part);
        }
        i = j + 1;
    }
    std::u16string out = std::move(root);
    for (std::size_t k = 0; k < parts.size(); ++k) {
        if (k) out += u'\\';
        out += parts[k];
    }
    if (!rest.empty() && is_sep(rest.back()) && !parts.empty()) out += u'\\';
    return out;
}

}  // namespace

std::u16string current_directory() {
    auto key = process_key();
    auto& table = directories();
    std::lock_guard guard(table.lock);
    auto it = table.by_process.find(key);
    return it == table.by_process.end() ? std::u16string(u"C:\\") : it->second;
}

void set_current_directory(std::u16string full_path_with_separator) {
    auto key = process_key();
    auto& table = directories();
    std::lock_guard guard(table.lock);
    table.by_process[key] = std::move(full_path_with_separator);
}

NTSTATUS full_dos_path(std::u16string_view path, std::u16string& out) {
    if (path.empty()) return STATUS_OBJECT_NAME_INVALID;
    // "\\?\" names are passed through untouched: no folding, no "/" conversion.
    if (path.size() >= 4 && path[0] == u'\\' && path[1] == u'\\' && path[2] == u'?' && path[3] == u'\\') {
        out.assign(path);
        return STATUS_SUCCESS;
    }
    if (path.size() >= 2 && is_sep(path[0]) && is_sep(path[1])) {
        // "\\.\device..." keeps "\\.\" as its root; "\\server\share\..." keeps "\\server\share\".
        if (path.size() >= 3 && (path[2] == u'.' || path[2] == u'?') && (path.size() == 3 || is_sep(path[3]))) {
            std::u16string root = u"\\\\";
            root += path[2];
            root += u'\\';
            out = fold(root, path.size() > 4 ? path.substr(4) : std::u16string_view{});
            return STATUS_SUCCESS;
        }
        std::size_t i = 2;
        std::u16string root = u"\\\\";
        for (int component = 0; component < 2 && i < path.size(); ++component) {
            std::size_t j = i;
            while (j < path.size() && !is_sep(path[j])) ++j;
            root.append(path.substr(i, j - i));
            root += u'\\';
            i = j + 1;
        }
        out = fold(root, i < path.size() ? path.substr(i) : std::u16string_view{});
        return STATUS_SUCCESS;
    }
    const std::u16string cwd = current_directory();
    if (has_drive(path)) {
        std::u16string root{static_cast<char16_t>(path[0] >= u'a' && path[0] <= u'z' ? path[0] - 32 : path[0]), u':',
                            u'\\'};
        if (path.size() >= 3 && is_sep(path[2])) {
            out = fold(root, path.substr(3));
            return STATUS_SUCCESS;
        }
        // "C:name": relative to the current directory when it is on that drive, else to the root.
        if (has_drive(cwd) && (cwd[0] | 0x20) == (path[0] | 0x20)) {
            std::u16string combined = cwd.substr(3);
            combined.append(path.substr(2));
            out = fold(root, combined);
        } else {
            out = fold(root, path.substr(2));
        }
        return STATUS_SUCCESS;
    }
    // Rooted ("\name") or relative: the root (or the whole directory) comes from the current directory.
    std::u16string cwd_root;
    std::u16string_view cwd_rest;
    std::u16string scratch;
    if (has_drive(cwd)) {
        cwd_root = cwd.substr(0, 3);
        cwd_rest = std::u16string_view(cwd).substr(3);
    } else {
        // A "\\.\" or UNC current directory: its root is the first two components after "\\".
        std::size_t i = 2;
        for (int component = 0; component < 2 && i < cwd.size(); ++component) {
            while (i < cwd.size() && cwd[i] != u'\\') ++i;
            ++i;
        }
        cwd_root = cwd.substr(0, std::min(i, cwd.size()));
        cwd_rest = std::u16string_view(cwd).substr(std::min(i, cwd.size()));
    }
    if (is_sep(path[0])) {
        out = fold(cwd_root, path.substr(1));
    } else {
        scratch.assign(cwd_rest);
        scratch.append(path);
        out = fold(cwd_root, scratch);
    }
    return STATUS_SUCCESS;
}

NTSTATUS dos_path_to_nt_path(std::u16string_view path, std::u16string& out) {
    // "\??\name" is already an NT name; "\\?\name" maps to it without folding.
    if (path.size() >= 4 && path.substr(0, 4) == kNtPrefix) {
        out.assign(path);
        return STATUS_SUCCESS;
    }
    std::u16string full;
    const NTSTATUS status = full_dos_path(path, full);
    if (!NT_SUCCESS(status)) return status;
    out.assign(kNtPrefix);
    if (full.size() >= 4 && full[0] == u'\\' && full[1] == u'\\' && (full[2] == u'?' || full[2] == u'.') &&
        full[3] == u'\\') {
        out.append(full, 4);
    } else if (full.size() >= 2 && full[0] == u'\\' && full[1] == u'\\') {
        out.append(u"UNC\\");
        out.append(full, 2);
    } else {
        out.append(full);
    }
    return STATUS_SUCCESS;
}

DosPathAttributes::DosPathAttributes(LPCWSTR path, LPSECURITY_ATTRIBUTES sa) { build(wide(path), sa); }

DosPathAttributes::DosPathAttributes(LPCSTR path, LPSECURITY_ATTRIBUTES sa) {
    const std::u16string converted = ansi_to_utf16(path ? std::string_view(path) : std::string_view{});
    build(converted, sa);
}

void DosPathAttributes::build(std::u16string_view path, LPSECURITY_ATTRIBUTES sa) {
    if (path.empty()) {
        m_status = STATUS_OBJECT_PATH_NOT_FOUND;
        return;
    }
    m_status = dos_path_to_nt_path(path, m_nt_path);
    if (!NT_SUCCESS(m_status)) return;
    if (m_nt_path.size() * sizeof(WCHAR) > 0xFFFC) {
        m_status = STATUS_NAME_TOO_LONG;
        return;
    }
    m_name.Buffer = reinterpret_cast<PWCH>(m_nt_path.data());
    m_name.Length = static_cast<USHORT>(m_nt_path.size() * sizeof(WCHAR));
    m_name.MaximumLength = m_name.Length;
    ULONG attributes = OBJ_CASE_INSENSITIVE;
    if (sa && sa->bInheritHandle) attributes |= OBJ_INHERIT;
    InitializeObjectAttributes(&m_attributes, &m_name, attributes, nullptr, sa ? sa->lpSecurityDescriptor : nullptr);
}

}  // namespace ntio::win32

using namespace ntio;

namespace {

using win32::copy_out;

std::u16string current_for_display() {
    std::u16string cwd = win32::current_directory();
    // "C:\" keeps its separator; "C:\dir\" does not.
    if (cwd.size() > 3 && cwd.back() == u'\\') cwd.pop_back();
    return cwd;
}

BOOL set_current(std::u16string_view path) {
    std::u16string full;
    NTSTATUS status = win32::full_dos_path(path, full);
    if (NT_SUCCESS(status)) {
        if (full.back() != u'\\') full += u'\\';
        win32::DosPathAttributes attributes(reinterpret_cast<LPCWSTR>(full.c_str()), nullptr);
        status = attributes.status();
        if (NT_SUCCESS(status)) {
            // kernel32 proves the directory exists by opening it for traversal.
            HANDLE handle = nullptr;
            IO_STATUS_BLOCK iosb{};
            status = NtOpenFile(&handle, FILE_TRAVERSE | SYNCHRONIZE, attributes.get(), &iosb,
                                FILE_SHARE_READ | FILE_SHARE_WRITE,
                                FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT | FILE_OPEN_FOR_BACKUP_INTENT);
            if (NT_SUCCESS(status)) (void)NtClose(handle);
        }
    }
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return FALSE;
    }
    win32::set_current_directory(std::move(full));
    return TRUE;
}

}  // namespace

extern "C" {

DWORD WINAPI GetCurrentDirectoryW(DWORD nBufferLength, LPWSTR lpBuffer) {
    return copy_out(current_for_display(), nBufferLength, lpBuffer);
}

DWORD WINAPI GetCurrentDirectoryA(DWORD nBufferLength, LPSTR lpBuffer) {
    std::string text = win32::utf16_to_ansi(current_for_display());
    return copy_out(text, nBufferLength, lpBuffer);
}

BOOL WINAPI SetCurrentDirectoryW(LPCWSTR lpPathName) {
    if (!lpPathName) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    return set_current(win32::wide(lpPathName));
}

BOOL WINAPI SetCurrentDirectoryA(LPCSTR lpPathName) {
    if (!lpPathName) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    return set_current(win32::ansi_to_utf16(lpPathName));
}

DWORD WINAPI GetFullPathNameW(LPCWSTR lpFileName, DWORD nBufferLength, LPWSTR lpBuffer, LPWSTR* lpFilePart) {
    if (!lpFileName) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return 0;
    }
    std::u16string full;
    const NTSTATUS status = win32::full_dos_path(win32::wide(lpFileName), full);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return 0;
    }
    // (A std::basic_string<WCHAR> would use the C++ library's wide strings, built for a 4-byte wchar_t.)
    const DWORD result = copy_out(full, nBufferLength, lpBuffer);
    if (lpFilePart && result < nBufferLength && lpBuffer) {
        // The last component, or NULL when the name ends in a separator.
        const std::size_t slash = full.find_last_of(u'\\');
        *lpFilePart = (slash == full.size() - 1) ? nullptr : lpBuffer + slash + 1;
    }
    return result;
}

DWORD WINAPI GetFullPathNameA(LPCSTR lpFileName, DWORD nBufferLength, LPSTR lpBuffer, LPSTR* lpFilePart) {
    if (!lpFileName) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return 0;
    }
    std::u16string full;
    const NTSTATUS status = win32::full_dos_path(win32::ansi_to_utf16(lpFileName), full);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return 0;
    }
    const std::string text = win32::utf16_to_ansi(full);
    const DWORD result = copy_out(text, nBufferLength, lpBuffer);
    if (lpFilePart && result < nBufferLength && lpBuffer) {
        const std::size_t slash = text.find_last_of('\\');
        *lpFilePart = (slash == text.size() - 1) ? nullptr : lpBuffer + slash + 1;
    }
    return result;
}

}  // extern "C"

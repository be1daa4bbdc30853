// MS-DOS device names: DefineDosDevice, QueryDosDevice, GetLogicalDrives and GetLogicalDriveStrings
// over the symbolic links in \?? (which falls back to \GLOBAL??). A name defined here is a permanent
// link, as the Win32 server makes it on Windows, until DefineDosDevice removes it.
//
// Windows keeps the earlier mappings of a redefined name inside the link's target (a MULTI_SZ whose
// first string is the one the object manager follows). ntio's links hold one target, so the stack of
// mappings is kept here, per System, and the link always holds the newest; a stack whose top no longer
// matches the link (someone replaced it by other means) is dropped and the link's target is the only
// mapping.
#include <map>
#include <mutex>
#include <set>
#include <vector>

#include "win32/dos_paths.hpp"
#include "ntio/system.hpp"

using namespace ntio;

namespace {

constexpr DWORD kValidFlags = DDD_RAW_TARGET_PATH | DDD_REMOVE_DEFINITION | DDD_EXACT_MATCH_ON_REMOVE |
                              DDD_NO_BROADCAST_SYSTEM | DDD_LUID_BROADCAST_DRIVE;

char16_t upper(char16_t c) { return (c >= u'a' && c <= u'z') ? static_cast<char16_t>(c - 32) : c; }

bool equal_nocase(std::u16string_view a, std::u16string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (upper(a[i]) != upper(b[i])) return false;
    return true;
}

bool starts_with_nocase(std::u16string_view text, std::u16string_view prefix) {
    return text.size() >= prefix.size() && equal_nocase(text.substr(0, prefix.size()), prefix);
}

std::u16string upper_copy(std::u16string_view text) {
    std::u16string out(text);
    for (char16_t& c : out) c = upper(c);
    return out;
}

// The mapping stacks of the names DefineDosDevice pushed, newest first, per System (the Win32 server
// of a Windows session keeps them in the links themselves).
struct DefinitionTable {
    std::mutex lock;
    std::map<std::pair<const void*, std::u16string>, std::vector<std::u16string>> stacks;
    std::set<const void*> hooked;  // Systems that forget their stacks when they shut down
};
DefinitionTable& definitions() {
    static DefinitionTable table;
    return table;
}

// At System shutdown: its names go with it, and a later System at the same address starts afresh.
void forget_system(void* system) {
    auto& table = definitions();
    std::lock_guard guard(table.lock);
    for (auto it = table.stacks.begin(); it != table.stacks.end();) {
        if (it->first.first == system) {
            it = table.stacks.erase(it);
        } else {
            ++it;
        }
    }
    table.hooked.erase(system);
}

class UnicodeName {
public:
    explicit UnicodeName(std::u16string text) : m_text(std::move(text)) {
        m_string.Buffer = reinterpret_cast<PWCH>(m_text.data());
        m_string.Length = static_cast<USHORT>(m_text.size() * sizeof(WCHAR));
        m_string.MaximumLength = m_string.Length;
    }
    UnicodeName(const UnicodeName&) = delete;
    UnicodeName& operator=(const UnicodeName&) = delete;
    PUNICODE_STRING get() { return &m_string; }

private:
    std::u16string m_text;
    UNICODE_STRING m_string{};
};

std::u16string link_path(std::u16string_view device) {
    std::u16string path = u"\\??\\";
    path.append(device);
    return path;
}

// A device name: not empty, no backslash (Learn: "a trailing backslash is never permitted"; inside
// the name it would name a path under \??), short enough for a UNICODE_STRING.
NTSTATUS check_device_name(std::u16string_view device) {
    if (device.empty()) return STATUS_OBJECT_NAME_INVALID;
    if (device.find(u'\\') != std::u16string_view::npos) return STATUS_OBJECT_NAME_INVALID;
    if ((device.size() + 4) * sizeof(WCHAR) > 0xFFFC) return STATUS_NAME_TOO_LONG;
    return STATUS_SUCCESS;
}

NTSTATUS open_link(std::u16string_view device, ACCESS_MASK access, HANDLE* handle) {
    UnicodeName name(link_path(device));
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, name.get(), OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    return NtOpenSymbolicLinkObject(handle, access, &oa);
}

NTSTATUS query_link(HANDLE link, std::u16string& target) {
    std::vector<WCHAR> buffer(256);
    for (;;) {
        UNICODE_STRING out{0, static_cast<USHORT>(buffer.size() * sizeof(WCHAR)), buffer.data()};
        ULONG needed = 0;
        const NTSTATUS status = NtQuerySymbolicLinkObject(link, &out, &needed);
        if (status == STATUS_BUFFER_TOO_SMALL && needed > buffer.size() * sizeof(WCHAR) && needed <= 0xFFFF) {
            buffer.resize(needed / sizeof(WCHAR) + 1);
            continue;
        }
        if (!NT_SUCCESS(status)) return status;
        target.assign(reinterpret_cast<const char16_t*>(out.Buffer), out.Length / sizeof(WCHAR));
        return STATUS_SUCCESS;
    }
}

// The mappings of `device`, newest first: the stack kept here when its top is what the link holds,
// else the link's target alone. STATUS_OBJECT_NAME_NOT_FOUND when there is no link.
NTSTATUS current_mappings(const void* system, std::u16string_view device, std::vector<std::u16string>& out) {
    HANDLE link = nullptr;
    NTSTATUS status = open_link(device, SYMBOLIC_LINK_QUERY, &link);
    if (!NT_SUCCESS(status)) return status;
    std::u16string target;
    status = query_link(link, target);
    (void)NtClose(link);
    if (!NT_SUCCESS(status)) return status;
    auto& table = definitions();
    auto it = table.stacks.find({system, upper_copy(device)});
    if (it != table.stacks.end() && !it->second.empty() && it->second.front() == target) {
        out = it->second;
    } else {
        out.assign(1, std::move(target));
    }
    return STATUS_SUCCESS;
}

// Takes the name of the current link away: made temporary, it goes with its last handle.
NTSTATUS drop_link(std::u16string_view device) {
    HANDLE link = nullptr;
    NTSTATUS status = open_link(device, DELETE, &link);
    if (!NT_SUCCESS(status)) return status;
    status = NtMakeTemporaryObject(link);
    (void)NtClose(link);
    return status;
}

NTSTATUS create_link(std::u16string_view device, std::u16string_view target) {
    if (target.empty() || target.size() * sizeof(WCHAR) > 0xFFFC) return STATUS_INVALID_PARAMETER;
    UnicodeName name(link_path(device));
    UnicodeName target_name{std::u16string(target)};
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, name.get(), OBJ_CASE_INSENSITIVE | OBJ_PERMANENT, nullptr, nullptr);
    HANDLE link = nullptr;
    const NTSTATUS status = NtCreateSymbolicLinkObject(&link, SYMBOLIC_LINK_ALL_ACCESS, &oa, target_name.get());
    if (NT_SUCCESS(status)) (void)NtClose(link);
    return status;
}

// Replaces the link of `device` by one to `mappings.front()`, or removes it when `mappings` is empty,
// and records the stack.
NTSTATUS install(const void* system, std::u16string_view device, bool exists, std::vector<std::u16string> mappings) {
    std::u16string previous;
    if (exists) {
        HANDLE link = nullptr;
        NTSTATUS status = open_link(device, SYMBOLIC_LINK_QUERY, &link);
        if (NT_SUCCESS(status)) {
            status = query_link(link, previous);
            (void)NtClose(link);
        }
        if (!NT_SUCCESS(status)) return status;
        status = drop_link(device);
        if (!NT_SUCCESS(status)) return status;
    }
    auto& table = definitions();
    const std::pair<const void*, std::u16string> key{system, upper_copy(device)};
    if (mappings.empty()) {
        table.stacks.erase(key);
        return STATUS_SUCCESS;
    }
    NTSTATUS status = create_link(device, mappings.front());
    if (!NT_SUCCESS(status)) {
        // Put the previous link back so a failed redefinition changes nothing.
        if (exists) (void)create_link(device, previous);
        return status;
    }
    table.stacks[key] = std::move(mappings);
    return STATUS_SUCCESS;
}

NTSTATUS define(DWORD flags, std::u16string_view device, const std::u16string* target_text) {
    System& system = win32::ensure_system();
    if (flags & ~kValidFlags) return STATUS_INVALID_PARAMETER;
    NTSTATUS status = check_device_name(device);
    if (!NT_SUCCESS(status)) return status;
    const bool remove = (flags & DDD_REMOVE_DEFINITION) != 0;
    // The target as the link holds it: an NT name as given, or the NT form of an MS-DOS path.
    std::u16string target;
    const bool has_target = target_text && !target_text->empty();
    if (has_target) {
        if (flags & DDD_RAW_TARGET_PATH) {
            target = *target_text;
        } else {
            status = win32::dos_path_to_nt_path(*target_text, target);
            if (!NT_SUCCESS(status)) return status;
        }
    } else if (!remove) {
        return STATUS_INVALID_PARAMETER;  // a definition needs a target
    }

    auto& table = definitions();
    std::unique_lock guard(table.lock);
    if (table.hooked.insert(&system).second) {
        guard.unlock();
        system.at_shutdown(forget_system, &system);
        guard.lock();
    }
    std::vector<std::u16string> mappings;
    status = current_mappings(&system, device, mappings);
    const bool exists = NT_SUCCESS(status);
    if (!exists && status != STATUS_OBJECT_NAME_NOT_FOUND) return status;
    if (!remove) {
        mappings.insert(mappings.begin(), std::move(target));
        return install(&system, device, exists, std::move(mappings));
    }
    if (!exists) return STATUS_OBJECT_NAME_NOT_FOUND;
    std::size_t index = 0;
    if (has_target) {
        const bool exact = (flags & DDD_EXACT_MATCH_ON_REMOVE) != 0;
        while (index < mappings.size() &&
               !(exact ? equal_nocase(mappings[index], target) : starts_with_nocase(mappings[index], target)))
            ++index;
        if (index == mappings.size()) return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    mappings.erase(mappings.begin() + static_cast<std::ptrdiff_t>(index));
    return install(&system, device, true, std::move(mappings));
}

// The names of the symbolic links in one object directory.
NTSTATUS list_links(std::u16string_view directory, std::vector<std::u16string>& names) {
    UnicodeName name{std::u16string(directory)};
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, name.get(), OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    HANDLE handle = nullptr;
    NTSTATUS status = NtOpenDirectoryObject(&handle, DIRECTORY_QUERY, &oa);
    if (!NT_SUCCESS(status)) return status;
    std::vector<ULONG> buffer(1024);
    ULONG context = 0;
    constexpr std::u16string_view kLinkType = u"SymbolicLink";
    for (;;) {
        ULONG needed = 0;
        status = NtQueryDirectoryObject(handle, buffer.data(), static_cast<ULONG>(buffer.size() * sizeof(ULONG)), TRUE,
                                        FALSE, &context, &needed);
        if (status == STATUS_BUFFER_TOO_SMALL && needed > buffer.size() * sizeof(ULONG)) {
            buffer.resize(needed / sizeof(ULONG) + 1);
            continue;
        }
        if (status == STATUS_NO_MORE_ENTRIES) {
            status = STATUS_SUCCESS;
            break;
        }
        if (!NT_SUCCESS(status)) break;
        const auto* entry = reinterpret_cast<const OBJECT_DIRECTORY_INFORMATION*>(buffer.data());
        const std::u16string_view type(reinterpret_cast<const char16_t*>(entry->TypeName.Buffer),
                                       entry->TypeName.Length / sizeof(WCHAR));
        if (type == kLinkType)
            names.emplace_back(reinterpret_cast<const char16_t*>(entry->Name.Buffer), entry->Name.Length / sizeof(WCHAR));
    }
    (void)NtClose(handle);
    return status;
}

// QueryDosDevice's MULTI_SZ, as UTF-16: every string with its NUL, then one more NUL.
NTSTATUS query(const std::u16string* device, std::u16string& out) {
    System& system = win32::ensure_system();
    std::vector<std::u16string> strings;
    if (device) {
        NTSTATUS status = check_device_name(*device);
        if (!NT_SUCCESS(status)) return status;
        auto& table = definitions();
        std::lock_guard guard(table.lock);
        status = current_mappings(&system, *device, strings);
        if (!NT_SUCCESS(status)) return status;
    } else {
        // The session's names first, then the global ones it does not hide.
        NTSTATUS status = list_links(u"\\??", strings);
        if (!NT_SUCCESS(status)) return status;
        std::vector<std::u16string> global;
        status = list_links(u"\\GLOBAL??", global);
        if (!NT_SUCCESS(status)) return status;
        const std::size_t local = strings.size();
        for (auto& name : global) {
            bool hidden = false;
            for (std::size_t i = 0; i < local && !hidden; ++i) hidden = equal_nocase(strings[i], name);
            if (!hidden) strings.push_back(std::move(name));
        }
    }
    out.clear();
    for (const auto& s : strings) {
        out.append(s);
        out.push_back(u'\0');
    }
    out.push_back(u'\0');
    return STATUS_SUCCESS;
}

// The drive letters: the "X:" links of \?? and \GLOBAL?? (read from the directories, as Windows reads
// its device map, so links the caller may not open still count).
DWORD drive_mask() {
    DWORD mask = 0;
    for (std::u16string_view directory : {std::u16string_view(u"\\??"), std::u16string_view(u"\\GLOBAL??")}) {
        std::vector<std::u16string> names;
        if (!NT_SUCCESS(list_links(directory, names))) continue;
        for (const auto& name : names) {
            if (name.size() != 2 || name[1] != u':') continue;
            const char16_t letter = upper(name[0]);
            if (letter >= u'A' && letter <= u'Z') mask |= 1u << (letter - u'A');
        }
    }
    return mask;
}

template <class Char>
DWORD drive_strings(DWORD size, Char* buffer) {
    const DWORD mask = drive_mask();
    DWORD count = 0;
    for (int i = 0; i < 26; ++i)
        if (mask & (1u << i)) ++count;
    // Learn: the length without the final NUL, or the size needed (which exceeds nBufferLength).
    if (!buffer || count * 4 + 1 > size) return count * 4 + 1;
    Char* p = buffer;
    for (int i = 0; i < 26; ++i) {
        if (!(mask & (1u << i))) continue;
        *p++ = static_cast<Char>('A' + i);
        *p++ = static_cast<Char>(':');
        *p++ = static_cast<Char>('\\');
        *p++ = 0;
    }
    *p = 0;
    return count * 4;
}

std::u16string from_ansi(LPCSTR text) { return win32::ansi_to_utf16(text); }

BOOL define_dos_device(DWORD flags, const std::u16string& device, const std::u16string* target) {
    const NTSTATUS status = define(flags, device, target);
    return win32::succeeded(status);
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-definedosdevicew
// No WM_SETTINGCHANGE is broadcast (there are no windows), so DDD_NO_BROADCAST_SYSTEM changes nothing.
// Errors Learn does not name: unknown flags, a missing target on a definition and a NULL name are
// ERROR_INVALID_PARAMETER; a backslash in the name ERROR_INVALID_NAME; removing a name or a mapping that
// does not exist ERROR_FILE_NOT_FOUND.
BOOL WINAPI DefineDosDeviceW(DWORD dwFlags, LPCWSTR lpDeviceName, LPCWSTR lpTargetPath) {
    if (!lpDeviceName) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    const std::u16string device(win32::wide(lpDeviceName));
    if (!lpTargetPath) return define_dos_device(dwFlags, device, nullptr);
    const std::u16string target(win32::wide(lpTargetPath));
    return define_dos_device(dwFlags, device, &target);
}

// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-definedosdevicea
BOOL WINAPI DefineDosDeviceA(DWORD dwFlags, LPCSTR lpDeviceName, LPCSTR lpTargetPath) {
    if (!lpDeviceName) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    const std::u16string device = from_ansi(lpDeviceName);
    if (!lpTargetPath) return define_dos_device(dwFlags, device, nullptr);
    const std::u16string target = from_ansi(lpTargetPath);
    return define_dos_device(dwFlags, device, &target);
}

// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-querydosdevicew
// An unknown name is ERROR_FILE_NOT_FOUND (STATUS_OBJECT_NAME_NOT_FOUND). A NULL lpTargetPath is
// treated as a buffer of no characters.
DWORD WINAPI QueryDosDeviceW(LPCWSTR lpDeviceName, LPWSTR lpTargetPath, DWORD ucchMax) {
    std::u16string device;
    if (lpDeviceName) device.assign(win32::wide(lpDeviceName));
    std::u16string result;
    const NTSTATUS status = query(lpDeviceName ? &device : nullptr, result);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return 0;
    }
    if (!lpTargetPath || result.size() > ucchMax) {
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return 0;
    }
    for (std::size_t i = 0; i < result.size(); ++i) lpTargetPath[i] = static_cast<WCHAR>(result[i]);
    return static_cast<DWORD>(result.size());
}

// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-querydosdevicea
DWORD WINAPI QueryDosDeviceA(LPCSTR lpDeviceName, LPSTR lpTargetPath, DWORD ucchMax) {
    std::u16string device;
    if (lpDeviceName) device = from_ansi(lpDeviceName);
    std::u16string result;
    const NTSTATUS status = query(lpDeviceName ? &device : nullptr, result);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return 0;
    }
    // The strings' NULs convert to NULs, so the MULTI_SZ shape survives the conversion.
    const std::string text = win32::utf16_to_ansi(result);
    if (!lpTargetPath || text.size() > ucchMax) {
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return 0;
    }
    std::char_traits<char>::copy(lpTargetPath, text.data(), text.size());
    return static_cast<DWORD>(text.size());
}

// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-getlogicaldrives
DWORD WINAPI GetLogicalDrives(VOID) {
    (void)win32::ensure_system();
    return drive_mask();
}

// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-getlogicaldrivestringsw
DWORD WINAPI GetLogicalDriveStringsW(DWORD nBufferLength, LPWSTR lpBuffer) {
    (void)win32::ensure_system();
    return drive_strings(nBufferLength, lpBuffer);
}

// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-getlogicaldrivestringsa
DWORD WINAPI GetLogicalDriveStringsA(DWORD nBufferLength, LPSTR lpBuffer) {
    (void)win32::ensure_system();
    return drive_strings(nBufferLength, lpBuffer);
}

}  // extern "C"

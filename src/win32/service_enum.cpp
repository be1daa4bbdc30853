// EnumServicesStatusEx (A and W): the driver services of the database filtered by type, state and
// group, as ENUM_SERVICE_STATUS_PROCESS entries with their names packed after the array, resumable
// through lpResumeHandle when the buffer is short (ERROR_MORE_DATA).
// https://learn.microsoft.com/windows/win32/api/winsvc/nf-winsvc-enumservicesstatusexw
#include <algorithm>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "win32/service_database.hpp"

namespace ntio::win32::scm {
namespace {

// Text in the caller's character set. WCHAR text lives in std::u16string: libstdc++'s wchar_t
// traits call the C library's 4-byte wide-character routines, wrong under -fshort-wchar.
template <typename Char>
using Text = std::conditional_t<sizeof(Char) == sizeof(WCHAR), std::u16string, std::string>;

template <typename Char>
Text<Char> convert(std::u16string_view text) {
    if constexpr (sizeof(Char) == sizeof(WCHAR)) {
        return std::u16string(text);
    } else {
        return utf16_to_ansi(text);
    }
}

struct Listed {
    std::u16string folded;
    std::u16string name;
    std::u16string display;
    SERVICE_STATUS_PROCESS status;
};

template <typename Entry, typename Char>
BOOL enum_services(SC_HANDLE manager, SC_ENUM_TYPE level, DWORD type, DWORD state, LPBYTE buffer, DWORD size,
                   LPDWORD needed, LPDWORD returned, LPDWORD resume, const Char* group_name) {
    ensure_system();
    std::lock_guard guard(scm_lock());
    ScObject* scm = lookup_handle_locked(manager, ObjectKind::Manager);
    if (!scm) return FALSE;
    if (!(scm->granted & SC_MANAGER_ENUMERATE_SERVICE)) return fail(ERROR_ACCESS_DENIED);
    if (level != SC_ENUM_PROCESS_INFO) return fail(ERROR_INVALID_LEVEL);
    if (!needed || !returned) return fail(ERROR_INVALID_ADDRESS);
    if (type == 0 || (type & ~static_cast<DWORD>(SERVICE_TYPE_ALL)) != 0) return fail(ERROR_INVALID_PARAMETER);
    if (state == 0 || (state & ~static_cast<DWORD>(SERVICE_STATE_ALL)) != 0) return fail(ERROR_INVALID_PARAMETER);
    auto group = text_arg(group_name);

    std::vector<Listed> listed;
    Key services;
    if (NT_SUCCESS(open_key(nullptr, kServicesPath, KEY_READ, services))) {
        for (const std::u16string& name : subkey_names(services.get())) {
            Key key;
            ServiceRecord record;
            if (!NT_SUCCESS(open_key(services.get(), name, KEY_READ, key)) ||
                !NT_SUCCESS(read_record(key.get(), name, record)) || !(record.type & type))
                continue;
            // "If this parameter is an empty string, only services that do not belong to any group
            // are enumerated"; null means every group.
            if (group && fold(record.group) != fold(*group)) continue;
            auto code = scm->database->exit_codes.find(fold(name));
            SERVICE_STATUS_PROCESS status;
            driver_status(record,
                          code == scm->database->exit_codes.end() ? static_cast<DWORD>(ERROR_SERVICE_NEVER_STARTED)
                                                                  : code->second,
                          status);
            const DWORD kind = status.dwCurrentState == SERVICE_STOPPED ? SERVICE_INACTIVE : SERVICE_ACTIVE;
            if (!(kind & state)) continue;
            listed.push_back(Listed{fold(name), name, record.display_name.empty() ? name : record.display_name, status});
        }
    }
    std::sort(listed.begin(), listed.end(), [](const Listed& a, const Listed& b) { return a.folded < b.folded; });

    const std::size_t first = resume ? *resume : 0;
    *returned = 0;
    // Entries go at the front, their strings are packed from the end of the buffer backwards.
    std::size_t entries_end = 0;
    std::size_t strings_start = size;
    std::size_t index = first;
    for (; index < listed.size(); ++index) {
        const auto name = convert<Char>(listed[index].name);
        const auto display = convert<Char>(listed[index].display);
        const std::size_t text = (name.size() + display.size() + 2) * sizeof(Char);
        const std::size_t strings_at = (strings_start >= text ? strings_start - text : 0) & ~(sizeof(Char) - 1);
        if (!buffer || entries_end + sizeof(Entry) > strings_at || strings_start < text) break;
        auto* entry = reinterpret_cast<Entry*>(buffer + entries_end);
        auto* name_out = reinterpret_cast<Char*>(buffer + strings_at);
        auto* display_out = name_out + name.size() + 1;
        std::memcpy(name_out, name.data(), name.size() * sizeof(Char));
        name_out[name.size()] = 0;
        std::memcpy(display_out, display.data(), display.size() * sizeof(Char));
        display_out[display.size()] = 0;
        entry->lpServiceName = name_out;
        entry->lpDisplayName = display_out;
        entry->ServiceStatusProcess = listed[index].status;
        entries_end += sizeof(Entry);
        strings_start = strings_at;
        ++*returned;
    }
    if (index < listed.size()) {
        std::size_t more = 0;
        for (std::size_t i = index; i < listed.size(); ++i)
            more += sizeof(Entry) + (convert<Char>(listed[i].name).size() + convert<Char>(listed[i].display).size() + 2) *
                                        sizeof(Char);
        *needed = static_cast<DWORD>(more);
        if (resume) *resume = static_cast<DWORD>(index);
        return fail(ERROR_MORE_DATA);
    }
    *needed = 0;
    if (resume) *resume = 0;
    return TRUE;
}

}  // namespace
}  // namespace ntio::win32::scm

extern "C" {

BOOL WINAPI EnumServicesStatusExA(SC_HANDLE hSCManager, SC_ENUM_TYPE InfoLevel, DWORD dwServiceType,
                                  DWORD dwServiceState, LPBYTE lpServices, DWORD cbBufSize, LPDWORD pcbBytesNeeded,
                                  LPDWORD lpServicesReturned, LPDWORD lpResumeHandle, LPCSTR pszGroupName) {
    return ntio::win32::scm::enum_services<ENUM_SERVICE_STATUS_PROCESSA, char>(
        hSCManager, InfoLevel, dwServiceType, dwServiceState, lpServices, cbBufSize, pcbBytesNeeded,
        lpServicesReturned, lpResumeHandle, pszGroupName);
}

BOOL WINAPI EnumServicesStatusExW(SC_HANDLE hSCManager, SC_ENUM_TYPE InfoLevel, DWORD dwServiceType,
                                  DWORD dwServiceState, LPBYTE lpServices, DWORD cbBufSize, LPDWORD pcbBytesNeeded,
                                  LPDWORD lpServicesReturned, LPDWORD lpResumeHandle, LPCWSTR pszGroupName) {
    return ntio::win32::scm::enum_services<ENUM_SERVICE_STATUS_PROCESSW, WCHAR>(
        hSCManager, InfoLevel, dwServiceType, dwServiceState, lpServices, cbBufSize, pcbBytesNeeded,
        lpServicesReturned, lpResumeHandle, pszGroupName);
}

}  // extern "C"

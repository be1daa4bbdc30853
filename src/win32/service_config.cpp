// QueryServiceConfig (A and W): the record as QUERY_SERVICE_CONFIG with its strings packed after the
// structure in the caller's buffer, and the size it needs when the buffer is short.
// https://learn.microsoft.com/windows/win32/api/winsvc/nf-winsvc-queryserviceconfigw
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

// lpDependencies: services, then groups marked with SC_GROUP_IDENTIFIER, each NUL-terminated, the
// list ending with one more NUL.
std::u16string dependency_list(const ServiceRecord& record) {
    std::u16string list;
    auto append = [&list](const std::u16string& items, bool groups) {
        std::size_t start = 0;
        while (start < items.size()) {
            std::size_t end = items.find(u'\0', start);
            if (end == std::u16string::npos) end = items.size();
            if (end > start) {
                if (groups) list.push_back(u'+');
                list.append(items, start, end - start);
                list.push_back(u'\0');
            }
            start = end + 1;
        }
    };
    append(record.depend_on_service, false);
    append(record.depend_on_group, true);
    return list;
}

template <typename Config, typename Char>
BOOL query_config(SC_HANDLE handle, Config* config, DWORD size, LPDWORD needed) {
    ensure_system();
    std::lock_guard guard(scm_lock());
    ScObject* service = lookup_handle_locked(handle, ObjectKind::Service);
    if (!service) return FALSE;
    if (!needed) return fail(ERROR_INVALID_ADDRESS);
    if (!(service->granted & SERVICE_QUERY_CONFIG)) return fail(ERROR_ACCESS_DENIED);
    Key key;
    ServiceRecord record;
    if (!NT_SUCCESS(open_service_key(service->service, KEY_READ, key)) ||
        !NT_SUCCESS(read_record(key.get(), service->service, record)))
        return fail(ERROR_SERVICE_DOES_NOT_EXIST);

    // Every string is present (empty when the record has none), NUL-terminated.
    const Text<Char> strings[] = {
        convert<Char>(record.image_path),
        convert<Char>(record.group),
        convert<Char>(dependency_list(record)) + typename Text<Char>::value_type(0),
        convert<Char>(record.object_name),
        convert<Char>(record.display_name.empty() ? record.name : record.display_name),
    };
    std::size_t total = sizeof(Config);
    for (const auto& text : strings) total += (text.size() + 1) * sizeof(Char);
    *needed = static_cast<DWORD>(total);
    if (size < total) return fail(ERROR_INSUFFICIENT_BUFFER);
    if (!config) return fail(ERROR_INVALID_ADDRESS);

    auto* cursor = reinterpret_cast<Char*>(reinterpret_cast<unsigned char*>(config) + sizeof(Config));
    Char* placed[5];
    for (int i = 0; i < 5; ++i) {
        placed[i] = cursor;
        std::memcpy(cursor, strings[i].data(), strings[i].size() * sizeof(Char));
        cursor[strings[i].size()] = 0;
        cursor += strings[i].size() + 1;
    }
    config->dwServiceType = record.type;
    config->dwStartType = record.start;
    config->dwErrorControl = record.error_control;
    config->lpBinaryPathName = placed[0];
    config->lpLoadOrderGroup = placed[1];
    config->dwTagId = record.tag;
    config->lpDependencies = placed[2];
    config->lpServiceStartName = placed[3];
    config->lpDisplayName = placed[4];
    return TRUE;
}

}  // namespace
}  // namespace ntio::win32::scm

extern "C" {

BOOL WINAPI QueryServiceConfigA(SC_HANDLE hService, LPQUERY_SERVICE_CONFIGA lpServiceConfig, DWORD cbBufSize,
                                LPDWORD pcbBytesNeeded) {
    return ntio::win32::scm::query_config<QUERY_SERVICE_CONFIGA, char>(hService, lpServiceConfig, cbBufSize,
                                                                        pcbBytesNeeded);
}

BOOL WINAPI QueryServiceConfigW(SC_HANDLE hService, LPQUERY_SERVICE_CONFIGW lpServiceConfig, DWORD cbBufSize,
                                LPDWORD pcbBytesNeeded) {
    return ntio::win32::scm::query_config<QUERY_SERVICE_CONFIGW, WCHAR>(hService, lpServiceConfig, cbBufSize,
                                                                         pcbBytesNeeded);
}

}  // extern "C"

// Registry and namespace helpers of the driver loader (driver_loader_registry.hpp) and the reading of
// service keys and image paths (driver_loader.hpp): what NT's IopLoadDriver reads before it maps an
// image. Values are read through the Zw* routines with kernel handles, as NT's loader does.
#include "io/driver_loader_registry.hpp"

#include "io/driver_loader.hpp"
#include "rtl/case_map.hpp"
#include "rtl/utf.hpp"

namespace ntio::io {

const std::u16string_view kServicesKeyPath = u"\\Registry\\Machine\\System\\CurrentControlSet\\Services";

namespace loader {

void KernelHandle::reset() noexcept {
    if (m_handle) (void)ZwClose(m_handle);
    m_handle = nullptr;
}

UNICODE_STRING unicode_of(std::u16string_view text) noexcept {
    const auto bytes = static_cast<USHORT>(std::min<std::size_t>(text.size() * sizeof(WCHAR), 0xfffe));
    return UNICODE_STRING{bytes, bytes, reinterpret_cast<PWCH>(const_cast<char16_t*>(text.data()))};
}

namespace {

// The value's partial information, grown until it fits.
NTSTATUS query_value(HANDLE key, std::u16string_view value, std::vector<std::uint64_t>& storage,
                     PKEY_VALUE_PARTIAL_INFORMATION& info) {
    UNICODE_STRING name = unicode_of(value);
    ULONG length = 256;
    for (;;) {
        storage.assign((length + 7) / 8, 0);
        ULONG needed = 0;
        NTSTATUS status = ZwQueryValueKey(key, &name, KeyValuePartialInformation, storage.data(), length, &needed);
        if (status == STATUS_BUFFER_OVERFLOW || status == STATUS_BUFFER_TOO_SMALL) {
            if (needed <= length) return STATUS_INTERNAL_ERROR;
            length = needed;
            continue;
        }
        if (!NT_SUCCESS(status)) return status;
        info = reinterpret_cast<PKEY_VALUE_PARTIAL_INFORMATION>(storage.data());
        return STATUS_SUCCESS;
    }
}

std::u16string_view text_of(const KEY_VALUE_PARTIAL_INFORMATION& info) noexcept {
    std::u16string_view text(reinterpret_cast<const char16_t*>(info.Data), info.DataLength / sizeof(WCHAR));
    while (!text.empty() && text.back() == u'\0') text.remove_suffix(1);
    return text;
}

}  // namespace

NTSTATUS open_key(std::u16string_view path, KernelHandle& key) {
    UNICODE_STRING name = unicode_of(path);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, nullptr, nullptr);
    return ZwOpenKey(key.out(), KEY_READ, &oa);
}

NTSTATUS query_dword(HANDLE key, std::u16string_view value, ULONG& out) {
    std::vector<std::uint64_t> storage;
    PKEY_VALUE_PARTIAL_INFORMATION info = nullptr;
    NTSTATUS status = query_value(key, value, storage, info);
    if (!NT_SUCCESS(status)) return status;
    if (info->Type != REG_DWORD || info->DataLength != sizeof(ULONG)) return STATUS_OBJECT_TYPE_MISMATCH;
    std::memcpy(&out, info->Data, sizeof(ULONG));
    return STATUS_SUCCESS;
}

NTSTATUS query_string(HANDLE key, std::u16string_view value, std::u16string& out) {
    std::vector<std::uint64_t> storage;
    PKEY_VALUE_PARTIAL_INFORMATION info = nullptr;
    NTSTATUS status = query_value(key, value, storage, info);
    if (!NT_SUCCESS(status)) return status;
    if (info->Type != REG_SZ && info->Type != REG_EXPAND_SZ) return STATUS_OBJECT_TYPE_MISMATCH;
    out.assign(text_of(*info));
    return STATUS_SUCCESS;
}

NTSTATUS query_multi_string(HANDLE key, std::u16string_view value, std::vector<std::u16string>& out) {
    std::vector<std::uint64_t> storage;
    PKEY_VALUE_PARTIAL_INFORMATION info = nullptr;
    NTSTATUS status = query_value(key, value, storage, info);
    if (!NT_SUCCESS(status)) return status;
    if (info->Type != REG_MULTI_SZ) return STATUS_OBJECT_TYPE_MISMATCH;
    std::u16string_view all(reinterpret_cast<const char16_t*>(info->Data), info->DataLength / sizeof(WCHAR));
    out.clear();
    while (!all.empty()) {
        const std::size_t end = std::min(all.find(u'\0'), all.size());
        if (end) out.emplace_back(all.substr(0, end));
        all.remove_prefix(std::min(end + 1, all.size()));
    }
    return STATUS_SUCCESS;
}

NTSTATUS enumerate_subkeys(HANDLE key, std::vector<std::u16string>& out) {
    out.clear();
    std::vector<std::uint64_t> storage(64);
    for (ULONG index = 0;; ++index) {
        ULONG needed = 0;
        NTSTATUS status = ZwEnumerateKey(key, index, KeyBasicInformation, storage.data(),
                                         static_cast<ULONG>(storage.size() * 8), &needed);
        if (status == STATUS_BUFFER_OVERFLOW || status == STATUS_BUFFER_TOO_SMALL) {
            if (needed <= storage.size() * 8) return STATUS_INTERNAL_ERROR;
            storage.assign((needed + 7) / 8, 0);
            --index;
            continue;
        }
        if (status == STATUS_NO_MORE_ENTRIES) return STATUS_SUCCESS;
        if (!NT_SUCCESS(status)) return status;
        const auto* info = reinterpret_cast<const KEY_BASIC_INFORMATION*>(storage.data());
        out.emplace_back(reinterpret_cast<const char16_t*>(info->Name), info->NameLength / sizeof(WCHAR));
    }
}

NTSTATUS enumerate_string_values(HANDLE key, std::vector<std::pair<std::u16string, std::u16string>>& out) {
    out.clear();
    std::vector<std::uint64_t> storage(64);
    for (ULONG index = 0;; ++index) {
        ULONG needed = 0;
        NTSTATUS status = ZwEnumerateValueKey(key, index, KeyValueFullInformation, storage.data(),
                                              static_cast<ULONG>(storage.size() * 8), &needed);
        if (status == STATUS_BUFFER_OVERFLOW || status == STATUS_BUFFER_TOO_SMALL) {
            if (needed <= storage.size() * 8) return STATUS_INTERNAL_ERROR;
            storage.assign((needed + 7) / 8, 0);
            --index;
            continue;
        }
        if (status == STATUS_NO_MORE_ENTRIES) return STATUS_SUCCESS;
        if (!NT_SUCCESS(status)) return status;
        const auto* info = reinterpret_cast<const KEY_VALUE_FULL_INFORMATION*>(storage.data());
        if (info->Type != REG_SZ) continue;
        std::u16string_view data(reinterpret_cast<const char16_t*>(reinterpret_cast<const char*>(info) + info->DataOffset),
                                 info->DataLength / sizeof(WCHAR));
        while (!data.empty() && data.back() == u'\0') data.remove_suffix(1);
        out.emplace_back(std::u16string(reinterpret_cast<const char16_t*>(info->Name), info->NameLength / sizeof(WCHAR)),
                         std::u16string(data));
    }
}

NTSTATUS query_link(std::u16string_view path, std::u16string& target) {
    UNICODE_STRING name = unicode_of(path);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, nullptr, nullptr);
    KernelHandle link;
    NTSTATUS status = ZwOpenSymbolicLinkObject(link.out(), SYMBOLIC_LINK_QUERY, &oa);
    if (!NT_SUCCESS(status)) return status;
    std::vector<WCHAR> buffer(512);
    UNICODE_STRING out{0, static_cast<USHORT>(buffer.size() * sizeof(WCHAR)), buffer.data()};
    ULONG returned = 0;
    status = ZwQuerySymbolicLinkObject(link.get(), &out, &returned);
    if (status == STATUS_BUFFER_TOO_SMALL && returned <= 0xfffe) {
        buffer.resize(returned / sizeof(WCHAR) + 1);
        out = UNICODE_STRING{0, static_cast<USHORT>(returned), buffer.data()};
        status = ZwQuerySymbolicLinkObject(link.get(), &out, &returned);
    }
    if (!NT_SUCCESS(status)) return status;
    target.assign(reinterpret_cast<const char16_t*>(out.Buffer), out.Length / sizeof(WCHAR));
    return STATUS_SUCCESS;
}

NTSTATUS create_permanent_link(std::u16string_view path, std::u16string_view target) {
    UNICODE_STRING name = unicode_of(path);
    UNICODE_STRING link_target = unicode_of(target);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE | OBJ_PERMANENT, nullptr, nullptr);
    KernelHandle link;
    return ZwCreateSymbolicLinkObject(link.out(), SYMBOLIC_LINK_ALL_ACCESS, &oa, &link_target);
}

bool equal_ignore_case(std::u16string_view a, std::u16string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (rtl::upcase(a[i]) != rtl::upcase(b[i])) return false;
    return true;
}

bool starts_with_ignore_case(std::u16string_view text, std::u16string_view prefix) noexcept {
    return text.size() >= prefix.size() && equal_ignore_case(text.substr(0, prefix.size()), prefix);
}

std::string to_utf8(std::u16string_view text) {
    std::string out(rtl::utf8_size(text.data(), text.size()), '\0');
    out.resize(rtl::utf16_to_utf8(text.data(), text.size(), out.data(), out.size()));
    return out;
}

std::u16string to_utf16(std::string_view text) {
    std::u16string out(rtl::utf16_size(text.data(), text.size()), u'\0');
    out.resize(rtl::utf8_to_utf16(text.data(), text.size(), out.data(), out.size()));
    return out;
}

namespace {
// The Hostfs service's key, or its subkey `sub`.
std::u16string hostfs_key(std::u16string_view sub) {
    std::u16string path;
    path.reserve(kServicesKeyPath.size() + 8 + sub.size());
    path.append(kServicesKeyPath).append(u"\\Hostfs").append(sub);
    return path;
}
}  // namespace

bool hostfs_starts_with_system() {
    KernelHandle key;
    ULONG start = kServiceDisabled;
    return NT_SUCCESS(open_key(hostfs_key(u""), key)) &&
           NT_SUCCESS(query_dword(key.get(), u"Start", start)) && start <= kServiceSystemStart;
}

std::u16string hostfs_root() {
    KernelHandle key;
    std::u16string root;
    if (NT_SUCCESS(open_key(hostfs_key(u"\\Parameters"), key)) &&
        NT_SUCCESS(query_string(key.get(), u"Root", root)) && !root.empty() && root.front() == u'/')
        return root;
    return u"/";
}

}  // namespace loader

using namespace loader;

NTSTATUS service_key_of(std::u16string_view name, std::u16string& key_path, std::u16string& service) {
    if (name.empty() || name.back() == u'\\') return STATUS_OBJECT_NAME_INVALID;
    const std::size_t slash = name.rfind(u'\\');
    if (slash == std::u16string_view::npos) {
        service.assign(name);
        key_path.assign(kServicesKeyPath);
        key_path += u'\\';
        key_path += name;
        return STATUS_SUCCESS;
    }
    if (name.front() != u'\\') return STATUS_OBJECT_NAME_INVALID;
    service.assign(name.substr(slash + 1));
    key_path.assign(name);
    return STATUS_SUCCESS;
}

NTSTATUS read_service_config(std::u16string_view name, ServiceConfig& config) {
    std::u16string key_path;
    NTSTATUS status = service_key_of(name, key_path, config.name);
    if (!NT_SUCCESS(status)) return status;
    KernelHandle key;
    status = open_key(key_path, key);
    if (!NT_SUCCESS(status)) return status;
    // NT deviation: NT reads Type and Start through the service controller and IopLoadDriver with
    // statuses it does not document for bad values; a missing or out-of-range Type or Start is
    // STATUS_ILL_FORMED_SERVICE_ENTRY here ("a service entry in the registry is ill-formed").
    if (!NT_SUCCESS(query_dword(key.get(), u"Type", config.type)) ||
        (config.type != kServiceKernelDriver && config.type != kServiceFileSystemDriver))
        return STATUS_ILL_FORMED_SERVICE_ENTRY;
    if (!NT_SUCCESS(query_dword(key.get(), u"Start", config.start)) || config.start > kServiceDisabled)
        return STATUS_ILL_FORMED_SERVICE_ENTRY;
    if (!NT_SUCCESS(query_dword(key.get(), u"ErrorControl", config.error_control)))
        config.error_control = kServiceErrorNormal;
    if (!NT_SUCCESS(query_string(key.get(), u"Group", config.group))) config.group.clear();
    // The default NT uses for a driver service without ImagePath.
    if (!NT_SUCCESS(query_string(key.get(), u"ImagePath", config.image_path)) || config.image_path.empty())
        config.image_path = u"\\SystemRoot\\System32\\drivers\\" + config.name + u".sys";
    return resolve_image_path(config.image_path, config.host_path);
}

NTSTATUS resolve_image_path(std::u16string_view image_path, std::string& host_path) {
    std::u16string path(image_path);
    // %SystemRoot% in an unexpanded REG_EXPAND_SZ ImagePath is the \SystemRoot link.
    if (starts_with_ignore_case(path, u"%SystemRoot%")) path = u"\\SystemRoot" + path.substr(12);
    // A DOS path (C:\x) is \??\C:\x; a relative one (System32\drivers\x.sys) is under \SystemRoot, as
    // IopLoadDriver takes it.
    if (path.size() >= 2 && path[1] == u':') path = u"\\??\\" + path;
    else if (!path.empty() && path.front() != u'\\' && path.front() != u'/') path = u"\\SystemRoot\\" + path;
    // Each round replaces one link prefix (\??\X:, \DosDevices\X:, \GLOBAL??\X:, \SystemRoot) by its
    // target; a target starting with '/' is a host directory.
    for (int round = 0; round < 16; ++round) {
        if (!path.empty() && path.front() == u'/') {
            for (char16_t& c : path)
                if (c == u'\\') c = u'/';
            host_path = to_utf8(path);
            return STATUS_SUCCESS;
        }
        std::u16string link;
        std::u16string rest;
        if (starts_with_ignore_case(path, u"\\SystemRoot") &&
            (path.size() == 11 || path[11] == u'\\')) {
            link = u"\\SystemRoot";
            rest = path.substr(11);
        } else {
            for (std::u16string_view prefix : {u"\\??\\", u"\\DosDevices\\", u"\\GLOBAL??\\"}) {
                if (!starts_with_ignore_case(path, prefix)) continue;
                const std::size_t end = std::min(path.find(u'\\', prefix.size()), path.size());
                link = u"\\??\\" + path.substr(prefix.size(), end - prefix.size());
                rest = path.substr(end);
                break;
            }
        }
        if (link.empty()) return STATUS_OBJECT_PATH_NOT_FOUND;
        std::u16string target;
        NTSTATUS status = query_link(link, target);
        if (status == STATUS_OBJECT_NAME_NOT_FOUND) return STATUS_OBJECT_PATH_NOT_FOUND;
        if (!NT_SUCCESS(status)) return status;
        // The host file system's volume stands for its root directory.
        if (equal_ignore_case(target, kHostfsDevice)) target = hostfs_root();
        // A host directory target: "/" + "\work\x.sys" is "/work/x.sys".
        const bool host_directory = !target.empty() && target.front() == u'/';
        if (host_directory && !rest.empty())
            while (!target.empty() && target.back() == u'/') target.pop_back();
        path = target + rest;
        if (host_directory) path.front() = u'/';
    }
    return STATUS_OBJECT_PATH_NOT_FOUND;  // a link loop
}

}  // namespace ntio::io

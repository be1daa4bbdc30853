// The shared pieces of the registry helpers: RTL_REGISTRY_* base paths and the current user's key
// (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlqueryregistryvalues), key
// opening for the Rtl routines, and %NAME% expansion as ExpandEnvironmentStrings does it.
#include "nt/current_system.hpp"
#include <wdm.h>

#include "nt/rtl_registry_support.hpp"

#include "rtl/case_map.hpp"
#include "se/access_check.hpp"
#include "se/sid.hpp"

namespace ntio::nt {
namespace {

constexpr std::u16string_view kUserRoot = u"\\REGISTRY\\USER\\";
constexpr std::u16string_view kDefaultUser = u".DEFAULT";

bool equal_ignoring_case(std::u16string_view a, std::u16string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (rtl::upcase(a[i]) != rtl::upcase(b[i])) return false;
    return true;
}

}  // namespace

std::u16string current_user_key_path() {
    std::u16string path(kUserRoot);
    std::shared_ptr<se::Token> token = se::current_subject_token();
    if (!token || se::sid_equal(token->user(), se::well_known::local_system())) {
        path.append(kDefaultUser);
        return path;
    }
    std::string sid = se::sid_to_string(token->user());
    path.append(sid.begin(), sid.end());
    return path;
}

bool rtl_registry_base_path(ULONG relative_to, std::u16string& base) {
    switch (relative_to & ~static_cast<ULONG>(RTL_REGISTRY_OPTIONAL)) {
    case RTL_REGISTRY_ABSOLUTE: base.clear(); return true;
    case RTL_REGISTRY_SERVICES: base = u"\\Registry\\Machine\\System\\CurrentControlSet\\Services"; return true;
    case RTL_REGISTRY_CONTROL: base = u"\\Registry\\Machine\\System\\CurrentControlSet\\Control"; return true;
    case RTL_REGISTRY_WINDOWS_NT: base = u"\\Registry\\Machine\\Software\\Microsoft\\Windows NT\\CurrentVersion"; return true;
    case RTL_REGISTRY_DEVICEMAP: base = u"\\Registry\\Machine\\Hardware\\DeviceMap"; return true;
    case RTL_REGISTRY_USER: base = current_user_key_path(); return true;
    default: return false;
    }
}

void RtlKey::reset() noexcept {
    if (m_owned && m_handle) (void)ZwClose(m_handle);
    m_handle = nullptr;
    m_owned = false;
}

NTSTATUS rtl_registry_open(ULONG relative_to, PCWSTR path, ACCESS_MASK access, bool create, RtlKey& key,
                           std::u16string* full_path) {
    if (full_path) full_path->clear();
    if (relative_to & RTL_REGISTRY_HANDLE) {
        if (!path) return STATUS_INVALID_HANDLE;
        key.borrow(reinterpret_cast<HANDLE>(const_cast<PWSTR>(path)));
        return STATUS_SUCCESS;
    }
    std::u16string name;
    if (!rtl_registry_base_path(relative_to, name)) return STATUS_INVALID_PARAMETER;
    std::u16string_view relative = path ? std::u16string_view(reinterpret_cast<const char16_t*>(path)) : std::u16string_view();
    if (!name.empty() && !relative.empty() && relative.front() != u'\\') name.push_back(u'\\');
    name.append(relative);
    if (name.size() * sizeof(WCHAR) > MAXUSHORT - 1) return STATUS_NAME_TOO_LONG;

    UNICODE_STRING object_name;
    object_name.Buffer = reinterpret_cast<PWCH>(name.data());
    object_name.Length = static_cast<USHORT>(name.size() * sizeof(WCHAR));
    object_name.MaximumLength = object_name.Length;
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, &object_name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, nullptr, nullptr);
    NTSTATUS status = create ? ZwCreateKey(key.out(), access, &attributes, 0, nullptr, REG_OPTION_NON_VOLATILE, nullptr)
                             : ZwOpenKey(key.out(), access, &attributes);
    if (!NT_SUCCESS(status)) {
        key.reset();
        return status;
    }
    if (full_path) *full_path = std::move(name);
    return status;
}

std::u16string expand_environment(std::u16string_view text, const EnvironmentLookup& lookup) {
    std::u16string out;
    out.reserve(text.size());
    std::u16string value;
    std::size_t i = 0;
    while (i < text.size()) {
        const char16_t c = text[i];
        if (c != u'%') {
            out.push_back(c);
            ++i;
            continue;
        }
        const std::size_t close = text.find(u'%', i + 1);
        if (close == std::u16string_view::npos) {
            out.append(text.substr(i));
            break;
        }
        const std::u16string_view name = text.substr(i + 1, close - i - 1);
        value.clear();
        if (!name.empty() && lookup && lookup(name, value)) {
            out.append(value);
            i = close + 1;
        } else {
            // The closing % may open the next reference ("%undefined%PATH%").
            out.push_back(u'%');
            out.append(name);
            i = close;
        }
    }
    return out;
}

EnvironmentLookup environment_block_lookup(const WCHAR* block) {
    return [block](std::u16string_view name, std::u16string& value) {
        if (!block) return false;
        const auto* entry = reinterpret_cast<const char16_t*>(block);
        while (*entry) {
            std::u16string_view line(entry);
            // A leading '=' belongs to the name (the per-drive "=C:=C:\" entries).
            const std::size_t equals = line.find(u'=', 1);
            if (equals != std::u16string_view::npos && equal_ignoring_case(line.substr(0, equals), name)) {
                value.assign(line.substr(equals + 1));
                return true;
            }
            entry += line.size() + 1;
        }
        return false;
    };
}

}  // namespace ntio::nt

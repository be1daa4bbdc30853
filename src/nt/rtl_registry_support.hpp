// What the Rtl registry helpers and the Win32 registry API share: the RTL_REGISTRY_* base paths, the
// current user's key path, opening a key the way the Rtl helpers do, and REG_EXPAND_SZ expansion
// (the %NAME% rules of ExpandEnvironmentStrings) over any source of variables.
#pragma once

#include <functional>
#include <string>
#include <string_view>

// Only the base types: the win32 component includes this next to <windows.h>.
#include <ntio_ddk/basetypes.h>
#include <ntio_ddk/ntstatus.h>

namespace ntio::nt {

// \REGISTRY\USER\<SID of the calling thread's token>, or \REGISTRY\USER\.DEFAULT for SYSTEM
// (the RTL_REGISTRY_USER rule: "for a system process, this is \User\.Default").
std::u16string current_user_key_path();

// The absolute base of an RTL_REGISTRY_* value (RTL_REGISTRY_ABSOLUTE: empty). False for a value
// out of range.
bool rtl_registry_base_path(ULONG relative_to, std::u16string& base);

// A key handle the Rtl helpers opened (closed on destruction) or borrowed (RTL_REGISTRY_HANDLE).
class RtlKey {
public:
    RtlKey() = default;
    RtlKey(const RtlKey&) = delete;
    RtlKey& operator=(const RtlKey&) = delete;
    ~RtlKey() { reset(); }
    void reset() noexcept;
    void borrow(HANDLE handle) noexcept { reset(); m_handle = handle; }
    HANDLE* out() noexcept { reset(); m_owned = true; return &m_handle; }
    HANDLE get() const noexcept { return m_handle; }

private:
    HANDLE m_handle = nullptr;
    bool m_owned = false;
};

// Opens (or, with `create`, creates the last component of) RelativeTo + Path as a kernel handle.
// RTL_REGISTRY_HANDLE borrows Path as the handle. `full_path` receives the absolute name when one was
// built (empty for a borrowed handle). STATUS_INVALID_PARAMETER for a RelativeTo out of range.
NTSTATUS rtl_registry_open(ULONG relative_to, PCWSTR path, ACCESS_MASK access, bool create, RtlKey& key,
                           std::u16string* full_path = nullptr);

// Looks a variable up: true and its value when defined.
using EnvironmentLookup = std::function<bool(std::u16string_view name, std::u16string& value)>;

// ExpandEnvironmentStrings' rules: %NAME% becomes the value when NAME is defined; an undefined name or
// a lone % stays as written. `text` has no terminating NUL; neither has the result.
std::u16string expand_environment(std::u16string_view text, const EnvironmentLookup& lookup);

// Lookup in an NT environment block (NAME=VALUE strings, ended by an empty one), names compared
// case-insensitively; a null block defines nothing.
EnvironmentLookup environment_block_lookup(const WCHAR* block);

}  // namespace ntio::nt

// Internal helpers shared by the kernel32 pieces: the default System, the one place that sets the last
// error from an NTSTATUS, millisecond timeouts and the object-attributes builder for named objects.
#pragma once

// Standard headers first: <wdm.h>'s SEH emulation takes over the name libstdc++ uses for `try`.
#include <climits>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <string_view>

#undef __try
#include "ntio/sdk/windows.h"
#include "ntio/ntapi.h"

namespace ntio { class System; }

namespace ntio::win32 {

// The System the calling thread uses: System::current(), else the process-wide default System,
// booted on first use and shut down at process exit.
System& ensure_system();

// BaseSetLastNTError: the only code that turns an NTSTATUS into the thread's last error. Returns the
// Win32 error it set.
DWORD set_last_nt_error(NTSTATUS status) noexcept;

// The BOOL most kernel32 calls return for a status: TRUE on success, else FALSE with the last error
// set from the status.
inline BOOL succeeded(NTSTATUS status) noexcept {
    if (NT_SUCCESS(status)) return TRUE;
    set_last_nt_error(status);
    return FALSE;
}

// INFINITE -> null (no timeout); else a relative NT interval in `storage`.
inline PLARGE_INTEGER make_timeout(DWORD milliseconds, LARGE_INTEGER& storage) noexcept {
    if (milliseconds == INFINITE) return nullptr;
    storage.QuadPart = -static_cast<LONGLONG>(milliseconds) * 10000;
    return &storage;
}

// OBJECT_ATTRIBUTES for a Win32 object name (null or empty: unnamed) in \BaseNamedObjects, with the
// inherit flag and security descriptor of `sa`.
class NamedObjectAttributes {
public:
    NamedObjectAttributes(LPCWSTR name, LPSECURITY_ATTRIBUTES sa, BOOL inherit, ULONG extra_attributes);
    NamedObjectAttributes(LPCSTR name, LPSECURITY_ATTRIBUTES sa, BOOL inherit, ULONG extra_attributes);
    NamedObjectAttributes(const NamedObjectAttributes&) = delete;
    NamedObjectAttributes& operator=(const NamedObjectAttributes&) = delete;
    // STATUS_SUCCESS, or STATUS_NAME_TOO_LONG for a name a UNICODE_STRING cannot hold.
    NTSTATUS status() const noexcept { return m_status; }
    bool named() const noexcept { return m_named; }
    POBJECT_ATTRIBUTES get() noexcept { return &m_attributes; }

private:
    void build(std::u16string_view name, LPSECURITY_ATTRIBUTES sa, BOOL inherit, ULONG extra_attributes);
    std::u16string m_path;
    UNICODE_STRING m_name{};
    OBJECT_ATTRIBUTES m_attributes{};
    NTSTATUS m_status = STATUS_SUCCESS;
    bool m_named = false;
};

// UTF-8 (the ANSI code page of ntio) to UTF-16; invalid sequences become U+FFFD.
std::u16string ansi_to_utf16(std::string_view text);
std::string utf16_to_ansi(std::u16string_view text);

// Runs the FLS callbacks of the calling thread's non-NULL values and clears them: the thread is
// ending (ExitThread, ExitProcess) (fls.cpp).
void run_fls_callbacks();

// The registry's SystemRoot, C:\Windows when it is not set (system_info.cpp).
std::u16string windows_directory();

// Copies `text` and its NUL into a caller buffer of `size` characters: the length without the NUL on
// success, else the size needed including the NUL (the kernel32 convention).
template <class Char, class Text>
DWORD copy_out(const Text& text, DWORD size, Char* buffer) {
    if (text.size() + 1 > size || !buffer) return static_cast<DWORD>(text.size() + 1);
    for (std::size_t i = 0; i < text.size(); ++i) buffer[i] = static_cast<Char>(text[i]);
    buffer[text.size()] = 0;
    return static_cast<DWORD>(text.size());
}

}  // namespace ntio::win32

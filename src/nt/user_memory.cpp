// The only place in nt where caller memory is touched: through the fault-fixed routines of
// rtl/user_access, so a bad caller pointer gives STATUS_ACCESS_VIOLATION without an exception frame.
#include "nt/current_system.hpp"
#include "nt/user_memory.hpp"

#include "rtl/user_access.hpp"

namespace ntio::nt {

using rtl::check_user_range;

NTSTATUS copy_to_user(void* user, const void* kernel, std::size_t length, ULONG alignment) noexcept {
    if (length == 0) return STATUS_SUCCESS;
    if (NTSTATUS status = check_user_range(user, length, alignment); !NT_SUCCESS(status)) return status;
    // ProbeForWrite's touch first: a buffer whose tail is read-only receives nothing.
    if (NTSTATUS status = ntio_user_touch_write(user, length); !NT_SUCCESS(status)) return status;
    return ntio_user_copy(user, kernel, length);
}

NTSTATUS probe_iosb(KPROCESSOR_MODE mode, PIO_STATUS_BLOCK iosb) noexcept {
    if (mode == KernelMode) return STATUS_SUCCESS;
    return probe_for_write(iosb, sizeof(IO_STATUS_BLOCK), sizeof(ULONG));
}

// Captures a caller's UNICODE_STRING (the structure, then its buffer). An odd Length is
// STATUS_INVALID_PARAMETER; a null or unreadable one STATUS_ACCESS_VIOLATION.
NTSTATUS capture_string(KPROCESSOR_MODE mode, PUNICODE_STRING string, std::u16string& out) noexcept {
    if (!string) return STATUS_ACCESS_VIOLATION;
    UNICODE_STRING captured{};
    NTSTATUS status = read_caller(mode, const_cast<const UNICODE_STRING*>(string), captured);
    if (!NT_SUCCESS(status)) return status;
    if (captured.Length & 1) return STATUS_INVALID_PARAMETER;
    if (captured.Length && !captured.Buffer) return STATUS_ACCESS_VIOLATION;
    out.resize(captured.Length / sizeof(WCHAR));
    if (mode == KernelMode) {
        if (captured.Length) std::memcpy(out.data(), captured.Buffer, captured.Length);
        return STATUS_SUCCESS;
    }
    return copy_from_user(out.data(), captured.Buffer, captured.Length, alignof(WCHAR));
}

}  // namespace ntio::nt

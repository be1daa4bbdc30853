// Probing and copying of caller memory for the system services. Every access to a pointer that came
// from a UserMode caller goes through these functions, so a bad pointer becomes
// STATUS_ACCESS_VIOLATION (or STATUS_DATATYPE_MISALIGNMENT) instead of a fault. KernelMode callers
// (the Zw* routines) are trusted: their pointers are used directly.
#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <type_traits>

#include <wdm.h>

#include "rtl/user_access.hpp"

namespace ntio::nt {

// Probes [address, address + length) for reading and copies it to `kernel`. Length 0 is a no-op.
// Inline, like the rest of these single steps: the I/O services run them on every call.
[[nodiscard]] inline NTSTATUS copy_from_user(void* kernel, const void* user, std::size_t length,
                                             ULONG alignment) noexcept {
    if (length == 0) return STATUS_SUCCESS;
    if (NTSTATUS status = rtl::check_user_range(user, length, alignment); !NT_SUCCESS(status)) return status;
    return ntio_user_copy(kernel, user, length);
}
// Probes [address, address + length) for writing and copies `kernel` into it.
[[nodiscard]] NTSTATUS copy_to_user(void* user, const void* kernel, std::size_t length,
                                    ULONG alignment) noexcept;
// Probes a range for writing without changing its contents (ProbeForWrite touches each page).
[[nodiscard]] inline NTSTATUS probe_for_write(void* user, std::size_t length, ULONG alignment) noexcept {
    if (length == 0) return STATUS_SUCCESS;
    if (NTSTATUS status = rtl::check_user_range(user, length, alignment); !NT_SUCCESS(status)) return status;
    return ntio_user_touch_write(user, length);
}
// ProbeForRead as NT has it: the range and alignment checks, no access (rtl::check_read_probe_range).
// The services that hand a caller's input to the I/O manager unread use it (NtWriteFile, the input
// of a buffered or direct IOCTL): a bad buffer then fails where it is copied or locked, after the
// event was reset (NT fact I8). Length 0 is no probe.
[[nodiscard]] inline NTSTATUS probe_range_for_read(const void* user, std::size_t length, ULONG alignment) noexcept {
    if (length == 0) return STATUS_SUCCESS;
    return rtl::check_read_probe_range(user, length, alignment);
}
// Probes a range for reading and touches each page without copying it, for services that read the
// input themselves right after and want a bad range to fail before they allocate for it. Length 0
// is no probe.
[[nodiscard]] inline NTSTATUS probe_for_read(const void* user, std::size_t length, ULONG alignment) noexcept {
    if (length == 0) return STATUS_SUCCESS;
    if (NTSTATUS status = rtl::check_user_range(user, length, alignment); !NT_SUCCESS(status)) return status;
    return ntio_user_touch_read(user, length);
}
// The caller's IOSB must be writable before an I/O service does anything (NT probes it first, NT
// fact I10); kernel callers are not probed.
[[nodiscard]] NTSTATUS probe_iosb(KPROCESSOR_MODE mode, PIO_STATUS_BLOCK iosb) noexcept;

// A value the caller passes or receives by pointer that one aligned access moves (4 or 8 bytes at
// its natural alignment): in UserMode it needs the range check and the access alone, never a touch
// or a string copy (NtRemoveIoCompletion writes three such results per packet, gate B3).
template <class T>
inline constexpr bool kSingleAccess =
    std::is_trivially_copyable_v<T> && (sizeof(T) == 4 || sizeof(T) == 8) && alignof(T) == sizeof(T);

// Reads a value the caller passed by pointer, probing it first in UserMode.
template <class T>
[[nodiscard]] inline NTSTATUS read_caller(KPROCESSOR_MODE mode, const T* from, T& to) noexcept {
    if (mode == KernelMode) {
        to = *from;
        return STATUS_SUCCESS;
    }
    if constexpr (kSingleAccess<T>) {
        if (NTSTATUS status = rtl::check_user_range(from, sizeof(T), alignof(T)); !NT_SUCCESS(status)) return status;
        if constexpr (sizeof(T) == 8) {
            ULONG64 bits;
            NTSTATUS status = ntio_user_load8(from, &bits);
            if (NT_SUCCESS(status)) std::memcpy(&to, &bits, sizeof(T));
            return status;
        } else {
            ULONG bits;
            NTSTATUS status = ntio_user_load4(from, &bits);
            if (NT_SUCCESS(status)) std::memcpy(&to, &bits, sizeof(T));
            return status;
        }
    }
    return copy_from_user(&to, from, sizeof(T), alignof(T));
}

// Writes a result to a caller pointer, probing it first in UserMode. A 16-byte result (an
// IO_STATUS_BLOCK) within one page is two stores, its second half first; across a page it is
// touched first, so that a range whose tail is read-only receives nothing.
template <class T>
[[nodiscard]] inline NTSTATUS write_caller(KPROCESSOR_MODE mode, T* to, const T& value) noexcept {
    if (mode == KernelMode) {
        *to = value;
        return STATUS_SUCCESS;
    }
    if constexpr (kSingleAccess<T>) {
        if (NTSTATUS status = rtl::check_user_range(to, sizeof(T), alignof(T)); !NT_SUCCESS(status)) return status;
        if constexpr (sizeof(T) == 8) {
            ULONG64 bits;
            std::memcpy(&bits, &value, sizeof bits);
            return ntio_user_store8(to, bits);
        } else {
            ULONG bits;
            std::memcpy(&bits, &value, sizeof bits);
            return ntio_user_store4(to, bits);
        }
    } else if constexpr (std::is_trivially_copyable_v<T> && sizeof(T) == 16 && alignof(T) == 8) {
        const auto at = reinterpret_cast<ULONG_PTR>(to);
        if ((at & (PAGE_SIZE - 1)) <= PAGE_SIZE - sizeof(T)) {
            if (NTSTATUS status = rtl::check_user_range(to, sizeof(T), alignof(T)); !NT_SUCCESS(status)) return status;
            ULONG64 words[2];
            std::memcpy(words, &value, sizeof words);
            return ntio_user_store16(to, words[0], words[1]);
        }
    }
    return copy_to_user(to, &value, sizeof(T), alignof(T));
}

// An IOSB needs ULONG alignment only, in every service (probe_iosb): the write follows the probe's
// rule, so that an IOSB the probe accepted always receives its result (an 8-byte check here lost
// NtRemoveIoCompletion's packet for an IOSB at 4 mod 8).
[[nodiscard]] inline NTSTATUS write_caller(KPROCESSOR_MODE mode, IO_STATUS_BLOCK* to, const IO_STATUS_BLOCK& value) noexcept {
    if (mode == KernelMode) {
        *to = value;
        return STATUS_SUCCESS;
    }
    if (NTSTATUS status = rtl::check_user_range(to, sizeof(*to), sizeof(ULONG)); !NT_SUCCESS(status)) return status;
    const auto at = reinterpret_cast<ULONG_PTR>(to);
    if ((at & (PAGE_SIZE - 1)) <= PAGE_SIZE - sizeof(*to)) {
        ULONG64 words[2];
        std::memcpy(words, &value, sizeof words);
        return ntio_user_store16(to, words[0], words[1]);
    }
    return copy_to_user(to, &value, sizeof(*to), sizeof(ULONG));
}

// Checks that a caller output pointer is writable before the service does anything, so that the
// late write of a result cannot fail after an object was created or changed.
template <class T>
[[nodiscard]] inline NTSTATUS probe_caller_output(KPROCESSOR_MODE mode, T* to) noexcept {
    if (mode == KernelMode) return STATUS_SUCCESS;
    return probe_for_write(to, sizeof(T), alignof(T));
}
// An IOSB's probe is probe_iosb's, ULONG-aligned, in every service.
[[nodiscard]] inline NTSTATUS probe_caller_output(KPROCESSOR_MODE mode, IO_STATUS_BLOCK* to) noexcept {
    return probe_iosb(mode, to);
}

// Captures a caller's UNICODE_STRING (the structure, then its buffer). An odd Length is
// STATUS_INVALID_PARAMETER; a null or unreadable one STATUS_ACCESS_VIOLATION.
NTSTATUS capture_string(KPROCESSOR_MODE mode, PUNICODE_STRING string, std::u16string& out) noexcept;

}  // namespace ntio::nt

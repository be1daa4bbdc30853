// Caller-memory access without an exception frame: small leaf routines whose faults the fault
// handler (seh_signals.cpp) turns into a STATUS_ACCESS_VIOLATION return, the way a kernel's exception
// table fixes up a faulting copy_from_user. The services use them for every probe and capture, so a
// call does not pay for setjmp and a frame push on the success path.
#pragma once

#include <cstddef>

#include <wdm.h>

extern "C" {
// Each returns STATUS_SUCCESS, or STATUS_ACCESS_VIOLATION when a byte it touched faulted (a copy may
// then be partial). Callers check alignment and the user range first (check_user_range); Length > 0.
__attribute__((visibility("hidden"))) NTSTATUS ntio_user_copy(void* to, const void* from, std::size_t length) noexcept;
// Reads the first and last byte and one byte of every page between: an unmapped range faults.
__attribute__((visibility("hidden"))) NTSTATUS ntio_user_touch_read(const void* start, std::size_t length) noexcept;
// Writes the same bytes back to themselves, as ProbeForWrite does: a read-only page faults too.
__attribute__((visibility("hidden"))) NTSTATUS ntio_user_touch_write(void* start, std::size_t length) noexcept;
// Stores Information, then Status, so a caller polling Status (HasOverlappedIoCompleted) never sees
// the final status before the byte count.
__attribute__((visibility("hidden"))) NTSTATUS ntio_user_write_iosb(PIO_STATUS_BLOCK iosb, NTSTATUS status,
                                                                     ULONG_PTR information) noexcept;
// One naturally aligned 4- or 8-byte access: it faults whole or not at all, so it needs no touch
// before it. A load stores the value to *to only when it succeeded.
__attribute__((visibility("hidden"))) NTSTATUS ntio_user_load4(const void* from, ULONG* to) noexcept;
__attribute__((visibility("hidden"))) NTSTATUS ntio_user_load8(const void* from, ULONG64* to) noexcept;
__attribute__((visibility("hidden"))) NTSTATUS ntio_user_store4(void* to, ULONG value) noexcept;
__attribute__((visibility("hidden"))) NTSTATUS ntio_user_store8(void* to, ULONG64 value) noexcept;
// 16 bytes at an 8-byte aligned address within one page: the high word first, then the low one.
__attribute__((visibility("hidden"))) NTSTATUS ntio_user_store16(void* to, ULONG64 low, ULONG64 high) noexcept;
}

namespace ntio::rtl {

// True when a fault at instruction `ip` belongs to one of the routines above; then *fixup is where
// execution resumes (it returns STATUS_ACCESS_VIOLATION to the routine's caller).
bool user_access_fixup(unsigned long ip, unsigned long* fixup) noexcept;

// ProbeForRead/ProbeForWrite's checks without raising: alignment first, then the lowest 64 KiB
// (never mapped for an NT user process, MM_LOWEST_USER_ADDRESS) and the top of the user range.
inline NTSTATUS check_user_range(const void* user, std::size_t length, ULONG alignment) noexcept {
    const auto start = reinterpret_cast<ULONG_PTR>(user);
    if (alignment > 1 && (start & (alignment - 1)) != 0) return STATUS_DATATYPE_MISALIGNMENT;
    const ULONG_PTR end = start + length;
    if (start < 0x10000 || end < start || end > MmUserProbeAddress) return STATUS_ACCESS_VIOLATION;
    return STATUS_SUCCESS;
}

// ProbeForRead's check alone: alignment, then the end of the range against the top of the user
// range. It reads nothing and has no lower bound: "checks that a user-mode buffer actually resides in
// the user portion of the address space" and raises STATUS_ACCESS_VIOLATION only "if the specified
// range of memory is not within the user-mode address range"
// (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-probeforread), so a NULL
// buffer with a length passes it and faults where it is first read (NT fact I8).
inline NTSTATUS check_read_probe_range(const void* user, std::size_t length, ULONG alignment) noexcept {
    const auto start = reinterpret_cast<ULONG_PTR>(user);
    if (alignment > 1 && (start & (alignment - 1)) != 0) return STATUS_DATATYPE_MISALIGNMENT;
    const ULONG_PTR end = start + length;
    if (end < start || end > MmUserProbeAddress) return STATUS_ACCESS_VIOLATION;
    return STATUS_SUCCESS;
}

}  // namespace ntio::rtl

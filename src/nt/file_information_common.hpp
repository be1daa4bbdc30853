// What the information services share: probing and capture of the caller's IOSB and buffers, the
// I/O manager's own answers written back under SEH, and the per-class rule tables (minimum length
// and the access the handle needs) that NT keeps for each FILE_INFORMATION_CLASS / FS_INFORMATION_CLASS.
#pragma once

#include "nt/current_system.hpp"
#include <ntio/ntapi.h>

#include "io/file_information_submit.hpp"
#include "io/information_classes.hpp"
#include "nt/object_reference.hpp"
#include "nt/previous_mode.hpp"
#include "nt/user_memory.hpp"

namespace ntio::nt::info {

// The per-class rules live with the I/O manager (io/information_classes.hpp), which checks them for
// IoCheckQuerySetFileInformation and friends too.
using io::info::ClassRule;


// Buffer alignment NT's probes ask for: ULONG for the structures that start with one or more,
// byte for the one-byte classes.
inline ULONG probe_alignment(ULONG min_length) noexcept { return min_length >= sizeof(ULONG) ? sizeof(ULONG) : 1; }

// Probes a caller buffer for reading and copies it into a fresh information buffer (pool, owned by
// the caller of this function from here, or by the request once handed to it). Length 0 is a
// one-byte zeroed buffer. The probe comes first, as NT's ProbeForRead precedes the pool allocation
// of the capture: a length that runs past the caller's memory fails at once, without allocating
// (and zeroing) a buffer of that length first.
inline NTSTATUS capture_input(KPROCESSOR_MODE mode, const void* user, ULONG length, ULONG alignment, PVOID* out) noexcept {
    *out = nullptr;
    if (mode != KernelMode) {
        NTSTATUS status = probe_for_read(user, length, alignment);
        if (!NT_SUCCESS(status)) return status;
    }
    PVOID buffer = io::allocate_information_buffer(length);
    if (!buffer) return STATUS_INSUFFICIENT_RESOURCES;
    NTSTATUS status = STATUS_SUCCESS;
    if (length) {
        if (mode == KernelMode) {
            __try {
                std::memcpy(buffer, user, length);
            } __except (EXCEPTION_EXECUTE_HANDLER) {
                status = GetExceptionCode();
            }
        } else {
            status = copy_from_user(buffer, user, length, alignment);
        }
    }
    if (!NT_SUCCESS(status)) {
        ExFreePool(buffer);
        return status;
    }
    *out = buffer;
    return STATUS_SUCCESS;
}

// Writes an answer the I/O manager produced itself: the data, then the IOSB {SUCCESS, length}. A
// fault on the caller's memory is the service's status (the probe came earlier, but the memory can
// change under it).
inline NTSTATUS answer(PVOID user, const void* data, ULONG length, PIO_STATUS_BLOCK iosb) noexcept {
    NTSTATUS status = STATUS_SUCCESS;
    __try {
        std::memcpy(user, data, length);
        iosb->Status = STATUS_SUCCESS;
        iosb->Information = length;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    return status;
}

// A set the I/O manager performed itself: IOSB {SUCCESS, 0}.
inline NTSTATUS answer_set(PIO_STATUS_BLOCK iosb) noexcept {
    NTSTATUS status = STATUS_SUCCESS;
    __try {
        iosb->Status = STATUS_SUCCESS;
        iosb->Information = 0;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    return status;
}

// The handle's file object, referenced with `access` checked for UserMode callers.
inline NTSTATUS reference_file(HandleReference<FILE_OBJECT>& file, HANDLE handle, ACCESS_MASK access,
                               KPROCESSOR_MODE mode) noexcept {
    return file.reference(handle, mode == KernelMode ? 0 : access, *IoFileObjectType, mode);
}

// The information services once the handle is referenced: `fo` a file object the caller holds a
// reference on, `granted` the access it was opened with (FileAccessInformation). The set takes
// ownership of `captured`, a pool copy of FileInformation; `handle` goes with a disposition set
// (NULL without one). Shared by NtQuery/SetInformationFile and IoQueryFileInformation / IoSetInformation.
NTSTATUS query_file_object(PFILE_OBJECT fo, ACCESS_MASK granted, PIO_STATUS_BLOCK iosb, PVOID buffer, ULONG length,
                           FILE_INFORMATION_CLASS info_class, KPROCESSOR_MODE mode) noexcept;
NTSTATUS set_file_object(PFILE_OBJECT fo, HANDLE handle, PIO_STATUS_BLOCK iosb, PVOID buffer, PVOID captured,
                         ULONG length, FILE_INFORMATION_CLASS info_class, KPROCESSOR_MODE mode) noexcept;

using io::info::query_file_rule;
using io::info::query_volume_rule;
using io::info::set_file_rule;
using io::info::set_volume_rule;

}  // namespace ntio::nt::info

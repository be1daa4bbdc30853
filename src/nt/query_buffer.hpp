// Output rules shared by the fixed-size Nt*Query services (events, semaphores, mutants): an unknown
// class is STATUS_INVALID_INFO_CLASS, a length other than the structure's size is
// STATUS_INFO_LENGTH_MISMATCH, and buffers are probed before the object is even looked up.
#pragma once

#include <cstring>
#include <vector>

#include <wdm.h>

#include "nt/object_reference.hpp"
#include "nt/user_memory.hpp"

namespace ntio::nt {

// The alignment a fixed answer's buffer is probed for: a ULONG's, or less for a smaller answer (a
// BOOLEAN needs none).
template <class Info>
inline constexpr ULONG kAnswerAlignment = alignof(Info) < alignof(ULONG) ? alignof(Info) : alignof(ULONG);

template <class Info>
[[nodiscard]] inline NTSTATUS check_fixed_query(KPROCESSOR_MODE mode, bool class_known, PVOID buffer,
                                                ULONG length, PULONG return_length) noexcept {
    if (!class_known) return STATUS_INVALID_INFO_CLASS;
    if (length != sizeof(Info)) return STATUS_INFO_LENGTH_MISMATCH;
    if (mode != KernelMode) {
        NTSTATUS status = probe_for_write(buffer, length, kAnswerAlignment<Info>);
        if (!NT_SUCCESS(status)) return status;
        if (return_length) {
            status = probe_for_write(return_length, sizeof(ULONG), alignof(ULONG));
            if (!NT_SUCCESS(status)) return status;
        }
    }
    return STATUS_SUCCESS;
}

// The answer goes where check_fixed_query probed, at the alignment it probed for (a structure of
// LARGE_INTEGERs in a ULONG-aligned buffer too).
template <class Info>
inline void write_fixed_query(KPROCESSOR_MODE mode, PVOID buffer, PULONG return_length, const Info& info) noexcept {
    if (mode == KernelMode) std::memcpy(buffer, &info, sizeof info);
    else if constexpr (kSingleAccess<Info>) (void)write_caller(mode, static_cast<Info*>(buffer), info);
    else (void)copy_to_user(buffer, &info, sizeof info, kAnswerAlignment<Info>);
    if (return_length) (void)write_caller(mode, return_length, static_cast<ULONG>(sizeof(Info)));
}

// A fixed-size class of the object a handle names (a thread's, a process's): the length and buffers
// checked first, then the object referenced for any one of `rights`, then `fill`'s answer written.
template <class Object, class Info>
[[nodiscard]] NTSTATUS answer_fixed_class(POBJECT_TYPE type, KPROCESSOR_MODE mode, HANDLE handle, ACCESS_MASK rights,
                                          PVOID buffer, ULONG length, PULONG return_length,
                                          Info (*fill)(Object*)) noexcept {
    NTSTATUS status = check_fixed_query<Info>(mode, true, buffer, length, return_length);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<Object> object;
    status = object.reference_any(handle, rights, type, mode);
    if (!NT_SUCCESS(status)) return status;
    write_fixed_query(mode, buffer, return_length, fill(object.get()));
    return STATUS_SUCCESS;
}

// The variable-size queries (security descriptors, token information): the length pointer the
// service always writes is required and, with the whole answer buffer, probed before anything else.
[[nodiscard]] inline NTSTATUS probe_variable_query(KPROCESSOR_MODE mode, PULONG return_length, PVOID buffer,
                                                   ULONG length) noexcept {
    if (!return_length) return STATUS_ACCESS_VIOLATION;
    if (NTSTATUS status = probe_caller_output(mode, return_length); !NT_SUCCESS(status)) return status;
    if (mode != KernelMode) return probe_for_write(buffer, length, sizeof(ULONG));
    return STATUS_SUCCESS;
}

// The variable-size answers built whole in a kernel buffer first (NtQuerySystemInformation's lists,
// ThreadNameInformation): the buffer and the optional length pointer are probed before anything
// else, and the answer, once it is known to fit, is copied with its length reported.
[[nodiscard]] inline NTSTATUS probe_built_query(KPROCESSOR_MODE mode, PVOID buffer, ULONG length,
                                                PULONG return_length, ULONG alignment) noexcept {
    if (mode == KernelMode) return STATUS_SUCCESS;
    NTSTATUS status = probe_for_write(buffer, length, alignment);
    if (NT_SUCCESS(status) && return_length) status = probe_caller_output(mode, return_length);
    return status;
}

[[nodiscard]] inline NTSTATUS write_built_query(KPROCESSOR_MODE mode, PVOID buffer, PULONG return_length,
                                                const std::vector<unsigned char>& answer, ULONG alignment) noexcept {
    const auto size = static_cast<ULONG>(answer.size());
    NTSTATUS status = mode == KernelMode ? (std::memcpy(buffer, answer.data(), size), STATUS_SUCCESS)
                                         : copy_to_user(buffer, answer.data(), size, alignment);
    if (!NT_SUCCESS(status)) return status;
    if (return_length) (void)write_caller(mode, return_length, size);
    return STATUS_SUCCESS;
}

}  // namespace ntio::nt

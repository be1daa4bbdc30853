// Shared steps of the KTM services: copying an answer out for the caller's mode, the fixed-size
// query rules, opening a KTM object found by GUID, and reading an optional virtual clock.
#pragma once

#include <cstring>
#include <string>

#include <wdm.h>

#include "nt/object_attributes.hpp"
#include "nt/previous_mode.hpp"
#include "nt/user_memory.hpp"

namespace ntio::nt::ktm {

// Copies `length` bytes to the caller (probed for a UserMode caller).
[[nodiscard]] inline NTSTATUS put(KPROCESSOR_MODE mode, void* to, const void* from, std::size_t length) noexcept {
    if (mode == KernelMode) {
        std::memcpy(to, from, length);
        return STATUS_SUCCESS;
    }
    return copy_to_user(to, from, length, alignof(ULONG));
}

// The buffer and optional length of a query, probed before the object is looked up.
[[nodiscard]] inline NTSTATUS probe_query(KPROCESSOR_MODE mode, PVOID buffer, ULONG length,
                                          PULONG return_length) noexcept {
    if (mode == KernelMode) return STATUS_SUCCESS;
    NTSTATUS status = probe_for_write(buffer, length, alignof(ULONG));
    if (NT_SUCCESS(status) && return_length) status = probe_for_write(return_length, sizeof(ULONG), alignof(ULONG));
    return status;
}

// Writes a fixed-size answer: a length other than the structure's is STATUS_INFO_LENGTH_MISMATCH.
template <class Info>
[[nodiscard]] inline NTSTATUS put_fixed(KPROCESSOR_MODE mode, PVOID buffer, ULONG length, PULONG return_length,
                                        const Info& info) noexcept {
    if (return_length) (void)write_caller(mode, return_length, static_cast<ULONG>(sizeof(Info)));
    if (length < sizeof(Info)) return STATUS_INFO_LENGTH_MISMATCH;
    return put(mode, buffer, &info, sizeof(Info));
}

// A structure that ends in a description: `header_size` bytes of `header` (whose DescriptionLength
// the caller filled), then the characters. Too small for all of it is STATUS_BUFFER_TOO_SMALL with the
// size needed; too small for the fixed part is STATUS_INFO_LENGTH_MISMATCH.
[[nodiscard]] inline NTSTATUS put_described(KPROCESSOR_MODE mode, PVOID buffer, ULONG length, PULONG return_length,
                                            const void* header, ULONG header_size,
                                            const std::u16string& description) noexcept {
    const ULONG chars = static_cast<ULONG>(description.size() * sizeof(char16_t));
    const ULONG needed = header_size + chars;
    if (return_length) (void)write_caller(mode, return_length, needed);
    if (length < header_size) return STATUS_INFO_LENGTH_MISMATCH;
    if (length < needed) return STATUS_BUFFER_TOO_SMALL;
    NTSTATUS status = put(mode, buffer, header, header_size);
    if (NT_SUCCESS(status) && chars) status = put(mode, static_cast<char*>(buffer) + header_size, description.data(), chars);
    return status;
}

// Opens a handle to `object` (referenced by the caller) for the caller's process.
[[nodiscard]] inline NTSTATUS open_found(KPROCESSOR_MODE mode, PVOID object, POBJECT_TYPE type, ACCESS_MASK access,
                                         CapturedObjectAttributes& attributes, PHANDLE handle_out) noexcept {
    const ULONG handle_attributes =
        attributes.get() ? attributes.get()->Attributes & (OBJ_INHERIT | OBJ_KERNEL_HANDLE) : 0;
    HANDLE handle = nullptr;
    NTSTATUS status = ObOpenObjectByPointer(object, handle_attributes, nullptr, access, type, mode, &handle);
    ObDereferenceObject(object);
    if (NT_SUCCESS(status)) (void)write_caller(mode, handle_out, handle);
    return status;
}

// An optional TmVirtualClock argument.
[[nodiscard]] inline NTSTATUS read_clock(KPROCESSOR_MODE mode, PLARGE_INTEGER from, LARGE_INTEGER& to,
                                         PLARGE_INTEGER& out) noexcept {
    out = nullptr;
    if (!from) return STATUS_SUCCESS;
    NTSTATUS status = read_caller(mode, from, to);
    if (NT_SUCCESS(status)) out = &to;
    return status;
}

// A GUID argument the service needs.
[[nodiscard]] inline NTSTATUS read_guid(KPROCESSOR_MODE mode, const GUID* from, GUID& to) noexcept {
    if (!from) return STATUS_INVALID_PARAMETER;
    if (mode == KernelMode) {
        to = *from;
        return STATUS_SUCCESS;
    }
    return copy_from_user(&to, from, sizeof(GUID), alignof(ULONG));
}

}  // namespace ntio::nt::ktm

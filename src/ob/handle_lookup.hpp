// A handle lookup in one table and the checks it makes once the table has given the entry: the
// object's type, then the access a caller that is not KernelMode needs (generic rights mapped).
// Shared by the object manager's lookup (handles.cpp) and the services' inline lookup
// (nt/inline_reference.hpp), so both answer with the same statuses in the same order.
#pragma once

#include "ob/handle_table.hpp"
#include "ob/lookup_section.hpp"
#include "ob/object_header.hpp"
#include "ob/object_type.hpp"

namespace ntio::ob {

inline ACCESS_MASK map_generic(ACCESS_MASK access, const GENERIC_MAPPING& mapping) noexcept {
    if (access & GENERIC_READ) access |= mapping.GenericRead;
    if (access & GENERIC_WRITE) access |= mapping.GenericWrite;
    if (access & GENERIC_EXECUTE) access |= mapping.GenericExecute;
    if (access & GENERIC_ALL) access |= mapping.GenericAll;
    return access & ~(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL);
}

inline NTSTATUS check_handle_entry(const HandleInfo& entry, ACCESS_MASK desired, _OBJECT_TYPE* type,
                                   KPROCESSOR_MODE mode) noexcept {
    if (type && entry.object->type != type) return STATUS_OBJECT_TYPE_MISMATCH;
    if (mode != KernelMode) {
        ACCESS_MASK wanted = desired & ~MAXIMUM_ALLOWED;
        if (wanted & (GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL)) [[unlikely]]
            wanted = map_generic(wanted, entry.object->type->generic_mapping);
        if (wanted & ~entry.granted) return STATUS_ACCESS_DENIED;
    }
    return STATUS_SUCCESS;
}

// `handle` looked up in `table` and checked. Taking a reference, the lookup section is left; a
// borrow (no reference) stays in it on success, for the caller to leave. A failed lookup or check
// leaves the section and gives its status (STATUS_INVALID_HANDLE, _OBJECT_TYPE_MISMATCH,
// _ACCESS_DENIED).
[[gnu::always_inline]] inline NTSTATUS lookup_handle_entry(const HandleTable& table, HANDLE handle, ACCESS_MASK desired, _OBJECT_TYPE* type,
                                    KPROCESSOR_MODE mode, bool take_reference, HandleInfo& entry) noexcept {
    if (!table.borrow(handle, entry)) return STATUS_INVALID_HANDLE;
    const NTSTATUS status = check_handle_entry(entry, desired, type, mode);
    if (!NT_SUCCESS(status) || take_reference) {
        if (NT_SUCCESS(status)) reference(entry.object);
        leave_lookup();
    }
    return status;
}

}  // namespace ntio::ob

// The shared shape of every Nt*Create / Nt*Open service: probe the handle output, capture the
// attributes, let ob create (or open) and insert the object, then hand the handle to the caller.
#pragma once

#include <wdm.h>

#include "nt/object_attributes.hpp"
#include "nt/previous_mode.hpp"
#include "nt/user_memory.hpp"

namespace ntio::nt {

// Creates an object of `type` with a body of `body_size` bytes, lets `init(body)` initialise the
// body before it becomes visible, and inserts it (named objects go into the namespace; OBJ_OPENIF
// on an existing name returns STATUS_OBJECT_NAME_EXISTS and a handle to the existing object).
template <class Body, class Init>
[[nodiscard]] NTSTATUS create_object(PHANDLE handle_out, ACCESS_MASK access, POBJECT_ATTRIBUTES attributes,
                                     POBJECT_TYPE type, ULONG body_size, Init&& init) noexcept {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = probe_caller_output(mode, handle_out);
    if (!NT_SUCCESS(status)) return status;
    CapturedObjectAttributes captured;
    status = captured.capture(attributes, mode);
    if (!NT_SUCCESS(status)) return status;
    PVOID body = nullptr;
    status = ObCreateObject(mode, type, captured.get(), mode, nullptr, body_size, 0, 0, &body);
    if (!NT_SUCCESS(status)) return status;
    status = init(static_cast<Body*>(body));
    if (!NT_SUCCESS(status)) {
        ObDereferenceObject(body);
        return status;
    }
    HANDLE handle = nullptr;
    status = ObInsertObject(body, nullptr, access, 0, nullptr, &handle);
    if (!NT_SUCCESS(status)) return status;
    // The output was probed above; like NT, a caller that unmaps it meanwhile loses the handle.
    (void)write_caller(mode, handle_out, handle);
    return status;
}

// The start every Nt*Open service shares: the handle's output probed for the caller's mode, the
// object attributes required (STATUS_INVALID_PARAMETER without them) and captured.
[[nodiscard]] NTSTATUS begin_open(KPROCESSOR_MODE mode, PHANDLE handle_out, POBJECT_ATTRIBUTES attributes,
                                  CapturedObjectAttributes& captured) noexcept;

// Opens an existing named object of `type` with the access the caller asks for.
[[nodiscard]] NTSTATUS open_object(PHANDLE handle_out, ACCESS_MASK access, POBJECT_ATTRIBUTES attributes,
                                   POBJECT_TYPE type) noexcept;

}  // namespace ntio::nt

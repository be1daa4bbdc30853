// Nt*Open services share one path: ob looks the captured name up, checks the object type and the
// caller's access against the object's security descriptor, and creates the handle.
#include "nt/current_system.hpp"
#include "nt/object_creation.hpp"

namespace ntio::nt {

NTSTATUS begin_open(KPROCESSOR_MODE mode, PHANDLE handle_out, POBJECT_ATTRIBUTES attributes,
                    CapturedObjectAttributes& captured) noexcept {
    NTSTATUS status = probe_caller_output(mode, handle_out);
    if (!NT_SUCCESS(status)) return status;
    if (attributes == nullptr) return STATUS_INVALID_PARAMETER;
    return captured.capture(attributes, mode);
}

NTSTATUS open_object(PHANDLE handle_out, ACCESS_MASK access, POBJECT_ATTRIBUTES attributes,
                     POBJECT_TYPE type) noexcept {
    const KPROCESSOR_MODE mode = previous_mode();
    CapturedObjectAttributes captured;
    NTSTATUS status = begin_open(mode, handle_out, attributes, captured);
    if (!NT_SUCCESS(status)) return status;
    HANDLE handle = nullptr;
    status = ObOpenObjectByName(captured.get(), type, mode, nullptr, access, nullptr, &handle);
    if (!NT_SUCCESS(status)) return status;
    (void)write_caller(mode, handle_out, handle);
    return status;
}

}  // namespace ntio::nt

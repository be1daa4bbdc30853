// Symbolic link objects: NtCreateSymbolicLinkObject, NtOpenSymbolicLinkObject and
// NtQuerySymbolicLinkObject. The target is returned with its NUL; *ReturnedLength counts it, and a
// buffer without room for it is STATUS_BUFFER_TOO_SMALL.
#include "nt/current_system.hpp"
#include <wdm.h>

#include <string>

#include "nt/object_attributes.hpp"
#include "nt/object_creation.hpp"
#include "nt/object_reference.hpp"
#include "nt/previous_mode.hpp"
#include "nt/user_memory.hpp"

using namespace ntio;
using namespace ntio::nt;

namespace {

NTSTATUS capture_target(KPROCESSOR_MODE mode, PUNICODE_STRING target, std::u16string& out) {
    UNICODE_STRING copy;
    if (mode == KernelMode && target == nullptr) return STATUS_INVALID_PARAMETER;
    NTSTATUS status = read_caller(mode, static_cast<const UNICODE_STRING*>(target), copy);
    if (!NT_SUCCESS(status)) return status;
    if (copy.Length == 0 || (copy.Length & 1) != 0 || copy.Length > copy.MaximumLength) return STATUS_INVALID_PARAMETER;
    out.resize(copy.Length / sizeof(WCHAR));
    if (mode == KernelMode) {
        out.assign(reinterpret_cast<const char16_t*>(copy.Buffer), copy.Length / sizeof(WCHAR));
        return STATUS_SUCCESS;
    }
    return copy_from_user(out.data(), copy.Buffer, copy.Length, alignof(WCHAR));
}

}  // namespace

extern "C" {

NTSTATUS NTAPI NtCreateSymbolicLinkObject(PHANDLE LinkHandle, ACCESS_MASK DesiredAccess,
                                          POBJECT_ATTRIBUTES ObjectAttributes, PUNICODE_STRING LinkTarget) {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = probe_caller_output(mode, LinkHandle);
    if (!NT_SUCCESS(status)) return status;
    std::u16string target;
    status = capture_target(mode, LinkTarget, target);
    if (!NT_SUCCESS(status)) return status;
    CapturedObjectAttributes captured;
    status = captured.capture(ObjectAttributes, mode);
    if (!NT_SUCCESS(status)) return status;
    HANDLE handle = nullptr;
    status = object_manager().create_symbolic_link(captured.get_or_unnamed(), DesiredAccess, target, mode, &handle);
    if (!NT_SUCCESS(status)) return status;
    (void)write_caller(mode, LinkHandle, handle);
    return status;
}

NTSTATUS NTAPI NtOpenSymbolicLinkObject(PHANDLE LinkHandle, ACCESS_MASK DesiredAccess,
                                        POBJECT_ATTRIBUTES ObjectAttributes) {
    return open_object(LinkHandle, DesiredAccess, ObjectAttributes, *ObSymbolicLinkObjectType);
}

NTSTATUS NTAPI NtQuerySymbolicLinkObject(HANDLE LinkHandle, PUNICODE_STRING LinkTarget, PULONG ReturnedLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    UNICODE_STRING out;
    NTSTATUS status = read_caller(mode, static_cast<const UNICODE_STRING*>(LinkTarget), out);
    if (!NT_SUCCESS(status)) return status;
    status = probe_caller_output(mode, LinkTarget);
    if (!NT_SUCCESS(status)) return status;
    if (ReturnedLength) {
        status = probe_caller_output(mode, ReturnedLength);
        if (!NT_SUCCESS(status)) return status;
    }
    HandleReference<void> link;
    status = link.reference(LinkHandle, SYMBOLIC_LINK_QUERY, *ObSymbolicLinkObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    std::u16string target;
    status = object_manager().query_symbolic_link(link.get(), target);
    if (!NT_SUCCESS(status)) return status;

    const ULONG length = static_cast<ULONG>(target.size() * sizeof(WCHAR));
    const ULONG required = length + sizeof(WCHAR);
    if (ReturnedLength) (void)write_caller(mode, ReturnedLength, required);
    if (out.MaximumLength < required) return STATUS_BUFFER_TOO_SMALL;
    target.push_back(u'\0');
    if (mode == KernelMode) {
        std::char_traits<char16_t>::copy(reinterpret_cast<char16_t*>(out.Buffer), target.data(), target.size());
    } else {
        status = copy_to_user(out.Buffer, target.data(), required, alignof(WCHAR));
        if (!NT_SUCCESS(status)) return status;
    }
    (void)write_caller(mode, &LinkTarget->Length, static_cast<USHORT>(length));
    return STATUS_SUCCESS;
}

}  // extern "C"

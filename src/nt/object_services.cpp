// Handle and object services: NtClose, NtDuplicateObject, NtQueryObject, NtSetInformationObject,
// NtMakeTemporaryObject and NtMakePermanentObject. Results are built in kernel memory and copied to
// the caller's buffer (probed), so a bad caller buffer is STATUS_ACCESS_VIOLATION, never a fault.
#include "nt/current_system.hpp"
#include "nt/enum_value.hpp"
#include <wdm.h>

#include <cstring>
#include <memory>
#include <new>

#include "nt/object_reference.hpp"
#include "nt/previous_mode.hpp"
#include "nt/user_memory.hpp"

using namespace ntio;
using namespace ntio::nt;

namespace {

constexpr ULONG align_up(ULONG value, ULONG alignment) { return (value + alignment - 1) & ~(alignment - 1); }

// Writes ReturnLength when the caller asked for it (probed by the caller of this helper).
void report_length(KPROCESSOR_MODE mode, PULONG return_length, ULONG length) noexcept {
    if (return_length) (void)write_caller(mode, return_length, length);
}

NTSTATUS query_basic(HANDLE handle, KPROCESSOR_MODE mode, PVOID buffer, ULONG length, PULONG return_length) {
    if (length != sizeof(OBJECT_BASIC_INFORMATION)) {
        report_length(mode, return_length, sizeof(OBJECT_BASIC_INFORMATION));
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    // NT reports the pointer count while the service holds its own reference to the object (NT
    // fact H9: one handle to an unnamed event reads 2); ob reports the count without its own.
    HandleReference<void> held;
    NTSTATUS status = held.reference(handle, 0, nullptr, mode);
    if (!NT_SUCCESS(status)) return status;
    ob::BasicInformation basic;
    status = object_manager().query_basic(handle, mode, basic);
    if (!NT_SUCCESS(status)) return status;
    OBJECT_BASIC_INFORMATION info{};
    info.Attributes = basic.attributes;
    info.GrantedAccess = basic.granted_access;
    info.HandleCount = basic.handle_count;
    info.PointerCount = basic.pointer_count;
    status = copy_to_user(buffer, &info, sizeof(info), alignof(ULONG));
    if (!NT_SUCCESS(status)) return status;
    report_length(mode, return_length, sizeof(info));
    return STATUS_SUCCESS;
}

NTSTATUS query_handle_flags(HANDLE handle, KPROCESSOR_MODE mode, PVOID buffer, ULONG length, PULONG return_length) {
    if (length != sizeof(OBJECT_HANDLE_FLAG_INFORMATION)) {
        report_length(mode, return_length, sizeof(OBJECT_HANDLE_FLAG_INFORMATION));
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    ob::BasicInformation basic;
    NTSTATUS status = object_manager().query_basic(handle, mode, basic);
    if (!NT_SUCCESS(status)) return status;
    OBJECT_HANDLE_FLAG_INFORMATION info{};
    info.Inherit = (basic.attributes & OBJ_INHERIT) ? TRUE : FALSE;
    info.ProtectFromClose = (basic.attributes & OBJ_PROTECT_CLOSE) ? TRUE : FALSE;
    status = copy_to_user(buffer, &info, sizeof(info), 1);
    if (!NT_SUCCESS(status)) return status;
    report_length(mode, return_length, sizeof(info));
    return STATUS_SUCCESS;
}

// OBJECT_NAME_INFORMATION followed by the name and its NUL. Objects without a name procedure
// (everything but files) need the whole name: a short buffer is STATUS_INFO_LENGTH_MISMATCH with the
// size needed. Files keep the I/O manager's rules (a short buffer -> STATUS_BUFFER_OVERFLOW).
NTSTATUS query_name(HANDLE handle, KPROCESSOR_MODE mode, PVOID buffer, ULONG length, PULONG return_length) {
    HandleReference<void> object;
    NTSTATUS status = object.reference(handle, 0, nullptr, mode);
    if (!NT_SUCCESS(status)) return status;
    ob::ObjectManager& manager = object_manager();
    const bool forwards_to_driver = ob::type_of(object.get())->query_name != nullptr;
    ULONG size = 0;
    if (forwards_to_driver) {
        // One question to the driver, with the caller's length (a name is at most 64 KiB).
        constexpr ULONG kLargest = sizeof(OBJECT_NAME_INFORMATION) + 0x10000;
        size = length < kLargest ? length : kLargest;
    } else {
        ULONG required = 0;
        OBJECT_NAME_INFORMATION probe{};
        status = manager.query_name(object.get(), &probe, 0, &required, KernelMode);
        if (status != STATUS_INFO_LENGTH_MISMATCH && !NT_SUCCESS(status)) return status;
        if (length < required) {
            report_length(mode, return_length, required);
            return STATUS_INFO_LENGTH_MISMATCH;
        }
        size = required;
    }
    std::unique_ptr<unsigned char[]> kernel(new (std::nothrow) unsigned char[size < sizeof(OBJECT_NAME_INFORMATION)
                                                                                 ? sizeof(OBJECT_NAME_INFORMATION)
                                                                                 : size]);
    if (!kernel) return STATUS_INSUFFICIENT_RESOURCES;
    auto* info = reinterpret_cast<POBJECT_NAME_INFORMATION>(kernel.get());
    ULONG reported = 0;
    status = manager.query_name(object.get(), info, size, &reported, KernelMode);
    if (NT_ERROR(status)) {
        report_length(mode, return_length, reported);
        return status;
    }
    // Point the name at its place in the caller's buffer.
    if (info->Name.Buffer != nullptr) {
        const auto offset = reinterpret_cast<unsigned char*>(info->Name.Buffer) - kernel.get();
        info->Name.Buffer = reinterpret_cast<PWCH>(static_cast<unsigned char*>(buffer) + offset);
    }
    NTSTATUS copy = copy_to_user(buffer, kernel.get(), size, alignof(ULONG_PTR));
    if (!NT_SUCCESS(copy)) return copy;
    report_length(mode, return_length, reported);
    return status;
}

// OBJECT_TYPE_INFORMATION followed by the type name and its NUL.
NTSTATUS query_type(HANDLE handle, KPROCESSOR_MODE mode, PVOID buffer, ULONG length, PULONG return_length) {
    HandleReference<void> object;
    NTSTATUS status = object.reference(handle, 0, nullptr, mode);
    if (!NT_SUCCESS(status)) return status;
    const ob::TypeInformation type = object_manager().query_type(ob::type_of(object.get()));
    const ULONG name_bytes = static_cast<ULONG>(type.name.size() * sizeof(WCHAR));
    const ULONG required = sizeof(OBJECT_TYPE_INFORMATION) + align_up(name_bytes + sizeof(WCHAR), sizeof(ULONG_PTR));
    if (length < required) {
        report_length(mode, return_length, required);
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    std::unique_ptr<unsigned char[]> kernel(new (std::nothrow) unsigned char[required]);
    if (!kernel) return STATUS_INSUFFICIENT_RESOURCES;
    std::memset(kernel.get(), 0, required);
    auto* info = reinterpret_cast<POBJECT_TYPE_INFORMATION>(kernel.get());
    info->TypeName.Length = static_cast<USHORT>(name_bytes);
    info->TypeName.MaximumLength = static_cast<USHORT>(name_bytes + sizeof(WCHAR));
    info->TypeName.Buffer = reinterpret_cast<PWCH>(static_cast<unsigned char*>(buffer) + sizeof(OBJECT_TYPE_INFORMATION));
    std::memcpy(kernel.get() + sizeof(OBJECT_TYPE_INFORMATION), type.name.data(), name_bytes);
    info->TotalNumberOfObjects = type.object_count;
    info->TotalNumberOfHandles = type.handle_count;
    info->InvalidAttributes = type.invalid_attributes;
    info->GenericMapping.GenericRead = type.generic_mapping.GenericRead;
    info->GenericMapping.GenericWrite = type.generic_mapping.GenericWrite;
    info->GenericMapping.GenericExecute = type.generic_mapping.GenericExecute;
    info->GenericMapping.GenericAll = type.generic_mapping.GenericAll;
    info->ValidAccessMask = type.valid_access_mask;
    info->PoolType = static_cast<ULONG>(type.pool_type);
    info->MaintainHandleCount = TRUE;
    status = copy_to_user(buffer, kernel.get(), required, alignof(ULONG_PTR));
    if (!NT_SUCCESS(status)) return status;
    report_length(mode, return_length, required);
    return STATUS_SUCCESS;
}

// SeSinglePrivilegeCheck for the calling process: its primary token decides (threads do not
// impersonate). KernelMode callers hold every privilege.
bool caller_holds_privilege(ULONG privilege, KPROCESSOR_MODE mode) {
    if (mode == KernelMode) return true;
    PEPROCESS process = ob::current_process();
    if (!process || !process->m_token) return false;
    return process->m_token->privilege_enabled(privilege);
}

// Resolves a process handle for NtDuplicateObject (PROCESS_DUP_HANDLE).
NTSTATUS reference_process(HANDLE handle, KPROCESSOR_MODE mode, HandleReference<_EPROCESS>& process) {
    return process.reference(handle, PROCESS_DUP_HANDLE, *PsProcessType, mode);
}

}  // namespace

extern "C" {

NTSTATUS NTAPI NtClose(HANDLE Handle) { return ObCloseHandle(Handle, previous_mode()); }

NTSTATUS NTAPI NtDuplicateObject(HANDLE SourceProcessHandle, HANDLE SourceHandle, HANDLE TargetProcessHandle,
                                 PHANDLE TargetHandle, ACCESS_MASK DesiredAccess, ULONG HandleAttributes,
                                 ULONG Options) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (TargetHandle) {
        NTSTATUS status = probe_caller_output(mode, TargetHandle);
        if (!NT_SUCCESS(status)) return status;
    }
    HandleReference<_EPROCESS> source;
    NTSTATUS status = reference_process(SourceProcessHandle, mode, source);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<_EPROCESS> target;
    if (TargetProcessHandle) {
        status = reference_process(TargetProcessHandle, mode, target);
        if (!NT_SUCCESS(status)) {
            // NT still honours DUPLICATE_CLOSE_SOURCE when the target cannot be used.
            if (Options & DUPLICATE_CLOSE_SOURCE)
                (void)object_manager().close_handle_in(source.get(), SourceHandle, mode);
            return status;
        }
    }
    HANDLE duplicate = nullptr;
    status = object_manager().duplicate_object(source.get(), SourceHandle, target.get(),
                                               TargetHandle ? &duplicate : nullptr, DesiredAccess,
                                               HandleAttributes, Options, mode);
    if (NT_SUCCESS(status) && TargetHandle) (void)write_caller(mode, TargetHandle, duplicate);
    return status;
}

NTSTATUS NTAPI NtQueryObject(HANDLE Handle, OBJECT_INFORMATION_CLASS ObjectInformationClass, PVOID ObjectInformation,
                             ULONG ObjectInformationLength, PULONG ReturnLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (ReturnLength) {
        NTSTATUS status = probe_caller_output(mode, ReturnLength);
        if (!NT_SUCCESS(status)) return status;
    }
    NTSTATUS (*query)(HANDLE, KPROCESSOR_MODE, PVOID, ULONG, PULONG);
    switch (enum_value(ObjectInformationClass)) {
    case ObjectBasicInformation: query = query_basic; break;
    case ObjectNameInformation: query = query_name; break;
    case ObjectTypeInformation: query = query_type; break;
    case ObjectHandleFlagInformation: query = query_handle_flags; break;
    default:
        // NT deviation: ObjectTypesInformation (all types at once) is not offered.
        return STATUS_INVALID_INFO_CLASS;
    }
    // The whole buffer the caller describes is probed for writing before any answer is built, as
    // ProbeForWrite does at the entry of a query service: a length that runs past the caller's
    // memory is STATUS_ACCESS_VIOLATION even when the answer would fit in its first bytes.
    // https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-probeforwrite
    if (mode != KernelMode) {
        NTSTATUS status = probe_for_write(ObjectInformation, ObjectInformationLength, 1);
        if (!NT_SUCCESS(status)) return status;
    }
    return query(Handle, mode, ObjectInformation, ObjectInformationLength, ReturnLength);
}

NTSTATUS NTAPI NtSetInformationObject(HANDLE Handle, OBJECT_INFORMATION_CLASS ObjectInformationClass,
                                      PVOID ObjectInformation, ULONG ObjectInformationLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (enum_value(ObjectInformationClass) != ObjectHandleFlagInformation) return STATUS_INVALID_INFO_CLASS;
    if (ObjectInformationLength != sizeof(OBJECT_HANDLE_FLAG_INFORMATION)) return STATUS_INFO_LENGTH_MISMATCH;
    OBJECT_HANDLE_FLAG_INFORMATION flags;
    NTSTATUS status = read_caller(mode, static_cast<const OBJECT_HANDLE_FLAG_INFORMATION*>(ObjectInformation), flags);
    if (!NT_SUCCESS(status)) return status;
    return object_manager().set_handle_attributes(Handle, flags.Inherit != FALSE, flags.ProtectFromClose != FALSE,
                                                  mode);
}

NTSTATUS NTAPI NtMakeTemporaryObject(HANDLE Handle) {
    const KPROCESSOR_MODE mode = previous_mode();
    HandleReference<void> object;
    NTSTATUS status = object.reference(Handle, DELETE, nullptr, mode);
    if (!NT_SUCCESS(status)) return status;
    ObMakeTemporaryObject(object.get());
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI NtMakePermanentObject(HANDLE Handle) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (!caller_holds_privilege(SE_CREATE_PERMANENT_PRIVILEGE, mode)) return STATUS_PRIVILEGE_NOT_HELD;
    HandleReference<void> object;
    NTSTATUS status = object.reference(Handle, 0, nullptr, mode);
    if (!NT_SUCCESS(status)) return status;
    // NT deviation: ob has no permanent setter, so the flag is set without its namespace lock; a
    // last handle closing at the same instant may still remove the name.
    ob::header_of(object.get())->flags.fetch_or(ob::kObjectPermanent, std::memory_order_acq_rel);
    return STATUS_SUCCESS;
}

}  // extern "C"

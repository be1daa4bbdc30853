// NtCreateFile, NtOpenFile and their Zw forms: probe and capture the caller's parameters (handle
// and IOSB outputs, attributes, allocation size, EA buffer), then the I/O manager's open path.
// The IOSB is written only when the open succeeds, with the driver's Information (NT fact K8).
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>

#include "io/file_object.hpp"
#include "nt/object_attributes.hpp"
#include "nt/previous_mode.hpp"
#include "nt/user_memory.hpp"

using namespace ntio::nt;

namespace {

// EA buffers beyond this size are refused before anything is allocated.
constexpr ULONG kMaxEaLength = 0x10000;

}  // namespace

extern "C" {

NTSTATUS NTAPI NtCreateFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                            PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize, ULONG FileAttributes,
                            ULONG ShareAccess, ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer,
                            ULONG EaLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = probe_caller_output(mode, FileHandle);
    if (!NT_SUCCESS(status)) return status;
    status = probe_caller_output(mode, IoStatusBlock);
    if (!NT_SUCCESS(status)) return status;
    if (!ObjectAttributes) return STATUS_INVALID_PARAMETER;
    CapturedObjectAttributes captured;
    status = captured.capture(ObjectAttributes, mode);
    if (!NT_SUCCESS(status)) return status;

    ntio::io::CreateFileRequest request;
    request.desired_access = DesiredAccess;
    if (AllocationSize) {
        status = read_caller(mode, static_cast<const LARGE_INTEGER*>(AllocationSize), request.allocation_size);
        if (!NT_SUCCESS(status)) return status;
    }
    request.file_attributes = FileAttributes;
    request.share_access = ShareAccess;
    request.disposition = CreateDisposition;
    request.create_options = CreateOptions;
    std::unique_ptr<unsigned char[]> ea;
    if (EaBuffer && EaLength) {
        if (EaLength > kMaxEaLength) return STATUS_INVALID_PARAMETER;
        ea.reset(new (std::nothrow) unsigned char[EaLength]);
        if (!ea) return STATUS_INSUFFICIENT_RESOURCES;
        if (mode == KernelMode) {
            std::memcpy(ea.get(), EaBuffer, EaLength);
        } else {
            status = copy_from_user(ea.get(), EaBuffer, EaLength, sizeof(ULONG));
            if (!NT_SUCCESS(status)) return status;
        }
        request.ea_buffer = ea.get();
        request.ea_length = EaLength;
    }

    HANDLE handle = nullptr;
    IO_STATUS_BLOCK iosb{};
    status = ntio::io::create_file(*captured.get(), request, mode, mode != KernelMode, &handle, &iosb);
    if (!NT_SUCCESS(status)) {
        // Only an inconsistent EA buffer reports through the IOSB (the offending entry's offset).
        if (status == STATUS_EA_LIST_INCONSISTENT && iosb.Status == status) (void)write_caller(mode, IoStatusBlock, iosb);
        return status;
    }
    (void)write_caller(mode, FileHandle, handle);
    (void)write_caller(mode, IoStatusBlock, iosb);
    return status;
}

NTSTATUS NTAPI NtOpenFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                          PIO_STATUS_BLOCK IoStatusBlock, ULONG ShareAccess, ULONG OpenOptions) {
    return NtCreateFile(FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, nullptr, 0, ShareAccess, FILE_OPEN,
                        OpenOptions, nullptr, 0);
}

NTSTATUS NTAPI ZwCreateFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                            PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize, ULONG FileAttributes,
                            ULONG ShareAccess, ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer,
                            ULONG EaLength) {
    KernelModeCall kernel;
    return NtCreateFile(FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, AllocationSize, FileAttributes,
                        ShareAccess, CreateDisposition, CreateOptions, EaBuffer, EaLength);
}

NTSTATUS NTAPI ZwOpenFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                          PIO_STATUS_BLOCK IoStatusBlock, ULONG ShareAccess, ULONG OpenOptions) {
    KernelModeCall kernel;
    return NtOpenFile(FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, ShareAccess, OpenOptions);
}

}  // extern "C"

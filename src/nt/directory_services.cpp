// Directory objects: NtCreateDirectoryObject, NtOpenDirectoryObject and NtQueryDirectoryObject.
// An enumeration result is an array of OBJECT_DIRECTORY_INFORMATION ended by a zeroed entry, with the
// names (each NUL-terminated) after the array; Context is the index of the next entry to return.
#include "nt/current_system.hpp"
#include <wdm.h>

#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include "nt/object_attributes.hpp"
#include "nt/object_creation.hpp"
#include "nt/object_reference.hpp"
#include "nt/previous_mode.hpp"
#include "nt/user_memory.hpp"

using namespace ntio;
using namespace ntio::nt;

namespace {

ULONG string_bytes(const std::u16string& s) { return static_cast<ULONG>((s.size() + 1) * sizeof(WCHAR)); }

// Size of a result holding `count` entries starting at `first`.
ULONG result_size(const std::vector<ob::DirectoryEntryInfo>& entries, ULONG first, ULONG count) {
    ULONG size = (count + 1) * sizeof(OBJECT_DIRECTORY_INFORMATION);
    for (ULONG i = first; i < first + count; ++i)
        size += string_bytes(entries[i].name) + string_bytes(entries[i].type_name);
    return size;
}

// Lays the result out in `kernel` with string pointers that are valid in the caller's buffer.
void build_result(const std::vector<ob::DirectoryEntryInfo>& entries, ULONG first, ULONG count,
                  unsigned char* kernel, ULONG size, PVOID user) {
    std::memset(kernel, 0, size);
    auto* array = reinterpret_cast<POBJECT_DIRECTORY_INFORMATION>(kernel);
    ULONG offset = (count + 1) * sizeof(OBJECT_DIRECTORY_INFORMATION);
    auto place = [&](const std::u16string& s, UNICODE_STRING& out) {
        std::memcpy(kernel + offset, s.data(), s.size() * sizeof(WCHAR));
        out.Length = static_cast<USHORT>(s.size() * sizeof(WCHAR));
        out.MaximumLength = static_cast<USHORT>(out.Length + sizeof(WCHAR));
        out.Buffer = reinterpret_cast<PWCH>(static_cast<unsigned char*>(user) + offset);
        offset += string_bytes(s);
    };
    for (ULONG i = 0; i < count; ++i) {
        place(entries[first + i].name, array[i].Name);
        place(entries[first + i].type_name, array[i].TypeName);
    }
}

}  // namespace

extern "C" {

NTSTATUS NTAPI NtCreateDirectoryObject(PHANDLE DirectoryHandle, ACCESS_MASK DesiredAccess,
                                       POBJECT_ATTRIBUTES ObjectAttributes) {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = probe_caller_output(mode, DirectoryHandle);
    if (!NT_SUCCESS(status)) return status;
    CapturedObjectAttributes captured;
    status = captured.capture(ObjectAttributes, mode);
    if (!NT_SUCCESS(status)) return status;
    HANDLE handle = nullptr;
    status = object_manager().create_directory(captured.get_or_unnamed(), DesiredAccess, mode, &handle);
    if (!NT_SUCCESS(status)) return status;
    (void)write_caller(mode, DirectoryHandle, handle);
    return status;
}

NTSTATUS NTAPI NtOpenDirectoryObject(PHANDLE DirectoryHandle, ACCESS_MASK DesiredAccess,
                                     POBJECT_ATTRIBUTES ObjectAttributes) {
    return open_object(DirectoryHandle, DesiredAccess, ObjectAttributes, *ObDirectoryObjectType);
}

NTSTATUS NTAPI NtQueryDirectoryObject(HANDLE DirectoryHandle, PVOID Buffer, ULONG Length, BOOLEAN ReturnSingleEntry,
                                      BOOLEAN RestartScan, PULONG Context, PULONG ReturnLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    ULONG first = 0;
    NTSTATUS status = read_caller(mode, static_cast<const ULONG*>(Context), first);
    if (!NT_SUCCESS(status)) return status;
    status = probe_caller_output(mode, Context);
    if (!NT_SUCCESS(status)) return status;
    if (ReturnLength) {
        status = probe_caller_output(mode, ReturnLength);
        if (!NT_SUCCESS(status)) return status;
    }
    if (mode != KernelMode) {
        status = probe_for_write(Buffer, Length, alignof(ULONG));
        if (!NT_SUCCESS(status)) return status;
    }
    if (RestartScan) first = 0;

    HandleReference<void> directory;
    status = directory.reference(DirectoryHandle, DIRECTORY_QUERY, *ObDirectoryObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    std::vector<ob::DirectoryEntryInfo> entries;
    status = object_manager().enumerate_directory(directory.get(), entries);
    if (!NT_SUCCESS(status)) return status;

    // NT deviation: entries come in name order (NT returns hash-bucket order); Context is an index.
    const ULONG total = static_cast<ULONG>(entries.size());
    if (first >= total) {
        if (ReturnLength) (void)write_caller(mode, ReturnLength, static_cast<ULONG>(sizeof(OBJECT_DIRECTORY_INFORMATION)));
        return STATUS_NO_MORE_ENTRIES;
    }
    // As many entries as fit (one at most for ReturnSingleEntry); none fitting is an error that
    // reports the size of the next entry.
    ULONG count = 0;
    const ULONG limit = ReturnSingleEntry ? 1 : total - first;
    while (count < limit && result_size(entries, first, count + 1) <= Length) ++count;
    if (count == 0) {
        if (ReturnLength) (void)write_caller(mode, ReturnLength, result_size(entries, first, 1));
        return STATUS_BUFFER_TOO_SMALL;
    }
    const ULONG size = result_size(entries, first, count);
    std::unique_ptr<unsigned char[]> kernel(new (std::nothrow) unsigned char[size]);
    if (!kernel) return STATUS_INSUFFICIENT_RESOURCES;
    build_result(entries, first, count, kernel.get(), size, Buffer);
    status = copy_to_user(Buffer, kernel.get(), size, alignof(ULONG));
    if (!NT_SUCCESS(status)) return status;
    (void)write_caller(mode, Context, first + count);
    if (ReturnLength) (void)write_caller(mode, ReturnLength, size);
    return (!ReturnSingleEntry && first + count < total) ? STATUS_MORE_ENTRIES : STATUS_SUCCESS;
}

}  // extern "C"

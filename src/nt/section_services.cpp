// Section services over the memory manager's sections (mm/): the caller's parameters are checked
// and captured here, the file and section handles referenced with the access the protection needs.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwcreatesection
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwopensection
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwmapviewofsection
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwunmapviewofsection
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>
#include <ntifs.h>

#include "mm/section.hpp"
#include "nt/enum_value.hpp"
#include "nt/object_creation.hpp"
#include "nt/object_reference.hpp"

using namespace ntio::nt;
namespace mm = ntio::mm;

namespace {

constexpr ULONG kSectionKinds = SEC_COMMIT | SEC_RESERVE | SEC_IMAGE;
constexpr ULONG kSectionModifiers = SEC_NOCACHE | SEC_LARGE_PAGES | SEC_WRITECOMBINE;
constexpr ULONG kViewAllocationTypes = MEM_TOP_DOWN | MEM_RESERVE | MEM_LARGE_PAGES | MEM_DOS_LIM;

// Views belong to the calling process; any process handle with PROCESS_VM_OPERATION names this one
// (ntio runs one process's address space).
NTSTATUS check_process(HANDLE process, KPROCESSOR_MODE mode) {
    HandleReference<void> reference;
    return reference.reference(process, PROCESS_VM_OPERATION, *PsProcessType, mode);
}

}  // namespace

extern "C" {

NTSTATUS NTAPI NtCreateSection(PHANDLE SectionHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                               PLARGE_INTEGER MaximumSize, ULONG SectionPageProtection, ULONG AllocationAttributes,
                               HANDLE FileHandle) {
    const KPROCESSOR_MODE mode = previous_mode();
    const ULONG kind = AllocationAttributes & kSectionKinds;
    if ((AllocationAttributes & ~(kSectionKinds | kSectionModifiers)) ||
        (kind != SEC_COMMIT && kind != SEC_RESERVE && kind != SEC_IMAGE)) {
        return STATUS_INVALID_PARAMETER_6;
    }
    if (!mm::valid_section_protection(SectionPageProtection)) return STATUS_INVALID_PAGE_PROTECTION;
    LARGE_INTEGER maximum{};
    if (MaximumSize) {
        NTSTATUS status = read_caller(mode, MaximumSize, maximum);
        if (!NT_SUCCESS(status)) return status;
        if (maximum.QuadPart < 0) return STATUS_SECTION_TOO_BIG;
    }
    HandleReference<FILE_OBJECT> file;
    if (FileHandle) {
        // The file handle must allow what the section's pages may do to the file: read for every
        // section, write for a writable one, execute for an executable one (STATUS_ACCESS_DENIED).
        NTSTATUS status = file.reference(FileHandle, 0, *IoFileObjectType, mode);
        if (!NT_SUCCESS(status)) return status;
        const ACCESS_MASK needed = mm::file_access_for(SectionPageProtection);
        if ((file.info().GrantedAccess & needed) != needed) return STATUS_ACCESS_DENIED;
    } else {
        if (kind == SEC_IMAGE) return STATUS_INVALID_FILE_FOR_SECTION;
        // A section of the paging file has no file to take its size from.
        if (maximum.QuadPart == 0) return STATUS_INVALID_PARAMETER_4;
    }
    return create_object<mm::SectionBody>(
        SectionHandle, DesiredAccess, ObjectAttributes, *MmSectionObjectType, sizeof(mm::SectionBody),
        [&](mm::SectionBody* section) {
            return mm::create_section(section, file.get(), static_cast<std::uint64_t>(maximum.QuadPart),
                                      SectionPageProtection, AllocationAttributes);
        });
}

NTSTATUS NTAPI NtOpenSection(PHANDLE SectionHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes) {
    return open_object(SectionHandle, DesiredAccess, ObjectAttributes, *MmSectionObjectType);
}

NTSTATUS NTAPI NtMapViewOfSection(HANDLE SectionHandle, HANDLE ProcessHandle, PVOID* BaseAddress, ULONG_PTR ZeroBits,
                                  SIZE_T CommitSize, PLARGE_INTEGER SectionOffset, PSIZE_T ViewSize,
                                  SECTION_INHERIT InheritDisposition, ULONG AllocationType, ULONG Win32Protect) {
    (void)CommitSize;
    const KPROCESSOR_MODE mode = previous_mode();
    if (ZeroBits > 21) return STATUS_INVALID_PARAMETER_4;
    if (InheritDisposition != ViewShare && InheritDisposition != ViewUnmap) return STATUS_INVALID_PARAMETER_8;
    if (AllocationType & ~kViewAllocationTypes) return STATUS_INVALID_PARAMETER_9;
    if (!mm::valid_view_protection(Win32Protect)) return STATUS_INVALID_PAGE_PROTECTION;
    PVOID base = nullptr;
    SIZE_T size = 0;
    LARGE_INTEGER offset{};
    NTSTATUS status = read_caller(mode, BaseAddress, base);
    if (NT_SUCCESS(status)) status = read_caller(mode, ViewSize, size);
    if (NT_SUCCESS(status) && SectionOffset) status = read_caller(mode, SectionOffset, offset);
    if (NT_SUCCESS(status)) status = probe_caller_output(mode, BaseAddress);
    if (NT_SUCCESS(status)) status = probe_caller_output(mode, ViewSize);
    if (NT_SUCCESS(status) && SectionOffset) status = probe_caller_output(mode, SectionOffset);
    if (!NT_SUCCESS(status)) return status;
    if (offset.QuadPart < 0) return STATUS_INVALID_VIEW_SIZE;
    status = check_process(ProcessHandle, mode);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<mm::SectionBody> section;
    status = section.reference(SectionHandle, mm::section_access_for(Win32Protect), *MmSectionObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    std::uint64_t start = static_cast<std::uint64_t>(offset.QuadPart);
    status = mm::map_view(section.get(), &base, &start, &size, Win32Protect);
    if (!NT_SUCCESS(status)) return status;
    (void)write_caller(mode, BaseAddress, base);
    (void)write_caller(mode, ViewSize, size);
    if (SectionOffset) {
        offset.QuadPart = static_cast<LONGLONG>(start);
        (void)write_caller(mode, SectionOffset, offset);
    }
    return status;
}

NTSTATUS NTAPI NtUnmapViewOfSection(HANDLE ProcessHandle, PVOID BaseAddress) {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = check_process(ProcessHandle, mode);
    if (!NT_SUCCESS(status)) return status;
    return mm::unmap_view(BaseAddress);
}

// https://learn.microsoft.com/windows/win32/api/winternl/nf-winternl-ntquerysection: the basic
// information of any section; other classes are not provided.
NTSTATUS NTAPI NtQuerySection(HANDLE SectionHandle, SECTION_INFORMATION_CLASS SectionInformationClass,
                              PVOID SectionInformation, SIZE_T SectionInformationLength, PSIZE_T ReturnLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (enum_value(SectionInformationClass) != SectionBasicInformation) return STATUS_INVALID_INFO_CLASS;
    if (SectionInformationLength < sizeof(SECTION_BASIC_INFORMATION)) return STATUS_INFO_LENGTH_MISMATCH;
    NTSTATUS status = STATUS_SUCCESS;
    if (mode != KernelMode) {
        status = probe_for_write(SectionInformation, sizeof(SECTION_BASIC_INFORMATION), alignof(ULONG));
        if (NT_SUCCESS(status) && ReturnLength) status = probe_caller_output(mode, ReturnLength);
        if (!NT_SUCCESS(status)) return status;
    }
    HandleReference<mm::SectionBody> section;
    status = section.reference(SectionHandle, SECTION_QUERY, *MmSectionObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    SECTION_BASIC_INFORMATION info{};
    info.BaseAddress = nullptr;
    info.AllocationAttributes = section->attributes;
    info.MaximumSize.QuadPart = static_cast<LONGLONG>(section->size);
    status = write_caller(mode, static_cast<SECTION_BASIC_INFORMATION*>(SectionInformation), info);
    if (NT_SUCCESS(status) && ReturnLength) (void)write_caller(mode, ReturnLength, static_cast<SIZE_T>(sizeof info));
    return status;
}

NTSTATUS NTAPI NtFlushVirtualMemory(HANDLE ProcessHandle, PVOID* BaseAddress, PSIZE_T RegionSize,
                                    PIO_STATUS_BLOCK IoStatus) {
    const KPROCESSOR_MODE mode = previous_mode();
    PVOID base = nullptr;
    SIZE_T size = 0;
    NTSTATUS status = read_caller(mode, BaseAddress, base);
    if (NT_SUCCESS(status)) status = read_caller(mode, RegionSize, size);
    if (NT_SUCCESS(status)) status = probe_caller_output(mode, BaseAddress);
    if (NT_SUCCESS(status)) status = probe_caller_output(mode, RegionSize);
    if (NT_SUCCESS(status)) status = probe_caller_output(mode, IoStatus);
    if (!NT_SUCCESS(status)) return status;
    // https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwflushvirtualmemory:
    // STATUS_INVALID_PARAMETER_2 for a base outside the address space or a size running past it.
    const ULONG_PTR top = reinterpret_cast<ULONG_PTR>(MmHighestUserAddress) + 1;
    const auto start = reinterpret_cast<ULONG_PTR>(base);
    if (start >= top || size > top - start) return STATUS_INVALID_PARAMETER_2;
    status = check_process(ProcessHandle, mode);
    if (!NT_SUCCESS(status)) return status;
    status = mm::flush_view(&base, &size);
    if (status == STATUS_NOT_MAPPED_VIEW) return status;
    (void)write_caller(mode, BaseAddress, base);
    (void)write_caller(mode, RegionSize, size);
    IO_STATUS_BLOCK iosb{};
    iosb.Status = status;
    (void)write_caller(mode, IoStatus, iosb);
    return status;
}

}  // extern "C"

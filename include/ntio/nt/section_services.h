/* Section system services (ntdll): sections over files or the paging file, views of them in the
 * calling process, their basic information and the flush of a view's modified data to its file.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwcreatesection
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwmapviewofsection
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwunmapviewofsection
 * https://learn.microsoft.com/windows/win32/api/winternl/nf-winternl-ntquerysection (SECTION_BASIC_INFORMATION) */
#ifndef NTIO_NT_SECTION_SERVICES_H
#define NTIO_NT_SECTION_SERVICES_H
#include <wdm.h>

NTIO_BEGIN_DECLS

typedef enum _SECTION_INFORMATION_CLASS {
    SectionBasicInformation = 0,
    SectionImageInformation = 1,
} SECTION_INFORMATION_CLASS;

typedef struct _SECTION_BASIC_INFORMATION {
    PVOID BaseAddress;           /* always NULL: ntio maps no section at a fixed base */
    ULONG AllocationAttributes;  /* SEC_FILE for files, with SEC_COMMIT / SEC_RESERVE / SEC_IMAGE */
    LARGE_INTEGER MaximumSize;
} SECTION_BASIC_INFORMATION, *PSECTION_BASIC_INFORMATION;

NTSYSAPI NTSTATUS NTAPI NtCreateSection(_Out_ PHANDLE SectionHandle, _In_ ACCESS_MASK DesiredAccess,
                                        _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes,
                                        _In_opt_ PLARGE_INTEGER MaximumSize, _In_ ULONG SectionPageProtection,
                                        _In_ ULONG AllocationAttributes, _In_opt_ HANDLE FileHandle);
NTSYSAPI NTSTATUS NTAPI NtOpenSection(_Out_ PHANDLE SectionHandle, _In_ ACCESS_MASK DesiredAccess,
                                      _In_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI NtMapViewOfSection(_In_ HANDLE SectionHandle, _In_ HANDLE ProcessHandle,
                                           _Inout_ PVOID *BaseAddress, _In_ ULONG_PTR ZeroBits,
                                           _In_ SIZE_T CommitSize, _Inout_opt_ PLARGE_INTEGER SectionOffset,
                                           _Inout_ PSIZE_T ViewSize, _In_ SECTION_INHERIT InheritDisposition,
                                           _In_ ULONG AllocationType, _In_ ULONG Win32Protect);
NTSYSAPI NTSTATUS NTAPI NtUnmapViewOfSection(_In_ HANDLE ProcessHandle, _In_opt_ PVOID BaseAddress);
NTSYSAPI NTSTATUS NTAPI NtQuerySection(_In_ HANDLE SectionHandle,
                                       _In_ SECTION_INFORMATION_CLASS SectionInformationClass,
                                       _Out_writes_bytes_(SectionInformationLength) PVOID SectionInformation,
                                       _In_ SIZE_T SectionInformationLength, _Out_opt_ PSIZE_T ReturnLength);
/* Writes the modified pages of the views in [*BaseAddress, *BaseAddress + *RegionSize) (size 0: to
 * the end of the view) to their files; returns the rounded range. STATUS_NOT_MAPPED_VIEW when the
 * address is in no view. */
NTSYSAPI NTSTATUS NTAPI NtFlushVirtualMemory(_In_ HANDLE ProcessHandle, _Inout_ PVOID *BaseAddress,
                                             _Inout_ PSIZE_T RegionSize, _Out_ PIO_STATUS_BLOCK IoStatus);

NTIO_END_DECLS

#endif

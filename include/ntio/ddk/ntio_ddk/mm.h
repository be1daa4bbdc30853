/* Sections (wdm.h part): the Section object type, ZwCreateSection, ZwOpenSection, ZwMapViewOfSection
 * and ZwUnmapViewOfSection over files or the paging file.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwcreatesection
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwmapviewofsection */
#ifndef NTIO_DDK_MM_H
#define NTIO_DDK_MM_H
#include "basetypes.h"
#include "sal.h"
#include "ntstatus.h"
#include "ob.h"
#include "memory_constants.h"

NTIO_BEGIN_DECLS

/* What a child process inherits of a view (ntio has one process: recorded, not used). */
typedef enum _SECTION_INHERIT { ViewShare = 1, ViewUnmap = 2 } SECTION_INHERIT;

extern NTKERNELAPI POBJECT_TYPE *MmSectionObjectType;

/* PASSIVE_LEVEL. FileHandle NULL: a section backed by the paging file (MaximumSize required). */
NTSYSAPI NTSTATUS NTAPI ZwCreateSection(_Out_ PHANDLE SectionHandle, _In_ ACCESS_MASK DesiredAccess,
                                        _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes,
                                        _In_opt_ PLARGE_INTEGER MaximumSize, _In_ ULONG SectionPageProtection,
                                        _In_ ULONG AllocationAttributes, _In_opt_ HANDLE FileHandle);
NTSYSAPI NTSTATUS NTAPI ZwOpenSection(_Out_ PHANDLE SectionHandle, _In_ ACCESS_MASK DesiredAccess,
                                      _In_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI ZwMapViewOfSection(_In_ HANDLE SectionHandle, _In_ HANDLE ProcessHandle,
                                           _Inout_ PVOID *BaseAddress, _In_ ULONG_PTR ZeroBits,
                                           _In_ SIZE_T CommitSize, _Inout_opt_ PLARGE_INTEGER SectionOffset,
                                           _Inout_ PSIZE_T ViewSize, _In_ SECTION_INHERIT InheritDisposition,
                                           _In_ ULONG AllocationType, _In_ ULONG Win32Protect);
NTSYSAPI NTSTATUS NTAPI ZwUnmapViewOfSection(_In_ HANDLE ProcessHandle, _In_opt_ PVOID BaseAddress);

/* PASSIVE_LEVEL. The address of a routine or variable the kernel exports, by name; NULL when it
 * exports no such name. https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmgetsystemroutineaddress */
NTKERNELAPI PVOID NTAPI MmGetSystemRoutineAddress(_In_ PUNICODE_STRING SystemRoutineName);

NTIO_END_DECLS

#endif

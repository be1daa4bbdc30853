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
#include "io_types.h"

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

/* ---- Memory by its physical properties (wdm.h; MmAllocateNonCachedMemory, MmFreeNonCachedMemory,
 * MmGetPhysicalAddress, MmSecureVirtualMemory and MmUnsecureVirtualMemory are ntddk.h's). ntio has
 * no physical memory: a physical address is the virtual address (PFN = virtual page number), and
 * the physical ranges callers name are not honoured (docs/nt-deviations.md). ---- */
typedef ULONG NODE_REQUIREMENT;
#define MM_ANY_NODE_OK 0x80000000

/* MmAllocatePagesForMdlEx flags. */
#define MM_DONT_ZERO_ALLOCATION 0x00000001
#define MM_ALLOCATE_FROM_LOCAL_NODE_ONLY 0x00000002
#define MM_ALLOCATE_FULLY_REQUIRED 0x00000004
#define MM_ALLOCATE_NO_WAIT 0x00000008
#define MM_ALLOCATE_PREFER_CONTIGUOUS 0x00000010
#define MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS 0x00000020

/* <= DISPATCH_LEVEL. Page-aligned nonpaged blocks; NULL for zero bytes.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmallocatecontiguousmemoryspecifycache */
NTKERNELAPI PVOID NTAPI MmAllocateContiguousMemory(_In_ SIZE_T NumberOfBytes,
                                                   _In_ PHYSICAL_ADDRESS HighestAcceptableAddress);
NTKERNELAPI PVOID NTAPI MmAllocateContiguousMemorySpecifyCache(_In_ SIZE_T NumberOfBytes,
                                                               _In_ PHYSICAL_ADDRESS LowestAcceptableAddress,
                                                               _In_ PHYSICAL_ADDRESS HighestAcceptableAddress,
                                                               _In_opt_ PHYSICAL_ADDRESS BoundaryAddressMultiple,
                                                               _In_ MEMORY_CACHING_TYPE CacheType);
NTKERNELAPI PVOID NTAPI MmAllocateContiguousNodeMemory(_In_ SIZE_T NumberOfBytes,
                                                       _In_ PHYSICAL_ADDRESS LowestAcceptableAddress,
                                                       _In_ PHYSICAL_ADDRESS HighestAcceptableAddress,
                                                       _In_opt_ PHYSICAL_ADDRESS BoundaryAddressMultiple,
                                                       _In_ ULONG Protect, _In_ NODE_REQUIREMENT PreferredNode);
NTKERNELAPI VOID NTAPI MmFreeContiguousMemory(_In_ PVOID BaseAddress);
NTKERNELAPI VOID NTAPI MmFreeContiguousMemorySpecifyCache(_In_ PVOID BaseAddress, _In_ SIZE_T NumberOfBytes,
                                                          _In_ MEMORY_CACHING_TYPE CacheType);
NTKERNELAPI PVOID NTAPI MmAllocateNonCachedMemory(_In_ SIZE_T NumberOfBytes);
NTKERNELAPI VOID NTAPI MmFreeNonCachedMemory(_In_ PVOID BaseAddress, _In_ SIZE_T NumberOfBytes);
/* The address itself for a valid address, 0 for an unmapped one. */
NTKERNELAPI PHYSICAL_ADDRESS NTAPI MmGetPhysicalAddress(_In_ PVOID BaseAddress);
/* (ntddk.h) The inverse: the address itself when it is valid, NULL otherwise. */
NTKERNELAPI PVOID NTAPI MmGetVirtualForPhysical(_In_ PHYSICAL_ADDRESS PhysicalAddress);
/* MmAllocateContiguousMemorySpecifyCache on a preferred node (0, the only one, or MM_ANY_NODE_OK). */
NTKERNELAPI PVOID NTAPI MmAllocateContiguousMemorySpecifyCacheNode(_In_ SIZE_T NumberOfBytes,
                                                                   _In_ PHYSICAL_ADDRESS LowestAcceptableAddress,
                                                                   _In_ PHYSICAL_ADDRESS HighestAcceptableAddress,
                                                                   _In_opt_ PHYSICAL_ADDRESS BoundaryAddressMultiple,
                                                                   _In_ MEMORY_CACHING_TYPE CacheType,
                                                                   _In_ NODE_REQUIREMENT PreferredNode);

/* (ntddk.h) <= APC_LEVEL. Views of a section object (not a handle) in system or session space, with
 * the section's protection, from its start; *ViewSize 0 maps the whole section and returns the size
 * mapped. Each unmap routine unmaps only its own space's views (STATUS_NOT_MAPPED_VIEW otherwise).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmmapviewinsystemspace */
NTKERNELAPI NTSTATUS NTAPI MmMapViewInSystemSpace(_In_ PVOID Section, _Out_ PVOID *MappedBase,
                                                  _Inout_ PSIZE_T ViewSize);
NTKERNELAPI NTSTATUS NTAPI MmUnmapViewInSystemSpace(_In_ PVOID MappedBase);
NTKERNELAPI NTSTATUS NTAPI MmMapViewInSessionSpace(_In_ PVOID Section, _Out_ PVOID *MappedBase,
                                                   _Inout_ PSIZE_T ViewSize);
NTKERNELAPI NTSTATUS NTAPI MmUnmapViewInSessionSpace(_In_ PVOID MappedBase);

/* <= DISPATCH_LEVEL (MM_ALLOCATE_NO_WAIT) / APC_LEVEL. Locked, unmapped pages; free them with
 * MmFreePagesFromMdl, then the MDL with ExFreePool.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmallocatepagesformdlex */
NTKERNELAPI PMDL NTAPI MmAllocatePagesForMdlEx(_In_ PHYSICAL_ADDRESS LowAddress, _In_ PHYSICAL_ADDRESS HighAddress,
                                               _In_ PHYSICAL_ADDRESS SkipBytes, _In_ SIZE_T TotalBytes,
                                               _In_ MEMORY_CACHING_TYPE CacheType, _In_ ULONG Flags);
NTKERNELAPI PMDL NTAPI MmAllocatePagesForMdl(_In_ PHYSICAL_ADDRESS LowAddress, _In_ PHYSICAL_ADDRESS HighAddress,
                                             _In_ PHYSICAL_ADDRESS SkipBytes, _In_ SIZE_T TotalBytes);
NTKERNELAPI VOID NTAPI MmFreePagesFromMdl(_Inout_ PMDL MemoryDescriptorList);
/* STATUS_INVALID_PAGE_PROTECTION, STATUS_NOT_MAPPED_VIEW (not mapped to system space).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmprotectmdlsystemaddress */
NTKERNELAPI NTSTATUS NTAPI MmProtectMdlSystemAddress(_In_ PMDL MemoryDescriptorList, _In_ ULONG NewProtect);

/* <= APC_LEVEL. ProbeMode PAGE_READONLY or PAGE_READWRITE; NULL when the range fails the probe.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmsecurevirtualmemory */
NTKERNELAPI HANDLE NTAPI MmSecureVirtualMemory(_In_ PVOID Address, _In_ SIZE_T Size, _In_ ULONG ProbeMode);
NTKERNELAPI VOID NTAPI MmUnsecureVirtualMemory(_In_ HANDLE SecureHandle);

/* I/O space. There are no device registers: a "physical" address is a virtual one, so a range maps
 * to itself when every page of it is mapped memory, and nothing else maps (NULL). IRQL <=
 * DISPATCH_LEVEL. MmIsIoSpaceActive (ntddk.h) is TRUE while any part of the range is mapped through
 * MmMapIoSpace(Ex); MmUnmapIoSpace ends one such mapping (BaseAddress and NumberOfBytes as mapped).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmmapiospace
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmmapiospaceex
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmunmapiospace
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmisiospaceactive */
NTKERNELAPI PVOID NTAPI MmMapIoSpace(_In_ PHYSICAL_ADDRESS PhysicalAddress, _In_ SIZE_T NumberOfBytes,
                                     _In_ MEMORY_CACHING_TYPE CacheType);
NTKERNELAPI PVOID NTAPI MmMapIoSpaceEx(_In_ PHYSICAL_ADDRESS PhysicalAddress, _In_ SIZE_T NumberOfBytes,
                                       _In_ ULONG Protect);
NTKERNELAPI VOID NTAPI MmUnmapIoSpace(_In_ PVOID BaseAddress, _In_ SIZE_T NumberOfBytes);
NTKERNELAPI LOGICAL NTAPI MmIsIoSpaceActive(_In_ PHYSICAL_ADDRESS StartAddress, _In_ SIZE_T NumberOfBytes);
/* (ntddk.h, obsolete) Nothing is paged out: TRUE for any mapped address.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmisnonpagedsystemaddressvalid */
NTKERNELAPI BOOLEAN NTAPI MmIsNonPagedSystemAddressValid(_In_ PVOID VirtualAddress);

NTIO_END_DECLS

#endif

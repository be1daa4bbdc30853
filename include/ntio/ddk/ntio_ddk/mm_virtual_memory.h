/* Virtual memory of a process (ntifs.h part): reserve, commit, decommit, release, query and flush a
 * region of pages. Every routine: PASSIVE_LEVEL; ProcessHandle is NtCurrentProcess() or a process
 * handle with PROCESS_VM_OPERATION (PROCESS_QUERY_INFORMATION for the query). ntio has one address
 * space, the host process's, whatever process the handle names.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwallocatevirtualmemory
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwfreevirtualmemory
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwqueryvirtualmemory
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwflushvirtualmemory */
#ifndef NTIO_DDK_MM_VIRTUAL_MEMORY_H
#define NTIO_DDK_MM_VIRTUAL_MEMORY_H
#include "basetypes.h"
#include "sal.h"
#include "io_types.h"
#include "memory_information.h"

/* NtLockVirtualMemory / NtUnlockVirtualMemory MapType. */
#ifndef MAP_PROCESS
#define MAP_PROCESS 1
#define MAP_SYSTEM 2
#endif

NTIO_BEGIN_DECLS

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/ne-ntifs-_memory_information_class */
typedef enum _MEMORY_INFORMATION_CLASS {
    MemoryBasicInformation = 0
} MEMORY_INFORMATION_CLASS;

/* MEM_RESERVE rounds *BaseAddress down to 64 KiB; MEM_COMMIT commits whole pages of a reservation
 * (STATUS_CONFLICTING_ADDRESSES outside one); *BaseAddress NULL lets the system choose. */
NTSYSAPI NTSTATUS NTAPI ZwAllocateVirtualMemory(_In_ HANDLE ProcessHandle, _Inout_ PVOID *BaseAddress,
                                                _In_ ULONG_PTR ZeroBits, _Inout_ PSIZE_T RegionSize,
                                                _In_ ULONG AllocationType, _In_ ULONG Protect);
/* MEM_RELEASE with *RegionSize 0 from the reservation's base, or MEM_DECOMMIT of whole pages. */
NTSYSAPI NTSTATUS NTAPI ZwFreeVirtualMemory(_In_ HANDLE ProcessHandle, _Inout_ PVOID *BaseAddress,
                                            _Inout_ PSIZE_T RegionSize, _In_ ULONG FreeType);
/* MemoryBasicInformation only. */
NTSYSAPI NTSTATUS NTAPI ZwQueryVirtualMemory(_In_ HANDLE ProcessHandle, _In_opt_ PVOID BaseAddress,
                                             _In_ MEMORY_INFORMATION_CLASS MemoryInformationClass,
                                             _Out_writes_bytes_(MemoryInformationLength) PVOID MemoryInformation,
                                             _In_ SIZE_T MemoryInformationLength, _Out_opt_ PSIZE_T ReturnLength);
/* Writes a mapped view's modified pages to its file (STATUS_NOT_MAPPED_VIEW outside a view). */
NTSYSAPI NTSTATUS NTAPI ZwFlushVirtualMemory(_In_ HANDLE ProcessHandle, _Inout_ PVOID *BaseAddress,
                                             _Inout_ PSIZE_T RegionSize, _Out_ PIO_STATUS_BLOCK IoStatus);

NTIO_END_DECLS

#endif

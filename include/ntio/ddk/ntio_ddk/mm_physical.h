/* Physical memory routines of <ntddk.h>: the physical ranges, hot-add and hot-remove, the video
 * display mapping, memory mirroring. ntio has no physical memory of its own: a physical address is
 * the host virtual address (see MmGetPhysicalAddress), and nothing can be added, removed, mirrored or
 * displayed (docs/nt-deviations.md, "mm: physical memory"). */
#ifndef NTIO_DDK_MM_PHYSICAL_H
#define NTIO_DDK_MM_PHYSICAL_H

#include "mm.h"

NTIO_BEGIN_DECLS

typedef struct _PHYSICAL_MEMORY_RANGE {
    PHYSICAL_ADDRESS BaseAddress;
    LARGE_INTEGER NumberOfBytes;
} PHYSICAL_MEMORY_RANGE, *PPHYSICAL_MEMORY_RANGE;

/* PASSIVE_LEVEL. The ranges of physical memory, from nonpaged pool, ending in an entry whose
 * BaseAddress and NumberOfBytes are zero; the caller frees the array with ExFreePool. NULL without
 * memory. */
NTKERNELAPI PPHYSICAL_MEMORY_RANGE NTAPI MmGetPhysicalMemoryRanges(VOID);
/* PASSIVE_LEVEL. No memory can be added or removed: STATUS_NOT_SUPPORTED, *NumberOfBytes set to 0. */
NTKERNELAPI NTSTATUS NTAPI MmAddPhysicalMemory(_In_ PPHYSICAL_ADDRESS StartAddress,
                                               _Inout_ PLARGE_INTEGER NumberOfBytes);
NTKERNELAPI NTSTATUS NTAPI MmRemovePhysicalMemory(_In_ PPHYSICAL_ADDRESS StartAddress,
                                                  _Inout_ PLARGE_INTEGER NumberOfBytes);
/* PASSIVE_LEVEL. No frame buffer: NULL; MmUnmapVideoDisplay of an address it never returned does nothing. */
NTKERNELAPI PVOID NTAPI MmMapVideoDisplay(_In_ PHYSICAL_ADDRESS PhysicalAddress, _In_ SIZE_T NumberOfBytes,
                                          _In_ MEMORY_CACHING_TYPE CacheType);
NTKERNELAPI VOID NTAPI MmUnmapVideoDisplay(_In_ PVOID BaseAddress, _In_ SIZE_T NumberOfBytes);
/* PASSIVE_LEVEL. No mirroring hardware: STATUS_NOT_SUPPORTED. */
NTKERNELAPI NTSTATUS NTAPI MmCreateMirror(VOID);

NTIO_END_DECLS

#endif /* NTIO_DDK_MM_PHYSICAL_H */

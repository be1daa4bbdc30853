/* Virtual memory's states, types and MEMORY_BASIC_INFORMATION, shared by <ntifs.h> (ZwQueryVirtualMemory)
 * and <windows.h> (winnt.h, VirtualQuery). Guarded, since both the SDK and the WDK define them.
 * https://learn.microsoft.com/windows/win32/api/winnt/ns-winnt-memory_basic_information */
#ifndef NTIO_DDK_MEMORY_INFORMATION_H
#define NTIO_DDK_MEMORY_INFORMATION_H
#include "basetypes.h"
#include "memory_constants.h"

#ifndef MEM_DECOMMIT
#define MEM_DECOMMIT 0x4000
#define MEM_FREE 0x10000
#define MEM_PRIVATE 0x20000
#define MEM_MAPPED 0x40000
#define MEM_RESET 0x80000
#define MEM_WRITE_WATCH 0x200000
#define MEM_PHYSICAL 0x400000
#define MEM_ROTATE 0x800000
#define MEM_RESET_UNDO 0x1000000
#define MEM_4MB_PAGES 0x80000000
#endif
#ifndef MEM_IMAGE
#define MEM_IMAGE SEC_IMAGE
#endif

NTIO_BEGIN_DECLS

typedef struct _MEMORY_BASIC_INFORMATION {
    PVOID BaseAddress;
    PVOID AllocationBase;
    ULONG AllocationProtect;
    SIZE_T RegionSize;
    ULONG State;
    ULONG Protect;
    ULONG Type;
} MEMORY_BASIC_INFORMATION, *PMEMORY_BASIC_INFORMATION;

NTIO_END_DECLS

#endif

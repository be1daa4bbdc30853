// ntdll's RtlSizeHeap and RtlReAllocateHeap over the Rtl heap (rtl_heap.cpp), which kernel32's
// HeapSize and HeapReAlloc use. The DDK does not declare them. Include it after the header that
// brings the base types (<ntifs.h>, or <windows.h> with <ntio/ntapi.h>).
#pragma once

#ifndef HEAP_REALLOC_IN_PLACE_ONLY
#define HEAP_REALLOC_IN_PLACE_ONLY 0x00000010
#endif

extern "C" {
NTSYSAPI SIZE_T NTAPI RtlSizeHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress);
NTSYSAPI PVOID NTAPI RtlReAllocateHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress, SIZE_T Size);
}

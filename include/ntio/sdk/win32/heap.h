/* Heaps (heapapi.h subset): the process heap and private heaps over the Rtl heap. */
#ifndef NTIO_SDK_WIN32_HEAP_H
#define NTIO_SDK_WIN32_HEAP_H
#include "types.h"

/* Heap flags (winnt.h), as the DDK spells the ones it also defines. */
#ifndef HEAP_NO_SERIALIZE
#define HEAP_NO_SERIALIZE 0x00000001
#endif
#ifndef HEAP_GROWABLE
#define HEAP_GROWABLE 0x00000002
#endif
#ifndef HEAP_GENERATE_EXCEPTIONS
#define HEAP_GENERATE_EXCEPTIONS 0x00000004
#endif
#ifndef HEAP_ZERO_MEMORY
#define HEAP_ZERO_MEMORY 0x00000008
#endif
#ifndef HEAP_REALLOC_IN_PLACE_ONLY
#define HEAP_REALLOC_IN_PLACE_ONLY 0x00000010
#endif
#ifndef HEAP_CREATE_ENABLE_EXECUTE
#define HEAP_CREATE_ENABLE_EXECUTE 0x00040000
#endif

NTIO_BEGIN_DECLS
WINBASEAPI HANDLE WINAPI GetProcessHeap(VOID);
WINBASEAPI HANDLE WINAPI HeapCreate(_In_ DWORD flOptions, _In_ SIZE_T dwInitialSize, _In_ SIZE_T dwMaximumSize);
WINBASEAPI BOOL WINAPI HeapDestroy(_In_ HANDLE hHeap);
WINBASEAPI LPVOID WINAPI HeapAlloc(_In_ HANDLE hHeap, _In_ DWORD dwFlags, _In_ SIZE_T dwBytes);
WINBASEAPI LPVOID WINAPI HeapReAlloc(_In_ HANDLE hHeap, _In_ DWORD dwFlags, _In_ LPVOID lpMem, _In_ SIZE_T dwBytes);
WINBASEAPI BOOL WINAPI HeapFree(_In_ HANDLE hHeap, _In_ DWORD dwFlags, _In_opt_ LPVOID lpMem);
WINBASEAPI SIZE_T WINAPI HeapSize(_In_ HANDLE hHeap, _In_ DWORD dwFlags, _In_ LPCVOID lpMem);
NTIO_END_DECLS

#endif /* NTIO_SDK_WIN32_HEAP_H */

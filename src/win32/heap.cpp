// GetProcessHeap and the Heap* functions over the Rtl heap, as kernel32 forwards them to ntdll
// (HeapAlloc is RtlAllocateHeap, HeapReAlloc RtlReAllocateHeap, HeapSize RtlSizeHeap).
// https://learn.microsoft.com/windows/win32/api/heapapi/
#include "win32/win32.hpp"

#include <ntio_ddk/rtl_heap.h>

#include "ex/rtl_heap_resize.hpp"

using namespace ntio;

namespace {

constexpr DWORD kCreateOptions = HEAP_NO_SERIALIZE | HEAP_GENERATE_EXCEPTIONS | HEAP_CREATE_ENABLE_EXECUTE;

// One growable heap for the host process, made on first use and never destroyed.
HANDLE process_heap() {
    static const HANDLE heap = [] {
        win32::ensure_system();
        return static_cast<HANDLE>(RtlCreateHeap(HEAP_GROWABLE, nullptr, 0, 0, nullptr, nullptr));
    }();
    return heap;
}

}  // namespace

extern "C" {

HANDLE WINAPI GetProcessHeap(VOID) { return process_heap(); }

// "dwMaximumSize: If dwMaximumSize is not zero, the heap size is fixed and cannot grow beyond the
// maximum size ... If dwMaximumSize is 0, the heap can grow in size." HEAP_CREATE_ENABLE_EXECUTE
// changes nothing here (ntio's heap memory is not made non-executable).
HANDLE WINAPI HeapCreate(DWORD flOptions, SIZE_T dwInitialSize, SIZE_T dwMaximumSize) {
    win32::ensure_system();
    // NT deviation (guessed): an initial size above a fixed maximum is ERROR_INVALID_PARAMETER.
    if (dwMaximumSize != 0 && dwInitialSize > dwMaximumSize) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return nullptr;
    }
    const ULONG flags = (flOptions & kCreateOptions & ~HEAP_CREATE_ENABLE_EXECUTE) |
                        (dwMaximumSize == 0 ? HEAP_GROWABLE : 0);
    HANDLE heap = RtlCreateHeap(flags, nullptr, dwMaximumSize, dwInitialSize, nullptr, nullptr);
    if (!heap) SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return heap;
}

// The process heap is not destroyed (NT deviation, guessed: ERROR_INVALID_PARAMETER); a handle that
// is no heap is ERROR_INVALID_HANDLE.
BOOL WINAPI HeapDestroy(HANDLE hHeap) {
    if (hHeap && hHeap == process_heap()) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (RtlDestroyHeap(hHeap) != nullptr || !hHeap) {
        SetLastError(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    return TRUE;
}

// "If the function fails, it does not call SetLastError." (HeapAlloc, HeapReAlloc, HeapSize)
LPVOID WINAPI HeapAlloc(HANDLE hHeap, DWORD dwFlags, SIZE_T dwBytes) { return RtlAllocateHeap(hHeap, dwFlags, dwBytes); }

LPVOID WINAPI HeapReAlloc(HANDLE hHeap, DWORD dwFlags, LPVOID lpMem, SIZE_T dwBytes) {
    return RtlReAllocateHeap(hHeap, dwFlags, lpMem, dwBytes);
}

SIZE_T WINAPI HeapSize(HANDLE hHeap, DWORD dwFlags, LPCVOID lpMem) {
    return RtlSizeHeap(hHeap, dwFlags, const_cast<LPVOID>(lpMem));
}

// A NULL block is freed with nothing done; a block the heap did not hand out, or a bad heap, is
// ERROR_INVALID_PARAMETER.
BOOL WINAPI HeapFree(HANDLE hHeap, DWORD dwFlags, LPVOID lpMem) {
    if (RtlFreeHeap(hHeap, dwFlags, lpMem)) return TRUE;
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
}

}  // extern "C"

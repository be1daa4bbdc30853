/* Fiber local storage (fibersapi.h): FlsAlloc, FlsFree, FlsGetValue, FlsSetValue. ntio has no
 * fibers, so each thread is its one fiber: the storage is per thread, and a slot's callback runs
 * for the thread's non-NULL value when the thread ends and for every thread's when the slot is freed. */
#ifndef NTIO_SDK_WIN32_FIBERS_H
#define NTIO_SDK_WIN32_FIBERS_H
#include "types.h"

#define FLS_OUT_OF_INDEXES ((DWORD)0xFFFFFFFF)

typedef VOID (NTAPI *PFLS_CALLBACK_FUNCTION)(_In_ PVOID lpFlsData);

NTIO_BEGIN_DECLS
WINBASEAPI DWORD WINAPI FlsAlloc(_In_opt_ PFLS_CALLBACK_FUNCTION lpCallback);
WINBASEAPI BOOL WINAPI FlsFree(_In_ DWORD dwFlsIndex);
WINBASEAPI PVOID WINAPI FlsGetValue(_In_ DWORD dwFlsIndex);
WINBASEAPI BOOL WINAPI FlsSetValue(_In_ DWORD dwFlsIndex, _In_opt_ PVOID lpFlsData);
NTIO_END_DECLS

#endif /* NTIO_SDK_WIN32_FIBERS_H */

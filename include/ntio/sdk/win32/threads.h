/* Threads and user APCs (processthreadsapi.h subset). A thread made by CreateThread is an NT thread
 * of the calling process: its handle waits for its end and gives its exit code. */
#ifndef NTIO_SDK_WIN32_THREADS_H
#define NTIO_SDK_WIN32_THREADS_H
#include "types.h"
#include "access.h"

#define STILL_ACTIVE ((DWORD)0x00000103L)
#define CREATE_SUSPENDED 0x00000004
#define STACK_SIZE_PARAM_IS_A_RESERVATION 0x00010000

typedef DWORD (WINAPI *PTHREAD_START_ROUTINE)(LPVOID lpThreadParameter);
typedef PTHREAD_START_ROUTINE LPTHREAD_START_ROUTINE;
typedef VOID (NTAPI *PAPCFUNC)(ULONG_PTR Parameter);

NTIO_BEGIN_DECLS

WINBASEAPI HANDLE WINAPI CreateThread(_In_opt_ LPSECURITY_ATTRIBUTES lpThreadAttributes, _In_ SIZE_T dwStackSize,
                                      _In_ LPTHREAD_START_ROUTINE lpStartAddress, _In_opt_ LPVOID lpParameter,
                                      _In_ DWORD dwCreationFlags, _Out_opt_ LPDWORD lpThreadId);
WINBASEAPI DECLSPEC_NORETURN VOID WINAPI ExitThread(_In_ DWORD dwExitCode);
WINBASEAPI BOOL WINAPI GetExitCodeThread(_In_ HANDLE hThread, _Out_ LPDWORD lpExitCode);
WINBASEAPI DWORD WINAPI GetThreadId(_In_ HANDLE Thread);
WINBASEAPI BOOL WINAPI GetThreadIOPendingFlag(_In_ HANDLE hThread, _Out_ PBOOL lpIOIsPending);
WINBASEAPI DWORD WINAPI QueueUserAPC(_In_ PAPCFUNC pfnAPC, _In_ HANDLE hThread, _In_ ULONG_PTR dwData);

NTIO_END_DECLS
#endif /* NTIO_SDK_WIN32_THREADS_H */

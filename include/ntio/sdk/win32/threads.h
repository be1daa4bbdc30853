/* Threads, their priorities, times and descriptions, suspension and user APCs (processthreadsapi.h subset). A
 * thread made by CreateThread is an NT thread of the calling process: its handle waits for its end
 * and gives its exit code. */
#ifndef NTIO_SDK_WIN32_THREADS_H
#define NTIO_SDK_WIN32_THREADS_H
#include "types.h"
#include "access.h"

#define STILL_ACTIVE ((DWORD)0x00000103L)
#define CREATE_SUSPENDED 0x00000004
/* winnt.h: the most a thread's suspend count can reach (also the DDK's, in ke.h). */
#ifndef MAXIMUM_SUSPEND_COUNT
#define MAXIMUM_SUSPEND_COUNT MAXCHAR
#endif
#define STACK_SIZE_PARAM_IS_A_RESERVATION 0x00010000

/* Thread priority values, relative to the process's priority class. */
#define THREAD_BASE_PRIORITY_LOWRT 15
#define THREAD_BASE_PRIORITY_MAX 2
#define THREAD_BASE_PRIORITY_MIN (-2)
#define THREAD_BASE_PRIORITY_IDLE (-15)
#define THREAD_PRIORITY_LOWEST THREAD_BASE_PRIORITY_MIN
#define THREAD_PRIORITY_BELOW_NORMAL (THREAD_PRIORITY_LOWEST + 1)
#define THREAD_PRIORITY_NORMAL 0
#define THREAD_PRIORITY_HIGHEST THREAD_BASE_PRIORITY_MAX
#define THREAD_PRIORITY_ABOVE_NORMAL (THREAD_PRIORITY_HIGHEST - 1)
#define THREAD_PRIORITY_TIME_CRITICAL THREAD_BASE_PRIORITY_LOWRT
#define THREAD_PRIORITY_IDLE THREAD_BASE_PRIORITY_IDLE
#define THREAD_PRIORITY_ERROR_RETURN ((int)0x7fffffff)
#define THREAD_MODE_BACKGROUND_BEGIN 0x00010000
#define THREAD_MODE_BACKGROUND_END 0x00020000

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
/* The previous suspend count, or (DWORD)-1 with the last error set. */
WINBASEAPI DWORD WINAPI SuspendThread(_In_ HANDLE hThread);
WINBASEAPI DWORD WINAPI ResumeThread(_In_ HANDLE hThread);
WINBASEAPI int WINAPI GetThreadPriority(_In_ HANDLE hThread);
WINBASEAPI BOOL WINAPI SetThreadPriority(_In_ HANDLE hThread, _In_ int nPriority);
WINBASEAPI BOOL WINAPI GetThreadPriorityBoost(_In_ HANDLE hThread, _Out_ PBOOL pDisablePriorityBoost);
WINBASEAPI BOOL WINAPI SetThreadPriorityBoost(_In_ HANDLE hThread, _In_ BOOL bDisablePriorityBoost);
WINBASEAPI BOOL WINAPI GetThreadTimes(_In_ HANDLE hThread, _Out_ LPFILETIME lpCreationTime, _Out_ LPFILETIME lpExitTime,
                                      _Out_ LPFILETIME lpKernelTime, _Out_ LPFILETIME lpUserTime);
WINBASEAPI HRESULT WINAPI SetThreadDescription(_In_ HANDLE hThread, _In_ PCWSTR lpThreadDescription);
WINBASEAPI HRESULT WINAPI GetThreadDescription(_In_ HANDLE hThread, _Outptr_result_z_ PWSTR* ppszThreadDescription);

NTIO_END_DECLS
#endif /* NTIO_SDK_WIN32_THREADS_H */

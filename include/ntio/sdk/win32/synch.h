/* Synchronization (synchapi.h subset): events, semaphores, mutexes, waits, alertable sleeps.
 * Named objects live in \BaseNamedObjects; "Global\" and "Local\" prefixes resolve there too. */
#ifndef NTIO_SDK_WIN32_SYNCH_H
#define NTIO_SDK_WIN32_SYNCH_H
#include "types.h"
#include "access.h"

#define INFINITE 0xFFFFFFFF
#define WAIT_OBJECT_0 ((DWORD)0x00000000L)
#define WAIT_ABANDONED ((DWORD)0x00000080L)
#define WAIT_ABANDONED_0 ((DWORD)0x00000080L)
#define WAIT_IO_COMPLETION ((DWORD)0x000000C0L)
#define WAIT_FAILED ((DWORD)0xFFFFFFFF)
#ifndef WAIT_TIMEOUT
#define WAIT_TIMEOUT 258L
#endif
#define MUTEX_MODIFY_STATE MUTANT_QUERY_STATE
#define MUTEX_ALL_ACCESS MUTANT_ALL_ACCESS
#define CREATE_EVENT_MANUAL_RESET 0x00000001
#define CREATE_EVENT_INITIAL_SET 0x00000002
#define CREATE_MUTEX_INITIAL_OWNER 0x00000001

NTIO_BEGIN_DECLS

WINBASEAPI HANDLE WINAPI CreateEventA(_In_opt_ LPSECURITY_ATTRIBUTES lpEventAttributes, _In_ BOOL bManualReset,
                                      _In_ BOOL bInitialState, _In_opt_ LPCSTR lpName);
WINBASEAPI HANDLE WINAPI CreateEventW(_In_opt_ LPSECURITY_ATTRIBUTES lpEventAttributes, _In_ BOOL bManualReset,
                                      _In_ BOOL bInitialState, _In_opt_ LPCWSTR lpName);
WINBASEAPI HANDLE WINAPI CreateEventExA(_In_opt_ LPSECURITY_ATTRIBUTES lpEventAttributes, _In_opt_ LPCSTR lpName,
                                        _In_ DWORD dwFlags, _In_ DWORD dwDesiredAccess);
WINBASEAPI HANDLE WINAPI CreateEventExW(_In_opt_ LPSECURITY_ATTRIBUTES lpEventAttributes, _In_opt_ LPCWSTR lpName,
                                        _In_ DWORD dwFlags, _In_ DWORD dwDesiredAccess);
WINBASEAPI HANDLE WINAPI OpenEventA(_In_ DWORD dwDesiredAccess, _In_ BOOL bInheritHandle, _In_ LPCSTR lpName);
WINBASEAPI HANDLE WINAPI OpenEventW(_In_ DWORD dwDesiredAccess, _In_ BOOL bInheritHandle, _In_ LPCWSTR lpName);
WINBASEAPI BOOL WINAPI SetEvent(_In_ HANDLE hEvent);
WINBASEAPI BOOL WINAPI ResetEvent(_In_ HANDLE hEvent);
WINBASEAPI BOOL WINAPI PulseEvent(_In_ HANDLE hEvent);

WINBASEAPI HANDLE WINAPI CreateSemaphoreA(_In_opt_ LPSECURITY_ATTRIBUTES lpSemaphoreAttributes,
                                          _In_ LONG lInitialCount, _In_ LONG lMaximumCount, _In_opt_ LPCSTR lpName);
WINBASEAPI HANDLE WINAPI CreateSemaphoreW(_In_opt_ LPSECURITY_ATTRIBUTES lpSemaphoreAttributes,
                                          _In_ LONG lInitialCount, _In_ LONG lMaximumCount, _In_opt_ LPCWSTR lpName);
WINBASEAPI HANDLE WINAPI OpenSemaphoreA(_In_ DWORD dwDesiredAccess, _In_ BOOL bInheritHandle, _In_ LPCSTR lpName);
WINBASEAPI HANDLE WINAPI OpenSemaphoreW(_In_ DWORD dwDesiredAccess, _In_ BOOL bInheritHandle, _In_ LPCWSTR lpName);
WINBASEAPI BOOL WINAPI ReleaseSemaphore(_In_ HANDLE hSemaphore, _In_ LONG lReleaseCount,
                                        _Out_opt_ LPLONG lpPreviousCount);

WINBASEAPI HANDLE WINAPI CreateMutexA(_In_opt_ LPSECURITY_ATTRIBUTES lpMutexAttributes, _In_ BOOL bInitialOwner,
                                      _In_opt_ LPCSTR lpName);
WINBASEAPI HANDLE WINAPI CreateMutexW(_In_opt_ LPSECURITY_ATTRIBUTES lpMutexAttributes, _In_ BOOL bInitialOwner,
                                      _In_opt_ LPCWSTR lpName);
WINBASEAPI HANDLE WINAPI OpenMutexA(_In_ DWORD dwDesiredAccess, _In_ BOOL bInheritHandle, _In_ LPCSTR lpName);
WINBASEAPI HANDLE WINAPI OpenMutexW(_In_ DWORD dwDesiredAccess, _In_ BOOL bInheritHandle, _In_ LPCWSTR lpName);
WINBASEAPI BOOL WINAPI ReleaseMutex(_In_ HANDLE hMutex);

WINBASEAPI DWORD WINAPI WaitForSingleObject(_In_ HANDLE hHandle, _In_ DWORD dwMilliseconds);
WINBASEAPI DWORD WINAPI WaitForSingleObjectEx(_In_ HANDLE hHandle, _In_ DWORD dwMilliseconds, _In_ BOOL bAlertable);
WINBASEAPI DWORD WINAPI WaitForMultipleObjects(_In_ DWORD nCount, _In_reads_(nCount) CONST HANDLE *lpHandles,
                                               _In_ BOOL bWaitAll, _In_ DWORD dwMilliseconds);
WINBASEAPI DWORD WINAPI WaitForMultipleObjectsEx(_In_ DWORD nCount, _In_reads_(nCount) CONST HANDLE *lpHandles,
                                                 _In_ BOOL bWaitAll, _In_ DWORD dwMilliseconds, _In_ BOOL bAlertable);
WINBASEAPI DWORD WINAPI SignalObjectAndWait(_In_ HANDLE hObjectToSignal, _In_ HANDLE hObjectToWaitOn,
                                            _In_ DWORD dwMilliseconds, _In_ BOOL bAlertable);
WINBASEAPI VOID WINAPI Sleep(_In_ DWORD dwMilliseconds);
WINBASEAPI DWORD WINAPI SleepEx(_In_ DWORD dwMilliseconds, _In_ BOOL bAlertable);

NTIO_END_DECLS

#ifdef UNICODE
#define CreateEvent CreateEventW
#define CreateEventEx CreateEventExW
#define OpenEvent OpenEventW
#define CreateSemaphore CreateSemaphoreW
#define OpenSemaphore OpenSemaphoreW
#define CreateMutex CreateMutexW
#define OpenMutex OpenMutexW
#else
#define CreateEvent CreateEventA
#define CreateEventEx CreateEventExA
#define OpenEvent OpenEventA
#define CreateSemaphore CreateSemaphoreA
#define OpenSemaphore OpenSemaphoreA
#define CreateMutex CreateMutexA
#define OpenMutex OpenMutexA
#endif

#endif /* NTIO_SDK_WIN32_SYNCH_H */

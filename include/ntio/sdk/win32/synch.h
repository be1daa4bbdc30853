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
#define CREATE_WAITABLE_TIMER_MANUAL_RESET 0x00000001
#define CREATE_WAITABLE_TIMER_HIGH_RESOLUTION 0x00000002

/* A waitable timer's completion routine: queued to the thread that set the timer, it runs in that
 * thread's next alertable wait with the two halves of the FILETIME the timer expired at. */
typedef VOID (WINAPI *PTIMERAPCROUTINE)(_In_opt_ LPVOID lpArgToCompletionRoutine, _In_ DWORD dwTimerLowValue,
                                        _In_ DWORD dwTimerHighValue);

#ifndef NTIO_REASON_CONTEXT_DEFINED
#define NTIO_REASON_CONTEXT_DEFINED
#define POWER_REQUEST_CONTEXT_VERSION 0
#define POWER_REQUEST_CONTEXT_SIMPLE_STRING 0x00000001
#define POWER_REQUEST_CONTEXT_DETAILED_STRING 0x00000002
typedef struct _REASON_CONTEXT {
    ULONG Version;
    DWORD Flags;
    union {
        struct {
            HMODULE LocalizedReasonModule;
            ULONG LocalizedReasonId;
            ULONG ReasonStringCount;
            LPWSTR *ReasonStrings;
        } Detailed;
        LPWSTR SimpleReasonString;
    } Reason;
} REASON_CONTEXT, *PREASON_CONTEXT;
#endif

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

/* Waitable timers (NtCreateTimer & co.). Setting one that asks to resume the machine (fResume, or a
 * WakeContext) succeeds with last error ERROR_NOT_SUPPORTED: ntio never wakes a sleeping machine.
 * TolerableDelay is accepted and unused. */
WINBASEAPI HANDLE WINAPI CreateWaitableTimerA(_In_opt_ LPSECURITY_ATTRIBUTES lpTimerAttributes, _In_ BOOL bManualReset,
                                              _In_opt_ LPCSTR lpTimerName);
WINBASEAPI HANDLE WINAPI CreateWaitableTimerW(_In_opt_ LPSECURITY_ATTRIBUTES lpTimerAttributes, _In_ BOOL bManualReset,
                                              _In_opt_ LPCWSTR lpTimerName);
WINBASEAPI HANDLE WINAPI CreateWaitableTimerExA(_In_opt_ LPSECURITY_ATTRIBUTES lpTimerAttributes,
                                                _In_opt_ LPCSTR lpTimerName, _In_ DWORD dwFlags,
                                                _In_ DWORD dwDesiredAccess);
WINBASEAPI HANDLE WINAPI CreateWaitableTimerExW(_In_opt_ LPSECURITY_ATTRIBUTES lpTimerAttributes,
                                                _In_opt_ LPCWSTR lpTimerName, _In_ DWORD dwFlags,
                                                _In_ DWORD dwDesiredAccess);
WINBASEAPI HANDLE WINAPI OpenWaitableTimerA(_In_ DWORD dwDesiredAccess, _In_ BOOL bInheritHandle,
                                            _In_ LPCSTR lpTimerName);
WINBASEAPI HANDLE WINAPI OpenWaitableTimerW(_In_ DWORD dwDesiredAccess, _In_ BOOL bInheritHandle,
                                            _In_ LPCWSTR lpTimerName);
WINBASEAPI BOOL WINAPI SetWaitableTimer(_In_ HANDLE hTimer, _In_ const LARGE_INTEGER *lpDueTime, _In_ LONG lPeriod,
                                        _In_opt_ PTIMERAPCROUTINE pfnCompletionRoutine,
                                        _In_opt_ LPVOID lpArgToCompletionRoutine, _In_ BOOL fResume);
WINBASEAPI BOOL WINAPI SetWaitableTimerEx(_In_ HANDLE hTimer, _In_ const LARGE_INTEGER *lpDueTime, _In_ LONG lPeriod,
                                          _In_opt_ PTIMERAPCROUTINE pfnCompletionRoutine,
                                          _In_opt_ LPVOID lpArgToCompletionRoutine, _In_opt_ PREASON_CONTEXT WakeContext,
                                          _In_ ULONG TolerableDelay);
WINBASEAPI BOOL WINAPI CancelWaitableTimer(_In_ HANDLE hTimer);

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
#define CreateWaitableTimer CreateWaitableTimerW
#define CreateWaitableTimerEx CreateWaitableTimerExW
#define OpenWaitableTimer OpenWaitableTimerW
#else
#define CreateEvent CreateEventA
#define CreateEventEx CreateEventExA
#define OpenEvent OpenEventA
#define CreateSemaphore CreateSemaphoreA
#define OpenSemaphore OpenSemaphoreA
#define CreateMutex CreateMutexA
#define OpenMutex OpenMutexA
#define CreateWaitableTimer CreateWaitableTimerA
#define CreateWaitableTimerEx CreateWaitableTimerExA
#define OpenWaitableTimer OpenWaitableTimerA
#endif

#endif /* NTIO_SDK_WIN32_SYNCH_H */

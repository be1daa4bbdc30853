// kernel32 events, semaphores, mutexes and waitable timers over NtCreate*/NtOpen*/NtSet*/NtRelease*: named objects
// in \BaseNamedObjects, ERROR_ALREADY_EXISTS (with the handle) when Create* opened an existing one.
#include "win32/win32.hpp"

using namespace ntio;

namespace {

// Create* result: the handle, with last error ERROR_ALREADY_EXISTS when an existing named object was
// opened and 0 otherwise (as kernel32 does); NULL and the mapped status on failure.
HANDLE finish_create(NTSTATUS status, HANDLE handle) {
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return nullptr;
    }
    SetLastError(status == STATUS_OBJECT_NAME_EXISTS ? ERROR_ALREADY_EXISTS : ERROR_SUCCESS);
    return handle;
}

HANDLE finish_open(NTSTATUS status, HANDLE handle) {
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return nullptr;
    }
    return handle;
}

BOOL finish_bool(NTSTATUS status) {
    if (NT_SUCCESS(status)) return TRUE;
    win32::set_last_nt_error(status);
    return FALSE;
}

template <class Char>
HANDLE create_event(LPSECURITY_ATTRIBUTES sa, const Char* name, DWORD flags, DWORD access) {
    win32::ensure_system();
    if (flags & ~static_cast<DWORD>(CREATE_EVENT_MANUAL_RESET | CREATE_EVENT_INITIAL_SET)) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return nullptr;
    }
    win32::NamedObjectAttributes attributes(name, sa, FALSE, OBJ_OPENIF);
    if (!NT_SUCCESS(attributes.status())) return finish_create(attributes.status(), nullptr);
    HANDLE handle = nullptr;
    NTSTATUS status = NtCreateEvent(&handle, access, attributes.get(),
                                    (flags & CREATE_EVENT_MANUAL_RESET) ? NotificationEvent : SynchronizationEvent,
                                    (flags & CREATE_EVENT_INITIAL_SET) ? TRUE : FALSE);
    return finish_create(status, handle);
}

DWORD event_flags(BOOL manual_reset, BOOL initial_state) {
    return (manual_reset ? CREATE_EVENT_MANUAL_RESET : 0u) | (initial_state ? CREATE_EVENT_INITIAL_SET : 0u);
}

template <class Char>
HANDLE create_semaphore(LPSECURITY_ATTRIBUTES sa, LONG initial, LONG maximum, const Char* name) {
    win32::ensure_system();
    win32::NamedObjectAttributes attributes(name, sa, FALSE, OBJ_OPENIF);
    if (!NT_SUCCESS(attributes.status())) return finish_create(attributes.status(), nullptr);
    HANDLE handle = nullptr;
    NTSTATUS status = NtCreateSemaphore(&handle, SEMAPHORE_ALL_ACCESS, attributes.get(), initial, maximum);
    return finish_create(status, handle);
}

template <class Char>
HANDLE create_mutex(LPSECURITY_ATTRIBUTES sa, BOOL initial_owner, const Char* name) {
    win32::ensure_system();
    win32::NamedObjectAttributes attributes(name, sa, FALSE, OBJ_OPENIF);
    if (!NT_SUCCESS(attributes.status())) return finish_create(attributes.status(), nullptr);
    HANDLE handle = nullptr;
    NTSTATUS status = NtCreateMutant(&handle, MUTANT_ALL_ACCESS, attributes.get(), initial_owner ? TRUE : FALSE);
    return finish_create(status, handle);
}

template <class Char>
HANDLE create_timer(LPSECURITY_ATTRIBUTES sa, const Char* name, DWORD flags, DWORD access) {
    win32::ensure_system();
    if (flags & ~static_cast<DWORD>(CREATE_WAITABLE_TIMER_MANUAL_RESET | CREATE_WAITABLE_TIMER_HIGH_RESOLUTION)) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return nullptr;
    }
    win32::NamedObjectAttributes attributes(name, sa, FALSE, OBJ_OPENIF);
    if (!NT_SUCCESS(attributes.status())) return finish_create(attributes.status(), nullptr);
    HANDLE handle = nullptr;
    NTSTATUS status = NtCreateTimer(&handle, access, attributes.get(),
                                    (flags & CREATE_WAITABLE_TIMER_MANUAL_RESET) ? NotificationTimer : SynchronizationTimer);
    return finish_create(status, handle);
}

// kernel32's completion routine is the native TIMER_APC_ROUTINE (the same three arguments: context,
// low and high halves of the expiry time; DWORD for ULONG and LONG).
PTIMER_APC_ROUTINE timer_apc_routine(PTIMERAPCROUTINE routine) {
    return reinterpret_cast<PTIMER_APC_ROUTINE>(reinterpret_cast<void (*)()>(routine));
}

// Set*WaitableTimer*: a timer that could not be made to wake the machine is still set; kernel32
// reports that with ERROR_NOT_SUPPORTED as the last error of a successful call.
BOOL finish_set_timer(NTSTATUS status) {
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return FALSE;
    }
    SetLastError(status == STATUS_TIMER_RESUME_IGNORED ? ERROR_NOT_SUPPORTED : ERROR_SUCCESS);
    return TRUE;
}

// Open*: a name is required (kernel32 fails a NULL name with ERROR_INVALID_PARAMETER).
template <class Char, class Open>
HANDLE open_named(DWORD access, BOOL inherit, const Char* name, Open open) {
    win32::ensure_system();
    if (!name) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return nullptr;
    }
    win32::NamedObjectAttributes attributes(name, nullptr, inherit, 0);
    if (!NT_SUCCESS(attributes.status())) return finish_open(attributes.status(), nullptr);
    HANDLE handle = nullptr;
    NTSTATUS status = open(&handle, access, attributes.get());
    return finish_open(status, handle);
}

}  // namespace

extern "C" {

HANDLE WINAPI CreateEventA(LPSECURITY_ATTRIBUTES sa, BOOL manual, BOOL initial, LPCSTR name) {
    return create_event(sa, name, event_flags(manual, initial), EVENT_ALL_ACCESS);
}
HANDLE WINAPI CreateEventW(LPSECURITY_ATTRIBUTES sa, BOOL manual, BOOL initial, LPCWSTR name) {
    return create_event(sa, name, event_flags(manual, initial), EVENT_ALL_ACCESS);
}
HANDLE WINAPI CreateEventExA(LPSECURITY_ATTRIBUTES sa, LPCSTR name, DWORD flags, DWORD access) {
    return create_event(sa, name, flags, access);
}
HANDLE WINAPI CreateEventExW(LPSECURITY_ATTRIBUTES sa, LPCWSTR name, DWORD flags, DWORD access) {
    return create_event(sa, name, flags, access);
}
HANDLE WINAPI OpenEventA(DWORD access, BOOL inherit, LPCSTR name) { return open_named(access, inherit, name, NtOpenEvent); }
HANDLE WINAPI OpenEventW(DWORD access, BOOL inherit, LPCWSTR name) { return open_named(access, inherit, name, NtOpenEvent); }

BOOL WINAPI SetEvent(HANDLE hEvent) {
    win32::ensure_system();
    return finish_bool(NtSetEvent(hEvent, nullptr));
}
BOOL WINAPI ResetEvent(HANDLE hEvent) {
    win32::ensure_system();
    return finish_bool(NtClearEvent(hEvent));
}
BOOL WINAPI PulseEvent(HANDLE hEvent) {
    win32::ensure_system();
    return finish_bool(NtPulseEvent(hEvent, nullptr));
}

HANDLE WINAPI CreateSemaphoreA(LPSECURITY_ATTRIBUTES sa, LONG initial, LONG maximum, LPCSTR name) {
    return create_semaphore(sa, initial, maximum, name);
}
HANDLE WINAPI CreateSemaphoreW(LPSECURITY_ATTRIBUTES sa, LONG initial, LONG maximum, LPCWSTR name) {
    return create_semaphore(sa, initial, maximum, name);
}
HANDLE WINAPI OpenSemaphoreA(DWORD access, BOOL inherit, LPCSTR name) {
    return open_named(access, inherit, name, NtOpenSemaphore);
}
HANDLE WINAPI OpenSemaphoreW(DWORD access, BOOL inherit, LPCWSTR name) {
    return open_named(access, inherit, name, NtOpenSemaphore);
}
BOOL WINAPI ReleaseSemaphore(HANDLE hSemaphore, LONG lReleaseCount, LPLONG lpPreviousCount) {
    win32::ensure_system();
    return finish_bool(NtReleaseSemaphore(hSemaphore, lReleaseCount, lpPreviousCount));
}

HANDLE WINAPI CreateMutexA(LPSECURITY_ATTRIBUTES sa, BOOL owner, LPCSTR name) { return create_mutex(sa, owner, name); }
HANDLE WINAPI CreateMutexW(LPSECURITY_ATTRIBUTES sa, BOOL owner, LPCWSTR name) { return create_mutex(sa, owner, name); }
HANDLE WINAPI OpenMutexA(DWORD access, BOOL inherit, LPCSTR name) { return open_named(access, inherit, name, NtOpenMutant); }
HANDLE WINAPI OpenMutexW(DWORD access, BOOL inherit, LPCWSTR name) { return open_named(access, inherit, name, NtOpenMutant); }
BOOL WINAPI ReleaseMutex(HANDLE hMutex) {
    win32::ensure_system();
    return finish_bool(NtReleaseMutant(hMutex, nullptr));
}

HANDLE WINAPI CreateWaitableTimerA(LPSECURITY_ATTRIBUTES sa, BOOL manual, LPCSTR name) {
    return create_timer(sa, name, manual ? CREATE_WAITABLE_TIMER_MANUAL_RESET : 0u, TIMER_ALL_ACCESS);
}
HANDLE WINAPI CreateWaitableTimerW(LPSECURITY_ATTRIBUTES sa, BOOL manual, LPCWSTR name) {
    return create_timer(sa, name, manual ? CREATE_WAITABLE_TIMER_MANUAL_RESET : 0u, TIMER_ALL_ACCESS);
}
HANDLE WINAPI CreateWaitableTimerExA(LPSECURITY_ATTRIBUTES sa, LPCSTR name, DWORD flags, DWORD access) {
    return create_timer(sa, name, flags, access);
}
HANDLE WINAPI CreateWaitableTimerExW(LPSECURITY_ATTRIBUTES sa, LPCWSTR name, DWORD flags, DWORD access) {
    return create_timer(sa, name, flags, access);
}
HANDLE WINAPI OpenWaitableTimerA(DWORD access, BOOL inherit, LPCSTR name) {
    return open_named(access, inherit, name, NtOpenTimer);
}
HANDLE WINAPI OpenWaitableTimerW(DWORD access, BOOL inherit, LPCWSTR name) {
    return open_named(access, inherit, name, NtOpenTimer);
}

BOOL WINAPI SetWaitableTimer(HANDLE hTimer, const LARGE_INTEGER* lpDueTime, LONG lPeriod,
                             PTIMERAPCROUTINE pfnCompletionRoutine, LPVOID lpArgToCompletionRoutine, BOOL fResume) {
    win32::ensure_system();
    return finish_set_timer(NtSetTimer(hTimer, const_cast<PLARGE_INTEGER>(lpDueTime),
                                       timer_apc_routine(pfnCompletionRoutine),
                                       lpArgToCompletionRoutine, fResume ? TRUE : FALSE, lPeriod, nullptr));
}

BOOL WINAPI SetWaitableTimerEx(HANDLE hTimer, const LARGE_INTEGER* lpDueTime, LONG lPeriod,
                               PTIMERAPCROUTINE pfnCompletionRoutine, LPVOID lpArgToCompletionRoutine,
                               PREASON_CONTEXT WakeContext, ULONG TolerableDelay) {
    win32::ensure_system();
    if (!lpDueTime || lPeriod < 0) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    TIMER_SET_COALESCABLE_TIMER_INFO info{};
    info.DueTime = *lpDueTime;
    info.TimerApcRoutine = timer_apc_routine(pfnCompletionRoutine);
    info.TimerContext = lpArgToCompletionRoutine;
    info.WakeContext = reinterpret_cast<struct _COUNTED_REASON_CONTEXT*>(WakeContext);
    info.Period = static_cast<ULONG>(lPeriod);
    info.TolerableDelay = TolerableDelay;
    return finish_set_timer(NtSetTimerEx(hTimer, TimerSetCoalescableTimer, &info, sizeof(info)));
}

BOOL WINAPI CancelWaitableTimer(HANDLE hTimer) {
    win32::ensure_system();
    return finish_bool(NtCancelTimer(hTimer, nullptr));
}

}  // extern "C"

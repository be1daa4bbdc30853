// kernel32 waits and sleeps over NtWaitFor*/NtSignalAndWaitForSingleObject/NtDelayExecution: the
// NT wait statuses are the Win32 return values (WAIT_OBJECT_0 + n, WAIT_ABANDONED_0 + n,
// WAIT_IO_COMPLETION, WAIT_TIMEOUT); a failure is WAIT_FAILED with the last error set.
#include <climits>

#include "win32/win32.hpp"

using namespace ntio;

namespace {

// An alertable wait woken by NtAlertThread (STATUS_ALERTED) is restarted, as kernel32 does: only
// user APCs end it early.
template <class Wait>
DWORD wait_result(BOOL alertable, Wait wait) {
    NTSTATUS status;
    do {
        status = wait();
    } while (alertable && status == STATUS_ALERTED);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return WAIT_FAILED;
    }
    return static_cast<DWORD>(status);
}

}  // namespace

extern "C" {

DWORD WINAPI WaitForSingleObjectEx(HANDLE hHandle, DWORD dwMilliseconds, BOOL bAlertable) {
    win32::ensure_system();
    LARGE_INTEGER storage;
    PLARGE_INTEGER timeout = win32::make_timeout(dwMilliseconds, storage);
    return wait_result(bAlertable, [&] { return NtWaitForSingleObject(hHandle, bAlertable ? TRUE : FALSE, timeout); });
}

DWORD WINAPI WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds) {
    return WaitForSingleObjectEx(hHandle, dwMilliseconds, FALSE);
}

DWORD WINAPI WaitForMultipleObjectsEx(DWORD nCount, CONST HANDLE* lpHandles, BOOL bWaitAll, DWORD dwMilliseconds,
                                      BOOL bAlertable) {
    win32::ensure_system();
    if (nCount == 0 || nCount > MAXIMUM_WAIT_OBJECTS) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return WAIT_FAILED;
    }
    LARGE_INTEGER storage;
    PLARGE_INTEGER timeout = win32::make_timeout(dwMilliseconds, storage);
    // NtWaitForMultipleObjects probes and captures the array itself (a bad pointer is
    // STATUS_ACCESS_VIOLATION -> ERROR_NOACCESS).
    return wait_result(bAlertable, [&] {
        return NtWaitForMultipleObjects(nCount, const_cast<HANDLE*>(lpHandles), bWaitAll ? WaitAll : WaitAny,
                                        bAlertable ? TRUE : FALSE, timeout);
    });
}

DWORD WINAPI WaitForMultipleObjects(DWORD nCount, CONST HANDLE* lpHandles, BOOL bWaitAll, DWORD dwMilliseconds) {
    return WaitForMultipleObjectsEx(nCount, lpHandles, bWaitAll, dwMilliseconds, FALSE);
}

DWORD WINAPI SignalObjectAndWait(HANDLE hObjectToSignal, HANDLE hObjectToWaitOn, DWORD dwMilliseconds,
                                 BOOL bAlertable) {
    win32::ensure_system();
    LARGE_INTEGER storage;
    PLARGE_INTEGER timeout = win32::make_timeout(dwMilliseconds, storage);
    bool signalled = false;
    return wait_result(bAlertable, [&]() -> NTSTATUS {
        // A restarted wait must not signal a second time.
        if (signalled) return NtWaitForSingleObject(hObjectToWaitOn, TRUE, timeout);
        signalled = true;
        return NtSignalAndWaitForSingleObject(hObjectToSignal, hObjectToWaitOn, bAlertable ? TRUE : FALSE, timeout);
    });
}

DWORD WINAPI SleepEx(DWORD dwMilliseconds, BOOL bAlertable) {
    win32::ensure_system();
    LARGE_INTEGER interval;
    // NtDelayExecution has no "no timeout": INFINITE is the longest relative interval.
    interval.QuadPart = dwMilliseconds == INFINITE ? LLONG_MIN : -static_cast<LONGLONG>(dwMilliseconds) * 10000;
    NTSTATUS status;
    do {
        status = NtDelayExecution(bAlertable ? TRUE : FALSE, &interval);
    } while (bAlertable && status == STATUS_ALERTED);
    // NT fact G5: WAIT_IO_COMPLETION when user APCs ran, else 0.
    return status == STATUS_USER_APC ? WAIT_IO_COMPLETION : 0;
}

VOID WINAPI Sleep(DWORD dwMilliseconds) { (void)SleepEx(dwMilliseconds, FALSE); }

}  // extern "C"

// kernel32 error modes: SetErrorMode / GetErrorMode over the process's default hard error mode, and
// SetThreadErrorMode / GetThreadErrorMode, the calling thread's own.
#include "win32/win32.hpp"

namespace ntio::win32 {
namespace {

// The modes a thread may set (SetThreadErrorMode lists these three).
constexpr DWORD kThreadModes = SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX | SEM_NOOPENFILEERRORBOX;

// A thread's own mode: 0 until it sets one. The process's mode applies to every thread whatever
// this holds ("A thread inherits the error mode of the process in which it is running").
thread_local DWORD t_thread_error_mode = 0;

// ProcessDefaultHardErrorMode keeps "show critical errors" in bit 0, the opposite of
// SEM_FAILCRITICALERRORS (a new process has 1 there: SetErrorMode's 0, every error box shown); the
// other bits are the SEM_* values as they are.
UINT from_hard_error_mode(ULONG mode) noexcept { return static_cast<UINT>(mode ^ SEM_FAILCRITICALERRORS); }
ULONG to_hard_error_mode(UINT mode) noexcept { return static_cast<ULONG>(mode ^ SEM_FAILCRITICALERRORS); }

}  // namespace
}  // namespace ntio::win32

extern "C" {

// https://learn.microsoft.com/windows/win32/api/errhandlingapi/nf-errhandlingapi-geterrormode
UINT WINAPI GetErrorMode(VOID) {
    ntio::win32::ensure_system();
    ULONG mode = 0;
    if (!NT_SUCCESS(NtQueryInformationProcess(NtCurrentProcess(), ProcessDefaultHardErrorMode, &mode, sizeof mode,
                                              nullptr)))
        return 0;
    return ntio::win32::from_hard_error_mode(mode);
}

// https://learn.microsoft.com/windows/win32/api/errhandlingapi/nf-errhandlingapi-seterrormode:
// returns the previous mode; SEM_NOALIGNMENTFAULTEXCEPT, once set, stays ("subsequent attempts to
// clear the value are ignored"). Other bits are kept as given, as the process's mode word holds them.
UINT WINAPI SetErrorMode(UINT uMode) {
    const UINT previous = GetErrorMode();
    const UINT mode = uMode | (previous & SEM_NOALIGNMENTFAULTEXCEPT);
    ULONG hard_error_mode = ntio::win32::to_hard_error_mode(mode);
    (void)NtSetInformationProcess(NtCurrentProcess(), ProcessDefaultHardErrorMode, &hard_error_mode,
                                  sizeof hard_error_mode);
    return previous;
}

// https://learn.microsoft.com/windows/win32/api/errhandlingapi/nf-errhandlingapi-getthreaderrormode
DWORD WINAPI GetThreadErrorMode(VOID) { return ntio::win32::t_thread_error_mode; }

// https://learn.microsoft.com/windows/win32/api/errhandlingapi/nf-errhandlingapi-setthreaderrormode:
// a mode outside the three the page lists fails (ERROR_INVALID_PARAMETER) and changes nothing;
// lpOldMode may be NULL.
BOOL WINAPI SetThreadErrorMode(DWORD dwNewMode, LPDWORD lpOldMode) {
    if (dwNewMode & ~ntio::win32::kThreadModes) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    const DWORD previous = ntio::win32::t_thread_error_mode;
    ntio::win32::t_thread_error_mode = dwNewMode;
    if (lpOldMode) *lpOldMode = previous;
    return TRUE;
}

}  // extern "C"

// kernel32 process calls: ExitProcess and TerminateProcess, the exit code and id of a process, its
// priority class, the WOW64 queries, GetStartupInfo and GetProcessHandleCount. ntio's processes live
// in the host process; ending the application's own process ends the host process.
#include <atomic>

#include "win32/process_handles.hpp"
#include "host/process.hpp"
#include "ke/thread.hpp"
#include "ntio/system.hpp"
#include "ob/object_manager.hpp"
#include <ntio/ntio.h>

using namespace ntio;

namespace {

BOOL fail_with(NTSTATUS status) {
    win32::set_last_nt_error(status);
    return FALSE;
}

BOOL invalid_parameter() {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
}

// True when no thread of `process` but the caller is still running: then the runtime's shutdown,
// which waits for the threads the runtime started, cannot wait forever.
bool only_the_caller_runs(PEPROCESS process) {
    const _KTHREAD* self = ke::current_thread_if_any();
    std::lock_guard<std::mutex> guard(process->m_thread_lock);
    for (_ETHREAD* thread : process->m_threads)
        if (thread != self && !ke::is_terminated(thread)) return false;
    return true;
}

// The end of the calling process with `code`. When the caller is its only running thread, the
// process is terminated (its handles are closed, so their files get their cleanup, and waiters on it
// are released) and, for ExitProcess, the runtime shut down; then the host process exits.
// NT deviation: Windows kills the process's other threads first; ntio cannot unwind host threads.
// Terminating the process would end their waits and let them run on, so while another thread runs
// the host process exits at once, with neither the termination nor the runtime's shutdown (which
// would wait for that thread).
[[noreturn]] void end_current_process(PEPROCESS process, UINT code, bool shut_down) {
    if (process && only_the_caller_runs(process)) {
        process->m_manager->terminate_process(process, static_cast<NTSTATUS>(code));
        if (shut_down) (void)NtioShutdownSystem();
    }
    host::exit_process_now(static_cast<int>(code));
}

// Win32 priority classes and NT's PROCESS_PRIORITY_CLASS_* numbers.
// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-setpriorityclass
struct PriorityClassName {
    DWORD win32;
    UCHAR nt;
};
constexpr PriorityClassName kPriorityClasses[] = {
    {IDLE_PRIORITY_CLASS, ob::kPriorityClassIdle},
    {BELOW_NORMAL_PRIORITY_CLASS, ob::kPriorityClassBelowNormal},
    {NORMAL_PRIORITY_CLASS, ob::kPriorityClassNormal},
    {ABOVE_NORMAL_PRIORITY_CLASS, ob::kPriorityClassAboveNormal},
    {HIGH_PRIORITY_CLASS, ob::kPriorityClassHigh},
    {REALTIME_PRIORITY_CLASS, ob::kPriorityClassRealtime},
};

// The process's query rights: most kernel32 queries take either.
constexpr ACCESS_MASK kProcessQuery = PROCESS_QUERY_INFORMATION | PROCESS_QUERY_LIMITED_INFORMATION;

// The process behind `handle` for a query into `output`: false, with the last error set, for a bad
// handle, one without a query right, or a NULL output (ERROR_NOACCESS, where Windows faults).
bool query_process(HANDLE handle, const void* output, ob::ObRef<_EPROCESS>& process) {
    NTSTATUS status = win32::reference_process(handle, kProcessQuery, process);
    if (NT_SUCCESS(status) && !output) status = STATUS_ACCESS_VIOLATION;
    if (NT_SUCCESS(status)) return true;
    win32::set_last_nt_error(status);
    return false;
}

bool holds_increase_base_priority(PEPROCESS process) {
    return process->m_token && process->m_token->privilege_enabled(SE_INC_BASE_PRIORITY_PRIVILEGE);
}

// The strings GetStartupInfo gives, made once: the process has one start-up information.
struct StartupStrings {
    std::u16string desktop;
    std::u16string title;
    std::string desktop_ansi;
    std::string title_ansi;
};
const StartupStrings& startup_strings() {
    static const StartupStrings* strings = [] {
        auto* s = new StartupStrings();
        // A guess: the window station and desktop of an interactive logon, which is what a program
        // started from a shell on Windows reads.
        s->desktop = u"WinSta0\\Default";
        // "If NULL, the name of the executable file is used as the window title instead": ntio
        // gives the executable's full path, as GetModuleFileName(NULL) names it.
        WCHAR path[MAX_PATH * 4];
        const DWORD length = GetModuleFileNameW(nullptr, path, static_cast<DWORD>(std::size(path)));
        s->title.assign(reinterpret_cast<const char16_t*>(path), length < std::size(path) ? length : 0);
        s->desktop_ansi = win32::utf16_to_ansi(s->desktop);
        s->title_ansi = win32::utf16_to_ansi(s->title);
        return s;
    }();
    return *strings;
}

// The fields GetStartupInfo fills alike in both forms: a program started without STARTUPINFO
// specifics has no STARTF_* flag, so every field those flags govern is zero, and no handle is
// given (its standard handles are the host's own).
template <class Info>
void fill_startup_common(Info* info) {
    std::memset(info, 0, sizeof *info);
    info->cb = sizeof *info;
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-exitprocess
// What ExitProcess runs that ntio has: the calling thread's FLS callbacks (its DLL detach
// notifications; host modules have no DllMain), then every handle of the process is closed and
// the runtime shut down when nothing else runs, and the host process exits with the code.
VOID WINAPI ExitProcess(UINT uExitCode) {
    win32::ensure_system();
    win32::run_fls_callbacks();
    end_current_process(ob::current_process(), uExitCode, true);
}

// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-terminateprocess
// PROCESS_TERMINATE on the handle. The caller's own process ends at once, with no FLS callback and
// no runtime shutdown ("TerminateProcess ... does not notify DLLs"); another of ntio's processes
// ends through NtTerminateProcess.
BOOL WINAPI TerminateProcess(HANDLE hProcess, UINT uExitCode) {
    ob::ObRef<_EPROCESS> process;
    NTSTATUS status = win32::reference_process(hProcess, PROCESS_TERMINATE, process);
    if (!NT_SUCCESS(status)) return fail_with(status);
    if (process.get() == ob::current_process()) end_current_process(process.get(), uExitCode, false);
    process.reset();
    return win32::succeeded(NtTerminateProcess(hProcess, static_cast<NTSTATUS>(uExitCode)));
}

// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-getexitcodeprocess
// STILL_ACTIVE (STATUS_PENDING, the ExitStatus of a running process) while the process runs.
BOOL WINAPI GetExitCodeProcess(HANDLE hProcess, LPDWORD lpExitCode) {
    PROCESS_BASIC_INFORMATION basic{};
    NTSTATUS status = NtQueryInformationProcess(hProcess, ProcessBasicInformation, &basic, sizeof basic, nullptr);
    if (!NT_SUCCESS(status)) return fail_with(status);
    // A NULL pointer faults on Windows; here it is ERROR_NOACCESS.
    if (!lpExitCode) return fail_with(STATUS_ACCESS_VIOLATION);
    *lpExitCode = static_cast<DWORD>(basic.ExitStatus);
    return TRUE;
}

// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-getprocessid
DWORD WINAPI GetProcessId(HANDLE Process) {
    PROCESS_BASIC_INFORMATION basic{};
    NTSTATUS status = NtQueryInformationProcess(Process, ProcessBasicInformation, &basic, sizeof basic, nullptr);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return 0;
    }
    return static_cast<DWORD>(basic.UniqueProcessId);
}

// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-getpriorityclass
// 0 with the last error on failure.
DWORD WINAPI GetPriorityClass(HANDLE hProcess) {
    ob::ObRef<_EPROCESS> process;
    NTSTATUS status = win32::reference_process(hProcess, kProcessQuery, process);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return 0;
    }
    const UCHAR nt = process->m_priority_class.load(std::memory_order_relaxed);
    for (const PriorityClassName& c : kPriorityClasses)
        if (c.nt == nt) return c.win32;
    return NORMAL_PRIORITY_CLASS;
}

// PROCESS_SET_INFORMATION; one of the six classes, or PROCESS_MODE_BACKGROUND_BEGIN / _END on the
// caller's own process only (ERROR_PROCESS_MODE_ALREADY_BACKGROUND / _NOT_BACKGROUND when it is
// already in / not in that mode). REALTIME_PRIORITY_CLASS without SeIncreaseBasePriorityPrivilege
// gives HIGH_PRIORITY_CLASS, as the Win32_Process SetPriority page says of the same limit:
// https://learn.microsoft.com/windows/win32/cimwin32prov/setpriority-method-in-class-win32-process
// Anything else is ERROR_INVALID_PARAMETER. ntio records the class; the host's scheduling does not
// change.
BOOL WINAPI SetPriorityClass(HANDLE hProcess, DWORD dwPriorityClass) {
    ob::ObRef<_EPROCESS> process;
    NTSTATUS status = win32::reference_process(hProcess, PROCESS_SET_INFORMATION, process);
    if (!NT_SUCCESS(status)) return fail_with(status);
    if (dwPriorityClass == PROCESS_MODE_BACKGROUND_BEGIN || dwPriorityClass == PROCESS_MODE_BACKGROUND_END) {
        // A guess: another process's handle is ERROR_INVALID_PARAMETER (Learn: "can be specified
        // only if hProcess is a handle to the current process").
        if (process.get() != ob::current_process()) return invalid_parameter();
        return win32::switch_background_mode(process->m_background_mode,
                                             dwPriorityClass == PROCESS_MODE_BACKGROUND_BEGIN,
                                             ERROR_PROCESS_MODE_ALREADY_BACKGROUND, ERROR_PROCESS_MODE_NOT_BACKGROUND);
    }
    for (const PriorityClassName& c : kPriorityClasses) {
        if (c.win32 != dwPriorityClass) continue;
        UCHAR nt = c.nt;
        if (nt == ob::kPriorityClassRealtime && !holds_increase_base_priority(process.get()))
            nt = ob::kPriorityClassHigh;
        process->m_priority_class.store(nt, std::memory_order_relaxed);
        return TRUE;
    }
    return invalid_parameter();
}

// https://learn.microsoft.com/windows/win32/api/wow64apiset/nf-wow64apiset-iswow64process
// ntio runs 64-bit programs natively: never WOW64.
BOOL WINAPI IsWow64Process(HANDLE hProcess, PBOOL Wow64Process) {
    ob::ObRef<_EPROCESS> process;
    if (!query_process(hProcess, Wow64Process, process)) return FALSE;
    *Wow64Process = FALSE;
    return TRUE;
}

// https://learn.microsoft.com/windows/win32/api/wow64apiset/nf-wow64apiset-iswow64process2
// "pProcessMachine ... IMAGE_FILE_MACHINE_UNKNOWN if the target process is not a WOW64 process";
// pNativeMachine is the host's machine.
BOOL WINAPI IsWow64Process2(HANDLE hProcess, USHORT* pProcessMachine, USHORT* pNativeMachine) {
    ob::ObRef<_EPROCESS> process;
    if (!query_process(hProcess, pProcessMachine, process)) return FALSE;
    *pProcessMachine = IMAGE_FILE_MACHINE_UNKNOWN;
#if defined(__aarch64__)
    if (pNativeMachine) *pNativeMachine = IMAGE_FILE_MACHINE_ARM64;
#else
    if (pNativeMachine) *pNativeMachine = IMAGE_FILE_MACHINE_AMD64;
#endif
    return TRUE;
}

// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-getstartupinfow
// https://learn.microsoft.com/windows/win32/api/processthreadsapi/ns-processthreadsapi-startupinfow
// The strings stay valid for the life of the process.
VOID WINAPI GetStartupInfoW(LPSTARTUPINFOW lpStartupInfo) {
    if (!lpStartupInfo) return;  // a fault on Windows; nothing here
    const StartupStrings& strings = startup_strings();
    fill_startup_common(lpStartupInfo);
    lpStartupInfo->lpDesktop = const_cast<LPWSTR>(reinterpret_cast<LPCWSTR>(strings.desktop.c_str()));
    lpStartupInfo->lpTitle = const_cast<LPWSTR>(reinterpret_cast<LPCWSTR>(strings.title.c_str()));
}

VOID WINAPI GetStartupInfoA(LPSTARTUPINFOA lpStartupInfo) {
    if (!lpStartupInfo) return;
    const StartupStrings& strings = startup_strings();
    fill_startup_common(lpStartupInfo);
    lpStartupInfo->lpDesktop = const_cast<LPSTR>(strings.desktop_ansi.c_str());
    lpStartupInfo->lpTitle = const_cast<LPSTR>(strings.title_ansi.c_str());
}

// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-getprocesshandlecount
// PROCESS_QUERY_INFORMATION or PROCESS_QUERY_LIMITED_INFORMATION: the handles in its table.
BOOL WINAPI GetProcessHandleCount(HANDLE hProcess, PDWORD pdwHandleCount) {
    ob::ObRef<_EPROCESS> process;
    if (!query_process(hProcess, pdwHandleCount, process)) return FALSE;
    *pdwHandleCount = process->m_handle_table.count();
    return TRUE;
}

}  // extern "C"

// kernel32 process calls: ExitProcess and TerminateProcess, the exit code and id of a process, its
// priority class and boost, affinity and session, the remote debugger check, the WOW64 queries,
// GetStartupInfo and GetProcessHandleCount. ntio's processes live
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

// One fixed NtQueryInformationProcess class of the process into `value`; false, with the last error
// set, for a bad handle, one without the class's right, or a NULL caller `output` (ERROR_NOACCESS,
// where Windows faults).
template <class T>
bool query_class(HANDLE handle, PROCESSINFOCLASS info_class, const void* output, T& value) {
    NTSTATUS status = NtQueryInformationProcess(handle, info_class, &value, sizeof value, nullptr);
    if (NT_SUCCESS(status) && !output) status = STATUS_ACCESS_VIOLATION;
    if (NT_SUCCESS(status)) return true;
    win32::set_last_nt_error(status);
    return false;
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
    if (!query_class(hProcess, ProcessBasicInformation, lpExitCode, basic)) return FALSE;
    *lpExitCode = static_cast<DWORD>(basic.ExitStatus);
    return TRUE;
}

// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-getprocessid
DWORD WINAPI GetProcessId(HANDLE Process) {
    PROCESS_BASIC_INFORMATION basic{};
    if (!query_class(Process, ProcessBasicInformation, &basic, basic)) return 0;
    return static_cast<DWORD>(basic.UniqueProcessId);
}

// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-getpriorityclass
// NtQueryInformationProcess's ProcessPriorityClass; 0 with the last error on failure.
DWORD WINAPI GetPriorityClass(HANDLE hProcess) {
    PROCESS_PRIORITY_CLASS info{};
    if (!query_class(hProcess, ProcessPriorityClass, &info, info)) return 0;
    for (const PriorityClassName& c : kPriorityClasses)
        if (c.nt == info.PriorityClass) return c.win32;
    return NORMAL_PRIORITY_CLASS;
}

// PROCESS_SET_INFORMATION; one of the six classes (NtSetInformationProcess's ProcessPriorityClass),
// or PROCESS_MODE_BACKGROUND_BEGIN / _END on the caller's own process only
// (ERROR_PROCESS_MODE_ALREADY_BACKGROUND / _NOT_BACKGROUND when it is already in / not in that mode).
// REALTIME_PRIORITY_CLASS without SeIncreaseBasePriorityPrivilege gives HIGH_PRIORITY_CLASS, as the
// Win32_Process SetPriority page says of the same limit:
// https://learn.microsoft.com/windows/win32/cimwin32prov/setpriority-method-in-class-win32-process
// Anything else is ERROR_INVALID_PARAMETER. ntio records the class; the host's scheduling does not
// change.
BOOL WINAPI SetPriorityClass(HANDLE hProcess, DWORD dwPriorityClass) {
    if (dwPriorityClass == PROCESS_MODE_BACKGROUND_BEGIN || dwPriorityClass == PROCESS_MODE_BACKGROUND_END) {
        ob::ObRef<_EPROCESS> process;
        NTSTATUS status = win32::reference_process(hProcess, PROCESS_SET_INFORMATION, process);
        if (!NT_SUCCESS(status)) return fail_with(status);
        // A guess: another process's handle is ERROR_INVALID_PARAMETER (Learn: "can be specified
        // only if hProcess is a handle to the current process").
        if (process.get() != ob::current_process()) return invalid_parameter();
        return win32::switch_background_mode(process->m_background_mode,
                                             dwPriorityClass == PROCESS_MODE_BACKGROUND_BEGIN,
                                             ERROR_PROCESS_MODE_ALREADY_BACKGROUND, ERROR_PROCESS_MODE_NOT_BACKGROUND);
    }
    PROCESS_PRIORITY_CLASS info{};
    for (const PriorityClassName& c : kPriorityClasses)
        if (c.win32 == dwPriorityClass) info.PriorityClass = c.nt;
    if (info.PriorityClass == 0) {
        // The handle is checked before the class, as the class's own status would come after it.
        ob::ObRef<_EPROCESS> process;
        NTSTATUS status = win32::reference_process(hProcess, PROCESS_SET_INFORMATION, process);
        return NT_SUCCESS(status) ? invalid_parameter() : fail_with(status);
    }
    NTSTATUS status = NtSetInformationProcess(hProcess, ProcessPriorityClass, &info, sizeof info);
    if (status == STATUS_PRIVILEGE_NOT_HELD && info.PriorityClass == ob::kPriorityClassRealtime) {
        info.PriorityClass = ob::kPriorityClassHigh;
        status = NtSetInformationProcess(hProcess, ProcessPriorityClass, &info, sizeof info);
    }
    return win32::succeeded(status);
}

// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-getprocesspriorityboost
// PROCESS_QUERY_INFORMATION or PROCESS_QUERY_LIMITED_INFORMATION (ProcessPriorityBoost).
BOOL WINAPI GetProcessPriorityBoost(HANDLE hProcess, PBOOL pDisablePriorityBoost) {
    ULONG disabled = 0;
    if (!query_class(hProcess, ProcessPriorityBoost, pDisablePriorityBoost, disabled)) return FALSE;
    *pDisablePriorityBoost = disabled ? TRUE : FALSE;
    return TRUE;
}

// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-setprocesspriorityboost
// PROCESS_SET_INFORMATION. Recorded and reported; the host does not boost threads.
BOOL WINAPI SetProcessPriorityBoost(HANDLE hProcess, BOOL bDisablePriorityBoost) {
    ULONG disable = bDisablePriorityBoost ? TRUE : FALSE;
    return win32::succeeded(NtSetInformationProcess(hProcess, ProcessPriorityBoost, &disable, sizeof disable));
}

// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-getprocessaffinitymask
// PROCESS_QUERY_INFORMATION or PROCESS_QUERY_LIMITED_INFORMATION: the process's mask
// (ProcessBasicInformation's AffinityMask) and the active processors (SystemBasicInformation's).
BOOL WINAPI GetProcessAffinityMask(HANDLE hProcess, PDWORD_PTR lpProcessAffinityMask,
                                   PDWORD_PTR lpSystemAffinityMask) {
    PROCESS_BASIC_INFORMATION basic{};
    NTSTATUS status = NtQueryInformationProcess(hProcess, ProcessBasicInformation, &basic, sizeof basic, nullptr);
    SYSTEM_BASIC_INFORMATION system{};
    if (NT_SUCCESS(status))
        status = NtQuerySystemInformation(SystemBasicInformation, &system, sizeof system, nullptr);
    if (NT_SUCCESS(status) && (!lpProcessAffinityMask || !lpSystemAffinityMask)) status = STATUS_ACCESS_VIOLATION;
    if (!NT_SUCCESS(status)) return fail_with(status);
    *lpProcessAffinityMask = basic.AffinityMask;
    *lpSystemAffinityMask = system.ActiveProcessorsAffinityMask;
    return TRUE;
}

// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-setprocessaffinitymask
// PROCESS_SET_INFORMATION; a mask of a processor that is not active (or none) is
// ERROR_INVALID_PARAMETER. Recorded and reported; the host's scheduling does not change.
BOOL WINAPI SetProcessAffinityMask(HANDLE hProcess, DWORD_PTR dwProcessAffinityMask) {
    KAFFINITY mask = dwProcessAffinityMask;
    return win32::succeeded(NtSetInformationProcess(hProcess, ProcessAffinityMask, &mask, sizeof mask));
}

// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-processidtosessionid
// The process opened by id with PROCESS_QUERY_LIMITED_INFORMATION, then ProcessSessionInformation.
// An unknown id is ERROR_INVALID_PARAMETER (NtOpenProcess's STATUS_INVALID_CID).
BOOL WINAPI ProcessIdToSessionId(DWORD dwProcessId, DWORD* pSessionId) {
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, nullptr, 0, nullptr, nullptr);
    CLIENT_ID id{};
    id.UniqueProcess = reinterpret_cast<HANDLE>(static_cast<ULONG_PTR>(dwProcessId));
    HANDLE process = nullptr;
    NTSTATUS status = NtOpenProcess(&process, PROCESS_QUERY_LIMITED_INFORMATION, &attributes, &id);
    if (!NT_SUCCESS(status)) return fail_with(status);
    PROCESS_SESSION_INFORMATION session{};
    status = NtQueryInformationProcess(process, ProcessSessionInformation, &session, sizeof session, nullptr);
    (void)NtClose(process);
    if (NT_SUCCESS(status) && !pSessionId) status = STATUS_ACCESS_VIOLATION;
    if (!NT_SUCCESS(status)) return fail_with(status);
    *pSessionId = session.SessionId;
    return TRUE;
}

// https://learn.microsoft.com/windows/win32/api/debugapi/nf-debugapi-checkremotedebuggerpresent
// ProcessDebugPort (PROCESS_QUERY_INFORMATION): never debugged in ntio. A NULL output is
// ERROR_INVALID_PARAMETER.
BOOL WINAPI CheckRemoteDebuggerPresent(HANDLE hProcess, PBOOL pbDebuggerPresent) {
    if (!hProcess || !pbDebuggerPresent) return invalid_parameter();
    ULONG_PTR port = 0;
    if (!query_class(hProcess, ProcessDebugPort, pbDebuggerPresent, port)) return FALSE;
    *pbDebuggerPresent = port != 0 ? TRUE : FALSE;
    return TRUE;
}

// https://learn.microsoft.com/windows/win32/api/wow64apiset/nf-wow64apiset-iswow64process
// ntio runs 64-bit programs natively: never WOW64.
BOOL WINAPI IsWow64Process(HANDLE hProcess, PBOOL Wow64Process) {
    ULONG_PTR wow64 = 0;
    if (!query_class(hProcess, ProcessWow64Information, Wow64Process, wow64)) return FALSE;
    *Wow64Process = wow64 != 0 ? TRUE : FALSE;
    return TRUE;
}

// https://learn.microsoft.com/windows/win32/api/wow64apiset/nf-wow64apiset-iswow64process2
// "pProcessMachine ... IMAGE_FILE_MACHINE_UNKNOWN if the target process is not a WOW64 process";
// pNativeMachine is the host's machine.
BOOL WINAPI IsWow64Process2(HANDLE hProcess, USHORT* pProcessMachine, USHORT* pNativeMachine) {
    ULONG_PTR wow64 = 0;
    if (!query_class(hProcess, ProcessWow64Information, pProcessMachine, wow64)) return FALSE;
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
    ULONG count = 0;
    if (!query_class(hProcess, ProcessHandleCount, pdwHandleCount, count)) return FALSE;
    *pdwHandleCount = count;
    return TRUE;
}

// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-getprocessiocounters
// PROCESS_QUERY_INFORMATION or PROCESS_QUERY_LIMITED_INFORMATION: ProcessIoCounters.
BOOL WINAPI GetProcessIoCounters(HANDLE hProcess, PIO_COUNTERS lpIoCounters) {
    IO_COUNTERS counters{};
    if (!query_class(hProcess, ProcessIoCounters, lpIoCounters, counters)) return FALSE;
    *lpIoCounters = counters;
    return TRUE;
}

}  // extern "C"

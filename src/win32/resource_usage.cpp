// What processes, threads and the machine have used: GetProcessTimes, GetThreadTimes and
// GetSystemTimes (FILETIME units, 100 ns) and GlobalMemoryStatusEx, from the host's clocks and
// memory counters.
#include <algorithm>

#include "win32/win32.hpp"
#include "host/system_usage.hpp"

using namespace ntio;

namespace {

FILETIME filetime_of(std::uint64_t hundred_ns) {
    FILETIME ft;
    ft.dwLowDateTime = static_cast<DWORD>(hundred_ns);
    ft.dwHighDateTime = static_cast<DWORD>(hundred_ns >> 32);
    return ft;
}

BOOL fail_with_status(NTSTATUS status) {
    win32::set_last_nt_error(status);
    return FALSE;
}

// The four outputs of GetProcessTimes / GetThreadTimes, from the Nt class's KERNEL_USER_TIMES.
BOOL write_times(const KERNEL_USER_TIMES& times, LPFILETIME creation, LPFILETIME exit, LPFILETIME kernel,
                 LPFILETIME user) {
    // The outputs are not optional; a NULL one faults on Windows and is ERROR_NOACCESS here.
    if (!creation || !exit || !kernel || !user) return fail_with_status(STATUS_ACCESS_VIOLATION);
    *creation = filetime_of(static_cast<std::uint64_t>(times.CreateTime.QuadPart));
    *exit = filetime_of(static_cast<std::uint64_t>(times.ExitTime.QuadPart));
    *kernel = filetime_of(static_cast<std::uint64_t>(times.KernelTime.QuadPart));
    *user = filetime_of(static_cast<std::uint64_t>(times.UserTime.QuadPart));
    return TRUE;
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-getprocesstimes
// NtQueryInformationProcess's ProcessTimes: the exit time is 0 while the process runs ("undefined" on
// Learn); the CPU time is its threads', the ended ones included.
BOOL WINAPI GetProcessTimes(HANDLE hProcess, LPFILETIME lpCreationTime, LPFILETIME lpExitTime,
                            LPFILETIME lpKernelTime, LPFILETIME lpUserTime) {
    KERNEL_USER_TIMES times{};
    NTSTATUS status = NtQueryInformationProcess(hProcess, ProcessTimes, &times, sizeof times, nullptr);
    if (!NT_SUCCESS(status)) return fail_with_status(status);
    return write_times(times, lpCreationTime, lpExitTime, lpKernelTime, lpUserTime);
}

// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-getthreadtimes
// NtQueryInformationThread's ThreadTimes.
BOOL WINAPI GetThreadTimes(HANDLE hThread, LPFILETIME lpCreationTime, LPFILETIME lpExitTime, LPFILETIME lpKernelTime,
                           LPFILETIME lpUserTime) {
    KERNEL_USER_TIMES times{};
    NTSTATUS status = NtQueryInformationThread(hThread, ThreadTimes, &times, sizeof times, nullptr);
    if (!NT_SUCCESS(status)) return fail_with_status(status);
    return write_times(times, lpCreationTime, lpExitTime, lpKernelTime, lpUserTime);
}

// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-getsystemtimes
// Summed over all processors; "lpKernelTime ... This time value also includes the amount of time
// the system has been idle." Every output is optional.
BOOL WINAPI GetSystemTimes(PFILETIME lpIdleTime, PFILETIME lpKernelTime, PFILETIME lpUserTime) {
    host::CpuTimes times;
    // A guess: a host that cannot tell gives ERROR_NOT_SUPPORTED (Windows always can).
    if (!host::system_cpu_times(times)) {
        SetLastError(ERROR_NOT_SUPPORTED);
        return FALSE;
    }
    if (lpIdleTime) *lpIdleTime = filetime_of(times.idle_ns / 100);
    if (lpKernelTime) *lpKernelTime = filetime_of((times.kernel_ns + times.idle_ns) / 100);
    if (lpUserTime) *lpUserTime = filetime_of(times.user_ns / 100);
    return TRUE;
}

// https://learn.microsoft.com/windows/win32/api/sysinfoapi/nf-sysinfoapi-globalmemorystatusex
// https://learn.microsoft.com/windows/win32/api/sysinfoapi/ns-sysinfoapi-memorystatusex
// "You must set the dwLength member before calling this function": another length is
// ERROR_INVALID_PARAMETER. The page file is the host's swap, counted as Windows counts the commit
// limit (physical memory plus the paging files); the virtual figures are the user address space
// GetSystemInfo reports and what the process has mapped of it.
BOOL WINAPI GlobalMemoryStatusEx(LPMEMORYSTATUSEX lpBuffer) {
    if (!lpBuffer) return fail_with_status(STATUS_ACCESS_VIOLATION);
    if (lpBuffer->dwLength != sizeof(MEMORYSTATUSEX)) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    host::MemoryUsage memory;
    if (!host::memory_usage(memory)) {
        SetLastError(ERROR_NOT_SUPPORTED);
        return FALSE;
    }
    SYSTEM_INFO system{};
    GetSystemInfo(&system);
    const std::uint64_t total_virtual = reinterpret_cast<std::uintptr_t>(system.lpMaximumApplicationAddress) -
                                        reinterpret_cast<std::uintptr_t>(system.lpMinimumApplicationAddress) + 1;
    const std::uint64_t used = memory.total_bytes - memory.available_bytes;
    lpBuffer->dwMemoryLoad = memory.total_bytes ? static_cast<DWORD>(used * 100 / memory.total_bytes) : 0;
    lpBuffer->ullTotalPhys = memory.total_bytes;
    lpBuffer->ullAvailPhys = memory.available_bytes;
    lpBuffer->ullTotalPageFile = memory.total_bytes + memory.swap_total_bytes;
    lpBuffer->ullAvailPageFile = memory.available_bytes + memory.swap_free_bytes;
    lpBuffer->ullTotalVirtual = total_virtual;
    lpBuffer->ullAvailVirtual = total_virtual - std::min(total_virtual, memory.process_mapped_bytes);
    lpBuffer->ullAvailExtendedVirtual = 0;  // "Reserved. This value is always 0."
    return TRUE;
}

}  // extern "C"

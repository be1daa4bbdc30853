// kernel32 thread information: GetProcessIdOfThread, the thread priority and priority boost, and
// the thread description. ntio records priorities and reports them (KeQueryPriorityThread sees the
// same base priority); the host's scheduling of the thread does not change.
#include <cstring>
#include <vector>

#include "win32/process_handles.hpp"
#include "host/thread.hpp"
#include "ke/thread.hpp"

using namespace ntio;

namespace {

constexpr ACCESS_MASK kThreadQuery = THREAD_QUERY_INFORMATION | THREAD_QUERY_LIMITED_INFORMATION;
constexpr ACCESS_MASK kThreadSet = THREAD_SET_INFORMATION | THREAD_SET_LIMITED_INFORMATION;
// The base priority of a normal-class process, which KeSetBasePriorityThread adds the increment to.
constexpr LONG kProcessBasePriority = 8;

BOOL fail_thread_call(NTSTATUS status) {
    win32::set_last_nt_error(status);
    return FALSE;
}

// THREAD_MODE_BACKGROUND_BEGIN .. _END of the calling thread.
thread_local std::atomic<bool> t_background_mode{false};

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-getprocessidofthread
// THREAD_QUERY_INFORMATION or THREAD_QUERY_LIMITED_INFORMATION; 0 with the last error on failure.
DWORD WINAPI GetProcessIdOfThread(HANDLE Thread) {
    ob::ObRef<_ETHREAD> thread;
    NTSTATUS status = win32::reference_thread(Thread, kThreadQuery, thread);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return 0;
    }
    return thread->m_process ? static_cast<DWORD>(reinterpret_cast<ULONG_PTR>(thread->m_process->m_unique_id)) : 0;
}

// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-getthreadpriority
// THREAD_PRIORITY_ERROR_RETURN with the last error on failure. The saturated increments (+-15)
// read back as THREAD_PRIORITY_TIME_CRITICAL and THREAD_PRIORITY_IDLE.
int WINAPI GetThreadPriority(HANDLE hThread) {
    ob::ObRef<_ETHREAD> thread;
    NTSTATUS status = win32::reference_thread(hThread, kThreadQuery, thread);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return THREAD_PRIORITY_ERROR_RETURN;
    }
    const LONG increment = __atomic_load_n(&thread->m_base_priority, __ATOMIC_RELAXED) - kProcessBasePriority;
    if (increment > THREAD_PRIORITY_HIGHEST) return THREAD_PRIORITY_TIME_CRITICAL;
    if (increment < THREAD_PRIORITY_LOWEST) return THREAD_PRIORITY_IDLE;
    return increment;
}

// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-setthreadpriority
// THREAD_SET_INFORMATION or THREAD_SET_LIMITED_INFORMATION. THREAD_PRIORITY_LOWEST..HIGHEST, _IDLE
// and _TIME_CRITICAL set the base priority (ThreadBasePriority's increments); the background mode
// values only on the calling thread, failing with ERROR_THREAD_MODE_ALREADY_BACKGROUND /
// _NOT_BACKGROUND when it is already in / not in that mode. Anything else is
// ERROR_INVALID_PARAMETER.
BOOL WINAPI SetThreadPriority(HANDLE hThread, int nPriority) {
    ob::ObRef<_ETHREAD> thread;
    NTSTATUS status = win32::reference_thread(hThread, kThreadSet, thread);
    if (!NT_SUCCESS(status)) return fail_thread_call(status);
    if (nPriority == THREAD_MODE_BACKGROUND_BEGIN || nPriority == THREAD_MODE_BACKGROUND_END) {
        // A guess: another thread's handle is ERROR_INVALID_PARAMETER (Learn: "can be specified
        // only if hThread is a handle to the current thread").
        if (thread.get() != ke::current_thread()) return fail_thread_call(STATUS_INVALID_PARAMETER);
        return win32::switch_background_mode(t_background_mode, nPriority == THREAD_MODE_BACKGROUND_BEGIN,
                                             ERROR_THREAD_MODE_ALREADY_BACKGROUND, ERROR_THREAD_MODE_NOT_BACKGROUND);
    }
    const bool in_range = nPriority >= THREAD_PRIORITY_LOWEST && nPriority <= THREAD_PRIORITY_HIGHEST;
    if (!in_range && nPriority != THREAD_PRIORITY_IDLE && nPriority != THREAD_PRIORITY_TIME_CRITICAL)
        return fail_thread_call(STATUS_INVALID_PARAMETER);
    (void)KeSetBasePriorityThread(thread.get(), nPriority);
    return TRUE;
}

// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-getthreadpriorityboost
// TRUE in *pDisablePriorityBoost when boosting is disabled.
BOOL WINAPI GetThreadPriorityBoost(HANDLE hThread, PBOOL pDisablePriorityBoost) {
    ob::ObRef<_ETHREAD> thread;
    NTSTATUS status = win32::reference_thread(hThread, kThreadQuery, thread);
    if (!NT_SUCCESS(status)) return fail_thread_call(status);
    if (!pDisablePriorityBoost) return fail_thread_call(STATUS_ACCESS_VIOLATION);
    *pDisablePriorityBoost = thread->m_priority_boost_disabled.load(std::memory_order_relaxed) ? TRUE : FALSE;
    return TRUE;
}

// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-setthreadpriorityboost
BOOL WINAPI SetThreadPriorityBoost(HANDLE hThread, BOOL bDisablePriorityBoost) {
    ob::ObRef<_ETHREAD> thread;
    NTSTATUS status = win32::reference_thread(hThread, kThreadSet, thread);
    if (!NT_SUCCESS(status)) return fail_thread_call(status);
    thread->m_priority_boost_disabled.store(bDisablePriorityBoost != FALSE, std::memory_order_relaxed);
    return TRUE;
}

// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-setthreaddescription
// NtSetInformationThread(ThreadNameInformation): THREAD_SET_LIMITED_INFORMATION. A failure is the
// NTSTATUS as an HRESULT (HRESULT_FROM_NT), a guess where Learn says only "an HRESULT that denotes
// the error"; so is reading a NULL description
// as the empty one, and STATUS_NAME_TOO_LONG beyond what a UNICODE_STRING holds. The calling
// thread's host thread gets the name too (cut to what the host keeps); NT deviation: another
// thread's host thread keeps its name.
HRESULT WINAPI SetThreadDescription(HANDLE hThread, PCWSTR lpThreadDescription) {
    std::size_t length = 0;
    if (lpThreadDescription) {
        while (lpThreadDescription[length] && length <= UNICODE_STRING_MAX_CHARS) ++length;
        if (length > UNICODE_STRING_MAX_CHARS) return HRESULT_FROM_NT(STATUS_NAME_TOO_LONG);
    }
    THREAD_NAME_INFORMATION name{};
    name.ThreadName.Length = name.ThreadName.MaximumLength = static_cast<USHORT>(length * sizeof(WCHAR));
    name.ThreadName.Buffer = const_cast<PWSTR>(lpThreadDescription);
    NTSTATUS status = NtSetInformationThread(hThread, ThreadNameInformation, &name, sizeof name);
    if (!NT_SUCCESS(status)) return HRESULT_FROM_NT(status);
    if (ob::ObRef<_ETHREAD> thread; NT_SUCCESS(win32::reference_thread(hThread, 0, thread)) &&
                                    thread.get() == ke::current_thread_if_any()) {
        const auto* chars = reinterpret_cast<const char16_t*>(lpThreadDescription);
        host::set_current_thread_name(win32::utf16_to_ansi(std::u16string(chars ? chars : u"", length)).c_str());
    }
    return S_OK;
}

// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-getthreaddescription
// NtQueryInformationThread(ThreadNameInformation): THREAD_QUERY_LIMITED_INFORMATION. The
// description (empty when none was set) in a LocalAlloc block
// the caller frees with LocalFree.
HRESULT WINAPI GetThreadDescription(HANDLE hThread, PWSTR* ppszThreadDescription) {
    if (!ppszThreadDescription) return HRESULT_FROM_NT(STATUS_ACCESS_VIOLATION);
    *ppszThreadDescription = nullptr;
    // NtQueryInformationThread(ThreadNameInformation), asked again while the description grows.
    std::vector<ULONG_PTR> buffer(64);
    NTSTATUS status;
    for (;;) {
        ULONG needed = 0;
        status = NtQueryInformationThread(hThread, ThreadNameInformation, buffer.data(),
                                          static_cast<ULONG>(buffer.size() * sizeof(ULONG_PTR)), &needed);
        if (status != STATUS_BUFFER_TOO_SMALL) break;
        buffer.resize((needed + sizeof(ULONG_PTR) - 1) / sizeof(ULONG_PTR));
    }
    if (!NT_SUCCESS(status)) return HRESULT_FROM_NT(status);
    const UNICODE_STRING& text = reinterpret_cast<const THREAD_NAME_INFORMATION*>(buffer.data())->ThreadName;
    const std::size_t length = text.Length / sizeof(WCHAR);
    auto* out = static_cast<PWSTR>(LocalAlloc(LMEM_FIXED, (length + 1) * sizeof(WCHAR)));
    if (!out) return E_OUTOFMEMORY;
    if (length) std::memcpy(out, text.Buffer, length * sizeof(WCHAR));
    out[length] = 0;
    *ppszThreadDescription = out;
    return S_OK;
}

}  // extern "C"

// BindIoCompletionCallback: each bound file gets a completion port whose key is the callback and one
// thread (a Win32 thread of the process) that calls callback(error, bytes, overlapped) per packet. The
// thread ends, and closes the port, once the file is gone and the port is drained.
#include "win32/io_overlapped.hpp"

using namespace ntio;

namespace ntio::win32 {
NTSTATUS associate_completion_port(HANDLE file, HANDLE port, ULONG_PTR key);
}  // namespace ntio::win32

namespace {

// NT deviation: Windows serves every bound file from one process-wide pool that lives until the process
// ends; ntio has no process-exit hook for it, so each binding owns a port and a thread that exit when
// only the thread's own handle still references the port.
constexpr DWORD kIdlePollMilliseconds = 10;

bool port_only_referenced_by_us(HANDLE port) {
    OBJECT_BASIC_INFORMATION info{};
    ULONG length = 0;
    if (!NT_SUCCESS(NtQueryObject(port, ObjectBasicInformation, &info, sizeof(info), &length))) return true;
    // The count includes the query's own reference (NT fact H9) and our handle's; a bound file object
    // holds one more.
    return info.HandleCount <= 1 && info.PointerCount <= 2;
}

DWORD WINAPI callback_thread(LPVOID parameter) {
    HANDLE port = parameter;
    for (;;) {
        DWORD bytes = 0;
        ULONG_PTR key = 0;
        LPOVERLAPPED ov = nullptr;
        const BOOL ok = GetQueuedCompletionStatus(port, &bytes, &key, &ov, kIdlePollMilliseconds);
        if (ov) {
            // NT fact F13: the callback gets the request's Win32 error, bytes and OVERLAPPED.
            const DWORD error = ok ? ERROR_SUCCESS : GetLastError();
            reinterpret_cast<LPOVERLAPPED_COMPLETION_ROUTINE>(key)(error, bytes, ov);
            continue;
        }
        if (GetLastError() != WAIT_TIMEOUT || port_only_referenced_by_us(port)) break;
    }
    (void)NtClose(port);
    return 0;
}

}  // namespace

extern "C" {

BOOL WINAPI BindIoCompletionCallback(HANDLE FileHandle, LPOVERLAPPED_COMPLETION_ROUTINE Function, ULONG Flags) {
    win32::ensure_system();
    if (Flags || !Function) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    HANDLE port = nullptr;
    NTSTATUS status = NtCreateIoCompletion(&port, IO_COMPLETION_ALL_ACCESS, nullptr, 0);
    if (NT_SUCCESS(status)) {
        // NT fact F13: a synchronous handle or a second binding is refused by the association itself.
        status = win32::associate_completion_port(FileHandle, port, reinterpret_cast<ULONG_PTR>(Function));
        if (!NT_SUCCESS(status)) (void)NtClose(port);
    }
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return FALSE;
    }
    HANDLE thread = CreateThread(nullptr, 0, callback_thread, port, 0, nullptr);
    if (!thread) {
        // The file stays associated with a port nobody serves; report the failure as Windows would.
        const DWORD error = GetLastError();
        (void)NtClose(port);
        SetLastError(error);
        return FALSE;
    }
    (void)CloseHandle(thread);
    return TRUE;
}

}  // extern "C"

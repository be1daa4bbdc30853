// The server side of kernel32's pipes: CreateNamedPipeA/W over NtCreateNamedPipeFile, ConnectNamedPipe
// and DisconnectNamedPipe over FSCTL_PIPE_LISTEN / FSCTL_PIPE_DISCONNECT, and CreatePipe, an anonymous
// pipe made of a uniquely named one-instance pipe and a client open of it.
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-createnamedpipea
#include <atomic>

#include "win32/io_overlapped.hpp"
#include "win32/local_fs_names.hpp"
#include <ntifs.h>  // the FSCTL_PIPE_* codes and the pipe information classes

using namespace ntio;

namespace {

constexpr DWORD kOpenModeFlags = PIPE_ACCESS_DUPLEX | FILE_FLAG_FIRST_PIPE_INSTANCE | FILE_FLAG_WRITE_THROUGH |
                                 FILE_FLAG_OVERLAPPED | WRITE_DAC | WRITE_OWNER | ACCESS_SYSTEM_SECURITY;
constexpr DWORD kPipeModeFlags = PIPE_NOWAIT | PIPE_READMODE_MESSAGE | PIPE_TYPE_MESSAGE | PIPE_REJECT_REMOTE_CLIENTS;

// "A value of zero will result in a default time-out of 50 milliseconds" (nDefaultTimeOut).
constexpr LONGLONG kDefaultPipeTimeoutMs = 50;

HANDLE create_named_pipe(win32::DosPathAttributes& attributes, DWORD open_mode, DWORD pipe_mode, DWORD max_instances,
                         DWORD out_size, DWORD in_size, DWORD default_timeout) {
    win32::ensure_system();
    if (NTSTATUS status = win32::check_name_under(attributes, win32::kPipePrefix); !NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return INVALID_HANDLE_VALUE;
    }
    // The direction is the access bits of dwOpenMode, one of them at least; an instance count of 1
    // to PIPE_UNLIMITED_INSTANCES; only the documented mode flags.
    if ((open_mode & ~kOpenModeFlags) || !(open_mode & PIPE_ACCESS_DUPLEX) || (pipe_mode & ~kPipeModeFlags) ||
        max_instances == 0 || max_instances > PIPE_UNLIMITED_INSTANCES) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return INVALID_HANDLE_VALUE;
    }
    // The server's access is its direction's generic rights; its share access is what it leaves the
    // client: an inbound pipe lets the client write, an outbound one read.
    ACCESS_MASK access = (open_mode & (WRITE_DAC | WRITE_OWNER | ACCESS_SYSTEM_SECURITY)) | SYNCHRONIZE;
    ULONG share = 0;
    if (open_mode & PIPE_ACCESS_INBOUND) {
        access |= GENERIC_READ;
        share |= FILE_SHARE_WRITE;
    }
    if (open_mode & PIPE_ACCESS_OUTBOUND) {
        access |= GENERIC_WRITE;
        share |= FILE_SHARE_READ;
    }
    ULONG options = 0;
    if (!(open_mode & FILE_FLAG_OVERLAPPED)) options |= FILE_SYNCHRONOUS_IO_NONALERT;
    if (open_mode & FILE_FLAG_WRITE_THROUGH) options |= FILE_WRITE_THROUGH;
    // FILE_FLAG_FIRST_PIPE_INSTANCE: "If you attempt to create multiple instances of a pipe with this
    // flag, creation of the first instance succeeds, but creation of the next instance fails with
    // ERROR_ACCESS_DENIED": the pipe must not exist yet (FILE_CREATE).
    const ULONG disposition = (open_mode & FILE_FLAG_FIRST_PIPE_INSTANCE) ? FILE_CREATE : FILE_OPEN_IF;
    ULONG type = (pipe_mode & PIPE_TYPE_MESSAGE) ? FILE_PIPE_MESSAGE_TYPE : FILE_PIPE_BYTE_STREAM_TYPE;
    if (pipe_mode & PIPE_REJECT_REMOTE_CLIENTS) type |= FILE_PIPE_REJECT_REMOTE_CLIENTS;
    const ULONG read_mode = (pipe_mode & PIPE_READMODE_MESSAGE) ? FILE_PIPE_MESSAGE_MODE : FILE_PIPE_BYTE_STREAM_MODE;
    const ULONG completion = (pipe_mode & PIPE_NOWAIT) ? FILE_PIPE_COMPLETE_OPERATION : FILE_PIPE_QUEUE_OPERATION;
    // PIPE_UNLIMITED_INSTANCES is NT's "no limit", all bits set.
    const ULONG instances = max_instances == PIPE_UNLIMITED_INSTANCES ? 0xFFFFFFFFu : max_instances;
    LARGE_INTEGER timeout;
    timeout.QuadPart = -static_cast<LONGLONG>(default_timeout ? default_timeout : kDefaultPipeTimeoutMs) * 10000;
    HANDLE handle = nullptr;
    IO_STATUS_BLOCK iosb{};
    // A byte-stream pipe in message read mode is refused by NtCreateNamedPipeFile
    // (STATUS_INVALID_PARAMETER, ERROR_INVALID_PARAMETER).
    const NTSTATUS status = NtCreateNamedPipeFile(&handle, access, attributes.get(), &iosb, share, disposition, options,
                                                  type, read_mode, completion, instances, in_size, out_size, &timeout);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return INVALID_HANDLE_VALUE;
    }
    // ERROR_ALREADY_EXISTS for a further instance of an existing pipe, as CreateFile reports an open.
    SetLastError(iosb.Information == FILE_OPENED ? ERROR_ALREADY_EXISTS : ERROR_SUCCESS);
    return handle;
}

// One synchronous FSCTL without buffers: waits on the handle when it pends (NT fact E3's rule that
// the IOSB speaks only for a request that did not fail).
NTSTATUS pipe_control(HANDLE pipe, ULONG code) {
    IO_STATUS_BLOCK iosb{};
    const NTSTATUS status = NtFsControlFile(pipe, nullptr, nullptr, nullptr, &iosb, code, nullptr, 0, nullptr, 0);
    return win32::wait_for_pending(pipe, status, iosb);
}

std::atomic<ULONG> g_anonymous_pipes{0};

}  // namespace

extern "C" {

HANDLE WINAPI CreateNamedPipeW(LPCWSTR lpName, DWORD dwOpenMode, DWORD dwPipeMode, DWORD nMaxInstances,
                               DWORD nOutBufferSize, DWORD nInBufferSize, DWORD nDefaultTimeOut,
                               LPSECURITY_ATTRIBUTES lpSecurityAttributes) {
    win32::DosPathAttributes attributes(lpName, lpSecurityAttributes);
    return create_named_pipe(attributes, dwOpenMode, dwPipeMode, nMaxInstances, nOutBufferSize, nInBufferSize,
                             nDefaultTimeOut);
}

HANDLE WINAPI CreateNamedPipeA(LPCSTR lpName, DWORD dwOpenMode, DWORD dwPipeMode, DWORD nMaxInstances,
                               DWORD nOutBufferSize, DWORD nInBufferSize, DWORD nDefaultTimeOut,
                               LPSECURITY_ATTRIBUTES lpSecurityAttributes) {
    win32::DosPathAttributes attributes(lpName, lpSecurityAttributes);
    return create_named_pipe(attributes, dwOpenMode, dwPipeMode, nMaxInstances, nOutBufferSize, nInBufferSize,
                             nDefaultTimeOut);
}

// NT fact O1: a client already connected is STATUS_PIPE_CONNECTED (ERROR_PIPE_CONNECTED) with the
// IOSB untouched, so an OVERLAPPED's Internal stays STATUS_PENDING.
BOOL WINAPI ConnectNamedPipe(HANDLE hNamedPipe, LPOVERLAPPED lpOverlapped) {
    win32::ensure_system();
    if (lpOverlapped) {
        lpOverlapped->Internal = STATUS_PENDING;
        const NTSTATUS status = NtFsControlFile(hNamedPipe, win32::overlapped_event(lpOverlapped), nullptr,
                                                win32::overlapped_apc_context(lpOverlapped),
                                                win32::overlapped_iosb(lpOverlapped), FSCTL_PIPE_LISTEN, nullptr, 0,
                                                nullptr, 0);
        return win32::finish_overlapped(status, lpOverlapped, nullptr);
    }
    const NTSTATUS status = pipe_control(hNamedPipe, FSCTL_PIPE_LISTEN);
    return win32::succeeded(status);
}

BOOL WINAPI DisconnectNamedPipe(HANDLE hNamedPipe) {
    win32::ensure_system();
    const NTSTATUS status = pipe_control(hNamedPipe, FSCTL_PIPE_DISCONNECT);
    return win32::succeeded(status);
}

// "If nSize is zero, the system uses the default buffer size" (CreatePipe): a page. The read end is
// the server of a one-instance inbound byte pipe; the write end is a client open of it.
BOOL WINAPI CreatePipe(PHANDLE hReadPipe, PHANDLE hWritePipe, LPSECURITY_ATTRIBUTES lpPipeAttributes, DWORD nSize) {
    win32::ensure_system();
    char16_t name[80];
    const ULONG serial = g_anonymous_pipes.fetch_add(1, std::memory_order_relaxed);
    char text[80];
    const int length = std::snprintf(text, sizeof text, "\\Device\\NamedPipe\\Win32Pipes.%08lx.%08lx",
                                     static_cast<unsigned long>(GetCurrentProcessId()), static_cast<unsigned long>(serial));
    for (int i = 0; i <= length; ++i) name[i] = static_cast<char16_t>(text[i]);
    UNICODE_STRING nt_name;
    nt_name.Buffer = reinterpret_cast<PWCH>(name);
    nt_name.Length = static_cast<USHORT>(length * sizeof(WCHAR));
    nt_name.MaximumLength = nt_name.Length;
    ULONG object_attributes = OBJ_CASE_INSENSITIVE;
    if (lpPipeAttributes && lpPipeAttributes->bInheritHandle) object_attributes |= OBJ_INHERIT;
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, &nt_name, object_attributes, nullptr,
                               lpPipeAttributes ? lpPipeAttributes->lpSecurityDescriptor : nullptr);
    const ULONG quota = nSize ? nSize : PAGE_SIZE;
    LARGE_INTEGER timeout;
    timeout.QuadPart = -120LL * 10000000;  // the server's default wait time; nothing waits on it
    HANDLE read = nullptr;
    IO_STATUS_BLOCK iosb{};
    NTSTATUS status = NtCreateNamedPipeFile(&read, GENERIC_READ | FILE_WRITE_ATTRIBUTES | SYNCHRONIZE, &attributes, &iosb,
                                            FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_CREATE, FILE_SYNCHRONOUS_IO_NONALERT,
                                            FILE_PIPE_BYTE_STREAM_TYPE, FILE_PIPE_BYTE_STREAM_MODE,
                                            FILE_PIPE_QUEUE_OPERATION, 1, quota, quota, &timeout);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return FALSE;
    }
    HANDLE write = nullptr;
    status = NtOpenFile(&write, GENERIC_WRITE | FILE_READ_ATTRIBUTES | SYNCHRONIZE, &attributes, &iosb, FILE_SHARE_READ,
                        FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE);
    if (!NT_SUCCESS(status)) {
        (void)NtClose(read);
        win32::set_last_nt_error(status);
        return FALSE;
    }
    *hReadPipe = read;
    *hWritePipe = write;
    return TRUE;
}

}  // extern "C"

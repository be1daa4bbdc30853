// The client and data calls of kernel32's pipes: WaitNamedPipeA/W (FSCTL_PIPE_WAIT on the pipe file
// system's root), PeekNamedPipe (FSCTL_PIPE_PEEK), TransactNamedPipe (FSCTL_PIPE_TRANSCEIVE) and
// CallNamedPipeA/W (open, message mode, transact, close).
#include <cstring>
#include <limits>
#include <vector>

#include "win32/io_overlapped.hpp"
#include "win32/local_fs_names.hpp"
#include <ntifs.h>  // the FSCTL_PIPE_* codes and the pipe information classes

using namespace ntio;

namespace {

// WaitNamedPipe: the pipe file system's root (`\??\pipe\`) receives FSCTL_PIPE_WAIT with the name
// below it. NMPWAIT_USE_DEFAULT_WAIT leaves the time-out to the pipe's default (TimeoutSpecified
// FALSE); NMPWAIT_WAIT_FOREVER is the longest relative interval there is.
// https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-waitnamedpipew
BOOL wait_named_pipe(win32::DosPathAttributes& attributes, DWORD timeout_ms) {
    win32::ensure_system();
    NTSTATUS status = win32::check_name_under(attributes, win32::kPipePrefix);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return FALSE;
    }
    const std::u16string& path = attributes.nt_path();
    std::u16string root(win32::kPipePrefix);
    UNICODE_STRING root_name;
    root_name.Buffer = reinterpret_cast<PWCH>(root.data());
    root_name.Length = static_cast<USHORT>(root.size() * sizeof(WCHAR));
    root_name.MaximumLength = root_name.Length;
    OBJECT_ATTRIBUTES root_attributes;
    InitializeObjectAttributes(&root_attributes, &root_name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    HANDLE device = nullptr;
    IO_STATUS_BLOCK iosb{};
    status = NtOpenFile(&device, FILE_READ_ATTRIBUTES | SYNCHRONIZE, &root_attributes, &iosb,
                        FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_SYNCHRONOUS_IO_NONALERT);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return FALSE;
    }
    const std::u16string_view name = std::u16string_view(path).substr(win32::kPipePrefix.size());
    const std::size_t bytes = offsetof(FILE_PIPE_WAIT_FOR_BUFFER, Name) + name.size() * sizeof(WCHAR);
    std::vector<unsigned char> storage(bytes);
    auto* wait = reinterpret_cast<PFILE_PIPE_WAIT_FOR_BUFFER>(storage.data());
    wait->NameLength = static_cast<ULONG>(name.size() * sizeof(WCHAR));
    std::memcpy(wait->Name, name.data(), wait->NameLength);
    wait->TimeoutSpecified = timeout_ms != NMPWAIT_USE_DEFAULT_WAIT;
    wait->Timeout.QuadPart = timeout_ms == NMPWAIT_WAIT_FOREVER ? std::numeric_limits<LONGLONG>::min()
                                                                 : -static_cast<LONGLONG>(timeout_ms) * 10000;
    status = NtFsControlFile(device, nullptr, nullptr, nullptr, &iosb, FSCTL_PIPE_WAIT, wait,
                             static_cast<ULONG>(bytes), nullptr, 0);
    status = win32::wait_for_pending(device, status, iosb);
    (void)NtClose(device);
    if (!NT_SUCCESS(status)) {
        // No such pipe: ERROR_FILE_NOT_FOUND, as CreateFile reports it; a wait that ran out is
        // STATUS_IO_TIMEOUT, ERROR_SEM_TIMEOUT.
        win32::set_last_nt_error(status);
        return FALSE;
    }
    return TRUE;
}

BOOL call_named_pipe(win32::DosPathAttributes& attributes, LPVOID in, DWORD in_size, LPVOID out, DWORD out_size,
                     LPDWORD bytes_read, DWORD timeout_ms);

}  // namespace

extern "C" {

BOOL WINAPI WaitNamedPipeW(LPCWSTR lpNamedPipeName, DWORD nTimeOut) {
    win32::DosPathAttributes attributes(lpNamedPipeName, nullptr);
    return wait_named_pipe(attributes, nTimeOut);
}

BOOL WINAPI WaitNamedPipeA(LPCSTR lpNamedPipeName, DWORD nTimeOut) {
    win32::DosPathAttributes attributes(lpNamedPipeName, nullptr);
    return wait_named_pipe(attributes, nTimeOut);
}

// FSCTL_PIPE_PEEK into a FILE_PIPE_PEEK_BUFFER of the caller's size; STATUS_BUFFER_OVERFLOW (more data
// than fits) is a success for PeekNamedPipe. A pipe that is not connected is STATUS_INVALID_PIPE_STATE,
// ERROR_BAD_PIPE.
BOOL WINAPI PeekNamedPipe(HANDLE hNamedPipe, LPVOID lpBuffer, DWORD nBufferSize, LPDWORD lpBytesRead,
                          LPDWORD lpTotalBytesAvail, LPDWORD lpBytesLeftThisMessage) {
    win32::ensure_system();
    constexpr std::size_t header = offsetof(FILE_PIPE_PEEK_BUFFER, Data);
    const DWORD wanted = lpBuffer ? nBufferSize : 0;
    std::vector<unsigned char> storage;
    try {
        storage.resize(header + wanted);
    } catch (const std::bad_alloc&) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    IO_STATUS_BLOCK iosb{};
    NTSTATUS status = NtFsControlFile(hNamedPipe, nullptr, nullptr, nullptr, &iosb, FSCTL_PIPE_PEEK, nullptr, 0,
                                      storage.data(), static_cast<ULONG>(storage.size()));
    status = win32::wait_for_pending(hNamedPipe, status, iosb);
    if (NT_ERROR(status)) {
        win32::set_last_nt_error(status);
        return FALSE;
    }
    const auto* peek = reinterpret_cast<const FILE_PIPE_PEEK_BUFFER*>(storage.data());
    const DWORD copied = iosb.Information > header ? static_cast<DWORD>(iosb.Information - header) : 0;
    if (copied) std::memcpy(lpBuffer, peek->Data, copied);
    if (lpBytesRead) *lpBytesRead = copied;
    if (lpTotalBytesAvail) *lpTotalBytesAvail = peek->ReadDataAvailable;
    // The message's length less what was copied: on a byte pipe MessageLength is 0 and the value wraps
    // (Wine's kernel32 pipe tests: 4 bytes peeked of a byte pipe leave -4).
    if (lpBytesLeftThisMessage) *lpBytesLeftThisMessage = peek->MessageLength - copied;
    return TRUE;
}

// FSCTL_PIPE_TRANSCEIVE writes the message and reads the reply in one request; a reply longer than
// the buffer is STATUS_BUFFER_OVERFLOW: FALSE, ERROR_MORE_DATA and the bytes that fit.
BOOL WINAPI TransactNamedPipe(HANDLE hNamedPipe, LPVOID lpInBuffer, DWORD nInBufferSize, LPVOID lpOutBuffer,
                              DWORD nOutBufferSize, LPDWORD lpBytesRead, LPOVERLAPPED lpOverlapped) {
    win32::ensure_system();
    return win32::control_request(NtFsControlFile, hNamedPipe, FSCTL_PIPE_TRANSCEIVE, lpInBuffer, nInBufferSize,
                                  lpOutBuffer, nOutBufferSize, lpBytesRead, lpOverlapped);
}

BOOL WINAPI CallNamedPipeW(LPCWSTR lpNamedPipeName, LPVOID lpInBuffer, DWORD nInBufferSize, LPVOID lpOutBuffer,
                           DWORD nOutBufferSize, LPDWORD lpBytesRead, DWORD nTimeOut) {
    win32::DosPathAttributes attributes(lpNamedPipeName, nullptr);
    return call_named_pipe(attributes, lpInBuffer, nInBufferSize, lpOutBuffer, nOutBufferSize, lpBytesRead, nTimeOut);
}

BOOL WINAPI CallNamedPipeA(LPCSTR lpNamedPipeName, LPVOID lpInBuffer, DWORD nInBufferSize, LPVOID lpOutBuffer,
                           DWORD nOutBufferSize, LPDWORD lpBytesRead, DWORD nTimeOut) {
    win32::DosPathAttributes attributes(lpNamedPipeName, nullptr);
    return call_named_pipe(attributes, lpInBuffer, nInBufferSize, lpOutBuffer, nOutBufferSize, lpBytesRead, nTimeOut);
}

}  // extern "C"

namespace {

// "Calling CallNamedPipe is equivalent to calling the CreateFile (or WaitNamedPipe, if CreateFile
// cannot open the pipe immediately), TransactNamedPipe, and CloseHandle functions"; the pipe must be
// a message pipe, which the client end is switched to reading as messages.
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-callnamedpipea
BOOL call_named_pipe(win32::DosPathAttributes& attributes, LPVOID in, DWORD in_size, LPVOID out, DWORD out_size,
                     LPDWORD bytes_read, DWORD timeout_ms) {
    win32::ensure_system();
    if (NTSTATUS status = win32::check_name_under(attributes, win32::kPipePrefix); !NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return FALSE;
    }
    HANDLE pipe = nullptr;
    for (int attempt = 0;; ++attempt) {
        IO_STATUS_BLOCK iosb{};
        const NTSTATUS status = NtOpenFile(&pipe, GENERIC_READ | GENERIC_WRITE | SYNCHRONIZE, attributes.get(), &iosb,
                                           0, FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE);
        if (NT_SUCCESS(status)) break;
        // Busy (every instance taken): wait once for an instance, then try again.
        if (attempt == 0 && (status == STATUS_PIPE_NOT_AVAILABLE || status == STATUS_INSTANCE_NOT_AVAILABLE ||
                             status == STATUS_PIPE_BUSY)) {
            if (!wait_named_pipe(attributes, timeout_ms)) return FALSE;
            continue;
        }
        win32::set_last_nt_error(status);
        return FALSE;
    }
    DWORD mode = PIPE_READMODE_MESSAGE;
    BOOL ok = SetNamedPipeHandleState(pipe, &mode, nullptr, nullptr);
    if (ok) ok = TransactNamedPipe(pipe, in, in_size, out, out_size, bytes_read, nullptr);
    const DWORD error = GetLastError();
    (void)NtClose(pipe);
    SetLastError(error);
    return ok;
}

}  // namespace

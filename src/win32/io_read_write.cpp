// ReadFile / WriteFile and their completion-routine (Ex) and scatter/gather forms over NtReadFile,
// NtWriteFile, NtReadFileScatter and NtWriteFileGather. Win32 stores STATUS_PENDING in Internal before
// the NT call (NT fact H7) and decides the return value from the status alone (E3).
#include "win32/io_overlapped.hpp"

using namespace ntio;

namespace {

enum class Direction { read, write };

NTSTATUS transfer(Direction direction, HANDLE file, HANDLE event, PIO_APC_ROUTINE apc, PVOID context,
                  PIO_STATUS_BLOCK iosb, PVOID buffer, DWORD length, PLARGE_INTEGER offset) {
    return direction == Direction::read
               ? NtReadFile(file, event, apc, context, iosb, buffer, length, offset, nullptr)
               : NtWriteFile(file, event, apc, context, iosb, buffer, length, offset, nullptr);
}

BOOL read_or_write(Direction direction, HANDLE file, PVOID buffer, DWORD length, LPDWORD bytes, LPOVERLAPPED ov) {
    win32::ensure_system();
    if (bytes) *bytes = 0;  // NT facts H8, I7
    if (ov) {
        ov->Internal = STATUS_PENDING;
        LARGE_INTEGER offset = win32::overlapped_offset(ov);
        const NTSTATUS status = transfer(direction, file, win32::overlapped_event(ov), nullptr,
                                         win32::overlapped_apc_context(ov), win32::overlapped_iosb(ov), buffer,
                                         length, &offset);
        return win32::finish_overlapped(status, ov, bytes);
    }
    IO_STATUS_BLOCK iosb{};
    NTSTATUS status = transfer(direction, file, nullptr, nullptr, nullptr, &iosb, buffer, length, nullptr);
    status = win32::wait_for_pending(file, status, iosb);
    // NT fact I1: a synchronous read at end of file is a successful read of 0 bytes.
    if (direction == Direction::read && status == STATUS_END_OF_FILE) return TRUE;
    if (bytes && !NT_ERROR(status)) *bytes = static_cast<DWORD>(iosb.Information);
    return win32::succeeded(status);
}

BOOL read_or_write_ex(Direction direction, HANDLE file, PVOID buffer, DWORD length, LPOVERLAPPED ov,
                      LPOVERLAPPED_COMPLETION_ROUTINE routine) {
    win32::ensure_system();
    if (!ov || !routine) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    ov->Internal = STATUS_PENDING;
    LARGE_INTEGER offset = win32::overlapped_offset(ov);
    // hEvent belongs to the application with the Ex forms: the request has no event.
    const NTSTATUS status = transfer(direction, file, nullptr, win32::completion_routine_apc,
                                     reinterpret_cast<PVOID>(routine), win32::overlapped_iosb(ov), buffer, length,
                                     &offset);
    // NT facts G2, G6: no APC is queued for a request that failed at once, and the routine never runs.
    if (NT_ERROR(status)) {
        win32::set_last_nt_error(status);
        return FALSE;
    }
    SetLastError(ERROR_SUCCESS);
    return TRUE;
}

BOOL scatter_gather(Direction direction, HANDLE file, PFILE_SEGMENT_ELEMENT segments, DWORD length, LPDWORD reserved,
                    LPOVERLAPPED ov) {
    win32::ensure_system();
    if (!ov || reserved) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    ov->Internal = STATUS_PENDING;
    LARGE_INTEGER offset = win32::overlapped_offset(ov);
    const NTSTATUS status =
        direction == Direction::read
            ? NtReadFileScatter(file, win32::overlapped_event(ov), nullptr, win32::overlapped_apc_context(ov),
                                win32::overlapped_iosb(ov), segments, length, &offset, nullptr)
            : NtWriteFileGather(file, win32::overlapped_event(ov), nullptr, win32::overlapped_apc_context(ov),
                                win32::overlapped_iosb(ov), segments, length, &offset, nullptr);
    return win32::finish_overlapped(status, ov, nullptr);
}

}  // namespace

extern "C" {

BOOL WINAPI ReadFile(HANDLE hFile, LPVOID lpBuffer, DWORD nNumberOfBytesToRead, LPDWORD lpNumberOfBytesRead,
                     LPOVERLAPPED lpOverlapped) {
    return read_or_write(Direction::read, hFile, lpBuffer, nNumberOfBytesToRead, lpNumberOfBytesRead, lpOverlapped);
}

BOOL WINAPI WriteFile(HANDLE hFile, LPCVOID lpBuffer, DWORD nNumberOfBytesToWrite, LPDWORD lpNumberOfBytesWritten,
                      LPOVERLAPPED lpOverlapped) {
    return read_or_write(Direction::write, hFile, const_cast<LPVOID>(lpBuffer), nNumberOfBytesToWrite,
                         lpNumberOfBytesWritten, lpOverlapped);
}

BOOL WINAPI ReadFileEx(HANDLE hFile, LPVOID lpBuffer, DWORD nNumberOfBytesToRead, LPOVERLAPPED lpOverlapped,
                       LPOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine) {
    return read_or_write_ex(Direction::read, hFile, lpBuffer, nNumberOfBytesToRead, lpOverlapped, lpCompletionRoutine);
}

BOOL WINAPI WriteFileEx(HANDLE hFile, LPCVOID lpBuffer, DWORD nNumberOfBytesToWrite, LPOVERLAPPED lpOverlapped,
                        LPOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine) {
    return read_or_write_ex(Direction::write, hFile, const_cast<LPVOID>(lpBuffer), nNumberOfBytesToWrite,
                            lpOverlapped, lpCompletionRoutine);
}

BOOL WINAPI ReadFileScatter(HANDLE hFile, PFILE_SEGMENT_ELEMENT aSegmentArray, DWORD nNumberOfBytesToRead,
                            LPDWORD lpReserved, LPOVERLAPPED lpOverlapped) {
    return scatter_gather(Direction::read, hFile, aSegmentArray, nNumberOfBytesToRead, lpReserved, lpOverlapped);
}

BOOL WINAPI WriteFileGather(HANDLE hFile, PFILE_SEGMENT_ELEMENT aSegmentArray, DWORD nNumberOfBytesToWrite,
                            LPDWORD lpReserved, LPOVERLAPPED lpOverlapped) {
    return scatter_gather(Direction::write, hFile, aSegmentArray, nNumberOfBytesToWrite, lpReserved, lpOverlapped);
}

}  // extern "C"

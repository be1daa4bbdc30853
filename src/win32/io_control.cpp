// DeviceIoControl (and the control request it shares with TransactNamedPipe), GetOverlappedResult(Ex)
// and the Win32 cancel calls (CancelIo, CancelIoEx, CancelSynchronousIo) over NtDeviceIoControlFile,
// NtFsControlFile and the NT cancel services. The return value and the bytes returned are decided
// separately (NT fact E3).
#include "win32/io_overlapped.hpp"

using namespace ntio;

namespace ntio::win32 {

BOOL control_request(ControlService service, HANDLE handle, DWORD code, LPVOID in, DWORD in_size, LPVOID out,
                     DWORD out_size, LPDWORD bytes, LPOVERLAPPED ov) {
    if (ov) {
        // NT fact J5: the byte count may be NULL here.
        ov->Internal = STATUS_PENDING;
        const NTSTATUS status = service(handle, overlapped_event(ov), nullptr, overlapped_apc_context(ov),
                                        overlapped_iosb(ov), code, in, in_size, out, out_size);
        return finish_overlapped(status, ov, bytes);
    }
    // NT fact E3: the IOSB is only written when the request did not fail (E2), so bytes returned come
    // from it only then; a success whose IOSB stayed unwritten reports what the local block held.
    IO_STATUS_BLOCK iosb{};
    NTSTATUS status = service(handle, nullptr, nullptr, nullptr, &iosb, code, in, in_size, out, out_size);
    status = wait_for_pending(handle, status, iosb);
    if (bytes && !NT_ERROR(status)) *bytes = static_cast<DWORD>(iosb.Information);
    return succeeded(status);
}

}  // namespace ntio::win32

extern "C" {

BOOL WINAPI DeviceIoControl(HANDLE hDevice, DWORD dwIoControlCode, LPVOID lpInBuffer, DWORD nInBufferSize,
                            LPVOID lpOutBuffer, DWORD nOutBufferSize, LPDWORD lpBytesReturned,
                            LPOVERLAPPED lpOverlapped) {
    win32::ensure_system();
    // Applications send FSCTL_* codes through DeviceIoControl too (each FSCTL page on Learn, e.g.
    // https://learn.microsoft.com/windows/win32/api/winioctl/ni-winioctl-fsctl_lock_volume, says "call
    // DeviceIoControl"), and a file system receives them as IRP_MJ_FILE_SYSTEM_CONTROL: a code of
    // device type FILE_DEVICE_FILE_SYSTEM goes through NtFsControlFile, every other through
    // NtDeviceIoControlFile.
    const bool file_system = (dwIoControlCode >> 16) == FILE_DEVICE_FILE_SYSTEM;
    return win32::control_request(file_system ? NtFsControlFile : NtDeviceIoControlFile, hDevice, dwIoControlCode,
                                  lpInBuffer, nInBufferSize, lpOutBuffer, nOutBufferSize, lpBytesReturned,
                                  lpOverlapped);
}

BOOL WINAPI GetOverlappedResultEx(HANDLE hFile, LPOVERLAPPED lpOverlapped, LPDWORD lpNumberOfBytesTransferred,
                                  DWORD dwMilliseconds, BOOL bAlertable) {
    win32::ensure_system();
    if (static_cast<NTSTATUS>(lpOverlapped->Internal) == STATUS_PENDING) {
        // NT fact G7: a zero timeout only looks, even when alertable.
        if (dwMilliseconds == 0) {
            SetLastError(ERROR_IO_INCOMPLETE);
            return FALSE;
        }
        HANDLE waitable = lpOverlapped->hEvent ? win32::overlapped_event(lpOverlapped) : hFile;
        LARGE_INTEGER storage;
        PLARGE_INTEGER timeout = win32::make_timeout(dwMilliseconds, storage);
        NTSTATUS wait;
        do {
            wait = NtWaitForSingleObject(waitable, bAlertable ? TRUE : FALSE, timeout);
        } while (bAlertable && wait == STATUS_ALERTED);
        if (wait == STATUS_TIMEOUT) {
            SetLastError(WAIT_TIMEOUT);
            return FALSE;
        }
        if (wait == STATUS_USER_APC) {
            SetLastError(WAIT_IO_COMPLETION);
            return FALSE;
        }
        if (!NT_SUCCESS(wait)) {
            win32::set_last_nt_error(wait);
            return FALSE;
        }
    }
    // NT fact H6: the bytes are InternalHigh whatever the status; a signalled event is trusted even when
    // Internal still says STATUS_PENDING (a success code).
    *lpNumberOfBytesTransferred = static_cast<DWORD>(lpOverlapped->InternalHigh);
    const auto status = static_cast<NTSTATUS>(lpOverlapped->Internal);
    return win32::succeeded(status);
}

BOOL WINAPI GetOverlappedResult(HANDLE hFile, LPOVERLAPPED lpOverlapped, LPDWORD lpNumberOfBytesTransferred,
                                BOOL bWait) {
    return GetOverlappedResultEx(hFile, lpOverlapped, lpNumberOfBytesTransferred, bWait ? INFINITE : 0, FALSE);
}

BOOL WINAPI CancelIo(HANDLE hFile) {
    win32::ensure_system();
    IO_STATUS_BLOCK iosb{};
    const NTSTATUS status = NtCancelIoFile(hFile, &iosb);
    return win32::succeeded(status);
}

BOOL WINAPI CancelIoEx(HANDLE hFile, LPOVERLAPPED lpOverlapped) {
    win32::ensure_system();
    IO_STATUS_BLOCK iosb{};
    const NTSTATUS status =
        NtCancelIoFileEx(hFile, lpOverlapped ? win32::overlapped_iosb(lpOverlapped) : nullptr, &iosb);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);  // NT fact D6: ERROR_NOT_FOUND when nothing was left to cancel
        return FALSE;
    }
    return TRUE;
}

BOOL WINAPI CancelSynchronousIo(HANDLE hThread) {
    win32::ensure_system();
    IO_STATUS_BLOCK iosb{};
    const NTSTATUS status = NtCancelSynchronousIoFile(hThread, nullptr, &iosb);
    // NT fact D7: ERROR_INVALID_HANDLE, ERROR_NOT_FOUND, or TRUE without touching the last error.
    return win32::succeeded(status);
}

}  // extern "C"

// I/O completion ports for Win32: CreateIoCompletionPort (NtCreateIoCompletion + FileCompletionInformation),
// GetQueuedCompletionStatus(Ex) (NtRemoveIoCompletion(Ex)), PostQueuedCompletionStatus
// (NtSetIoCompletion) and SetFileCompletionNotificationModes (FileIoCompletionNotificationInformation).
#include "win32/io_overlapped.hpp"

using namespace ntio;

namespace ntio::win32 {

NTSTATUS associate_completion_port(HANDLE file, HANDLE port, ULONG_PTR key) {
    FILE_COMPLETION_INFORMATION info;
    info.Port = port;
    info.Key = reinterpret_cast<PVOID>(key);
    IO_STATUS_BLOCK iosb{};
    return NtSetInformationFile(file, &iosb, &info, sizeof(info), FileCompletionInformation);
}

}  // namespace ntio::win32

extern "C" {

HANDLE WINAPI CreateIoCompletionPort(HANDLE FileHandle, HANDLE ExistingCompletionPort, ULONG_PTR CompletionKey,
                                     DWORD NumberOfConcurrentThreads) {
    win32::ensure_system();
    // A new port takes no existing one (CreateIoCompletionPort documentation).
    if (FileHandle == INVALID_HANDLE_VALUE && ExistingCompletionPort) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return nullptr;
    }
    HANDLE port = ExistingCompletionPort;
    if (!port) {
        const NTSTATUS status = NtCreateIoCompletion(&port, IO_COMPLETION_ALL_ACCESS, nullptr, NumberOfConcurrentThreads);
        if (!NT_SUCCESS(status)) {
            win32::set_last_nt_error(status);
            return nullptr;
        }
    }
    if (FileHandle != INVALID_HANDLE_VALUE) {
        const NTSTATUS status = win32::associate_completion_port(FileHandle, port, CompletionKey);
        if (!NT_SUCCESS(status)) {
            if (!ExistingCompletionPort) (void)NtClose(port);
            win32::set_last_nt_error(status);
            return nullptr;
        }
    }
    return port;
}

BOOL WINAPI GetQueuedCompletionStatus(HANDLE CompletionPort, LPDWORD lpNumberOfBytesTransferred,
                                      PULONG_PTR lpCompletionKey, LPOVERLAPPED* lpOverlapped, DWORD dwMilliseconds) {
    win32::ensure_system();
    PVOID key = nullptr;
    PVOID context = nullptr;
    IO_STATUS_BLOCK iosb{};
    LARGE_INTEGER storage;
    const NTSTATUS status =
        NtRemoveIoCompletion(CompletionPort, &key, &context, &iosb, win32::make_timeout(dwMilliseconds, storage));
    if (status == STATUS_SUCCESS) {
        *lpCompletionKey = reinterpret_cast<ULONG_PTR>(key);
        *lpOverlapped = static_cast<LPOVERLAPPED>(context);
        *lpNumberOfBytesTransferred = static_cast<DWORD>(iosb.Information);
        // NT fact F10: a packet of failed I/O is FALSE with the request's error and its OVERLAPPED.
        if (!NT_SUCCESS(iosb.Status)) {
            win32::set_last_nt_error(iosb.Status);
            return FALSE;
        }
        return TRUE;
    }
    *lpOverlapped = nullptr;
    if (status == STATUS_TIMEOUT) SetLastError(WAIT_TIMEOUT);  // NT fact F10
    else win32::set_last_nt_error(status);
    return FALSE;
}

BOOL WINAPI GetQueuedCompletionStatusEx(HANDLE CompletionPort, LPOVERLAPPED_ENTRY lpCompletionPortEntries,
                                        ULONG ulCount, PULONG ulNumEntriesRemoved, DWORD dwMilliseconds,
                                        BOOL fAlertable) {
    win32::ensure_system();
    static_assert(sizeof(OVERLAPPED_ENTRY) == sizeof(FILE_IO_COMPLETION_INFORMATION));
    LARGE_INTEGER storage;
    NTSTATUS status;
    do {
        status = NtRemoveIoCompletionEx(CompletionPort,
                                        reinterpret_cast<PFILE_IO_COMPLETION_INFORMATION>(lpCompletionPortEntries),
                                        ulCount, ulNumEntriesRemoved, win32::make_timeout(dwMilliseconds, storage),
                                        fAlertable ? TRUE : FALSE);
    } while (fAlertable && status == STATUS_ALERTED);
    if (status == STATUS_SUCCESS) {
        // The entries overlay FILE_IO_COMPLETION_INFORMATION; Internal is reserved and reads 0 (NT fact F10),
        // the byte count is the low part of Information.
        for (ULONG i = 0; i < *ulNumEntriesRemoved; ++i) lpCompletionPortEntries[i].Internal = 0;
        return TRUE;
    }
    *ulNumEntriesRemoved = 0;
    if (status == STATUS_TIMEOUT) SetLastError(WAIT_TIMEOUT);
    else if (status == STATUS_USER_APC) SetLastError(WAIT_IO_COMPLETION);
    else win32::set_last_nt_error(status);
    return FALSE;
}

BOOL WINAPI PostQueuedCompletionStatus(HANDLE CompletionPort, DWORD dwNumberOfBytesTransferred,
                                       ULONG_PTR dwCompletionKey, LPOVERLAPPED lpOverlapped) {
    win32::ensure_system();
    const NTSTATUS status = NtSetIoCompletion(CompletionPort, reinterpret_cast<PVOID>(dwCompletionKey), lpOverlapped,
                                              STATUS_SUCCESS, dwNumberOfBytesTransferred);
    return win32::succeeded(status);
}

BOOL WINAPI SetFileCompletionNotificationModes(HANDLE FileHandle, UCHAR Flags) {
    win32::ensure_system();
    FILE_IO_COMPLETION_NOTIFICATION_INFORMATION info;
    info.Flags = Flags;
    IO_STATUS_BLOCK iosb{};
    const NTSTATUS status =
        NtSetInformationFile(FileHandle, &iosb, &info, sizeof(info), FileIoCompletionNotificationInformation);
    return win32::succeeded(status);
}

}  // extern "C"

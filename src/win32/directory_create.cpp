// CreateDirectoryA/W and RemoveDirectoryA/W over NtCreateFile (FILE_CREATE, FILE_DIRECTORY_FILE) and
// NtOpenFile + FileDispositionInformation, as kernel32 does.
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-createdirectoryw
#include "win32/dos_paths.hpp"

using namespace ntio;

namespace {

BOOL create_directory(win32::DosPathAttributes& attributes) {
    win32::ensure_system();
    NTSTATUS status = attributes.status();
    if (NT_SUCCESS(status)) {
        HANDLE handle = nullptr;
        IO_STATUS_BLOCK iosb{};
        status = NtCreateFile(&handle, FILE_LIST_DIRECTORY | SYNCHRONIZE, attributes.get(), &iosb, nullptr,
                              FILE_ATTRIBUTE_NORMAL, FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_CREATE,
                              FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT | FILE_OPEN_FOR_BACKUP_INTENT,
                              nullptr, 0);
        if (NT_SUCCESS(status)) (void)NtClose(handle);
    }
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return FALSE;
    }
    return TRUE;
}

BOOL remove_directory(win32::DosPathAttributes& attributes) {
    win32::ensure_system();
    NTSTATUS status = attributes.status();
    if (NT_SUCCESS(status)) {
        HANDLE handle = nullptr;
        IO_STATUS_BLOCK iosb{};
        status = NtOpenFile(&handle, DELETE | SYNCHRONIZE, attributes.get(), &iosb,
                            FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                            FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT | FILE_OPEN_FOR_BACKUP_INTENT);
        if (NT_SUCCESS(status)) {
            FILE_DISPOSITION_INFORMATION disposition{};
            disposition.DeleteFile = TRUE;
            status = NtSetInformationFile(handle, &iosb, &disposition, sizeof(disposition),
                                          FileDispositionInformation);
            (void)NtClose(handle);
        }
    }
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return FALSE;
    }
    return TRUE;
}

}  // namespace

extern "C" {

BOOL WINAPI CreateDirectoryW(LPCWSTR lpPathName, LPSECURITY_ATTRIBUTES lpSecurityAttributes) {
    win32::DosPathAttributes attributes(lpPathName, lpSecurityAttributes);
    return create_directory(attributes);
}

BOOL WINAPI CreateDirectoryA(LPCSTR lpPathName, LPSECURITY_ATTRIBUTES lpSecurityAttributes) {
    win32::DosPathAttributes attributes(lpPathName, lpSecurityAttributes);
    return create_directory(attributes);
}

BOOL WINAPI RemoveDirectoryW(LPCWSTR lpPathName) {
    win32::DosPathAttributes attributes(lpPathName, nullptr);
    return remove_directory(attributes);
}

BOOL WINAPI RemoveDirectoryA(LPCSTR lpPathName) {
    win32::DosPathAttributes attributes(lpPathName, nullptr);
    return remove_directory(attributes);
}

}  // extern "C"

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
    return win32::succeeded(status);
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
    return win32::delete_by_name(attributes, FILE_DIRECTORY_FILE | FILE_OPEN_FOR_BACKUP_INTENT);
}

BOOL WINAPI RemoveDirectoryA(LPCSTR lpPathName) {
    win32::DosPathAttributes attributes(lpPathName, nullptr);
    return win32::delete_by_name(attributes, FILE_DIRECTORY_FILE | FILE_OPEN_FOR_BACKUP_INTENT);
}

}  // extern "C"

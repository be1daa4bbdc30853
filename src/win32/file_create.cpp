// CreateFileA/W and DeleteFileA/W over NtCreateFile / NtOpenFile + FileDispositionInformation: the
// Win32 dispositions, flags and share modes become NT dispositions and create options; DOS names become
// NT names under \?? (dos_paths).
#include "win32/dos_paths.hpp"

using namespace ntio;

namespace {

bool nt_disposition(DWORD creation, ULONG& disposition) {
    switch (creation) {
    case CREATE_NEW: disposition = FILE_CREATE; return true;
    case CREATE_ALWAYS: disposition = FILE_OVERWRITE_IF; return true;
    case OPEN_EXISTING: disposition = FILE_OPEN; return true;
    case OPEN_ALWAYS: disposition = FILE_OPEN_IF; return true;
    case TRUNCATE_EXISTING: disposition = FILE_OVERWRITE; return true;
    default: return false;
    }
}

HANDLE create_file(win32::DosPathAttributes& attributes, DWORD access, DWORD share, DWORD creation, DWORD flags) {
    win32::ensure_system();
    ULONG disposition = 0;
    if (!nt_disposition(creation, disposition)) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return INVALID_HANDLE_VALUE;
    }
    if (!NT_SUCCESS(attributes.status())) {
        win32::set_last_nt_error(attributes.status());
        return INVALID_HANDLE_VALUE;
    }
    ULONG options = 0;
    if (!(flags & FILE_FLAG_OVERLAPPED)) options |= FILE_SYNCHRONOUS_IO_NONALERT;
    if (flags & FILE_FLAG_BACKUP_SEMANTICS) options |= FILE_OPEN_FOR_BACKUP_INTENT;
    else options |= FILE_NON_DIRECTORY_FILE;
    if (flags & FILE_FLAG_NO_BUFFERING) options |= FILE_NO_INTERMEDIATE_BUFFERING;
    if (flags & FILE_FLAG_WRITE_THROUGH) options |= FILE_WRITE_THROUGH;
    if (flags & FILE_FLAG_SEQUENTIAL_SCAN) options |= FILE_SEQUENTIAL_ONLY;
    if (flags & FILE_FLAG_RANDOM_ACCESS) options |= FILE_RANDOM_ACCESS;
    if (flags & FILE_FLAG_OPEN_REPARSE_POINT) options |= FILE_OPEN_REPARSE_POINT;
    if (flags & FILE_FLAG_DELETE_ON_CLOSE) {
        options |= FILE_DELETE_ON_CLOSE;
        access |= DELETE;
    }
    // kernel32 always asks for SYNCHRONIZE and FILE_READ_ATTRIBUTES on top of the caller's access.
    access |= SYNCHRONIZE | FILE_READ_ATTRIBUTES;
    // NT deviation: hTemplateFile (attributes and EAs of new files) is ignored until file systems exist.
    HANDLE handle = nullptr;
    IO_STATUS_BLOCK iosb{};
    const NTSTATUS status = NtCreateFile(&handle, access, attributes.get(), &iosb, nullptr,
                                         flags & FILE_ATTRIBUTE_VALID_FLAGS, share, disposition, options, nullptr, 0);
    if (!NT_SUCCESS(status)) {
        // CREATE_NEW on an existing file reports ERROR_FILE_EXISTS (CreateFile documentation).
        if (status == STATUS_OBJECT_NAME_COLLISION) SetLastError(ERROR_FILE_EXISTS);
        else win32::set_last_nt_error(status);
        return INVALID_HANDLE_VALUE;
    }
    // CREATE_ALWAYS / OPEN_ALWAYS on an existing file succeed with ERROR_ALREADY_EXISTS; else 0.
    if ((creation == CREATE_ALWAYS && iosb.Information == FILE_OVERWRITTEN) ||
        (creation == OPEN_ALWAYS && iosb.Information == FILE_OPENED))
        SetLastError(ERROR_ALREADY_EXISTS);
    else
        SetLastError(ERROR_SUCCESS);
    return handle;
}

}  // namespace

// DeleteFile and RemoveDirectory: open the name for DELETE, sharing everything, set the delete
// disposition, close (the file system deletes at the last handle's cleanup).
BOOL win32::delete_by_name(DosPathAttributes& attributes, ULONG open_options) {
    win32::ensure_system();
    NTSTATUS status = attributes.status();
    if (NT_SUCCESS(status)) {
        HANDLE handle = nullptr;
        IO_STATUS_BLOCK iosb{};
        status = NtOpenFile(&handle, DELETE | SYNCHRONIZE, attributes.get(), &iosb,
                            FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                            open_options | FILE_SYNCHRONOUS_IO_NONALERT);
        if (NT_SUCCESS(status)) {
            FILE_DISPOSITION_INFORMATION disposition{};
            disposition.DeleteFile = TRUE;
            status = NtSetInformationFile(handle, &iosb, &disposition, sizeof(disposition),
                                          FileDispositionInformation);
            (void)NtClose(handle);
        }
    }
    return win32::succeeded(status);
}

extern "C" {

HANDLE WINAPI CreateFileW(LPCWSTR lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode,
                          LPSECURITY_ATTRIBUTES lpSecurityAttributes, DWORD dwCreationDisposition,
                          DWORD dwFlagsAndAttributes, HANDLE hTemplateFile) {
    UNREFERENCED_PARAMETER(hTemplateFile);
    win32::DosPathAttributes attributes(lpFileName, lpSecurityAttributes);
    return create_file(attributes, dwDesiredAccess, dwShareMode, dwCreationDisposition, dwFlagsAndAttributes);
}

HANDLE WINAPI CreateFileA(LPCSTR lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode,
                          LPSECURITY_ATTRIBUTES lpSecurityAttributes, DWORD dwCreationDisposition,
                          DWORD dwFlagsAndAttributes, HANDLE hTemplateFile) {
    UNREFERENCED_PARAMETER(hTemplateFile);
    win32::DosPathAttributes attributes(lpFileName, lpSecurityAttributes);
    return create_file(attributes, dwDesiredAccess, dwShareMode, dwCreationDisposition, dwFlagsAndAttributes);
}

BOOL WINAPI DeleteFileW(LPCWSTR lpFileName) {
    win32::DosPathAttributes attributes(lpFileName, nullptr);
    return win32::delete_by_name(attributes, FILE_NON_DIRECTORY_FILE);
}

BOOL WINAPI DeleteFileA(LPCSTR lpFileName) {
    win32::DosPathAttributes attributes(lpFileName, nullptr);
    return win32::delete_by_name(attributes, FILE_NON_DIRECTORY_FILE);
}

}  // extern "C"

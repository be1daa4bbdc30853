// MoveFileA/W and MoveFileExA/W over NtSetInformationFile(FileRenameInformation): the source is
// opened for DELETE (files and directories alike), the target is given by its full NT name so the
// I/O manager opens its directory, and MOVEFILE_REPLACE_EXISTING becomes ReplaceIfExists.
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-movefileexw
#include <cstring>
#include <vector>

#include "win32/dos_paths.hpp"

using namespace ntio;

namespace {

BOOL move_file(win32::DosPathAttributes& source, win32::DosPathAttributes& target, DWORD flags) {
    win32::ensure_system();
    // NT deviation: a move across volumes is not done as a copy and a delete (MOVEFILE_COPY_ALLOWED
    // gets ERROR_NOT_SAME_DEVICE like a move without it), and nothing is deferred to a reboot.
    if (flags & ~(MOVEFILE_REPLACE_EXISTING | MOVEFILE_COPY_ALLOWED | MOVEFILE_WRITE_THROUGH)) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    NTSTATUS status = source.status();
    if (NT_SUCCESS(status)) status = target.status();
    if (NT_SUCCESS(status)) {
        HANDLE handle = nullptr;
        IO_STATUS_BLOCK iosb{};
        status = NtOpenFile(&handle, DELETE | SYNCHRONIZE, source.get(), &iosb,
                            FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                            FILE_OPEN_FOR_BACKUP_INTENT | FILE_SYNCHRONOUS_IO_NONALERT);
        if (NT_SUCCESS(status)) {
            const std::u16string& name = target.nt_path();
            std::vector<unsigned char> buffer(FIELD_OFFSET(FILE_RENAME_INFORMATION, FileName) +
                                              name.size() * sizeof(WCHAR));
            auto* info = reinterpret_cast<PFILE_RENAME_INFORMATION>(buffer.data());
            info->ReplaceIfExists = (flags & MOVEFILE_REPLACE_EXISTING) ? TRUE : FALSE;
            info->RootDirectory = nullptr;
            info->FileNameLength = static_cast<ULONG>(name.size() * sizeof(WCHAR));
            std::memcpy(info->FileName, name.data(), info->FileNameLength);
            status = NtSetInformationFile(handle, &iosb, info, static_cast<ULONG>(buffer.size()),
                                          FileRenameInformation);
            if (NT_SUCCESS(status) && (flags & MOVEFILE_WRITE_THROUGH)) (void)NtFlushBuffersFile(handle, &iosb);
            (void)NtClose(handle);
        }
    }
    return win32::succeeded(status);
}

}  // namespace

extern "C" {

BOOL WINAPI MoveFileExW(LPCWSTR lpExistingFileName, LPCWSTR lpNewFileName, DWORD dwFlags) {
    if (!lpNewFileName) {
        // A NULL target deletes, and only with MOVEFILE_DELAY_UNTIL_REBOOT, which ntio does not keep.
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    win32::DosPathAttributes source(lpExistingFileName, nullptr);
    win32::DosPathAttributes target(lpNewFileName, nullptr);
    return move_file(source, target, dwFlags);
}

BOOL WINAPI MoveFileExA(LPCSTR lpExistingFileName, LPCSTR lpNewFileName, DWORD dwFlags) {
    if (!lpNewFileName) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    win32::DosPathAttributes source(lpExistingFileName, nullptr);
    win32::DosPathAttributes target(lpNewFileName, nullptr);
    return move_file(source, target, dwFlags);
}

// MoveFile is MoveFileEx with MOVEFILE_COPY_ALLOWED (its documentation: moves across volumes).
BOOL WINAPI MoveFileW(LPCWSTR lpExistingFileName, LPCWSTR lpNewFileName) {
    return MoveFileExW(lpExistingFileName, lpNewFileName, MOVEFILE_COPY_ALLOWED);
}

BOOL WINAPI MoveFileA(LPCSTR lpExistingFileName, LPCSTR lpNewFileName) {
    return MoveFileExA(lpExistingFileName, lpNewFileName, MOVEFILE_COPY_ALLOWED);
}

}  // extern "C"

// GetFileAttributes(Ex), SetFileAttributes, GetFileTime / SetFileTime and GetCompressedFileSize over
// NtQueryAttributesFile, NtQueryFullAttributesFile and FileBasicInformation.
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-getfileattributesexw
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-setfileattributesw
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-getcompressedfilesizew
#include "win32/dos_paths.hpp"

using namespace ntio;

namespace {

// FILE_COMPRESSION_INFORMATION (ntifs.h), which the DDK headers here do not declare yet:
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/ns-ntifs-_file_compression_information
struct CompressionInformation {
    LARGE_INTEGER CompressedFileSize;
    USHORT CompressionFormat;
    UCHAR CompressionUnitShift;
    UCHAR ChunkShift;
    UCHAR ClusterShift;
    UCHAR Reserved[3];
};
static_assert(sizeof(CompressionInformation) == 16);

FILETIME to_filetime(LARGE_INTEGER time) {
    FILETIME ft;
    ft.dwLowDateTime = time.LowPart;
    ft.dwHighDateTime = static_cast<DWORD>(time.HighPart);
    return ft;
}

LARGE_INTEGER to_time(const FILETIME* ft) {
    LARGE_INTEGER time{};
    if (ft) {
        time.LowPart = ft->dwLowDateTime;
        time.HighPart = static_cast<LONG>(ft->dwHighDateTime);
    }
    return time;  // 0: FileBasicInformation keeps the file's current value
}

DWORD get_attributes(win32::DosPathAttributes& path) {
    win32::ensure_system();
    NTSTATUS status = path.status();
    FILE_BASIC_INFORMATION basic{};
    if (NT_SUCCESS(status)) status = NtQueryAttributesFile(path.get(), &basic);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return INVALID_FILE_ATTRIBUTES;
    }
    return basic.FileAttributes;
}

BOOL get_attributes_ex(win32::DosPathAttributes& path, GET_FILEEX_INFO_LEVELS level, LPVOID out) {
    win32::ensure_system();
    // GetFileExInfoStandard is the only level; a NULL buffer cannot take it.
    if (level != GetFileExInfoStandard || !out) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    NTSTATUS status = path.status();
    FILE_NETWORK_OPEN_INFORMATION info{};
    if (NT_SUCCESS(status)) status = NtQueryFullAttributesFile(path.get(), &info);
    if (!NT_SUCCESS(status)) return win32::succeeded(status);
    auto* data = static_cast<LPWIN32_FILE_ATTRIBUTE_DATA>(out);
    data->dwFileAttributes = info.FileAttributes;
    data->ftCreationTime = to_filetime(info.CreationTime);
    data->ftLastAccessTime = to_filetime(info.LastAccessTime);
    data->ftLastWriteTime = to_filetime(info.LastWriteTime);
    data->nFileSizeHigh = static_cast<DWORD>(static_cast<ULONGLONG>(info.EndOfFile.QuadPart) >> 32);
    data->nFileSizeLow = static_cast<DWORD>(info.EndOfFile.QuadPart);
    return TRUE;
}

// The name opened with `access` for its attributes (files and directories alike, whatever their
// sharing), as SetFileAttributes and GetCompressedFileSize open it.
NTSTATUS open_for_attributes(win32::DosPathAttributes& path, ACCESS_MASK access, HANDLE& handle) {
    NTSTATUS status = path.status();
    if (!NT_SUCCESS(status)) return status;
    IO_STATUS_BLOCK iosb{};
    return NtOpenFile(&handle, access | SYNCHRONIZE, path.get(), &iosb,
                      FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                      FILE_OPEN_FOR_BACKUP_INTENT | FILE_SYNCHRONOUS_IO_NONALERT);
}

BOOL set_attributes(win32::DosPathAttributes& path, DWORD attributes) {
    win32::ensure_system();
    HANDLE handle = nullptr;
    NTSTATUS status = open_for_attributes(path, FILE_WRITE_ATTRIBUTES, handle);
    if (NT_SUCCESS(status)) {
        // The times stay (0). Attributes SetFileAttributes cannot set are dropped (Learn lists the
        // ones it sets; the others have their own functions), and none at all is
        // FILE_ATTRIBUTE_NORMAL: 0 in FileBasicInformation would leave the attributes as they are.
        FILE_BASIC_INFORMATION basic{};
        basic.FileAttributes = attributes & FILE_ATTRIBUTE_VALID_SET_FLAGS;
        if (basic.FileAttributes == 0) basic.FileAttributes = FILE_ATTRIBUTE_NORMAL;
        IO_STATUS_BLOCK iosb{};
        status = NtSetInformationFile(handle, &iosb, &basic, sizeof basic, FileBasicInformation);
        (void)NtClose(handle);
    }
    return win32::succeeded(status);
}

// "If the file is not located on a volume that supports compression or sparse files, or if the file
// is not compressed or a sparse file, the value obtained is the actual file size, the same as the
// value returned by a call to GetFileSize."
DWORD compressed_size(win32::DosPathAttributes& path, LPDWORD high) {
    win32::ensure_system();
    HANDLE handle = nullptr;
    NTSTATUS status = open_for_attributes(path, FILE_READ_ATTRIBUTES, handle);
    LONGLONG size = 0;
    if (NT_SUCCESS(status)) {
        IO_STATUS_BLOCK iosb{};
        CompressionInformation compression{};
        status = NtQueryInformationFile(handle, &iosb, &compression, sizeof compression, FileCompressionInformation);
        if (NT_SUCCESS(status)) {
            size = compression.CompressedFileSize.QuadPart;
        } else {
            FILE_STANDARD_INFORMATION standard{};
            status = NtQueryInformationFile(handle, &iosb, &standard, sizeof standard, FileStandardInformation);
            size = standard.EndOfFile.QuadPart;
        }
        (void)NtClose(handle);
    }
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return INVALID_FILE_SIZE;
    }
    if (high) *high = static_cast<DWORD>(static_cast<ULONGLONG>(size) >> 32);
    const DWORD low = static_cast<DWORD>(size);
    // A size whose low part is INVALID_FILE_SIZE is told apart by GetLastError() == NO_ERROR.
    if (low == INVALID_FILE_SIZE) SetLastError(NO_ERROR);
    return low;
}

}  // namespace

extern "C" {

DWORD WINAPI GetFileAttributesW(LPCWSTR lpFileName) {
    win32::DosPathAttributes path(lpFileName, nullptr);
    return get_attributes(path);
}

DWORD WINAPI GetFileAttributesA(LPCSTR lpFileName) {
    win32::DosPathAttributes path(lpFileName, nullptr);
    return get_attributes(path);
}

BOOL WINAPI GetFileAttributesExW(LPCWSTR lpFileName, GET_FILEEX_INFO_LEVELS fInfoLevelId, LPVOID lpFileInformation) {
    win32::DosPathAttributes path(lpFileName, nullptr);
    return get_attributes_ex(path, fInfoLevelId, lpFileInformation);
}

BOOL WINAPI GetFileAttributesExA(LPCSTR lpFileName, GET_FILEEX_INFO_LEVELS fInfoLevelId, LPVOID lpFileInformation) {
    win32::DosPathAttributes path(lpFileName, nullptr);
    return get_attributes_ex(path, fInfoLevelId, lpFileInformation);
}

BOOL WINAPI SetFileAttributesW(LPCWSTR lpFileName, DWORD dwFileAttributes) {
    win32::DosPathAttributes path(lpFileName, nullptr);
    return set_attributes(path, dwFileAttributes);
}

BOOL WINAPI SetFileAttributesA(LPCSTR lpFileName, DWORD dwFileAttributes) {
    win32::DosPathAttributes path(lpFileName, nullptr);
    return set_attributes(path, dwFileAttributes);
}

// The handle needs FILE_READ_ATTRIBUTES (GetFileTime) or FILE_WRITE_ATTRIBUTES (SetFileTime); a NULL
// time is left out (SetFileTime: left as it is).
BOOL WINAPI GetFileTime(HANDLE hFile, LPFILETIME lpCreationTime, LPFILETIME lpLastAccessTime,
                        LPFILETIME lpLastWriteTime) {
    win32::ensure_system();
    FILE_BASIC_INFORMATION basic{};
    IO_STATUS_BLOCK iosb{};
    const NTSTATUS status = NtQueryInformationFile(hFile, &iosb, &basic, sizeof basic, FileBasicInformation);
    if (!NT_SUCCESS(status)) return win32::succeeded(status);
    if (lpCreationTime) *lpCreationTime = to_filetime(basic.CreationTime);
    if (lpLastAccessTime) *lpLastAccessTime = to_filetime(basic.LastAccessTime);
    if (lpLastWriteTime) *lpLastWriteTime = to_filetime(basic.LastWriteTime);
    return TRUE;
}

BOOL WINAPI SetFileTime(HANDLE hFile, const FILETIME* lpCreationTime, const FILETIME* lpLastAccessTime,
                        const FILETIME* lpLastWriteTime) {
    win32::ensure_system();
    FILE_BASIC_INFORMATION basic{};
    basic.CreationTime = to_time(lpCreationTime);
    basic.LastAccessTime = to_time(lpLastAccessTime);
    basic.LastWriteTime = to_time(lpLastWriteTime);
    IO_STATUS_BLOCK iosb{};
    return win32::succeeded(NtSetInformationFile(hFile, &iosb, &basic, sizeof basic, FileBasicInformation));
}

DWORD WINAPI GetCompressedFileSizeW(LPCWSTR lpFileName, LPDWORD lpFileSizeHigh) {
    win32::DosPathAttributes path(lpFileName, nullptr);
    return compressed_size(path, lpFileSizeHigh);
}

DWORD WINAPI GetCompressedFileSizeA(LPCSTR lpFileName, LPDWORD lpFileSizeHigh) {
    win32::DosPathAttributes path(lpFileName, nullptr);
    return compressed_size(path, lpFileSizeHigh);
}

}  // extern "C"

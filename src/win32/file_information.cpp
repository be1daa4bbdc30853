// File size, pointer, end of file, flush, byte-range locks, information by handle and GetFileType over
// the NT information, flush and lock services. FILE_INFO_BY_HANDLE_CLASS values map to the NT classes
// of the same layout (https://learn.microsoft.com/windows/win32/api/minwinbase/ne-minwinbase-file_info_by_handle_class).
#include <cstring>
#include <vector>

#include "win32/io_overlapped.hpp"

using namespace ntio;

namespace {

// Stands for ERROR_NEGATIVE_SEEK, which has no NTSTATUS of its own: a Win32 error carried in an
// NTSTATUS (facility 7), which the status table hands back as the error.
constexpr NTSTATUS kNegativeSeek = static_cast<NTSTATUS>(0xC0070000u | ERROR_NEGATIVE_SEEK);

BOOL fail(NTSTATUS status) {
    win32::set_last_nt_error(status);
    return FALSE;
}

NTSTATUS query(HANDLE file, PVOID buffer, ULONG length, FILE_INFORMATION_CLASS cls) {
    IO_STATUS_BLOCK iosb{};
    return NtQueryInformationFile(file, &iosb, buffer, length, cls);
}

NTSTATUS set(HANDLE file, PVOID buffer, ULONG length, FILE_INFORMATION_CLASS cls) {
    IO_STATUS_BLOCK iosb{};
    return NtSetInformationFile(file, &iosb, buffer, length, cls);
}

FILETIME to_filetime(LARGE_INTEGER time) {
    FILETIME ft;
    ft.dwLowDateTime = time.LowPart;
    ft.dwHighDateTime = static_cast<DWORD>(time.HighPart);
    return ft;
}

// Moves the pointer to base + distance. `fits_32` (SetFilePointer without a high part) refuses a
// result that needs more than 32 bits: "If lpDistanceToMoveHigh is NULL and the new file position
// does not fit in a 32-bit value, the function fails" and the pointer stays.
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-setfilepointer
NTSTATUS set_pointer(HANDLE file, LONGLONG distance, DWORD method, bool fits_32, LONGLONG& result) {
    LONGLONG base = 0;
    switch (method) {
    case FILE_BEGIN: break;
    case FILE_CURRENT: {
        FILE_POSITION_INFORMATION position{};
        const NTSTATUS status = query(file, &position, sizeof(position), FilePositionInformation);
        if (!NT_SUCCESS(status)) return status;
        base = position.CurrentByteOffset.QuadPart;
        break;
    }
    case FILE_END: {
        FILE_STANDARD_INFORMATION standard{};
        const NTSTATUS status = query(file, &standard, sizeof(standard), FileStandardInformation);
        if (!NT_SUCCESS(status)) return status;
        base = standard.EndOfFile.QuadPart;
        break;
    }
    default: return STATUS_INVALID_PARAMETER;
    }
    LONGLONG target = 0;
    if (__builtin_add_overflow(base, distance, &target)) return STATUS_INVALID_PARAMETER;
    // A move before the start of the file is ERROR_NEGATIVE_SEEK (SetFilePointer documentation).
    if (target < 0) return kNegativeSeek;
    if (fits_32 && target > static_cast<LONGLONG>(MAXULONG)) return STATUS_INVALID_PARAMETER;
    FILE_POSITION_INFORMATION position{};
    position.CurrentByteOffset.QuadPart = target;
    const NTSTATUS status = set(file, &position, sizeof(position), FilePositionInformation);
    if (NT_SUCCESS(status)) result = target;
    return status;
}

// Directory classes: the SDK structure is the NT one of the same layout.
BOOL query_directory(HANDLE file, PVOID buffer, DWORD size, FILE_INFORMATION_CLASS cls, bool restart) {
    IO_STATUS_BLOCK iosb{};
    NTSTATUS status = NtQueryDirectoryFile(file, nullptr, nullptr, nullptr, &iosb, buffer, size, cls, FALSE, nullptr,
                                           restart ? TRUE : FALSE);
    status = win32::wait_for_pending(file, status, iosb);
    if (!NT_SUCCESS(status)) return fail(status);
    return TRUE;
}

}  // namespace

extern "C" {

BOOL WINAPI GetFileSizeEx(HANDLE hFile, PLARGE_INTEGER lpFileSize) {
    win32::ensure_system();
    FILE_STANDARD_INFORMATION standard{};
    const NTSTATUS status = query(hFile, &standard, sizeof(standard), FileStandardInformation);
    if (!NT_SUCCESS(status)) return fail(status);
    *lpFileSize = standard.EndOfFile;
    return TRUE;
}

DWORD WINAPI GetFileSize(HANDLE hFile, LPDWORD lpFileSizeHigh) {
    LARGE_INTEGER size;
    if (!GetFileSizeEx(hFile, &size)) return INVALID_FILE_SIZE;
    if (lpFileSizeHigh) *lpFileSizeHigh = static_cast<DWORD>(size.HighPart);
    // A size whose low part is INVALID_FILE_SIZE is told apart by the last error being 0.
    if (size.LowPart == INVALID_FILE_SIZE) SetLastError(ERROR_SUCCESS);
    return size.LowPart;
}

BOOL WINAPI SetFilePointerEx(HANDLE hFile, LARGE_INTEGER liDistanceToMove, PLARGE_INTEGER lpNewFilePointer,
                             DWORD dwMoveMethod) {
    win32::ensure_system();
    LONGLONG result = 0;
    const NTSTATUS status = set_pointer(hFile, liDistanceToMove.QuadPart, dwMoveMethod, false, result);
    if (!NT_SUCCESS(status)) return fail(status);
    if (lpNewFilePointer) lpNewFilePointer->QuadPart = result;
    return TRUE;
}

DWORD WINAPI SetFilePointer(HANDLE hFile, LONG lDistanceToMove, PLONG lpDistanceToMoveHigh, DWORD dwMoveMethod) {
    win32::ensure_system();
    // Without the high part the distance is a signed 32-bit value.
    LONGLONG distance = lpDistanceToMoveHigh
                            ? static_cast<LONGLONG>((static_cast<ULONGLONG>(static_cast<ULONG>(*lpDistanceToMoveHigh))
                                                     << 32) |
                                                    static_cast<ULONG>(lDistanceToMove))
                            : static_cast<LONGLONG>(lDistanceToMove);
    LONGLONG result = 0;
    const NTSTATUS status = set_pointer(hFile, distance, dwMoveMethod, lpDistanceToMoveHigh == nullptr, result);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return INVALID_SET_FILE_POINTER;
    }
    if (lpDistanceToMoveHigh) *lpDistanceToMoveHigh = static_cast<LONG>(result >> 32);
    SetLastError(ERROR_SUCCESS);
    return static_cast<DWORD>(result);
}

BOOL WINAPI SetEndOfFile(HANDLE hFile) {
    win32::ensure_system();
    FILE_POSITION_INFORMATION position{};
    NTSTATUS status = query(hFile, &position, sizeof(position), FilePositionInformation);
    if (!NT_SUCCESS(status)) return fail(status);
    FILE_END_OF_FILE_INFORMATION eof{};
    eof.EndOfFile = position.CurrentByteOffset;
    status = set(hFile, &eof, sizeof(eof), FileEndOfFileInformation);
    if (!NT_SUCCESS(status)) return fail(status);
    FILE_ALLOCATION_INFORMATION allocation{};
    allocation.AllocationSize = position.CurrentByteOffset;
    status = set(hFile, &allocation, sizeof(allocation), FileAllocationInformation);
    if (!NT_SUCCESS(status)) return fail(status);
    return TRUE;
}

BOOL WINAPI FlushFileBuffers(HANDLE hFile) {
    win32::ensure_system();
    IO_STATUS_BLOCK iosb{};
    const NTSTATUS status = NtFlushBuffersFile(hFile, &iosb);
    if (!NT_SUCCESS(status)) return fail(status);
    return TRUE;
}

BOOL WINAPI LockFileEx(HANDLE hFile, DWORD dwFlags, DWORD dwReserved, DWORD nNumberOfBytesToLockLow,
                       DWORD nNumberOfBytesToLockHigh, LPOVERLAPPED lpOverlapped) {
    win32::ensure_system();
    if (dwReserved || !lpOverlapped) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    LARGE_INTEGER offset = win32::overlapped_offset(lpOverlapped);
    LARGE_INTEGER length;
    length.LowPart = nNumberOfBytesToLockLow;
    length.HighPart = static_cast<LONG>(nNumberOfBytesToLockHigh);
    lpOverlapped->Internal = STATUS_PENDING;
    const NTSTATUS status = NtLockFile(hFile, win32::overlapped_event(lpOverlapped), nullptr,
                                       win32::overlapped_apc_context(lpOverlapped),
                                       win32::overlapped_iosb(lpOverlapped), &offset, &length, 0,
                                       (dwFlags & LOCKFILE_FAIL_IMMEDIATELY) ? TRUE : FALSE,
                                       (dwFlags & LOCKFILE_EXCLUSIVE_LOCK) ? TRUE : FALSE);
    return win32::finish_overlapped(status, lpOverlapped, nullptr);
}

BOOL WINAPI LockFile(HANDLE hFile, DWORD dwFileOffsetLow, DWORD dwFileOffsetHigh, DWORD nNumberOfBytesToLockLow,
                     DWORD nNumberOfBytesToLockHigh) {
    win32::ensure_system();
    LARGE_INTEGER offset, length;
    offset.LowPart = dwFileOffsetLow;
    offset.HighPart = static_cast<LONG>(dwFileOffsetHigh);
    length.LowPart = nNumberOfBytesToLockLow;
    length.HighPart = static_cast<LONG>(nNumberOfBytesToLockHigh);
    IO_STATUS_BLOCK iosb{};
    // LockFile never waits for a conflicting lock: it is an exclusive, fail-immediately lock.
    NTSTATUS status = NtLockFile(hFile, nullptr, nullptr, nullptr, &iosb, &offset, &length, 0, TRUE, TRUE);
    status = win32::wait_for_pending(hFile, status, iosb);
    if (!NT_SUCCESS(status)) return fail(status);
    return TRUE;
}

BOOL WINAPI UnlockFile(HANDLE hFile, DWORD dwFileOffsetLow, DWORD dwFileOffsetHigh, DWORD nNumberOfBytesToUnlockLow,
                       DWORD nNumberOfBytesToUnlockHigh) {
    win32::ensure_system();
    LARGE_INTEGER offset, length;
    offset.LowPart = dwFileOffsetLow;
    offset.HighPart = static_cast<LONG>(dwFileOffsetHigh);
    length.LowPart = nNumberOfBytesToUnlockLow;
    length.HighPart = static_cast<LONG>(nNumberOfBytesToUnlockHigh);
    IO_STATUS_BLOCK iosb{};
    const NTSTATUS status = NtUnlockFile(hFile, &iosb, &offset, &length, 0);
    if (!NT_SUCCESS(status)) return fail(status);
    return TRUE;
}

BOOL WINAPI UnlockFileEx(HANDLE hFile, DWORD dwReserved, DWORD nNumberOfBytesToUnlockLow,
                         DWORD nNumberOfBytesToUnlockHigh, LPOVERLAPPED lpOverlapped) {
    if (dwReserved || !lpOverlapped) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    return UnlockFile(hFile, lpOverlapped->Offset, lpOverlapped->OffsetHigh, nNumberOfBytesToUnlockLow,
                      nNumberOfBytesToUnlockHigh);
}

BOOL WINAPI GetFileInformationByHandle(HANDLE hFile, LPBY_HANDLE_FILE_INFORMATION lpFileInformation) {
    win32::ensure_system();
    FILE_BASIC_INFORMATION basic{};
    FILE_STANDARD_INFORMATION standard{};
    FILE_INTERNAL_INFORMATION internal{};
    NTSTATUS status = query(hFile, &basic, sizeof(basic), FileBasicInformation);
    if (NT_SUCCESS(status)) status = query(hFile, &standard, sizeof(standard), FileStandardInformation);
    if (NT_SUCCESS(status)) status = query(hFile, &internal, sizeof(internal), FileInternalInformation);
    if (!NT_SUCCESS(status)) return fail(status);
    // The volume serial number comes from FileFsVolumeInformation when the volume answers it.
    struct {
        FILE_FS_VOLUME_INFORMATION info;
        WCHAR label[64];
    } volume{};
    IO_STATUS_BLOCK iosb{};
    const NTSTATUS vs = NtQueryVolumeInformationFile(hFile, &iosb, &volume, sizeof(volume), FileFsVolumeInformation);
    BY_HANDLE_FILE_INFORMATION info{};
    info.dwFileAttributes = basic.FileAttributes;
    info.ftCreationTime = to_filetime(basic.CreationTime);
    info.ftLastAccessTime = to_filetime(basic.LastAccessTime);
    info.ftLastWriteTime = to_filetime(basic.LastWriteTime);
    info.dwVolumeSerialNumber = NT_SUCCESS(vs) ? volume.info.VolumeSerialNumber : 0;
    info.nFileSizeHigh = static_cast<DWORD>(standard.EndOfFile.HighPart);
    info.nFileSizeLow = standard.EndOfFile.LowPart;
    info.nNumberOfLinks = standard.NumberOfLinks;
    info.nFileIndexHigh = static_cast<DWORD>(internal.IndexNumber.HighPart);
    info.nFileIndexLow = internal.IndexNumber.LowPart;
    *lpFileInformation = info;
    return TRUE;
}

BOOL WINAPI GetFileInformationByHandleEx(HANDLE hFile, FILE_INFO_BY_HANDLE_CLASS FileInformationClass,
                                         LPVOID lpFileInformation, DWORD dwBufferSize) {
    win32::ensure_system();
    FILE_INFORMATION_CLASS cls;
    switch (FileInformationClass) {
    case FileBasicInfo: cls = FileBasicInformation; break;
    case FileStandardInfo: cls = FileStandardInformation; break;
    case FileNameInfo: cls = FileNameInformation; break;
    case FileAttributeTagInfo: cls = FileAttributeTagInformation; break;
    case FileAlignmentInfo: cls = FileAlignmentInformation; break;
    case FileStreamInfo: cls = FileStreamInformation; break;
    case FileCompressionInfo: cls = FileCompressionInformation; break;
    case FileRemoteProtocolInfo: cls = FileRemoteProtocolInformation; break;
    case FileIdInfo: cls = FileIdInformation; break;
    case FileCaseSensitiveInfo: cls = FileCaseSensitiveInformation; break;
    case FileNormalizedNameInfo: cls = FileNormalizedNameInformation; break;
    case FileStorageInfo: {
        // FILE_STORAGE_INFO is FILE_FS_SECTOR_SIZE_INFORMATION's layout, a volume query
        // (GetFileInformationByHandleEx on Microsoft Learn, FileStorageInfo).
        IO_STATUS_BLOCK iosb{};
        const NTSTATUS status =
            NtQueryVolumeInformationFile(hFile, &iosb, lpFileInformation, dwBufferSize, FileFsSectorSizeInformation);
        if (!NT_SUCCESS(status)) return fail(status);
        return TRUE;
    }
    case FileIdExtdDirectoryInfo:
    case FileIdExtdDirectoryRestartInfo:
        return query_directory(hFile, lpFileInformation, dwBufferSize, FileIdExtdDirectoryInformation,
                               FileInformationClass == FileIdExtdDirectoryRestartInfo);
    case FileIdBothDirectoryInfo:
    case FileIdBothDirectoryRestartInfo:
        return query_directory(hFile, lpFileInformation, dwBufferSize, FileIdBothDirectoryInformation,
                               FileInformationClass == FileIdBothDirectoryRestartInfo);
    case FileFullDirectoryInfo:
    case FileFullDirectoryRestartInfo:
        return query_directory(hFile, lpFileInformation, dwBufferSize, FileFullDirectoryInformation,
                               FileInformationClass == FileFullDirectoryRestartInfo);
    default:
        // Set-only classes (FileRenameInfo, FileDispositionInfo(Ex), FileAllocationInfo,
        // FileEndOfFileInfo, FileIoPriorityHintInfo, FileRenameInfoEx) and values out of range: the
        // Learn page's table marks them not gettable.
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    const NTSTATUS status = query(hFile, lpFileInformation, dwBufferSize, cls);
    if (!NT_SUCCESS(status)) return fail(status);
    return TRUE;
}

BOOL WINAPI SetFileInformationByHandle(HANDLE hFile, FILE_INFO_BY_HANDLE_CLASS FileInformationClass,
                                       LPVOID lpFileInformation, DWORD dwBufferSize) {
    win32::ensure_system();
    FILE_INFORMATION_CLASS cls;
    switch (FileInformationClass) {
    case FileBasicInfo: cls = FileBasicInformation; break;
    case FileRenameInfo: cls = FileRenameInformation; break;
    case FileRenameInfoEx: cls = FileRenameInformationEx; break;
    case FileDispositionInfo: cls = FileDispositionInformation; break;
    case FileDispositionInfoEx: cls = FileDispositionInformationEx; break;
    case FileAllocationInfo: cls = FileAllocationInformation; break;
    case FileEndOfFileInfo: cls = FileEndOfFileInformation; break;
    default:
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    const NTSTATUS status = set(hFile, lpFileInformation, dwBufferSize, cls);
    if (!NT_SUCCESS(status)) return fail(status);
    return TRUE;
}

DWORD WINAPI GetFileType(HANDLE hFile) {
    win32::ensure_system();
    FILE_FS_DEVICE_INFORMATION device{};
    IO_STATUS_BLOCK iosb{};
    const NTSTATUS status =
        NtQueryVolumeInformationFile(hFile, &iosb, &device, sizeof(device), FileFsDeviceInformation);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return FILE_TYPE_UNKNOWN;
    }
    SetLastError(ERROR_SUCCESS);
    switch (device.DeviceType) {
    case FILE_DEVICE_CD_ROM:
    case FILE_DEVICE_CD_ROM_FILE_SYSTEM:
    case FILE_DEVICE_CONTROLLER:
    case FILE_DEVICE_DATALINK:
    case FILE_DEVICE_DFS:
    case FILE_DEVICE_DISK:
    case FILE_DEVICE_DISK_FILE_SYSTEM:
    case FILE_DEVICE_VIRTUAL_DISK:
        return FILE_TYPE_DISK;
    case FILE_DEVICE_KEYBOARD:
    case FILE_DEVICE_MOUSE:
    case FILE_DEVICE_NULL:
    case FILE_DEVICE_PARALLEL_PORT:
    case FILE_DEVICE_PRINTER:
    case FILE_DEVICE_SERIAL_PORT:
    case FILE_DEVICE_SCREEN:
    case FILE_DEVICE_SOUND:
    case FILE_DEVICE_MODEM:
    case FILE_DEVICE_CONSOLE:
        return FILE_TYPE_CHAR;
    case FILE_DEVICE_NAMED_PIPE:
        return FILE_TYPE_PIPE;
    default:
        return FILE_TYPE_UNKNOWN;
    }
}

}  // extern "C"

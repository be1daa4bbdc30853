// Volume queries: GetDriveType (FileFsDeviceInformation), GetVolumeInformation(ByHandle)
// (FileFsVolumeInformation, FileFsAttributeInformation) and GetDiskFreeSpace(Ex)
// (FileFsFullSizeInformation, else FileFsSizeInformation), on the root a DOS path names. A NULL root
// is the root of the process's current directory.
#include <vector>

#include "win32/dos_paths.hpp"

using namespace ntio;

namespace {

bool is_sep(char16_t c) { return c == u'\\' || c == u'/'; }

// The length of the volume root a full DOS path starts with, its backslash included: "X:\",
// "\\?\X:\" or "\\.\X:\" (any first component), "\\server\share\". 0 when the path has none.
std::size_t root_length(std::u16string_view full) {
    if (full.size() >= 3 && full[1] == u':' && is_sep(full[2])) return 3;
    if (full.size() < 3 || !is_sep(full[0]) || !is_sep(full[1])) return 0;
    std::size_t components = 2;  // "\\server\share\"
    std::size_t i = 2;
    if (full.size() >= 4 && (full[2] == u'?' || full[2] == u'.') && is_sep(full[3])) {
        components = 1;  // "\\?\X:\"
        i = 4;
    }
    for (std::size_t c = 0; c < components; ++c) {
        const std::size_t start = i;
        while (i < full.size() && !is_sep(full[i])) ++i;
        if (i == start || i == full.size()) return 0;
        ++i;
    }
    return i;
}

// The root of the current directory ("C:\", "\\server\share\").
std::u16string current_root() {
    const std::u16string cwd = win32::current_directory();
    const std::size_t length = root_length(cwd);
    return length ? cwd.substr(0, length) : cwd;
}

std::u16string path_or_current_root(LPCWSTR path) { return path ? std::u16string(win32::wide(path)) : current_root(); }
std::u16string path_or_current_root(LPCSTR path) { return path ? win32::ansi_to_utf16(path) : current_root(); }

// Opens the directory `dos_path` for volume queries.
NTSTATUS open_for_query(const std::u16string& dos_path, ULONG options, HANDLE* handle) {
    win32::DosPathAttributes attributes(reinterpret_cast<LPCWSTR>(dos_path.c_str()), nullptr);
    if (!NT_SUCCESS(attributes.status())) return attributes.status();
    IO_STATUS_BLOCK iosb{};
    return NtOpenFile(handle, FILE_READ_ATTRIBUTES | SYNCHRONIZE, attributes.get(), &iosb,
                      FILE_SHARE_READ | FILE_SHARE_WRITE,
                      options | FILE_SYNCHRONOUS_IO_NONALERT | FILE_OPEN_FOR_BACKUP_INTENT);
}

// GetVolumeInformation's rule for its root (Learn: "A trailing backslash is required"; the errors are
// the ones Windows gives, as its conformance tests record them): the full path must be a volume root
// ending in its backslash; without the backslash ERROR_INVALID_NAME, a directory under the root
// ERROR_DIR_NOT_ROOT.
DWORD check_volume_root(const std::u16string& path, std::u16string& full) {
    if (!NT_SUCCESS(win32::full_dos_path(path, full))) return ERROR_INVALID_NAME;
    if (full.back() != u'\\') return ERROR_INVALID_NAME;
    const std::size_t root = root_length(full);
    if (root == 0) return ERROR_INVALID_NAME;
    if (root != full.size()) return ERROR_DIR_NOT_ROOT;
    return ERROR_SUCCESS;
}

struct VolumeFacts {
    std::u16string label;
    DWORD serial = 0;
    DWORD max_component = 0;
    DWORD flags = 0;
    std::u16string file_system;
};

// What GetVolumeInformation reports, querying only the classes the caller's outputs need.
NTSTATUS query_volume(HANDLE handle, bool want_volume, bool want_attributes, VolumeFacts& facts) {
    constexpr ULONG kBufferBytes = 2 * MAX_PATH * sizeof(WCHAR) + 64;
    std::vector<ULONGLONG> buffer(kBufferBytes / sizeof(ULONGLONG));
    IO_STATUS_BLOCK iosb{};
    if (want_volume) {
        const NTSTATUS status = NtQueryVolumeInformationFile(handle, &iosb, buffer.data(), kBufferBytes,
                                                             FileFsVolumeInformation);
        if (!NT_SUCCESS(status)) return status;
        const auto* info = reinterpret_cast<const FILE_FS_VOLUME_INFORMATION*>(buffer.data());
        facts.serial = info->VolumeSerialNumber;
        facts.label.assign(reinterpret_cast<const char16_t*>(info->VolumeLabel), info->VolumeLabelLength / sizeof(WCHAR));
    }
    if (want_attributes) {
        const NTSTATUS status = NtQueryVolumeInformationFile(handle, &iosb, buffer.data(), kBufferBytes,
                                                             FileFsAttributeInformation);
        if (!NT_SUCCESS(status)) return status;
        const auto* info = reinterpret_cast<const FILE_FS_ATTRIBUTE_INFORMATION*>(buffer.data());
        facts.flags = info->FileSystemAttributes;
        facts.max_component = static_cast<DWORD>(info->MaximumComponentNameLength);
        facts.file_system.assign(reinterpret_cast<const char16_t*>(info->FileSystemName),
                                 info->FileSystemNameLength / sizeof(WCHAR));
    }
    return STATUS_SUCCESS;
}

// Copies `text` and its NUL; false (the caller reports ERROR_BAD_LENGTH) when `size` characters cannot
// hold both. A NULL buffer wants nothing.
template <class Char, class Text>
bool copy_string(const Text& text, Char* buffer, DWORD size) {
    if (!buffer) return true;
    if (text.size() + 1 > size) return false;
    for (std::size_t i = 0; i < text.size(); ++i) buffer[i] = static_cast<Char>(text[i]);
    buffer[text.size()] = 0;
    return true;
}

// The outputs of GetVolumeInformation(A/W/ByHandleW) from an open handle on the volume.
template <class Char>
BOOL report_volume(HANDLE handle, Char* label, DWORD label_size, LPDWORD serial, LPDWORD max_component,
                   LPDWORD flags, Char* file_system, DWORD file_system_size) {
    VolumeFacts facts;
    const NTSTATUS status = query_volume(handle, label || serial, max_component || flags || file_system, facts);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return FALSE;
    }
    // Windows' kernel32 fails a buffer that cannot hold the string and its NUL with
    // ERROR_BAD_LENGTH; Learn names no code for it.
    bool fits;
    if constexpr (sizeof(Char) == 1) {
        fits = copy_string(win32::utf16_to_ansi(facts.label), label, label_size);
    } else {
        fits = copy_string(facts.label, label, label_size);
    }
    if (!fits) {
        SetLastError(ERROR_BAD_LENGTH);
        return FALSE;
    }
    if (serial) *serial = facts.serial;
    if (max_component) *max_component = facts.max_component;
    if (flags) *flags = facts.flags;
    if constexpr (sizeof(Char) == 1) {
        fits = copy_string(win32::utf16_to_ansi(facts.file_system), file_system, file_system_size);
    } else {
        fits = copy_string(facts.file_system, file_system, file_system_size);
    }
    if (!fits) {
        SetLastError(ERROR_BAD_LENGTH);
        return FALSE;
    }
    return TRUE;
}

template <class Char>
BOOL volume_information(const std::u16string& root, Char* label, DWORD label_size, LPDWORD serial,
                        LPDWORD max_component, LPDWORD flags, Char* file_system, DWORD file_system_size) {
    std::u16string full;
    const DWORD error = check_volume_root(root, full);
    if (error != ERROR_SUCCESS) {
        SetLastError(error);
        return FALSE;
    }
    HANDLE handle = nullptr;
    const NTSTATUS status = open_for_query(full, 0, &handle);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return FALSE;
    }
    const BOOL result = report_volume(handle, label, label_size, serial, max_component, flags, file_system,
                                      file_system_size);
    const DWORD last = GetLastError();
    (void)NtClose(handle);
    SetLastError(last);
    return result;
}

UINT drive_type(std::u16string path) {
    // GetDriveType takes "C:" as "C:\"; anything but a volume root has no root directory.
    if (path.empty()) return DRIVE_NO_ROOT_DIR;
    if (path.back() != u'\\' && path.back() != u'/') path += u'\\';
    std::u16string full;
    if (!NT_SUCCESS(win32::full_dos_path(path, full))) return DRIVE_NO_ROOT_DIR;
    if (root_length(full) != full.size()) return DRIVE_NO_ROOT_DIR;
    HANDLE handle = nullptr;
    if (!NT_SUCCESS(open_for_query(full, 0, &handle))) return DRIVE_NO_ROOT_DIR;
    FILE_FS_DEVICE_INFORMATION device{};
    IO_STATUS_BLOCK iosb{};
    const NTSTATUS status = NtQueryVolumeInformationFile(handle, &iosb, &device, sizeof(device), FileFsDeviceInformation);
    (void)NtClose(handle);
    if (!NT_SUCCESS(status)) return DRIVE_UNKNOWN;
    // The device type and characteristics decide, as kernel32's GetDriveTypeW does.
    if (device.Characteristics & FILE_REMOTE_DEVICE) return DRIVE_REMOTE;
    switch (device.DeviceType) {
    case FILE_DEVICE_CD_ROM:
    case FILE_DEVICE_CD_ROM_FILE_SYSTEM:
    case FILE_DEVICE_DVD:
        return DRIVE_CDROM;
    case FILE_DEVICE_VIRTUAL_DISK:
        return DRIVE_RAMDISK;
    case FILE_DEVICE_NETWORK_FILE_SYSTEM:
    case FILE_DEVICE_NETWORK:
        return DRIVE_REMOTE;
    case FILE_DEVICE_DISK:
    case FILE_DEVICE_DISK_FILE_SYSTEM:
        return (device.Characteristics & FILE_REMOVABLE_MEDIA) ? DRIVE_REMOVABLE : DRIVE_FIXED;
    default:
        return DRIVE_UNKNOWN;
    }
}

struct SpaceFacts {
    ULONGLONG total = 0;
    ULONGLONG caller_free = 0;
    ULONGLONG actual_free = 0;
    ULONG sectors_per_unit = 0;
    ULONG bytes_per_sector = 0;
};

// The size classes of the volume of the directory `path`: FileFsFullSizeInformation, else
// FileFsSizeInformation (no separate caller quota there).
NTSTATUS query_space(const std::u16string& path, SpaceFacts& facts) {
    HANDLE handle = nullptr;
    NTSTATUS status = open_for_query(path, FILE_DIRECTORY_FILE, &handle);
    if (!NT_SUCCESS(status)) return status;
    IO_STATUS_BLOCK iosb{};
    FILE_FS_FULL_SIZE_INFORMATION full{};
    status = NtQueryVolumeInformationFile(handle, &iosb, &full, sizeof(full), FileFsFullSizeInformation);
    if (NT_SUCCESS(status)) {
        facts.total = static_cast<ULONGLONG>(full.TotalAllocationUnits.QuadPart);
        facts.caller_free = static_cast<ULONGLONG>(full.CallerAvailableAllocationUnits.QuadPart);
        facts.actual_free = static_cast<ULONGLONG>(full.ActualAvailableAllocationUnits.QuadPart);
        facts.sectors_per_unit = full.SectorsPerAllocationUnit;
        facts.bytes_per_sector = full.BytesPerSector;
    } else {
        FILE_FS_SIZE_INFORMATION size{};
        status = NtQueryVolumeInformationFile(handle, &iosb, &size, sizeof(size), FileFsSizeInformation);
        if (NT_SUCCESS(status)) {
            facts.total = static_cast<ULONGLONG>(size.TotalAllocationUnits.QuadPart);
            facts.caller_free = facts.actual_free = static_cast<ULONGLONG>(size.AvailableAllocationUnits.QuadPart);
            facts.sectors_per_unit = size.SectorsPerAllocationUnit;
            facts.bytes_per_sector = size.BytesPerSector;
        }
    }
    (void)NtClose(handle);
    return status;
}

BOOL disk_free_space(const std::u16string& root, LPDWORD sectors_per_cluster, LPDWORD bytes_per_sector,
                     LPDWORD free_clusters, LPDWORD total_clusters) {
    SpaceFacts facts;
    const NTSTATUS status = query_space(root, facts);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return FALSE;
    }
    // The counts are DWORDs: a volume with more clusters reports bigger ones, as kernel32 does.
    ULONGLONG sectors = facts.sectors_per_unit;
    while (facts.total > 0xFFFFFFFFull && sectors <= 0x7FFFFFFFull) {
        sectors *= 2;
        facts.total /= 2;
        facts.caller_free /= 2;
    }
    if (facts.total > 0xFFFFFFFFull) facts.total = 0xFFFFFFFFull;
    if (facts.caller_free > facts.total) facts.caller_free = facts.total;
    if (sectors_per_cluster) *sectors_per_cluster = static_cast<DWORD>(sectors);
    if (bytes_per_sector) *bytes_per_sector = facts.bytes_per_sector;
    if (free_clusters) *free_clusters = static_cast<DWORD>(facts.caller_free);
    if (total_clusters) *total_clusters = static_cast<DWORD>(facts.total);
    return TRUE;
}

BOOL disk_free_space_ex(const std::u16string& directory, PULARGE_INTEGER caller_free, PULARGE_INTEGER total,
                        PULARGE_INTEGER total_free) {
    SpaceFacts facts;
    const NTSTATUS status = query_space(directory, facts);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return FALSE;
    }
    const ULONGLONG unit = static_cast<ULONGLONG>(facts.sectors_per_unit) * facts.bytes_per_sector;
    if (caller_free) caller_free->QuadPart = facts.caller_free * unit;
    if (total) total->QuadPart = facts.total * unit;
    if (total_free) total_free->QuadPart = facts.actual_free * unit;
    return TRUE;
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-getdrivetypew
UINT WINAPI GetDriveTypeW(LPCWSTR lpRootPathName) {
    win32::ensure_system();
    return drive_type(path_or_current_root(lpRootPathName));
}

// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-getdrivetypea
UINT WINAPI GetDriveTypeA(LPCSTR lpRootPathName) {
    win32::ensure_system();
    return drive_type(path_or_current_root(lpRootPathName));
}

// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-getvolumeinformationw
BOOL WINAPI GetVolumeInformationW(LPCWSTR lpRootPathName, LPWSTR lpVolumeNameBuffer, DWORD nVolumeNameSize,
                                  LPDWORD lpVolumeSerialNumber, LPDWORD lpMaximumComponentLength,
                                  LPDWORD lpFileSystemFlags, LPWSTR lpFileSystemNameBuffer, DWORD nFileSystemNameSize) {
    win32::ensure_system();
    return volume_information(path_or_current_root(lpRootPathName), lpVolumeNameBuffer, nVolumeNameSize,
                              lpVolumeSerialNumber, lpMaximumComponentLength, lpFileSystemFlags,
                              lpFileSystemNameBuffer, nFileSystemNameSize);
}

// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-getvolumeinformationa
BOOL WINAPI GetVolumeInformationA(LPCSTR lpRootPathName, LPSTR lpVolumeNameBuffer, DWORD nVolumeNameSize,
                                  LPDWORD lpVolumeSerialNumber, LPDWORD lpMaximumComponentLength,
                                  LPDWORD lpFileSystemFlags, LPSTR lpFileSystemNameBuffer, DWORD nFileSystemNameSize) {
    win32::ensure_system();
    return volume_information(path_or_current_root(lpRootPathName), lpVolumeNameBuffer, nVolumeNameSize,
                              lpVolumeSerialNumber, lpMaximumComponentLength, lpFileSystemFlags,
                              lpFileSystemNameBuffer, nFileSystemNameSize);
}

// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-getvolumeinformationbyhandlew
BOOL WINAPI GetVolumeInformationByHandleW(HANDLE hFile, LPWSTR lpVolumeNameBuffer, DWORD nVolumeNameSize,
                                          LPDWORD lpVolumeSerialNumber, LPDWORD lpMaximumComponentLength,
                                          LPDWORD lpFileSystemFlags, LPWSTR lpFileSystemNameBuffer,
                                          DWORD nFileSystemNameSize) {
    win32::ensure_system();
    return report_volume(hFile, lpVolumeNameBuffer, nVolumeNameSize, lpVolumeSerialNumber, lpMaximumComponentLength,
                         lpFileSystemFlags, lpFileSystemNameBuffer, nFileSystemNameSize);
}

// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-getdiskfreespacew
// Any directory of the volume is accepted, as GetDiskFreeSpaceEx accepts one.
BOOL WINAPI GetDiskFreeSpaceW(LPCWSTR lpRootPathName, LPDWORD lpSectorsPerCluster, LPDWORD lpBytesPerSector,
                              LPDWORD lpNumberOfFreeClusters, LPDWORD lpTotalNumberOfClusters) {
    win32::ensure_system();
    return disk_free_space(path_or_current_root(lpRootPathName), lpSectorsPerCluster, lpBytesPerSector,
                           lpNumberOfFreeClusters, lpTotalNumberOfClusters);
}

// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-getdiskfreespacea
BOOL WINAPI GetDiskFreeSpaceA(LPCSTR lpRootPathName, LPDWORD lpSectorsPerCluster, LPDWORD lpBytesPerSector,
                              LPDWORD lpNumberOfFreeClusters, LPDWORD lpTotalNumberOfClusters) {
    win32::ensure_system();
    return disk_free_space(path_or_current_root(lpRootPathName), lpSectorsPerCluster, lpBytesPerSector,
                           lpNumberOfFreeClusters, lpTotalNumberOfClusters);
}

// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-getdiskfreespaceexw
BOOL WINAPI GetDiskFreeSpaceExW(LPCWSTR lpDirectoryName, PULARGE_INTEGER lpFreeBytesAvailableToCaller,
                                PULARGE_INTEGER lpTotalNumberOfBytes, PULARGE_INTEGER lpTotalNumberOfFreeBytes) {
    win32::ensure_system();
    return disk_free_space_ex(path_or_current_root(lpDirectoryName), lpFreeBytesAvailableToCaller,
                              lpTotalNumberOfBytes, lpTotalNumberOfFreeBytes);
}

// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-getdiskfreespaceexa
BOOL WINAPI GetDiskFreeSpaceExA(LPCSTR lpDirectoryName, PULARGE_INTEGER lpFreeBytesAvailableToCaller,
                                PULARGE_INTEGER lpTotalNumberOfBytes, PULARGE_INTEGER lpTotalNumberOfFreeBytes) {
    win32::ensure_system();
    return disk_free_space_ex(path_or_current_root(lpDirectoryName), lpFreeBytesAvailableToCaller,
                              lpTotalNumberOfBytes, lpTotalNumberOfFreeBytes);
}

}  // extern "C"

/* Volumes and MS-DOS device names (fileapi.h / winbase.h subset): DefineDosDevice and QueryDosDevice
 * over the symbolic links in \??, the drive letters (GetLogicalDrives, GetLogicalDriveStrings),
 * GetDriveType, GetVolumeInformation(ByHandle) and GetDiskFreeSpace(Ex) over the NT volume information
 * classes. Constants the DDK also defines are guarded. */
#ifndef NTIO_SDK_WIN32_VOLUME_H
#define NTIO_SDK_WIN32_VOLUME_H
#include "types.h"

#ifndef _Out_writes_to_opt_
#define _Out_writes_to_opt_(x, y)
#endif

/* DefineDosDevice flags. */
#ifndef DDD_RAW_TARGET_PATH
#define DDD_RAW_TARGET_PATH 0x00000001
#endif
#ifndef DDD_REMOVE_DEFINITION
#define DDD_REMOVE_DEFINITION 0x00000002
#endif
#ifndef DDD_EXACT_MATCH_ON_REMOVE
#define DDD_EXACT_MATCH_ON_REMOVE 0x00000004
#endif
#ifndef DDD_NO_BROADCAST_SYSTEM
#define DDD_NO_BROADCAST_SYSTEM 0x00000008
#endif
#ifndef DDD_LUID_BROADCAST_DRIVE
#define DDD_LUID_BROADCAST_DRIVE 0x00000010
#endif

/* GetDriveType results. */
#define DRIVE_UNKNOWN 0
#define DRIVE_NO_ROOT_DIR 1
#define DRIVE_REMOVABLE 2
#define DRIVE_FIXED 3
#define DRIVE_REMOTE 4
#define DRIVE_CDROM 5
#define DRIVE_RAMDISK 6

/* File system flags (GetVolumeInformation's lpFileSystemFlags; FileSystemAttributes in NT). */
#ifndef FILE_CASE_SENSITIVE_SEARCH
#define FILE_CASE_SENSITIVE_SEARCH 0x00000001
#endif
#ifndef FILE_CASE_PRESERVED_NAMES
#define FILE_CASE_PRESERVED_NAMES 0x00000002
#endif
#ifndef FILE_UNICODE_ON_DISK
#define FILE_UNICODE_ON_DISK 0x00000004
#endif
#ifndef FILE_PERSISTENT_ACLS
#define FILE_PERSISTENT_ACLS 0x00000008
#endif
#ifndef FILE_FILE_COMPRESSION
#define FILE_FILE_COMPRESSION 0x00000010
#endif
#ifndef FILE_VOLUME_QUOTAS
#define FILE_VOLUME_QUOTAS 0x00000020
#endif
#ifndef FILE_SUPPORTS_SPARSE_FILES
#define FILE_SUPPORTS_SPARSE_FILES 0x00000040
#endif
#ifndef FILE_SUPPORTS_REPARSE_POINTS
#define FILE_SUPPORTS_REPARSE_POINTS 0x00000080
#endif
#ifndef FILE_VOLUME_IS_COMPRESSED
#define FILE_VOLUME_IS_COMPRESSED 0x00008000
#endif
#ifndef FILE_SUPPORTS_OBJECT_IDS
#define FILE_SUPPORTS_OBJECT_IDS 0x00010000
#endif
#ifndef FILE_SUPPORTS_ENCRYPTION
#define FILE_SUPPORTS_ENCRYPTION 0x00020000
#endif
#ifndef FILE_NAMED_STREAMS
#define FILE_NAMED_STREAMS 0x00040000
#endif
#ifndef FILE_READ_ONLY_VOLUME
#define FILE_READ_ONLY_VOLUME 0x00080000
#endif
#ifndef FILE_SEQUENTIAL_WRITE_ONCE
#define FILE_SEQUENTIAL_WRITE_ONCE 0x00100000
#endif
#ifndef FILE_SUPPORTS_TRANSACTIONS
#define FILE_SUPPORTS_TRANSACTIONS 0x00200000
#endif
#ifndef FILE_SUPPORTS_HARD_LINKS
#define FILE_SUPPORTS_HARD_LINKS 0x00400000
#endif
#ifndef FILE_SUPPORTS_EXTENDED_ATTRIBUTES
#define FILE_SUPPORTS_EXTENDED_ATTRIBUTES 0x00800000
#endif
#ifndef FILE_SUPPORTS_OPEN_BY_FILE_ID
#define FILE_SUPPORTS_OPEN_BY_FILE_ID 0x01000000
#endif
#ifndef FILE_SUPPORTS_USN_JOURNAL
#define FILE_SUPPORTS_USN_JOURNAL 0x02000000
#endif

NTIO_BEGIN_DECLS

/* Defines (pushes), or with DDD_REMOVE_DEFINITION removes, a mapping of lpDeviceName ("X:", "COM9",
 * no backslash) to lpTargetPath: an MS-DOS path, or an NT name with DDD_RAW_TARGET_PATH. Removing
 * with a NULL or empty target drops the newest mapping; else the first whose start matches the target
 * (all of it with DDD_EXACT_MATCH_ON_REMOVE). The name stays until it is removed. */
WINBASEAPI BOOL WINAPI DefineDosDeviceA(_In_ DWORD dwFlags, _In_ LPCSTR lpDeviceName, _In_opt_ LPCSTR lpTargetPath);
WINBASEAPI BOOL WINAPI DefineDosDeviceW(_In_ DWORD dwFlags, _In_ LPCWSTR lpDeviceName, _In_opt_ LPCWSTR lpTargetPath);
/* A MULTI_SZ: the mappings of lpDeviceName, newest first; with NULL, the names of all MS-DOS devices.
 * Returns the characters stored including every NUL; 0 with ERROR_INSUFFICIENT_BUFFER when ucchMax is
 * too small. */
WINBASEAPI DWORD WINAPI QueryDosDeviceA(_In_opt_ LPCSTR lpDeviceName, _Out_writes_to_opt_(ucchMax, return) LPSTR lpTargetPath,
                                        _In_ DWORD ucchMax);
WINBASEAPI DWORD WINAPI QueryDosDeviceW(_In_opt_ LPCWSTR lpDeviceName,
                                        _Out_writes_to_opt_(ucchMax, return) LPWSTR lpTargetPath, _In_ DWORD ucchMax);

/* Bit n set: drive 'A' + n exists. */
WINBASEAPI DWORD WINAPI GetLogicalDrives(VOID);
/* "A:\" NUL "C:\" NUL ... NUL. Returns the characters stored without the last NUL, or the size needed
 * (greater than nBufferLength) when they do not fit. */
WINBASEAPI DWORD WINAPI GetLogicalDriveStringsA(_In_ DWORD nBufferLength, _Out_writes_to_opt_(nBufferLength, return + 1) LPSTR lpBuffer);
WINBASEAPI DWORD WINAPI GetLogicalDriveStringsW(_In_ DWORD nBufferLength,
                                                _Out_writes_to_opt_(nBufferLength, return + 1) LPWSTR lpBuffer);

/* DRIVE_* for the root of a volume ("C:\"; NULL: the current directory's root). */
WINBASEAPI UINT WINAPI GetDriveTypeA(_In_opt_ LPCSTR lpRootPathName);
WINBASEAPI UINT WINAPI GetDriveTypeW(_In_opt_ LPCWSTR lpRootPathName);

/* lpRootPathName is a volume root with its backslash ("C:\", "\\server\share\"; NULL: the current
 * directory's root): without it ERROR_INVALID_NAME, a directory below the root ERROR_DIR_NOT_ROOT.
 * Every output is optional; a buffer too small for its string is ERROR_BAD_LENGTH. */
WINBASEAPI BOOL WINAPI GetVolumeInformationA(_In_opt_ LPCSTR lpRootPathName,
                                             _Out_writes_opt_(nVolumeNameSize) LPSTR lpVolumeNameBuffer,
                                             _In_ DWORD nVolumeNameSize, _Out_opt_ LPDWORD lpVolumeSerialNumber,
                                             _Out_opt_ LPDWORD lpMaximumComponentLength,
                                             _Out_opt_ LPDWORD lpFileSystemFlags,
                                             _Out_writes_opt_(nFileSystemNameSize) LPSTR lpFileSystemNameBuffer,
                                             _In_ DWORD nFileSystemNameSize);
WINBASEAPI BOOL WINAPI GetVolumeInformationW(_In_opt_ LPCWSTR lpRootPathName,
                                             _Out_writes_opt_(nVolumeNameSize) LPWSTR lpVolumeNameBuffer,
                                             _In_ DWORD nVolumeNameSize, _Out_opt_ LPDWORD lpVolumeSerialNumber,
                                             _Out_opt_ LPDWORD lpMaximumComponentLength,
                                             _Out_opt_ LPDWORD lpFileSystemFlags,
                                             _Out_writes_opt_(nFileSystemNameSize) LPWSTR lpFileSystemNameBuffer,
                                             _In_ DWORD nFileSystemNameSize);
/* The same for the volume of an open file or directory. */
WINBASEAPI BOOL WINAPI GetVolumeInformationByHandleW(_In_ HANDLE hFile,
                                                     _Out_writes_opt_(nVolumeNameSize) LPWSTR lpVolumeNameBuffer,
                                                     _In_ DWORD nVolumeNameSize, _Out_opt_ LPDWORD lpVolumeSerialNumber,
                                                     _Out_opt_ LPDWORD lpMaximumComponentLength,
                                                     _Out_opt_ LPDWORD lpFileSystemFlags,
                                                     _Out_writes_opt_(nFileSystemNameSize) LPWSTR lpFileSystemNameBuffer,
                                                     _In_ DWORD nFileSystemNameSize);

/* Cluster geometry and counts of the volume of lpRootPathName (NULL: the current directory's). */
WINBASEAPI BOOL WINAPI GetDiskFreeSpaceA(_In_opt_ LPCSTR lpRootPathName, _Out_opt_ LPDWORD lpSectorsPerCluster,
                                         _Out_opt_ LPDWORD lpBytesPerSector, _Out_opt_ LPDWORD lpNumberOfFreeClusters,
                                         _Out_opt_ LPDWORD lpTotalNumberOfClusters);
WINBASEAPI BOOL WINAPI GetDiskFreeSpaceW(_In_opt_ LPCWSTR lpRootPathName, _Out_opt_ LPDWORD lpSectorsPerCluster,
                                         _Out_opt_ LPDWORD lpBytesPerSector, _Out_opt_ LPDWORD lpNumberOfFreeClusters,
                                         _Out_opt_ LPDWORD lpTotalNumberOfClusters);
/* Bytes free to the caller, in total and free on the volume of any directory (NULL: the current
 * directory's). */
WINBASEAPI BOOL WINAPI GetDiskFreeSpaceExA(_In_opt_ LPCSTR lpDirectoryName,
                                           _Out_opt_ PULARGE_INTEGER lpFreeBytesAvailableToCaller,
                                           _Out_opt_ PULARGE_INTEGER lpTotalNumberOfBytes,
                                           _Out_opt_ PULARGE_INTEGER lpTotalNumberOfFreeBytes);
WINBASEAPI BOOL WINAPI GetDiskFreeSpaceExW(_In_opt_ LPCWSTR lpDirectoryName,
                                           _Out_opt_ PULARGE_INTEGER lpFreeBytesAvailableToCaller,
                                           _Out_opt_ PULARGE_INTEGER lpTotalNumberOfBytes,
                                           _Out_opt_ PULARGE_INTEGER lpTotalNumberOfFreeBytes);

NTIO_END_DECLS

#ifdef UNICODE
#define DefineDosDevice DefineDosDeviceW
#define QueryDosDevice QueryDosDeviceW
#define GetLogicalDriveStrings GetLogicalDriveStringsW
#define GetDriveType GetDriveTypeW
#define GetVolumeInformation GetVolumeInformationW
#define GetDiskFreeSpace GetDiskFreeSpaceW
#define GetDiskFreeSpaceEx GetDiskFreeSpaceExW
#else
#define DefineDosDevice DefineDosDeviceA
#define QueryDosDevice QueryDosDeviceA
#define GetLogicalDriveStrings GetLogicalDriveStringsA
#define GetDriveType GetDriveTypeA
#define GetVolumeInformation GetVolumeInformationA
#define GetDiskFreeSpace GetDiskFreeSpaceA
#define GetDiskFreeSpaceEx GetDiskFreeSpaceExA
#endif

#endif /* NTIO_SDK_WIN32_VOLUME_H */

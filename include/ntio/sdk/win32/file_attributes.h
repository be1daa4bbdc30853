/* File attributes, times and copies (fileapi.h / winbase.h subset): GetFileAttributes(Ex),
 * SetFileAttributes, GetFileTime / SetFileTime, GetCompressedFileSize and CopyFile(Ex), over the NT
 * attribute queries and FileBasicInformation. */
#ifndef NTIO_SDK_WIN32_FILE_ATTRIBUTES_H
#define NTIO_SDK_WIN32_FILE_ATTRIBUTES_H
#include "types.h"

typedef enum _GET_FILEEX_INFO_LEVELS { GetFileExInfoStandard, GetFileExMaxInfoLevel } GET_FILEEX_INFO_LEVELS;

typedef struct _WIN32_FILE_ATTRIBUTE_DATA {
    DWORD dwFileAttributes;
    FILETIME ftCreationTime;
    FILETIME ftLastAccessTime;
    FILETIME ftLastWriteTime;
    DWORD nFileSizeHigh;
    DWORD nFileSizeLow;
} WIN32_FILE_ATTRIBUTE_DATA, *LPWIN32_FILE_ATTRIBUTE_DATA;

NTIO_BEGIN_DECLS
WINBASEAPI DWORD WINAPI GetFileAttributesA(_In_ LPCSTR lpFileName);
WINBASEAPI DWORD WINAPI GetFileAttributesW(_In_ LPCWSTR lpFileName);
WINBASEAPI BOOL WINAPI GetFileAttributesExA(_In_ LPCSTR lpFileName, _In_ GET_FILEEX_INFO_LEVELS fInfoLevelId,
                                            _Out_ LPVOID lpFileInformation);
WINBASEAPI BOOL WINAPI GetFileAttributesExW(_In_ LPCWSTR lpFileName, _In_ GET_FILEEX_INFO_LEVELS fInfoLevelId,
                                            _Out_ LPVOID lpFileInformation);
WINBASEAPI BOOL WINAPI SetFileAttributesA(_In_ LPCSTR lpFileName, _In_ DWORD dwFileAttributes);
WINBASEAPI BOOL WINAPI SetFileAttributesW(_In_ LPCWSTR lpFileName, _In_ DWORD dwFileAttributes);
WINBASEAPI BOOL WINAPI GetFileTime(_In_ HANDLE hFile, _Out_opt_ LPFILETIME lpCreationTime,
                                   _Out_opt_ LPFILETIME lpLastAccessTime, _Out_opt_ LPFILETIME lpLastWriteTime);
WINBASEAPI BOOL WINAPI SetFileTime(_In_ HANDLE hFile, _In_opt_ const FILETIME* lpCreationTime,
                                   _In_opt_ const FILETIME* lpLastAccessTime, _In_opt_ const FILETIME* lpLastWriteTime);
WINBASEAPI DWORD WINAPI GetCompressedFileSizeA(_In_ LPCSTR lpFileName, _Out_opt_ LPDWORD lpFileSizeHigh);
WINBASEAPI DWORD WINAPI GetCompressedFileSizeW(_In_ LPCWSTR lpFileName, _Out_opt_ LPDWORD lpFileSizeHigh);
NTIO_END_DECLS

/* CopyFileEx flags, progress routine reasons and results (winbase.h). */
#define COPY_FILE_FAIL_IF_EXISTS 0x00000001
#define COPY_FILE_RESTARTABLE 0x00000002
#define COPY_FILE_OPEN_SOURCE_FOR_WRITE 0x00000004
#define COPY_FILE_ALLOW_DECRYPTED_DESTINATION 0x00000008
#define COPY_FILE_COPY_SYMLINK 0x00000800
#define COPY_FILE_NO_BUFFERING 0x00001000
#define CALLBACK_CHUNK_FINISHED 0x00000000
#define CALLBACK_STREAM_SWITCH 0x00000001
#define PROGRESS_CONTINUE 0
#define PROGRESS_CANCEL 1
#define PROGRESS_STOP 2
#define PROGRESS_QUIET 3

typedef DWORD(WINAPI* LPPROGRESS_ROUTINE)(_In_ LARGE_INTEGER TotalFileSize, _In_ LARGE_INTEGER TotalBytesTransferred,
                                          _In_ LARGE_INTEGER StreamSize, _In_ LARGE_INTEGER StreamBytesTransferred,
                                          _In_ DWORD dwStreamNumber, _In_ DWORD dwCallbackReason,
                                          _In_ HANDLE hSourceFile, _In_ HANDLE hDestinationFile,
                                          _In_opt_ LPVOID lpData);

NTIO_BEGIN_DECLS
WINBASEAPI BOOL WINAPI CopyFileA(_In_ LPCSTR lpExistingFileName, _In_ LPCSTR lpNewFileName, _In_ BOOL bFailIfExists);
WINBASEAPI BOOL WINAPI CopyFileW(_In_ LPCWSTR lpExistingFileName, _In_ LPCWSTR lpNewFileName, _In_ BOOL bFailIfExists);
WINBASEAPI BOOL WINAPI CopyFileExA(_In_ LPCSTR lpExistingFileName, _In_ LPCSTR lpNewFileName,
                                   _In_opt_ LPPROGRESS_ROUTINE lpProgressRoutine, _In_opt_ LPVOID lpData,
                                   _In_opt_ LPBOOL pbCancel, _In_ DWORD dwCopyFlags);
WINBASEAPI BOOL WINAPI CopyFileExW(_In_ LPCWSTR lpExistingFileName, _In_ LPCWSTR lpNewFileName,
                                   _In_opt_ LPPROGRESS_ROUTINE lpProgressRoutine, _In_opt_ LPVOID lpData,
                                   _In_opt_ LPBOOL pbCancel, _In_ DWORD dwCopyFlags);
NTIO_END_DECLS

#ifdef UNICODE
#define GetFileAttributes GetFileAttributesW
#define GetFileAttributesEx GetFileAttributesExW
#define SetFileAttributes SetFileAttributesW
#define GetCompressedFileSize GetCompressedFileSizeW
#define CopyFile CopyFileW
#define CopyFileEx CopyFileExW
#else
#define GetFileAttributes GetFileAttributesA
#define GetFileAttributesEx GetFileAttributesExA
#define SetFileAttributes SetFileAttributesA
#define GetCompressedFileSize GetCompressedFileSizeA
#define CopyFile CopyFileA
#define CopyFileEx CopyFileExA
#endif

#endif /* NTIO_SDK_WIN32_FILE_ATTRIBUTES_H */

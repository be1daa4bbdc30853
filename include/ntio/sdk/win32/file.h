/* Files, paths and directories (fileapi.h / winbase.h subset): CreateFile, DeleteFile, file size and
 * pointer, information by handle, byte-range locks, FindFirstFile enumeration, change notification,
 * the current directory and full path names. DOS paths become NT paths under \??; the constants the
 * DDK also defines are spelled token for token as it spells them and guarded. */
#ifndef NTIO_SDK_WIN32_FILE_H
#define NTIO_SDK_WIN32_FILE_H
#include "types.h"
#include "access.h"

#ifndef _Out_writes_to_opt_
#define _Out_writes_to_opt_(x, y)
#endif

/* File access rights (winnt.h), as the DDK spells them. */
#ifndef FILE_READ_DATA
#define FILE_READ_DATA (0x0001)
#endif
#ifndef FILE_LIST_DIRECTORY
#define FILE_LIST_DIRECTORY (0x0001)
#endif
#ifndef FILE_WRITE_DATA
#define FILE_WRITE_DATA (0x0002)
#endif
#ifndef FILE_ADD_FILE
#define FILE_ADD_FILE (0x0002)
#endif
#ifndef FILE_APPEND_DATA
#define FILE_APPEND_DATA (0x0004)
#endif
#ifndef FILE_ADD_SUBDIRECTORY
#define FILE_ADD_SUBDIRECTORY (0x0004)
#endif
#ifndef FILE_CREATE_PIPE_INSTANCE
#define FILE_CREATE_PIPE_INSTANCE (0x0004)
#endif
#ifndef FILE_READ_EA
#define FILE_READ_EA (0x0008)
#endif
#ifndef FILE_WRITE_EA
#define FILE_WRITE_EA (0x0010)
#endif
#ifndef FILE_EXECUTE
#define FILE_EXECUTE (0x0020)
#endif
#ifndef FILE_TRAVERSE
#define FILE_TRAVERSE (0x0020)
#endif
#ifndef FILE_DELETE_CHILD
#define FILE_DELETE_CHILD (0x0040)
#endif
#ifndef FILE_READ_ATTRIBUTES
#define FILE_READ_ATTRIBUTES (0x0080)
#endif
#ifndef FILE_WRITE_ATTRIBUTES
#define FILE_WRITE_ATTRIBUTES (0x0100)
#endif
#ifndef FILE_ALL_ACCESS
#define FILE_ALL_ACCESS (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x1FF)
#endif
#ifndef FILE_GENERIC_READ
#define FILE_GENERIC_READ (STANDARD_RIGHTS_READ | FILE_READ_DATA | FILE_READ_ATTRIBUTES | FILE_READ_EA | SYNCHRONIZE)
#endif
#ifndef FILE_GENERIC_WRITE
#define FILE_GENERIC_WRITE \
    (STANDARD_RIGHTS_WRITE | FILE_WRITE_DATA | FILE_WRITE_ATTRIBUTES | FILE_WRITE_EA | FILE_APPEND_DATA | SYNCHRONIZE)
#endif
#ifndef FILE_GENERIC_EXECUTE
#define FILE_GENERIC_EXECUTE (STANDARD_RIGHTS_EXECUTE | FILE_READ_ATTRIBUTES | FILE_EXECUTE | SYNCHRONIZE)
#endif
/* Share modes. */
#ifndef FILE_SHARE_READ
#define FILE_SHARE_READ 0x00000001
#endif
#ifndef FILE_SHARE_WRITE
#define FILE_SHARE_WRITE 0x00000002
#endif
#ifndef FILE_SHARE_DELETE
#define FILE_SHARE_DELETE 0x00000004
#endif
#ifndef FILE_SHARE_VALID_FLAGS
#define FILE_SHARE_VALID_FLAGS 0x00000007
#endif
/* File attributes. */
#ifndef FILE_ATTRIBUTE_READONLY
#define FILE_ATTRIBUTE_READONLY 0x00000001
#endif
#ifndef FILE_ATTRIBUTE_HIDDEN
#define FILE_ATTRIBUTE_HIDDEN 0x00000002
#endif
#ifndef FILE_ATTRIBUTE_SYSTEM
#define FILE_ATTRIBUTE_SYSTEM 0x00000004
#endif
#ifndef FILE_ATTRIBUTE_DIRECTORY
#define FILE_ATTRIBUTE_DIRECTORY 0x00000010
#endif
#ifndef FILE_ATTRIBUTE_ARCHIVE
#define FILE_ATTRIBUTE_ARCHIVE 0x00000020
#endif
#ifndef FILE_ATTRIBUTE_DEVICE
#define FILE_ATTRIBUTE_DEVICE 0x00000040
#endif
#ifndef FILE_ATTRIBUTE_NORMAL
#define FILE_ATTRIBUTE_NORMAL 0x00000080
#endif
#ifndef FILE_ATTRIBUTE_TEMPORARY
#define FILE_ATTRIBUTE_TEMPORARY 0x00000100
#endif
#ifndef FILE_ATTRIBUTE_SPARSE_FILE
#define FILE_ATTRIBUTE_SPARSE_FILE 0x00000200
#endif
#ifndef FILE_ATTRIBUTE_REPARSE_POINT
#define FILE_ATTRIBUTE_REPARSE_POINT 0x00000400
#endif
#ifndef FILE_ATTRIBUTE_COMPRESSED
#define FILE_ATTRIBUTE_COMPRESSED 0x00000800
#endif
#ifndef FILE_ATTRIBUTE_OFFLINE
#define FILE_ATTRIBUTE_OFFLINE 0x00001000
#endif
#ifndef FILE_ATTRIBUTE_NOT_CONTENT_INDEXED
#define FILE_ATTRIBUTE_NOT_CONTENT_INDEXED 0x00002000
#endif
#ifndef FILE_ATTRIBUTE_ENCRYPTED
#define FILE_ATTRIBUTE_ENCRYPTED 0x00004000
#endif
#ifndef FILE_ATTRIBUTE_INTEGRITY_STREAM
#define FILE_ATTRIBUTE_INTEGRITY_STREAM 0x00008000
#endif
#ifndef FILE_ATTRIBUTE_VIRTUAL
#define FILE_ATTRIBUTE_VIRTUAL 0x00010000
#endif
#ifndef FILE_ATTRIBUTE_NO_SCRUB_DATA
#define FILE_ATTRIBUTE_NO_SCRUB_DATA 0x00020000
#endif
#ifndef FILE_ATTRIBUTE_VALID_FLAGS
#define FILE_ATTRIBUTE_VALID_FLAGS 0x00007fb7
#endif
#ifndef FILE_ATTRIBUTE_VALID_SET_FLAGS
#define FILE_ATTRIBUTE_VALID_SET_FLAGS 0x000031a7
#endif
/* ReadDirectoryChangesW filters and actions. */
#ifndef FILE_NOTIFY_CHANGE_FILE_NAME
#define FILE_NOTIFY_CHANGE_FILE_NAME 0x00000001
#endif
#ifndef FILE_NOTIFY_CHANGE_DIR_NAME
#define FILE_NOTIFY_CHANGE_DIR_NAME 0x00000002
#endif
#ifndef FILE_NOTIFY_CHANGE_NAME
#define FILE_NOTIFY_CHANGE_NAME 0x00000003
#endif
#ifndef FILE_NOTIFY_CHANGE_ATTRIBUTES
#define FILE_NOTIFY_CHANGE_ATTRIBUTES 0x00000004
#endif
#ifndef FILE_NOTIFY_CHANGE_SIZE
#define FILE_NOTIFY_CHANGE_SIZE 0x00000008
#endif
#ifndef FILE_NOTIFY_CHANGE_LAST_WRITE
#define FILE_NOTIFY_CHANGE_LAST_WRITE 0x00000010
#endif
#ifndef FILE_NOTIFY_CHANGE_LAST_ACCESS
#define FILE_NOTIFY_CHANGE_LAST_ACCESS 0x00000020
#endif
#ifndef FILE_NOTIFY_CHANGE_CREATION
#define FILE_NOTIFY_CHANGE_CREATION 0x00000040
#endif
#ifndef FILE_NOTIFY_CHANGE_EA
#define FILE_NOTIFY_CHANGE_EA 0x00000080
#endif
#ifndef FILE_NOTIFY_CHANGE_SECURITY
#define FILE_NOTIFY_CHANGE_SECURITY 0x00000100
#endif
#ifndef FILE_NOTIFY_CHANGE_STREAM_NAME
#define FILE_NOTIFY_CHANGE_STREAM_NAME 0x00000200
#endif
#ifndef FILE_NOTIFY_CHANGE_STREAM_SIZE
#define FILE_NOTIFY_CHANGE_STREAM_SIZE 0x00000400
#endif
#ifndef FILE_NOTIFY_CHANGE_STREAM_WRITE
#define FILE_NOTIFY_CHANGE_STREAM_WRITE 0x00000800
#endif
#ifndef FILE_NOTIFY_VALID_MASK
#define FILE_NOTIFY_VALID_MASK 0x00000fff
#endif
#ifndef FILE_ACTION_ADDED
#define FILE_ACTION_ADDED 0x00000001
#endif
#ifndef FILE_ACTION_REMOVED
#define FILE_ACTION_REMOVED 0x00000002
#endif
#ifndef FILE_ACTION_MODIFIED
#define FILE_ACTION_MODIFIED 0x00000003
#endif
#ifndef FILE_ACTION_RENAMED_OLD_NAME
#define FILE_ACTION_RENAMED_OLD_NAME 0x00000004
#endif
#ifndef FILE_ACTION_RENAMED_NEW_NAME
#define FILE_ACTION_RENAMED_NEW_NAME 0x00000005
#endif
#ifndef FILE_ACTION_ADDED_STREAM
#define FILE_ACTION_ADDED_STREAM 0x00000006
#endif
#ifndef FILE_ACTION_REMOVED_STREAM
#define FILE_ACTION_REMOVED_STREAM 0x00000007
#endif
#ifndef FILE_ACTION_MODIFIED_STREAM
#define FILE_ACTION_MODIFIED_STREAM 0x00000008
#endif
#ifndef FILE_ACTION_REMOVED_BY_DELETE
#define FILE_ACTION_REMOVED_BY_DELETE 0x00000009
#endif
#ifndef FILE_ACTION_ID_NOT_TUNNELLED
#define FILE_ACTION_ID_NOT_TUNNELLED 0x0000000A
#endif
#ifndef FILE_ACTION_TUNNELLED_ID_COLLISION
#define FILE_ACTION_TUNNELLED_ID_COLLISION 0x0000000B
#endif

/* CreateFile dispositions. */
#define CREATE_NEW 1
#define CREATE_ALWAYS 2
#define OPEN_EXISTING 3
#define OPEN_ALWAYS 4
#define TRUNCATE_EXISTING 5

/* CreateFile flags (the high bits of dwFlagsAndAttributes). */
#define FILE_FLAG_WRITE_THROUGH 0x80000000
#define FILE_FLAG_OVERLAPPED 0x40000000
#define FILE_FLAG_NO_BUFFERING 0x20000000
#define FILE_FLAG_RANDOM_ACCESS 0x10000000
#define FILE_FLAG_SEQUENTIAL_SCAN 0x08000000
#define FILE_FLAG_DELETE_ON_CLOSE 0x04000000
#define FILE_FLAG_BACKUP_SEMANTICS 0x02000000
#define FILE_FLAG_POSIX_SEMANTICS 0x01000000
#define FILE_FLAG_SESSION_AWARE 0x00800000
#define FILE_FLAG_OPEN_REPARSE_POINT 0x00200000
#define FILE_FLAG_OPEN_NO_RECALL 0x00100000
#define FILE_FLAG_FIRST_PIPE_INSTANCE 0x00080000
#define SECURITY_ANONYMOUS (0 << 16)
#define SECURITY_IDENTIFICATION (1 << 16)
#define SECURITY_IMPERSONATION (2 << 16)
#define SECURITY_DELEGATION (3 << 16)
#define SECURITY_CONTEXT_TRACKING 0x00040000
#define SECURITY_EFFECTIVE_ONLY 0x00080000
#define SECURITY_SQOS_PRESENT 0x00100000
#define SECURITY_VALID_SQOS_FLAGS 0x001F0000

/* SetFilePointer move methods and failure values. */
#define FILE_BEGIN 0
#define FILE_CURRENT 1
#define FILE_END 2
#define INVALID_FILE_SIZE ((DWORD)0xFFFFFFFF)
#define INVALID_SET_FILE_POINTER ((DWORD)-1)
#define INVALID_FILE_ATTRIBUTES ((DWORD)-1)

/* GetFileType. */
#define FILE_TYPE_UNKNOWN 0x0000
#define FILE_TYPE_DISK 0x0001
#define FILE_TYPE_CHAR 0x0002
#define FILE_TYPE_PIPE 0x0003
#define FILE_TYPE_REMOTE 0x8000

/* FindFirstFileEx information levels, search operations and flags. */
typedef enum _FINDEX_INFO_LEVELS {
    FindExInfoStandard,
    FindExInfoBasic,
    FindExInfoMaxInfoLevel
} FINDEX_INFO_LEVELS;
typedef enum _FINDEX_SEARCH_OPS {
    FindExSearchNameMatch,
    FindExSearchLimitToDirectories,
    FindExSearchLimitToDevices,
    FindExSearchMaxSearchOp
} FINDEX_SEARCH_OPS;
#define FIND_FIRST_EX_CASE_SENSITIVE 0x00000001
#define FIND_FIRST_EX_LARGE_FETCH 0x00000002
#define FIND_FIRST_EX_ON_DISK_ENTRIES_ONLY 0x00000004

/* LockFileEx. */
#define LOCKFILE_FAIL_IMMEDIATELY 0x00000001
#define LOCKFILE_EXCLUSIVE_LOCK 0x00000002

/* FILE_RENAME_INFO / FILE_DISPOSITION_INFO_EX flags. */
#ifndef FILE_RENAME_FLAG_REPLACE_IF_EXISTS
#define FILE_RENAME_FLAG_REPLACE_IF_EXISTS 0x00000001
#define FILE_RENAME_FLAG_POSIX_SEMANTICS 0x00000002
#endif
#ifndef FILE_DISPOSITION_FLAG_DO_NOT_DELETE
#define FILE_DISPOSITION_FLAG_DO_NOT_DELETE 0x00000000
#define FILE_DISPOSITION_FLAG_DELETE 0x00000001
#define FILE_DISPOSITION_FLAG_POSIX_SEMANTICS 0x00000002
#define FILE_DISPOSITION_FLAG_FORCE_IMAGE_SECTION_CHECK 0x00000004
#define FILE_DISPOSITION_FLAG_ON_CLOSE 0x00000008
#define FILE_DISPOSITION_FLAG_IGNORE_READONLY_ATTRIBUTE 0x00000010
#endif

typedef struct _BY_HANDLE_FILE_INFORMATION {
    DWORD dwFileAttributes;
    FILETIME ftCreationTime;
    FILETIME ftLastAccessTime;
    FILETIME ftLastWriteTime;
    DWORD dwVolumeSerialNumber;
    DWORD nFileSizeHigh;
    DWORD nFileSizeLow;
    DWORD nNumberOfLinks;
    DWORD nFileIndexHigh;
    DWORD nFileIndexLow;
} BY_HANDLE_FILE_INFORMATION, *PBY_HANDLE_FILE_INFORMATION, *LPBY_HANDLE_FILE_INFORMATION;

typedef struct _WIN32_FIND_DATAA {
    DWORD dwFileAttributes;
    FILETIME ftCreationTime;
    FILETIME ftLastAccessTime;
    FILETIME ftLastWriteTime;
    DWORD nFileSizeHigh;
    DWORD nFileSizeLow;
    DWORD dwReserved0;
    DWORD dwReserved1;
    CHAR cFileName[MAX_PATH];
    CHAR cAlternateFileName[14];
} WIN32_FIND_DATAA, *PWIN32_FIND_DATAA, *LPWIN32_FIND_DATAA;

typedef struct _WIN32_FIND_DATAW {
    DWORD dwFileAttributes;
    FILETIME ftCreationTime;
    FILETIME ftLastAccessTime;
    FILETIME ftLastWriteTime;
    DWORD nFileSizeHigh;
    DWORD nFileSizeLow;
    DWORD dwReserved0;
    DWORD dwReserved1;
    WCHAR cFileName[MAX_PATH];
    WCHAR cAlternateFileName[14];
} WIN32_FIND_DATAW, *PWIN32_FIND_DATAW, *LPWIN32_FIND_DATAW;

typedef enum _FILE_INFO_BY_HANDLE_CLASS {
    FileBasicInfo,
    FileStandardInfo,
    FileNameInfo,
    FileRenameInfo,
    FileDispositionInfo,
    FileAllocationInfo,
    FileEndOfFileInfo,
    FileStreamInfo,
    FileCompressionInfo,
    FileAttributeTagInfo,
    FileIdBothDirectoryInfo,
    FileIdBothDirectoryRestartInfo,
    FileIoPriorityHintInfo,
    FileRemoteProtocolInfo,
    FileFullDirectoryInfo,
    FileFullDirectoryRestartInfo,
    FileStorageInfo,
    FileAlignmentInfo,
    FileIdInfo,
    FileIdExtdDirectoryInfo,
    FileIdExtdDirectoryRestartInfo,
    FileDispositionInfoEx,
    FileRenameInfoEx,
    FileCaseSensitiveInfo,
    FileNormalizedNameInfo,
    MaximumFileInfoByHandleClass
} FILE_INFO_BY_HANDLE_CLASS, *PFILE_INFO_BY_HANDLE_CLASS;

typedef struct _FILE_BASIC_INFO {
    LARGE_INTEGER CreationTime;
    LARGE_INTEGER LastAccessTime;
    LARGE_INTEGER LastWriteTime;
    LARGE_INTEGER ChangeTime;
    DWORD FileAttributes;
} FILE_BASIC_INFO, *PFILE_BASIC_INFO;

typedef struct _FILE_STANDARD_INFO {
    LARGE_INTEGER AllocationSize;
    LARGE_INTEGER EndOfFile;
    DWORD NumberOfLinks;
    BOOLEAN DeletePending;
    BOOLEAN Directory;
} FILE_STANDARD_INFO, *PFILE_STANDARD_INFO;

typedef struct _FILE_NAME_INFO {
    DWORD FileNameLength;
    WCHAR FileName[1];
} FILE_NAME_INFO, *PFILE_NAME_INFO;

typedef struct _FILE_RENAME_INFO {
    union {
        BOOLEAN ReplaceIfExists;
        DWORD Flags;
    };
    HANDLE RootDirectory;
    DWORD FileNameLength;
    WCHAR FileName[1];
} FILE_RENAME_INFO, *PFILE_RENAME_INFO;

/* The SDK spells the member DeleteFile after the DeleteFile macro, which renames it consistently:
 * `info.DeleteFile` means the same member whichever character set is chosen. */
#ifdef UNICODE
#define DeleteFile DeleteFileW
#else
#define DeleteFile DeleteFileA
#endif
typedef struct _FILE_DISPOSITION_INFO {
    BOOLEAN DeleteFile;
} FILE_DISPOSITION_INFO, *PFILE_DISPOSITION_INFO;

typedef struct _FILE_DISPOSITION_INFO_EX {
    DWORD Flags;
} FILE_DISPOSITION_INFO_EX, *PFILE_DISPOSITION_INFO_EX;

typedef struct _FILE_ALLOCATION_INFO {
    LARGE_INTEGER AllocationSize;
} FILE_ALLOCATION_INFO, *PFILE_ALLOCATION_INFO;

typedef struct _FILE_END_OF_FILE_INFO {
    LARGE_INTEGER EndOfFile;
} FILE_END_OF_FILE_INFO, *PFILE_END_OF_FILE_INFO;

typedef struct _FILE_ATTRIBUTE_TAG_INFO {
    DWORD FileAttributes;
    DWORD ReparseTag;
} FILE_ATTRIBUTE_TAG_INFO, *PFILE_ATTRIBUTE_TAG_INFO;

typedef struct _FILE_ALIGNMENT_INFO {
    ULONG AlignmentRequirement;
} FILE_ALIGNMENT_INFO, *PFILE_ALIGNMENT_INFO;

typedef struct _FILE_ID_BOTH_DIR_INFO {
    DWORD NextEntryOffset;
    DWORD FileIndex;
    LARGE_INTEGER CreationTime;
    LARGE_INTEGER LastAccessTime;
    LARGE_INTEGER LastWriteTime;
    LARGE_INTEGER ChangeTime;
    LARGE_INTEGER EndOfFile;
    LARGE_INTEGER AllocationSize;
    DWORD FileAttributes;
    DWORD FileNameLength;
    DWORD EaSize;
    CCHAR ShortNameLength;
    WCHAR ShortName[12];
    LARGE_INTEGER FileId;
    WCHAR FileName[1];
} FILE_ID_BOTH_DIR_INFO, *PFILE_ID_BOTH_DIR_INFO;

typedef struct _FILE_FULL_DIR_INFO {
    ULONG NextEntryOffset;
    ULONG FileIndex;
    LARGE_INTEGER CreationTime;
    LARGE_INTEGER LastAccessTime;
    LARGE_INTEGER LastWriteTime;
    LARGE_INTEGER ChangeTime;
    LARGE_INTEGER EndOfFile;
    LARGE_INTEGER AllocationSize;
    ULONG FileAttributes;
    ULONG FileNameLength;
    ULONG EaSize;
    WCHAR FileName[1];
} FILE_FULL_DIR_INFO, *PFILE_FULL_DIR_INFO;

/* ReadDirectoryChangesW records (winnt.h); <wdm.h> defines the same structure under the same guard. */
#ifndef NTIO_HAVE_FILE_NOTIFY_INFORMATION
#define NTIO_HAVE_FILE_NOTIFY_INFORMATION
typedef struct _FILE_NOTIFY_INFORMATION {
    ULONG NextEntryOffset;
    ULONG Action;
    ULONG FileNameLength;
    WCHAR FileName[1];
} FILE_NOTIFY_INFORMATION, *PFILE_NOTIFY_INFORMATION;
#endif

C_ASSERT(sizeof(BY_HANDLE_FILE_INFORMATION) == 52);
C_ASSERT(sizeof(WIN32_FIND_DATAA) == 320);
C_ASSERT(sizeof(WIN32_FIND_DATAW) == 592);
C_ASSERT(sizeof(FILE_BASIC_INFO) == 40);
C_ASSERT(sizeof(FILE_STANDARD_INFO) == 24);
C_ASSERT(sizeof(FILE_RENAME_INFO) == 24);
C_ASSERT(FIELD_OFFSET(FILE_ID_BOTH_DIR_INFO, FileId) == 0x60);
C_ASSERT(FIELD_OFFSET(FILE_ID_BOTH_DIR_INFO, FileName) == 0x68);

typedef VOID (WINAPI *LPOVERLAPPED_COMPLETION_ROUTINE)(_In_ DWORD dwErrorCode, _In_ DWORD dwNumberOfBytesTransfered,
                                                      _Inout_ LPOVERLAPPED lpOverlapped);

NTIO_BEGIN_DECLS

/* Every routine: PASSIVE_LEVEL caller thread; failures return the documented failure value and set the
 * last error from the NTSTATUS (RtlNtStatusToDosError). */
WINBASEAPI HANDLE WINAPI CreateFileA(_In_ LPCSTR lpFileName, _In_ DWORD dwDesiredAccess, _In_ DWORD dwShareMode,
                                     _In_opt_ LPSECURITY_ATTRIBUTES lpSecurityAttributes,
                                     _In_ DWORD dwCreationDisposition, _In_ DWORD dwFlagsAndAttributes,
                                     _In_opt_ HANDLE hTemplateFile);
WINBASEAPI HANDLE WINAPI CreateFileW(_In_ LPCWSTR lpFileName, _In_ DWORD dwDesiredAccess, _In_ DWORD dwShareMode,
                                     _In_opt_ LPSECURITY_ATTRIBUTES lpSecurityAttributes,
                                     _In_ DWORD dwCreationDisposition, _In_ DWORD dwFlagsAndAttributes,
                                     _In_opt_ HANDLE hTemplateFile);
WINBASEAPI BOOL WINAPI DeleteFileA(_In_ LPCSTR lpFileName);
WINBASEAPI BOOL WINAPI DeleteFileW(_In_ LPCWSTR lpFileName);

/* MoveFileEx flags (winbase.h). */
#define MOVEFILE_REPLACE_EXISTING 0x00000001
#define MOVEFILE_COPY_ALLOWED 0x00000002
#define MOVEFILE_DELAY_UNTIL_REBOOT 0x00000004
#define MOVEFILE_WRITE_THROUGH 0x00000008
WINBASEAPI BOOL WINAPI MoveFileA(_In_ LPCSTR lpExistingFileName, _In_ LPCSTR lpNewFileName);
WINBASEAPI BOOL WINAPI MoveFileW(_In_ LPCWSTR lpExistingFileName, _In_ LPCWSTR lpNewFileName);
WINBASEAPI BOOL WINAPI MoveFileExA(_In_ LPCSTR lpExistingFileName, _In_opt_ LPCSTR lpNewFileName, _In_ DWORD dwFlags);
WINBASEAPI BOOL WINAPI MoveFileExW(_In_ LPCWSTR lpExistingFileName, _In_opt_ LPCWSTR lpNewFileName, _In_ DWORD dwFlags);
WINBASEAPI BOOL WINAPI CreateDirectoryA(_In_ LPCSTR lpPathName, _In_opt_ LPSECURITY_ATTRIBUTES lpSecurityAttributes);
WINBASEAPI BOOL WINAPI CreateDirectoryW(_In_ LPCWSTR lpPathName, _In_opt_ LPSECURITY_ATTRIBUTES lpSecurityAttributes);
WINBASEAPI BOOL WINAPI RemoveDirectoryA(_In_ LPCSTR lpPathName);
WINBASEAPI BOOL WINAPI RemoveDirectoryW(_In_ LPCWSTR lpPathName);

WINBASEAPI DWORD WINAPI GetFileSize(_In_ HANDLE hFile, _Out_opt_ LPDWORD lpFileSizeHigh);
WINBASEAPI BOOL WINAPI GetFileSizeEx(_In_ HANDLE hFile, _Out_ PLARGE_INTEGER lpFileSize);
WINBASEAPI DWORD WINAPI SetFilePointer(_In_ HANDLE hFile, _In_ LONG lDistanceToMove,
                                       _Inout_opt_ PLONG lpDistanceToMoveHigh, _In_ DWORD dwMoveMethod);
WINBASEAPI BOOL WINAPI SetFilePointerEx(_In_ HANDLE hFile, _In_ LARGE_INTEGER liDistanceToMove,
                                        _Out_opt_ PLARGE_INTEGER lpNewFilePointer, _In_ DWORD dwMoveMethod);
WINBASEAPI BOOL WINAPI SetEndOfFile(_In_ HANDLE hFile);
WINBASEAPI BOOL WINAPI FlushFileBuffers(_In_ HANDLE hFile);
WINBASEAPI DWORD WINAPI GetFileType(_In_ HANDLE hFile);

WINBASEAPI BOOL WINAPI LockFile(_In_ HANDLE hFile, _In_ DWORD dwFileOffsetLow, _In_ DWORD dwFileOffsetHigh,
                                _In_ DWORD nNumberOfBytesToLockLow, _In_ DWORD nNumberOfBytesToLockHigh);
WINBASEAPI BOOL WINAPI LockFileEx(_In_ HANDLE hFile, _In_ DWORD dwFlags, _Reserved_ DWORD dwReserved,
                                  _In_ DWORD nNumberOfBytesToLockLow, _In_ DWORD nNumberOfBytesToLockHigh,
                                  _Inout_ LPOVERLAPPED lpOverlapped);
WINBASEAPI BOOL WINAPI UnlockFile(_In_ HANDLE hFile, _In_ DWORD dwFileOffsetLow, _In_ DWORD dwFileOffsetHigh,
                                  _In_ DWORD nNumberOfBytesToUnlockLow, _In_ DWORD nNumberOfBytesToUnlockHigh);
WINBASEAPI BOOL WINAPI UnlockFileEx(_In_ HANDLE hFile, _Reserved_ DWORD dwReserved,
                                    _In_ DWORD nNumberOfBytesToUnlockLow, _In_ DWORD nNumberOfBytesToUnlockHigh,
                                    _Inout_ LPOVERLAPPED lpOverlapped);

WINBASEAPI BOOL WINAPI GetFileInformationByHandle(_In_ HANDLE hFile,
                                                  _Out_ LPBY_HANDLE_FILE_INFORMATION lpFileInformation);
WINBASEAPI BOOL WINAPI GetFileInformationByHandleEx(_In_ HANDLE hFile,
                                                    _In_ FILE_INFO_BY_HANDLE_CLASS FileInformationClass,
                                                    _Out_writes_bytes_(dwBufferSize) LPVOID lpFileInformation,
                                                    _In_ DWORD dwBufferSize);
WINBASEAPI BOOL WINAPI SetFileInformationByHandle(_In_ HANDLE hFile,
                                                  _In_ FILE_INFO_BY_HANDLE_CLASS FileInformationClass,
                                                  _In_reads_bytes_(dwBufferSize) LPVOID lpFileInformation,
                                                  _In_ DWORD dwBufferSize);

WINBASEAPI HANDLE WINAPI FindFirstFileA(_In_ LPCSTR lpFileName, _Out_ LPWIN32_FIND_DATAA lpFindFileData);
WINBASEAPI HANDLE WINAPI FindFirstFileW(_In_ LPCWSTR lpFileName, _Out_ LPWIN32_FIND_DATAW lpFindFileData);
/* https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-findfirstfileexw: lpFindFileData is a
 * WIN32_FIND_DATA for both levels; lpSearchFilter must be NULL. */
WINBASEAPI HANDLE WINAPI FindFirstFileExA(_In_ LPCSTR lpFileName, _In_ FINDEX_INFO_LEVELS fInfoLevelId,
                                          _Out_writes_bytes_(sizeof(WIN32_FIND_DATAA)) LPVOID lpFindFileData,
                                          _In_ FINDEX_SEARCH_OPS fSearchOp, _Reserved_ LPVOID lpSearchFilter,
                                          _In_ DWORD dwAdditionalFlags);
WINBASEAPI HANDLE WINAPI FindFirstFileExW(_In_ LPCWSTR lpFileName, _In_ FINDEX_INFO_LEVELS fInfoLevelId,
                                          _Out_writes_bytes_(sizeof(WIN32_FIND_DATAW)) LPVOID lpFindFileData,
                                          _In_ FINDEX_SEARCH_OPS fSearchOp, _Reserved_ LPVOID lpSearchFilter,
                                          _In_ DWORD dwAdditionalFlags);
WINBASEAPI BOOL WINAPI FindNextFileA(_In_ HANDLE hFindFile, _Out_ LPWIN32_FIND_DATAA lpFindFileData);
WINBASEAPI BOOL WINAPI FindNextFileW(_In_ HANDLE hFindFile, _Out_ LPWIN32_FIND_DATAW lpFindFileData);
WINBASEAPI BOOL WINAPI FindClose(_Inout_ HANDLE hFindFile);

WINBASEAPI BOOL WINAPI ReadDirectoryChangesW(_In_ HANDLE hDirectory,
                                             _Out_writes_bytes_to_(nBufferLength, *lpBytesReturned) LPVOID lpBuffer,
                                             _In_ DWORD nBufferLength, _In_ BOOL bWatchSubtree,
                                             _In_ DWORD dwNotifyFilter, _Out_opt_ LPDWORD lpBytesReturned,
                                             _Inout_opt_ LPOVERLAPPED lpOverlapped,
                                             _In_opt_ LPOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);

/* A change notification handle is the watched directory's own handle: signalled when a change
 * completes the request FindFirst/FindNextChangeNotification started; closed with
 * FindCloseChangeNotification. */
WINBASEAPI HANDLE WINAPI FindFirstChangeNotificationA(_In_ LPCSTR lpPathName, _In_ BOOL bWatchSubtree,
                                                      _In_ DWORD dwNotifyFilter);
WINBASEAPI HANDLE WINAPI FindFirstChangeNotificationW(_In_ LPCWSTR lpPathName, _In_ BOOL bWatchSubtree,
                                                      _In_ DWORD dwNotifyFilter);
WINBASEAPI BOOL WINAPI FindNextChangeNotification(_In_ HANDLE hChangeHandle);
WINBASEAPI BOOL WINAPI FindCloseChangeNotification(_In_ HANDLE hChangeHandle);

/* The current directory is per process; it starts as "C:\". */
WINBASEAPI DWORD WINAPI GetCurrentDirectoryA(_In_ DWORD nBufferLength,
                                             _Out_writes_to_opt_(nBufferLength, return + 1) LPSTR lpBuffer);
WINBASEAPI DWORD WINAPI GetCurrentDirectoryW(_In_ DWORD nBufferLength,
                                             _Out_writes_to_opt_(nBufferLength, return + 1) LPWSTR lpBuffer);
WINBASEAPI BOOL WINAPI SetCurrentDirectoryA(_In_ LPCSTR lpPathName);
WINBASEAPI BOOL WINAPI SetCurrentDirectoryW(_In_ LPCWSTR lpPathName);
WINBASEAPI DWORD WINAPI GetFullPathNameA(_In_ LPCSTR lpFileName, _In_ DWORD nBufferLength,
                                         _Out_writes_to_opt_(nBufferLength, return + 1) LPSTR lpBuffer,
                                         _Outptr_opt_ LPSTR *lpFilePart);
WINBASEAPI DWORD WINAPI GetFullPathNameW(_In_ LPCWSTR lpFileName, _In_ DWORD nBufferLength,
                                         _Out_writes_to_opt_(nBufferLength, return + 1) LPWSTR lpBuffer,
                                         _Outptr_opt_ LPWSTR *lpFilePart);

NTIO_END_DECLS

#ifdef UNICODE
#define CreateFile CreateFileW
#define MoveFile MoveFileW
#define MoveFileEx MoveFileExW
#define CreateDirectory CreateDirectoryW
#define RemoveDirectory RemoveDirectoryW
#define FindFirstFile FindFirstFileW
#define FindFirstChangeNotification FindFirstChangeNotificationW
#define FindFirstFileEx FindFirstFileExW
#define FindNextFile FindNextFileW
#define GetCurrentDirectory GetCurrentDirectoryW
#define SetCurrentDirectory SetCurrentDirectoryW
#define GetFullPathName GetFullPathNameW
typedef WIN32_FIND_DATAW WIN32_FIND_DATA, *PWIN32_FIND_DATA, *LPWIN32_FIND_DATA;
#else
#define CreateFile CreateFileA
#define MoveFile MoveFileA
#define MoveFileEx MoveFileExA
#define CreateDirectory CreateDirectoryA
#define RemoveDirectory RemoveDirectoryA
#define FindFirstFile FindFirstFileA
#define FindFirstChangeNotification FindFirstChangeNotificationA
#define FindFirstFileEx FindFirstFileExA
#define FindNextFile FindNextFileA
#define GetCurrentDirectory GetCurrentDirectoryA
#define SetCurrentDirectory SetCurrentDirectoryA
#define GetFullPathName GetFullPathNameA
typedef WIN32_FIND_DATAA WIN32_FIND_DATA, *PWIN32_FIND_DATA, *LPWIN32_FIND_DATA;
#endif

#endif /* NTIO_SDK_WIN32_FILE_H */

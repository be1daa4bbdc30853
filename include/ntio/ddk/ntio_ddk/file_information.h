/* <wdm.h>/<ntifs.h> contents: the FILE_* information structures of NtQueryInformationFile /
 * NtSetInformationFile and the FILE_FS_* volume structures, with Windows x64 layouts, and the Zw
 * routines that use them. */
#ifndef NTIO_DDK_FILE_INFORMATION_H
#define NTIO_DDK_FILE_INFORMATION_H

NTIO_BEGIN_DECLS

typedef struct _FILE_BASIC_INFORMATION {
    LARGE_INTEGER CreationTime;
    LARGE_INTEGER LastAccessTime;
    LARGE_INTEGER LastWriteTime;
    LARGE_INTEGER ChangeTime;
    ULONG FileAttributes;
} FILE_BASIC_INFORMATION;

typedef struct _FILE_NETWORK_OPEN_INFORMATION {
    LARGE_INTEGER CreationTime;
    LARGE_INTEGER LastAccessTime;
    LARGE_INTEGER LastWriteTime;
    LARGE_INTEGER ChangeTime;
    LARGE_INTEGER AllocationSize;
    LARGE_INTEGER EndOfFile;
    ULONG FileAttributes;
} FILE_NETWORK_OPEN_INFORMATION;

NTIO_END_DECLS

#endif /* NTIO_DDK_FILE_INFORMATION_H */

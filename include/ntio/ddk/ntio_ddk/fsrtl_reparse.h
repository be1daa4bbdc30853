/* <ntifs.h> contents: reparse points. The REPARSE_DATA_BUFFER of Microsoft tags (symbolic links and
 * mount points have name fields, others generic data), the REPARSE_GUID_DATA_BUFFER third-party tags
 * use, the tag bits and the tags Windows defines, and the FsRtl routine that checks such a buffer.
 * WDK names, values and Windows x64 layouts:
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/ns-ntifs-_reparse_data_buffer
 * https://learn.microsoft.com/windows/win32/fileio/reparse-point-tags */
#ifndef NTIO_DDK_FSRTL_REPARSE_H
#define NTIO_DDK_FSRTL_REPARSE_H

#include "basetypes.h"

NTIO_BEGIN_DECLS

#define SYMLINK_FLAG_RELATIVE 1

typedef struct _REPARSE_DATA_BUFFER {
    ULONG ReparseTag;
    USHORT ReparseDataLength; /* bytes after the 8-byte header */
    USHORT Reserved;
    union {
        struct {
            USHORT SubstituteNameOffset; /* bytes into PathBuffer */
            USHORT SubstituteNameLength; /* bytes */
            USHORT PrintNameOffset;
            USHORT PrintNameLength;
            ULONG Flags;
            WCHAR PathBuffer[1];
        } SymbolicLinkReparseBuffer;
        struct {
            USHORT SubstituteNameOffset;
            USHORT SubstituteNameLength;
            USHORT PrintNameOffset;
            USHORT PrintNameLength;
            WCHAR PathBuffer[1];
        } MountPointReparseBuffer;
        struct {
            UCHAR DataBuffer[1];
        } GenericReparseBuffer;
    };
} REPARSE_DATA_BUFFER, *PREPARSE_DATA_BUFFER;

#define REPARSE_DATA_BUFFER_HEADER_SIZE FIELD_OFFSET(REPARSE_DATA_BUFFER, GenericReparseBuffer)

typedef struct _REPARSE_GUID_DATA_BUFFER {
    ULONG ReparseTag;
    USHORT ReparseDataLength; /* bytes after the 24-byte header */
    USHORT Reserved;
    GUID ReparseGuid;
    struct {
        UCHAR DataBuffer[1];
    } GenericReparseBuffer;
} REPARSE_GUID_DATA_BUFFER, *PREPARSE_GUID_DATA_BUFFER;

#define REPARSE_GUID_DATA_BUFFER_HEADER_SIZE FIELD_OFFSET(REPARSE_GUID_DATA_BUFFER, GenericReparseBuffer)

#define MAXIMUM_REPARSE_DATA_BUFFER_SIZE (16 * 1024)

/* Tag bits: M (Microsoft) 31, N (name surrogate) 29, D (directory) 28; bits 16-27 are reserved, and
 * tags 0 and 1 are reserved values. */
#define IO_REPARSE_TAG_RESERVED_ZERO (0)
#define IO_REPARSE_TAG_RESERVED_ONE (1)
#define IO_REPARSE_TAG_RESERVED_TWO (2)
#define IO_REPARSE_TAG_RESERVED_RANGE IO_REPARSE_TAG_RESERVED_TWO
#define IsReparseTagMicrosoft(_tag) (((_tag) & 0x80000000))
#define IsReparseTagNameSurrogate(_tag) (((_tag) & 0x20000000))
#define IsReparseTagDirectory(_tag) (((_tag) & 0x10000000))
#define IO_REPARSE_TAG_VALID_VALUES (0xF000FFFF)
#define IsReparseTagValid(_tag) (!((_tag) & ~IO_REPARSE_TAG_VALID_VALUES) && ((_tag) > IO_REPARSE_TAG_RESERVED_RANGE))

#define IO_REPARSE_TAG_MOUNT_POINT (0xA0000003L)
#define IO_REPARSE_TAG_HSM (0xC0000004L)
#define IO_REPARSE_TAG_DRIVE_EXTENDER (0x80000005L)
#define IO_REPARSE_TAG_HSM2 (0x80000006L)
#define IO_REPARSE_TAG_SIS (0x80000007L)
#define IO_REPARSE_TAG_WIM (0x80000008L)
#define IO_REPARSE_TAG_CSV (0x80000009L)
#define IO_REPARSE_TAG_DFS (0x8000000AL)
#define IO_REPARSE_TAG_FILTER_MANAGER (0x8000000BL)
#define IO_REPARSE_TAG_SYMLINK (0xA000000CL)
#define IO_REPARSE_TAG_IIS_CACHE (0xA0000010L)
#define IO_REPARSE_TAG_DFSR (0x80000012L)
#define IO_REPARSE_TAG_DEDUP (0x80000013L)
#define IO_REPARSE_TAG_NFS (0x80000014L)
#define IO_REPARSE_TAG_FILE_PLACEHOLDER (0x80000015L)
#define IO_REPARSE_TAG_WOF (0x80000017L)
#define IO_REPARSE_TAG_WCI (0x80000018L)
#define IO_REPARSE_TAG_GLOBAL_REPARSE (0xA0000019L)
#define IO_REPARSE_TAG_CLOUD (0x9000001AL)
#define IO_REPARSE_TAG_APPEXECLINK (0x8000001BL)
#define IO_REPARSE_TAG_PROJFS (0x9000001CL)
#define IO_REPARSE_TAG_LX_SYMLINK (0xA000001DL)
#define IO_REPARSE_TAG_STORAGE_SYNC (0x8000001EL)
#define IO_REPARSE_TAG_WCI_TOMBSTONE (0xA000001FL)
#define IO_REPARSE_TAG_UNHANDLED (0x80000020L)
#define IO_REPARSE_TAG_ONEDRIVE (0x80000021L)
#define IO_REPARSE_TAG_PROJFS_TOMBSTONE (0xA0000022L)
#define IO_REPARSE_TAG_AF_UNIX (0x80000023L)
#define IO_REPARSE_TAG_LX_FIFO (0x80000024L)
#define IO_REPARSE_TAG_LX_CHR (0x80000025L)
#define IO_REPARSE_TAG_LX_BLK (0x80000026L)

/* STATUS_SUCCESS, STATUS_IO_REPARSE_DATA_INVALID (lengths: shorter than its header, longer than
 * MAXIMUM_REPARSE_DATA_BUFFER_SIZE, not the header plus ReparseDataLength, names outside the data) or
 * STATUS_IO_REPARSE_TAG_INVALID (a reserved tag or reserved tag bits). PASSIVE_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI FsRtlValidateReparsePointBuffer(_In_ ULONG BufferLength,
                                                           _In_reads_bytes_(BufferLength) PREPARSE_DATA_BUFFER ReparseBuffer);

NTIO_END_DECLS

#endif

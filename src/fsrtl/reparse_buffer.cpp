// FsRtlValidateReparsePointBuffer: the checks a file system makes on the buffer of an
// FSCTL_SET_REPARSE_POINT before it stores it, as Microsoft Learn and MS-FSA's FSCTL_SET_REPARSE_POINT
// algorithm give them: the buffer's length against its header and MAXIMUM_REPARSE_DATA_BUFFER_SIZE,
// the tag's reserved values and bits, and for the two Microsoft tags with names (mount points,
// symbolic links) that the names lie inside the data.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlvalidatereparsepointbuffer
// https://learn.microsoft.com/openspecs/windows_protocols/ms-fsa/4aeefef8-92c3-4abc-af7a-a610caf8a165
// https://learn.microsoft.com/windows/win32/fileio/reparse-point-tags
#include <ntifs.h>

#include <cstddef>

namespace {

// Whether the name at `offset` of `length` bytes lies in the `available` bytes of PathBuffer.
bool name_inside(USHORT offset, USHORT length, ULONG available) noexcept {
    return static_cast<ULONG>(offset) + length <= available;
}

// The names of a mount point or symbolic link: their fixed fields must fit in the data, and each
// name in the path bytes after them.
NTSTATUS check_names(const REPARSE_DATA_BUFFER& buffer) noexcept {
    ULONG fixed;
    USHORT substitute_offset, substitute_length, print_offset, print_length;
    if (buffer.ReparseTag == IO_REPARSE_TAG_MOUNT_POINT) {
        fixed = offsetof(REPARSE_DATA_BUFFER, MountPointReparseBuffer.PathBuffer) - REPARSE_DATA_BUFFER_HEADER_SIZE;
        if (buffer.ReparseDataLength < fixed) return STATUS_IO_REPARSE_DATA_INVALID;
        substitute_offset = buffer.MountPointReparseBuffer.SubstituteNameOffset;
        substitute_length = buffer.MountPointReparseBuffer.SubstituteNameLength;
        print_offset = buffer.MountPointReparseBuffer.PrintNameOffset;
        print_length = buffer.MountPointReparseBuffer.PrintNameLength;
    } else {
        fixed = offsetof(REPARSE_DATA_BUFFER, SymbolicLinkReparseBuffer.PathBuffer) - REPARSE_DATA_BUFFER_HEADER_SIZE;
        if (buffer.ReparseDataLength < fixed) return STATUS_IO_REPARSE_DATA_INVALID;
        substitute_offset = buffer.SymbolicLinkReparseBuffer.SubstituteNameOffset;
        substitute_length = buffer.SymbolicLinkReparseBuffer.SubstituteNameLength;
        print_offset = buffer.SymbolicLinkReparseBuffer.PrintNameOffset;
        print_length = buffer.SymbolicLinkReparseBuffer.PrintNameLength;
    }
    const ULONG path_bytes = buffer.ReparseDataLength - fixed;
    if (!name_inside(substitute_offset, substitute_length, path_bytes) ||
        !name_inside(print_offset, print_length, path_bytes))
        return STATUS_IO_REPARSE_DATA_INVALID;
    return STATUS_SUCCESS;
}

}  // namespace

extern "C" {

// The checks, in this order (Learn gives the statuses, not an order): a NULL buffer or one shorter
// than REPARSE_DATA_BUFFER_HEADER_SIZE or longer than MAXIMUM_REPARSE_DATA_BUFFER_SIZE is
// STATUS_IO_REPARSE_DATA_INVALID; a tag that is not IsReparseTagValid (0, 1 and 2 are reserved
// values, bits 16-27 reserved bits) is STATUS_IO_REPARSE_TAG_INVALID; a Microsoft tag's
// BufferLength must be REPARSE_DATA_BUFFER_HEADER_SIZE + ReparseDataLength and a third-party tag's
// (which uses REPARSE_GUID_DATA_BUFFER) REPARSE_GUID_DATA_BUFFER_HEADER_SIZE + ReparseDataLength,
// else STATUS_IO_REPARSE_DATA_INVALID; a mount point's or symbolic link's names must lie inside
// its data (a choice: Learn does not list those fields' checks).
NTKERNELAPI NTSTATUS NTAPI FsRtlValidateReparsePointBuffer(ULONG BufferLength, PREPARSE_DATA_BUFFER ReparseBuffer) {
    if (!ReparseBuffer || BufferLength < REPARSE_DATA_BUFFER_HEADER_SIZE ||
        BufferLength > MAXIMUM_REPARSE_DATA_BUFFER_SIZE)
        return STATUS_IO_REPARSE_DATA_INVALID;
    const ULONG tag = ReparseBuffer->ReparseTag;
    if (!IsReparseTagValid(tag)) return STATUS_IO_REPARSE_TAG_INVALID;
    const ULONG header = IsReparseTagMicrosoft(tag) ? REPARSE_DATA_BUFFER_HEADER_SIZE
                                                    : REPARSE_GUID_DATA_BUFFER_HEADER_SIZE;
    if (BufferLength < header || BufferLength != header + ReparseBuffer->ReparseDataLength)
        return STATUS_IO_REPARSE_DATA_INVALID;
    if (tag == IO_REPARSE_TAG_MOUNT_POINT || tag == IO_REPARSE_TAG_SYMLINK) return check_names(*ReparseBuffer);
    return STATUS_SUCCESS;
}

}  // extern "C"

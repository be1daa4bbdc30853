// IoReplaceFileObjectName: a file system or filter renames the file object it was handed (a
// reparse to another name, a name normalization), leaving the name's buffer to the I/O manager.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioreplacefileobjectname
// The buffer is the I/O manager's own (device_open.cpp captures the name into it; file_object.cpp
// frees it with the file object): the new name goes into it when it fits, else into a new one.
#include "io/objects.hpp"

#include <cstring>
#include <new>

extern "C" {

// STATUS_INVALID_PARAMETER: "the provided file object doesn't have a name to replace" (Learn),
// taken as a file object the I/O manager did not make or whose FileName has no buffer; also an
// odd byte length or a missing new name with a nonzero length.
NTSTATUS NTAPI IoReplaceFileObjectName(PFILE_OBJECT FileObject, PWSTR NewFileName, USHORT FileNameLength) {
    if (!ntio::io::is_file(FileObject) || !FileObject->FileName.Buffer) return STATUS_INVALID_PARAMETER;
    if ((FileNameLength % sizeof(WCHAR)) != 0 || (FileNameLength && !NewFileName)) return STATUS_INVALID_PARAMETER;
    UNICODE_STRING& name = FileObject->FileName;
    if (FileNameLength <= name.MaximumLength) {
        std::memmove(name.Buffer, NewFileName, FileNameLength);
        name.Length = FileNameLength;
        return STATUS_SUCCESS;
    }
    auto* buffer = new (std::nothrow) WCHAR[FileNameLength / sizeof(WCHAR)];
    if (!buffer) return STATUS_INSUFFICIENT_RESOURCES;
    std::memcpy(buffer, NewFileName, FileNameLength);
    delete[] name.Buffer;
    name.Buffer = buffer;
    name.Length = FileNameLength;
    name.MaximumLength = FileNameLength;
    return STATUS_SUCCESS;
}

}  // extern "C"

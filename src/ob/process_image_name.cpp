// SeLocateProcessImageName: the image name a process was created with, in one pool block the caller
// frees.
#include "ob/process.hpp"

#include <ntifs.h>

extern "C" {

// A UNICODE_STRING followed by the name in one paged-pool allocation, which the caller frees with
// ExFreePool; STATUS_NOT_FOUND for a process without a name. Learn is silent on the rest; ntio's
// choices: pool exhaustion is STATUS_INSUFFICIENT_RESOURCES, a NULL Process or pImageFileName
// STATUS_INVALID_PARAMETER.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-selocateprocessimagename
// NT deviation: the name is the one the process was created with (ntio runs no image files, so
// there is no \Device\...\image.exe path to report).
NTSTATUS NTAPI SeLocateProcessImageName(PEPROCESS Process, PUNICODE_STRING* pImageFileName)
{
    if (!Process || !pImageFileName) return STATUS_INVALID_PARAMETER;
    *pImageFileName = nullptr;
    const std::u16string& name = Process->m_image_name;
    if (name.empty()) return STATUS_NOT_FOUND;
    const std::size_t bytes = name.size() * sizeof(WCHAR);
    if (bytes + sizeof(WCHAR) > 0xFFFF) return STATUS_NAME_TOO_LONG;
    auto* block = static_cast<unsigned char*>(
        ExAllocatePoolWithTag(PagedPool, sizeof(UNICODE_STRING) + bytes + sizeof(WCHAR), 'nIeS'));
    if (!block) return STATUS_INSUFFICIENT_RESOURCES;
    auto* string = reinterpret_cast<PUNICODE_STRING>(block);
    string->Buffer = reinterpret_cast<PWCH>(block + sizeof(UNICODE_STRING));
    std::memcpy(string->Buffer, name.data(), bytes);
    string->Buffer[name.size()] = 0;
    string->Length = static_cast<USHORT>(bytes);
    string->MaximumLength = static_cast<USHORT>(bytes + sizeof(WCHAR));
    *pImageFileName = string;
    return STATUS_SUCCESS;
}

}  // extern "C"

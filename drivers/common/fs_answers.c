/* Answers file systems give the same way (fs_answers.h).
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-query-volume-information
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mn-query-directory
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-create */
#include "fs_answers.h"

NTSTATUS DrvCopyOut(_Out_writes_bytes_(Length) PVOID Buffer, _In_ ULONG Length, _In_ const VOID *Fixed,
                    _In_ ULONG FixedLength, _In_opt_ const VOID *Tail, _In_ ULONG TailLength, _Out_ PULONG Used)
{
    ULONG room;

    if (Length < FixedLength) {
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    RtlCopyMemory(Buffer, Fixed, FixedLength);
    room = Length - FixedLength;
    if (room > TailLength) {
        room = TailLength;
    }
    if (room != 0) { /* an empty tail (a label) may have no buffer to copy from */
        RtlCopyMemory((PUCHAR)Buffer + FixedLength, Tail, room);
    }
    *Used = FixedLength + room;
    return room < TailLength ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

NTSTATUS DrvFillName(_In_ PCUNICODE_STRING Name, _Out_ PFILE_NAME_INFORMATION Info, _In_ ULONG Length,
                     _Out_ PULONG Used)
{
    ULONG room = Length - FIELD_OFFSET(FILE_NAME_INFORMATION, FileName);
    ULONG copy = Name->Length <= room ? Name->Length : room;

    Info->FileNameLength = Name->Length;
    RtlCopyMemory(Info->FileName, Name->Buffer, copy);
    *Used = FIELD_OFFSET(FILE_NAME_INFORMATION, FileName) + copy;
    return copy < Name->Length ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

ULONG DrvDirectoryNameOffset(_In_ FILE_INFORMATION_CLASS Class)
{
    switch (Class) {
    case FileDirectoryInformation: return FIELD_OFFSET(FILE_DIRECTORY_INFORMATION, FileName);
    case FileFullDirectoryInformation: return FIELD_OFFSET(FILE_FULL_DIR_INFORMATION, FileName);
    case FileBothDirectoryInformation: return FIELD_OFFSET(FILE_BOTH_DIR_INFORMATION, FileName);
    case FileNamesInformation: return FIELD_OFFSET(FILE_NAMES_INFORMATION, FileName);
    case FileIdBothDirectoryInformation: return FIELD_OFFSET(FILE_ID_BOTH_DIR_INFORMATION, FileName);
    case FileIdFullDirectoryInformation: return FIELD_OFFSET(FILE_ID_FULL_DIR_INFORMATION, FileName);
    default: return 0;
    }
}

NTSTATUS DrvSetSearchMask(_Inout_ PUNICODE_STRING Mask, _In_opt_ PCUNICODE_STRING Source, _In_ ULONG Tag)
{
    UNICODE_STRING star = RTL_CONSTANT_STRING(L"*");
    PCUNICODE_STRING source = (Source && Source->Length) ? Source : &star;
    UNICODE_STRING upcased;

    upcased.Buffer = (PWCHAR)ExAllocatePoolWithTag(PagedPool, source->Length, Tag);
    if (!upcased.Buffer) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    upcased.Length = 0;
    upcased.MaximumLength = source->Length;
    (void)RtlUpcaseUnicodeString(&upcased, source, FALSE);
    if (Mask->Buffer) {
        ExFreePoolWithTag(Mask->Buffer, Tag);
    }
    *Mask = upcased;
    return STATUS_SUCCESS;
}

BOOLEAN DrvOverwrites(_In_ ULONG Disposition)
{
    return Disposition == FILE_OVERWRITE || Disposition == FILE_OVERWRITE_IF || Disposition == FILE_SUPERSEDE;
}

NTSTATUS DrvCheckOpenExisting(_In_ BOOLEAN Directory, _In_ BOOLEAN ReadOnly, _In_ ULONG Disposition, _In_ ULONG Options,
                              _In_ BOOLEAN TrailingBackslash, _In_ BOOLEAN WriteAccess)
{
    BOOLEAN overwrite = DrvOverwrites(Disposition);

    if (Disposition == FILE_CREATE) {
        return STATUS_OBJECT_NAME_COLLISION;
    }
    if (Directory && (Options & FILE_NON_DIRECTORY_FILE)) {
        return STATUS_FILE_IS_A_DIRECTORY;
    }
    if (!Directory && (Options & FILE_DIRECTORY_FILE)) {
        return STATUS_NOT_A_DIRECTORY;
    }
    if (!Directory && TrailingBackslash) {
        return STATUS_OBJECT_NAME_INVALID;
    }
    if (Directory && overwrite) {
        return STATUS_OBJECT_NAME_COLLISION;
    }
    if (!Directory && ReadOnly) {
        if (WriteAccess || overwrite) {
            return STATUS_ACCESS_DENIED;
        }
        if (Options & FILE_DELETE_ON_CLOSE) {
            return STATUS_CANNOT_DELETE;
        }
    }
    return STATUS_SUCCESS;
}

NTSTATUS DrvCheckCreateNew(_In_ ULONG Disposition, _In_ ULONG Options, _In_ BOOLEAN TrailingBackslash)
{
    BOOLEAN directory = (Options & FILE_DIRECTORY_FILE) != 0;

    if (Disposition == FILE_OPEN || Disposition == FILE_OVERWRITE) {
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    /* NT fact K8: a trailing backslash names a directory. */
    if (TrailingBackslash && !directory) {
        return STATUS_OBJECT_NAME_INVALID;
    }
    if (directory && Disposition != FILE_CREATE && Disposition != FILE_OPEN_IF) {
        return STATUS_INVALID_PARAMETER;
    }
    return STATUS_SUCCESS;
}

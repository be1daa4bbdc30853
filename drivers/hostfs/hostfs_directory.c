/* IRP_MJ_DIRECTORY_CONTROL / IRP_MN_QUERY_DIRECTORY: the directory, full, both, names, id-both and
 * id-full classes. The first query of a handle (or a restart) reads the host directory into a
 * listing: "." and ".." first in any directory but the root, as NTFS lists them, then the host's
 * names in NTFS's order, by upcased name (names that cannot be Windows names left out,
 * hostfs_names.c). The
 * search mask is set by the first query and matched, upcased, with FsRtlIsNameInExpression. No 8.3
 * short names (ShortNameLength 0). IRP_MN_NOTIFY_CHANGE_DIRECTORY is not supported
 * (STATUS_INVALID_DEVICE_REQUEST): the host's changes are not watched.
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mn-query-directory */
#include "hostfs.h"
#include "fs_answers.h"

VOID HostfsFreeListing(_Inout_ PHOSTFS_CCB Ccb)
{
    ULONG i;
    for (i = 0; i < Ccb->EntryCount; ++i) {
        ExFreePoolWithTag(Ccb->Entries[i], HOSTFS_TAG);
    }
    if (Ccb->Entries) {
        ExFreePoolWithTag(Ccb->Entries, HOSTFS_TAG);
    }
    Ccb->Entries = NULL;
    Ccb->EntryCount = 0;
}

/* Adds one name (Name, NameBytes) with its host spelling to the listing. */
static NTSTATUS HostfsAddEntry(_Inout_ PHOSTFS_CCB Ccb, _Inout_ PULONG Capacity, _In_ PCWSTR Name,
                               _In_ USHORT NameBytes, _In_z_ PCSTR HostName)
{
    SIZE_T hostBytes = strlen(HostName) + 1;
    PHOSTFS_ENTRY entry;

    if (Ccb->EntryCount == *Capacity) {
        ULONG capacity = *Capacity ? *Capacity * 2 : 64;
        PHOSTFS_ENTRY *entries =
            (PHOSTFS_ENTRY *)ExAllocatePoolWithTag(PagedPool, capacity * sizeof(PHOSTFS_ENTRY), HOSTFS_TAG);
        if (!entries) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        if (Ccb->Entries) {
            RtlCopyMemory(entries, Ccb->Entries, Ccb->EntryCount * sizeof(PHOSTFS_ENTRY));
            ExFreePoolWithTag(Ccb->Entries, HOSTFS_TAG);
        }
        Ccb->Entries = entries;
        *Capacity = capacity;
    }
    entry = (PHOSTFS_ENTRY)ExAllocatePoolWithTag(PagedPool, FIELD_OFFSET(HOSTFS_ENTRY, Name) + NameBytes + hostBytes,
                                                 HOSTFS_TAG);
    if (!entry) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    entry->NameLength = NameBytes;
    RtlCopyMemory(entry->Name, Name, NameBytes);
    entry->HostName = (PCHAR)entry + FIELD_OFFSET(HOSTFS_ENTRY, Name) + NameBytes;
    RtlCopyMemory(entry->HostName, HostName, hostBytes);
    Ccb->Entries[Ccb->EntryCount++] = entry;
    return STATUS_SUCCESS;
}

/* Whether entry A sorts after B: NTFS keeps a directory's names in the order of their upcased
 * UTF-16 values, which RtlCompareUnicodeString with CaseInSensitive compares. */
static BOOLEAN HostfsAfter(_In_ const HOSTFS_ENTRY *A, _In_ const HOSTFS_ENTRY *B)
{
    UNICODE_STRING a, b;
    a.Buffer = (PWCH)A->Name;
    a.Length = a.MaximumLength = A->NameLength;
    b.Buffer = (PWCH)B->Name;
    b.Length = b.MaximumLength = B->NameLength;
    return RtlCompareUnicodeString(&a, &b, TRUE) > 0;
}

/* Sorts Entries[First..Count) with a bottom-up merge sort through Scratch (Count pointers). */
static VOID HostfsSortEntries(_Inout_ PHOSTFS_ENTRY *Entries, _In_ ULONG First, _In_ ULONG Count,
                              _Inout_ PHOSTFS_ENTRY *Scratch)
{
    ULONG width;
    for (width = 1; width < Count - First; width *= 2) {
        ULONG start;
        for (start = First; start < Count; start += 2 * width) {
            ULONG middle = start + width < Count ? start + width : Count;
            ULONG end = middle + width < Count ? middle + width : Count;
            ULONG left = start, right = middle, out = start;
            while (left < middle || right < end) {
                if (right >= end || (left < middle && !HostfsAfter(Entries[left], Entries[right]))) {
                    Scratch[out++] = Entries[left++];
                } else {
                    Scratch[out++] = Entries[right++];
                }
            }
        }
        RtlCopyMemory(Entries + First, Scratch + First, (Count - First) * sizeof(PHOSTFS_ENTRY));
    }
}

static NTSTATUS HostfsReadListing(_In_ PHOSTFS_FCB Fcb, _Inout_ PHOSTFS_CCB Ccb, _In_z_ PCSTR Path)
{
    WCHAR name[256];
    ULONG capacity = 0;
    const char *hostName;
    NTSTATUS status = STATUS_SUCCESS;
    void *dir;
    int error;

    HostfsFreeListing(Ccb);
    dir = HostfsDirOpen(Path, &error);
    if (!dir) {
        return (NTSTATUS)HostfsStatus(error);
    }
    if (!Fcb->Root) {
        status = HostfsAddEntry(Ccb, &capacity, L".", sizeof(WCHAR), ".");
        if (NT_SUCCESS(status)) {
            status = HostfsAddEntry(Ccb, &capacity, L"..", 2 * sizeof(WCHAR), "..");
        }
    }
    while (NT_SUCCESS(status) && (hostName = HostfsDirNext(dir)) != NULL) {
        USHORT bytes;
        if (HostfsWindowsName(hostName, name, RTL_NUMBER_OF(name), &bytes)) {
            status = HostfsAddEntry(Ccb, &capacity, name, bytes, hostName);
        }
    }
    HostfsDirClose(dir);
    if (NT_SUCCESS(status) && Ccb->EntryCount > 1) {
        PHOSTFS_ENTRY *scratch =
            (PHOSTFS_ENTRY *)ExAllocatePoolWithTag(PagedPool, Ccb->EntryCount * sizeof(PHOSTFS_ENTRY), HOSTFS_TAG);
        if (!scratch) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        /* "." and ".." stay first. */
        HostfsSortEntries(Ccb->Entries, Fcb->Root ? 0 : 2, Ccb->EntryCount, scratch);
        ExFreePoolWithTag(scratch, HOSTFS_TAG);
    }
    return status;
}



/* Fills one entry (zeroed, NameOffset bytes at least); the name is copied by the caller. */
static VOID HostfsFillEntry(_In_ FILE_INFORMATION_CLASS Class, _In_ const HOSTFS_STAT *Stat,
                            _In_ const HOSTFS_ENTRY *Entry, _In_ ULONG Index, _Out_ PUCHAR Out)
{
    UNICODE_STRING name;

    if (Class == FileNamesInformation) {
        PFILE_NAMES_INFORMATION info = (PFILE_NAMES_INFORMATION)Out;
        info->FileIndex = Index;
        info->FileNameLength = Entry->NameLength;
        return;
    }
    name.Buffer = (PWCH)Entry->Name;
    name.Length = name.MaximumLength = Entry->NameLength;
    {
        /* Directory, full, both, id-both and id-full share this prefix. */
        PFILE_DIRECTORY_INFORMATION info = (PFILE_DIRECTORY_INFORMATION)Out;
        info->FileIndex = Index;
        HostfsTimes(Stat, &info->CreationTime, &info->LastAccessTime, &info->LastWriteTime, &info->ChangeTime);
        info->EndOfFile.QuadPart = Stat->Directory ? 0 : Stat->Size;
        info->AllocationSize.QuadPart = Stat->Directory ? 0 : Stat->Allocated;
        info->FileAttributes = HostfsAttributesOf(Stat, &name);
        info->FileNameLength = Entry->NameLength;
    }
    if (Class == FileIdBothDirectoryInformation) {
        ((PFILE_ID_BOTH_DIR_INFORMATION)Out)->FileId.QuadPart = (LONGLONG)Stat->Inode;
    } else if (Class == FileIdFullDirectoryInformation) {
        ((PFILE_ID_FULL_DIR_INFORMATION)Out)->FileId.QuadPart = (LONGLONG)Stat->Inode;
    }
}

/* The stat of a listed name; FALSE when it is gone (or a dangling host link): it is passed over. */
static BOOLEAN HostfsStatEntry(_In_z_ PCSTR Directory, _In_ const HOSTFS_ENTRY *Entry, _Out_ HOSTFS_STAT *Stat,
                               _Inout_updates_(HOSTFS_MAX_PATH) PCHAR Scratch)
{
    SIZE_T directoryLength = strlen(Directory);
    SIZE_T nameLength = strlen(Entry->HostName);
    if (directoryLength + 1 + nameLength >= HOSTFS_MAX_PATH) {
        return FALSE;
    }
    RtlCopyMemory(Scratch, Directory, directoryLength);
    Scratch[directoryLength] = '/';
    RtlCopyMemory(Scratch + directoryLength + 1, Entry->HostName, nameLength + 1);
    return HostfsStatPath(Scratch, Stat) == 0;
}

static NTSTATUS HostfsQueryDirectory(_In_ PHOSTFS_FCB Fcb, _Inout_ PHOSTFS_CCB Ccb, _In_ PIRP Irp,
                                     _In_ PIO_STACK_LOCATION Stack, _In_z_ PCSTR Path, _Inout_ PCHAR Scratch,
                                     _Out_ PULONG_PTR Information)
{
    FILE_INFORMATION_CLASS class = Stack->Parameters.QueryDirectory.FileInformationClass;
    ULONG length = Stack->Parameters.QueryDirectory.Length;
    ULONG nameOffset = DrvDirectoryNameOffset(class);
    BOOLEAN single = (Stack->Flags & SL_RETURN_SINGLE_ENTRY) != 0;
    BOOLEAN first = !Ccb->EnumStarted;
    PUCHAR buffer = (PUCHAR)Irp->AssociatedIrp.SystemBuffer;
    ULONG used = 0;
    ULONG lastEntry = 0;
    BOOLEAN any = FALSE;
    NTSTATUS status;

    *Information = 0;
    if (!buffer) {
        buffer = (PUCHAR)Irp->UserBuffer;
    }
    /* The mask is the first query's; a restart may give a new one. */
    if (first || ((Stack->Flags & SL_RESTART_SCAN) && Stack->Parameters.QueryDirectory.FileName)) {
        status = DrvSetSearchMask(&Ccb->Mask, Stack->Parameters.QueryDirectory.FileName, HOSTFS_TAG);
        if (!NT_SUCCESS(status)) {
            return status;
        }
    }
    if (first || (Stack->Flags & SL_RESTART_SCAN)) {
        status = HostfsReadListing(Fcb, Ccb, Path);
        if (!NT_SUCCESS(status)) {
            return status;
        }
        Ccb->EnumIndex = 0;
    } else if (Stack->Flags & SL_INDEX_SPECIFIED) {
        Ccb->EnumIndex = Stack->Parameters.QueryDirectory.FileIndex + 1;
    }
    Ccb->EnumStarted = TRUE;

    while (Ccb->EnumIndex < Ccb->EntryCount) {
        const HOSTFS_ENTRY *entry = Ccb->Entries[Ccb->EnumIndex];
        ULONG start = (used + 7) & ~7u;
        UNICODE_STRING name;
        HOSTFS_STAT stat;

        name.Buffer = (PWCH)entry->Name;
        name.Length = name.MaximumLength = entry->NameLength;
        if (!FsRtlIsNameInExpression(&Ccb->Mask, &name, TRUE, NULL) || !HostfsStatEntry(Path, entry, &stat, Scratch)) {
            Ccb->EnumIndex++;
            continue;
        }
        if (any && start + nameOffset + entry->NameLength > length) {
            /* Full: this entry waits for the next query. */
            break;
        }
        if (!any && nameOffset + entry->NameLength > length) {
            /* The first entry does not fit: as much of it as does, and it is passed. */
            RtlZeroMemory(buffer, nameOffset);
            HostfsFillEntry(class, &stat, entry, Ccb->EnumIndex, buffer);
            RtlCopyMemory(buffer + nameOffset, entry->Name, length - nameOffset);
            Ccb->EnumIndex++;
            *Information = length;
            return STATUS_BUFFER_OVERFLOW;
        }
        if (any) {
            *(PULONG)(buffer + lastEntry) = start - lastEntry;
        }
        RtlZeroMemory(buffer + start, nameOffset);
        HostfsFillEntry(class, &stat, entry, Ccb->EnumIndex, buffer + start);
        RtlCopyMemory(buffer + start + nameOffset, entry->Name, entry->NameLength);
        lastEntry = start;
        used = start + nameOffset + entry->NameLength;
        any = TRUE;
        Ccb->EnumIndex++;
        if (single) {
            break;
        }
    }
    if (any) {
        *Information = used;
        return STATUS_SUCCESS;
    }
    /* Nothing matched at all on the first query is "no such file" ([MS-FSA] 2.1.5.6.3). */
    return first ? STATUS_NO_SUCH_FILE : STATUS_NO_MORE_FILES;
}

NTSTATUS HostfsDirectoryControl(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PHOSTFS_FCB fcb;
    PHOSTFS_CCB ccb;
    ULONG_PTR information = 0;
    PCHAR path;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(DeviceObject);
    if (!HostfsContextOf(stack->FileObject, &fcb, &ccb) || !fcb->Directory) {
        return HostfsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    if (stack->MinorFunction != IRP_MN_QUERY_DIRECTORY) {
        return HostfsComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
    if (DrvDirectoryNameOffset(stack->Parameters.QueryDirectory.FileInformationClass) == 0) {
        return HostfsComplete(Irp, STATUS_INVALID_INFO_CLASS, 0);
    }
    path = (PCHAR)ExAllocatePoolWithTag(PagedPool, 2 * HOSTFS_MAX_PATH, HOSTFS_TAG);
    if (!path) {
        return HostfsComplete(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    }
    status = HostfsPathOfFd(ccb->Fd, path, HOSTFS_MAX_PATH);
    if (NT_SUCCESS(status)) {
        status = HostfsQueryDirectory(fcb, ccb, Irp, stack, path, path + HOSTFS_MAX_PATH, &information);
    }
    ExFreePoolWithTag(path, HOSTFS_TAG);
    return HostfsComplete(Irp, status, NT_ERROR(status) ? 0 : information);
}

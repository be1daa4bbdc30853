/* Names: Windows names (UTF-16, case-insensitive) to host paths (UTF-8, case-sensitive) and back.
 * A component is looked up exactly first; when no host name is spelled that way, the directory is
 * read and a host name equal to it ignoring case is taken (RtlEqualUnicodeString with
 * CaseInSensitive, Windows' upcase table). When several host names differ only in case, the exact
 * spelling wins; otherwise the one lowest in byte order (strcmp), so that the choice is the same
 * every time (a choice: a Windows directory never holds two such names). A host name that is not valid UTF-8 or holds a character Windows forbids in names
 * (control characters, \ / : * ? " < > |) cannot be named from Windows: listings leave it out and
 * opens do not find it. */
#include "hostfs.h"

/* Characters no Windows file name holds: control characters and \ / : * ? " < > |.
 * https://learn.microsoft.com/windows/win32/fileio/naming-a-file */
static BOOLEAN HostfsForbidden(WCHAR C)
{
    return C < 0x20 || C == L'\\' || C == L'/' || C == L':' || C == L'*' || C == L'?' || C == L'"' || C == L'<' ||
           C == L'>' || C == L'|';
}

BOOLEAN HostfsWindowsName(_In_z_ PCSTR HostName, _Out_writes_(OutChars) PWCHAR Out, _In_ ULONG OutChars,
                          _Out_ PUSHORT OutBytes)
{
    ULONG bytes = 0;
    ULONG i;
    NTSTATUS status = RtlUTF8ToUnicodeN(Out, OutChars * sizeof(WCHAR), &bytes, HostName, (ULONG)strlen(HostName));

    *OutBytes = 0;
    if (status != STATUS_SUCCESS || bytes == 0 || bytes > MAXUSHORT) {
        return FALSE;
    }
    for (i = 0; i < bytes / sizeof(WCHAR); ++i) {
        if (HostfsForbidden(Out[i])) {
            return FALSE;
        }
    }
    *OutBytes = (USHORT)bytes;
    return TRUE;
}

/* Appends "/" and the component's UTF-8 to Lookup->Path. */
static NTSTATUS HostfsAppend(_Inout_ PHOSTFS_LOOKUP Lookup, _In_ PCUNICODE_STRING Component)
{
    ULONG used = 0;
    NTSTATUS status;

    if (Lookup->PathLength + 2 >= sizeof(Lookup->Path)) {
        return STATUS_NAME_TOO_LONG;
    }
    Lookup->ParentLength = Lookup->PathLength;
    Lookup->Path[Lookup->PathLength] = '/';
    status = RtlUnicodeToUTF8N(Lookup->Path + Lookup->PathLength + 1, sizeof(Lookup->Path) - Lookup->PathLength - 2,
                               &used, Component->Buffer, Component->Length);
    if (status == STATUS_BUFFER_TOO_SMALL) {
        return STATUS_NAME_TOO_LONG;
    }
    if (status != STATUS_SUCCESS) {
        /* An unpaired surrogate has no UTF-8 spelling. */
        return STATUS_OBJECT_NAME_INVALID;
    }
    Lookup->PathLength += 1 + used;
    Lookup->Path[Lookup->PathLength] = '\0';
    return STATUS_SUCCESS;
}

/* The directory Lookup->Path[0..ParentLength) holds no name spelled as the last component: looks for
 * one equal to it ignoring case, and puts its spelling in Path. FALSE when there is none. */
static BOOLEAN HostfsFindIgnoringCase(_Inout_ PHOSTFS_LOOKUP Lookup, _In_ PCUNICODE_STRING Component)
{
    WCHAR buffer[256];
    CHAR best[256];
    UNICODE_STRING name;
    const char *hostName;
    void *dir;
    int error;
    BOOLEAN found = FALSE;
    CHAR saved = Lookup->Path[Lookup->ParentLength];

    Lookup->Path[Lookup->ParentLength] = '\0';
    dir = HostfsDirOpen(Lookup->ParentLength ? Lookup->Path : "/", &error);
    Lookup->Path[Lookup->ParentLength] = saved;
    if (!dir) {
        return FALSE;
    }
    while ((hostName = HostfsDirNext(dir)) != NULL) {
        USHORT bytes;
        if (strlen(hostName) >= sizeof(best) || !HostfsWindowsName(hostName, buffer, RTL_NUMBER_OF(buffer), &bytes) ||
            bytes != Component->Length) {
            continue;
        }
        name.Buffer = buffer;
        name.Length = name.MaximumLength = bytes;
        if (RtlEqualUnicodeString(&name, Component, TRUE) && (!found || strcmp(hostName, best) < 0)) {
            strcpy(best, hostName);
            found = TRUE;
        }
    }
    HostfsDirClose(dir);
    if (found) {
        ULONG length = (ULONG)strlen(best);
        if (Lookup->ParentLength + 1 + length >= sizeof(Lookup->Path)) {
            return FALSE;
        }
        RtlCopyMemory(Lookup->Path + Lookup->ParentLength + 1, best, length + 1);
        Lookup->PathLength = Lookup->ParentLength + 1 + length;
    }
    return found;
}

NTSTATUS HostfsLookup(_In_z_ PCSTR Start, _In_ PCUNICODE_STRING Name, _Out_ PHOSTFS_LOOKUP Lookup)
{
    USHORT count = Name->Length / sizeof(WCHAR);
    USHORT at = 0;
    ULONG startLength = (ULONG)strlen(Start);
    NTSTATUS status;
    int error;

    if (startLength >= sizeof(Lookup->Path)) {
        return STATUS_NAME_TOO_LONG;
    }
    RtlCopyMemory(Lookup->Path, Start, startLength + 1);
    Lookup->PathLength = startLength;
    Lookup->ParentLength = startLength;
    Lookup->Exists = FALSE;
    error = HostfsStatPath(startLength ? Lookup->Path : "/", &Lookup->Stat);
    if (error != 0) {
        return STATUS_OBJECT_PATH_NOT_FOUND;
    }
    Lookup->Exists = TRUE;
    /* An invalid name is invalid wherever it would lead: every component is checked first. */
    for (at = 0; at <= count; ++at) {
        USHORT end = at;
        USHORT i;
        if (count == 0) {
            break;
        }
        while (end < count && Name->Buffer[end] != L'\\') {
            ++end;
        }
        /* Empty components ("a\\b"), "." and "..", and forbidden characters (wildcards, ':' of a
         * stream name: no streams here) are invalid names, as on NTFS. */
        if (end == at || (end - at == 1 && Name->Buffer[at] == L'.') ||
            (end - at == 2 && Name->Buffer[at] == L'.' && Name->Buffer[at + 1] == L'.')) {
            return STATUS_OBJECT_NAME_INVALID;
        }
        for (i = at; i < end; ++i) {
            if (HostfsForbidden(Name->Buffer[i])) {
                return STATUS_OBJECT_NAME_INVALID;
            }
        }
        at = end;
    }
    at = 0;
    while (at < count) {
        UNICODE_STRING component;
        USHORT end = at;
        BOOLEAN last;

        while (end < count && Name->Buffer[end] != L'\\') {
            ++end;
        }
        last = end == count;
        component.Buffer = Name->Buffer + at;
        component.Length = component.MaximumLength = (USHORT)((end - at) * sizeof(WCHAR));
        if (!Lookup->Stat.Directory) {
            /* A file on the way: "file.txt\x". */
            return STATUS_OBJECT_PATH_NOT_FOUND;
        }
        status = HostfsAppend(Lookup, &component);
        if (!NT_SUCCESS(status)) {
            return status;
        }
        error = HostfsStatPath(Lookup->Path, &Lookup->Stat);
        if ((NTSTATUS)HostfsStatus(error) == STATUS_OBJECT_NAME_NOT_FOUND && HostfsFindIgnoringCase(Lookup, &component)) {
            error = HostfsStatPath(Lookup->Path, &Lookup->Stat);
        }
        if (error != 0) {
            NTSTATUS hostStatus = (NTSTATUS)HostfsStatus(error);
            Lookup->Exists = FALSE;
            if (!last) {
                return hostStatus == STATUS_OBJECT_NAME_NOT_FOUND ? STATUS_OBJECT_PATH_NOT_FOUND : hostStatus;
            }
            /* A missing last component (or a dangling host link) is for the disposition to decide. */
            return hostStatus == STATUS_OBJECT_NAME_NOT_FOUND ? STATUS_SUCCESS : hostStatus;
        }
        at = (USHORT)(end + 1);
    }
    if (Lookup->PathLength == 0) {
        /* The root of a volume serving "/". */
        Lookup->Path[0] = '/';
        Lookup->Path[1] = '\0';
    }
    return STATUS_SUCCESS;
}

NTSTATUS HostfsPathOfFd(_In_ int Fd, _Out_writes_(Size) PCHAR Path, _In_ ULONG Size)
{
    int length = HostfsFdPath(Fd, Path, Size);
    return length < 0 ? (NTSTATUS)HostfsStatus(length) : STATUS_SUCCESS;
}

NTSTATUS HostfsNameOfFd(_In_ PHOSTFS_DEVICE_EXTENSION Extension, _In_ int Fd, _Out_ PUNICODE_STRING Name)
{
    PCHAR path = (PCHAR)ExAllocatePoolWithTag(PagedPool, HOSTFS_MAX_PATH, HOSTFS_TAG);
    PCHAR relative;
    ULONG bytes = 0;
    ULONG i;
    NTSTATUS status;

    RtlZeroMemory(Name, sizeof(*Name));
    if (!path) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    status = HostfsPathOfFd(Fd, path, HOSTFS_MAX_PATH);
    if (NT_SUCCESS(status) &&
        (strncmp(path, Extension->Root, Extension->RootLength) != 0 ||
         (path[Extension->RootLength] != '/' && path[Extension->RootLength] != '\0'))) {
        /* Renamed out of the root by someone on the host. */
        status = STATUS_FILE_DELETED;
    }
    if (NT_SUCCESS(status)) {
        relative = path + Extension->RootLength;
        if (relative[0] == '\0' || (relative[0] == '/' && relative[1] == '\0')) {
            relative = "/";
        }
        status = RtlUTF8ToUnicodeN(NULL, 0, &bytes, relative, (ULONG)strlen(relative));
        if (NT_SUCCESS(status)) {
            Name->Buffer = (PWCHAR)ExAllocatePoolWithTag(PagedPool, bytes ? bytes : sizeof(WCHAR), HOSTFS_TAG);
            if (!Name->Buffer) {
                status = STATUS_INSUFFICIENT_RESOURCES;
            } else {
                (void)RtlUTF8ToUnicodeN(Name->Buffer, bytes, &bytes, relative, (ULONG)strlen(relative));
                for (i = 0; i < bytes / sizeof(WCHAR); ++i) {
                    if (Name->Buffer[i] == L'/') {
                        Name->Buffer[i] = L'\\';
                    }
                }
                Name->Length = Name->MaximumLength = (USHORT)bytes;
                status = STATUS_SUCCESS;
            }
        }
    }
    ExFreePoolWithTag(path, HOSTFS_TAG);
    return status;
}

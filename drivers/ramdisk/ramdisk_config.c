/* Reading the RAM disk's Parameters key (<RegistryPath>\Parameters): DiskSize, SectorSize, DiskNumber,
 * ReadOnly and BackingImage, with defaults for missing values and STATUS_INVALID_PARAMETER for values
 * of the wrong type or out of range. BackingImage may be a host path (/x) or a DOS path (C:\x,
 * \??\C:\x, \DosDevices\C:\x) whose drive letter link names a host directory. */
#include "ramdisk.h"
#include "driver_parameters.h"

#define RAMDISK_VALUE_BUFFER 2048

/* UTF-16 to UTF-8 into Out (NUL-terminated), backslashes becoming slashes; FALSE when it does not
 * fit. *Used (optional) receives the bytes written before the NUL. */
static BOOLEAN RamdiskToUtf8(_In_reads_(Count) const WCHAR *Text, _In_ SIZE_T Count, _Out_writes_(OutSize) PCHAR Out,
                             _In_ SIZE_T OutSize, _Out_opt_ PSIZE_T Used)
{
    SIZE_T used = 0;
    SIZE_T i;
    for (i = 0; i < Count; ++i) {
        ULONG c = Text[i];
        UCHAR bytes[4];
        SIZE_T n, k;
        if (c >= 0xD800 && c < 0xDC00 && i + 1 < Count && Text[i + 1] >= 0xDC00 && Text[i + 1] < 0xE000) {
            c = 0x10000 + ((c - 0xD800) << 10) + (Text[i + 1] - 0xDC00);
            ++i;
        }
        if (c == '\\') {
            c = '/';
        }
        if (c < 0x80) {
            bytes[0] = (UCHAR)c;
            n = 1;
        } else if (c < 0x800) {
            bytes[0] = (UCHAR)(0xC0 | (c >> 6));
            bytes[1] = (UCHAR)(0x80 | (c & 0x3F));
            n = 2;
        } else if (c < 0x10000) {
            bytes[0] = (UCHAR)(0xE0 | (c >> 12));
            bytes[1] = (UCHAR)(0x80 | ((c >> 6) & 0x3F));
            bytes[2] = (UCHAR)(0x80 | (c & 0x3F));
            n = 3;
        } else {
            bytes[0] = (UCHAR)(0xF0 | (c >> 18));
            bytes[1] = (UCHAR)(0x80 | ((c >> 12) & 0x3F));
            bytes[2] = (UCHAR)(0x80 | ((c >> 6) & 0x3F));
            bytes[3] = (UCHAR)(0x80 | (c & 0x3F));
            n = 4;
        }
        if (used + n + 1 > OutSize) {
            return FALSE;
        }
        for (k = 0; k < n; ++k) {
            Out[used++] = (CHAR)bytes[k];
        }
    }
    Out[used] = '\0';
    if (Used) {
        *Used = used;
    }
    return TRUE;
}

/* Whether Path starts with Prefix (ASCII letters compared without case). */
static BOOLEAN RamdiskHasPrefix(_In_reads_(Count) const WCHAR *Path, _In_ SIZE_T Count, _In_ PCWSTR Prefix)
{
    SIZE_T i;
    for (i = 0; Prefix[i]; ++i) {
        if (i >= Count || RtlUpcaseUnicodeChar(Path[i]) != RtlUpcaseUnicodeChar(Prefix[i])) {
            return FALSE;
        }
    }
    return TRUE;
}

/* The host directory hostfs.sys serves as its volume (the Root value of the Hostfs service's
 * Parameters key, "/" when absent), into Target (whose buffer holds at least 512 characters). */
static NTSTATUS RamdiskHostfsRoot(_Inout_ PUNICODE_STRING Target)
{
    UNICODE_STRING service = RTL_CONSTANT_STRING(L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\Hostfs");
    UCHAR buffer[sizeof(KEY_VALUE_PARTIAL_INFORMATION) + 512 * sizeof(WCHAR)];
    PKEY_VALUE_PARTIAL_INFORMATION info = (PKEY_VALUE_PARTIAL_INFORMATION)buffer;
    HANDLE key = NULL;
    ULONG bytes;

    Target->Buffer[0] = L'/';
    Target->Length = sizeof(WCHAR);
    if (!NT_SUCCESS(DrvOpenParameters(&service, &key))) {
        return STATUS_SUCCESS;
    }
    if (NT_SUCCESS(DrvQueryValue(key, L"Root", info, sizeof(buffer))) &&
        (info->Type == REG_SZ || info->Type == REG_EXPAND_SZ)) {
        bytes = info->DataLength & ~1u;
        while (bytes >= sizeof(WCHAR) && ((PWCHAR)info->Data)[bytes / sizeof(WCHAR) - 1] == L'\0') {
            bytes -= sizeof(WCHAR);
        }
        if (bytes >= sizeof(WCHAR) && bytes <= Target->MaximumLength) {
            RtlCopyMemory(Target->Buffer, info->Data, bytes);
            Target->Length = (USHORT)bytes;
        }
    }
    ZwClose(key);
    return STATUS_SUCCESS;
}

/* The host directory the drive letter's link \??\X: names (a target starting with '/', or the host
 * file system's volume). */
static NTSTATUS RamdiskDriveRoot(_In_ WCHAR Letter, _Out_writes_(OutSize) PCHAR Out, _In_ SIZE_T OutSize,
                                 _Out_ PSIZE_T Used)
{
    WCHAR linkBuffer[8] = {L'\\', L'?', L'?', L'\\', Letter, L':', 0};
    WCHAR targetBuffer[512];
    UNICODE_STRING hostfsDevice = RTL_CONSTANT_STRING(L"\\Device\\HostFs");
    UNICODE_STRING linkName;
    UNICODE_STRING target;
    OBJECT_ATTRIBUTES attributes;
    HANDLE link = NULL;
    NTSTATUS status;

    RtlInitUnicodeString(&linkName, linkBuffer);
    InitializeObjectAttributes(&attributes, &linkName, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    status = ZwOpenSymbolicLinkObject(&link, GENERIC_READ, &attributes);
    if (!NT_SUCCESS(status)) {
        return STATUS_OBJECT_PATH_NOT_FOUND;
    }
    target.Buffer = targetBuffer;
    target.Length = 0;
    target.MaximumLength = sizeof(targetBuffer);
    status = ZwQuerySymbolicLinkObject(link, &target, NULL);
    ZwClose(link);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (RtlEqualUnicodeString(&target, &hostfsDevice, TRUE)) {
        /* The host file system's volume: its root is the Hostfs service's Parameters\Root. */
        status = RamdiskHostfsRoot(&target);
        if (!NT_SUCCESS(status)) {
            return status;
        }
    }
    if (target.Length < sizeof(WCHAR) || target.Buffer[0] != L'/') {
        return STATUS_OBJECT_PATH_NOT_FOUND;
    }
    if (!RamdiskToUtf8(target.Buffer, target.Length / sizeof(WCHAR), Out, OutSize, Used)) {
        return STATUS_NAME_TOO_LONG;
    }
    return STATUS_SUCCESS;
}

static NTSTATUS RamdiskHostPath(_In_reads_(Count) const WCHAR *Path, _In_ SIZE_T Count,
                                _Out_writes_(OutSize) PCHAR Out, _In_ SIZE_T OutSize)
{
    SIZE_T used = 0;
    NTSTATUS status;

    if (Count && Path[0] == L'/') {
        return RamdiskToUtf8(Path, Count, Out, OutSize, NULL) ? STATUS_SUCCESS : STATUS_NAME_TOO_LONG;
    }
    if (RamdiskHasPrefix(Path, Count, L"\\DosDevices\\")) {
        Path += 12;
        Count -= 12;
    } else if (RamdiskHasPrefix(Path, Count, L"\\??\\")) {
        Path += 4;
        Count -= 4;
    }
    if (Count < 3 || Path[1] != L':' || Path[2] != L'\\') {
        return STATUS_OBJECT_PATH_SYNTAX_BAD;
    }
    status = RamdiskDriveRoot(Path[0], Out, OutSize, &used);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    while (used && Out[used - 1] == '/') {
        Out[--used] = '\0';
    }
    /* Path + 2 starts with the backslash that becomes the separator after the root. */
    return RamdiskToUtf8(Path + 2, Count - 2, Out + used, OutSize - used, NULL) ? STATUS_SUCCESS
                                                                                : STATUS_NAME_TOO_LONG;
}

static NTSTATUS RamdiskReadParameters(_In_ HANDLE Parameters, _Inout_ PRAMDISK_CONFIG Config,
                                      _Inout_ PKEY_VALUE_PARTIAL_INFORMATION Info)
{
    ULONGLONG number;
    NTSTATUS status;

    status = DrvQueryNumber(Parameters, L"DiskSize", Info, RAMDISK_VALUE_BUFFER, &number);
    if (NT_SUCCESS(status)) {
        Config->DiskSize = number;
    } else if (status != STATUS_OBJECT_NAME_NOT_FOUND) {
        return status;
    }
    status = DrvQueryNumber(Parameters, L"SectorSize", Info, RAMDISK_VALUE_BUFFER, &number);
    if (NT_SUCCESS(status)) {
        if (number != 512 && number != 1024 && number != 2048 && number != 4096) {
            return STATUS_INVALID_PARAMETER;
        }
        Config->SectorSize = (ULONG)number;
    } else if (status != STATUS_OBJECT_NAME_NOT_FOUND) {
        return status;
    }
    status = DrvQueryNumber(Parameters, L"DiskNumber", Info, RAMDISK_VALUE_BUFFER, &number);
    if (NT_SUCCESS(status)) {
        if (number > 999) {
            return STATUS_INVALID_PARAMETER;
        }
        Config->DiskNumber = (ULONG)number;
    } else if (status != STATUS_OBJECT_NAME_NOT_FOUND) {
        return status;
    }
    status = DrvQueryNumber(Parameters, L"ReadOnly", Info, RAMDISK_VALUE_BUFFER, &number);
    if (NT_SUCCESS(status)) {
        Config->ReadOnly = number != 0;
    } else if (status != STATUS_OBJECT_NAME_NOT_FOUND) {
        return status;
    }
    status = DrvQueryNumber(Parameters, L"ReadPrefetch", Info, RAMDISK_VALUE_BUFFER, &number);
    if (NT_SUCCESS(status)) {
        if (number > PAGE_SIZE) {
            return STATUS_INVALID_PARAMETER;
        }
        Config->ReadPrefetch = (ULONG)number;
    } else if (status != STATUS_OBJECT_NAME_NOT_FOUND) {
        return status;
    }
    status = DrvQueryValue(Parameters, L"BackingImage", Info, RAMDISK_VALUE_BUFFER);
    if (NT_SUCCESS(status)) {
        SIZE_T count;
        if (Info->Type != REG_SZ && Info->Type != REG_EXPAND_SZ) {
            return STATUS_INVALID_PARAMETER;
        }
        count = Info->DataLength / sizeof(WCHAR);
        while (count && ((const WCHAR *)Info->Data)[count - 1] == 0) {
            --count;
        }
        if (count) {
            status = RamdiskHostPath((const WCHAR *)Info->Data, count, Config->BackingImage,
                                     sizeof(Config->BackingImage));
            if (!NT_SUCCESS(status)) {
                return status;
            }
        }
    } else if (status != STATUS_OBJECT_NAME_NOT_FOUND) {
        return status;
    }
    return STATUS_SUCCESS;
}

NTSTATUS RamdiskReadConfig(_In_ PUNICODE_STRING RegistryPath, _Out_ PRAMDISK_CONFIG Config)
{
    HANDLE parameters = NULL;
    PKEY_VALUE_PARTIAL_INFORMATION info;
    NTSTATUS status;

    RtlZeroMemory(Config, sizeof(*Config));
    Config->DiskSize = 0; /* decided at allocation: the image's size, or RAMDISK_DEFAULT_SIZE */
    Config->SectorSize = RAMDISK_DEFAULT_SECTOR_SIZE;
    Config->ReadPrefetch = RAMDISK_PREFETCH_AUTO;

    if (!NT_SUCCESS(DrvOpenParameters(RegistryPath, &parameters))) {
        return STATUS_SUCCESS; /* no service or Parameters key (a built-in driver): defaults */
    }
    info = (PKEY_VALUE_PARTIAL_INFORMATION)ExAllocatePool2(POOL_FLAG_PAGED, RAMDISK_VALUE_BUFFER, RAMDISK_TAG);
    if (!info) {
        ZwClose(parameters);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    status = RamdiskReadParameters(parameters, Config, info);
    ExFreePoolWithTag(info, RAMDISK_TAG);
    ZwClose(parameters);
    return status;
}

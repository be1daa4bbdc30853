/* The Parameters key of an in-box driver (driver_parameters.h). */
#include "driver_parameters.h"

NTSTATUS DrvOpenParameters(_In_ PUNICODE_STRING RegistryPath, _Out_ PHANDLE Key)
{
    UNICODE_STRING parametersName = RTL_CONSTANT_STRING(L"Parameters");
    OBJECT_ATTRIBUTES attributes;
    HANDLE service = NULL;
    NTSTATUS status;

    *Key = NULL;
    InitializeObjectAttributes(&attributes, RegistryPath, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    status = ZwOpenKey(&service, KEY_READ, &attributes);
    if (!NT_SUCCESS(status)) {
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    InitializeObjectAttributes(&attributes, &parametersName, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, service, NULL);
    status = ZwOpenKey(Key, KEY_READ, &attributes);
    ZwClose(service);
    return NT_SUCCESS(status) ? STATUS_SUCCESS : STATUS_OBJECT_NAME_NOT_FOUND;
}

NTSTATUS DrvQueryValue(_In_ HANDLE Key, _In_ PCWSTR Name, _Out_writes_bytes_(InfoSize) PKEY_VALUE_PARTIAL_INFORMATION Info,
                       _In_ ULONG InfoSize)
{
    UNICODE_STRING name;
    ULONG length = 0;
    RtlInitUnicodeString(&name, Name);
    return ZwQueryValueKey(Key, &name, KeyValuePartialInformation, Info, InfoSize, &length);
}

NTSTATUS DrvQueryNumber(_In_ HANDLE Key, _In_ PCWSTR Name, _Out_writes_bytes_(InfoSize) PKEY_VALUE_PARTIAL_INFORMATION Info,
                        _In_ ULONG InfoSize, _Out_ PULONGLONG Value)
{
    NTSTATUS status = DrvQueryValue(Key, Name, Info, InfoSize);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (Info->Type == REG_DWORD && Info->DataLength == sizeof(ULONG)) {
        ULONG value;
        RtlCopyMemory(&value, Info->Data, sizeof(value));
        *Value = value;
        return STATUS_SUCCESS;
    }
    if (Info->Type == REG_QWORD && Info->DataLength == sizeof(ULONGLONG)) {
        RtlCopyMemory(Value, Info->Data, sizeof(*Value));
        return STATUS_SUCCESS;
    }
    return STATUS_INVALID_PARAMETER;
}

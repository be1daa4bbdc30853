/* Reading uring_disk's Parameters key (<RegistryPath>\Parameters): FileName, DiskSize, DiskNumber,
 * QueueDepth, SubmitBatch, Direct and ReadOnly, with defaults for missing values and
 * STATUS_INVALID_PARAMETER for values of the wrong type or out of range. */
#include "uring_disk.h"
#include "driver_parameters.h"

#define URING_DISK_VALUE_BUFFER (sizeof(KEY_VALUE_PARTIAL_INFORMATION) + URING_DISK_PATH_CHARS * sizeof(WCHAR))

/* A REG_DWORD or REG_QWORD; leaves *Value alone when absent. */
static NTSTATUS UringDiskQueryNumber(_In_ HANDLE Key, _In_ PCWSTR Name, _In_ PKEY_VALUE_PARTIAL_INFORMATION Info,
                                     _Inout_ PULONGLONG Value)
{
    NTSTATUS status = DrvQueryNumber(Key, Name, Info, URING_DISK_VALUE_BUFFER, Value);
    return status == STATUS_OBJECT_NAME_NOT_FOUND ? STATUS_SUCCESS : status;
}

static NTSTATUS UringDiskReadParameters(_In_ HANDLE Parameters, _Inout_ PURING_DISK_CONFIG Config,
                                        _Inout_ PKEY_VALUE_PARTIAL_INFORMATION Info)
{
    ULONGLONG number;
    SIZE_T count;
    NTSTATUS status;

    status = DrvQueryValue(Parameters, L"FileName", Info, URING_DISK_VALUE_BUFFER);
    if (!NT_SUCCESS(status)) {
        return status == STATUS_OBJECT_NAME_NOT_FOUND ? STATUS_INVALID_PARAMETER : status;
    }
    if (Info->Type != REG_SZ && Info->Type != REG_EXPAND_SZ) {
        return STATUS_INVALID_PARAMETER;
    }
    count = Info->DataLength / sizeof(WCHAR);
    while (count && ((const WCHAR *)Info->Data)[count - 1] == 0) {
        --count;
    }
    if (count == 0 || count >= URING_DISK_PATH_CHARS) {
        return STATUS_INVALID_PARAMETER;
    }
    RtlCopyMemory(Config->FileName, Info->Data, count * sizeof(WCHAR));
    Config->FileName[count] = 0;

    status = UringDiskQueryNumber(Parameters, L"DiskSize", Info, &Config->DiskSize);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    number = Config->DiskNumber;
    status = UringDiskQueryNumber(Parameters, L"DiskNumber", Info, &number);
    if (!NT_SUCCESS(status) || number > 999) {
        return NT_SUCCESS(status) ? STATUS_INVALID_PARAMETER : status;
    }
    Config->DiskNumber = (ULONG)number;
    number = Config->QueueDepth;
    status = UringDiskQueryNumber(Parameters, L"QueueDepth", Info, &number);
    if (!NT_SUCCESS(status) || number == 0 || number > 256) {
        return NT_SUCCESS(status) ? STATUS_INVALID_PARAMETER : status;
    }
    Config->QueueDepth = (ULONG)number;
    number = Config->SubmitBatch;
    status = UringDiskQueryNumber(Parameters, L"SubmitBatch", Info, &number);
    if (!NT_SUCCESS(status) || number > 256) {
        return NT_SUCCESS(status) ? STATUS_INVALID_PARAMETER : status;
    }
    Config->SubmitBatch = (ULONG)number;
    number = 0;
    status = UringDiskQueryNumber(Parameters, L"Direct", Info, &number);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    Config->Direct = number != 0;
    number = 0;
    status = UringDiskQueryNumber(Parameters, L"ReadOnly", Info, &number);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    Config->ReadOnly = number != 0;
    return STATUS_SUCCESS;
}

NTSTATUS UringDiskReadConfig(_In_ PUNICODE_STRING RegistryPath, _Out_ PURING_DISK_CONFIG Config)
{
    HANDLE parameters = NULL;
    PKEY_VALUE_PARTIAL_INFORMATION info;
    NTSTATUS status;

    RtlZeroMemory(Config, sizeof(*Config));
    Config->QueueDepth = URING_DISK_DEFAULT_QUEUE_DEPTH;

    /* Without a backing file name there is no disk: a missing key is a configuration error. */
    if (!NT_SUCCESS(DrvOpenParameters(RegistryPath, &parameters))) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "uring_disk: no Parameters key under %wZ\n", RegistryPath);
        return STATUS_INVALID_PARAMETER;
    }
    info = (PKEY_VALUE_PARTIAL_INFORMATION)ExAllocatePool2(POOL_FLAG_PAGED, URING_DISK_VALUE_BUFFER, URING_DISK_TAG);
    if (!info) {
        ZwClose(parameters);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    status = UringDiskReadParameters(parameters, Config, info);
    ExFreePoolWithTag(info, URING_DISK_TAG);
    ZwClose(parameters);
    return status;
}

/* image_range_probe.sys: a WDK-style legacy driver that reports, as REG_DWORD values in its own
 * service key, whether the DriverStart / DriverSize the I/O manager gave it in DriverEntry cover its
 * own code (DriverEntry, its unload routine) and its own data, and whether DriverUnload still sees
 * the same range. */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD RangeUnload;

static WCHAR g_key[64];
static ULONG g_zeroed_data;           /* .bss */
static ULONG g_initialized_data = 7;  /* .data */
static PVOID g_start_at_entry;
static ULONG g_size_at_entry;

static VOID Report(PCWSTR Name, ULONG Value)
{
    (VOID)RtlWriteRegistryValue(RTL_REGISTRY_SERVICES, g_key, Name, REG_DWORD, &Value, sizeof(Value));
}

static BOOLEAN InImage(PDRIVER_OBJECT DriverObject, const VOID *Address)
{
    ULONG_PTR start = (ULONG_PTR)DriverObject->DriverStart;
    ULONG_PTR address = (ULONG_PTR)Address;
    return start != 0 && address >= start && address - start < DriverObject->DriverSize;
}

static VOID RangeUnload(PDRIVER_OBJECT DriverObject)
{
    Report(L"UnloadSameRange", DriverObject->DriverStart == g_start_at_entry &&
                                   DriverObject->DriverSize == g_size_at_entry);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PUNICODE_STRING key = &DriverObject->DriverExtension->ServiceKeyName;
    ULONG on_stack = 0;

    UNREFERENCED_PARAMETER(RegistryPath);
    RtlZeroMemory(g_key, sizeof(g_key));
    RtlCopyMemory(g_key, key->Buffer, key->Length < sizeof(g_key) - sizeof(WCHAR) ? key->Length : sizeof(g_key) - sizeof(WCHAR));
    g_start_at_entry = DriverObject->DriverStart;
    g_size_at_entry = DriverObject->DriverSize;

    Report(L"StartSet", DriverObject->DriverStart != NULL && DriverObject->DriverSize != 0);
    Report(L"EntryInImage", InImage(DriverObject, (PVOID)(ULONG_PTR)DriverEntry));
    Report(L"UnloadInImage", InImage(DriverObject, (PVOID)(ULONG_PTR)RangeUnload));
    Report(L"DataInImage", InImage(DriverObject, &g_initialized_data) && InImage(DriverObject, &g_zeroed_data));
    Report(L"StackNotInImage", !InImage(DriverObject, &on_stack));
    Report(L"DriverInitIsEntry", DriverObject->DriverInit == DriverEntry);
    DriverObject->DriverUnload = RangeUnload;
    return STATUS_SUCCESS;
}

/* export_lib.sys: an export driver other drivers link against, which can also be started as a driver
 * of its own. DriverEntry, DllInitialize and DllUnload count their calls (and DllInitialize checks
 * its RegistryPath) in \Registry\Machine\Software\LoaderExport. */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD LibUnload;
NTSTATUS DllInitialize(PUNICODE_STRING RegistryPath);
NTSTATUS DllUnload(VOID);
ULONG ExportLibTwice(ULONG Value);

static LONG g_initialized;

static VOID Count(PCWSTR Name)
{
    ULONG value = 0;
    RTL_QUERY_REGISTRY_TABLE table[2];
    RtlZeroMemory(table, sizeof(table));
    table[0].Flags = RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_REQUIRED;
    table[0].Name = (PWSTR)Name;
    table[0].EntryContext = &value;
    (VOID)RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, L"\\Registry\\Machine\\Software\\LoaderExport", table, NULL, NULL);
    value++;
    (VOID)RtlWriteRegistryValue(RTL_REGISTRY_ABSOLUTE, L"\\Registry\\Machine\\Software\\LoaderExport", Name, REG_DWORD,
                                &value, sizeof(value));
}

NTSTATUS DllInitialize(PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING expected;
    ULONG match;
    RtlInitUnicodeString(&expected, L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\ld_export_lib");
    match = RtlEqualUnicodeString(RegistryPath, &expected, TRUE);
    (VOID)RtlWriteRegistryValue(RTL_REGISTRY_ABSOLUTE, L"\\Registry\\Machine\\Software\\LoaderExport", L"PathMatches",
                                REG_DWORD, &match, sizeof(match));
    Count(L"DllInitialize");
    InterlockedExchange(&g_initialized, 1);
    return STATUS_SUCCESS;
}

NTSTATUS DllUnload(VOID)
{
    Count(L"DllUnload");
    InterlockedExchange(&g_initialized, 0);
    return STATUS_SUCCESS;
}

ULONG ExportLibTwice(ULONG Value)
{
    return g_initialized ? Value * 2 : 0;
}

static VOID LibUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    Count(L"DriverEntry");
    DriverObject->DriverUnload = LibUnload;
    return STATUS_SUCCESS;
}

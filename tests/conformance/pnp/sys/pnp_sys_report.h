/* What the PnP test images tell the test: counters kept as REG_DWORD values of the driver's own
 * service key (the key outlives the image, so they count across loads), and ImageLoads, a static
 * counter of the image reported at each DriverEntry (1 on every load of a freshly mapped image). */
#ifndef PNP_SYS_REPORT_H
#define PNP_SYS_REPORT_H

#include <ntddk.h>

static WCHAR g_service_key[160];  /* the RegistryPath DriverEntry got, NUL-terminated */

static VOID ReportInit(PCUNICODE_STRING RegistryPath)
{
    USHORT chars = RegistryPath->Length / sizeof(WCHAR);
    if (chars >= sizeof(g_service_key) / sizeof(WCHAR))
        chars = sizeof(g_service_key) / sizeof(WCHAR) - 1;
    RtlCopyMemory(g_service_key, RegistryPath->Buffer, chars * sizeof(WCHAR));
    g_service_key[chars] = L'\0';
}

static VOID ReportSet(PCWSTR Name, ULONG Value)
{
    (VOID)RtlWriteRegistryValue(RTL_REGISTRY_ABSOLUTE, g_service_key, Name, REG_DWORD, &Value, sizeof(Value));
}

static ULONG ReportGet(PCWSTR Name)
{
    ULONG value = 0;
    ULONG fallback = 0;
    RTL_QUERY_REGISTRY_TABLE table[2];
    RtlZeroMemory(table, sizeof(table));
    table[0].Flags = RTL_QUERY_REGISTRY_DIRECT;
    table[0].Name = (PWSTR)Name;
    table[0].EntryContext = &value;
    table[0].DefaultType = REG_DWORD;
    table[0].DefaultData = &fallback;
    table[0].DefaultLength = sizeof(fallback);
    if (!NT_SUCCESS(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, g_service_key, table, NULL, NULL)))
        return 0;
    return value;
}

static VOID ReportBump(PCWSTR Name)
{
    ReportSet(Name, ReportGet(Name) + 1);
}

#endif

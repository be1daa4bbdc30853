/* export_user.sys: a legacy driver that imports ExportLibTwice from the export driver export_lib.sys
 * and reports, in its service key, what the call returned in DriverEntry (0 if DllInitialize had not
 * run first). */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD UserUnload;
ULONG ExportLibTwice(ULONG Value);

static VOID UserUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    ULONG value = ExportLibTwice(21);
    UNREFERENCED_PARAMETER(RegistryPath);
    (VOID)RtlWriteRegistryValue(RTL_REGISTRY_SERVICES, L"ld_export_user", L"Twice", REG_DWORD, &value, sizeof(value));
    DriverObject->DriverUnload = UserUnload;
    return STATUS_SUCCESS;
}

/* loader_probe.sys: a WDK-style legacy driver that reports what the I/O manager showed it, as REG_DWORD
 * values in its own service key (the test reads them back): the driver object in DriverEntry (NT facts
 * L1, L9), the flags during dispatch (L2, L4) and in DriverUnload (L2, L4). Its Parameters key picks
 * a behaviour: Mode 0 normal, 1 DriverEntry fails after creating its device (L8), 2 no DriverUnload
 * (L7), 3 a fault inside __try in DriverEntry. When \Registry\Machine\Software\LoaderOrder exists,
 * DriverEntry takes the next number from its "Next" value as LoadOrder (boot order tests). With
 * BootReinit set it registers a boot-driver reinitialization routine (BootReinitOrder). */
#include <ntddk.h>
#include <ntstrsafe.h>

#define PROBE_TAG 'borP'

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD ProbeUnload;
static DRIVER_DISPATCH ProbeCreateClose;

static WCHAR g_service[64];

static VOID Report(PCWSTR Name, ULONG Value)
{
    (VOID)RtlWriteRegistryValue(RTL_REGISTRY_SERVICES, g_service, Name, REG_DWORD, &Value, sizeof(Value));
}

static ULONG ReadParameter(PCWSTR Name, ULONG Default)
{
    WCHAR path[96];
    ULONG value = Default;
    ULONG fallback = Default;
    RTL_QUERY_REGISTRY_TABLE table[2];
    RtlZeroMemory(table, sizeof(table));
    table[0].Flags = RTL_QUERY_REGISTRY_DIRECT;
    table[0].Name = (PWSTR)Name;
    table[0].EntryContext = &value;
    table[0].DefaultType = REG_DWORD;
    table[0].DefaultData = &fallback;
    table[0].DefaultLength = sizeof(fallback);
    RtlStringCbPrintfW(path, sizeof(path), L"%ws\\Parameters", g_service);
    if (!NT_SUCCESS(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES | RTL_REGISTRY_OPTIONAL, path, table, NULL, NULL)))
        return Default;
    return value;
}

static VOID TakeOrder(PCWSTR ReportName)
{
    ULONG next = 0;
    RTL_QUERY_REGISTRY_TABLE table[2];
    RtlZeroMemory(table, sizeof(table));
    table[0].Flags = RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_REQUIRED;
    table[0].Name = L"Next";
    table[0].EntryContext = &next;
    if (!NT_SUCCESS(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, L"\\Registry\\Machine\\Software\\LoaderOrder", table,
                                           NULL, NULL)))
        return;
    Report(ReportName, next);
    next++;
    (VOID)RtlWriteRegistryValue(RTL_REGISTRY_ABSOLUTE, L"\\Registry\\Machine\\Software\\LoaderOrder", L"Next",
                                REG_DWORD, &next, sizeof(next));
}

/* BootReinit (Parameters): a boot driver's reinitialization routine, which takes the next number as
 * BootReinitOrder and reports its Count. */
static VOID BootReinit(PDRIVER_OBJECT DriverObject, PVOID Context, ULONG Count)
{
    UNREFERENCED_PARAMETER(DriverObject);
    Report(L"BootReinitContext", Context == (PVOID)g_service);
    Report(L"BootReinitCount", Count);
    TakeOrder(L"BootReinitOrder");
}

static BOOLEAN StringIs(PCUNICODE_STRING String, PCWSTR Prefix, PCWSTR Suffix)
{
    WCHAR expected[160];
    UNICODE_STRING want;
    RtlStringCbPrintfW(expected, sizeof(expected), L"%ws%ws", Prefix, Suffix);
    RtlInitUnicodeString(&want, expected);
    return RtlEqualUnicodeString(String, &want, FALSE);
}

static VOID ReportDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PDRIVER_EXTENSION extension = DriverObject->DriverExtension;
    PUNICODE_STRING key = &extension->ServiceKeyName;
    BOOLEAN dispatch_same = TRUE;
    PVOID found = NULL;
    NTSTATUS status;
    ULONG i;

    Report(L"L1Type", DriverObject->Type == IO_TYPE_DRIVER);
    Report(L"L1Size", DriverObject->Size == sizeof(DRIVER_OBJECT));
    Report(L"L1NoDevice", DriverObject->DeviceObject == NULL);
    Report(L"L1Flags", DriverObject->Flags == DRVO_LEGACY_DRIVER);
    Report(L"L1Extension", extension == (PDRIVER_EXTENSION)(DriverObject + 1) && extension->AddDevice == NULL &&
                               extension->Count == 0);
    Report(L"L1ServiceKeyName", key->MaximumLength == key->Length + sizeof(WCHAR) &&
                                    key->Buffer[key->Length / sizeof(WCHAR)] == L'\0' &&
                                    StringIs(key, L"", g_service));
    Report(L"L1DriverName", DriverObject->DriverName.MaximumLength == DriverObject->DriverName.Length &&
                                StringIs(&DriverObject->DriverName, L"\\Driver\\", g_service));
    Report(L"L1DriverInit", DriverObject->DriverInit == DriverEntry);
    Report(L"L1HardwareDatabase", StringIs(DriverObject->HardwareDatabase, L"\\REGISTRY\\MACHINE\\HARDWARE\\DESCRIPTION\\SYSTEM", L""));
    Report(L"L1RegistryPath", StringIs(RegistryPath, L"\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001\\Services\\", g_service));
    Report(L"L1RegistryPathLayout", ((ULONG_PTR)RegistryPath & (PAGE_SIZE - 1)) == 0 &&
                                        RegistryPath->Buffer == (PWCH)(RegistryPath + 1) &&
                                        RegistryPath->MaximumLength == RegistryPath->Length);
    for (i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        if (DriverObject->MajorFunction[i] == NULL || DriverObject->MajorFunction[i] != DriverObject->MajorFunction[0])
            dispatch_same = FALSE;
    Report(L"L1MajorFunctions", dispatch_same);

    status = ObReferenceObjectByName(&DriverObject->DriverName, OBJ_CASE_INSENSITIVE, NULL, 0, *IoDriverObjectType,
                                     KernelMode, NULL, &found);
    Report(L"L9ReferenceByName", NT_SUCCESS(status) && found == DriverObject);
    if (NT_SUCCESS(status)) ObDereferenceObject(found);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name;
    PDEVICE_OBJECT device = NULL;
    NTSTATUS status;
    ULONG mode;
    PUNICODE_STRING key = &DriverObject->DriverExtension->ServiceKeyName;

    RtlZeroMemory(g_service, sizeof(g_service));
    RtlCopyMemory(g_service, key->Buffer, key->Length < sizeof(g_service) - sizeof(WCHAR) ? key->Length : sizeof(g_service) - sizeof(WCHAR));
    ReportDriverEntry(DriverObject, RegistryPath);
    TakeOrder(L"LoadOrder");
    mode = ReadParameter(L"Mode", 0);
    if (ReadParameter(L"BootReinit", 0)) IoRegisterBootDriverReinitialization(DriverObject, BootReinit, g_service);

    RtlInitUnicodeString(&name, L"\\Device\\LoaderProbe");
    if (ReadParameter(L"SecondDevice", 0)) RtlInitUnicodeString(&name, L"\\Device\\LoaderProbe2");
    status = IoCreateDevice(DriverObject, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = ProbeCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = ProbeCreateClose;
    if (mode != 2) DriverObject->DriverUnload = ProbeUnload;

    if (mode == 1) {
        IoDeleteDevice(device);
        return STATUS_NOT_IMPLEMENTED;
    }
    if (mode == 3) {
        /* The pointer itself is volatile so that the compiler cannot see the bad address at the store. */
        volatile ULONG *volatile bad = (volatile ULONG *)(ULONG_PTR)0x10;
        ULONG caught = 0;
        __try {
            *bad = 1;
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            caught = (ULONG)GetExceptionCode();
        }
        Report(L"SehCode", caught);
    }
    return STATUS_SUCCESS;
}

static NTSTATUS ProbeCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    if (IoGetCurrentIrpStackLocation(Irp)->MajorFunction == IRP_MJ_CREATE) {
        Report(L"DispatchDriverFlags", DeviceObject->DriverObject->Flags);
        Report(L"DispatchDeviceFlags", DeviceObject->Flags);
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static VOID ProbeUnload(PDRIVER_OBJECT DriverObject)
{
    PDEVICE_OBJECT device = DriverObject->DeviceObject;
    Report(L"UnloadDriverFlags", DriverObject->Flags);
    if (device) {
        Report(L"UnloadDeviceFlags", device->Flags);
        Report(L"UnloadDoeFlags", device->DeviceObjectExtension->ExtensionFlags);
        IoDeleteDevice(device);
    }
    Report(L"UnloadCalled", 1);
}

/* scmtest.sys: the driver the service control manager tests install. DriverEntry reads
 * Parameters\Mode from its service key: 0 creates \Device\ScmTest with the \DosDevices\ScmTest link
 * and answers IOCTL_SCMTEST_HELLO with a magic value; 1 fails DriverEntry with STATUS_NOT_IMPLEMENTED
 * (NT fact L8); 2 loads like 0 but has no DriverUnload, so it cannot be stopped (NT fact L7). The
 * device admits SYSTEM and administrators only, as many WDK samples make theirs. */
#include <ntddk.h>
#include <wdmsec.h>

#define SCMTEST_DEVICE_NAME L"\\Device\\ScmTest"
#define SCMTEST_LINK_NAME L"\\DosDevices\\ScmTest"
#define IOCTL_SCMTEST_HELLO CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define SCMTEST_MAGIC 0x5C3D7E57UL

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD ScmTestUnload;
_Dispatch_type_(IRP_MJ_CREATE) _Dispatch_type_(IRP_MJ_CLOSE) DRIVER_DISPATCH ScmTestCreateClose;
_Dispatch_type_(IRP_MJ_DEVICE_CONTROL) DRIVER_DISPATCH ScmTestDeviceControl;

NTSTATUS ScmTestCreateClose(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

NTSTATUS ScmTestDeviceControl(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = STATUS_INVALID_DEVICE_REQUEST;
    ULONG_PTR information = 0;

    UNREFERENCED_PARAMETER(DeviceObject);
    if (stack->Parameters.DeviceIoControl.IoControlCode == IOCTL_SCMTEST_HELLO) {
        if (stack->Parameters.DeviceIoControl.OutputBufferLength < sizeof(ULONG)) {
            status = STATUS_BUFFER_TOO_SMALL;
        } else {
            *(PULONG)Irp->AssociatedIrp.SystemBuffer = SCMTEST_MAGIC;
            information = sizeof(ULONG);
            status = STATUS_SUCCESS;
        }
    }
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

VOID ScmTestUnload(_In_ PDRIVER_OBJECT DriverObject)
{
    UNICODE_STRING link = RTL_CONSTANT_STRING(SCMTEST_LINK_NAME);
    IoDeleteSymbolicLink(&link);
    IoDeleteDevice(DriverObject->DeviceObject);
}

static ULONG ScmTestReadMode(_In_ PUNICODE_STRING RegistryPath)
{
    ULONG mode = 0;
    ULONG none = 0;
    WCHAR path[512];
    UNICODE_STRING parameters;
    RTL_QUERY_REGISTRY_TABLE table[2];

    parameters.Buffer = path;
    parameters.Length = 0;
    parameters.MaximumLength = sizeof(path);
    RtlCopyUnicodeString(&parameters, RegistryPath);
    if (!NT_SUCCESS(RtlAppendUnicodeToString(&parameters, L"\\Parameters")) ||
        parameters.Length + sizeof(WCHAR) > parameters.MaximumLength) {
        return 0;
    }
    path[parameters.Length / sizeof(WCHAR)] = L'\0';
    RtlZeroMemory(table, sizeof(table));
    table[0].Flags = RTL_QUERY_REGISTRY_DIRECT;
    table[0].Name = L"Mode";
    table[0].EntryContext = &mode;
    table[0].DefaultType = REG_DWORD;
    table[0].DefaultData = &none;
    table[0].DefaultLength = sizeof(ULONG);
    if (!NT_SUCCESS(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE | RTL_REGISTRY_OPTIONAL, parameters.Buffer, table,
                                           NULL, NULL))) {
        mode = 0;
    }
    return mode;
}

NTSTATUS DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(SCMTEST_DEVICE_NAME);
    UNICODE_STRING link = RTL_CONSTANT_STRING(SCMTEST_LINK_NAME);
    UNICODE_STRING sddl = RTL_CONSTANT_STRING(SDDL_DEVOBJ_SYS_ALL_ADM_ALL);
    PDEVICE_OBJECT device = NULL;
    NTSTATUS status;
    ULONG mode = ScmTestReadMode(RegistryPath);

    if (mode == 1) {
        return STATUS_NOT_IMPLEMENTED;
    }
    status = IoCreateDeviceSecure(DriverObject, 0, &name, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN, FALSE, &sddl,
                                  NULL, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = IoCreateSymbolicLink(&link, &name);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(device);
        return status;
    }
    DriverObject->MajorFunction[IRP_MJ_CREATE] = ScmTestCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = ScmTestCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = ScmTestDeviceControl;
    if (mode != 2) {
        DriverObject->DriverUnload = ScmTestUnload;
    }
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

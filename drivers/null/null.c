/* null.sys: \Device\Null and its \DosDevices\NUL link. Reads end at once with STATUS_END_OF_FILE and
 * no data, writes swallow every byte. The template driver: each dispatch routine ends in exactly one
 * IoCompleteRequest, and DriverUnload undoes DriverEntry in reverse order. */
#include <ntddk.h>
#include <wdmsec.h>

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD NullUnload;
_Dispatch_type_(IRP_MJ_CREATE) _Dispatch_type_(IRP_MJ_CLOSE) _Dispatch_type_(IRP_MJ_CLEANUP)
_Dispatch_type_(IRP_MJ_FLUSH_BUFFERS) DRIVER_DISPATCH NullSucceed;
_Dispatch_type_(IRP_MJ_READ) DRIVER_DISPATCH NullRead;
_Dispatch_type_(IRP_MJ_WRITE) DRIVER_DISPATCH NullWrite;
_Dispatch_type_(IRP_MJ_QUERY_INFORMATION) DRIVER_DISPATCH NullQueryInformation;

#define NULL_DEVICE_NAME L"\\Device\\Null"
#define NULL_LINK_NAME L"\\DosDevices\\NUL"

/* {4E54494F-0001-4E75-6C6C-000000000001}: the class of ntio's null device. */
static const GUID NullClassGuid = {0x4E54494F, 0x0001, 0x4E75, {0x6C, 0x6C, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01}};

static NTSTATUS NullComplete(_Inout_ PIRP Irp, _In_ NTSTATUS Status, _In_ ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

NTSTATUS NullSucceed(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    return NullComplete(Irp, STATUS_SUCCESS, 0);
}

/* A zero-length read succeeds; any other read is at the end of an empty file. */
NTSTATUS NullRead(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    UNREFERENCED_PARAMETER(DeviceObject);
    return NullComplete(Irp, stack->Parameters.Read.Length ? STATUS_END_OF_FILE : STATUS_SUCCESS, 0);
}

NTSTATUS NullWrite(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    UNREFERENCED_PARAMETER(DeviceObject);
    return NullComplete(Irp, STATUS_SUCCESS, stack->Parameters.Write.Length);
}

/* An empty file: FileStandardInformation reports size 0. */
NTSTATUS NullQueryInformation(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG length = stack->Parameters.QueryFile.Length;
    PVOID buffer = Irp->AssociatedIrp.SystemBuffer;
    UNREFERENCED_PARAMETER(DeviceObject);

    switch (stack->Parameters.QueryFile.FileInformationClass) {
    case FileStandardInformation:
        if (length < sizeof(FILE_STANDARD_INFORMATION)) {
            return NullComplete(Irp, STATUS_INFO_LENGTH_MISMATCH, 0);
        }
        RtlZeroMemory(buffer, sizeof(FILE_STANDARD_INFORMATION));
        ((PFILE_STANDARD_INFORMATION)buffer)->NumberOfLinks = 1;
        return NullComplete(Irp, STATUS_SUCCESS, sizeof(FILE_STANDARD_INFORMATION));
    default:
        return NullComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
}

VOID NullUnload(_In_ PDRIVER_OBJECT DriverObject)
{
    UNICODE_STRING link = RTL_CONSTANT_STRING(NULL_LINK_NAME);
    IoDeleteSymbolicLink(&link);
    IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(NULL_DEVICE_NAME);
    UNICODE_STRING link = RTL_CONSTANT_STRING(NULL_LINK_NAME);
    UNICODE_STRING sddl = RTL_CONSTANT_STRING(SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_RW_RES_R);
    PDEVICE_OBJECT device = NULL;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);
    /* Everyone may read and write the null device, whoever loaded the driver. */
    status = IoCreateDeviceSecure(DriverObject, 0, &name, FILE_DEVICE_NULL, FILE_DEVICE_SECURE_OPEN, FALSE, &sddl,
                                  &NullClassGuid, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = IoCreateSymbolicLink(&link, &name);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(device);
        return status;
    }
    DriverObject->MajorFunction[IRP_MJ_CREATE] = NullSucceed;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = NullSucceed;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = NullSucceed;
    DriverObject->MajorFunction[IRP_MJ_FLUSH_BUFFERS] = NullSucceed;
    DriverObject->MajorFunction[IRP_MJ_READ] = NullRead;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = NullWrite;
    DriverObject->MajorFunction[IRP_MJ_QUERY_INFORMATION] = NullQueryInformation;
    DriverObject->DriverUnload = NullUnload;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

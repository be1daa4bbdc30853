/* intr_sys.sys: a WDM function driver for a device with an interrupt, written in C as a driver for real
 * hardware is: START scans its translated resources for the CmResourceTypeInterrupt descriptor and
 * connects it with IoConnectInterrupt before completing; the ISR claims the interrupt and requests its
 * DPC (IoRequestDpc); REMOVE disconnects, flushes the DPC and reports what it counted as REG_DWORD
 * values of its service key (ConnectStatus, Vector, Irql, IsrCalls, DpcCalls, DpcIrql). */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;
static DRIVER_ADD_DEVICE IntrAddDevice;
static DRIVER_DISPATCH IntrPnp;
static DRIVER_DISPATCH IntrPower;
static DRIVER_UNLOAD IntrUnload;
static KSERVICE_ROUTINE IntrIsr;
static IO_DPC_ROUTINE IntrDpcForIsr;

typedef struct _INTR_EXTENSION {
    PDEVICE_OBJECT Self;
    PDEVICE_OBJECT Lower;
    PKINTERRUPT Interrupt;
    volatile LONG IsrCalls;
    volatile LONG DpcCalls;
    KIRQL DpcIrql;
} INTR_EXTENSION, *PINTR_EXTENSION;

static WCHAR g_service_key[160];

static VOID Report(PCWSTR Name, ULONG Value)
{
    (VOID)RtlWriteRegistryValue(RTL_REGISTRY_ABSOLUTE, g_service_key, Name, REG_DWORD, &Value, sizeof(Value));
}

static NTSTATUS Complete(PIRP Irp, NTSTATUS Status)
{
    Irp->IoStatus.Status = Status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

static BOOLEAN IntrIsr(PKINTERRUPT Interrupt, PVOID ServiceContext)
{
    PDEVICE_OBJECT fdo = (PDEVICE_OBJECT)ServiceContext;
    PINTR_EXTENSION ext = (PINTR_EXTENSION)fdo->DeviceExtension;
    UNREFERENCED_PARAMETER(Interrupt);
    InterlockedIncrement(&ext->IsrCalls);
    IoRequestDpc(fdo, NULL, ext);
    return TRUE;
}

static VOID IntrDpcForIsr(PKDPC Dpc, PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PINTR_EXTENSION ext = (PINTR_EXTENSION)Context;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    ext->DpcIrql = KeGetCurrentIrql();
    InterlockedIncrement(&ext->DpcCalls);
}

static NTSTATUS IntrConnect(PINTR_EXTENSION ext, PCM_RESOURCE_LIST Translated)
{
    PCM_PARTIAL_RESOURCE_LIST list;
    ULONG i;
    if (!Translated || Translated->Count == 0)
        return STATUS_DEVICE_CONFIGURATION_ERROR;
    list = &Translated->List[0].PartialResourceList;
    for (i = 0; i < list->Count; ++i) {
        PCM_PARTIAL_RESOURCE_DESCRIPTOR d = &list->PartialDescriptors[i];
        NTSTATUS status;
        if (d->Type != CmResourceTypeInterrupt)
            continue;
        status = IoConnectInterrupt(&ext->Interrupt, IntrIsr, ext->Self, NULL, d->u.Interrupt.Vector,
                                    (KIRQL)d->u.Interrupt.Level, (KIRQL)d->u.Interrupt.Level,
                                    (d->Flags & CM_RESOURCE_INTERRUPT_LATCHED) ? Latched : LevelSensitive,
                                    d->ShareDisposition == CmResourceShareShared, d->u.Interrupt.Affinity, FALSE);
        Report(L"Vector", d->u.Interrupt.Vector);
        Report(L"Irql", d->u.Interrupt.Level);
        return status;
    }
    return STATUS_DEVICE_CONFIGURATION_ERROR;
}

static NTSTATUS IntrAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo)
{
    PDEVICE_OBJECT fdo = NULL;
    PINTR_EXTENSION ext;
    NTSTATUS status = IoCreateDevice(DriverObject, sizeof(INTR_EXTENSION), NULL, FILE_DEVICE_UNKNOWN,
                                     FILE_DEVICE_SECURE_OPEN, FALSE, &fdo);
    if (!NT_SUCCESS(status))
        return status;
    ext = (PINTR_EXTENSION)fdo->DeviceExtension;
    RtlZeroMemory(ext, sizeof(*ext));
    ext->Self = fdo;
    IoInitializeDpcRequest(fdo, IntrDpcForIsr);
    ext->Lower = IoAttachDeviceToDeviceStack(fdo, Pdo);
    if (!ext->Lower) {
        IoDeleteDevice(fdo);
        return STATUS_NO_SUCH_DEVICE;
    }
    fdo->Flags |= DO_POWER_PAGABLE;
    fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

static NTSTATUS IntrPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PINTR_EXTENSION ext = (PINTR_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status;
    switch (sp->MinorFunction) {
    case IRP_MN_START_DEVICE:
        status = IoForwardIrpSynchronously(ext->Lower, Irp) ? Irp->IoStatus.Status : STATUS_UNSUCCESSFUL;
        if (NT_SUCCESS(status))
            status = IntrConnect(ext, sp->Parameters.StartDevice.AllocatedResourcesTranslated);
        Report(L"ConnectStatus", (ULONG)status);
        return Complete(Irp, status);
    case IRP_MN_REMOVE_DEVICE:
        if (ext->Interrupt) {
            IoDisconnectInterrupt(ext->Interrupt);
            ext->Interrupt = NULL;
        }
        KeFlushQueuedDpcs();
        Report(L"IsrCalls", (ULONG)ext->IsrCalls);
        Report(L"DpcCalls", (ULONG)ext->DpcCalls);
        Report(L"DpcIrql", ext->DpcIrql);
        Irp->IoStatus.Status = STATUS_SUCCESS;
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(ext->Lower, Irp);
        IoDetachDevice(ext->Lower);
        IoDeleteDevice(DeviceObject);
        return status;
    case IRP_MN_QUERY_REMOVE_DEVICE:
    case IRP_MN_CANCEL_REMOVE_DEVICE:
    case IRP_MN_SURPRISE_REMOVAL:
        Irp->IoStatus.Status = STATUS_SUCCESS;
        break;
    default:
        break;
    }
    IoSkipCurrentIrpStackLocation(Irp);
    return IoCallDriver(ext->Lower, Irp);
}

static NTSTATUS IntrPower(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PINTR_EXTENSION ext = (PINTR_EXTENSION)DeviceObject->DeviceExtension;
    PoStartNextPowerIrp(Irp);
    IoSkipCurrentIrpStackLocation(Irp);
    return PoCallDriver(ext->Lower, Irp);
}

static VOID IntrUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    USHORT chars = RegistryPath->Length / sizeof(WCHAR);
    if (chars >= sizeof(g_service_key) / sizeof(WCHAR))
        chars = sizeof(g_service_key) / sizeof(WCHAR) - 1;
    RtlCopyMemory(g_service_key, RegistryPath->Buffer, chars * sizeof(WCHAR));
    g_service_key[chars] = L'\0';
    DriverObject->DriverExtension->AddDevice = IntrAddDevice;
    DriverObject->MajorFunction[IRP_MJ_PNP] = IntrPnp;
    DriverObject->MajorFunction[IRP_MJ_POWER] = IntrPower;
    DriverObject->DriverUnload = IntrUnload;
    return STATUS_SUCCESS;
}

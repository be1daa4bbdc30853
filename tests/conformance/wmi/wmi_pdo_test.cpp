// Instance names made from a PDO: a PnP function driver registers its FDO with WMI once started and
// names its block's instances from the PDO (WMIREG_FLAG_INSTANCE_PDO); WMI names them with the
// device instance path and the index, IoWMIDeviceObjectToInstanceName gives that name for the FDO
// or the PDO, and a query by the name reaches the driver. Removal deregisters.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wmistr/ns-wmistr-wmiregguidw
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmideviceobjecttoinstancename
#include "support/service_keys.hpp"
#include "wmi_test_support.hpp"

#include <ntio/ntio.h>

namespace ntio::wmi_test {
namespace {

constexpr GUID kPdoGuid{0x6F1C2A10, 0x8C4B, 0x4E57, {0x9A, 0x3D, 0x1B, 0x2C, 0x3D, 0x4E, 0x5F, 0x50}};

struct FdoExtension {
    PDEVICE_OBJECT self;
    PDEVICE_OBJECT pdo;
    PDEVICE_OBJECT lower;
};

PDEVICE_OBJECT g_fdo;
PDEVICE_OBJECT g_pdo;

NTSTATUS complete(PIRP irp, NTSTATUS status, ULONG_PTR information = 0) {
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

NTSTATUS NTAPI pdo_add_device(PDRIVER_OBJECT driver, PDEVICE_OBJECT pdo) {
    PDEVICE_OBJECT fdo = nullptr;
    NTSTATUS status = IoCreateDevice(driver, sizeof(FdoExtension), nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &fdo);
    if (!NT_SUCCESS(status)) return status;
    auto* ext = static_cast<FdoExtension*>(fdo->DeviceExtension);
    ext->self = fdo;
    ext->pdo = pdo;
    ext->lower = IoAttachDeviceToDeviceStack(fdo, pdo);
    if (!ext->lower) {
        IoDeleteDevice(fdo);
        return STATUS_NO_SUCH_DEVICE;
    }
    fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    g_fdo = fdo;
    g_pdo = pdo;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI pdo_pnp(PDEVICE_OBJECT fdo, PIRP irp) {
    auto* ext = static_cast<FdoExtension*>(fdo->DeviceExtension);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    if (sp->MinorFunction == IRP_MN_START_DEVICE) {
        IoCopyCurrentIrpStackLocationToNext(irp);
        NTSTATUS status = IoForwardIrpSynchronously(ext->lower, irp) ? irp->IoStatus.Status : STATUS_UNSUCCESSFUL;
        if (NT_SUCCESS(status)) status = IoWMIRegistrationControl(fdo, WMIREG_ACTION_REGISTER);
        return complete(irp, status);
    }
    if (sp->MinorFunction == IRP_MN_REMOVE_DEVICE) {
        (void)IoWMIRegistrationControl(fdo, WMIREG_ACTION_DEREGISTER);
        irp->IoStatus.Status = STATUS_SUCCESS;
        IoSkipCurrentIrpStackLocation(irp);
        NTSTATUS status = IoCallDriver(ext->lower, irp);
        IoDetachDevice(ext->lower);
        IoDeleteDevice(fdo);
        g_fdo = nullptr;
        return status;
    }
    IoSkipCurrentIrpStackLocation(irp);
    return IoCallDriver(ext->lower, irp);
}

NTSTATUS NTAPI pdo_power(PDEVICE_OBJECT fdo, PIRP irp) {
    PoStartNextPowerIrp(irp);
    IoSkipCurrentIrpStackLocation(irp);
    return PoCallDriver(static_cast<FdoExtension*>(fdo->DeviceExtension)->lower, irp);
}

// REGINFO_EX: one block, one instance named from the PDO; QUERY_SINGLE_INSTANCE: a ULONG 0x5D0.
NTSTATUS NTAPI pdo_system_control(PDEVICE_OBJECT fdo, PIRP irp) {
    auto* ext = static_cast<FdoExtension*>(fdo->DeviceExtension);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    if (reinterpret_cast<PDEVICE_OBJECT>(sp->Parameters.WMI.ProviderId) != fdo) {
        IoSkipCurrentIrpStackLocation(irp);
        return IoCallDriver(ext->lower, irp);
    }
    const ULONG size = sp->Parameters.WMI.BufferSize;
    if (sp->MinorFunction == IRP_MN_REGINFO_EX) {
        const ULONG needed = sizeof(WMIREGINFO) + sizeof(WMIREGGUID);
        if (size < needed) {
            *static_cast<PULONG>(sp->Parameters.WMI.Buffer) = needed;
            return complete(irp, STATUS_BUFFER_TOO_SMALL, sizeof(ULONG));
        }
        auto* info = static_cast<PWMIREGINFO>(sp->Parameters.WMI.Buffer);
        RtlZeroMemory(info, needed);
        info->BufferSize = needed;
        info->GuidCount = 1;
        info->WmiRegGuid[0].Guid = kPdoGuid;
        info->WmiRegGuid[0].Flags = WMIREG_FLAG_INSTANCE_PDO;
        info->WmiRegGuid[0].InstanceCount = 1;
        info->WmiRegGuid[0].Pdo = reinterpret_cast<ULONG_PTR>(ext->pdo);
        return complete(irp, STATUS_SUCCESS, needed);
    }
    if (sp->MinorFunction == IRP_MN_QUERY_SINGLE_INSTANCE) {
        auto* wnode = static_cast<PWNODE_SINGLE_INSTANCE>(sp->Parameters.WMI.Buffer);
        if (wnode->InstanceIndex != 0) return complete(irp, STATUS_WMI_INSTANCE_NOT_FOUND);
        const ULONG needed = wnode->DataBlockOffset + sizeof(ULONG);
        if (size < needed) return complete(irp, STATUS_BUFFER_TOO_SMALL);
        *reinterpret_cast<PULONG>(reinterpret_cast<PUCHAR>(wnode) + wnode->DataBlockOffset) = 0x5D0;
        wnode->SizeDataBlock = sizeof(ULONG);
        wnode->WnodeHeader.BufferSize = needed;
        return complete(irp, STATUS_SUCCESS, needed);
    }
    return complete(irp, STATUS_INVALID_DEVICE_REQUEST);
}

VOID NTAPI pdo_unload(PDRIVER_OBJECT) {}

NTSTATUS NTAPI pdo_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    driver->DriverExtension->AddDevice = pdo_add_device;
    driver->MajorFunction[IRP_MJ_PNP] = pdo_pnp;
    driver->MajorFunction[IRP_MJ_POWER] = pdo_power;
    driver->MajorFunction[IRP_MJ_SYSTEM_CONTROL] = pdo_system_control;
    driver->DriverUnload = pdo_unload;
    return STATUS_SUCCESS;
}

using WmiPdoTest = ntio::test::SystemTest;

TEST_F(WmiPdoTest, instances_named_from_the_pdo_use_its_instance_path) {
    HANDLE enum_key = ntio::test::create_key(nullptr, L"\\Registry\\Machine\\System\\CurrentControlSet\\Enum");
    HANDLE root = ntio::test::create_key(enum_key, L"Root");
    HANDLE device = ntio::test::create_key(root, L"WMIPDO");
    HANDLE key = ntio::test::create_key(device, L"0000");
    static const wchar_t kService[] = L"WmiPdoFn";
    ntio::test::set_value(key, L"Service", REG_SZ, kService, sizeof(kService));
    static const wchar_t kIds[] = L"ROOT\\WMIPDO\0";
    ntio::test::set_value(key, L"HardwareID", REG_MULTI_SZ, kIds, sizeof(kIds));
    for (HANDLE h : {key, device, root, enum_key}) ZwClose(h);
    UNICODE_STRING service;
    RtlInitUnicodeString(&service, kService);
    PDRIVER_OBJECT driver = nullptr;
    ASSERT_EQ(NtioCreateDriver(&service, pdo_entry, &driver), STATUS_SUCCESS);
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    ASSERT_NE(g_fdo, nullptr);

    PVOID block = nullptr;
    ASSERT_EQ(IoWMIOpenBlock(&kPdoGuid, WMIGUID_QUERY, &block), STATUS_SUCCESS);
    UNICODE_STRING name{};
    ASSERT_EQ(IoWMIDeviceObjectToInstanceName(block, g_fdo, &name), STATUS_SUCCESS);
    EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(name.Buffer), name.Length / sizeof(WCHAR)),
              u"ROOT\\WMIPDO\\0000_0");
    // The PDO names the same instance.
    UNICODE_STRING from_pdo{};
    ASSERT_EQ(IoWMIDeviceObjectToInstanceName(block, g_pdo, &from_pdo), STATUS_SUCCESS);
    EXPECT_EQ(from_pdo.Length, name.Length);
    ExFreePool(from_pdo.Buffer);

    alignas(8) UCHAR buffer[256];
    ULONG size = sizeof(buffer);
    ASSERT_EQ(IoWMIQuerySingleInstance(block, &name, &size, buffer), STATUS_SUCCESS);
    const auto* one = reinterpret_cast<const WNODE_SINGLE_INSTANCE*>(buffer);
    EXPECT_EQ(*reinterpret_cast<const ULONG*>(buffer + one->DataBlockOffset), 0x5D0u);
    ExFreePool(name.Buffer);
    ObDereferenceObject(block);

    UNICODE_STRING instance;
    RtlInitUnicodeString(&instance, L"ROOT\\WMIPDO\\0000");
    EXPECT_EQ(NtioPnpRemoveDevice(&instance, FALSE, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(g_fdo, nullptr);
    PVOID gone = nullptr;
    EXPECT_EQ(IoWMIOpenBlock(&kPdoGuid, WMIGUID_QUERY, &gone), STATUS_WMI_GUID_NOT_FOUND) << "deregistered";
    EXPECT_EQ(NtioUnloadDriver(driver), STATUS_SUCCESS);
    ObDereferenceObject(driver);
}

}  // namespace
}  // namespace ntio::wmi_test

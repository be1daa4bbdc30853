// A legacy driver that probes for its hardware, as the DDI pages describe it: DriverEntry claims the
// probed resources (IoReportResourceForDetection), reports the device it found
// (IoReportDetectedDevice), attaches an FDO to the PDO it gets back and counts its serial port in
// CONFIGURATION_INFORMATION. The device is root-enumerated from then on: no AddDevice or START this
// time, AddDevice and START on the next enumeration. Also the resources IoGetDeviceProperty reports.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioreportdetecteddevice
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioreportresourcefordetection
#include <cstring>
#include <string>
#include <vector>

#include "pnp_test_drivers.hpp"

namespace ntio::pnp_test {
namespace {

constexpr const wchar_t* kLegacyInstance = L"ROOT\\LEGACYDET\\0000";

struct LegacyState {
    std::mutex lock;
    std::vector<UCHAR> minors;  // PnP minors the FDO saw
    std::atomic<int> adds{0};
    PDEVICE_OBJECT pdo = nullptr;
    NTSTATUS claim_status = STATUS_PENDING;
    BOOLEAN conflict = TRUE;
    NTSTATUS report_status = STATUS_PENDING;
    KEVENT removed;
};
LegacyState g_legacy;

struct LegacyExtension {
    PDEVICE_OBJECT lower;
};

// The ISA serial port it probes: I/O ports 0x3F8..0x3FF.
struct PortList {
    CM_RESOURCE_LIST list;
};

PortList probe_resources(ULONG start) {
    PortList p;
    std::memset(&p, 0, sizeof p);
    p.list.Count = 1;
    p.list.List[0].InterfaceType = Isa;
    p.list.List[0].BusNumber = 0;
    p.list.List[0].PartialResourceList.Version = 1;
    p.list.List[0].PartialResourceList.Revision = 1;
    p.list.List[0].PartialResourceList.Count = 1;
    CM_PARTIAL_RESOURCE_DESCRIPTOR& port = p.list.List[0].PartialResourceList.PartialDescriptors[0];
    port.Type = CmResourceTypePort;
    port.ShareDisposition = CmResourceShareDeviceExclusive;
    port.Flags = CM_RESOURCE_PORT_IO;
    port.u.Port.Start.QuadPart = start;
    port.u.Port.Length = 8;
    return p;
}

NTSTATUS legacy_complete(PIRP irp, NTSTATUS status) {
    irp->IoStatus.Status = status;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

NTSTATUS attach_fdo(PDRIVER_OBJECT driver, PDEVICE_OBJECT pdo) {
    PDEVICE_OBJECT fdo = nullptr;
    NTSTATUS status = IoCreateDevice(driver, sizeof(LegacyExtension), nullptr, FILE_DEVICE_SERIAL_PORT, 0, FALSE, &fdo);
    if (!NT_SUCCESS(status)) return status;
    auto* ext = static_cast<LegacyExtension*>(fdo->DeviceExtension);
    ext->lower = IoAttachDeviceToDeviceStack(fdo, pdo);
    if (!ext->lower) {
        IoDeleteDevice(fdo);
        return STATUS_NO_SUCH_DEVICE;
    }
    fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI legacy_add_device(PDRIVER_OBJECT driver, PDEVICE_OBJECT pdo) {
    ++g_legacy.adds;
    return attach_fdo(driver, pdo);
}

NTSTATUS NTAPI legacy_pnp(PDEVICE_OBJECT fdo, PIRP irp) {
    auto* ext = static_cast<LegacyExtension*>(fdo->DeviceExtension);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    {
        std::lock_guard guard(g_legacy.lock);
        g_legacy.minors.push_back(sp->MinorFunction);
    }
    if (sp->MinorFunction == IRP_MN_START_DEVICE) {
        NTSTATUS status = IoForwardIrpSynchronously(ext->lower, irp) ? irp->IoStatus.Status : STATUS_UNSUCCESSFUL;
        return legacy_complete(irp, status);
    }
    if (sp->MinorFunction == IRP_MN_REMOVE_DEVICE) {
        irp->IoStatus.Status = STATUS_SUCCESS;
        IoSkipCurrentIrpStackLocation(irp);
        NTSTATUS status = IoCallDriver(ext->lower, irp);
        IoDetachDevice(ext->lower);
        IoDeleteDevice(fdo);
        KeSetEvent(&g_legacy.removed, IO_NO_INCREMENT, FALSE);
        return status;
    }
    if (sp->MinorFunction == IRP_MN_QUERY_REMOVE_DEVICE) irp->IoStatus.Status = STATUS_SUCCESS;
    IoSkipCurrentIrpStackLocation(irp);
    return IoCallDriver(ext->lower, irp);
}

NTSTATUS NTAPI legacy_power(PDEVICE_OBJECT fdo, PIRP irp) {
    auto* ext = static_cast<LegacyExtension*>(fdo->DeviceExtension);
    PoStartNextPowerIrp(irp);
    IoSkipCurrentIrpStackLocation(irp);
    return PoCallDriver(ext->lower, irp);
}

VOID NTAPI legacy_unload(PDRIVER_OBJECT) {}

// Detection: claim the ports, (find the device), report it, attach, count it.
NTSTATUS NTAPI legacy_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    driver->DriverExtension->AddDevice = legacy_add_device;
    driver->MajorFunction[IRP_MJ_PNP] = legacy_pnp;
    driver->MajorFunction[IRP_MJ_POWER] = legacy_power;
    driver->DriverUnload = legacy_unload;
    PortList probe = probe_resources(0x3F8);
    g_legacy.claim_status =
        IoReportResourceForDetection(driver, &probe.list, sizeof probe, nullptr, nullptr, 0, &g_legacy.conflict);
    if (!NT_SUCCESS(g_legacy.claim_status)) return g_legacy.claim_status;
    PDEVICE_OBJECT pdo = nullptr;
    g_legacy.report_status = IoReportDetectedDevice(driver, Isa, 0, 0, &probe.list, nullptr, TRUE, &pdo);
    if (!NT_SUCCESS(g_legacy.report_status)) return g_legacy.report_status;
    g_legacy.pdo = pdo;
    NTSTATUS status = attach_fdo(driver, pdo);
    if (!NT_SUCCESS(status)) return status;
    ++IoGetConfigurationInformation()->SerialCount;
    return STATUS_SUCCESS;
}

std::u16string text(const void* data, std::size_t bytes) {
    std::u16string out(bytes / 2, u'\0');
    std::memcpy(out.data(), data, out.size() * 2);
    return out;
}

NTIO_PNP_DEVICE_STATE legacy_device_state() {
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, kLegacyInstance);
    NTIO_PNP_DEVICE_STATE s = NtioPnpDeviceNotFound;
    EXPECT_EQ(NtioPnpQueryDevice(&name, &s, nullptr), STATUS_SUCCESS);
    return s;
}

class DetectedDeviceTest : public PnpTest {
protected:
    void SetUp() override {
        PnpTest::SetUp();
        std::lock_guard guard(g_legacy.lock);
        g_legacy.minors.clear();
        g_legacy.adds = 0;
        g_legacy.pdo = nullptr;
        g_legacy.claim_status = STATUS_PENDING;
        g_legacy.conflict = TRUE;
        g_legacy.report_status = STATUS_PENDING;
        KeInitializeEvent(&g_legacy.removed, NotificationEvent, FALSE);
    }
};

TEST_F(DetectedDeviceTest, AReportedDeviceIsStartedAsItIsAndEnumeratedLikeAnyRootDeviceLater) {
    PCONFIGURATION_INFORMATION config = IoGetConfigurationInformation();
    ASSERT_NE(config, nullptr);
    EXPECT_EQ(config->Version, ULONG{sizeof(CONFIGURATION_INFORMATION)});
    const ULONG serial_before = config->SerialCount;

    UNICODE_STRING service;
    RtlInitUnicodeString(&service, L"LegacyDet");
    PDRIVER_OBJECT driver = nullptr;
    ASSERT_EQ(NtioCreateDriver(&service, legacy_entry, &driver), STATUS_SUCCESS);
    EXPECT_EQ(g_legacy.claim_status, STATUS_SUCCESS);
    EXPECT_FALSE(g_legacy.conflict);
    ASSERT_EQ(g_legacy.report_status, STATUS_SUCCESS);
    PDEVICE_OBJECT pdo = g_legacy.pdo;
    ASSERT_NE(pdo, nullptr);
    // The driver counts the devices it finds; nothing else does.
    EXPECT_EQ(IoGetConfigurationInformation()->SerialCount, serial_before + 1);
    EXPECT_EQ(IoGetConfigurationInformation(), config);

    // Started as it is: no AddDevice, no START_DEVICE.
    EXPECT_EQ(legacy_device_state(), NtioPnpDeviceStarted);
    EXPECT_EQ(g_legacy.adds.load(), 0);
    {
        std::lock_guard guard(g_legacy.lock);
        for (UCHAR minor : g_legacy.minors) EXPECT_NE(minor, IRP_MN_START_DEVICE);
    }
    WCHAR ids[128] = {};
    ULONG length = 0;
    ASSERT_EQ(IoGetDeviceProperty(pdo, DevicePropertyCompatibleIDs, sizeof ids, ids, &length), STATUS_SUCCESS);
    const char16_t expected_ids[] = u"DETECTEDIsa\\LegacyDet\0DETECTED\\LegacyDet\0";
    EXPECT_EQ(text(ids, length), std::u16string(expected_ids, sizeof expected_ids / 2));
    // The resources it was reported with are its boot configuration and its allocated resources.
    alignas(8) unsigned char resources[128];
    ASSERT_EQ(IoGetDeviceProperty(pdo, DevicePropertyAllocatedResources, sizeof resources, resources, &length),
              STATUS_SUCCESS);
    ASSERT_GE(length, ULONG{sizeof(CM_RESOURCE_LIST)});
    auto* list = reinterpret_cast<PCM_RESOURCE_LIST>(resources);
    EXPECT_EQ(list->Count, 1u);
    EXPECT_EQ(list->List[0].InterfaceType, Isa);
    EXPECT_EQ(list->List[0].PartialResourceList.PartialDescriptors[0].Type, CmResourceTypePort);
    EXPECT_EQ(list->List[0].PartialResourceList.PartialDescriptors[0].u.Port.Start.QuadPart, 0x3F8);
    EXPECT_EQ(IoGetDeviceProperty(pdo, DevicePropertyBootConfiguration, 4, resources, &length), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(length, ULONG{sizeof(CM_RESOURCE_LIST)});

    // The ports are the driver's: a claim of an overlapping range for another owner conflicts; once
    // the driver releases them (a Count of zero), the claim succeeds.
    PDEVICE_OBJECT fdo = IoGetAttachedDeviceReference(pdo);
    PortList overlapping = probe_resources(0x3FC);
    BOOLEAN conflict = FALSE;
    EXPECT_EQ(IoReportResourceForDetection(driver, nullptr, 0, fdo, &overlapping.list, sizeof overlapping, &conflict),
              STATUS_CONFLICTING_ADDRESSES);
    EXPECT_TRUE(conflict);
    CM_RESOURCE_LIST none{};
    EXPECT_EQ(IoReportResourceForDetection(driver, &none, sizeof none, nullptr, nullptr, 0, &conflict), STATUS_SUCCESS);
    EXPECT_FALSE(conflict);
    EXPECT_EQ(IoReportResourceForDetection(driver, nullptr, 0, fdo, &overlapping.list, sizeof overlapping, &conflict),
              STATUS_SUCCESS);
    EXPECT_FALSE(conflict);
    EXPECT_EQ(IoReportResourceForDetection(driver, nullptr, 0, fdo, &none, sizeof none, &conflict), STATUS_SUCCESS);
    ObDereferenceObject(fdo);

    // Removed like any device, then found in Enum\Root by the next enumeration: AddDevice and START.
    UNICODE_STRING instance;
    RtlInitUnicodeString(&instance, kLegacyInstance);
    ASSERT_EQ(NtioPnpRemoveDevice(&instance, FALSE, nullptr), STATUS_SUCCESS);
    LARGE_INTEGER timeout;
    timeout.QuadPart = -10LL * 1000 * 1000 * 20;  // failure guard only
    ASSERT_EQ(KeWaitForSingleObject(&g_legacy.removed, Executive, KernelMode, FALSE, &timeout), STATUS_SUCCESS);
    EXPECT_EQ(legacy_device_state(), NtioPnpDeviceNotFound);
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    EXPECT_EQ(g_legacy.adds.load(), 1);
    EXPECT_EQ(legacy_device_state(), NtioPnpDeviceStarted);
    {
        std::lock_guard guard(g_legacy.lock);
        EXPECT_NE(std::find(g_legacy.minors.begin(), g_legacy.minors.end(), IRP_MN_START_DEVICE), g_legacy.minors.end());
    }
    KeClearEvent(&g_legacy.removed);
    ASSERT_EQ(NtioPnpRemoveDevice(&instance, FALSE, nullptr), STATUS_SUCCESS);
    ASSERT_EQ(KeWaitForSingleObject(&g_legacy.removed, Executive, KernelMode, FALSE, &timeout), STATUS_SUCCESS);
    (void)NtioUnloadDriver(driver);
    ObDereferenceObject(driver);
}

TEST_F(DetectedDeviceTest, BadReportsGetTheirStatuses) {
    UNICODE_STRING service;
    RtlInitUnicodeString(&service, L"LegacyBad");
    PDRIVER_OBJECT driver = nullptr;
    ASSERT_EQ(NtioCreateDriver(&service, [](PDRIVER_OBJECT d, PUNICODE_STRING) -> NTSTATUS {
        d->DriverUnload = legacy_unload;
        return STATUS_SUCCESS;
    }, &driver), STATUS_SUCCESS);
    PDEVICE_OBJECT pdo = nullptr;
    PortList probe = probe_resources(0x2F8);
    EXPECT_EQ(IoReportDetectedDevice(nullptr, Isa, 0, 0, &probe.list, nullptr, TRUE, &pdo), STATUS_INVALID_PARAMETER_1);
    EXPECT_EQ(IoReportDetectedDevice(driver, Isa, 0, 0, &probe.list, nullptr, TRUE, nullptr), STATUS_INVALID_PARAMETER_8);
    // A device that is not a PnP PDO is not one to report.
    PDEVICE_OBJECT device = nullptr;
    ASSERT_EQ(IoCreateDevice(driver, 0, nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &device), STATUS_SUCCESS);
    PDEVICE_OBJECT given = device;
    EXPECT_EQ(IoReportDetectedDevice(driver, Isa, 0, 0, &probe.list, nullptr, TRUE, &given), STATUS_INVALID_PARAMETER_8);
    BOOLEAN conflict = FALSE;
    EXPECT_EQ(IoReportResourceForDetection(driver, &probe.list, sizeof probe, nullptr, nullptr, 0, nullptr),
              STATUS_INVALID_PARAMETER_7);
    EXPECT_EQ(IoReportResourceForDetection(nullptr, &probe.list, sizeof probe, nullptr, nullptr, 0, &conflict),
              STATUS_INVALID_PARAMETER_1);
    // "The DeviceList or DriverList is invalid": shorter than its descriptors.
    EXPECT_EQ(IoReportResourceForDetection(driver, &probe.list, 8, nullptr, nullptr, 0, &conflict), STATUS_UNSUCCESSFUL);
    EXPECT_EQ(IoReportResourceForDetection(driver, nullptr, 0, nullptr, &probe.list, sizeof probe, &conflict),
              STATUS_INVALID_PARAMETER_4);
    IoDeleteDevice(device);
    (void)NtioUnloadDriver(driver);
    ObDereferenceObject(driver);
}

TEST_F(PnpTest, AllocatedResourcesOfARootDeviceAreTheInterruptsItsStartCarried) {
    UNICODE_STRING name = instance_name();
    NTIO_DEVICE_INTERRUPTS interrupts{};
    interrupts.Vector = 0x51;
    interrupts.Mode = LevelSensitive;
    ASSERT_EQ(NtioSetDeviceInterrupts(&name, &interrupts), STATUS_SUCCESS);
    Drivers drivers(false);
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    PDEVICE_OBJECT pdo = state().pdo;
    ASSERT_NE(pdo, nullptr);
    alignas(8) unsigned char resources[128];
    ULONG length = 0;
    ASSERT_EQ(IoGetDeviceProperty(pdo, DevicePropertyAllocatedResources, sizeof resources, resources, &length),
              STATUS_SUCCESS);
    EXPECT_EQ(length, ULONG{sizeof(CM_RESOURCE_LIST)});
    auto* list = reinterpret_cast<PCM_RESOURCE_LIST>(resources);
    ASSERT_EQ(list->Count, 1u);
    ASSERT_EQ(list->List[0].PartialResourceList.Count, 1u);
    EXPECT_EQ(list->List[0].PartialResourceList.PartialDescriptors[0].Type, CmResourceTypeInterrupt);
    // A root device has no firmware boot configuration.
    EXPECT_EQ(IoGetDeviceProperty(pdo, DevicePropertyBootConfiguration, sizeof resources, resources, &length),
              STATUS_OBJECT_NAME_NOT_FOUND);
    UNICODE_STRING instance = instance_name();
    EXPECT_EQ(NtioPnpRemoveDevice(&instance, FALSE, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(NtioSetDeviceInterrupts(&name, nullptr), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::pnp_test

// The legacy configuration routines as an NT4-style driver's DriverEntry uses them: the hardware
// description query, resource claims through IoReportResourceUsage, IoAssignResources, the system
// partition recorded in the registry, and the boot disk.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioquerydevicedescription
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioreportresourceusage
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iosetsystempartition
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetbootdiskinformation
#include <cstring>

#include <ntddk.h>

#include "unit/io/devices/devices_test_support.hpp"

namespace ntio::io::test {
namespace legacy_configuration {

using LegacyConfigurationTest = DevicesTest;

int g_callouts = 0;

NTSTATUS NTAPI callout(PVOID, PUNICODE_STRING, INTERFACE_TYPE, ULONG, PKEY_VALUE_FULL_INFORMATION*, CONFIGURATION_TYPE,
                       ULONG, PKEY_VALUE_FULL_INFORMATION*, CONFIGURATION_TYPE, ULONG, PKEY_VALUE_FULL_INFORMATION*) {
    ++g_callouts;
    return STATUS_SUCCESS;
}

TEST_F(LegacyConfigurationTest, device_description_finds_no_detected_hardware) {
    g_callouts = 0;
    INTERFACE_TYPE bus = Isa;
    CONFIGURATION_TYPE controller = SerialController;
    EXPECT_EQ(IoQueryDeviceDescription(&bus, nullptr, nullptr, nullptr, nullptr, nullptr, callout, nullptr),
              STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(IoQueryDeviceDescription(&bus, nullptr, &controller, nullptr, nullptr, nullptr, callout, nullptr),
              STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(g_callouts, 0);
    EXPECT_EQ(IoQueryDeviceDescription(&bus, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoQueryDeviceDescription(nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, callout, nullptr),
              STATUS_INVALID_PARAMETER);
    bus = MaximumInterfaceType;
    EXPECT_EQ(IoQueryDeviceDescription(&bus, nullptr, nullptr, nullptr, nullptr, nullptr, callout, nullptr),
              STATUS_INVALID_PARAMETER);
}

CM_RESOURCE_LIST ports(ULONG start) {
    CM_RESOURCE_LIST list;
    std::memset(&list, 0, sizeof list);
    list.Count = 1;
    list.List[0].InterfaceType = Isa;
    list.List[0].PartialResourceList.Version = 1;
    list.List[0].PartialResourceList.Revision = 1;
    list.List[0].PartialResourceList.Count = 1;
    CM_PARTIAL_RESOURCE_DESCRIPTOR& port = list.List[0].PartialResourceList.PartialDescriptors[0];
    port.Type = CmResourceTypePort;
    port.ShareDisposition = CmResourceShareDeviceExclusive;
    port.Flags = CM_RESOURCE_PORT_IO;
    port.u.Port.Start.QuadPart = start;
    port.u.Port.Length = 8;
    return list;
}

TEST_F(LegacyConfigurationTest, resource_usage_claims_conflict_until_released) {
    PDRIVER_OBJECT first = load(u"LegacyCfgA");
    PDRIVER_OBJECT second = load(u"LegacyCfgB");
    PDEVICE_OBJECT device = create(second);
    CM_RESOURCE_LIST mine = ports(0x2F8);
    CM_RESOURCE_LIST overlapping = ports(0x2FC);
    BOOLEAN conflict = TRUE;
    EXPECT_EQ(IoReportResourceUsage(nullptr, first, &mine, sizeof mine, nullptr, nullptr, 0, FALSE, &conflict),
              STATUS_SUCCESS);
    EXPECT_FALSE(conflict);
    EXPECT_EQ(IoReportResourceUsage(nullptr, second, nullptr, 0, device, &overlapping, sizeof overlapping, FALSE,
                                    &conflict),
              STATUS_CONFLICTING_ADDRESSES);
    EXPECT_TRUE(conflict);
    // The first driver releases its ports (a list of no resources); the claim then succeeds.
    CM_RESOURCE_LIST none{};
    EXPECT_EQ(IoReportResourceUsage(nullptr, first, &none, sizeof none, nullptr, nullptr, 0, FALSE, &conflict),
              STATUS_SUCCESS);
    EXPECT_EQ(IoReportResourceUsage(nullptr, second, nullptr, 0, device, &overlapping, sizeof overlapping, FALSE,
                                    &conflict),
              STATUS_SUCCESS);
    EXPECT_FALSE(conflict);
    EXPECT_EQ(IoReportResourceUsage(nullptr, second, nullptr, 0, device, &none, sizeof none, FALSE, &conflict),
              STATUS_SUCCESS);
    unload(second);
    unload(first);
}

TEST_F(LegacyConfigurationTest, assign_resources_has_no_arbiter) {
    PDRIVER_OBJECT driver = load(u"LegacyAssign");
    Name path(u"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\LegacyAssign");
    PCM_RESOURCE_LIST allocated = nullptr;
    EXPECT_EQ(IoAssignResources(path, nullptr, driver, nullptr, nullptr, &allocated), STATUS_NOT_SUPPORTED);
    EXPECT_EQ(allocated, nullptr);
    EXPECT_EQ(IoAssignResources(nullptr, nullptr, driver, nullptr, nullptr, &allocated), STATUS_INVALID_PARAMETER);
    unload(driver);
}

NTSTATUS NTAPI capture_value(PWSTR, ULONG type, PVOID data, ULONG length, PVOID context, PVOID) {
    if (type == REG_SZ) *static_cast<std::u16string*>(context) = std::u16string(static_cast<const char16_t*>(data), length / 2);
    return STATUS_SUCCESS;
}

TEST_F(LegacyConfigurationTest, system_partition_is_recorded_under_setup) {
    PDRIVER_OBJECT driver = load(u"LegacyVolume");
    ASSERT_NE(create(driver, u"\\Device\\HarddiskVolume91"), nullptr);
    Name missing(u"\\Device\\HarddiskVolume92");
    EXPECT_EQ(IoSetSystemPartition(missing), STATUS_OBJECT_NAME_NOT_FOUND);
    Name volume(u"\\Device\\HarddiskVolume91");
    ASSERT_EQ(IoSetSystemPartition(volume), STATUS_SUCCESS);
    std::u16string value;
    RTL_QUERY_REGISTRY_TABLE table[2] = {};
    table[0].QueryRoutine = capture_value;
    table[0].Flags = RTL_QUERY_REGISTRY_REQUIRED;
    table[0].Name = const_cast<PWSTR>(L"SystemPartition");
    ASSERT_EQ(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, L"\\Registry\\Machine\\SYSTEM\\Setup", table, &value,
                                     nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(value, std::u16string(u"\\Device\\HarddiskVolume91", 24) + u'\0');
    UNICODE_STRING empty{};
    EXPECT_EQ(IoSetSystemPartition(&empty), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoSetSystemPartition(nullptr), STATUS_INVALID_PARAMETER);
    unload(driver);
}

TEST_F(LegacyConfigurationTest, boot_disk_information_is_gone) {
    BOOTDISK_INFORMATION info{};
    info.BootDeviceSignature = 0xABCD;
    EXPECT_EQ(IoGetBootDiskInformation(&info, sizeof info), STATUS_TOO_LATE);
    EXPECT_EQ(info.BootDeviceSignature, 0xABCDu);
    EXPECT_EQ(IoGetBootDiskInformation(&info, sizeof info - 1), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoGetBootDiskInformation(nullptr, sizeof info), STATUS_INVALID_PARAMETER);
    PBOOTDISK_INFORMATION_LITE lite = nullptr;
    EXPECT_EQ(IoGetBootDiskInformationLite(&lite), STATUS_TOO_LATE);
    EXPECT_EQ(lite, nullptr);
    EXPECT_EQ(IoGetBootDiskInformationLite(nullptr), STATUS_INVALID_PARAMETER);
}

}  // namespace legacy_configuration
}  // namespace ntio::io::test

// Buses through the HAL, as a legacy driver probes for its card: configuration data by slot and by
// offset, slot resources, bus address and interrupt vector translation. ntio has no bus, so each
// answer is the one Windows gives for a bus that does not exist, and nothing is written to the
// caller's buffers.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-halgetbusdata
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-haltranslatebusaddress
#include <array>

#include <ntddk.h>

#include "unit/io/devices/devices_test_support.hpp"

namespace ntio::io::test {
namespace hal_bus {

using HalBusTest = DevicesTest;

TEST_F(HalBusTest, no_bus_returns_configuration_data) {
    for (BUS_DATA_TYPE type : {Cmos, EisaConfiguration, PCIConfiguration, PNPISAConfiguration}) {
        std::array<UCHAR, 256> buffer;
        buffer.fill(0xCC);
        EXPECT_EQ(HalGetBusData(type, 0, 0, buffer.data(), static_cast<ULONG>(buffer.size())), 0u) << type;
        EXPECT_EQ(HalGetBusDataByOffset(type, 0, 3, buffer.data(), 0x40, 16), 0u) << type;
        EXPECT_EQ(HalSetBusData(type, 0, 0, buffer.data(), 4), 0u) << type;
        EXPECT_EQ(HalSetBusDataByOffset(type, 1, 2, buffer.data(), 0x40, 4), 0u) << type;
        for (UCHAR byte : buffer) ASSERT_EQ(byte, 0xCC) << "the buffer is not written";
    }
}

TEST_F(HalBusTest, addresses_and_vectors_do_not_translate) {
    PHYSICAL_ADDRESS bus{};
    bus.QuadPart = 0x3F8;
    ULONG space = 1;
    PHYSICAL_ADDRESS translated{};
    translated.QuadPart = 0x1234;
    EXPECT_FALSE(HalTranslateBusAddress(Isa, 0, bus, &space, &translated));
    EXPECT_FALSE(IoTranslateBusAddress(PCIBus, 0, bus, &space, &translated));
    EXPECT_EQ(space, 1u);
    EXPECT_EQ(translated.QuadPart, 0x1234);

    KIRQL irql = HIGH_LEVEL;
    KAFFINITY affinity = ~KAFFINITY{0};
    EXPECT_EQ(HalGetInterruptVector(Isa, 0, 4, 4, &irql, &affinity), 0u);
    EXPECT_EQ(affinity, 0u);
}

TEST_F(HalBusTest, slot_resources_cannot_be_assigned_on_a_missing_bus) {
    PDRIVER_OBJECT driver = load(u"HalSlot");
    PDEVICE_OBJECT device = create(driver);
    Name path(u"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\HalSlot");
    PCM_RESOURCE_LIST resources = reinterpret_cast<PCM_RESOURCE_LIST>(this);
    EXPECT_EQ(HalAssignSlotResources(path, nullptr, driver, device, PCIBus, 0, 5, &resources), STATUS_NO_SUCH_DEVICE);
    EXPECT_EQ(resources, reinterpret_cast<PCM_RESOURCE_LIST>(this)) << "left alone";
    EXPECT_EQ(HalAssignSlotResources(nullptr, nullptr, driver, device, PCIBus, 0, 5, &resources),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(HalAssignSlotResources(path, nullptr, driver, device, PCIBus, 0, 5, nullptr), STATUS_INVALID_PARAMETER);
    unload(driver);
}

TEST_F(HalBusTest, dispatch_table_has_no_bus_handlers) {
    EXPECT_EQ(HalDispatchTableVersion, ULONG{HAL_DISPATCH_VERSION});
    EXPECT_EQ(HalReferenceHandlerForBus(Isa, 0), nullptr);
    EXPECT_EQ(HalReferenceHandlerForBus(PCIBus, 0), nullptr);
    HalReferenceBusHandler(nullptr);
    HalDereferenceBusHandler(nullptr);
    ULONG slots[4] = {};
    ULONG returned = 7;
    EXPECT_EQ(HalQueryBusSlots(nullptr, sizeof slots, slots, &returned), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(returned, 0u);
}

}  // namespace hal_bus
}  // namespace ntio::io::test

// The HAL's system information and platform routines through HalDispatchTable and the exports: the
// classes a machine without the hardware answers, the speaker, the display, hardware counters, the
// boot-time and mirroring entries, and HalBugCheckSystem's stop.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-halmakebeep
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0x124---whea-uncorrectable-error
#include <ntddk.h>

#include "support/bugcheck_catcher.hpp"
#include "unit/io/devices/devices_test_support.hpp"

namespace ntio::io::test {
namespace hal_system {

using HalSystemTest = DevicesTest;

TEST_F(HalSystemTest, installed_buses_are_none_and_hot_plug_memory_reaches_nowhere) {
    ULONG returned = 99;
    UCHAR buffer[64];
    EXPECT_EQ(HalQuerySystemInformation(HalInstalledBusInformation, sizeof buffer, buffer, &returned), STATUS_SUCCESS);
    EXPECT_EQ(returned, 0u);

    PHYSICAL_ADDRESS highest;
    highest.QuadPart = -1;
    EXPECT_EQ(HalQuerySystemInformation(HalQueryMaxHotPlugMemoryAddress, sizeof highest, &highest, &returned),
              STATUS_SUCCESS);
    EXPECT_EQ(returned, sizeof(PHYSICAL_ADDRESS));
    EXPECT_EQ(highest.QuadPart, 0);
    returned = 0;
    EXPECT_EQ(HalQuerySystemInformation(HalQueryMaxHotPlugMemoryAddress, 4, &highest, &returned),
              STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(returned, sizeof(PHYSICAL_ADDRESS));
}

TEST_F(HalSystemTest, classes_without_hardware_are_invalid_levels) {
    UCHAR buffer[64] = {};
    ULONG returned = 5;
    for (HAL_QUERY_INFORMATION_CLASS c : {HalProfileSourceInformation, HalPowerInformation, HalProcessorSpeedInformation,
                                          HalMcaLogInformation, HalErrorInformation, HalPlatformInformation}) {
        EXPECT_EQ(HalQuerySystemInformation(c, sizeof buffer, buffer, &returned), STATUS_INVALID_LEVEL) << c;
        EXPECT_EQ(returned, 0u);
    }
    EXPECT_EQ(HalSetSystemInformation(HalProfileSourceInterval, sizeof buffer, buffer), STATUS_INVALID_LEVEL);
    EXPECT_EQ(HalSetSystemInformation(HalKernelErrorHandler, sizeof buffer, buffer), STATUS_INVALID_LEVEL);
}

TEST_F(HalSystemTest, mirroring_and_firmware_entries_report_no_such_hardware) {
    EXPECT_EQ(HalStartMirroring(), STATUS_NOT_SUPPORTED);
    EXPECT_EQ(HalEndMirroring(0), STATUS_NOT_SUPPORTED);
    PHYSICAL_ADDRESS at{};
    LARGE_INTEGER bytes{};
    bytes.QuadPart = PAGE_SIZE;
    EXPECT_EQ(HalMirrorPhysicalMemory(at, bytes), STATUS_NOT_SUPPORTED);
    EXPECT_EQ(HalMirrorVerify(at, bytes), STATUS_NOT_SUPPORTED);
    EXPECT_EQ(HalGetCachedAcpiTable(0x50434146 /* "FACP" */, nullptr, nullptr), nullptr);
    PPM_DISPATCH_TABLE pm = reinterpret_cast<PPM_DISPATCH_TABLE>(this);
    EXPECT_EQ(HalInitPowerManagement(nullptr, &pm), STATUS_NOT_SUPPORTED);
    EXPECT_EQ(pm, nullptr);
    EXPECT_EQ(HalGetInterruptTranslator(Internal, 0, PCIBus, 0, 1, nullptr, nullptr), STATUS_NOT_SUPPORTED);
}

TEST_F(HalSystemTest, the_speaker_is_missing_and_silence_succeeds) {
    EXPECT_FALSE(HalMakeBeep(440));
    EXPECT_TRUE(HalMakeBeep(0));
}

BOOLEAN NTAPI reset_display(ULONG, ULONG) { return TRUE; }

TEST_F(HalSystemTest, display_ownership_is_accepted_and_counters_are_not_implemented) {
    HalAcquireDisplayOwnership(reset_display);
    HANDLE counters = reinterpret_cast<HANDLE>(0x1234);
    GROUP_AFFINITY affinity{};
    affinity.Mask = 1;
    EXPECT_EQ(HalAllocateHardwareCounters(&affinity, 1, nullptr, &counters), STATUS_NOT_IMPLEMENTED);
    EXPECT_EQ(counters, reinterpret_cast<HANDLE>(0x1234)) << "left alone";
    EXPECT_EQ(HalFreeHardwareCounters(counters), STATUS_NOT_IMPLEMENTED);
}

TEST_F(HalSystemTest, bugcheck_system_stops_with_the_whea_code) {
    // The descriptor's Type follows its Length and Version; 0 is a machine-check exception.
    struct SourceHead {
        ULONG Length;
        ULONG Version;
        ULONG Type;
    } source{sizeof(SourceHead), 1, 4};
    UCHAR record[128] = {};
    const auto bc = ntio::test::catch_bugcheck([&] {
        HalBugCheckSystem(reinterpret_cast<PWHEA_ERROR_SOURCE_DESCRIPTOR>(&source),
                          reinterpret_cast<PWHEA_ERROR_RECORD>(record));
    });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, ULONG{WHEA_UNCORRECTABLE_ERROR});
    EXPECT_EQ(bc->p1, 4u);
    EXPECT_EQ(bc->p2, reinterpret_cast<ULONG_PTR>(record));
}

}  // namespace hal_system
}  // namespace ntio::io::test

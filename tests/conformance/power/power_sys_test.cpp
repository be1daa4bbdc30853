// A C driver image (power_sys.sys, tests/drivers/power) that imports the power manager routines,
// loaded from its service key with ZwLoadDriver: it loads, its power setting callback is told AC
// power, PoFx idles its component into F1 and takes its device power away, and its idle detection
// sends it D3 once the idle clock has run its two seconds.
#include <cstring>
#include <string>

#include "ntio_test_config.h"  // NTIO_POWER_SYS_DRIVERS
#include "support/service_keys.hpp"
#include "support/system_fixture.hpp"

#include <wdm.h>

#include "ntio/ntio.h"

namespace ntio::power_test {
namespace {

const std::u16string kServiceKey = u"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\PowerSys";

ULONG reported(const wchar_t* value) { return ntio::test::read_dword(kServiceKey, value); }

using PowerSysTest = ntio::test::SystemTest;

TEST_F(PowerSysTest, DriverImageImportingThePowerManagerLoadsAndIsServed) {
    std::string path = NTIO_POWER_SYS_DRIVERS;
    ntio::test::install_kernel_service(kServiceKey, path.append("/power_sys.sys"));

    ASSERT_EQ(NtioAdvancePowerIdleClock(0), STATUS_SUCCESS);
    UNICODE_STRING service_name = ntio::test::unicode_of(kServiceKey);
    ASSERT_EQ(ZwLoadDriver(&service_name), STATUS_SUCCESS);
    EXPECT_EQ(reported(L"PowerSource"), ULONG{PoAc});
    EXPECT_EQ(reported(L"IdleRegistered"), 1u);
    EXPECT_EQ(reported(L"FxStatus"), ULONG{STATUS_SUCCESS});
    EXPECT_EQ(reported(L"FxIdleConditions"), 1u);
    EXPECT_EQ(reported(L"FxIdleState"), 1u);
    EXPECT_EQ(reported(L"FxNotRequired"), 1u);
    EXPECT_EQ(reported(L"IdleIrpState"), 0xFFFFFFFFu);
    ASSERT_EQ(NtioAdvancePowerIdleClock(2), STATUS_SUCCESS);
    EXPECT_EQ(reported(L"IdleIrpState"), ULONG{PowerDeviceD3});
    EXPECT_EQ(ZwUnloadDriver(&service_name), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::power_test

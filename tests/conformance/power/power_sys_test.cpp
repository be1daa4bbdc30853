// A C driver image (power_sys.sys, tests/drivers/power) that imports the power manager routines,
// loaded from its service key with ZwLoadDriver: it loads, its power setting callback is told AC
// power, PoFx idles its component into F1 and takes its device power away, and its idle detection
// sends it D3 once the idle clock has run its two seconds.
#include <cstring>
#include <string>

#include "ntio_test_config.h"  // NTIO_POWER_SYS_DRIVERS
#include "support/system_fixture.hpp"

#include <wdm.h>

#include "ntio/ntio.h"

namespace ntio::power_test {
namespace {

const std::u16string kServiceKey = u"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\PowerSys";

UNICODE_STRING unicode(const std::u16string& text) {
    return UNICODE_STRING{static_cast<USHORT>(text.size() * 2), static_cast<USHORT>(text.size() * 2),
                          reinterpret_cast<PWCH>(const_cast<char16_t*>(text.data()))};
}

HANDLE open_service_key() {
    UNICODE_STRING name = unicode(kServiceKey);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, nullptr, nullptr);
    HANDLE key = nullptr;
    EXPECT_EQ(ZwCreateKey(&key, KEY_ALL_ACCESS, &oa, 0, nullptr, 0, nullptr), STATUS_SUCCESS);
    return key;
}

void set_value(HANDLE key, const wchar_t* value, ULONG type, const void* data, ULONG bytes) {
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, value);
    EXPECT_EQ(ZwSetValueKey(key, &name, 0, type, const_cast<void*>(data), bytes), STATUS_SUCCESS);
}

ULONG reported(const wchar_t* value) {
    HANDLE key = open_service_key();
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, value);
    alignas(8) unsigned char buffer[64];
    ULONG length = 0;
    ULONG data = 0xFFFFFFFF;
    if (NT_SUCCESS(ZwQueryValueKey(key, &name, KeyValuePartialInformation, buffer, sizeof buffer, &length)))
        std::memcpy(&data, reinterpret_cast<PKEY_VALUE_PARTIAL_INFORMATION>(buffer)->Data, sizeof data);
    ZwClose(key);
    return data;
}

using PowerSysTest = ntio::test::SystemTest;

TEST_F(PowerSysTest, DriverImageImportingThePowerManagerLoadsAndIsServed) {
    HANDLE service = open_service_key();
    const ULONG type = 1, start = 3;
    set_value(service, L"Type", REG_DWORD, &type, sizeof type);
    set_value(service, L"Start", REG_DWORD, &start, sizeof start);
    std::string path = NTIO_POWER_SYS_DRIVERS;
    path.append("/power_sys.sys");
    const std::u16string image(path.begin(), path.end());
    set_value(service, L"ImagePath", REG_EXPAND_SZ, image.c_str(), static_cast<ULONG>((image.size() + 1) * 2));
    ZwClose(service);

    ASSERT_EQ(NtioAdvancePowerIdleClock(0), STATUS_SUCCESS);
    UNICODE_STRING service_name = unicode(kServiceKey);
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

// A C driver image (intr_sys.sys) for a device with an interrupt, loaded by the PnP manager from its
// service key: it links against libntio's interrupt DDIs, connects its translated interrupt resource
// in IRP_MN_START_DEVICE with IoConnectInterrupt, and its ISR and DPC for ISR run when the simulated
// hardware interrupts.
#include <cstring>
#include <string>

#include "interrupt_test_driver.hpp"
#include "ntio_test_config.h"  // NTIO_INTERRUPT_SYS_DRIVERS
#include "support/service_keys.hpp"

namespace ntio::interrupt_test {
namespace {

constexpr ULONG kSysVector = 0x92;  // DIRQL 9
constexpr const char16_t kServiceKey[] = u"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\IntrSys";
constexpr const char16_t kEnumKey[] = u"\\Registry\\Machine\\System\\CurrentControlSet\\Enum\\Root\\INTRSYS";

using ntio::test::create_key;
using ntio::test::set_value;

ULONG reported(const wchar_t* value) { return ntio::test::read_dword(kServiceKey, value); }

void install() {
    std::string path = NTIO_INTERRUPT_SYS_DRIVERS;
    ntio::test::install_kernel_service(kServiceKey, path.append("/intr_sys.sys"));
    // ZwCreateKey makes one level: the keys above the instance first.
    const std::u16string instance_path = std::u16string(kEnumKey) + u"\\0000";
    for (std::size_t at = instance_path.find(u"\\Enum"); at != std::u16string::npos;
         at = instance_path.find(u'\\', at + 1))
        ZwClose(create_key(instance_path.substr(0, at)));
    HANDLE instance = create_key(instance_path);
    static const char16_t kService[] = u"IntrSys";
    set_value(instance, L"Service", REG_SZ, kService, sizeof kService);
    ZwClose(instance);
}

TEST_F(InterruptTest, DriverImageConnectsItsInterruptAtStartAndServicesIt) {
    install();
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"ROOT\\INTRSYS\\0000");
    NTIO_DEVICE_INTERRUPTS interrupts{kSysVector, 0, LevelSensitive, TRUE};
    ASSERT_EQ(NtioSetDeviceInterrupts(&name, &interrupts), STATUS_SUCCESS);
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    NTIO_PNP_DEVICE_STATE s = NtioPnpDeviceNotFound;
    ASSERT_EQ(NtioPnpQueryDevice(&name, &s, nullptr), STATUS_SUCCESS);
    ASSERT_EQ(s, NtioPnpDeviceStarted);
    EXPECT_EQ(reported(L"ConnectStatus"), ULONG{STATUS_SUCCESS});
    EXPECT_EQ(reported(L"Vector"), kSysVector);
    EXPECT_EQ(reported(L"Irql"), 9u);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(NtioRaiseInterrupt(kSysVector), STATUS_SUCCESS);
        KeFlushQueuedDpcs();
    }
    ASSERT_EQ(NtioPnpRemoveDevice(&name, FALSE, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(reported(L"IsrCalls"), 3u);
    EXPECT_EQ(reported(L"DpcCalls"), 3u);
    EXPECT_EQ(reported(L"DpcIrql"), ULONG{DISPATCH_LEVEL});
    EXPECT_EQ(NtioRaiseInterrupt(kSysVector), STATUS_NOT_FOUND);
}

}  // namespace
}  // namespace ntio::interrupt_test

// A C driver image (intr_sys.sys) for a device with an interrupt, loaded by the PnP manager from its
// service key: it links against libntio's interrupt DDIs, connects its translated interrupt resource
// in IRP_MN_START_DEVICE with IoConnectInterrupt, and its ISR and DPC for ISR run when the simulated
// hardware interrupts.
#include <cstring>
#include <string>

#include "interrupt_test_driver.hpp"
#include "ntio_test_config.h"  // NTIO_INTERRUPT_SYS_DRIVERS

namespace ntio::interrupt_test {
namespace {

constexpr ULONG kSysVector = 0x92;  // DIRQL 9
constexpr const char16_t kServiceKey[] = u"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\IntrSys";
constexpr const char16_t kEnumKey[] = u"\\Registry\\Machine\\System\\CurrentControlSet\\Enum\\Root\\INTRSYS";

UNICODE_STRING unicode(const std::u16string& text) {
    return UNICODE_STRING{static_cast<USHORT>(text.size() * 2), static_cast<USHORT>(text.size() * 2),
                          reinterpret_cast<PWCH>(const_cast<char16_t*>(text.data()))};
}

HANDLE create_key(const std::u16string& path) {
    UNICODE_STRING name = unicode(path);
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
    HANDLE key = create_key(kServiceKey);
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

void install() {
    HANDLE service = create_key(kServiceKey);
    const ULONG type = 1, start = 3;
    set_value(service, L"Type", REG_DWORD, &type, sizeof type);
    set_value(service, L"Start", REG_DWORD, &start, sizeof start);
    std::string path = NTIO_INTERRUPT_SYS_DRIVERS;
    path.append("/intr_sys.sys");
    const std::u16string image(path.begin(), path.end());
    set_value(service, L"ImagePath", REG_EXPAND_SZ, image.c_str(), static_cast<ULONG>((image.size() + 1) * 2));
    ZwClose(service);
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

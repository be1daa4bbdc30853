// IoOpenDeviceRegistryKey on a root-enumerated PDO: the hardware key ("Device Parameters" under the
// device's Enum key), the software key (its driver key under Control\Class, named by the Enum key's
// Driver value), both relative to the current hardware profile on request, and bad input.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioopendeviceregistrykey
// https://learn.microsoft.com/windows-hardware/drivers/install/introduction-to-registry-keys-for-drivers
#include <cstring>
#include <string>

#include "pnp_test_drivers.hpp"

namespace ntio::pnp_test {
namespace registry_key {

constexpr const char16_t* kEnumKey = u"\\Registry\\Machine\\System\\CurrentControlSet\\Enum\\ROOT\\PNPTEST\\0000";
constexpr const char16_t* kClassGuid = u"{6bdd1fc6-810f-11d0-bec7-08002be2092f}";

UNICODE_STRING counted(const std::u16string& text) {
    return {static_cast<USHORT>(text.size() * 2), static_cast<USHORT>(text.size() * 2),
            reinterpret_cast<PWCH>(const_cast<char16_t*>(text.data()))};
}

HANDLE open_path(const std::u16string& path, ACCESS_MASK access = KEY_READ) {
    UNICODE_STRING name = counted(path);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, nullptr, nullptr);
    HANDLE key = nullptr;
    return NT_SUCCESS(ZwOpenKey(&key, access, &oa)) ? key : nullptr;
}

void set_string(HANDLE key, const wchar_t* value, const std::u16string& data) {
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, value);
    EXPECT_EQ(ZwSetValueKey(key, &name, 0, REG_SZ, const_cast<char16_t*>(data.c_str()),
                            static_cast<ULONG>((data.size() + 1) * sizeof(char16_t))),
              STATUS_SUCCESS);
}

std::u16string get_string(HANDLE key, const wchar_t* value) {
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, value);
    alignas(8) unsigned char buffer[sizeof(KEY_VALUE_PARTIAL_INFORMATION) + 256];
    auto* info = reinterpret_cast<PKEY_VALUE_PARTIAL_INFORMATION>(buffer);
    ULONG length = 0;
    if (!NT_SUCCESS(ZwQueryValueKey(key, &name, KeyValuePartialInformation, info, sizeof buffer, &length)))
        return u"<absent>";
    std::u16string text(info->DataLength / sizeof(char16_t), u'\0');
    std::memcpy(text.data(), info->Data, text.size() * sizeof(char16_t));
    while (!text.empty() && text.back() == u'\0') text.pop_back();
    return text;
}

// Writes a value through the key IoOpenDeviceRegistryKey opened, for reading back by path.
void mark(HANDLE key, const std::u16string& text) { set_string(key, L"Marker", text); }
// The marker of the key at `path`, "<no key>" when there is no such key.
std::u16string marker_at(const std::u16string& path) {
    HANDLE key = open_path(path);
    if (!key) return u"<no key>";
    std::u16string text = get_string(key, L"Marker");
    ZwClose(key);
    return text;
}

class PnpRegistryKeyTest : public PnpTest {
protected:
    PDEVICE_OBJECT started_pdo() {
        EXPECT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
        return state().pdo.load();
    }
    void set_enum_value(const wchar_t* value, const std::u16string& data) {
        HANDLE key = open_path(kEnumKey, KEY_SET_VALUE);
        ASSERT_NE(key, nullptr);
        set_string(key, value, data);
        ZwClose(key);
    }
    // Every test ends with the device removed (its stack and interface objects go with it).
    void remove_device() {
        UNICODE_STRING name = instance_name();
        EXPECT_EQ(NtioPnpRemoveDevice(&name, FALSE, nullptr), STATUS_SUCCESS);
    }
    std::u16string enum_value(const wchar_t* value) {
        HANDLE key = open_path(kEnumKey);
        if (!key) return u"<no key>";
        std::u16string text = get_string(key, value);
        ZwClose(key);
        return text;
    }
};

TEST_F(PnpRegistryKeyTest, the_hardware_key_is_device_parameters_under_the_enum_key) {
    Drivers drivers(false);
    PDEVICE_OBJECT pdo = started_pdo();
    ASSERT_NE(pdo, nullptr);
    HANDLE key = nullptr;
    ASSERT_EQ(IoOpenDeviceRegistryKey(pdo, PLUGPLAY_REGKEY_DEVICE, KEY_ALL_ACCESS, &key), STATUS_SUCCESS);
    ASSERT_NE(key, nullptr);
    mark(key, u"hardware");
    ZwClose(key);

    EXPECT_EQ(marker_at(std::u16string(kEnumKey) + u"\\Device Parameters"), u"hardware");
    // A second open finds the same key.
    ASSERT_EQ(IoOpenDeviceRegistryKey(pdo, PLUGPLAY_REGKEY_DEVICE, KEY_READ, &key), STATUS_SUCCESS);
    EXPECT_EQ(get_string(key, L"Marker"), u"hardware");
    ZwClose(key);
    remove_device();
}

TEST_F(PnpRegistryKeyTest, the_software_key_is_the_driver_key_under_control_class) {
    Drivers drivers(false);
    set_enum_value(L"Driver", std::u16string(kClassGuid) + u"\\0007");
    PDEVICE_OBJECT pdo = started_pdo();
    ASSERT_NE(pdo, nullptr);
    HANDLE key = nullptr;
    ASSERT_EQ(IoOpenDeviceRegistryKey(pdo, PLUGPLAY_REGKEY_DRIVER, KEY_ALL_ACCESS, &key), STATUS_SUCCESS);
    mark(key, u"software");
    ZwClose(key);
    EXPECT_EQ(marker_at(std::u16string(u"\\Registry\\Machine\\System\\CurrentControlSet\\Control\\Class\\") + kClassGuid + u"\\0007"), u"software");
    remove_device();
}

TEST_F(PnpRegistryKeyTest, a_device_of_a_class_without_a_driver_key_gets_the_next_free_one) {
    Drivers drivers(false);
    set_enum_value(L"ClassGUID", kClassGuid);
    // Instance 0000 of the class is taken by another device already.
    const std::u16string class_key = std::u16string(u"\\Registry\\Machine\\System\\CurrentControlSet\\Control\\Class\\") + kClassGuid;
    {
        UNICODE_STRING name;
        const std::u16string taken = class_key + u"\\0000";
        HANDLE parent = nullptr;
        const std::u16string classes = u"\\Registry\\Machine\\System\\CurrentControlSet\\Control\\Class";
        for (const std::u16string& path : {classes, class_key, taken}) {
            name = counted(path);
            OBJECT_ATTRIBUTES oa;
            InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, nullptr, nullptr);
            ASSERT_EQ(ZwCreateKey(&parent, KEY_ALL_ACCESS, &oa, 0, nullptr, REG_OPTION_NON_VOLATILE, nullptr),
                      STATUS_SUCCESS);
            ZwClose(parent);
        }
    }
    PDEVICE_OBJECT pdo = started_pdo();
    ASSERT_NE(pdo, nullptr);
    HANDLE key = nullptr;
    ASSERT_EQ(IoOpenDeviceRegistryKey(pdo, PLUGPLAY_REGKEY_DRIVER, KEY_ALL_ACCESS, &key), STATUS_SUCCESS);
    mark(key, u"assigned");
    ZwClose(key);
    EXPECT_EQ(enum_value(L"Driver"), std::u16string(kClassGuid) + u"\\0001");
    EXPECT_EQ(marker_at(class_key + u"\\0001"), u"assigned");
    // The next open keeps the key it was given.
    ASSERT_EQ(IoOpenDeviceRegistryKey(pdo, PLUGPLAY_REGKEY_DRIVER, KEY_READ, &key), STATUS_SUCCESS);
    EXPECT_EQ(get_string(key, L"Marker"), u"assigned");
    ZwClose(key);
    remove_device();
}

TEST_F(PnpRegistryKeyTest, a_device_without_class_or_driver_key_has_no_software_key) {
    Drivers drivers(false);
    PDEVICE_OBJECT pdo = started_pdo();
    ASSERT_NE(pdo, nullptr);
    HANDLE key = reinterpret_cast<HANDLE>(0x1234);
    EXPECT_EQ(IoOpenDeviceRegistryKey(pdo, PLUGPLAY_REGKEY_DRIVER, KEY_READ, &key), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(key, nullptr);
    EXPECT_EQ(enum_value(L"Driver"), u"<absent>");
    remove_device();
}

TEST_F(PnpRegistryKeyTest, the_current_hardware_profile_has_its_own_keys) {
    Drivers drivers(false);
    set_enum_value(L"Driver", std::u16string(kClassGuid) + u"\\0003");
    PDEVICE_OBJECT pdo = started_pdo();
    ASSERT_NE(pdo, nullptr);
    const std::u16string profile =
        u"\\Registry\\Machine\\System\\CurrentControlSet\\Hardware Profiles\\Current\\System\\CurrentControlSet";
    HANDLE key = nullptr;
    ASSERT_EQ(IoOpenDeviceRegistryKey(pdo, PLUGPLAY_REGKEY_DEVICE | PLUGPLAY_REGKEY_CURRENT_HWPROFILE, KEY_ALL_ACCESS,
                                      &key),
              STATUS_SUCCESS);
    mark(key, u"profile hardware");
    ZwClose(key);
    ASSERT_EQ(IoOpenDeviceRegistryKey(pdo, PLUGPLAY_REGKEY_DRIVER | PLUGPLAY_REGKEY_CURRENT_HWPROFILE, KEY_ALL_ACCESS,
                                      &key),
              STATUS_SUCCESS);
    mark(key, u"profile software");
    ZwClose(key);
    EXPECT_EQ(marker_at(profile + u"\\Enum\\ROOT\\PNPTEST\\0000"), u"profile hardware");
    EXPECT_EQ(marker_at(profile + u"\\Control\\Class\\" + kClassGuid + u"\\0003"), u"profile software");
    remove_device();
}

TEST_F(PnpRegistryKeyTest, bad_flags_a_device_that_is_not_a_pdo_and_null_pointers_are_invalid_parameters) {
    Drivers drivers(false);
    PDEVICE_OBJECT pdo = started_pdo();
    ASSERT_NE(pdo, nullptr);
    HANDLE key = nullptr;
    const ULONG bad[] = {0, PLUGPLAY_REGKEY_DEVICE | PLUGPLAY_REGKEY_DRIVER, PLUGPLAY_REGKEY_CURRENT_HWPROFILE, 8,
                         PLUGPLAY_REGKEY_DEVICE | 0x100};
    for (ULONG flags : bad) {
        EXPECT_EQ(IoOpenDeviceRegistryKey(pdo, flags, KEY_READ, &key), STATUS_INVALID_PARAMETER) << flags;
        EXPECT_EQ(key, nullptr);
    }
    // The function driver's FDO sits on the PDO: not a PDO.
    PDEVICE_OBJECT fdo = pdo->AttachedDevice;
    ASSERT_NE(fdo, nullptr);
    EXPECT_EQ(IoOpenDeviceRegistryKey(fdo, PLUGPLAY_REGKEY_DEVICE, KEY_READ, &key), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoOpenDeviceRegistryKey(nullptr, PLUGPLAY_REGKEY_DEVICE, KEY_READ, &key), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoOpenDeviceRegistryKey(pdo, PLUGPLAY_REGKEY_DEVICE, KEY_READ, nullptr), STATUS_INVALID_PARAMETER);
    remove_device();
}

}  // namespace registry_key
}  // namespace ntio::pnp_test

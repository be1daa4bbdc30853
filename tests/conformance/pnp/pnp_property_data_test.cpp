// Unified device properties of a root-enumerated PDO and of its device interface through the DDIs a
// driver calls: the DEVPKEY_* the PnP manager answers from the device's Enum key, values drivers set
// (in memory, or persistent in the registry under the device's key), locales, deletion, the type
// rules, the interface's "Device Parameters" key, and bad input.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetdevicepropertydata
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iosetdevicepropertydata
#include <cstring>
#include <string>
#include <vector>

#include "pnp_test_drivers.hpp"

#include "support/bugcheck_catcher.hpp"

#include <ntio/ddk/devpkey.h>

namespace ntio::pnp_test {
namespace {

// A driver's own property category.
const DEVPROPKEY kCounter = {{0x6b0c1a55, 0x2f31, 0x4c1e, {0x8a, 0x41, 0x1d, 0x22, 0x7e, 0x90, 0x33, 0x01}}, 2};
const DEVPROPKEY kLabel = {{0x6b0c1a55, 0x2f31, 0x4c1e, {0x8a, 0x41, 0x1d, 0x22, 0x7e, 0x90, 0x33, 0x01}}, 3};
constexpr LCID kEnglish = 0x0409;

std::u16string text_of(const std::vector<unsigned char>& bytes) {
    std::u16string out(bytes.size() / 2, u'\0');
    std::memcpy(out.data(), bytes.data(), out.size() * 2);
    return out;
}

struct Got {
    NTSTATUS status;
    DEVPROPTYPE type;
    ULONG required;
    std::vector<unsigned char> data;
};

Got get(PDEVICE_OBJECT pdo, const DEVPROPKEY& key, LCID lcid = LOCALE_NEUTRAL) {
    Got g{};
    std::vector<unsigned char> buffer(512);
    g.status = IoGetDevicePropertyData(pdo, &key, lcid, 0, static_cast<ULONG>(buffer.size()), buffer.data(),
                                       &g.required, &g.type);
    if (NT_SUCCESS(g.status)) g.data.assign(buffer.begin(), buffer.begin() + g.required);
    return g;
}

Got get_interface(PUNICODE_STRING link, const DEVPROPKEY& key) {
    Got g{};
    std::vector<unsigned char> buffer(256);
    g.status = IoGetDeviceInterfacePropertyData(link, &key, LOCALE_NEUTRAL, 0, static_cast<ULONG>(buffer.size()),
                                                buffer.data(), &g.required, &g.type);
    if (NT_SUCCESS(g.status)) g.data.assign(buffer.begin(), buffer.begin() + g.required);
    return g;
}

NTSTATUS remove_property_device() {
    UNICODE_STRING name = instance_name();
    return NtioPnpRemoveDevice(&name, FALSE, nullptr);
}

NTSTATUS set_u32(PDEVICE_OBJECT pdo, const DEVPROPKEY& key, ULONG value, ULONG flags = 0, LCID lcid = LOCALE_NEUTRAL) {
    return IoSetDevicePropertyData(pdo, &key, lcid, flags, DEVPROP_TYPE_UINT32, sizeof value, &value);
}

TEST_F(PnpTest, SystemDevicePropertiesComeFromTheDeviceNode) {
    Drivers drivers(false);
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    PDEVICE_OBJECT pdo = state().pdo;
    ASSERT_NE(pdo, nullptr);

    Got desc = get(pdo, DEVPKEY_Device_DeviceDesc);
    ASSERT_EQ(desc.status, STATUS_SUCCESS);
    EXPECT_EQ(desc.type, ULONG{DEVPROP_TYPE_STRING});
    EXPECT_EQ(text_of(desc.data), std::u16string(u"ntio PnP test device", 21));  // with its NUL

    Got ids = get(pdo, DEVPKEY_Device_HardwareIds);
    ASSERT_EQ(ids.status, STATUS_SUCCESS);
    EXPECT_EQ(ids.type, ULONG{DEVPROP_TYPE_STRING_LIST});
    EXPECT_EQ(text_of(ids.data), std::u16string(u"ROOT\\PNPTEST\0PNPTEST\0\0", 22));

    EXPECT_EQ(text_of(get(pdo, DEVPKEY_Device_Service).data), std::u16string(u"PnpTestFn", 10));
    EXPECT_EQ(text_of(get(pdo, DEVPKEY_Device_InstanceId).data), std::u16string(u"ROOT\\PNPTEST\\0000", 18));
    EXPECT_EQ(text_of(get(pdo, DEVPKEY_Device_EnumeratorName).data), std::u16string(u"ROOT", 5));
    EXPECT_EQ(text_of(get(pdo, DEVPKEY_Device_Parent).data), std::u16string(u"HTREE\\ROOT\\0", 13));
    Got pdo_name = get(pdo, DEVPKEY_Device_PDOName);
    ASSERT_EQ(pdo_name.status, STATUS_SUCCESS);
    EXPECT_EQ(text_of(pdo_name.data).substr(0, 8), u"\\Device\\");
    Got policy = get(pdo, DEVPKEY_Device_RemovalPolicy);
    ASSERT_EQ(policy.status, STATUS_SUCCESS);
    EXPECT_EQ(policy.type, ULONG{DEVPROP_TYPE_UINT32});
    ULONG value = 0;
    std::memcpy(&value, policy.data.data(), sizeof value);
    EXPECT_EQ(value, ULONG{RemovalPolicyExpectNoRemoval});

    // What the Enum key does not have, and what a root device has none of.
    EXPECT_EQ(get(pdo, DEVPKEY_Device_ClassGuid).status, STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(get(pdo, DEVPKEY_Device_FriendlyName).status, STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(get(pdo, DEVPKEY_Device_UINumber).status, STATUS_OBJECT_NAME_NOT_FOUND);

    // A short buffer: the size and type it takes.
    WCHAR small[4];
    ULONG required = 0;
    DEVPROPTYPE type = 0;
    EXPECT_EQ(IoGetDevicePropertyData(pdo, &DEVPKEY_Device_DeviceDesc, LOCALE_NEUTRAL, 0, sizeof small, small,
                                      &required, &type),
              STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(required, 21u * sizeof(WCHAR));
    EXPECT_EQ(type, ULONG{DEVPROP_TYPE_STRING});
    EXPECT_EQ(IoGetDevicePropertyData(pdo, &DEVPKEY_Device_DeviceDesc, LOCALE_NEUTRAL, 0, 0, nullptr, &required, &type),
              STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(required, 21u * sizeof(WCHAR));
    EXPECT_EQ(remove_property_device(), STATUS_SUCCESS);
}

TEST_F(PnpTest, DriverPropertiesRoundTripPerLocaleAndAreDeletedByEmptyType) {
    Drivers drivers(false);
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    PDEVICE_OBJECT pdo = state().pdo;
    ASSERT_NE(pdo, nullptr);

    EXPECT_EQ(get(pdo, kCounter).status, STATUS_OBJECT_NAME_NOT_FOUND);
    ASSERT_EQ(set_u32(pdo, kCounter, 41), STATUS_SUCCESS);
    ASSERT_EQ(set_u32(pdo, kCounter, 42), STATUS_SUCCESS);  // replaces
    Got counter = get(pdo, kCounter);
    ASSERT_EQ(counter.status, STATUS_SUCCESS);
    EXPECT_EQ(counter.type, ULONG{DEVPROP_TYPE_UINT32});
    ASSERT_EQ(counter.data.size(), 4u);
    ULONG value = 0;
    std::memcpy(&value, counter.data.data(), 4);
    EXPECT_EQ(value, 42u);

    // A language-specific value is another value.
    static const WCHAR kHello[] = L"hello";
    ASSERT_EQ(IoSetDevicePropertyData(pdo, &kLabel, kEnglish, 0, DEVPROP_TYPE_STRING, sizeof kHello,
                                      const_cast<WCHAR*>(kHello)),
              STATUS_SUCCESS);
    EXPECT_EQ(text_of(get(pdo, kLabel, kEnglish).data), std::u16string(u"hello", 6));
    EXPECT_EQ(get(pdo, kLabel).status, STATUS_OBJECT_NAME_NOT_FOUND);
    // Binary, an array of bytes.
    const unsigned char blob[3] = {1, 2, 3};
    const DEVPROPKEY binary = {kCounter.fmtid, 4};
    ASSERT_EQ(IoSetDevicePropertyData(pdo, &binary, LOCALE_NEUTRAL, 0, DEVPROP_TYPE_BINARY, sizeof blob,
                                      const_cast<unsigned char*>(blob)),
              STATUS_SUCCESS);
    Got got_blob = get(pdo, binary);
    EXPECT_EQ(got_blob.type, ULONG{DEVPROP_TYPE_BINARY});
    EXPECT_EQ(got_blob.data, std::vector<unsigned char>(blob, blob + 3));

    // DEVPROP_TYPE_EMPTY deletes; LOCALE_NEUTRAL deletes every locale's value; a NULL Data deletes too.
    ASSERT_EQ(IoSetDevicePropertyData(pdo, &kCounter, LOCALE_NEUTRAL, 0, DEVPROP_TYPE_EMPTY, 0, nullptr), STATUS_SUCCESS);
    Got gone = get(pdo, kCounter);
    EXPECT_EQ(gone.status, STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(gone.type, ULONG{DEVPROP_TYPE_EMPTY});
    EXPECT_EQ(gone.required, 0u);
    ASSERT_EQ(IoSetDevicePropertyData(pdo, &kLabel, LOCALE_NEUTRAL, 0, DEVPROP_TYPE_EMPTY, 0, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(get(pdo, kLabel, kEnglish).status, STATUS_OBJECT_NAME_NOT_FOUND);
    ASSERT_EQ(IoSetDevicePropertyData(pdo, &binary, LOCALE_NEUTRAL, 0, DEVPROP_TYPE_BINARY, 0, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(get(pdo, binary).status, STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(remove_property_device(), STATUS_SUCCESS);
}

TEST_F(PnpTest, PersistentPropertiesOutliveTheDeviceNodeAndOthersDoNot) {
    Drivers drivers(false);
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    PDEVICE_OBJECT pdo = state().pdo;
    ASSERT_NE(pdo, nullptr);
    ASSERT_EQ(set_u32(pdo, kCounter, 7, PLUGPLAY_PROPERTY_PERSISTENT), STATUS_SUCCESS);
    ASSERT_EQ(set_u32(pdo, kLabel, 8), STATUS_SUCCESS);
    // Kept under the device's key.
    UNICODE_STRING path;
    RtlInitUnicodeString(&path, L"\\Registry\\Machine\\System\\CurrentControlSet\\Enum\\ROOT\\PNPTEST\\0000\\Properties\\"
                                L"{6b0c1a55-2f31-4c1e-8a41-1d227e903301}\\0002");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &path, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, nullptr, nullptr);
    HANDLE key = nullptr;
    ASSERT_EQ(ZwOpenKey(&key, KEY_READ, &oa), STATUS_SUCCESS);
    ZwClose(key);

    ASSERT_EQ(remove_property_device(), STATUS_SUCCESS);
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    pdo = state().pdo;
    ASSERT_NE(pdo, nullptr);
    Got counter = get(pdo, kCounter);
    ASSERT_EQ(counter.status, STATUS_SUCCESS);
    ULONG value = 0;
    std::memcpy(&value, counter.data.data(), 4);
    EXPECT_EQ(value, 7u);
    EXPECT_EQ(get(pdo, kLabel).status, STATUS_OBJECT_NAME_NOT_FOUND);
    // Set again without the flag: the persistent copy goes.
    ASSERT_EQ(set_u32(pdo, kCounter, 9), STATUS_SUCCESS);
    ASSERT_EQ(remove_property_device(), STATUS_SUCCESS);
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    pdo = state().pdo;
    EXPECT_EQ(get(pdo, kCounter).status, STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(remove_property_device(), STATUS_SUCCESS);
}

TEST_F(PnpTest, DevicePropertyBadInputGetsInvalidParameterAndNonPdoBugChecks) {
    Drivers drivers(false);
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    PDEVICE_OBJECT pdo = state().pdo;
    ASSERT_NE(pdo, nullptr);
    ULONG buffer[8];
    ULONG required = 0;
    DEVPROPTYPE type = 0;
    EXPECT_EQ(IoGetDevicePropertyData(pdo, nullptr, 0, 0, sizeof buffer, buffer, &required, &type),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoGetDevicePropertyData(pdo, &kCounter, 0, 0, sizeof buffer, buffer, nullptr, &type),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoGetDevicePropertyData(pdo, &kCounter, 0, 0, sizeof buffer, buffer, &required, nullptr),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoGetDevicePropertyData(pdo, &kCounter, 0, 1, sizeof buffer, buffer, &required, &type),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoGetDevicePropertyData(pdo, &kCounter, 0, 0, sizeof buffer, nullptr, &required, &type),
              STATUS_INVALID_PARAMETER);

    ULONG v = 1;
    EXPECT_EQ(IoSetDevicePropertyData(pdo, nullptr, 0, 0, DEVPROP_TYPE_UINT32, 4, &v), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoSetDevicePropertyData(pdo, &kCounter, 0, 2, DEVPROP_TYPE_UINT32, 4, &v), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoSetDevicePropertyData(pdo, &kCounter, 0, 0, DEVPROP_TYPE_UINT32, 3, &v), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoSetDevicePropertyData(pdo, &kCounter, 0, 0, MAX_DEVPROP_TYPE + 1, 4, &v), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoSetDevicePropertyData(pdo, &kCounter, 0, 0, DEVPROP_TYPE_STRING | DEVPROP_TYPEMOD_ARRAY, 4, &v),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoSetDevicePropertyData(pdo, &kCounter, 0, 0, DEVPROP_TYPE_UINT32 | DEVPROP_TYPEMOD_LIST, 4, &v),
              STATUS_INVALID_PARAMETER);
    static const WCHAR kNoNul[2] = {L'a', L'b'};
    EXPECT_EQ(IoSetDevicePropertyData(pdo, &kCounter, 0, 0, DEVPROP_TYPE_STRING, sizeof kNoNul,
                                      const_cast<WCHAR*>(kNoNul)),
              STATUS_INVALID_PARAMETER);
    static const WCHAR kOneNul[3] = {L'a', L'b', 0};
    EXPECT_EQ(IoSetDevicePropertyData(pdo, &kCounter, 0, 0, DEVPROP_TYPE_STRING_LIST, sizeof kOneNul,
                                      const_cast<WCHAR*>(kOneNul)),
              STATUS_INVALID_PARAMETER);
    const DEVPROPKEY reserved = {kCounter.fmtid, 1};
    EXPECT_EQ(IoSetDevicePropertyData(pdo, &reserved, 0, 0, DEVPROP_TYPE_UINT32, 4, &v), STATUS_INVALID_PARAMETER);
    // The system's keys are not the driver's to change.
    static const WCHAR kDesc[] = L"renamed";
    EXPECT_EQ(IoSetDevicePropertyData(pdo, &DEVPKEY_Device_DeviceDesc, 0, 0, DEVPROP_TYPE_STRING, sizeof kDesc,
                                      const_cast<WCHAR*>(kDesc)),
              STATUS_ACCESS_DENIED);
    EXPECT_EQ(get(pdo, kCounter).status, STATUS_OBJECT_NAME_NOT_FOUND);  // nothing was stored

    // The FDO is not a PDO: bug check PNP_DETECTED_FATAL_ERROR 0x2, as IoGetDeviceProperty.
    PDEVICE_OBJECT fdo = IoGetAttachedDeviceReference(pdo);
    auto bugcheck = ntio::test::catch_bugcheck(
        [&] { (void)IoGetDevicePropertyData(fdo, &kCounter, 0, 0, sizeof buffer, buffer, &required, &type); });
    ASSERT_TRUE(bugcheck.has_value());
    EXPECT_EQ(bugcheck->code, ULONG{PNP_DETECTED_FATAL_ERROR});
    EXPECT_EQ(bugcheck->p1, 0x2u);
    EXPECT_EQ(bugcheck->p2, reinterpret_cast<ULONG_PTR>(fdo));
    auto set_bugcheck = ntio::test::catch_bugcheck(
        [&] { (void)IoSetDevicePropertyData(fdo, &kCounter, 0, 0, DEVPROP_TYPE_UINT32, 4, &v); });
    ASSERT_TRUE(set_bugcheck.has_value());
    EXPECT_EQ(set_bugcheck->p1, 0x2u);
    ObDereferenceObject(fdo);
    EXPECT_EQ(remove_property_device(), STATUS_SUCCESS);
}

TEST_F(PnpTest, InterfacePropertiesAndTheInterfaceRegistryKey) {
    Drivers drivers(false);
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    ASSERT_NE(state().pdo.load(), nullptr);
    UNICODE_STRING link;
    RtlInitUnicodeString(&link, kInterfaceLink);

    Got enabled = get_interface(&link, DEVPKEY_DeviceInterface_Enabled);
    ASSERT_EQ(enabled.status, STATUS_SUCCESS);
    EXPECT_EQ(enabled.type, ULONG{DEVPROP_TYPE_BOOLEAN});
    ASSERT_EQ(enabled.data.size(), 1u);
    EXPECT_EQ(static_cast<DEVPROP_BOOLEAN>(enabled.data[0]), DEVPROP_TRUE);
    Got guid = get_interface(&link, DEVPKEY_DeviceInterface_ClassGuid);
    ASSERT_EQ(guid.status, STATUS_SUCCESS);
    EXPECT_EQ(guid.type, ULONG{DEVPROP_TYPE_GUID});
    ASSERT_EQ(guid.data.size(), sizeof(GUID));
    EXPECT_EQ(std::memcmp(guid.data.data(), &kInterfaceGuid, sizeof(GUID)), 0);

    ULONG v = 5;
    EXPECT_EQ(get_interface(&link, kCounter).status, STATUS_OBJECT_NAME_NOT_FOUND);
    ASSERT_EQ(IoSetDeviceInterfacePropertyData(&link, &kCounter, LOCALE_NEUTRAL, 0, DEVPROP_TYPE_UINT32, 4, &v),
              STATUS_SUCCESS);
    Got counter = get_interface(&link, kCounter);
    ASSERT_EQ(counter.status, STATUS_SUCCESS);
    EXPECT_EQ(counter.type, ULONG{DEVPROP_TYPE_UINT32});
    ULONG value = 0;
    std::memcpy(&value, counter.data.data(), 4);
    EXPECT_EQ(value, 5u);
    EXPECT_EQ(IoSetDeviceInterfacePropertyData(&link, &DEVPKEY_DeviceInterface_Enabled, LOCALE_NEUTRAL, 0,
                                               DEVPROP_TYPE_UINT32, 4, &v),
              STATUS_ACCESS_DENIED);

    // "Device Parameters": created on first open, the same key afterwards.
    HANDLE key = nullptr;
    ASSERT_EQ(IoOpenDeviceInterfaceRegistryKey(&link, KEY_ALL_ACCESS, &key), STATUS_SUCCESS);
    UNICODE_STRING value_name;
    RtlInitUnicodeString(&value_name, L"Mode");
    ULONG mode = 3;
    ASSERT_EQ(ZwSetValueKey(key, &value_name, 0, REG_DWORD, &mode, sizeof mode), STATUS_SUCCESS);
    ZwClose(key);
    ASSERT_EQ(IoOpenDeviceInterfaceRegistryKey(&link, KEY_READ, &key), STATUS_SUCCESS);
    alignas(8) unsigned char info[64];
    ULONG length = 0;
    ASSERT_EQ(ZwQueryValueKey(key, &value_name, KeyValuePartialInformation, info, sizeof info, &length), STATUS_SUCCESS);
    ULONG read_back = 0;
    std::memcpy(&read_back, reinterpret_cast<PKEY_VALUE_PARTIAL_INFORMATION>(info)->Data, sizeof read_back);
    EXPECT_EQ(read_back, 3u);
    ZwClose(key);

    // Unknown links and bad input.
    UNICODE_STRING unknown;
    RtlInitUnicodeString(&unknown, L"\\??\\ROOT#NOSUCH#0000#{5c1c1e6e-4b5a-4e3a-9d53-3f1a1f7a0001}");
    EXPECT_EQ(IoOpenDeviceInterfaceRegistryKey(&unknown, KEY_READ, &key), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(key, nullptr);
    EXPECT_EQ(get_interface(&unknown, kCounter).status, STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(IoSetDeviceInterfacePropertyData(&unknown, &kCounter, LOCALE_NEUTRAL, 0, DEVPROP_TYPE_UINT32, 4, &v),
              STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(IoOpenDeviceInterfaceRegistryKey(&link, KEY_READ, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoOpenDeviceInterfaceRegistryKey(nullptr, KEY_READ, &key), STATUS_INVALID_PARAMETER);
    ULONG required = 0;
    DEVPROPTYPE type = 0;
    EXPECT_EQ(IoGetDeviceInterfacePropertyData(&link, nullptr, 0, 0, 4, &v, &required, &type), STATUS_INVALID_PARAMETER);

    // The interface goes disabled with the removal; its in-memory values go with its registration.
    EXPECT_EQ(remove_property_device(), STATUS_SUCCESS);
    EXPECT_EQ(get_interface(&link, kCounter).status, STATUS_OBJECT_NAME_NOT_FOUND);
}

}  // namespace
}  // namespace ntio::pnp_test

// Device interfaces of a root-enumerated PDO through the DDIs a driver calls: registering an
// interface again returns its existing name, a reference string makes another instance whose link
// follows IoSetDeviceInterfaceState, and a device that is not the PnP manager's PDO (the function
// driver's FDO, a filter's device) is refused with STATUS_INVALID_DEVICE_REQUEST
// (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioregisterdeviceinterface).
#include <string>
#include <vector>

#include "pnp_test_drivers.hpp"

namespace ntio::pnp_test {
namespace {

// u16string: wchar_t is 16 bits here (-fshort-wchar), which std::u16string's traits do not expect.
std::u16string text_of(const UNICODE_STRING& s) {
    return std::u16string(reinterpret_cast<const char16_t*>(s.Buffer), s.Length / sizeof(WCHAR));
}
std::u16string text_of(PCWSTR s) { return reinterpret_cast<const char16_t*>(s); }

// IoGetDeviceInterfaces' MULTI_SZ as strings.
std::vector<std::u16string> interfaces_of(PDEVICE_OBJECT pdo, ULONG flags) {
    PWSTR list = nullptr;
    EXPECT_EQ(IoGetDeviceInterfaces(&kInterfaceGuid, pdo, flags, &list), STATUS_SUCCESS);
    std::vector<std::u16string> out;
    if (!list) return out;
    for (PCWSTR p = list; *p; p += out.back().size() + 1) out.push_back(text_of(p));
    ExFreePool(list);
    return out;
}

NTSTATUS remove_device() {
    UNICODE_STRING name = instance_name();
    return NtioPnpRemoveDevice(&name, FALSE, nullptr);
}

TEST_F(PnpTest, RegisteringAnInterfaceAgainReturnsItsNameAndAReferenceStringMakesAnother) {
    Drivers drivers;
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    PDEVICE_OBJECT pdo = state().pdo;
    ASSERT_NE(pdo, nullptr);
    const std::u16string name = text_of(kInterfaceLink);
    // fn registered and enabled the interface (AddDevice, START).
    EXPECT_EQ(interfaces_of(pdo, 0), std::vector<std::u16string>{name});

    UNICODE_STRING again{};
    ASSERT_EQ(IoRegisterDeviceInterface(pdo, &kInterfaceGuid, nullptr, &again), STATUS_SUCCESS);
    EXPECT_EQ(text_of(again), name);
    EXPECT_EQ(IoSetDeviceInterfaceState(&again, TRUE), STATUS_OBJECT_NAME_EXISTS);  // still the enabled one
    EXPECT_EQ(interfaces_of(pdo, DEVICE_INTERFACE_INCLUDE_NONACTIVE), std::vector<std::u16string>{name});
    RtlFreeUnicodeString(&again);

    UNICODE_STRING reference;
    RtlInitUnicodeString(&reference, L"ref1");
    UNICODE_STRING with_ref{};
    ASSERT_EQ(IoRegisterDeviceInterface(pdo, &kInterfaceGuid, &reference, &with_ref), STATUS_SUCCESS);
    EXPECT_EQ(text_of(with_ref), name + u"\\ref1");
    EXPECT_EQ(interfaces_of(pdo, 0), std::vector<std::u16string>{name});
    EXPECT_EQ(interfaces_of(pdo, DEVICE_INTERFACE_INCLUDE_NONACTIVE), (std::vector<std::u16string>{name, name + u"\\ref1"}));
    EXPECT_EQ(IoSetDeviceInterfaceState(&with_ref, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(interfaces_of(pdo, 0), (std::vector<std::u16string>{name, name + u"\\ref1"}));
    EXPECT_EQ(IoSetDeviceInterfaceState(&with_ref, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(IoSetDeviceInterfaceState(&with_ref, FALSE), STATUS_OBJECT_NAME_NOT_FOUND);
    // The other instance of the class shares the link object; it still opens.
    HANDLE h = nullptr;
    ASSERT_EQ(open_interface(&h), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    RtlFreeUnicodeString(&with_ref);

    UNICODE_STRING bad;
    RtlInitUnicodeString(&bad, L"a\\b");
    UNICODE_STRING link{};
    EXPECT_EQ(IoRegisterDeviceInterface(pdo, &kInterfaceGuid, &bad, &link), STATUS_INVALID_DEVICE_REQUEST);
    EXPECT_EQ(remove_device(), STATUS_SUCCESS);
}

TEST_F(PnpTest, OnlyThePdoRegistersInterfacesNotTheFdoOrAFilter) {
    Drivers drivers;
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    PDEVICE_OBJECT pdo = state().pdo;
    ASSERT_NE(pdo, nullptr);
    PDEVICE_OBJECT top = IoGetAttachedDeviceReference(pdo);  // the upper filter's device
    ASSERT_NE(top, pdo);
    PDEVICE_OBJECT fdo = IoGetLowerDeviceObject(top);        // fn's FDO
    ASSERT_NE(fdo, nullptr);
    for (PDEVICE_OBJECT device : {top, fdo}) {
        UNICODE_STRING link{};
        EXPECT_EQ(IoRegisterDeviceInterface(device, &kInterfaceGuid, nullptr, &link), STATUS_INVALID_DEVICE_REQUEST);
        EXPECT_EQ(link.Buffer, nullptr);
    }
    EXPECT_EQ(interfaces_of(nullptr, DEVICE_INTERFACE_INCLUDE_NONACTIVE), std::vector<std::u16string>{text_of(kInterfaceLink)});
    ObDereferenceObject(fdo);
    ObDereferenceObject(top);
    EXPECT_EQ(remove_device(), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::pnp_test

namespace ntio::pnp_test {
namespace alias {

// {5c1c1e6e-4b5a-4e3a-9d53-3f1a1f7a0002}: a second class the test device also exposes.
const GUID kAliasGuid = {0x5c1c1e6e, 0x4b5a, 0x4e3a, {0x9d, 0x53, 0x3f, 0x1a, 0x1f, 0x7a, 0x00, 0x02}};
// {5c1c1e6e-4b5a-4e3a-9d53-3f1a1f7a0003}: a class it does not.
const GUID kOtherGuid = {0x5c1c1e6e, 0x4b5a, 0x4e3a, {0x9d, 0x53, 0x3f, 0x1a, 0x1f, 0x7a, 0x00, 0x03}};

std::u16string text(const UNICODE_STRING& s) {
    return std::u16string(reinterpret_cast<const char16_t*>(s.Buffer), s.Length / sizeof(WCHAR));
}

// IoGetDeviceInterfaceAlias: the same device's interface of another class with the same reference
// string, registered (enabled or not); none is STATUS_OBJECT_NAME_NOT_FOUND, an unknown link
// STATUS_INVALID_HANDLE.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetdeviceinterfacealias
TEST_F(PnpTest, AnInterfaceAliasIsTheSameDevicesInterfaceOfAnotherClassWithTheSameReference) {
    Drivers drivers;
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    PDEVICE_OBJECT pdo = state().pdo;
    ASSERT_NE(pdo, nullptr);
    UNICODE_STRING primary;
    RtlInitUnicodeString(&primary, kInterfaceLink);

    UNICODE_STRING alias_link{}, referenced{}, alias_referenced{};
    ASSERT_EQ(IoRegisterDeviceInterface(pdo, &kAliasGuid, nullptr, &alias_link), STATUS_SUCCESS);
    UNICODE_STRING reference;
    RtlInitUnicodeString(&reference, L"part2");
    ASSERT_EQ(IoRegisterDeviceInterface(pdo, &kInterfaceGuid, &reference, &referenced), STATUS_SUCCESS);
    ASSERT_EQ(IoRegisterDeviceInterface(pdo, &kAliasGuid, &reference, &alias_referenced), STATUS_SUCCESS);

    UNICODE_STRING found{};
    ASSERT_EQ(IoGetDeviceInterfaceAlias(&primary, &kAliasGuid, &found), STATUS_SUCCESS);
    EXPECT_EQ(text(found), text(alias_link));  // not enabled: an alias all the same
    EXPECT_EQ(found.MaximumLength, found.Length + sizeof(WCHAR));
    RtlFreeUnicodeString(&found);
    // Both ways, and per reference string.
    ASSERT_EQ(IoGetDeviceInterfaceAlias(&alias_link, &kInterfaceGuid, &found), STATUS_SUCCESS);
    EXPECT_EQ(text(found), text(primary));
    RtlFreeUnicodeString(&found);
    ASSERT_EQ(IoGetDeviceInterfaceAlias(&referenced, &kAliasGuid, &found), STATUS_SUCCESS);
    EXPECT_EQ(text(found), text(alias_referenced));
    RtlFreeUnicodeString(&found);
    // Its own class is itself.
    ASSERT_EQ(IoGetDeviceInterfaceAlias(&primary, &kInterfaceGuid, &found), STATUS_SUCCESS);
    EXPECT_EQ(text(found), text(primary));
    RtlFreeUnicodeString(&found);

    EXPECT_EQ(IoGetDeviceInterfaceAlias(&primary, &kOtherGuid, &found), STATUS_OBJECT_NAME_NOT_FOUND);
    UNICODE_STRING unknown;
    RtlInitUnicodeString(&unknown, L"\\??\\ROOT#NOSUCH#0000#{5c1c1e6e-4b5a-4e3a-9d53-3f1a1f7a0001}");
    EXPECT_EQ(IoGetDeviceInterfaceAlias(&unknown, &kAliasGuid, &found), STATUS_INVALID_HANDLE);
    EXPECT_EQ(IoGetDeviceInterfaceAlias(nullptr, &kAliasGuid, &found), STATUS_INVALID_HANDLE);
    EXPECT_EQ(IoGetDeviceInterfaceAlias(&primary, nullptr, &found), STATUS_INVALID_HANDLE);
    EXPECT_EQ(IoGetDeviceInterfaceAlias(&primary, &kAliasGuid, nullptr), STATUS_INVALID_HANDLE);

    for (UNICODE_STRING* s : {&alias_link, &referenced, &alias_referenced}) RtlFreeUnicodeString(s);
    UNICODE_STRING name = instance_name();
    EXPECT_EQ(NtioPnpRemoveDevice(&name, FALSE, nullptr), STATUS_SUCCESS);
}

}  // namespace alias
}  // namespace ntio::pnp_test

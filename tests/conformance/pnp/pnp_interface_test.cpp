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

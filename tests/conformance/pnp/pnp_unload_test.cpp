// Drivers the PnP manager loads for a device stack (the function driver and its filters, .sys images
// named by service keys) unload when their last device goes: DriverUnload once, the image unmapped
// with the last reference, a fresh image (and DriverEntry) on the next load; an open handle defers the
// removal and with it the unload; a driver NtLoadDriver loaded keeps that load.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/pnp-driver-s-unload-routine
#include <cstring>

#include "pnp_sys_support.hpp"

namespace ntio::pnp_test::sys {
namespace {

class PnpUnloadTest : public ntio::test::SystemTest {};

void expect_counters(const Image& image, ULONG entries, ULONG unloads) {
    SCOPED_TRACE(std::string(image.file));
    EXPECT_EQ(reported(image, L"Entries"), entries);
    EXPECT_EQ(reported(image, L"Unloads"), unloads);
}

void expect_loaded(const Image& image, bool loaded) {
    SCOPED_TRACE(std::string(image.file));
    EXPECT_EQ(driver_object_exists(image), loaded);
    EXPECT_EQ(image_mapped(image), loaded);
}

TEST_F(PnpUnloadTest, DriversThePnpManagerLoadedUnloadAfterOrderlyRemovalAndReloadAsFreshImages) {
    install();
    for (const Image& image : kImages) ASSERT_FALSE(image_mapped(image)) << image.file;
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    ASSERT_EQ(device_state(), NtioPnpDeviceStarted);
    for (const Image& image : kImages) {
        expect_counters(image, 1, 0);
        expect_loaded(image, true);
        EXPECT_EQ(reported(image, L"Adds"), 1u);
    }
    ASSERT_EQ(remove_device(FALSE), STATUS_SUCCESS);
    EXPECT_EQ(device_state(), NtioPnpDeviceNotFound);
    for (const Image& image : kImages) {
        EXPECT_EQ(reported(image, L"Removes"), 1u);
        expect_counters(image, 1, 1);
        expect_loaded(image, false);
    }
    // The next enumeration loads them again: DriverEntry runs in a newly mapped image, whose static
    // counter starts from 0 again.
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    ASSERT_EQ(device_state(), NtioPnpDeviceStarted);
    for (const Image& image : kImages) {
        expect_counters(image, 2, 1);
        EXPECT_EQ(reported(image, L"ImageLoads"), 1u) << image.file;
        expect_loaded(image, true);
    }
    ASSERT_EQ(remove_device(FALSE), STATUS_SUCCESS);
    for (const Image& image : kImages) {
        expect_counters(image, 2, 2);
        expect_loaded(image, false);
    }
}

TEST_F(PnpUnloadTest, SurpriseRemovalWithAnOpenHandleUnloadsOnlyAfterTheLastClose) {
    install();
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open_interface(&h), STATUS_SUCCESS);
    ASSERT_EQ(remove_device(TRUE), STATUS_SUCCESS);
    // The handle keeps the stack: no REMOVE_DEVICE yet, so no driver goes.
    EXPECT_EQ(device_state(), NtioPnpDeviceRemovePending);
    for (const Image& image : kImages) {
        EXPECT_EQ(reported(image, L"Removes"), 0u) << image.file;
        expect_counters(image, 1, 0);
        expect_loaded(image, true);
    }
    char buffer[4] = {};
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(NtReadFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof buffer, nullptr, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(std::memcmp(buffer, "SSSS", 4), 0);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    ASSERT_TRUE(wait_node_gone());
    for (const Image& image : kImages) {
        EXPECT_EQ(reported(image, L"Removes"), 1u) << image.file;
        expect_counters(image, 1, 1);
        expect_loaded(image, false);
    }
}

TEST_F(PnpUnloadTest, ADriverLoadedByNtLoadDriverKeepsThatLoadWhenItsDeviceGoes) {
    install();
    std::u16string key = services_key(kFunction);
    UNICODE_STRING name = unicode(key);
    ASSERT_EQ(ZwLoadDriver(&name), STATUS_SUCCESS);
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    ASSERT_EQ(device_state(), NtioPnpDeviceStarted);
    // The PnP manager used the loaded driver; it loaded only the filters.
    for (const Image& image : kImages) expect_counters(image, 1, 0);
    ASSERT_EQ(remove_device(FALSE), STATUS_SUCCESS);
    EXPECT_EQ(reported(kFunction, L"Removes"), 1u);
    expect_counters(kFunction, 1, 0);
    expect_loaded(kFunction, true);
    for (const Image& image : {kLower, kUpper}) {
        expect_counters(image, 1, 1);
        expect_loaded(image, false);
    }
    ASSERT_EQ(ZwUnloadDriver(&name), STATUS_SUCCESS);
    expect_counters(kFunction, 1, 1);
    expect_loaded(kFunction, false);
}

TEST_F(PnpUnloadTest, AFailedStartUnloadsTheDriversThePnpManagerLoaded) {
    install();
    set_service_value(kFunction, L"FailStart", 1);
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    UNICODE_STRING name = instance_name();
    NTIO_PNP_DEVICE_STATE state = NtioPnpDeviceNotFound;
    NTSTATUS problem = STATUS_SUCCESS;
    ASSERT_EQ(NtioPnpQueryDevice(&name, &state, &problem), STATUS_SUCCESS);
    EXPECT_EQ(state, NtioPnpDeviceFailed);
    EXPECT_EQ(problem, STATUS_DEVICE_CONFIGURATION_ERROR);
    for (const Image& image : kImages) {
        EXPECT_EQ(reported(image, L"Removes"), 1u) << image.file;
        expect_counters(image, 1, 1);
        expect_loaded(image, false);
    }
    // The failed device goes without loading anything again.
    EXPECT_EQ(remove_device(FALSE), STATUS_SUCCESS);
    for (const Image& image : kImages) expect_counters(image, 1, 1);
}

TEST_F(PnpUnloadTest, TwoDevicesShareTheirDriversAndTheLastRemovalUnloadsThem) {
    install(false);
    {
        Key second(enum_key(u"PNPSYS\\0001"));
        ASSERT_EQ(second.status(), STATUS_SUCCESS);
        second.set_string(L"Service", u16(kFunction.service));
    }
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    expect_counters(kFunction, 1, 0);
    EXPECT_EQ(reported(kFunction, L"Adds"), 2u);
    ASSERT_EQ(remove_device(FALSE), STATUS_SUCCESS);
    expect_counters(kFunction, 1, 0);
    expect_loaded(kFunction, true);
    UNICODE_STRING second_name;
    RtlInitUnicodeString(&second_name, L"ROOT\\PNPSYS\\0001");
    ASSERT_EQ(NtioPnpRemoveDevice(&second_name, FALSE, nullptr), STATUS_SUCCESS);
    expect_counters(kFunction, 1, 1);
    expect_loaded(kFunction, false);
    for (const Image& image : {kLower, kUpper}) EXPECT_EQ(reported(image, L"Entries"), 0u) << image.file;
}

}  // namespace
}  // namespace ntio::pnp_test::sys

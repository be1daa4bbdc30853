// RtlGetProductInfo through <ntddk.h>: a product type for Windows Vista (6.0) and later, agreeing
// with the product type RtlGetVersion reports; none before.
#include <gtest/gtest.h>

#include <ntddk.h>

namespace rtlse_product_info {
namespace {

TEST(RtlseProductInfo, vista_and_later_get_the_systems_product_type) {
    RTL_OSVERSIONINFOEXW version{};
    version.dwOSVersionInfoSize = sizeof version;
    ASSERT_EQ(RtlGetVersion(reinterpret_cast<PRTL_OSVERSIONINFOW>(&version)), STATUS_SUCCESS);
    const ULONG expected = version.wProductType == VER_NT_WORKSTATION ? PRODUCT_PROFESSIONAL : PRODUCT_STANDARD_SERVER;
    for (ULONG major : {6u, 10u, 11u}) {
        ULONG type = 0xFFFF;
        EXPECT_TRUE(RtlGetProductInfo(major, 0, 0, 0, &type)) << major;
        EXPECT_EQ(type, expected) << major;
    }
    ULONG type = 0xFFFF;
    EXPECT_TRUE(RtlGetProductInfo(version.dwMajorVersion, version.dwMinorVersion, 0, 0, &type));
    EXPECT_EQ(type, expected);
}

TEST(RtlseProductInfo, versions_before_vista_have_no_product_type) {
    ULONG type = 0xFFFF;
    EXPECT_FALSE(RtlGetProductInfo(5, 1, 3, 0, &type));
    EXPECT_EQ(type, static_cast<ULONG>(PRODUCT_UNDEFINED));
    EXPECT_FALSE(RtlGetProductInfo(10, 0, 0, 0, nullptr));
}

}  // namespace
}  // namespace rtlse_product_info

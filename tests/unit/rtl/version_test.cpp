// The version drivers read: RtlGetVersion fills either structure as its size says and agrees with
// PsGetVersion; IoIsWdmVersionAvailable answers for WDM 6.00 and every version before it.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlgetversion
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioiswdmversionavailable
#include <gtest/gtest.h>

#include <cstring>

#include <wdm.h>

namespace version_test {

TEST(RtlGetVersionTest, fills_the_structure_its_size_names) {
    ULONG major = 0, minor = 0, build = 0;
    (void)PsGetVersion(&major, &minor, &build, nullptr);

    RTL_OSVERSIONINFOW info;
    std::memset(&info, 0xCC, sizeof(info));
    info.dwOSVersionInfoSize = sizeof(info);
    ASSERT_EQ(RtlGetVersion(&info), STATUS_SUCCESS);
    EXPECT_EQ(info.dwOSVersionInfoSize, sizeof(info));
    EXPECT_EQ(info.dwMajorVersion, major);
    EXPECT_EQ(info.dwMinorVersion, minor);
    EXPECT_EQ(info.dwBuildNumber, build);
    EXPECT_EQ(info.dwMajorVersion, 10u);
    EXPECT_EQ(info.dwPlatformId, ULONG{VER_PLATFORM_WIN32_NT});
    EXPECT_EQ(info.szCSDVersion[0], L'\0');

    RTL_OSVERSIONINFOEXW ex;
    std::memset(&ex, 0xCC, sizeof(ex));
    ex.dwOSVersionInfoSize = sizeof(ex);
    ASSERT_EQ(RtlGetVersion(reinterpret_cast<PRTL_OSVERSIONINFOW>(&ex)), STATUS_SUCCESS);
    EXPECT_EQ(ex.dwBuildNumber, build);
    EXPECT_EQ(ex.wServicePackMajor, 0);
    EXPECT_EQ(ex.wProductType, VER_NT_WORKSTATION);
}

TEST(RtlGetVersionTest, another_size_is_an_invalid_parameter_and_nothing_is_written) {
    RTL_OSVERSIONINFOEXW ex;
    std::memset(&ex, 0xCC, sizeof(ex));
    ex.dwOSVersionInfoSize = sizeof(RTL_OSVERSIONINFOW) - 4;
    EXPECT_EQ(RtlGetVersion(reinterpret_cast<PRTL_OSVERSIONINFOW>(&ex)), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(ex.dwMajorVersion, 0xCCCCCCCCu);
    EXPECT_EQ(RtlGetVersion(nullptr), STATUS_INVALID_PARAMETER);
}

TEST(IoIsWdmVersionAvailableTest, every_version_up_to_6_00_is_available) {
    EXPECT_TRUE(IoIsWdmVersionAvailable(1, 0x00));
    EXPECT_TRUE(IoIsWdmVersionAvailable(1, 0x30));
    EXPECT_TRUE(IoIsWdmVersionAvailable(1, 0xFF));
    EXPECT_TRUE(IoIsWdmVersionAvailable(WDM_MAJORVERSION, WDM_MINORVERSION));
    EXPECT_FALSE(IoIsWdmVersionAvailable(6, 0x01));
    EXPECT_FALSE(IoIsWdmVersionAvailable(7, 0x00));
}

}  // namespace version_test

namespace version_test {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlisntddiversionavailable
TEST(RtlIsNtDdiVersionAvailableTest, versions_up_to_windows_10_2004_are_available) {
    EXPECT_TRUE(RtlIsNtDdiVersionAvailable(NTDDI_WIN7));
    EXPECT_TRUE(RtlIsNtDdiVersionAvailable(NTDDI_WINBLUE));
    EXPECT_TRUE(RtlIsNtDdiVersionAvailable(NTDDI_WIN10_RS5));
    EXPECT_TRUE(RtlIsNtDdiVersionAvailable(NTDDI_WIN10_VB));
    EXPECT_FALSE(RtlIsNtDdiVersionAvailable(NTDDI_WIN10_MN));
    EXPECT_FALSE(RtlIsNtDdiVersionAvailable(NTDDI_WIN10_NI));
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlisservicepackversioninstalled
TEST(RtlIsServicePackVersionInstalledTest, only_this_systems_release_counts) {
    EXPECT_TRUE(RtlIsServicePackVersionInstalled(NTDDI_WIN10));
    EXPECT_TRUE(RtlIsServicePackVersionInstalled(NTDDI_WIN10_VB));
    EXPECT_FALSE(RtlIsServicePackVersionInstalled(NTDDI_WIN10_MN));
    EXPECT_FALSE(RtlIsServicePackVersionInstalled(NTDDI_WIN7));        // another operating system
    EXPECT_FALSE(RtlIsServicePackVersionInstalled(NTDDI_WS08));
}

}  // namespace version_test

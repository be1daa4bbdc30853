// Version requirements checked with RtlVerifyVersionInfo and masks built by VerSetConditionMask /
// VER_SET_CONDITION, against the version RtlGetVersion reports.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlverifyversioninfo
#include <gtest/gtest.h>

#include <wdm.h>

namespace version_verify_test {

RTL_OSVERSIONINFOEXW running() {
    RTL_OSVERSIONINFOEXW info{};
    info.dwOSVersionInfoSize = sizeof(info);
    EXPECT_EQ(RtlGetVersion(reinterpret_cast<PRTL_OSVERSIONINFOW>(&info)), STATUS_SUCCESS);
    return info;
}

RTL_OSVERSIONINFOEXW wanted(ULONG major, ULONG minor) {
    RTL_OSVERSIONINFOEXW info{};
    info.dwOSVersionInfoSize = sizeof(info);
    info.dwMajorVersion = major;
    info.dwMinorVersion = minor;
    return info;
}

NTSTATUS at_least(ULONG major, ULONG minor) {
    RTL_OSVERSIONINFOEXW info = wanted(major, minor);
    ULONGLONG mask = 0;
    VER_SET_CONDITION(mask, VER_MAJORVERSION, VER_GREATER_EQUAL);
    VER_SET_CONDITION(mask, VER_MINORVERSION, VER_GREATER_EQUAL);
    return RtlVerifyVersionInfo(&info, VER_MAJORVERSION | VER_MINORVERSION, mask);
}

TEST(RtlVerifyVersionInfoTest, major_and_minor_compare_as_one_version) {
    const RTL_OSVERSIONINFOEXW self = running();
    EXPECT_EQ(at_least(self.dwMajorVersion, self.dwMinorVersion), STATUS_SUCCESS);
    EXPECT_EQ(at_least(6, 1), STATUS_SUCCESS);  // Windows 7 or later
    // A later major version with a smaller minor one is still later.
    EXPECT_EQ(at_least(self.dwMajorVersion + 1, 0), STATUS_REVISION_MISMATCH);
    EXPECT_EQ(at_least(self.dwMajorVersion, self.dwMinorVersion + 1), STATUS_REVISION_MISMATCH);
    // 10.0 >= 6.3 although 0 < 3: the minor only counts when the majors are equal.
    EXPECT_EQ(at_least(self.dwMajorVersion - 1, self.dwMinorVersion + 3), STATUS_SUCCESS);
}

TEST(RtlVerifyVersionInfoTest, each_condition_compares_the_build_number) {
    const RTL_OSVERSIONINFOEXW self = running();
    RTL_OSVERSIONINFOEXW info{};
    info.dwOSVersionInfoSize = sizeof(info);
    const struct {
        UCHAR condition;
        ULONG build;
        NTSTATUS expected;
    } cases[] = {
        {VER_EQUAL, self.dwBuildNumber, STATUS_SUCCESS},          {VER_EQUAL, self.dwBuildNumber + 1, STATUS_REVISION_MISMATCH},
        {VER_GREATER, self.dwBuildNumber - 1, STATUS_SUCCESS},    {VER_GREATER, self.dwBuildNumber, STATUS_REVISION_MISMATCH},
        {VER_LESS, self.dwBuildNumber + 1, STATUS_SUCCESS},       {VER_LESS, self.dwBuildNumber, STATUS_REVISION_MISMATCH},
        {VER_LESS_EQUAL, self.dwBuildNumber, STATUS_SUCCESS},     {VER_GREATER_EQUAL, self.dwBuildNumber + 1, STATUS_REVISION_MISMATCH},
    };
    for (const auto& c : cases) {
        info.dwBuildNumber = c.build;
        EXPECT_EQ(RtlVerifyVersionInfo(&info, VER_BUILDNUMBER, VerSetConditionMask(0, VER_BUILDNUMBER, c.condition)),
                  c.expected)
            << int(c.condition) << " " << c.build;
    }
}

TEST(RtlVerifyVersionInfoTest, platform_product_type_and_suites) {
    RTL_OSVERSIONINFOEXW info{};
    info.dwOSVersionInfoSize = sizeof(info);
    info.dwPlatformId = VER_PLATFORM_WIN32_NT;
    info.wProductType = VER_NT_WORKSTATION;
    ULONGLONG mask = VerSetConditionMask(0, VER_PLATFORMID, VER_EQUAL);
    mask = VerSetConditionMask(mask, VER_PRODUCT_TYPE, VER_EQUAL);
    EXPECT_EQ(RtlVerifyVersionInfo(&info, VER_PLATFORMID | VER_PRODUCT_TYPE, mask), STATUS_SUCCESS);
    info.wProductType = VER_NT_SERVER;
    EXPECT_EQ(RtlVerifyVersionInfo(&info, VER_PLATFORMID | VER_PRODUCT_TYPE, mask), STATUS_REVISION_MISMATCH);
    // No suites installed: asking for all of a suite fails, asking for none passes.
    info.wSuiteMask = 0x0010;
    EXPECT_EQ(RtlVerifyVersionInfo(&info, VER_SUITENAME, VerSetConditionMask(0, VER_SUITENAME, VER_AND)),
              STATUS_REVISION_MISMATCH);
    info.wSuiteMask = 0;
    EXPECT_EQ(RtlVerifyVersionInfo(&info, VER_SUITENAME, VerSetConditionMask(0, VER_SUITENAME, VER_AND)), STATUS_SUCCESS);
}

TEST(RtlVerifyVersionInfoTest, requests_without_fields_or_conditions_are_invalid) {
    RTL_OSVERSIONINFOEXW info = wanted(6, 0);
    const ULONGLONG mask = VerSetConditionMask(0, VER_MAJORVERSION, VER_GREATER_EQUAL);
    EXPECT_EQ(RtlVerifyVersionInfo(&info, 0, mask), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlVerifyVersionInfo(&info, VER_MAJORVERSION, 0), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlVerifyVersionInfo(&info, VER_MAJORVERSION | VER_BUILDNUMBER, mask), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlVerifyVersionInfo(nullptr, VER_MAJORVERSION, mask), STATUS_INVALID_PARAMETER);
}

TEST(VerSetConditionMaskTest, zero_type_or_condition_leaves_the_mask_and_a_later_condition_replaces) {
    const ULONGLONG mask = VerSetConditionMask(0, VER_MAJORVERSION, VER_GREATER);
    EXPECT_NE(mask, 0u);
    EXPECT_EQ(VerSetConditionMask(mask, 0, VER_EQUAL), mask);
    EXPECT_EQ(VerSetConditionMask(mask, VER_MINORVERSION, 0), mask);
    // Replacing GREATER with EQUAL for the major version: 10.0 is then required exactly.
    const RTL_OSVERSIONINFOEXW self = running();
    RTL_OSVERSIONINFOEXW info = wanted(self.dwMajorVersion, 0);
    EXPECT_EQ(RtlVerifyVersionInfo(&info, VER_MAJORVERSION, mask), STATUS_REVISION_MISMATCH);
    EXPECT_EQ(RtlVerifyVersionInfo(&info, VER_MAJORVERSION, VerSetConditionMask(mask, VER_MAJORVERSION, VER_EQUAL)),
              STATUS_SUCCESS);
}

}  // namespace version_verify_test

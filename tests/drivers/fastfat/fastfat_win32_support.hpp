// FastFatWin32Test: fastfat.sys mounted on the RAM disk and reached through kernel32 on drive X:
// (\??\X: linked to the RAM disk, as the mount manager would link a volume).
#pragma once

#include "fastfat_driver_support.hpp"

#include <windows.h>

namespace ntio::test::drivers {

class FastFatWin32Test : public FastFatTest {
protected:
    void SetUp() override {
        FastFatTest::SetUp();
        if (IsSkipped()) return;
        format({16, 16384, 4, 512, "WIN32"});
        UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\??\\X:");
        UNICODE_STRING target = RTL_CONSTANT_STRING(L"\\Device\\Ramdisk0");
        ASSERT_EQ(IoCreateSymbolicLink(&link, &target), STATUS_SUCCESS);
        m_linked = true;
    }
    void TearDown() override {
        if (m_linked) {
            UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\??\\X:");
            EXPECT_EQ(IoDeleteSymbolicLink(&link), STATUS_SUCCESS);
        }
        FastFatTest::TearDown();
    }
    bool m_linked = false;
};

}  // namespace ntio::test::drivers

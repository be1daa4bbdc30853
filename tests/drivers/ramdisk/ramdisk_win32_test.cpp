// ramdisk.sys through kernel32: CreateFile on \\.\Ramdisk0, positional ReadFile / WriteFile with an
// OVERLAPPED on a synchronous handle (NT fact I3), DeviceIoControl for the length, FlushFileBuffers,
// and the Win32 error for a read past the end.
#include <vector>

#include "driver_test_support.hpp"

#include <windows.h>
#include <ntdddisk.h>

namespace ntio::test::drivers {
namespace {

using RamdiskWin32Test = DriverTest;

TEST_P(RamdiskWin32Test, read_write_ioctl_and_flush_through_kernel32)
{
    Driver driver;
    ASSERT_EQ(driver.load(GetParam(), "Ramdisk", "ramdisk.sys", {{"DiskSize", ULONG{1024 * 1024}}}), STATUS_SUCCESS);
    HANDLE h = CreateFileW(L"\\\\.\\Ramdisk0", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                           nullptr, OPEN_EXISTING, 0, nullptr);
    ASSERT_NE(h, INVALID_HANDLE_VALUE);

    GET_LENGTH_INFORMATION length{};
    DWORD bytes = 0;
    ASSERT_TRUE(DeviceIoControl(h, IOCTL_DISK_GET_LENGTH_INFO, nullptr, 0, &length, sizeof(length), &bytes, nullptr));
    EXPECT_EQ(bytes, sizeof(length));
    EXPECT_EQ(length.Length.QuadPart, 1024 * 1024);

    std::vector<char> data(4096, 'q');
    OVERLAPPED at{};
    at.Offset = 65536;
    ASSERT_TRUE(WriteFile(h, data.data(), 4096, &bytes, &at));
    EXPECT_EQ(bytes, 4096u);
    EXPECT_TRUE(FlushFileBuffers(h));
    // NT fact I3: the positional write moved the file pointer to its end, so a plain read continues there.
    std::vector<char> back(4096, 'x');
    ASSERT_TRUE(ReadFile(h, back.data(), 4096, &bytes, nullptr));
    EXPECT_EQ(back, std::vector<char>(4096, 0));
    at.Offset = 65536;
    ASSERT_TRUE(ReadFile(h, back.data(), 4096, &bytes, &at));
    EXPECT_EQ(back, data);

    at.Offset = 1024 * 1024;
    SetLastError(0);
    EXPECT_FALSE(ReadFile(h, back.data(), 4096, &bytes, &at));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_TRUE(CloseHandle(h));
}

INSTANTIATE_TEST_SUITE_P(LoadPaths, RamdiskWin32Test, ::testing::Values(LoadPath::registry, LoadPath::direct),
                         load_path_name);

}  // namespace
}  // namespace ntio::test::drivers

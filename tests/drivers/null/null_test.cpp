// null.sys through the Nt and Win32 surface, loaded through the registry and directly: reads end at
// once, writes take every byte, \??\NUL reaches the device, unload removes device and link.
#include <cstring>
#include <string>

#include "driver_test_support.hpp"

#include <windows.h>

namespace ntio::test::drivers {
namespace {

using NullTest = DriverTest;

// NT fact I1 (a read at the end of a file on a sync handle) and the null device's contract.
TEST_P(NullTest, reads_end_of_file_and_writes_take_every_byte)
{
    Driver driver;
    ASSERT_EQ(driver.load(GetParam(), "Null", "null.sys"), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open_device(u"\\Device\\Null", &h), STATUS_SUCCESS);

    char buffer[64];
    std::memset(buffer, 'x', sizeof(buffer));
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(read_at(h, buffer, sizeof(buffer), 0, &iosb), STATUS_END_OF_FILE);
    EXPECT_EQ(buffer[0], 'x');
    EXPECT_EQ(read_at(h, buffer, 0, 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 0u);

    EXPECT_EQ(write_at(h, buffer, sizeof(buffer), 12345, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, sizeof(buffer));
    IO_STATUS_BLOCK flush{};
    EXPECT_EQ(NtFlushBuffersFile(h, &flush), STATUS_SUCCESS);

    FILE_STANDARD_INFORMATION standard{};
    EXPECT_EQ(NtQueryInformationFile(h, &iosb, &standard, sizeof(standard), FileStandardInformation), STATUS_SUCCESS);
    EXPECT_EQ(standard.EndOfFile.QuadPart, 0);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(driver.unload(), STATUS_SUCCESS);
}

TEST_P(NullTest, unknown_ioctl_is_an_invalid_device_request)
{
    Driver driver;
    ASSERT_EQ(driver.load(GetParam(), "Null", "null.sys"), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open_device(u"\\??\\NUL", &h), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    const ULONG code = CTL_CODE(FILE_DEVICE_NULL, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS);
    EXPECT_EQ(ioctl(h, code, nullptr, 0, nullptr, 0, &iosb), STATUS_INVALID_DEVICE_REQUEST);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// NT facts I1 and S1 through kernel32: \\.\NUL opens, ReadFile at the end returns TRUE with 0 bytes
// and leaves the last error alone, WriteFile reports every byte written.
TEST_P(NullTest, win32_read_file_returns_zero_bytes_and_write_file_all_bytes)
{
    Driver driver;
    ASSERT_EQ(driver.load(GetParam(), "Null", "null.sys"), STATUS_SUCCESS);
    HANDLE h = CreateFileW(L"\\\\.\\NUL", GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
    ASSERT_NE(h, INVALID_HANDLE_VALUE);
    char buffer[16] = {};
    DWORD bytes = 77;
    SetLastError(0xbeef);
    EXPECT_TRUE(ReadFile(h, buffer, sizeof(buffer), &bytes, nullptr));
    EXPECT_EQ(bytes, 0u);
    EXPECT_EQ(GetLastError(), 0xbeefu);
    EXPECT_TRUE(WriteFile(h, buffer, sizeof(buffer), &bytes, nullptr));
    EXPECT_EQ(bytes, sizeof(buffer));
    EXPECT_TRUE(CloseHandle(h));
}

// NT fact S1: after unload the link is gone, so the open fails with ERROR_FILE_NOT_FOUND.
TEST_P(NullTest, unload_removes_the_device_and_its_link)
{
    Driver driver;
    ASSERT_EQ(driver.load(GetParam(), "Null", "null.sys"), STATUS_SUCCESS);
    EXPECT_EQ(driver.unload(), STATUS_SUCCESS);
    HANDLE h = nullptr;
    EXPECT_EQ(open_device(u"\\Device\\Null", &h), STATUS_OBJECT_NAME_NOT_FOUND);
    SetLastError(0);
    EXPECT_EQ(CreateFileW(L"\\\\.\\NUL", GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
}

INSTANTIATE_TEST_SUITE_P(LoadPaths, NullTest, ::testing::Values(LoadPath::registry, LoadPath::direct), load_path_name);

}  // namespace
}  // namespace ntio::test::drivers

// NtioBootSystem / NtioShutdownSystem: the explicit boot and shutdown <ntio/ntio.h> offers programs
// that want them, around the same default System a plain Win32 program gets implicitly. Its own
// test binary: no other System may be alive in the process.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <unistd.h>

#include <windows.h>
#include <wdm.h>
#include <ntio/ntio.h>

namespace {

TEST(ExplicitBoot, boot_use_and_shut_down_the_default_system)
{
    EXPECT_EQ(NtioShutdownSystem(), STATUS_INVALID_DEVICE_STATE);  // nothing is up yet
    ASSERT_EQ(NtioBootSystem(nullptr), STATUS_SUCCESS);
    EXPECT_EQ(NtioBootSystem(nullptr), STATUS_ALREADY_COMPLETE);  // the running one is kept

    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, L"ExplicitBootEvent");
    ASSERT_NE(event, nullptr);
    EXPECT_TRUE(SetEvent(event));
    EXPECT_EQ(WaitForSingleObject(event, 0), WAIT_OBJECT_0);
    EXPECT_TRUE(CloseHandle(event));
    EXPECT_EQ(NtioShutdownSystem(), STATUS_SUCCESS);
    EXPECT_EQ(NtioShutdownSystem(), STATUS_INVALID_DEVICE_STATE);

    // A later Win32 call boots a fresh default System: the named event of the old one is gone.
    HANDLE again = OpenEventW(EVENT_ALL_ACCESS, FALSE, L"ExplicitBootEvent");
    EXPECT_EQ(again, nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
    EXPECT_EQ(NtioShutdownSystem(), STATUS_SUCCESS);
}

DWORD WINAPI try_shutdown(LPVOID result)
{
    *static_cast<NTSTATUS*>(result) = NtioShutdownSystem();
    return 0;
}

TEST(ExplicitBoot, a_thread_of_the_system_cannot_shut_it_down)
{
    ASSERT_EQ(NtioBootSystem(nullptr), STATUS_SUCCESS);
    NTSTATUS from_thread = STATUS_PENDING;
    HANDLE thread = CreateThread(nullptr, 0, try_shutdown, &from_thread, 0, nullptr);
    ASSERT_NE(thread, nullptr);
    EXPECT_EQ(WaitForSingleObject(thread, 10000), WAIT_OBJECT_0);
    EXPECT_TRUE(CloseHandle(thread));
    EXPECT_EQ(from_thread, STATUS_INVALID_DEVICE_STATE);
    EXPECT_EQ(NtioShutdownSystem(), STATUS_SUCCESS);
}

TEST(ExplicitBoot, a_refused_hive_file_starts_nothing_and_is_not_changed)
{
    char path[] = "/tmp/ntio_explicit_boot_XXXXXX";
    const int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    const std::string garbage = "this is not a hive";
    ASSERT_EQ(write(fd, garbage.data(), garbage.size()), static_cast<ssize_t>(garbage.size()));
    close(fd);
    const NTSTATUS status = NtioBootSystem(path);
    EXPECT_FALSE(NT_SUCCESS(status));
    EXPECT_EQ(NtioShutdownSystem(), STATUS_INVALID_DEVICE_STATE);
    FILE* file = std::fopen(path, "rb");
    ASSERT_NE(file, nullptr);
    char back[64] = {};
    EXPECT_EQ(std::fread(back, 1, sizeof(back), file), garbage.size());
    std::fclose(file);
    EXPECT_EQ(std::string(back), garbage);
    std::remove(path);
}

}  // namespace

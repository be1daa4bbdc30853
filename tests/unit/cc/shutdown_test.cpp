// System shutdown writes every cached stream back before drivers unload: a handle left open with
// dirty data, never flushed, finds its data in the backing store once the System is gone.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "cc_test_fs.hpp"
#include "ntio/system.hpp"

#include <ntifs.h>
#include <ntio/ntapi.h>
#include <ntio/ntio.h>

namespace ntio::cc::test {
namespace {

TEST(CcShutdownTest, shutdown_writes_dirty_data_back)
{
    std::vector<UCHAR> data(3 * PAGE_SIZE + 123);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<UCHAR>(i * 13 + 1);
    {
        auto system = std::make_unique<System>();
        UNICODE_STRING service;
        RtlInitUnicodeString(&service, kCcTestFsService);
        PDRIVER_OBJECT driver = nullptr;
        ASSERT_EQ(NtioCreateDriver(&service, cctestfs_entry, &driver), STATUS_SUCCESS);
        ObDereferenceObject(driver);
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, L"\\??\\CcTestFs\\a");
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
        IO_STATUS_BLOCK iosb{};
        HANDLE h = nullptr;
        ASSERT_EQ(NtCreateFile(&h, FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE, &oa, &iosb, nullptr, 0,
                               FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT, nullptr, 0),
                  STATUS_SUCCESS);
        LARGE_INTEGER offset{};
        ASSERT_EQ(NtWriteFile(h, nullptr, nullptr, nullptr, &iosb, data.data(), static_cast<ULONG>(data.size()),
                              &offset, nullptr),
                  STATUS_SUCCESS);
        // The handle stays open and nothing is flushed: the System's shutdown has to write it.
        system.reset();
    }
    LONGLONG size = 0;
    const UCHAR* disk = cctestfs_disk(L'a', &size);
    ASSERT_NE(disk, nullptr);
    ASSERT_EQ(size, static_cast<LONGLONG>(data.size()));
    EXPECT_EQ(std::vector<UCHAR>(disk, disk + size), data);
    cctestfs_forget_disks();
}

}  // namespace
}  // namespace ntio::cc::test

// The fixture of the cache manager tests: a fresh System with the cache test file system loaded,
// and helpers that reach it through the NT services only (open, read, write, flush, set the end of
// file, its counters and backing store by IOCTL).
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <tuple>
#include <utility>
#include <vector>

#include "cc_test_fs.hpp"
#include "support/driver_fixture.hpp"

#include <ntifs.h>
#include <ntio/ntapi.h>
#include <ntio/ntio.h>

namespace ntio::cc::test {

class CcFsTest : public ntio::test::DriverTest {
protected:
    void SetUp() override {
        DriverTest::SetUp();
        ASSERT_EQ(create_driver(kCcTestFsService, cctestfs_entry), STATUS_SUCCESS);
        m_volume = open_name(L"\\??\\CcTestFs", FILE_SYNCHRONOUS_IO_NONALERT);
        ASSERT_NE(m_volume, nullptr);
    }
    void TearDown() override {
        if (m_volume) {
            EXPECT_EQ(NtClose(m_volume), STATUS_SUCCESS);
        }
        // A stream closed while dirty is torn down by the lazy writer: let it finish first.
        EXPECT_EQ(CcWaitForCurrentLazyWriterActivity(), STATUS_SUCCESS);
        DriverTest::TearDown();
    }

    HANDLE open_name(const wchar_t* path, ULONG options) {
        UNICODE_STRING text;
        RtlInitUnicodeString(&text, path);
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &text, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
        IO_STATUS_BLOCK iosb{};
        HANDLE h = nullptr;
        const NTSTATUS status = NtCreateFile(&h, FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE, &oa, &iosb, nullptr, 0,
                                             FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, options, nullptr, 0);
        EXPECT_EQ(status, STATUS_SUCCESS);
        return NT_SUCCESS(status) ? h : nullptr;
    }
    // A cached handle to file `letter` (synchronous unless told otherwise).
    HANDLE open(WCHAR letter, ULONG options = FILE_SYNCHRONOUS_IO_NONALERT) {
        wchar_t path[] = L"\\??\\CcTestFs\\a";
        path[sizeof(path) / sizeof(path[0]) - 2] = letter;
        return open_name(path, options);
    }
    HANDLE open_noncached(WCHAR letter) { return open(letter, FILE_SYNCHRONOUS_IO_NONALERT | FILE_NO_INTERMEDIATE_BUFFERING); }

    NTSTATUS read(HANDLE h, LONGLONG offset, ULONG length, void* buffer, ULONG_PTR* got = nullptr) {
        LARGE_INTEGER off;
        off.QuadPart = offset;
        IO_STATUS_BLOCK iosb{};
        const NTSTATUS status = NtReadFile(h, nullptr, nullptr, nullptr, &iosb, buffer, length, &off, nullptr);
        if (got) *got = iosb.Information;
        return status;
    }
    NTSTATUS write(HANDLE h, LONGLONG offset, ULONG length, const void* buffer) {
        LARGE_INTEGER off;
        off.QuadPart = offset;
        IO_STATUS_BLOCK iosb{};
        return NtWriteFile(h, nullptr, nullptr, nullptr, &iosb, const_cast<void*>(buffer), length, &off, nullptr);
    }
    NTSTATUS flush(HANDLE h) {
        IO_STATUS_BLOCK iosb{};
        return NtFlushBuffersFile(h, &iosb);
    }
    NTSTATUS set_end_of_file(HANDLE h, LONGLONG size) {
        FILE_END_OF_FILE_INFORMATION info;
        info.EndOfFile.QuadPart = size;
        IO_STATUS_BLOCK iosb{};
        return NtSetInformationFile(h, &iosb, &info, sizeof(info), FileEndOfFileInformation);
    }
    NTSTATUS ioctl(ULONG code, const void* in, ULONG in_length, void* out, ULONG out_length, ULONG_PTR* got = nullptr) {
        IO_STATUS_BLOCK iosb{};
        const NTSTATUS status = NtDeviceIoControlFile(m_volume, nullptr, nullptr, nullptr, &iosb, code,
                                                      const_cast<void*>(in), in_length, out, out_length);
        if (got) *got = iosb.Information;
        return status;
    }
    CcTestFsCounters counters(WCHAR letter) {
        CcTestFsCounters c{};
        EXPECT_EQ(ioctl(IOCTL_CCTESTFS_COUNTERS, &letter, sizeof(letter), &c, sizeof(c)), STATUS_SUCCESS);
        return c;
    }
    // The backing store's bytes, without the cache.
    std::vector<UCHAR> disk(WCHAR letter, LONGLONG offset, ULONG length) {
        std::vector<UCHAR> bytes(length + sizeof(CcTestFsDiskRead));
        CcTestFsDiskRead request{letter, offset, length};
        std::memcpy(bytes.data(), &request, sizeof(request));
        ULONG_PTR got = 0;
        EXPECT_EQ(ioctl(IOCTL_CCTESTFS_READ_DISK, bytes.data(), sizeof(request), bytes.data(),
                        static_cast<ULONG>(bytes.size()), &got),
                  STATUS_SUCCESS);
        bytes.resize(got);
        return bytes;
    }
    void fail_paging(WCHAR letter, bool write, NTSTATUS status) {
        CcTestFsFail request{letter, static_cast<BOOLEAN>(write ? TRUE : FALSE), status};
        EXPECT_EQ(ioctl(IOCTL_CCTESTFS_FAIL_PAGING, &request, sizeof(request), nullptr, 0), STATUS_SUCCESS);
    }
    void set_fast_io(WCHAR letter, FAST_IO_POSSIBLE possible) {
        CcTestFsSetFastIo request{letter, static_cast<UCHAR>(possible)};
        EXPECT_EQ(ioctl(IOCTL_CCTESTFS_SET_FAST_IO, &request, sizeof(request), nullptr, 0), STATUS_SUCCESS);
    }
    // The file object behind a handle, referenced (for the DDI-level tests).
    PFILE_OBJECT file_object(HANDLE h) {
        PVOID object = nullptr;
        EXPECT_EQ(ObReferenceObjectByHandle(h, 0, *IoFileObjectType, KernelMode, &object, nullptr), STATUS_SUCCESS);
        return static_cast<PFILE_OBJECT>(object);
    }

    static std::vector<UCHAR> pattern(std::size_t length, unsigned seed) {
        std::vector<UCHAR> bytes(length);
        for (std::size_t i = 0; i < length; ++i) bytes[i] = static_cast<UCHAR>((i * 31 + seed * 7 + (i >> 8)) & 0xFF);
        return bytes;
    }
    // Puts `bytes` on file `letter`'s disk at `offset` through a non-cached handle (page multiples).
    void put_on_disk(WCHAR letter, LONGLONG offset, const std::vector<UCHAR>& bytes) {
        HANDLE h = open_noncached(letter);
        ASSERT_EQ(write(h, offset, static_cast<ULONG>(bytes.size()), bytes.data()), STATUS_SUCCESS);
        ASSERT_EQ(NtClose(h), STATUS_SUCCESS);
    }

    // File `letter` with `data` on disk, opened cached with caching set up by a one-byte read at
    // `probe`: the handle and its file object (referenced).
    std::pair<HANDLE, PFILE_OBJECT> cached_file(WCHAR letter, const std::vector<UCHAR>& data, LONGLONG probe = 0) {
        put_on_disk(letter, 0, data);
        HANDLE h = open(letter);
        UCHAR byte;
        EXPECT_EQ(read(h, probe, 1, &byte), STATUS_SUCCESS);
        PFILE_OBJECT file = file_object(h);
        EXPECT_NE(file->PrivateCacheMap, nullptr);
        EXPECT_TRUE(CcIsFileCached(file));
        return {h, file};
    }

    HANDLE m_volume = nullptr;
};

// A test on one cached file, 'a', that it holds open: its bytes, the handle and the file object.
class CcCachedFileTest : public CcFsTest {
protected:
    // File 'a' with `size` bytes of pattern(size, seed), caching set up by a one-byte read. Without
    // write-behind only the test's own calls write the dirty data, never the lazy writer.
    void prepare(ULONG size, unsigned seed, bool write_behind = true) {
        m_data = pattern(size, seed);
        std::tie(m_handle, m_file) = cached_file(L'a', m_data);
        if (!write_behind) CcSetAdditionalCacheAttributes(m_file, FALSE, TRUE);
    }
    void TearDown() override {
        if (m_file) ObDereferenceObject(m_file);
        if (m_handle) {
            EXPECT_EQ(NtClose(m_handle), STATUS_SUCCESS);
        }
        CcFsTest::TearDown();
    }

    std::vector<UCHAR> m_data;
    HANDLE m_handle = nullptr;
    PFILE_OBJECT m_file = nullptr;
};

}  // namespace ntio::cc::test

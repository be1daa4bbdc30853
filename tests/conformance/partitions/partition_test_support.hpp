// The partition suites' fixture: a RAM disk of a chosen size and sector size, its device object
// (for the Io* partition routines) and a handle (for reading and writing sectors by hand), plus
// little-endian helpers and a CRC32 of the tests' own to check what the routines write.
#pragma once

#include <array>
#include <cstring>
#include <vector>

#include "driver_test_support.hpp"

#include <ntddk.h>

namespace ntio::test::partitions {

using drivers::Driver;
using drivers::LoadPath;
using drivers::Value;

inline void put32(std::vector<UCHAR>& b, std::size_t at, ULONG v) {
    for (int i = 0; i < 4; ++i) b[at + i] = static_cast<UCHAR>(v >> (8 * i));
}
inline void put64(std::vector<UCHAR>& b, std::size_t at, ULONGLONG v) {
    put32(b, at, static_cast<ULONG>(v));
    put32(b, at + 4, static_cast<ULONG>(v >> 32));
}
inline ULONG get32(const std::vector<UCHAR>& b, std::size_t at) {
    ULONG v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | b[at + i];
    return v;
}
inline ULONGLONG get64(const std::vector<UCHAR>& b, std::size_t at) {
    return get32(b, at) | (static_cast<ULONGLONG>(get32(b, at + 4)) << 32);
}

// CRC-32 as the UEFI specification uses it (polynomial 0x04C11DB7 reflected, initial and final
// value 0xFFFFFFFF), bit by bit so that it shares nothing with the library's.
inline ULONG crc32_of(const UCHAR* data, std::size_t length) {
    ULONG crc = 0xFFFFFFFFu;
    for (std::size_t i = 0; i < length; ++i) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

inline bool same_guid(const GUID& a, const GUID& b) { return std::memcmp(&a, &b, sizeof(GUID)) == 0; }

class PartitionTest : public SystemTest {
protected:
    void boot_disk(ULONG disk_size, ULONG sector_size = 512) {
        m_sector = sector_size;
        m_disk_size = disk_size;
        ASSERT_EQ(m_driver.load(LoadPath::direct, "Ramdisk", "ramdisk.sys",
                                {{"DiskSize", ULONG{disk_size}}, {"SectorSize", ULONG{sector_size}}}),
                  STATUS_SUCCESS);
        ASSERT_EQ(drivers::open_device(u"\\Device\\Ramdisk0", &m_handle), STATUS_SUCCESS);
        std::u16string name16 = u"\\Device\\Ramdisk0";
        UNICODE_STRING name = drivers::unicode(name16);
        ASSERT_EQ(IoGetDeviceObjectPointer(&name, FILE_READ_ATTRIBUTES, &m_file, &m_device), STATUS_SUCCESS);
    }
    void TearDown() override {
        if (m_file) ObDereferenceObject(m_file);
        if (m_handle) {
            EXPECT_EQ(NtClose(m_handle), STATUS_SUCCESS);
        }
        EXPECT_EQ(m_driver.unload(), STATUS_SUCCESS);
        SystemTest::TearDown();
    }

    ULONGLONG sectors() const { return m_disk_size / m_sector; }

    std::vector<UCHAR> read_sector(ULONGLONG lba, ULONG count = 1) {
        std::vector<UCHAR> data(static_cast<std::size_t>(m_sector) * count);
        IO_STATUS_BLOCK iosb{};
        EXPECT_EQ(drivers::read_at(m_handle, data.data(), static_cast<ULONG>(data.size()),
                                   static_cast<LONGLONG>(lba * m_sector), &iosb),
                  STATUS_SUCCESS);
        return data;
    }
    void write_sector(ULONGLONG lba, const std::vector<UCHAR>& data) {
        IO_STATUS_BLOCK iosb{};
        EXPECT_EQ(drivers::write_at(m_handle, data.data(), static_cast<ULONG>(data.size()),
                                    static_cast<LONGLONG>(lba * m_sector), &iosb),
                  STATUS_SUCCESS);
    }

    ULONG m_sector = 512;
    ULONG m_disk_size = 0;
    HANDLE m_handle = nullptr;
    PFILE_OBJECT m_file = nullptr;
    PDEVICE_OBJECT m_device = nullptr;
    Driver m_driver;
};

}  // namespace ntio::test::partitions

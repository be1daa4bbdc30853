// <ntdddisk.h> / <ntddstor.h>: Windows x64 sizes, offsets and codes (the values below were checked
// against the mingw-w64 headers with the cross compiler), and both headers compiling after <wdm.h>
// and <windows.h> in one translation unit.
#include <gtest/gtest.h>

#include <cstddef>

#include <wdm.h>
#include <windows.h>
#include <winioctl.h>
#include <ntdddisk.h>

static_assert(sizeof(DISK_GEOMETRY) == 24);
static_assert(sizeof(DISK_GEOMETRY_EX) == 40 && offsetof(DISK_GEOMETRY_EX, Data) == 32);
static_assert(sizeof(STORAGE_DEVICE_DESCRIPTOR) == 40 && offsetof(STORAGE_DEVICE_DESCRIPTOR, BusType) == 28);
static_assert(sizeof(STORAGE_PROPERTY_QUERY) == 12);
static_assert(sizeof(STORAGE_ACCESS_ALIGNMENT_DESCRIPTOR) == 28);
static_assert(sizeof(GET_LENGTH_INFORMATION) == 8 && sizeof(VERIFY_INFORMATION) == 16);
static_assert(sizeof(PARTITION_INFORMATION) == 32);
static_assert(sizeof(STORAGE_DEVICE_NUMBER) == 12 && sizeof(STORAGE_HOTPLUG_INFO) == 8);

TEST(StorageHeaders, ioctl_codes_and_enumerators_have_their_windows_values)
{
    EXPECT_EQ(IOCTL_DISK_GET_DRIVE_GEOMETRY, 0x00070000u);
    EXPECT_EQ(IOCTL_DISK_GET_DRIVE_GEOMETRY_EX, 0x000700A0u);
    EXPECT_EQ(IOCTL_DISK_GET_LENGTH_INFO, 0x0007405Cu);
    EXPECT_EQ(IOCTL_DISK_IS_WRITABLE, 0x00070024u);
    EXPECT_EQ(IOCTL_DISK_VERIFY, 0x00070014u);
    EXPECT_EQ(IOCTL_STORAGE_QUERY_PROPERTY, 0x002D1400u);
    EXPECT_EQ(IOCTL_STORAGE_GET_DEVICE_NUMBER, 0x002D1080u);
    EXPECT_EQ(IOCTL_STORAGE_CHECK_VERIFY2, 0x002D0800u);
    EXPECT_EQ(FixedMedia, 12);
    EXPECT_EQ(F3_32M_512, 25);
    EXPECT_EQ(BusTypeVirtual, 14);
    EXPECT_EQ(StorageAccessAlignmentProperty, 6);
}

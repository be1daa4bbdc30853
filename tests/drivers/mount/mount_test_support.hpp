// The mount tests' fixture: ramdisk.sys loaded through the registry with a signature in sector 0,
// the test file system (mount_testfs_a.sys / _b.sys as services MountFsA / MountFsB) loaded after
// it, and helpers to open names on the disk, read a file system's counters and look at the VPB.
#pragma once

#include <string>
#include <vector>

#include "driver_test_support.hpp"

#include <ntifs.h>

#include "testfs.h"

namespace ntio::test::drivers {

inline constexpr char kDisk[] = "\\Device\\Ramdisk0";

class MountTest : public SystemTest {
protected:
    void TearDown() override {
        for (auto& fs : m_file_systems) EXPECT_EQ(fs.unload(), STATUS_SUCCESS);
        EXPECT_EQ(m_disk.unload(), STATUS_SUCCESS);
        SystemTest::TearDown();
    }

    // ramdisk.sys with `signature` (8 characters, or none) written to sector 0 through a
    // whole-volume open made before any file system is loaded.
    void load_disk(const char* signature) {
        ASSERT_EQ(m_disk.load(LoadPath::registry, "Ramdisk", "ramdisk.sys", {{"DiskSize", ULONG{1024 * 1024}}}),
                  STATUS_SUCCESS);
        if (!signature) return;
        HANDLE h = nullptr;
        ASSERT_EQ(open_device(u16(kDisk), &h), STATUS_SUCCESS);
        std::vector<char> sector(512, 0);
        std::memcpy(sector.data(), signature, TESTFS_SIGNATURE_LENGTH);
        IO_STATUS_BLOCK iosb{};
        EXPECT_EQ(write_at(h, sector.data(), 512, 0, &iosb), STATUS_SUCCESS);
        EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    }

    // Loads mount_testfs_<a|b>.sys as service MountFs<A|B>; returns DriverEntry's status.
    NTSTATUS load_fs(char which, const char* signature, bool low_priority = false, bool cd_rom = false) {
        std::string image = std::string("mount_testfs_") + char(which - 'A' + 'a') + ".sys";
        std::string service = std::string("MountFs") + which;
        Driver driver;
        NTSTATUS status = driver.load(LoadPath::registry, service, image,
                                      {{"Signature", std::string(signature)},
                                       {"LowPriority", ULONG{low_priority}},
                                       {"CdRom", ULONG{cd_rom}}});
        if (NT_SUCCESS(status)) m_file_systems.push_back(std::move(driver));
        return status;
    }

    // The counters of file system `which` (through its control device \Device\MountFs<which>).
    TESTFS_STATS stats(char which) {
        TESTFS_STATS s{};
        HANDLE h = nullptr;
        EXPECT_EQ(open_device(u"\\Device\\MountFs" + std::u16string(1, char16_t(which)), &h), STATUS_SUCCESS);
        if (!h) return s;
        IO_STATUS_BLOCK iosb{};
        EXPECT_EQ(ioctl(h, IOCTL_TESTFS_GET_STATS, nullptr, 0, &s, sizeof s, &iosb), STATUS_SUCCESS);
        EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
        return s;
    }

    NTSTATUS unregister_fs(char which) {
        HANDLE h = nullptr;
        NTSTATUS status = open_device(u"\\Device\\MountFs" + std::u16string(1, char16_t(which)), &h);
        if (!NT_SUCCESS(status)) return status;
        IO_STATUS_BLOCK iosb{};
        status = ioctl(h, IOCTL_TESTFS_UNREGISTER, nullptr, 0, nullptr, 0, &iosb);
        EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
        return status;
    }

    // NtCreateFile of `name` under the disk (e.g. "\\a"; "" for the whole volume).
    NTSTATUS open(const char* name, HANDLE* h, ULONG disposition = FILE_OPEN, ACCESS_MASK access = GENERIC_READ | GENERIC_WRITE,
                  ULONG_PTR* information = nullptr) {
        std::u16string path = u16(kDisk) + u16(name);
        UNICODE_STRING object_name = unicode(path);
        OBJECT_ATTRIBUTES attributes;
        InitializeObjectAttributes(&attributes, &object_name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
        IO_STATUS_BLOCK iosb{};
        NTSTATUS status = NtCreateFile(h, access | SYNCHRONIZE, &attributes, &iosb, nullptr, FILE_ATTRIBUTE_NORMAL,
                                       FILE_SHARE_READ | FILE_SHARE_WRITE, disposition, FILE_SYNCHRONOUS_IO_NONALERT,
                                       nullptr, 0);
        if (information) *information = iosb.Information;
        return status;
    }

    // The disk's device object (referenced while the fixture needs it: the driver keeps it alive).
    PDEVICE_OBJECT disk_device() {
        HANDLE h = nullptr;
        // A direct device open (NT fact K11) neither mounts nor reaches a file system.
        EXPECT_EQ(open("", &h, FILE_OPEN, FILE_READ_ATTRIBUTES), STATUS_SUCCESS);
        if (!h) return nullptr;
        PFILE_OBJECT file = nullptr;
        EXPECT_EQ(ObReferenceObjectByHandle(h, 0, *IoFileObjectType, KernelMode, reinterpret_cast<PVOID*>(&file),
                                            nullptr),
                  STATUS_SUCCESS);
        PDEVICE_OBJECT device = file ? file->DeviceObject : nullptr;
        if (file) ObDereferenceObject(file);
        EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
        return device;
    }

    static PFILE_OBJECT file_of(HANDLE h) {
        PFILE_OBJECT file = nullptr;
        EXPECT_EQ(ObReferenceObjectByHandle(h, 0, *IoFileObjectType, KernelMode, reinterpret_cast<PVOID*>(&file),
                                            nullptr),
                  STATUS_SUCCESS);
        if (file) ObDereferenceObject(file);  // the handle keeps it
        return file;
    }

    static ULONG vpb_references(PVPB vpb) {
        KIRQL irql;
        IoAcquireVpbSpinLock(&irql);
        ULONG count = vpb->ReferenceCount;
        IoReleaseVpbSpinLock(irql);
        return count;
    }

    static std::u16string last_create_name(const TESTFS_STATS& s) {
        return std::u16string(reinterpret_cast<const char16_t*>(s.LastCreateName), s.LastCreateNameLength / 2);
    }

    Driver m_disk;
    std::vector<Driver> m_file_systems;
};

}  // namespace ntio::test::drivers

// FAT16 layout after Microsoft's "FAT: General Overview of On-Disk Format" (the FAT specification,
// version 1.03): a BPB in sector 0, reserved sector count 1, two FATs, 512 root directory entries,
// sectors per cluster from the specification's FAT16 disk-size table, and the FAT size from its
// formula. Entries 0 and 1 of each FAT hold the media byte and end-of-chain marks.
#include "fat_format.hpp"

#include <winioctl.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <fmt/core.h>
#include <vector>

namespace ntio::tool {
namespace {

constexpr unsigned kSector = 512;
constexpr unsigned kRootEntries = 512;
constexpr unsigned kReserved = 1;
constexpr unsigned kFats = 2;
constexpr std::uint8_t kMedia = 0xF8;  // fixed disk

// The specification's FAT16 table: the smallest sectors-per-cluster for a disk of up to N sectors
// (512-byte sectors). Below 8400 sectors FAT16 is not used; above 4 GiB neither.
unsigned sectors_per_cluster_for(unsigned long long sectors) {
    if (sectors < 8400) return 0;
    if (sectors <= 32680) return 2;
    if (sectors <= 262144) return 4;
    if (sectors <= 524288) return 8;
    if (sectors <= 1048576) return 16;
    if (sectors <= 2097152) return 32;
    if (sectors <= 4194304) return 64;
    return 0;
}

void put16(std::uint8_t* p, unsigned v) {
    p[0] = static_cast<std::uint8_t>(v);
    p[1] = static_cast<std::uint8_t>(v >> 8);
}
void put32(std::uint8_t* p, std::uint32_t v) {
    put16(p, v & 0xFFFF);
    put16(p + 2, v >> 16);
}

bool write_at(HANDLE volume, unsigned long long sector, const std::vector<std::uint8_t>& data) {
    LARGE_INTEGER offset;
    offset.QuadPart = static_cast<LONGLONG>(sector * kSector);
    if (!SetFilePointerEx(volume, offset, nullptr, FILE_BEGIN)) return false;
    DWORD done = 0;
    return WriteFile(volume, data.data(), static_cast<DWORD>(data.size()), &done, nullptr) && done == data.size();
}

bool fsctl(HANDLE volume, DWORD code) {
    DWORD bytes = 0;
    return DeviceIoControl(volume, code, nullptr, 0, nullptr, 0, &bytes, nullptr) != FALSE;
}

}  // namespace

FatFormatResult format_fat16(HANDLE volume, const char* label) {
    FatFormatResult result;
    auto fail = [&result](std::string what) {
        result.error = fmt::format("{} (error {})", what, GetLastError());
        return result;
    };
    GET_LENGTH_INFORMATION length{};
    DWORD bytes = 0;
    if (!DeviceIoControl(volume, IOCTL_DISK_GET_LENGTH_INFO, nullptr, 0, &length, sizeof(length), &bytes, nullptr))
        return fail("IOCTL_DISK_GET_LENGTH_INFO");
    result.sectors = static_cast<unsigned long long>(length.Length.QuadPart) / kSector;
    const unsigned spc = sectors_per_cluster_for(result.sectors);
    if (spc == 0) {
        result.error = fmt::format("{} sectors: not a FAT16 size (8,400 to 4,194,304 sectors)", result.sectors);
        return result;
    }
    const unsigned root_sectors = (kRootEntries * 32 + kSector - 1) / kSector;
    const unsigned long long rest = result.sectors - (kReserved + root_sectors);
    const unsigned divisor = 256 * spc + kFats;
    const auto fat_sectors = static_cast<unsigned>((rest + divisor - 1) / divisor);
    const unsigned long long data_start = kReserved + kFats * fat_sectors + root_sectors;
    result.sectors_per_cluster = spc;
    result.clusters = static_cast<unsigned>((result.sectors - data_start) / spc);

    if (!fsctl(volume, FSCTL_LOCK_VOLUME)) return fail("FSCTL_LOCK_VOLUME");

    std::vector<std::uint8_t> boot(kSector, 0);
    const std::uint8_t jump[3] = {0xEB, 0x3C, 0x90};
    std::memcpy(boot.data(), jump, 3);
    std::memcpy(boot.data() + 3, "NTIO    ", 8);
    put16(&boot[11], kSector);
    boot[13] = static_cast<std::uint8_t>(spc);
    put16(&boot[14], kReserved);
    boot[16] = kFats;
    put16(&boot[17], kRootEntries);
    if (result.sectors < 0x10000)
        put16(&boot[19], static_cast<unsigned>(result.sectors));
    else
        put32(&boot[32], static_cast<std::uint32_t>(result.sectors));
    boot[21] = kMedia;
    put16(&boot[22], fat_sectors);
    put16(&boot[24], 32);  // sectors per track and heads: geometry for BIOS, unused here
    put16(&boot[26], 64);
    boot[36] = 0x80;  // drive number
    boot[38] = 0x29;  // extended boot signature: serial, label and type follow
    const auto now = std::chrono::system_clock::now().time_since_epoch().count();
    put32(&boot[39], static_cast<std::uint32_t>(now ^ (now >> 32)));
    char name[11];
    std::memset(name, ' ', sizeof(name));
    std::memcpy(name, label, std::min<std::size_t>(std::strlen(label), sizeof(name)));
    std::memcpy(&boot[43], name, sizeof(name));
    std::memcpy(&boot[54], "FAT16   ", 8);
    boot[510] = 0x55;
    boot[511] = 0xAA;

    // Both FATs and the root directory, cleared, in one write after the boot sector.
    std::vector<std::uint8_t> tables((kFats * fat_sectors + root_sectors) * kSector, 0);
    for (unsigned fat = 0; fat < kFats; ++fat) {
        std::uint8_t* entry = &tables[fat * fat_sectors * kSector];
        put16(entry, 0xFF00 | kMedia);
        put16(entry + 2, 0xFFFF);
    }
    // The volume label is also the root directory's first entry (attribute 0x08).
    std::uint8_t* root = &tables[kFats * fat_sectors * kSector];
    std::memcpy(root, name, sizeof(name));
    root[11] = 0x08;

    const bool written = write_at(volume, kReserved, tables) && write_at(volume, 0, boot);
    if (!written) {
        FatFormatResult failed = fail("writing the FAT16 layout");
        (void)fsctl(volume, FSCTL_UNLOCK_VOLUME);
        return failed;
    }
    if (!FlushFileBuffers(volume)) return fail("FlushFileBuffers");
    // Dismounting lets the next open mount the file system just written.
    if (!fsctl(volume, FSCTL_DISMOUNT_VOLUME)) return fail("FSCTL_DISMOUNT_VOLUME");
    (void)fsctl(volume, FSCTL_UNLOCK_VOLUME);
    result.ok = true;
    return result;
}

}  // namespace ntio::tool

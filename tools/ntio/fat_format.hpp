// An empty FAT16 volume written through a Win32 handle to a whole volume, the way a format utility
// lays one out: lock the volume, write the boot sector, both FATs and an empty root directory, then
// dismount it so the next open mounts the new file system.
#pragma once

#include <string>

#include <windows.h>

namespace ntio::tool {

struct FatFormatResult {
    bool ok = false;
    std::string error;            // what failed, when !ok
    unsigned long long sectors = 0;
    unsigned sectors_per_cluster = 0;
    unsigned clusters = 0;
};

// `volume`: a handle opened for read and write on the whole volume (\\.\X: or \\.\Device).
// `label`: up to 11 characters. The volume is locked while it is written and dismounted after.
FatFormatResult format_fat16(HANDLE volume, const char* label);

}  // namespace ntio::tool

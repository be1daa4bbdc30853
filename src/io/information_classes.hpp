// The I/O manager's per-class rules for FILE_INFORMATION_CLASS and FS_INFORMATION_CLASS, one table
// shared by the Nt*InformationFile services and the IoCheck* routines file systems and servers call.
#pragma once

#include "io/ddk.hpp"

namespace ntio::io::info {

// One class's rules for one direction. min_length 0: the class is not valid in that direction.
struct ClassRule {
    ULONG min_length = 0;
    ACCESS_MASK access = 0;
};

ClassRule query_file_rule(FILE_INFORMATION_CLASS info_class) noexcept;
ClassRule set_file_rule(FILE_INFORMATION_CLASS info_class) noexcept;
ClassRule query_volume_rule(FS_INFORMATION_CLASS info_class) noexcept;
ClassRule set_volume_rule(FS_INFORMATION_CLASS info_class) noexcept;

}  // namespace ntio::io::info

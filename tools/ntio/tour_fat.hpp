// The tour's FAT part (tour_fat.cpp).
#pragma once

#include "ntio/system.hpp"

namespace ntio::tool::tour {

// Starts fastfat.sys, formats \Device\Ramdisk0 as FAT16 and uses files on it through R:. Needs the
// RAM disk under the trace filter, as the tour loads it.
void fat_volume(System& system);

}  // namespace ntio::tool::tour

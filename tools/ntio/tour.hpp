// The guided tour `ntio` runs with no subcommand: it loads the in-box drivers through the registry
// (null; a RAM disk and an io_uring disk on a temporary file, each under the passthrough and trace
// filters; fault_inject over the null device) and shows requests travelling through them; then it
// starts fastfat.sys, formats the RAM disk as FAT16 and uses files on it (tour_fat.cpp).
#pragma once

#include <memory>

#include "boot.hpp"

namespace ntio::tool {

// Returns the process exit status: 0 when every step did what it shows.
int run_tour(const GlobalOptions& options);

}  // namespace ntio::tool

// Booting the System the ntio command works on: the hive comes from --hive, else NTIO_HIVE, else the
// embedded default (in memory). A refused boot is one line on stderr and exit status 1.
#pragma once

#include <memory>
#include <string>

#include "ntio/system.hpp"

namespace ntio::tool {

struct GlobalOptions {
    std::string hive;  // --hive; empty = NTIO_HIVE or the embedded default
};

// Null after printing why the system could not boot.
std::unique_ptr<System> boot(const GlobalOptions& options);

// UTF-8 <-> UTF-16 for names and REG_SZ data.
std::u16string widen(std::string_view text);
std::string narrow(std::u16string_view text);

}  // namespace ntio::tool

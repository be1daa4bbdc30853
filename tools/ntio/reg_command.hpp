// `ntio reg`: query, add, delete, import and export registry keys and values, like reg.exe.
#pragma once

#include <CLI/CLI.hpp>

#include "boot.hpp"

namespace ntio::tool {

void add_reg_command(CLI::App& app, const GlobalOptions& options, int& exit_code);

}  // namespace ntio::tool

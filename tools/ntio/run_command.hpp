// `ntio run`: runs a Win32 program (built against ntio's <windows.h>, linked to libntio) against a
// system with a driver loaded, through a prepared temporary hive that the program's default
// System boots from (NTIO_HIVE).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace CLI { class App; }  // <CLI/CLI.hpp> only where a command is built: it costs seconds per file

#include "boot.hpp"

namespace ntio::tool {

// `program_after_dashes`: the words after the command line's "--" (main splits them off before
// CLI11 parses, so none of them can be taken for an ntio option or subcommand); nullopt without "--".
void add_run_command(CLI::App& app, const GlobalOptions& options, int& exit_code,
                     const std::optional<std::vector<std::string>>& program_after_dashes);

}  // namespace ntio::tool

// `ntio reg`: query, add, delete, import and export registry keys and values, like reg.exe.
#pragma once

#include <string>
#include <vector>

namespace CLI { class App; }  // <CLI/CLI.hpp> only where a command is built: it costs seconds per file

#include "boot.hpp"

namespace ntio::tool {

void add_reg_command(CLI::App& app, const GlobalOptions& options, int& exit_code);

// The same verbs on an already booted System (the shell's `reg ...`): `words` follow "reg"
// ({"query", "HKLM\\SOFTWARE"}). Returns the exit status; usage errors print CLI11's message.
int run_reg_words(System& system, const std::vector<std::string>& words);

}  // namespace ntio::tool

// `ntio sc`: create, start, stop, query, qc, config and delete driver services, like sc.exe, over the
// Win32 service control manager API of the System the calling thread uses.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace CLI { class App; }  // <CLI/CLI.hpp> only where a command is built: it costs seconds per file

#include "boot.hpp"

namespace ntio::tool {

// Runs sc words (the verb first: {"start", "null"}), appending what sc.exe would print to `out`.
// Returns the Win32 error (0 on success; ERROR_INVALID_PARAMETER for a malformed command line).
std::uint32_t run_sc(const std::vector<std::string>& words, std::string& out);

// A process exit status for a Win32 error: the low 8 bits the OS keeps, 1 when they are 0.
int exit_status_for_win32(std::uint32_t error);

void add_sc_command(CLI::App& app, const GlobalOptions& options, int& exit_code);

}  // namespace ntio::tool

// `ntio shell`: an interactive (or scripted) session on one booted System. Commands live in one
// table; the built-in ones and those of other components (the kd-style `!` commands) are added
// with register_shell_command, so the shell knows nothing about who provides them.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace CLI { class App; }  // <CLI/CLI.hpp> only where a command is built: it costs seconds per file

#include "boot.hpp"

namespace ntio::tool {

// A command receives its words (args[0] is the command's name as typed), appends what it prints to
// `out` and returns 0 on success, non-zero on failure. It runs on the shell's thread, which is
// attached to the shell's elevated administrator process, at PASSIVE_LEVEL.
using ShellCommandFn = std::function<int(System& system, const std::vector<std::string>& args, std::string& out)>;

// Adds (or replaces) a command. `help` is one line: "usage - what it does". A name of "!" receives
// every line that starts with '!' (args[0] is the whole first word, e.g. "!irp").
void register_shell_command(const std::string& name, const std::string& help, ShellCommandFn fn);

// Splits a command line into words: blanks separate, '...' and "..." quote (backslashes are
// literal, NT paths being full of them), ';' outside quotes ends a command.
std::vector<std::vector<std::string>> split_commands(const std::string& line);

void add_shell_command(CLI::App& app, const GlobalOptions& options, int& exit_code);

// Registration of the built-in groups (shell_io.cpp, shell_objects.cpp, shell_admin.cpp) and of
// the kd adapter (shell_kd.cpp).
void register_io_commands();
void register_object_commands();
void register_admin_commands();
void register_kd_commands();

}  // namespace ntio::tool

// The inspector's kd-style commands (!irp, !devobj, !devstack, ...) in the shell: every line that
// starts with '!' goes to ntio::inspect::run_kd_command, which is part of libntio once
// src/inspect/kd_commands.hpp exists; until then the shell says the commands are not built.
// The debugger's lm goes there too. `.dump PATH` writes a dump of the shell's System for `ntio kd -z`.
#include <string>
#include <type_traits>
#include <vector>

#include "shell.hpp"

#if __has_include("inspect/kd_commands.hpp")
#include "inspect/dump.hpp"
#include "inspect/kd_commands.hpp"
#define NTIO_SHELL_KD_COMMANDS 1
#else
#define NTIO_SHELL_KD_COMMANDS 0
#endif

namespace ntio::tool {
namespace {

int kd_command(System& system, const std::vector<std::string>& args, std::string& out) {
    std::string line;
    for (const std::string& word : args) line += (line.empty() ? "" : " ") + word;
#if NTIO_SHELL_KD_COMMANDS
    // The inspector reports success as true, a zero status or nothing at all.
    using Result = decltype(ntio::inspect::run_kd_command(system, line, out));
    if constexpr (std::is_void_v<Result>) {
        ntio::inspect::run_kd_command(system, line, out);
        return 0;
    } else if constexpr (std::is_same_v<Result, bool>) {
        return ntio::inspect::run_kd_command(system, line, out) ? 0 : 1;
    } else {
        return ntio::inspect::run_kd_command(system, line, out) == 0 ? 0 : 1;
    }
#else
    (void)system;
    out += "ntio shell: " + args[0] + ": the kd-style commands are not part of this build\n";
    return 1;
#endif
}

int dump_command(System& system, const std::vector<std::string>& args, std::string& out) {
    if (args.size() != 2) {
        out += "usage: .dump PATH\n";
        return 1;
    }
#if NTIO_SHELL_KD_COMMANDS
    std::string error;
    if (!ntio::inspect::write_dump(system, args[1], &error)) {
        out += "ntio shell: .dump: " + error + "\n";
        return 1;
    }
    out += "Dump file: " + args[1] + "\n";
    return 0;
#else
    (void)system;
    out += "ntio shell: .dump: the inspector is not part of this build\n";
    return 1;
#endif
}

}  // namespace

void register_kd_commands() {
    register_shell_command("!", "!COMMAND ... - kd-style inspector commands (!irp, !devobj, !devstack, ...)",
                           kd_command);
    register_shell_command("lm", "lm [f] [m Pattern] - the loaded modules, the kernel first", kd_command);
    register_shell_command(".dump", ".dump PATH - write a dump of this system (open it with ntio kd -z PATH)",
                           dump_command);
}

}  // namespace ntio::tool

// The shell's administration commands: reg and sc (the `ntio reg` and `ntio sc` verbs on the
// shell's System, so a driver started with sc stays loaded for the next commands) and load/unload
// (NtLoadDriver / NtUnloadDriver with the shell's SeLoadDriverPrivilege).
#include <fmt/core.h>
#include <string>
#include <vector>

#include <ntio/ntapi.h>

#include "reg_command.hpp"
#include "sc_command.hpp"
#include "shell.hpp"
#include "shell_support.hpp"
#include "unicode_string.hpp"

namespace ntio::tool {
namespace {

int reg_command(System& system, const std::vector<std::string>& args, std::string&) {
    std::fflush(stdout);
    return run_reg_words(system, std::vector<std::string>(args.begin() + 1, args.end()));
}

int sc_command(System&, const std::vector<std::string>& args, std::string& out) {
    return exit_status_for_win32(run_sc(std::vector<std::string>(args.begin() + 1, args.end()), out));
}

// A service name, or a full registry path (\Registry\Machine\...) as NtLoadDriver takes it.
int driver_command(const std::vector<std::string>& args, std::string& out, bool load) {
    if (args.size() != 2) {
        out += fmt::format("usage: {} SERVICE|\\Registry\\Machine\\System\\CurrentControlSet\\Services\\NAME\n", args[0]);
        return 1;
    }
    std::u16string path = widen(args[1]);
    if (!path.starts_with(u"\\")) path = u"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\" + path;
    UNICODE_STRING name = counted(path);
    NTSTATUS status = load ? NtLoadDriver(&name) : NtUnloadDriver(&name);
    out += status_text(status) + "\n";
    return NT_SUCCESS(status) ? 0 : 1;
}

}  // namespace

void register_admin_commands() {
    register_shell_command("reg", "reg query|add|delete|import|export ... - as `ntio reg` (reg --help)", reg_command);
    register_shell_command("sc", "sc create|start|stop|query|qc|config|delete ... - as `ntio sc`", sc_command);
    register_shell_command("load", "load SERVICE - NtLoadDriver(Services\\SERVICE)",
                           [](System&, const std::vector<std::string>& args, std::string& out) {
                               return driver_command(args, out, true);
                           });
    register_shell_command("unload", "unload SERVICE - NtUnloadDriver(Services\\SERVICE)",
                           [](System&, const std::vector<std::string>& args, std::string& out) {
                               return driver_command(args, out, false);
                           });
}

}  // namespace ntio::tool

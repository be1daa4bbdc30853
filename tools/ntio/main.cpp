// The ntio command. With no subcommand it boots the default system and runs the guided tour of the
// in-box drivers (tour.cpp); --namespace prints the object namespace instead, -q only boots and
// shuts down. `ntio reg` manages the registry, `ntio sc` the driver services, `ntio run` runs a
// Win32 program with a driver loaded, `ntio shell` is the interactive session; `ntio kd`, `ntio
// trace` and `ntio bench` are forwarded to their engines. --hive (or NTIO_HIVE) names the hive file.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "boot.hpp"
#include "forwarded_commands.hpp"
#include "ob/object_manager.hpp"
#include "reg_command.hpp"
#include "run_command.hpp"
#include "sc_command.hpp"
#include "shell.hpp"
#include "tour.hpp"

int main(int argc, char** argv) {
    if (int status = ntio::tool::run_forwarded_command(argc, argv); status >= 0) return status;
    CLI::App app{"ntio: the Windows NT I/O architecture in user space"};
    ntio::tool::GlobalOptions options;
    bool quiet = false;
    bool show_namespace = false;
    int exit_code = 0;
    app.add_option("--hive", options.hive, "registry hive file (SQLite); default: NTIO_HIVE, else the embedded hive");
    app.add_flag("-q,--quiet", quiet, "boot and shut down, print nothing");
    app.add_flag("--namespace", show_namespace, "boot and print the object namespace instead of the tour");
    app.set_version_flag("--version", "ntio 0.1.0");
    ntio::tool::add_reg_command(app, options, exit_code);
    ntio::tool::add_sc_command(app, options, exit_code);
    // `ntio run [options] -- PROGRAM ARGS`: the program's words never reach CLI11.
    std::optional<std::vector<std::string>> program;
    bool after_run = false;
    for (int i = 1; i < argc; ++i) {
        after_run = after_run || std::string_view(argv[i]) == "run";
        if (after_run && std::string_view(argv[i]) == "--") {
            program.emplace(argv + i + 1, argv + argc);
            argc = i;
            break;
        }
    }
    ntio::tool::add_run_command(app, options, exit_code, program);
    ntio::tool::add_shell_command(app, options, exit_code);
    ntio::tool::add_forwarded_commands(app, exit_code);
    CLI11_PARSE(app, argc, argv);
    if (!app.get_subcommands().empty()) return exit_code;
    if (!quiet && !show_namespace) return ntio::tool::run_tour(options);

    std::unique_ptr<ntio::System> system = ntio::tool::boot(options);
    if (!system) return 1;
    std::string tree;
    system->objects().dump_namespace(tree);
    if (!quiet) {
        fmt::print("ntio: system booted; object namespace:\n{}", tree);
        fmt::print("{} objects, {} handles\n", system->objects().object_count(), system->objects().handle_count());
    }
    return 0;
}

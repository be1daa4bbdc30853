// The ntio command: boots the embedded default system and prints its object namespace tree.
// Later issues add the registry-driven boot, driver loading, run/bench/inspect subcommands.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <string>

#include "ntio/system.hpp"
#include "ob/object_manager.hpp"

int main(int argc, char** argv) {
    CLI::App app{"ntio: the Windows NT I/O architecture in user space"};
    bool quiet = false;
    app.add_flag("-q,--quiet", quiet, "boot and shut down without printing the namespace");
    app.set_version_flag("--version", "ntio 0.1.0");
    CLI11_PARSE(app, argc, argv);

    ntio::System system;
    std::string tree;
    system.objects().dump_namespace(tree);
    if (!quiet) {
        fmt::print("ntio: system booted; object namespace:\n{}", tree);
        fmt::print("{} objects, {} handles\n", system.objects().object_count(), system.objects().handle_count());
    }
    return 0;
}

// The ntio command: boots the embedded default system and prints the object namespace.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "ntio/system.hpp"

int main(int argc, char** argv) {
    CLI::App app{"ntio: the Windows NT I/O architecture in user space"};
    CLI11_PARSE(app, argc, argv);
    ntio::System system;
    fmt::print("ntio booted\n");
    return 0;
}

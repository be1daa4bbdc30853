// `ntio kd`, `ntio trace` and `ntio bench`: subcommands whose engines live elsewhere (the inspector,
// the verifier's trace tool, the benchmark harness). kd and trace take their own arguments, so the
// ntio command hands them the rest of its command line untouched.
#pragma once

namespace CLI { class App; }  // <CLI/CLI.hpp> only where a command is built: it costs seconds per file

namespace ntio::tool {

// When the command line's first word (after the global options) is "kd" or "trace", runs that
// command with argv[0] = its name and returns its exit status; else returns -1.
int run_forwarded_command(int argc, char** argv);

// Lists kd and trace in --help, and adds `bench` (the harness's command when the benchmarks are
// built, else one that says they are not).
void add_forwarded_commands(CLI::App& app, int& exit_code);

}  // namespace ntio::tool

// `ntio bench`: the engine of the performance gates (performance-gates.md) as a CLI11 command, for
// the ntio tool and for the stand-alone ntio_gates executable. It prints the baselines table, then
// one line per gate (median ratio, min-max, limit, absolute medians, verdict), or a Markdown table,
// or JSON for machines; a progress line goes to stderr when it is a terminal.
#pragma once

#include <string>
#include <vector>

namespace CLI { class App; }  // <CLI/CLI.hpp> only where a command is built: it costs seconds per file

namespace ntio::bench {

struct BenchArgs {
    bool gates = false;      // exit non-zero when a gate fails
    bool quick = false;      // smoke run: few pairs, short phases, every gate
    std::string json;        // write JSON results to this file ("-": stdout, and nothing else there)
    std::vector<std::string> only;  // --gate ID (repeatable): those gates and their parts
    bool baselines = false;  // print the baselines table alone
    bool markdown = false;   // Markdown tables for docs/performance.md
    int pairs = 0;           // --pairs N: interleaved pairs per gate (0: 5, or 3 with --quick)
    double seconds = 0;      // --seconds S: least length of each phase (0: 0.5 s, or 0.05 s with --quick)
};

// The options above on `app` itself (ntio_gates) ...
void add_bench_options(CLI::App& app, BenchArgs& args);
// ... or as the `bench` subcommand of the ntio tool; its status lands in `exit_code`.
void add_bench_command(CLI::App& app, int& exit_code);

// ntio_gates' main: the options above at top level, parsed from the command line, then run_bench
// (CLI11 stays in bench_command.cpp).
int gates_main(int argc, char** argv);

// Boots a System, measures, reports. 0, or 1 when --gates and a gate failed, 2 for bad arguments.
int run_bench(const BenchArgs& args);

}  // namespace ntio::bench

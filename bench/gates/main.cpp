// ntio_gates: `ntio bench` as a stand-alone executable (the same options at top level), so the
// gates can be run and tested without the ntio tool.
#include <CLI/CLI.hpp>

#include "harness/bench_command.hpp"

int main(int argc, char** argv) {
    CLI::App app{"ntio_gates: the performance gates of performance-gates.md as ratios against in-process baselines"};
    ntio::bench::BenchArgs args;
    ntio::bench::add_bench_options(app, args);
    CLI11_PARSE(app, argc, argv);
    return ntio::bench::run_bench(args);
}

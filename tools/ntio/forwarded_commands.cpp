// The forwarding of `ntio kd` to ntio::inspect::kd_main, `ntio trace` to ntio::verifier::trace_main
// (when src/verifier/trace_tool.hpp is part of the tree) and `ntio bench` to the benchmark harness
// (when the ntio_bench library is linked, NTIO_HAVE_BENCH).
#include "forwarded_commands.hpp"

#include <fmt/core.h>

#include <string>
#include <string_view>
#include <CLI/CLI.hpp>

#include "inspect/kd_tool.hpp"

#if __has_include("verifier/trace_tool.hpp")
#include "verifier/trace_tool.hpp"
#define NTIO_TOOL_TRACE 1
#else
#define NTIO_TOOL_TRACE 0
#endif

#if NTIO_HAVE_BENCH
#include "harness/bench_command.hpp"
#endif

namespace ntio::tool {

int run_forwarded_command(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view word = argv[i];
        if (word == "--hive") {
            ++i;  // its value
            continue;
        }
        if (word.starts_with("-")) continue;
        if (word == "kd") return ntio::inspect::kd_main(argc - i, argv + i);
        if (word == "trace") {
#if NTIO_TOOL_TRACE
            return ntio::verifier::trace_main(argc - i, argv + i);
#else
            fmt::print(stderr, "ntio trace: not built (this build has no verifier trace tool)\n");
            return 2;
#endif
        }
        return -1;
    }
    return -1;
}

void add_forwarded_commands(CLI::App& app, int& exit_code) {
    // Reached only through --help: run_forwarded_command takes these before CLI11 parses.
    app.add_subcommand("kd", "the kd-style inspector on a dump (-z DUMP) or a running ntio process (-p PID); "
                             "ntio kd --help")
        ->allow_extras();
    app.add_subcommand("trace", "the verifier's I/O trace; ntio trace --help")->allow_extras();
#if NTIO_HAVE_BENCH
    ntio::bench::add_bench_command(app, exit_code);
#else
    CLI::App* bench = app.add_subcommand("bench", "the performance gates (not in this build)");
    bench->allow_extras();
    bench->callback([&exit_code] {
        fmt::print(stderr, "ntio bench: this ntio was built without benchmarks (configure with -DNTIO_BUILD_BENCH=ON)\n");
        exit_code = 2;
    });
#endif
}

}  // namespace ntio::tool

// The `ntio kd` command: argument handling, the read-eval loop, and the two back ends (a loaded dump,
// or the attach server of another process).
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <string>

#include "inspect/kd_tool.hpp"

#include "host/process.hpp"

#include "inspect/dump.hpp"
#include "inspect/kd_commands.hpp"
#include "inspect/kd_server.hpp"

namespace ntio::inspect {
namespace {

constexpr const char* kUsage =
    "usage: ntio kd (-z DUMP | -p PID) [COMMAND ...]\n"
    "  -z DUMP   open a dump file (ntio-<pid>-<time>.dmp)\n"
    "  -p PID    attach to a running ntio process (read-only)\n"
    "  COMMAND   e.g. !irpfind, !devstack Null; ';' separates commands; none: read them from stdin\n";

std::string trim(const std::string& s) {
    std::size_t b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return {};
    std::size_t e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

// Runs each ';'-separated command of `line`; returns 1 if any failed.
int run_line(const std::string& line, const std::function<int(const std::string&, std::string&)>& run) {
    int result = 0;
    std::size_t start = 0;
    while (start <= line.size()) {
        std::size_t end = line.find(';', start);
        if (end == std::string::npos) end = line.size();
        std::string command = trim(line.substr(start, end - start));
        start = end + 1;
        if (command.empty()) continue;
        std::string out;
        int status = run(command, out);
        std::fwrite(out.data(), 1, out.size(), stdout);
        if (!out.empty() && out.back() != '\n') std::fputc('\n', stdout);
        if (status == 2) return 2;
        if (status != 0) result = 1;
    }
    std::fflush(stdout);
    return result;
}

}  // namespace

int kd_main(int argc, char** argv) {
    std::string dump;
    long pid = 0;
    int i = 1;
    for (; i < argc; ++i) {
        std::string arg = argv[i];
        if ((arg == "-z" || arg == "-p") && i + 1 < argc) {
            std::string value = argv[++i];
            if (arg == "-z") {
                dump = value;
            } else {
                char* end = nullptr;
                pid = std::strtol(value.c_str(), &end, 10);
                if (!end || *end || pid <= 0) {
                    std::fprintf(stderr, "ntio kd: bad process id '%s'\n%s", value.c_str(), kUsage);
                    return 2;
                }
            }
        } else if (arg == "-h" || arg == "--help") {
            std::fputs(kUsage, stdout);
            return 0;
        } else {
            break;
        }
    }
    if (dump.empty() == (pid == 0)) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    Snapshot snapshot;
    std::function<int(const std::string&, std::string&)> run;
    if (!dump.empty()) {
        std::string error;
        if (!load_dump(dump, snapshot, error)) {
            std::fprintf(stderr, "ntio kd: %s\n", error.c_str());
            return 2;
        }
        run = [&](const std::string& command, std::string& out) { return run_kd_command(snapshot, command, out); };
    } else {
        run = [&](const std::string& command, std::string& out) { return kd_client(pid, command, out); };
    }
    if (i < argc) {
        std::string line;
        for (; i < argc; ++i) line += std::string(line.empty() ? "" : " ") + argv[i];
        return run_line(line, run);
    }
    const bool interactive = host::input_is_terminal();
    if (interactive && !dump.empty() && snapshot.bugcheck) {
        std::printf("Bugcheck %08X (%016llx, %016llx, %016llx, %016llx)\n", snapshot.bugcheck->code,
                    static_cast<unsigned long long>(snapshot.bugcheck->params[0]),
                    static_cast<unsigned long long>(snapshot.bugcheck->params[1]),
                    static_cast<unsigned long long>(snapshot.bugcheck->params[2]),
                    static_cast<unsigned long long>(snapshot.bugcheck->params[3]));
    }
    int result = 0;
    std::string line;
    for (;;) {
        if (interactive) {
            std::fputs("kd> ", stdout);
            std::fflush(stdout);
        }
        if (!std::getline(std::cin, line)) break;
        line = trim(line);
        if (line == "q" || line == "quit") break;
        int status = run_line(line, run);
        if (status == 2) return 2;
        if (status) result = 1;
    }
    return result;
}

}  // namespace ntio::inspect

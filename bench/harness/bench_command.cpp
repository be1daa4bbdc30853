// The `ntio bench` command: argument handling, the run (baselines table, then the selected gates),
// and the three report forms (text, Markdown, JSON).
#include "harness/bench_command.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>
#include <CLI/CLI.hpp>

#include "baselines/baselines.hpp"
#include "baselines/raw_uring.hpp"
#include "gates/gates.hpp"
#include "ntio/system.hpp"

#ifndef NTIO_BENCH_BUILD_TYPE
#define NTIO_BENCH_BUILD_TYPE "unknown"
#endif

namespace ntio::bench {

namespace {

std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* fmt, ...) {
    char text[1024];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(text, sizeof(text), fmt, args);
    va_end(args);
    return text;
}

// A figure with its unit, nanoseconds scaled to us or ms when large.
std::string quantity(double value, const std::string& unit) {
    if (unit.rfind("ns", 0) == 0) {
        const std::string rest = unit.substr(2);
        if (value >= 1e6) return format("%.2f ms%s", value / 1e6, rest.c_str());
        if (value >= 1e4) return format("%.1f us%s", value / 1e3, rest.c_str());
        return format("%.1f ns%s", value, rest.c_str());
    }
    return format("%.4g %s", value, unit.c_str());
}

struct Machine {
    std::string cpu, kernel, compiler, build_type, started, load_start, load_end, uring, fio;
    int cpus = 0;
};

std::string first_line_of(const char* path, const char* key) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        if (!key) return line;
        if (line.rfind(key, 0) == 0) {
            const size_t colon = line.find(':');
            return colon == std::string::npos ? line : line.substr(line.find_first_not_of(" \t", colon + 1));
        }
    }
    return {};
}

std::string load_average() {
    const std::string line = first_line_of("/proc/loadavg", nullptr);
    std::istringstream in(line);
    std::string one, five, fifteen;
    in >> one >> five >> fifteen;
    return one + " " + five + " " + fifteen;
}

Machine probe_machine() {
    Machine m;
    m.cpu = first_line_of("/proc/cpuinfo", "model name");
    m.cpus = cpu_count();
    utsname u{};
    if (uname(&u) == 0) m.kernel = std::string(u.sysname) + " " + u.release;
#if defined(__clang__)
    m.compiler = std::string("clang ") + __clang_version__;
#else
    m.compiler = std::string("gcc ") + __VERSION__;
#endif
    m.build_type = NTIO_BENCH_BUILD_TYPE;
    const std::time_t now = std::time(nullptr);
    char when[64];
    std::strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    m.started = when;
    m.load_start = load_average();
    std::string why;
    m.uring = io_uring_available(&why) ? "available" : why;
    m.fio = std::system("fio --version >/dev/null 2>&1") == 0 ? "available" : "not installed";
    return m;
}

// ---- JSON ----------------------------------------------------------------------------------

std::string json_string(const std::string& text) {
    std::string out = "\"";
    for (unsigned char c : text) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) out += format("\\u%04x", c);
            else out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

std::string json_number(double value) { return std::isfinite(value) ? format("%.6g", value) : "null"; }

std::string to_json(const BenchArgs& args, const GateOptions& options, const Machine& m,
                    const std::vector<BaselineResult>& baselines, const std::vector<GateResult>& gates) {
    std::string out = "{\n";
    out += "  \"tool\": \"ntio bench\",\n  \"format\": 1,\n";
    out += format("  \"quick\": %s,\n  \"pairs\": %d,\n  \"min_seconds\": %s,\n", args.quick ? "true" : "false",
                  options.pairs, json_number(options.min_seconds).c_str());
    out += "  \"machine\": {\"cpu\": " + json_string(m.cpu) + format(", \"cpus\": %d", m.cpus) +
           ", \"kernel\": " + json_string(m.kernel) + ", \"compiler\": " + json_string(m.compiler) +
           ", \"build_type\": " + json_string(m.build_type) + ", \"started\": " + json_string(m.started) +
           ", \"load_average_start\": " + json_string(m.load_start) + ", \"load_average_end\": " +
           json_string(m.load_end) + ", \"io_uring\": " + json_string(m.uring) + ", \"fio\": " + json_string(m.fio) +
           "},\n";
    out += "  \"baselines\": [";
    for (size_t i = 0; i < baselines.size(); ++i) {
        const BaselineResult& b = baselines[i];
        out += i ? ",\n    " : "\n    ";
        out += "{\"name\": " + json_string(b.name) + ", \"what\": " + json_string(b.what) +
               ", \"unit\": " + json_string(b.unit) + ", \"median\": " + json_number(b.median) +
               ", \"min\": " + json_number(b.min) + ", \"max\": " + json_number(b.max) +
               ", \"reference\": " + json_string(b.reference) +
               ", \"skipped\": " + (b.skipped.empty() ? std::string("null") : json_string(b.skipped)) + "}";
    }
    out += baselines.empty() ? "],\n" : "\n  ],\n";
    out += "  \"gates\": [";
    for (size_t i = 0; i < gates.size(); ++i) {
        const GateResult& g = gates[i];
        out += i ? ",\n    " : "\n    ";
        out += "{\"id\": " + json_string(g.id) + ", \"description\": " + json_string(g.description);
        if (g.skipped.empty()) {
            out += ", \"ratio\": {\"median\": " + json_number(g.ratio_median) + ", \"min\": " +
                   json_number(g.ratio_min) + ", \"max\": " + json_number(g.ratio_max) + "}";
            out += ", \"ntio\": {\"median\": " + json_number(g.ntio_ns) + ", \"unit\": " + json_string(g.ntio_unit) +
                   "}, \"baseline\": {\"median\": " + json_number(g.baseline_ns) +
                   ", \"unit\": " + json_string(g.baseline_unit) + "}";
        } else {
            out += ", \"ratio\": null, \"ntio\": null, \"baseline\": null";
        }
        out += ", \"limit\": " + json_number(g.limit) + ", \"comparison\": " + json_string(g.at_least ? ">=" : "<=") +
               ", \"verdict\": " + json_string(g.verdict()) +
               ", \"informational\": " + (g.informational ? "true" : "false") +
               ", \"skipped\": " + (g.skipped.empty() ? std::string("null") : json_string(g.skipped)) + ", \"notes\": [";
        for (size_t n = 0; n < g.notes.size(); ++n) out += (n ? ", " : "") + json_string(g.notes[n]);
        out += "]}";
    }
    out += gates.empty() ? "]\n}\n" : "\n  ]\n}\n";
    return out;
}

// ---- text and Markdown ---------------------------------------------------------------------

std::string baseline_figure(const BaselineResult& b) {
    if (!b.skipped.empty()) return "SKIP (" + b.skipped + ")";
    if (b.unit.rfind("ns", 0) != 0) return quantity(b.median, b.unit) + format(" [%.4g - %.4g]", b.min, b.max);
    return quantity(b.median, b.unit) + " [" + quantity(b.min, b.unit) + " - " + quantity(b.max, b.unit) + "]";
}

void print_baselines_text(const std::vector<BaselineResult>& rows) {
    std::printf("%-22s %-36s %-28s %s\n", "baseline", "median [min - max]", "spec reference", "what");
    for (const BaselineResult& b : rows)
        std::printf("%-22s %-36s %-28s %s\n", b.name.c_str(), baseline_figure(b).c_str(), b.reference.c_str(),
                    b.what.c_str());
    std::printf("\n");
}

// Text for a Markdown table cell: a '|' would end the cell.
std::string md(const std::string& text) {
    std::string out;
    for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
    return out;
}

void print_baselines_markdown(const std::vector<BaselineResult>& rows) {
    std::printf("| baseline | what | median | min-max | spec reference |\n|---|---|---|---|---|\n");
    for (const BaselineResult& b : rows) {
        if (!b.skipped.empty())
            std::printf("| %s | %s | SKIP: %s | | %s |\n", b.name.c_str(), md(b.what).c_str(), md(b.skipped).c_str(),
                        b.reference.c_str());
        else if (b.unit.rfind("ns", 0) != 0)
            std::printf("| %s | %s | %s | %.4g - %.4g | %s |\n", b.name.c_str(), md(b.what).c_str(),
                        quantity(b.median, b.unit).c_str(), b.min, b.max, b.reference.c_str());
        else
            std::printf("| %s | %s | %s | %s - %s | %s |\n", b.name.c_str(), md(b.what).c_str(),
                        quantity(b.median, b.unit).c_str(), quantity(b.min, b.unit).c_str(),
                        quantity(b.max, b.unit).c_str(), b.reference.c_str());
    }
    std::printf("\n");
}

void print_gate_text(const GateResult& r) {
    const char* op = r.at_least ? ">=" : "<=";
    if (!r.skipped.empty())
        std::printf("%-9s SKIP  %s  (%s)\n", r.id.c_str(), r.skipped.c_str(), r.description.c_str());
    else
        std::printf("%-9s ratio %.3f [%.3f-%.3f] limit %s %.2f  ntio %s  baseline %s  %s  (%s)\n", r.id.c_str(),
                    r.ratio_median, r.ratio_min, r.ratio_max, op, r.limit, quantity(r.ntio_ns, r.ntio_unit).c_str(),
                    quantity(r.baseline_ns, r.baseline_unit).c_str(), r.verdict(), r.description.c_str());
    for (const std::string& line : r.notes) std::printf("          %s\n", line.c_str());
    std::fflush(stdout);
}

void print_gates_markdown_header() {
    std::printf("| gate | what | ratio (median) | min-max | limit | ntio | baseline | verdict |\n");
    std::printf("|---|---|---|---|---|---|---|---|\n");
}

void print_gate_markdown(const GateResult& r) {
    const char* op = r.at_least ? ">=" : "<=";
    if (!r.skipped.empty()) {
        std::printf("| %s | %s | | | %s %.2f | | | SKIP: %s |\n", r.id.c_str(), md(r.description).c_str(), op, r.limit,
                    md(r.skipped).c_str());
        return;
    }
    const std::string verdict = std::string(r.verdict()) == "FAIL" ? "**FAIL**" : r.verdict();
    std::printf("| %s | %s | %.3f | %.3f-%.3f | %s %.2f | %s | %s | %s |\n", r.id.c_str(), md(r.description).c_str(),
                r.ratio_median, r.ratio_min, r.ratio_max, op, r.limit, quantity(r.ntio_ns, r.ntio_unit).c_str(),
                quantity(r.baseline_ns, r.baseline_unit).c_str(), verdict.c_str());
    std::fflush(stdout);
}

// Entries to run for the --gate list: those selected, plus an entry whose part was asked for by
// name when no entry carries that name itself (C4.cpu comes from C4).
std::vector<const GateEntry*> entries_for(const std::vector<std::string>& only) {
    std::vector<const GateEntry*> chosen;
    for (const GateEntry& entry : gate_table()) {
        bool run = gate_selected(entry.id, only);
        for (const std::string& w : only) {
            bool named = false;
            for (const GateEntry& other : gate_table()) named = named || w == other.id;
            if (!named && gate_selected(w, {entry.id})) run = true;
        }
        if (run) chosen.push_back(&entry);
    }
    return chosen;
}

}  // namespace

void add_bench_options(CLI::App& app, BenchArgs& args) {
    app.add_flag("--gates", args.gates, "exit non-zero when a gate fails");
    app.add_flag("--quick", args.quick, "short smoke run: 3 pairs of 0.05 s, every gate");
    app.add_option("--json", args.json, "write the results as JSON to FILE ('-': stdout, nothing else there)");
    app.add_option("--gate", args.only, "run only this gate and its parts (repeatable; A4 runs A4 and A4.port)")
        ->delimiter(',');
    app.add_flag("--baselines", args.baselines, "print the baselines table alone");
    app.add_flag("--markdown", args.markdown, "print Markdown tables (for docs/performance.md)");
    // More pairs than the spec's five narrow the median where a ratio sits near its bound on a noisy
    // machine; the spec's method stays the default.
    app.add_option("--pairs", args.pairs, "interleaved ntio/baseline pairs per gate (default 5; 3 with --quick)")
        ->check(CLI::Range(1, 1000));
    app.add_option("--seconds", args.seconds, "least length of each phase in seconds (default 0.5; 0.05 with --quick)")
        ->check(CLI::Range(0.001, 60.0));
}

void add_bench_command(CLI::App& app, int& exit_code) {
    auto args = std::make_shared<BenchArgs>();
    CLI::App* bench = app.add_subcommand(
        "bench", "measure the performance gates as ratios against in-process baselines (performance-gates.md)");
    add_bench_options(*bench, *args);
    bench->callback([args, &exit_code] { exit_code = run_bench(*args); });
}

int gates_main(int argc, char** argv) {
    CLI::App app{"ntio_gates: the performance gates of performance-gates.md as ratios against in-process baselines"};
    BenchArgs args;
    add_bench_options(app, args);
    CLI11_PARSE(app, argc, argv);
    return run_bench(args);
}

int run_bench(const BenchArgs& args) {
    for (const std::string& id : args.only) {
        const std::string base = id.substr(0, id.find('.'));
        bool known = false;
        for (const GateEntry& entry : gate_table()) known = known || entry.id == id || entry.id == base;
        if (!known) {
            std::fprintf(stderr, "ntio bench: no gate %s\n", id.c_str());
            return 2;
        }
    }
    GateOptions options;
    if (args.quick) {
        options.pairs = 3;
        options.min_seconds = 0.05;
        options.quick = true;
    }
    if (args.pairs > 0) options.pairs = args.pairs;
    if (args.seconds > 0) options.min_seconds = args.seconds;
    const bool json_only = args.json == "-";
    const bool text = !json_only;
    Machine machine = probe_machine();
    ntio::System system;
    pin_to_cpu(0);  // the measuring thread; partners of the cross-core gates take cpu 1

    if (text && !args.markdown) {
        std::printf("ntio bench: %s, %d cpus, %s, %s (%s); load average %s; %d pairs x %.2f s per gate\n\n",
                    machine.cpu.c_str(), machine.cpus, machine.kernel.c_str(), machine.compiler.c_str(),
                    machine.build_type.c_str(), machine.load_start.c_str(), options.pairs, options.min_seconds);
        std::fflush(stdout);
    }
    std::vector<BaselineResult> baselines;
    if (args.baselines || args.only.empty()) {
        baselines = measure_baselines(options, {});
        progress_done();
        if (text) args.markdown ? print_baselines_markdown(baselines) : print_baselines_text(baselines);
    }
    std::vector<GateResult> results;
    if (!args.baselines) {
        const std::vector<const GateEntry*> entries = entries_for(args.only);
        if (text && args.markdown) print_gates_markdown_header();
        for (size_t i = 0; i < entries.size(); ++i) {
            progress_step("gate", static_cast<int>(i + 1), static_cast<int>(entries.size()), entries[i]->id);
            (void)take_notes();
            GateResults produced = entries[i]->run(options);
            std::vector<std::string> notes = take_notes();
            progress_done();
            for (GateResult& r : produced) {
                if (!gate_selected(r.id, args.only)) continue;
                // Notes logged during the entry belong to its first result.
                if (&r == &produced.front()) r.notes.insert(r.notes.begin(), notes.begin(), notes.end());
                if (text) args.markdown ? print_gate_markdown(r) : print_gate_text(r);
                results.push_back(std::move(r));
            }
        }
    }
    machine.load_end = load_average();
    if (text && !args.markdown) std::printf("\nload average at the end: %s\n", machine.load_end.c_str());
    if (!args.json.empty()) {
        const std::string doc = to_json(args, options, machine, baselines, results);
        if (json_only) {
            std::fwrite(doc.data(), 1, doc.size(), stdout);
        } else {
            std::ofstream out(args.json);
            out << doc;
            if (!out) {
                std::fprintf(stderr, "ntio bench: cannot write %s\n", args.json.c_str());
                return 2;
            }
        }
    }
    std::fflush(stdout);
    if (args.gates)
        for (const GateResult& r : results)
            if (std::string(r.verdict()) == "FAIL") return 1;
    return 0;
}

}  // namespace ntio::bench

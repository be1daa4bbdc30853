// !analyze: the bug check a dump was written for, in the layout of the WinDbg extension
// (https://learn.microsoft.com/windows-hardware/drivers/debuggercmds/-analyze): the banner, the code's
// name and meaning, its arguments (explained when the verifier reported the violation), and with -v
// the verifier's report and the BUGCHECK_* / IMAGE_NAME lines; "Probably caused by" names the image of
// the driver the verifier blamed. !analyze -show Code [Parameters] describes any code.
#include <cctype>
#include <cstdio>

#include "inspect/kd_format.hpp"
#include "rtl/bugcheck.hpp"

namespace ntio::inspect::kd {
namespace {

constexpr const char* kBanner =
    "*******************************************************************************\n"
    "*                                                                             *\n"
    "*                        Bugcheck Analysis                                    *\n"
    "*                                                                             *\n"
    "*******************************************************************************\n\n";

std::string short_hex(std::uint64_t v) {
    char text[32];
    std::snprintf(text, sizeof text, "%llx", static_cast<unsigned long long>(v));
    return text;
}

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

// The name, meaning and arguments of a code. `explained`: the report's "ArgN: value, meaning" lines,
// used instead of the bare values when there are four of them.
void describe(std::uint32_t code, const std::array<std::uint64_t, 4>& params, const std::vector<std::string>& explained,
              std::string& out) {
    const char* name = rtl::bugcheck_name(code);
    out += std::string(name ? name : "UNKNOWN_BUGCHECK_CODE") + " (" + short_hex(code) + ")\n";
    if (const char* meaning = rtl::bugcheck_meaning(code)) out += std::string(meaning) + "\n";
    out += "\nArguments:\n";
    if (explained.size() == 4) {
        for (const std::string& line : explained) out += line + "\n";
    } else {
        for (int i = 0; i < 4; ++i) out += "Arg" + std::to_string(i + 1) + ": " + hex(params[i], 16) + "\n";
    }
}

// The module holding `address`, or null.
const ModuleSnap* module_of(const Snapshot& s, Addr address) {
    for (const ModuleSnap& m : s.modules)
        if (address >= m.start && address < m.end) return &m;
    return nullptr;
}

std::string file_of(const std::string& path) {
    const std::size_t slash = path.rfind('\\');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

int show(const Args& a, std::string& out) {
    static const char* const kUsage = "Usage: !analyze -show BugCheckCode [BugParameters]";
    if (a.size() < 2 || a.size() > 6) return fail(out, kUsage);
    const auto code = parse_number(a[1]);
    if (!code || *code > 0xFFFFFFFFull) return fail(out, kUsage);
    std::array<std::uint64_t, 4> params{};
    for (std::size_t i = 2; i < a.size(); ++i) {
        const auto p = parse_number(a[i]);
        if (!p) return fail(out, kUsage);
        params[i - 2] = *p;
    }
    describe(static_cast<std::uint32_t>(*code), params, {}, out);
    return 0;
}

}  // namespace

int cmd_analyze(const Snapshot& s, const Args& a, std::string& out) {
    static const char* const kUsage = "Usage: !analyze [-v] | !analyze -show BugCheckCode [BugParameters]";
    if (!a.empty() && a[0] == "-show") return show(a, out);
    bool verbose = false;
    for (const std::string& arg : a) {
        if (arg == "-v" || arg == "-v1" || arg == "-vv") verbose = true;
        else return fail(out, kUsage);
    }
    if (!s.bugcheck) return fail(out, "No bug check: this is a snapshot of a running system (!analyze reads a dump written at a bug check)");
    const BugcheckSnap& bc = *s.bugcheck;
    // The report's argument lines carry their meanings; the rest of it is the verifier's account.
    std::vector<std::string> explained, rest;
    for (const std::string& line : split_lines(bc.report)) {
        if (line.size() > 5 && line.compare(0, 3, "Arg") == 0 && std::isdigit(static_cast<unsigned char>(line[3])) &&
            line[4] == ':')
            explained.push_back(line);
        else if (!line.empty())
            rest.push_back(line);
    }
    if (!rest.empty()) rest.erase(rest.begin());  // the report's first line repeats the code's name
    out += kBanner;
    describe(bc.code, bc.params, explained, out);
    // The blamed driver's image; a driver without one (created in-process) goes by its service name.
    std::string image, culprit;
    if (const DriverSnap* driver = bc.driver.empty() ? nullptr : s.driver_named(bc.driver)) {
        const Addr inside = driver->driver_init ? driver->driver_init : driver->unload;
        if (const ModuleSnap* module = module_of(s, inside)) image = file_of(module->path);
        culprit = image.empty() ? driver->service : image;
    }
    if (verbose) {
        if (!rest.empty()) {
            out += "\nVerifier report:\n";
            for (const std::string& line : rest) out += "  " + line + "\n";
        }
        out += "\nBUGCHECK_CODE:  " + short_hex(bc.code) + "\n\n";
        for (int i = 0; i < 4; ++i) out += "BUGCHECK_P" + std::to_string(i + 1) + ": " + short_hex(bc.params[i]) + "\n";
        if (!bc.driver.empty()) out += "\nDRIVER_OBJECT_NAME:  " + bc.driver + "\n";
        if (!image.empty()) {
            const std::size_t dot = image.rfind('.');
            out += "\nIMAGE_NAME:  " + image + "\n\nMODULE_NAME: " + (dot == std::string::npos ? image : image.substr(0, dot)) + "\n";
        }
    } else {
        out += "\nProbably caused by : " + (culprit.empty() ? std::string("Unknown_Image") : culprit) + "\n";
    }
    return 0;
}

}  // namespace ntio::inspect::kd

// Command-line parsing and dispatch of the inspector commands, the number conventions of WinDbg and
// the NT major and minor function names the IRP views print.
#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "io/irp_names.hpp"
#include "inspect/kd_commands.hpp"
#include "inspect/kd_format.hpp"
#include "inspect/snapshot_json.hpp"

namespace ntio::inspect {
namespace kd {

std::string ptr(Addr a) { return hex(a, 16); }

std::string hex(std::uint64_t v, int width) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%0*llx", width, static_cast<unsigned long long>(v));
    return buf;
}

std::optional<std::uint64_t> parse_number(std::string_view text) {
    int base = 16;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        text.remove_prefix(2);
    } else if (text.size() > 2 && text[0] == '0' && (text[1] == 'n' || text[1] == 'N')) {
        text.remove_prefix(2);
        base = 10;
    }
    std::string clean;
    for (char c : text)
        if (c != '`') clean.push_back(c);  // WinDbg's 64-bit separator
    if (clean.empty() || clean.size() > 16) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : clean) {
        int digit;
        if (c >= '0' && c <= '9') digit = c - '0';
        else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
        else return std::nullopt;
        if (digit >= base) return std::nullopt;
        v = v * static_cast<unsigned>(base) + static_cast<unsigned>(digit);
    }
    return v;
}

std::optional<std::uint64_t> parse_decimal(std::string_view text) {
    if (text.empty() || text.size() > 19) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    return v;
}

const char* major_name(unsigned major) {
    const char* name = io::major_function_name(major);
    return name ? name : "N/A";
}

std::string minor_name(unsigned major, unsigned minor) {
    // Minor codes of the !irp documentation (PnP, power, WMI) and the file-system control minors.
    static const char* const kPnp[] = {
        "IRP_MN_START_DEVICE", "IRP_MN_QUERY_REMOVE_DEVICE", "IRP_MN_REMOVE_DEVICE",
        "IRP_MN_CANCEL_REMOVE_DEVICE", "IRP_MN_STOP_DEVICE", "IRP_MN_QUERY_STOP_DEVICE",
        "IRP_MN_CANCEL_STOP_DEVICE", "IRP_MN_QUERY_DEVICE_RELATIONS", "IRP_MN_QUERY_INTERFACE",
        "IRP_MN_QUERY_CAPABILITIES", "IRP_MN_QUERY_RESOURCES", "IRP_MN_QUERY_RESOURCE_REQUIREMENTS",
        "IRP_MN_QUERY_DEVICE_TEXT", "IRP_MN_FILTER_RESOURCE_REQUIREMENTS", "N/A", "IRP_MN_READ_CONFIG",
        "IRP_MN_WRITE_CONFIG", "IRP_MN_EJECT", "IRP_MN_SET_LOCK", "IRP_MN_QUERY_ID", "IRP_MN_QUERY_PNP_DEVICE_STATE",
        "IRP_MN_QUERY_BUS_INFORMATION", "IRP_MN_DEVICE_USAGE_NOTIFICATION", "IRP_MN_SURPRISE_REMOVAL",
        "N/A", "IRP_MN_DEVICE_ENUMERATED",
    };
    static const char* const kPower[] = {"IRP_MN_WAIT_WAKE", "IRP_MN_POWER_SEQUENCE", "IRP_MN_SET_POWER",
                                         "IRP_MN_QUERY_POWER"};
    static const char* const kWmi[] = {
        "IRP_MN_QUERY_ALL_DATA", "IRP_MN_QUERY_SINGLE_INSTANCE", "IRP_MN_CHANGE_SINGLE_INSTANCE",
        "IRP_MN_CHANGE_SINGLE_ITEM", "IRP_MN_ENABLE_EVENTS", "IRP_MN_DISABLE_EVENTS",
        "IRP_MN_ENABLE_COLLECTION", "IRP_MN_DISABLE_COLLECTION", "IRP_MN_REGINFO", "IRP_MN_EXECUTE_METHOD",
        "N/A", "IRP_MN_REGINFO_EX",
    };
    static const char* const kFsctl[] = {"IRP_MN_USER_FS_REQUEST", "IRP_MN_MOUNT_VOLUME", "IRP_MN_VERIFY_VOLUME",
                                         "IRP_MN_LOAD_FILE_SYSTEM", "IRP_MN_KERNEL_CALL"};
    auto pick = [&](const char* const* names, std::size_t count) -> std::string {
        return minor < count ? names[minor] : "N/A";
    };
    switch (major) {
    case 0x1b: return pick(kPnp, sizeof kPnp / sizeof kPnp[0]);
    case 0x16: return pick(kPower, sizeof kPower / sizeof kPower[0]);
    case 0x17: return pick(kWmi, sizeof kWmi / sizeof kWmi[0]);
    case 0x0d: return pick(kFsctl, sizeof kFsctl / sizeof kFsctl[0]);
    default: return "N/A";
    }
}

namespace {
thread_local Selection* t_selection = nullptr;

template <class T>
void add_once(std::vector<const T*>& list, const T& v) {
    for (const T* seen : list)
        if (seen == &v) return;
    list.push_back(&v);
}
}  // namespace

void record(const IrpSnap& v) { if (t_selection) add_once(t_selection->irps, v); }
void record(const DeviceSnap& v) { if (t_selection) add_once(t_selection->devices, v); }
void record(const DriverSnap& v) { if (t_selection) add_once(t_selection->drivers, v); }
void record(const ObjectSnap& v) { if (t_selection) add_once(t_selection->objects, v); }
void record(const HandleSnap& v) { if (t_selection) add_once(t_selection->handles, v); }
void record(const ThreadSnap& v) { if (t_selection) add_once(t_selection->threads, v); }
void record(const ProcessSnap& v) { if (t_selection) add_once(t_selection->processes, v); }
void record(const PoolSnap& v) { if (t_selection) add_once(t_selection->pool, v); }

int fail(std::string& out, const std::string& line) {
    out = line;
    if (out.empty() || out.back() != '\n') out += '\n';
    return 1;
}

}  // namespace kd

// The verifier views (kd_verifier.cpp, built with the verifier).
namespace kd { int cmd_verifier(const Snapshot&, const Args&, std::string&); int cmd_iovirp(const Snapshot&, const Args&, std::string&); }

namespace {

struct Command {
    const char* name;
    int (*run)(const Snapshot&, const kd::Args&, std::string&);
};

constexpr Command kCommands[] = {
    {"irp", kd::cmd_irp},           {"irpfind", kd::cmd_irpfind},   {"devobj", kd::cmd_devobj},
    {"drvobj", kd::cmd_drvobj},     {"devstack", kd::cmd_devstack}, {"object", kd::cmd_object},
    {"handle", kd::cmd_handle},     {"thread", kd::cmd_thread},     {"process", kd::cmd_process},
    {"poolused", kd::cmd_poolused}, {"ioctldecode", kd::cmd_ioctldecode},
    {"fileobj", kd::cmd_fileobj},   {"vpb", kd::cmd_vpb},
    {"verifier", kd::cmd_verifier}, {"iovirp", kd::cmd_iovirp},   {"analyze", kd::cmd_analyze},
};

kd::Args split(std::string_view line) {
    kd::Args args;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
        std::size_t start = i;
        while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
        if (i > start) args.emplace_back(line.substr(start, i - start));
    }
    return args;
}

int run_text(const Snapshot& snapshot, kd::Args args, std::string& out) {
    if (args.empty()) return kd::fail(out, "No command given");
    std::string name = args.front();
    args.erase(args.begin());
    // The debugger's own lm, also written run together with its options (lmf, lmm Pattern).
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.starts_with("lm")) {
        if (lower.size() > 2) args.insert(args.begin(), lower.substr(2));
        return kd::cmd_lm(snapshot, args, out);
    }
    if (name.empty() || name[0] != '!') return kd::fail(out, "Couldn't resolve error at '" + name + "'");
    name.erase(0, 1);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const Command& command : kCommands) {
        if (name == command.name) return command.run(snapshot, args, out);
    }
    return kd::fail(out, "No export " + name + " found");
}

template <class T>
nlohmann::json entries(const std::vector<const T*>& list) {
    nlohmann::json array = nlohmann::json::array();
    for (const T* v : list) array.push_back(*v);
    return array;
}

// --json mode: one JSON object with the command, its status, its text and the snapshot entries it
// printed (the layouts of snapshot_json.hpp), or the error line.
int run_json(const Snapshot& snapshot, const kd::Args& args, std::string& out) {
    kd::Selection selection;
    kd::t_selection = &selection;
    std::string text;
    int status = run_text(snapshot, args, text);
    kd::t_selection = nullptr;
    std::string command;
    for (const std::string& word : args) command += (command.empty() ? "" : " ") + word;
    nlohmann::json j;
    j["command"] = command;
    j["status"] = status;
    if (status != 0) {
        if (!text.empty() && text.back() == '\n') text.pop_back();
        j["error"] = text;
    } else {
        j["text"] = text;
        if (!selection.irps.empty()) j["irps"] = entries(selection.irps);
        if (!selection.devices.empty()) j["devices"] = entries(selection.devices);
        if (!selection.drivers.empty()) j["drivers"] = entries(selection.drivers);
        if (!selection.objects.empty()) j["objects"] = entries(selection.objects);
        if (!selection.handles.empty()) j["handles"] = entries(selection.handles);
        if (!selection.threads.empty()) j["threads"] = entries(selection.threads);
        if (!selection.processes.empty()) j["processes"] = entries(selection.processes);
        if (!selection.pool.empty()) j["pool"] = entries(selection.pool);
        nlohmann::json symbols = nlohmann::json::object();
        auto add_symbol = [&](Addr a) {
            if (std::string sym = snapshot.symbol(a); !sym.empty()) symbols[kd::ptr(a)] = sym;
        };
        for (const IrpSnap* irp : selection.irps) {
            add_symbol(irp->cancel_routine);
            for (const StackLocationSnap& l : irp->stack) add_symbol(l.completion);
        }
        for (const DriverSnap* d : selection.drivers) {
            for (Addr a : {d->driver_init, d->start_io, d->unload, d->add_device}) add_symbol(a);
            for (Addr a : d->major) add_symbol(a);
        }
        if (!symbols.empty()) j["symbols"] = std::move(symbols);
    }
    out = j.dump(1) + "\n";
    return status;
}

}  // namespace

int run_kd_command(const Snapshot& snapshot, std::string_view line, std::string& out) {
    out.clear();
    kd::Args args = split(line);
    // --windbg (the default) and --json choose the output; they may stand anywhere after the name.
    bool json = false;
    kd::Args rest;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (i > 0 && args[i] == "--json") json = true;
        else if (i > 0 && args[i] == "--windbg") json = false;
        else rest.push_back(args[i]);
    }
    return json ? run_json(snapshot, rest, out) : run_text(snapshot, std::move(rest), out);
}

int run_kd_command(System& system, std::string_view line, std::string& out) {
    return run_kd_command(capture(system), line, out);
}

}  // namespace ntio::inspect

// !verifier and !iovirp: the verifier views of verifier-and-inspector.md 6.6, read from the log the
// verifier's provider put into the snapshot (verified drivers, counters, stress state, the last
// violations, the tracked IRPs with their paths, the IRP log and the per-device IRP logs).
#include <cstdio>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "inspect/kd_format.hpp"

namespace ntio::inspect::kd {
namespace {

nlohmann::json verifier_log(const Snapshot& s) {
    if (s.verifier.empty()) return nullptr;
    nlohmann::json log = nlohmann::json::parse(s.verifier, nullptr, false);
    return log.is_discarded() || !log.is_object() ? nlohmann::json(nullptr) : log;
}

std::string text_of(const nlohmann::json& j, const char* key) {
    if (!j.contains(key)) return "";
    return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
}

const char* const kPathEvents[] = {"dispatch", "return", "complete", "completion-routine", "more-processing",
                                   "cancel", "free"};

}  // namespace

int cmd_verifier(const Snapshot& s, const Args& a, std::string& out);
int cmd_iovirp(const Snapshot& s, const Args& a, std::string& out);

namespace {

constexpr std::uint64_t kIrpLogFlag = 0x100;
// Smaller arguments of `!verifier 0x100` are a Quantity, larger ones an address.
constexpr std::uint64_t kLargestQuantity = 0xFFFF;

const char* irp_log_event_name(const std::string& event) {
    if (event == "alloc") return "IoAllocateIrp";
    if (event == "complete") return "IoCompleteRequest";
    if (event == "cancel_request") return "IoCancelIrp";
    return nullptr;
}

// The last 20 IRPs sent to one device (Driver Verifier's IRP logging, spec 4 class 11), oldest first.
void format_device_irps(const nlohmann::json& d, std::string& out) {
    const auto irps = d.value("irps", nlohmann::json::array());
    std::string name = d.value("name", std::string());
    out += "IRP log for device " + ptr(parse_number(d.value("device", std::string("0"))).value_or(0)) + " " +
           (name.empty() ? std::string("(unnamed)") : name) + " (" + d.value("driver", std::string()) + "), last " +
           std::to_string(irps.size()) + " of " + text_of(d, "total") + " IRPs" +
           (d.value("retired", false) ? " [device deleted]" : "") + ":\n";
    out += "  Time (ns)            Thread  IRP               #Id     Loc  Major / Minor                    Length/Code     Offset\n";
    for (const auto& e : irps) {
        const unsigned major = e.value("major", 0u);
        char line[320];
        std::snprintf(line, sizeof line, "  %-20s %6s  %s  %-6s  %d/%d  %-32s %-15s %s\n", text_of(e, "ts_ns").c_str(),
                      text_of(e, "tid").c_str(), ptr(parse_number(e.value("irp_addr", std::string("0"))).value_or(0)).c_str(),
                      text_of(e, "irp_id").c_str(), e.value("location", 0), e.value("stack_count", 0),
                      (std::string(major_name(major)) + " / " + minor_name(major, e.value("minor", 0u))).c_str(),
                      text_of(e, "length").c_str(), text_of(e, "offset").c_str());
        out += line;
    }
}

// !verifier 0x100 [Quantity | Address]: the log of IoAllocateIrp, IoCompleteRequest and IoCancelIrp
// calls (the last Quantity entries; all by default), or for an Address, the per-device IRP log when
// it is a device and that IRP's entries otherwise
// (https://learn.microsoft.com/windows-hardware/drivers/debuggercmds/-verifier, bit 8).
int irp_log_view(const nlohmann::json& log, const Args& a, std::string& out) {
    std::optional<std::uint64_t> argument;
    if (a.size() > 1 && !(argument = parse_number(a[1]))) return fail(out, "Usage: !verifier 0x100 [Quantity|Address]");
    const bool by_address = argument && *argument > kLargestQuantity;
    if (by_address) {
        for (const auto& d : log.value("device_irps", nlohmann::json::array())) {
            if (parse_number(d.value("device", std::string("0"))).value_or(0) != *argument || d.value("retired", false))
                continue;
            format_device_irps(d, out);
            return 0;
        }
    }
    std::vector<const nlohmann::json*> entries;
    const auto& events = log.contains("events") ? log["events"] : nlohmann::json::array();
    for (const auto& e : events) {
        if (!irp_log_event_name(e.value("event", std::string()))) continue;
        if (by_address && parse_number(e.value("irp_addr", std::string("0"))).value_or(0) != *argument) continue;
        entries.push_back(&e);
    }
    if (by_address && entries.empty())
        return fail(out, ptr(*argument) + " is neither a logged device nor an IRP in the IRP log");
    std::size_t first = 0;
    if (argument && !by_address && *argument < entries.size()) first = entries.size() - *argument;
    out += "IRP log entries (IoAllocateIrp, IoCompleteRequest, IoCancelIrp): " + std::to_string(entries.size() - first) +
           "\n  Time (ns)            Thread  Event              IRP               #Id     Status / Routine\n";
    for (std::size_t i = first; i < entries.size(); ++i) {
        const auto& e = *entries[i];
        const std::string event = e.value("event", std::string());
        const std::string detail = event == "complete"         ? text_of(e, "status") + " info " + text_of(e, "information")
                                   : event == "cancel_request" ? "cancel routine " + e.value("routine", std::string())
                                                               : "stack count " + text_of(e, "stack_count");
        char line[320];
        std::snprintf(line, sizeof line, "  %-20s %6s  %-18s %s  %-6s  %s\n", text_of(e, "ts_ns").c_str(),
                      text_of(e, "tid").c_str(), irp_log_event_name(event),
                      ptr(parse_number(e.value("irp_addr", std::string("0"))).value_or(0)).c_str(),
                      text_of(e, "irp_id").c_str(), detail.c_str());
        out += line;
    }
    const auto devices = log.value("device_irps", nlohmann::json::array());
    if (!by_address && !devices.empty()) {
        out += "\nDevices with an IRP log (!verifier 0x100 <device>):\n";
        for (const auto& d : devices)
            if (!d.value("retired", false))
                out += "  " + ptr(parse_number(d.value("device", std::string("0"))).value_or(0)) + "  " +
                       d.value("name", std::string()) + " (" + d.value("driver", std::string()) + "), " +
                       text_of(d, "total") + " IRPs\n";
    }
    return 0;
}

}  // namespace

int cmd_verifier(const Snapshot& s, const Args& a, std::string& out) {
    const nlohmann::json log = verifier_log(s);
    if (log.is_null()) return fail(out, "The verifier is not loaded in this process (no verifier log)");
    if (!a.empty()) {
        const std::optional<std::uint64_t> flags = parse_number(a[0]);
        if (!flags) return fail(out, "Usage: !verifier [Flags] | !verifier 0x100 [Quantity|Address]");
        if (*flags == kIrpLogFlag) return irp_log_view(log, a, out);
    }
    out += "Verify Mode: " + text_of(log, "mode") + "\n";
    if (log.contains("stress")) {
        const auto& st = log["stress"];
        out += "Stress: Seed " + text_of(st, "seed") + ", low resources " + text_of(st, "low_resources_per_mille") +
               "/1000, force pending " + text_of(st, "force_pending_per_mille") + "/1000, delay max " +
               text_of(st, "delay_max_us") + " us\n";
        out += "Injected failures: " + text_of(st, "injected_failures") + "   Forced pending: " +
               text_of(st, "forced_pending") + "   Delays: " + text_of(st, "delays") + "\n";
    }
    out += "Warnings (compat mode): " + text_of(log, "warnings") + "\n\n";
    out += "Verified drivers:\n  Driver           Flags       PoolBlocks  PoolBytes  IRPs  Name\n";
    for (const auto& d : log.value("drivers", nlohmann::json::array())) {
        char line[256];
        std::snprintf(line, sizeof line, "  %-16s %-10s  %10s  %9s  %4s  %s\n", text_of(d, "driver").c_str(),
                      text_of(d, "flags").c_str(), text_of(d, "pool_blocks").c_str(), text_of(d, "pool_bytes").c_str(),
                      text_of(d, "irps").c_str(), d.value("name", std::string()).c_str());
        out += line;
    }
    // DMA checking: what each such driver's adapters hold now (Learn's !dma shows the same per adapter).
    bool dma_header = false;
    for (const auto& d : log.value("drivers", nlohmann::json::array())) {
        if (!d.contains("dma")) continue;
        if (!dma_header) {
            out += "\nDMA checking (outstanding):\n  Driver           Adapters  CommonBuffers  Channels  MapRegisters  SGLists\n";
            dma_header = true;
        }
        const auto& m = d["dma"];
        char line[256];
        std::snprintf(line, sizeof line, "  %-16s %8s  %13s  %8s  %12s  %7s\n", text_of(d, "driver").c_str(),
                      text_of(m, "adapters").c_str(), text_of(m, "common_buffers").c_str(), text_of(m, "channels").c_str(),
                      text_of(m, "map_registers").c_str(), text_of(m, "lists").c_str());
        out += line;
    }
    out += "\nLast violations:\n";
    const auto violations = log.value("violations", nlohmann::json::array());
    if (violations.empty()) out += "  (none)\n";
    for (const auto& v : violations)
        out += "  code " + text_of(v, "code") + " subcode " + text_of(v, "subcode") + " rule " +
               (v.value("rule", std::string()).empty() ? std::string("-") : v.value("rule", std::string())) +
               " IRP #" + text_of(v, "irp_seq") + "\n";
    out += "\nTracked IRPs: " + std::to_string(log.value("tracked", nlohmann::json::array()).size()) + "\n";
    return 0;
}

int cmd_iovirp(const Snapshot& s, const Args& a, std::string& out) {
    const nlohmann::json log = verifier_log(s);
    if (log.is_null()) return fail(out, "The verifier is not loaded in this process (no verifier log)");
    std::optional<std::uint64_t> wanted;
    if (!a.empty() && !(wanted = parse_number(a[0]))) return fail(out, "Usage: !iovirp [irp]");
    const auto tracked = log.value("tracked", nlohmann::json::array());
    bool found = false;
    for (const auto& t : tracked) {
        const std::uint64_t irp = parse_number(t.value("irp_addr", std::string("0"))).value_or(0);
        if (wanted && irp != *wanted) continue;
        found = true;
        if (!wanted) {
            out += "IovPacket for IRP " + ptr(irp) + " #" + text_of(t, "seq") + "  StackCount " +
                   text_of(t, "stack_count") + "  events " + text_of(t, "events") + "\n";
            continue;
        }
        out += "TrackedIrp " + ptr(irp) + "  #" + text_of(t, "seq") + "\n";
        out += "  StackCount " + text_of(t, "stack_count") + ", TopStackLocation " + text_of(t, "stack_count") +
               ", CurrentLocation " + text_of(t, "current_location") + "\n";
        out += "  Completions " + text_of(t, "completions") + ", pending bits " + text_of(t, "pending_bits") +
               (t.value("stopped", false) ? ", held by a completion routine" : "") + "\n";
        out += "  Path (" + text_of(t, "events") + " events):\n";
        for (const auto& e : t.value("path", nlohmann::json::array())) {
            const int kind = e.value("event", 0);
            out += "    " + std::string(kind >= 0 && kind < 7 ? kPathEvents[kind] : "?") + " loc " +
                   text_of(e, "location") + " " + major_name(e.value("major", 0u)) + " status " + text_of(e, "status") +
                   (e.value("pending", false) ? " pending" : "") + "  " + e.value("label", std::string()) + "\n";
        }
    }
    if (!found) {
        if (wanted) return fail(out, "IRP " + ptr(*wanted) + " is not tracked by the verifier");
        out += "No outstanding verifier-tracked IRPs\n";
    }
    return 0;
}

}  // namespace ntio::inspect::kd

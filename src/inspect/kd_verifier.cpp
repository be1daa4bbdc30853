// !verifier and !iovirp: the verifier views of verifier-and-inspector.md 6.6, read from the log the
// verifier's provider put into the snapshot (verified drivers, counters, stress state, the last
// violations, the tracked IRPs with their paths).
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

int cmd_verifier(const Snapshot& s, const Args& a, std::string& out) {
    (void)a;
    const nlohmann::json log = verifier_log(s);
    if (log.is_null()) return fail(out, "The verifier is not loaded in this process (no verifier log)");
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

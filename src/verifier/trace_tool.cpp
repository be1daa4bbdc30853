// The trace exporters: the native JSON-lines records to Chrome trace-event JSON (an async slice per
// IRP keyed by its id, an X slice per dispatch on the executing thread, flow arrows from each layer's
// call to the next and to the completion; slices whose time was derived rather than read from the
// clock carry args.ts_derived) and to Process Monitor CSV (one row per IRP that reached its
// originator, friendly operation names and result strings; its fixed columns have no room for the
// derived mark).
#include "io/irp_names.hpp"
#include "verifier/trace_tool.hpp"

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "verifier/state.hpp"

namespace ntio::verifier {
namespace {

using nlohmann::json;

// Process Monitor's operation names.
const char* const kOperations[] = {
    "CreateFile", "CreateNamedPipe", "CloseFile", "ReadFile", "WriteFile", "QueryInformationFile",
    "SetInformationFile", "QueryEAFile", "SetEAFile", "FlushBuffersFile", "QueryVolumeInformation",
    "SetVolumeInformation", "DirectoryControl", "FileSystemControl", "DeviceIoControl",
    "InternalDeviceIoControl", "Shutdown", "LockUnlockFile", "CleanUp", "CreateMailSlot",
    "QuerySecurityFile", "SetSecurityFile", "Power", "SystemControl", "DeviceChange", "QueryFileQuota",
    "SetFileQuota", "PlugAndPlay",
};

const char* major_name(unsigned major) {
    const char* name = io::major_function_name(major);
    return name ? name : "IRP_MJ_?";
}

bool parse(const std::string& records, std::vector<json>& events, std::string& error) {
    std::istringstream in(records);
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.empty()) continue;
        json e = json::parse(line, nullptr, false);
        if (e.is_discarded() || !e.is_object() || !e.contains("event") || !e.contains("ts_ns")) {
            error = "line " + std::to_string(number) + ": not a trace record";
            return false;
        }
        events.push_back(std::move(e));
    }
    return true;
}

std::uint64_t irp_key(const json& e) {
    const std::uint64_t id = e.value("irp_id", std::uint64_t{0});
    return id ? id : std::stoull(e.value("irp_addr", std::string("0")), nullptr, 16);
}

double us(const json& e) { return static_cast<double>(e["ts_ns"].get<std::uint64_t>()) / 1000.0; }

// Process Monitor's result strings for the common statuses.
std::string result_text(const std::string& status) {
    static const std::map<std::string, const char*> kResults = {
        {"0x00000000", "SUCCESS"},           {"0x00000103", "PENDING"},
        {"0xc0000011", "END OF FILE"},        {"0xc0000034", "NAME NOT FOUND"},
        {"0xc000003a", "PATH NOT FOUND"},     {"0xc0000022", "ACCESS DENIED"},
        {"0xc000000d", "INVALID PARAMETER"},  {"0xc0000010", "INVALID DEVICE REQUEST"},
        {"0xc0000120", "CANCELLED"},          {"0x80000005", "BUFFER OVERFLOW"},
        {"0xc0000023", "BUFFER TOO SMALL"},   {"0xc0000001", "UNSUCCESSFUL"},
        {"0xc00000bb", "NOT SUPPORTED"},      {"0xc0000043", "SHARING VIOLATION"},
    };
    auto it = kResults.find(status);
    return it != kResults.end() ? it->second : status;
}

std::string csv(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

}  // namespace

bool export_chrome_json(const std::string& records, std::string& out, std::string& error) {
    std::vector<json> events;
    if (!parse(records, events, error)) return false;
    json trace = json::array();
    const int pid = events.empty() ? 0 : events.front().value("pid", 0);
    std::map<std::uint64_t, const json*> first, last;
    std::map<std::uint64_t, std::string> names;
    std::map<std::uint64_t, const json*> open_calls;  // uniq_match_id -> call
    std::map<std::uint32_t, bool> threads;
    std::map<std::uint64_t, const json*> completes;  // the IRP's last IoCompleteRequest
    std::set<std::uint64_t> flow_started;           // IRPs whose first call was seen
    for (const json& e : events) {
        // Every slice made from a record whose time was derived (not read from the clock: see the
        // IRP log) says so in its args.
        const std::size_t made_before = trace.size();
        struct MarkDerived {
            json& trace;
            std::size_t from;
            bool derived;
            ~MarkDerived() {
                if (!derived) return;
                for (std::size_t i = from; i < trace.size(); ++i) trace[i]["args"]["ts_derived"] = true;
            }
        } mark{trace, made_before, e.value("ts_derived", false)};
        const std::uint64_t key = irp_key(e);
        if (!first.count(key)) first[key] = &e;
        last[key] = &e;
        threads[e.value("tid", 0u)] = true;
        const std::string kind = e["event"].get<std::string>();
        const double ts = us(e);
        const unsigned tid = e.value("tid", 0u);
        if (kind == "call") {
            if (!names.count(key)) names[key] = major_name(e.value("major", 0u));
            open_calls[e.value("uniq_match_id", std::uint64_t{0})] = &e;
            // A flow step per layer: the arrow goes from the previous layer's call to this one. The
            // IRP's first call starts it (a skipped forward from the top driver is at the top
            // location again, and a step).
            const bool starts = flow_started.insert(key).second;
            trace.push_back({{"ph", starts ? "s" : "t"}, {"cat", "irp"}, {"name", "IoCallDriver"}, {"id", key},
                             {"pid", pid}, {"tid", tid}, {"ts", ts}, {"bp", "e"}});
        } else if (kind == "return") {
            auto it = open_calls.find(e.value("uniq_match_id", std::uint64_t{0}));
            if (it != open_calls.end()) {
                const json& call = *it->second;
                trace.push_back({{"ph", "X"}, {"cat", "dispatch"},
                                 {"name", call.value("driver", std::string()) + " " + major_name(call.value("major", 0u))},
                                 {"pid", pid}, {"tid", call.value("tid", 0u)}, {"ts", us(call)}, {"dur", ts - us(call)},
                                 {"args", {{"device", call.value("device_name", std::string())},
                                           {"status", e.value("status", std::string())},
                                           {"irp", call.value("irp_addr", std::string())}}}});
                open_calls.erase(it);
            }
        } else if (kind == "completion_routine") {
            trace.push_back({{"ph", "X"}, {"cat", "completion"}, {"name", "completion routine " + e.value("routine", std::string())},
                             {"pid", pid}, {"tid", tid}, {"ts", ts}, {"dur", 0},
                             {"args", {{"result", e.value("result", std::string())}, {"driver", e.value("driver", std::string())}}}});
        } else if (kind == "complete") {
            trace.push_back({{"ph", "f"}, {"cat", "irp"}, {"name", "IoCallDriver"}, {"id", key}, {"pid", pid},
                             {"tid", tid}, {"ts", ts}, {"bp", "e"}});
            trace.push_back({{"ph", "i"}, {"cat", "irp"}, {"name", "IoCompleteRequest"}, {"pid", pid}, {"tid", tid},
                             {"ts", ts}, {"s", "t"}, {"args", {{"status", e.value("status", std::string())},
                                                               {"information", e.value("information", 0ull)}}}});
            completes[key] = &e;
        } else if (kind == "cancel_request") {
            trace.push_back({{"ph", "i"}, {"cat", "irp"}, {"name", "IoCancelIrp"}, {"pid", pid}, {"tid", tid},
                             {"ts", ts}, {"s", "t"}});
        } else if (kind == "cancel_routine") {
            trace.push_back({{"ph", "X"}, {"cat", "cancel"}, {"name", "cancel routine " + e.value("routine", std::string())},
                             {"pid", pid}, {"tid", tid}, {"ts", ts}, {"dur", 0},
                             {"args", {{"irp", e.value("irp_addr", std::string())}}}});
        } else if (kind == "mark_pending") {
            trace.push_back({{"ph", "i"}, {"cat", "irp"}, {"name", "IoMarkIrpPending"}, {"pid", pid}, {"tid", tid},
                             {"ts", ts}, {"s", "t"}, {"args", {{"location", e.value("location", 0)}}}});
        } else if (kind == "set_completion") {
            trace.push_back({{"ph", "i"}, {"cat", "irp"}, {"name", "IoSetCompletionRoutine"}, {"pid", pid}, {"tid", tid},
                             {"ts", ts}, {"s", "t"},
                             {"args", {{"routine", e.value("routine", std::string())},
                                       {"context", e.value("context", std::string())},
                                       {"flags", e.value("flags", std::string())},
                                       {"location", e.value("location", 0)}}}});
        } else if (kind == "apc_deliver" || kind == "iocp_post") {
            const bool apc = kind == "apc_deliver";
            // An arrow from the IoCompleteRequest to the delivery (the APC runs on the requesting
            // thread; the packet is taken by whichever thread dequeues it).
            if (auto it = completes.find(key); it != completes.end()) {
                trace.push_back({{"ph", "s"}, {"cat", "delivery"}, {"name", "delivery"}, {"id", key}, {"pid", pid},
                                 {"tid", it->second->value("tid", 0u)}, {"ts", us(*it->second)}});
                trace.push_back({{"ph", "f"}, {"cat", "delivery"}, {"name", "delivery"}, {"id", key}, {"pid", pid},
                                 {"tid", tid}, {"ts", ts}, {"bp", "e"}});
            }
            json args = {{"status", e.value("status", std::string())}, {"information", e.value("information", 0ull)}};
            if (apc) {
                args["routine"] = e.value("routine", std::string());
            } else {
                args["port"] = e.value("port", std::string());
                args["key"] = e.value("key", std::string());
            }
            trace.push_back({{"ph", "X"}, {"cat", apc ? "apc" : "iocp"},
                             {"name", apc ? "user APC (I/O completion)" : "completion port post"}, {"pid", pid},
                             {"tid", tid}, {"ts", ts}, {"dur", 0}, {"args", args}});
        } else if (kind == "verifier") {
            trace.push_back({{"ph", "I"}, {"cat", "verifier"}, {"name", e.value("rule", std::string("violation"))},
                             {"pid", pid}, {"tid", tid}, {"ts", ts}, {"s", "g"},
                             {"args", {{"code", e.value("code", std::string())}, {"subcode", e.value("subcode", std::string())}}}});
        }
    }
    for (const auto& [key, e] : first) {
        const std::string name = names.count(key) ? names[key] : "IRP";
        trace.push_back({{"ph", "b"}, {"cat", "irp"}, {"name", name}, {"id", key}, {"pid", pid}, {"tid", (*e).value("tid", 0u)},
                         {"ts", us(*e)}, {"args", {{"irp", (*e).value("irp_addr", std::string())}}}});
        if ((*e).value("ts_derived", false)) trace.back()["args"]["ts_derived"] = true;
        const json& end = *last[key];
        trace.push_back({{"ph", "e"}, {"cat", "irp"}, {"name", name}, {"id", key}, {"pid", pid},
                         {"tid", end.value("tid", 0u)}, {"ts", us(end)}});
        if (end.value("ts_derived", false)) trace.back()["args"]["ts_derived"] = true;
    }
    for (const auto& [tid, unused] : threads)
        trace.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", pid}, {"tid", tid},
                         {"args", {{"name", "thread " + std::to_string(tid)}}}});
    out = json{{"traceEvents", trace}, {"displayTimeUnit", "ns"}}.dump(1);
    return true;
}

bool export_procmon_csv(const std::string& records, std::string& out, std::string& error) {
    std::vector<json> events;
    if (!parse(records, events, error)) return false;
    out = "\"Time of Day\",\"Process Name\",\"PID\",\"Operation\",\"Path\",\"Result\",\"Detail\",\"TID\",\"Duration\",\"Sequence\"\n";
    std::map<std::uint64_t, const json*> top_call;
    // Rows are written at the end: a delivery after the completion (the user APC, the port packet)
    // adds to its request's Detail.
    struct Row {
        std::string before_detail, detail, after_detail;
    };
    std::vector<Row> rows;
    std::map<std::uint64_t, std::size_t> row_of;  // IRP -> its row, until the IRP is freed
    for (const json& e : events) {
        const std::uint64_t key = irp_key(e);
        const std::string kind = e["event"].get<std::string>();
        if (kind == "call" && !top_call.count(key)) top_call[key] = &e;
        if (kind == "apc_deliver" || kind == "iocp_post") {
            if (auto it = row_of.find(key); it != row_of.end()) {
                std::string& detail = rows[it->second].detail;
                detail += std::string(detail.empty() ? "" : ", ") +
                          (kind == "apc_deliver" ? "Completion: APC" : "Completion: Port");
            }
            continue;
        }
        if (kind == "free") row_of.erase(key);
        // One row per request: at its IoCompleteRequest (the walk up to the originator follows).
        if (kind != "complete" || !top_call.count(key)) continue;
        const json& call = *top_call[key];
        const unsigned major = call.value("major", 0u);
        std::string detail;
        char text[160];
        if (major == IRP_MJ_READ || major == IRP_MJ_WRITE) {
            std::snprintf(text, sizeof text, "Offset: %llu, Length: %llu",
                          static_cast<unsigned long long>(call.value("offset", 0ull)),
                          static_cast<unsigned long long>(call.value("length", 0ull)));
            detail = text;
        } else if (major == IRP_MJ_DEVICE_CONTROL || major == IRP_MJ_INTERNAL_DEVICE_CONTROL ||
                   major == IRP_MJ_FILE_SYSTEM_CONTROL) {
            std::snprintf(text, sizeof text, "Control: 0x%llx", static_cast<unsigned long long>(call.value("length", 0ull)));
            detail = text;
        }
        const std::uint64_t ts = e["ts_ns"].get<std::uint64_t>();
        std::snprintf(text, sizeof text, "%llu.%09llu", static_cast<unsigned long long>(ts / 1000000000ull),
                      static_cast<unsigned long long>(ts % 1000000000ull));
        const std::string time_of_day = text;
        std::snprintf(text, sizeof text, "%.7f",
                      static_cast<double>(ts - call["ts_ns"].get<std::uint64_t>()) / 1e9);
        const std::string duration = text;
        row_of[key] = rows.size();
        rows.push_back({csv(time_of_day) + "," + csv("ntio") + "," + csv(std::to_string(e.value("pid", 0))) + "," +
                            csv(major < 28 ? kOperations[major] : "IRP") + "," +
                            csv(call.value("device_name", std::string())) + "," +
                            csv(result_text(e.value("status", std::string()))) + ",",
                        detail,
                        "," + csv(std::to_string(e.value("tid", 0u))) + "," + csv(duration) + "," +
                            csv(std::to_string(e.value("seq", std::uint64_t{0}))) + "\n"});
        top_call.erase(key);
    }
    for (const Row& row : rows) out += row.before_detail + csv(row.detail) + row.after_detail;
    return true;
}

std::string recorded_trace() { return log_json_lines(); }

void set_trace_recording(bool on) noexcept {
    if (on) restamp_all_threads();
    set_tracing(on);
}

int trace_main(int argc, char** argv) {
    static const char kUsage[] = "usage: ntio trace export --chrome-json|--procmon-csv IN OUT\n";
    if (argc != 5 || std::string(argv[1]) != "export") {
        std::fputs(kUsage, stderr);
        return 2;
    }
    const std::string format = argv[2];
    if (format != "--chrome-json" && format != "--procmon-csv") {
        std::fputs(kUsage, stderr);
        return 2;
    }
    std::ifstream in(argv[3]);
    if (!in) {
        std::fprintf(stderr, "ntio trace: cannot read %s\n", argv[3]);
        return 1;
    }
    std::stringstream text;
    text << in.rdbuf();
    std::string out, error;
    const bool ok = format == "--chrome-json" ? export_chrome_json(text.str(), out, error)
                                              : export_procmon_csv(text.str(), out, error);
    if (!ok) {
        std::fprintf(stderr, "ntio trace: %s: %s\n", argv[3], error.c_str());
        return 1;
    }
    std::ofstream file(argv[4]);
    file << out;
    if (!file) {
        std::fprintf(stderr, "ntio trace: cannot write %s\n", argv[4]);
        return 1;
    }
    return 0;
}

}  // namespace ntio::verifier

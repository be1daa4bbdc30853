// Dump files as JSON documents (nlohmann-json), and the bugcheck writer that produces one when a
// System stops.
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "host/output.hpp"
#include "host/process.hpp"
#include "inspect/dump.hpp"
#include "inspect/snapshot_json.hpp"

#include "ntio/system.hpp"
#include "rtl/bugcheck.hpp"

namespace ntio::inspect {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(StackLocationSnap, major, minor, flags, control, device, file,
                                                completion, context, args)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(IrpSnap, address, seq, found_on, type, size, stack_count,
                                                current_location, current_stack, first_stack, flags, status,
                                                information, requestor_mode, apc_environment, cancel_irql,
                                                pending_returned, cancel, mdl, mdl_process, system_buffer,
                                                user_buffer, user_iosb, user_event, user_apc_routine,
                                                user_apc_context, cancel_routine, thread, process, original_file,
                                                stack)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DriverSnap, address, name, service, registry_path, flags,
                                                unload_requested, unloaded, driver_init, start_io, unload,
                                                add_device, fast_io, major, devices)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DeviceSnap, address, name, driver, reference_count, device_type,
                                                flags, characteristics, stack_size, vpb, security, extension,
                                                object_extension, dope, devnode, extension_flags, attached_device,
                                                attached_to, current_irp, queue_busy, queue_listed, queued_irps,
                                                instance_path, service)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(FileSnap, address, name, device, vpb, fs_context, fs_context2,
                                                section_object_pointer, shared_cache_map, private_cache_map,
                                                related_file, flags, final_status, current_byte_offset,
                                                event_signalled, lock_operation, delete_pending, read_access,
                                                write_access, delete_access, shared_read, shared_write, shared_delete)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(VpbSnap, address, flags, device_object, real_device, serial_number,
                                                reference_count, volume_label)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ObjectSnap, address, type, name, link_target, pointer_count,
                                                handle_count, detail)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(HandleSnap, handle, object, granted, attributes, type, name)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ThreadSnap, address, cid, process, irql, system_thread, terminated,
                                                terminating, irps)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ProcessSnap, address, pid, parent_pid, image, system, terminating,
                                                handle_count, threads, handles)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(PoolSnap, tag, paged, allocations, frees, bytes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ModuleSnap, start, end, path)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(BugcheckSnap, code, params, report, driver)

namespace {

constexpr const char* kFormat = "ntio-dump";

nlohmann::json to_document(const Snapshot& s) {
    nlohmann::json j;
    j["format"] = kFormat;
    j["version"] = s.version;
    j["pid"] = s.pid;
    j["time"] = s.time;
    j["bugcheck"] = s.bugcheck ? nlohmann::json(*s.bugcheck) : nlohmann::json();
    j["objects"] = s.objects;
    j["type_objects"] = s.type_objects;
    j["drivers"] = s.drivers;
    j["devices"] = s.devices;
    j["irps"] = s.irps;
    j["files"] = s.files;
    j["vpbs"] = s.vpbs;
    j["threads"] = s.threads;
    j["processes"] = s.processes;
    j["pool"] = s.pool;
    j["modules"] = s.modules;
    nlohmann::json symbols = nlohmann::json::array();
    for (const auto& [a, text] : s.symbols) symbols.push_back({{"address", a}, {"symbol", text}});
    j["symbols"] = std::move(symbols);
    j["current_process"] = s.current_process;
    j["current_thread"] = s.current_thread;
    // The verifier's IRP log, as the verifier wrote it; null without a verifier.
    if (s.verifier.empty()) {
        j["verifier"] = nullptr;
    } else {
        nlohmann::json log = nlohmann::json::parse(s.verifier, nullptr, false);
        j["verifier"] = log.is_discarded() ? nlohmann::json(s.verifier) : log;
    }
    return j;
}

bool from_document(const nlohmann::json& j, Snapshot& s, std::string& error) {
    if (!j.is_object() || j.value("format", std::string()) != kFormat) {
        error = "not an ntio dump";
        return false;
    }
    const int version = j.value("version", 0);
    if (version < 1 || version > Snapshot::kVersion) {
        error = "ntio dump version " + std::to_string(version) + " is not supported (this build reads 1.." +
                std::to_string(Snapshot::kVersion) + ")";
        return false;
    }
    s = Snapshot{};
    s.version = version;
    s.pid = j.value("pid", std::int64_t{0});
    s.time = j.value("time", std::int64_t{0});
    if (j.contains("bugcheck") && j["bugcheck"].is_object()) s.bugcheck = j["bugcheck"].get<BugcheckSnap>();
    s.objects = j.value("objects", std::vector<ObjectSnap>{});
    s.type_objects = j.value("type_objects", std::map<std::string, Addr>{});
    s.drivers = j.value("drivers", std::vector<DriverSnap>{});
    s.devices = j.value("devices", std::vector<DeviceSnap>{});
    s.irps = j.value("irps", std::vector<IrpSnap>{});
    s.files = j.value("files", std::vector<FileSnap>{});
    s.vpbs = j.value("vpbs", std::vector<VpbSnap>{});
    s.threads = j.value("threads", std::vector<ThreadSnap>{});
    s.processes = j.value("processes", std::vector<ProcessSnap>{});
    s.pool = j.value("pool", std::vector<PoolSnap>{});
    s.modules = j.value("modules", std::vector<ModuleSnap>{});
    if (j.contains("symbols") && j["symbols"].is_array()) {
        for (const auto& row : j["symbols"]) s.symbols[row.value("address", Addr{0})] = row.value("symbol", std::string());
    }
    s.current_process = j.value("current_process", Addr{0});
    s.current_thread = j.value("current_thread", Addr{0});
    if (j.contains("verifier") && !j["verifier"].is_null()) {
        s.verifier = j["verifier"].is_string() ? j["verifier"].get<std::string>() : j["verifier"].dump();
    }
    return true;
}

}  // namespace

std::string to_json_text(const Snapshot& snapshot, int indent) { return to_document(snapshot).dump(indent); }

bool from_json_text(const std::string& text, Snapshot& out, std::string& error) {
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded()) {
        error = "not an ntio dump (not JSON)";
        return false;
    }
    try {
        return from_document(j, out, error);
    } catch (const nlohmann::json::exception& e) {
        error = std::string("damaged ntio dump: ") + e.what();
        return false;
    }
}

bool write_dump(const Snapshot& snapshot, const std::string& path, std::string* error) {
    const std::string temporary = path + ".tmp";
    {
        std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
        if (!file) {
            if (error) *error = "cannot create " + temporary;
            return false;
        }
        file << to_json_text(snapshot, 1) << '\n';
        file.flush();
        if (!file) {
            if (error) *error = "cannot write " + temporary;
            std::remove(temporary.c_str());
            return false;
        }
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        if (error) *error = "cannot rename " + temporary + " to " + path;
        std::remove(temporary.c_str());
        return false;
    }
    return true;
}

bool write_dump(System& system, const std::string& path, std::string* error) {
    return write_dump(capture(system), path, error);
}

bool load_dump(const std::string& path, Snapshot& out, std::string& error) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        error = "cannot open " + path;
        return false;
    }
    std::stringstream text;
    text << file.rdbuf();
    if (!from_json_text(text.str(), out, error)) {
        error = path + ": " + error;
        return false;
    }
    out.origin = path;
    return true;
}

std::string default_dump_path() {
    std::string dir = ".";
    if (const char* env = std::getenv("NTIO_DUMP_DIR"); env && *env) dir = env;
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
    return dir + "/ntio-" + std::to_string(host::process_id()) + "-" + std::to_string(now) + ".dmp";
}

namespace {

void write_text(int fd, const std::string& text) {
    (void)host::write_all(fd, text.data(), text.size());
}

// NT deviation: Windows writes its dump from a minimal, allocation-free path; this writer captures a
// snapshot with ordinary allocations, so a bugcheck raised from inside the allocator, or with a lock
// the capture needs held by the bugchecking thread, may produce no dump (the stop screen is printed
// before it runs either way).
std::atomic<BugcheckReportProvider> g_report_provider{nullptr};

void bugcheck_dump_writer(ULONG code, const ULONG_PTR params[4], int fd, void*) {
    System* system = System::current();
    if (!system) return;
    try {
        CaptureOptions options;
        options.at_bugcheck = true;
        Snapshot snap = capture(*system, options);
        BugcheckSnap bc;
        bc.code = code;
        for (int i = 0; i < 4; ++i) bc.params[i] = params[i];
        if (BugcheckReportProvider provider = g_report_provider.load(std::memory_order_acquire)) {
            BugcheckReport report = provider(code, params);
            bc.report = std::move(report.text);
            bc.driver = std::move(report.driver);
        }
        snap.bugcheck = bc;
        const std::string path = default_dump_path();
        std::string error;
        if (write_dump(snap, path, &error)) {
            write_text(fd, "Dump file: " + path + "\n");
        } else {
            write_text(fd, "Dump file not written: " + error + "\n");
        }
    } catch (...) {
        write_text(fd, "Dump file not written: out of memory\n");
    }
}

std::atomic<bool> g_writer_installed{false};

}  // namespace

void set_bugcheck_report_provider(BugcheckReportProvider provider) noexcept {
    g_report_provider.store(provider, std::memory_order_release);
}

void install_bugcheck_dump_writer() {
    if (g_writer_installed.exchange(true)) return;
    if (rtl::add_bugcheck_dump_writer(bugcheck_dump_writer) == 0) g_writer_installed.store(false);
}

}  // namespace ntio::inspect

namespace ntio::inspect {
namespace {
// Installed when the library loads, so that a System that stops writes its dump whether or not its
// boot reached kd_system_started; the writer does nothing while no System is alive.
[[maybe_unused]] const bool g_installed_at_load = (install_bugcheck_dump_writer(), true);
}  // namespace
}  // namespace ntio::inspect

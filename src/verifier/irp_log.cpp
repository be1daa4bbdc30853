// The IRP log: the native event records of verifier-and-inspector.md 7.2, kept in a bounded ring per
// host thread (no lock on the recording path: each ring has one writer), for drivers with IRP
// logging on and for every driver while tracing (NTIO_TRACE=file, written as JSON lines at exit).
// The inspector gets the log, the verified drivers and the tracked IRPs through its provider hook.
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <string>
#include <string_view>

#include "inspect/snapshot.hpp"
#include "io/objects.hpp"
#include "verifier/state.hpp"

namespace ntio::verifier {
namespace {

struct Record {
    std::uint64_t ts_ns;
    std::uint64_t seq;
    std::uint64_t irp_id;
    std::uint64_t match;
    PIRP irp;
    PDEVICE_OBJECT device;
    char device_name[48];  // copied while the device is alive (call, completion routine)
    char driver_name[40];
    PVOID routine;
    ULONG_PTR information;
    ULONG_PTR subcode;
    std::uint64_t length;   // call: Read/Write Length or IOCTL code
    std::uint64_t offset;   // call: Read/Write ByteOffset
    NTSTATUS status;
    ULONG code;
    const char* text;
    LogKind kind;
    UCHAR major;
    UCHAR minor;
    CHAR location;
    CHAR stack_count;
    bool pending;
};

constexpr std::size_t kRingSize = 4096;
struct Ring {
    std::atomic<std::uint64_t> head{0};  // events written so far; slot = head % kRingSize
    std::uint32_t tid = 0;
    Ring* next = nullptr;                // g_rings list (never unlinked)
    std::atomic<bool> owned{false};
    Record slots[kRingSize];
};

std::atomic<Ring*> g_rings{nullptr};
std::atomic<std::uint64_t> g_seq{0};
std::atomic<std::uint64_t> g_match{0};
std::atomic<std::uint64_t> g_irp_ids{0};

// A ring outlives its thread (dumps read it later); a new thread takes over a released one.
struct RingOwner {
    Ring* ring = nullptr;
    ~RingOwner() {
        if (ring) ring->owned.store(false, std::memory_order_release);
    }
};
thread_local RingOwner t_ring;

Ring* my_ring() noexcept {
    if (t_ring.ring) return t_ring.ring;
    const auto tid = static_cast<std::uint32_t>(::syscall(SYS_gettid));
    for (Ring* r = g_rings.load(std::memory_order_acquire); r; r = r->next) {
        bool expected = false;
        if (r->owned.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) {
            r->tid = tid;
            return t_ring.ring = r;
        }
    }
    Ring* r = new (std::nothrow) Ring();
    if (!r) return nullptr;
    r->owned.store(true);
    r->tid = tid;
    r->next = g_rings.load(std::memory_order_relaxed);
    while (!g_rings.compare_exchange_weak(r->next, r, std::memory_order_acq_rel)) {
    }
    return t_ring.ring = r;
}

// IRP ids: a small open-addressed cache IRP -> id, lock-free; a new life (allocation, or a call at
// the top location) takes a new id. A collision loses the older IRP's id (it reads 0 afterwards).
constexpr std::size_t kIdSlots = 4096;
struct IdSlot {
    std::atomic<PIRP> irp{nullptr};
    std::atomic<std::uint64_t> id{0};
};
IdSlot g_ids[kIdSlots];

IdSlot& id_slot(PIRP irp) noexcept {
    return g_ids[(reinterpret_cast<std::uintptr_t>(irp) >> 4) * 0x9E3779B97F4A7C15ULL >> 52 & (kIdSlots - 1)];
}
std::uint64_t new_irp_id(PIRP irp) noexcept {
    IdSlot& slot = id_slot(irp);
    const std::uint64_t id = g_irp_ids.fetch_add(1, std::memory_order_relaxed) + 1;
    slot.id.store(id, std::memory_order_relaxed);
    slot.irp.store(irp, std::memory_order_release);
    return id;
}
std::uint64_t irp_id(PIRP irp) noexcept {
    IdSlot& slot = id_slot(irp);
    if (slot.irp.load(std::memory_order_acquire) != irp) return new_irp_id(irp);
    return slot.id.load(std::memory_order_relaxed);
}

std::uint64_t now_ns() noexcept {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<std::uint64_t>(ts.tv_nsec);
}

// Copies the device's and its driver's names (ASCII, truncated) while the device is alive: no lock.
void copy_names(PDEVICE_OBJECT device, char* device_name, std::size_t device_size, char* driver_name,
                std::size_t driver_size) noexcept {
    device_name[0] = driver_name[0] = '\0';
    if (!device || device->Type != IO_TYPE_DEVICE) return;
    const std::u16string& name = io::device_private(device)->name;
    std::size_t n = 0;
    for (; n < name.size() && n + 1 < device_size; ++n) device_name[n] = name[n] < 0x80 ? static_cast<char>(name[n]) : '?';
    device_name[n] = '\0';
    PDRIVER_OBJECT driver = device->DriverObject;
    n = 0;
    if (driver && driver->DriverName.Buffer)
        for (; n < driver->DriverName.Length / sizeof(WCHAR) && n + 1 < driver_size; ++n)
            driver_name[n] = driver->DriverName.Buffer[n] < 0x80 ? static_cast<char>(driver->DriverName.Buffer[n]) : '?';
    driver_name[n] = '\0';
}

const char* kind_name(LogKind kind) {
    switch (kind) {
    case LogKind::Alloc: return "alloc";
    case LogKind::Call: return "call";
    case LogKind::Return: return "return";
    case LogKind::Complete: return "complete";
    case LogKind::CompletionRoutine: return "completion_routine";
    case LogKind::CancelRequest: return "cancel_request";
    case LogKind::Free: return "free";
    case LogKind::Verifier: return "verifier";
    }
    return "?";
}

void json_string(std::string& out, const char* text) {
    out += '"';
    for (const char* p = text; p && *p; ++p) {
        if (*p == '"' || *p == '\\') out += '\\';
        if (static_cast<unsigned char>(*p) < 0x20) continue;
        out += *p;
    }
    out += '"';
}

void append_record(std::string& out, const Record& r, std::uint32_t tid, int pid) {
    char line[512];
    std::snprintf(line, sizeof line,
                  "{\"ts_ns\":%llu,\"seq\":%llu,\"pid\":%d,\"tid\":%u,\"irp_id\":%llu,\"irp_addr\":\"0x%llx\","
                  "\"event\":\"%s\",\"uniq_match_id\":%llu",
                  static_cast<unsigned long long>(r.ts_ns), static_cast<unsigned long long>(r.seq), pid, tid,
                  static_cast<unsigned long long>(r.irp_id),
                  static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(r.irp)), kind_name(r.kind),
                  static_cast<unsigned long long>(r.match));
    out += line;
    auto field = [&](const char* format, auto... args) {
        std::snprintf(line, sizeof line, format, args...);
        out += line;
    };
    const char* device_name = r.device_name;
    const char* driver_name = r.driver_name;
    switch (r.kind) {
    case LogKind::Call:
        field(",\"major\":%u,\"minor\":%u,\"location\":%d,\"stack_count\":%d,\"device\":\"0x%llx\"", r.major, r.minor,
              r.location, r.stack_count, static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(r.device)));
        out += ",\"device_name\":";
        json_string(out, device_name);
        out += ",\"driver\":";
        json_string(out, driver_name);
        field(",\"routine\":\"0x%llx\",\"length\":%llu,\"offset\":%llu",
              static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(r.routine)),
              static_cast<unsigned long long>(r.length), static_cast<unsigned long long>(r.offset));
        break;
    case LogKind::Return:
        field(",\"status\":\"0x%08x\",\"location\":%d,\"pending\":%s", static_cast<unsigned>(r.status), r.location,
              r.pending ? "true" : "false");
        out += ",\"driver\":";
        json_string(out, driver_name);
        break;
    case LogKind::Complete:
        field(",\"status\":\"0x%08x\",\"information\":%llu,\"location\":%d", static_cast<unsigned>(r.status),
              static_cast<unsigned long long>(r.information), r.location);
        break;
    case LogKind::CompletionRoutine:
        field(",\"routine\":\"0x%llx\",\"result\":\"0x%08x\",\"location\":%d,\"pending\":%s",
              static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(r.routine)),
              static_cast<unsigned>(r.status), r.location, r.pending ? "true" : "false");
        out += ",\"driver\":";
        json_string(out, driver_name);
        break;
    case LogKind::CancelRequest:
        field(",\"routine\":\"0x%llx\"", static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(r.routine)));
        break;
    case LogKind::Verifier:
        field(",\"code\":\"0x%x\",\"subcode\":\"0x%llx\"", r.code, static_cast<unsigned long long>(r.subcode));
        out += ",\"rule\":";
        json_string(out, r.text ? r.text : "");
        break;
    case LogKind::Alloc:
    case LogKind::Free:
        field(",\"stack_count\":%d", r.stack_count);
        break;
    }
    out += "}\n";
}

std::string g_trace_path;  // set once at start-up

void write_trace_at_exit() {
    if (g_trace_path.empty()) return;
    std::string text = log_json_lines();
    if (FILE* f = std::fopen(g_trace_path.c_str(), "w")) {
        std::fwrite(text.data(), 1, text.size(), f);
        std::fclose(f);
    }
}

std::string provider(System&, bool at_bugcheck);

bool start_up() {
    ntio::inspect::set_verifier_log_provider(provider);
    if (const char* path = std::getenv("NTIO_TRACE"); path && *path) {
        g_trace_path = path;
        set_tracing(true);
        std::atexit(write_trace_at_exit);
    }
    return true;
}
[[maybe_unused]] const bool g_started = start_up();

}  // namespace

std::uint64_t next_match_id() noexcept { return g_match.fetch_add(1, std::memory_order_relaxed) + 1; }

void log_event(LogKind kind, PIRP irp, const LogFields& f) noexcept {
    Ring* ring = my_ring();
    if (!ring) return;
    const std::uint64_t head = ring->head.load(std::memory_order_relaxed);
    Record& r = ring->slots[head % kRingSize];
    r.ts_ns = now_ns();
    r.seq = g_seq.fetch_add(1, std::memory_order_relaxed) + 1;
    // After a dispatch or completion routine returned the IRP may be freed: only the pointer is used.
    const bool irp_alive = kind != LogKind::Return && kind != LogKind::CompletionRoutine;
    const bool top_call = kind == LogKind::Call && irp->CurrentLocation == irp->StackCount + 1;
    r.irp_id = kind == LogKind::Alloc || top_call ? new_irp_id(irp) : irp_id(irp);
    r.match = f.match;
    r.irp = irp;
    r.device = f.device;
    if (kind == LogKind::Call || kind == LogKind::CompletionRoutine)
        copy_names(f.device, r.device_name, sizeof r.device_name, r.driver_name, sizeof r.driver_name);
    else
        r.device_name[0] = r.driver_name[0] = '\0';
    r.routine = f.routine;
    r.information = f.information;
    r.subcode = f.subcode;
    r.status = f.status;
    r.code = f.code;
    r.text = f.text;
    r.kind = kind;
    r.pending = f.pending;
    r.stack_count = irp_alive ? irp->StackCount : 0;
    r.location = irp_alive ? irp->CurrentLocation : f.location;
    r.length = r.offset = 0;
    r.major = r.minor = 0;
    if (kind == LogKind::Call && irp->CurrentLocation > 1) {
        PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
        r.major = sp->MajorFunction;
        r.minor = sp->MinorFunction;
        r.location = static_cast<CHAR>(irp->CurrentLocation - 1);
        if (sp->MajorFunction == IRP_MJ_READ || sp->MajorFunction == IRP_MJ_WRITE) {
            r.length = sp->Parameters.Read.Length;
            r.offset = static_cast<std::uint64_t>(sp->Parameters.Read.ByteOffset.QuadPart);
        } else if (sp->MajorFunction == IRP_MJ_DEVICE_CONTROL || sp->MajorFunction == IRP_MJ_INTERNAL_DEVICE_CONTROL ||
                   sp->MajorFunction == IRP_MJ_FILE_SYSTEM_CONTROL) {
            r.length = sp->Parameters.DeviceIoControl.IoControlCode;
        }
    }
    ring->head.store(head + 1, std::memory_order_release);
}

std::string log_json_lines() {
    struct Item {
        std::uint64_t seq;
        std::uint32_t tid;
        const Record* record;
    };
    std::vector<Item> items;
    for (Ring* r = g_rings.load(std::memory_order_acquire); r; r = r->next) {
        const std::uint64_t head = r->head.load(std::memory_order_acquire);
        const std::uint64_t first = head > kRingSize ? head - kRingSize : 0;
        for (std::uint64_t i = first; i < head; ++i) items.push_back({r->slots[i % kRingSize].seq, r->tid, &r->slots[i % kRingSize]});
    }
    std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.seq < b.seq; });
    std::string out;
    const int pid = static_cast<int>(::getpid());
    for (const Item& item : items) append_record(out, *item.record, item.tid, pid);
    return out;
}

namespace {

std::string provider(System&, bool at_bugcheck) {
    std::string out = "{\"events\":[";
    std::string lines = log_json_lines();
    bool first = true;
    for (std::size_t start = 0; start < lines.size();) {
        std::size_t end = lines.find('\n', start);
        if (end == std::string::npos) end = lines.size();
        if (!first) out += ',';
        first = false;
        out.append(lines, start, end - start);
        start = end + 1;
    }
    out += "],";
    char text[512];
    const NTIO_VERIFIER_STRESS stress = stress_settings();
    const StressCounters counters = stress_counters();
    std::snprintf(text, sizeof text,
                  "\"mode\":\"%s\",\"stress\":{\"seed\":%llu,\"low_resources_per_mille\":%u,\"force_pending_per_mille\":%u,"
                  "\"delay_max_us\":%u,\"injected_failures\":%llu,\"forced_pending\":%llu,\"delays\":%llu},"
                  "\"warnings\":%u,\"drivers\":[",
                  mode() == NtioVerifierStrict ? "strict" : mode() == NtioVerifierCompat ? "compat" : "off",
                  static_cast<unsigned long long>(stress.Seed), stress.LowResourcesPerMille, stress.ForcePendingPerMille,
                  stress.DelayMaxMicroseconds, static_cast<unsigned long long>(counters.injected_failures),
                  static_cast<unsigned long long>(counters.forced_pending), static_cast<unsigned long long>(counters.delays),
                  static_cast<unsigned>(NtioVerifierWarningCount()));
    out += text;
    first = true;
    for (const VerifiedDriver& d : verified_drivers()) {
        if (!first) out += ',';
        first = false;
        const ResourceCounts counts = at_bugcheck ? ResourceCounts{} : resource_counts(d.driver);
        std::snprintf(text, sizeof text, "{\"driver\":\"0x%llx\",\"flags\":\"0x%x\",\"pool_blocks\":%llu,\"pool_bytes\":%llu,\"irps\":%llu,\"name\":",
                      static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(d.driver)), static_cast<unsigned>(d.flags),
                      static_cast<unsigned long long>(counts.pool_blocks), static_cast<unsigned long long>(counts.pool_bytes),
                      static_cast<unsigned long long>(counts.irps));
        out += text;
        json_string(out, d.name.c_str());
        out += '}';
    }
    out += "],\"violations\":[";
    first = true;
    for (const ViolationNote& v : recent_violations()) {
        if (!first) out += ',';
        first = false;
        std::snprintf(text, sizeof text, "{\"code\":\"0x%x\",\"subcode\":\"0x%llx\",\"irp_seq\":%llu,\"rule\":", v.code,
                      static_cast<unsigned long long>(v.subcode), static_cast<unsigned long long>(v.irp_sequence));
        out += text;
        json_string(out, v.rule ? v.rule : "");
        out += '}';
    }
    out += "],\"tracked\":[";
    first = true;
    std::unique_lock guard(tracking_lock(), std::defer_lock);
    if (at_bugcheck ? guard.try_lock() : (guard.lock(), true)) {
        for (const RecordRef& record : all_records_locked()) {
            if (!first) out += ',';
            first = false;
            std::snprintf(text, sizeof text,
                          "{\"irp_addr\":\"0x%llx\",\"seq\":%llu,\"stack_count\":%d,\"current_location\":%d,\"events\":%zu,"
                          "\"completions\":%u,\"pending_bits\":\"0x%llx\",\"stopped\":%s,\"path\":[",
                          static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(record->irp)),
                          static_cast<unsigned long long>(record->sequence), record->stack_count,
                          record->freed ? 0 : record->irp->CurrentLocation, record->path_total, record->completions,
                          static_cast<unsigned long long>(record->pending_bits), record->stopped ? "true" : "false");
            out += text;
            bool first_entry = true;
            for (const PathEntry& e : record->path) {
                if (!first_entry) out += ',';
                first_entry = false;
                std::snprintf(text, sizeof text, "{\"event\":%d,\"location\":%d,\"major\":%u,\"status\":\"0x%08x\",\"pending\":%s,\"label\":",
                              static_cast<int>(e.event), e.location, e.major, static_cast<unsigned>(e.status),
                              e.pending ? "true" : "false");
                out += text;
                json_string(out, e.label ? e.label : "");
                out += '}';
            }
            out += "]}";
        }
    }
    out += "]}";
    return out;
}

}  // namespace

}  // namespace ntio::verifier

// Reporting a violation: in compat mode a Windows-tolerated pattern (spec 5.4) becomes a warning;
// otherwise the verifier formats the stop-screen report (the code's name, each parameter explained,
// the offending driver, the IRP with its path) and bugchecks. The stop screen prints the report
// through the bugcheck reporter hook; tests read it with NtioVerifierLastReport.

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "host/image.hpp"
#include "host/output.hpp"
#include "io/irp_names.hpp"
#include "inspect/dump.hpp"
#include "io/objects.hpp"
#include "rtl/bugcheck.hpp"
#include "verifier/state.hpp"
#include "verifier/verifier.hpp"

namespace ntio::verifier {
namespace {

// The report of the last violation, kept in static storage so the stop screen (which may run in a
// fault handler) only copies bytes. Writers serialise on g_report_busy.
constexpr std::size_t kReportSize = 16384;
char g_report[kReportSize];
std::size_t g_report_length = 0;
ULONG g_report_code = 0;
ULONG_PTR g_report_params[4] = {};
char g_report_driver[256];  // the blamed driver's name, "" when none
std::atomic<bool> g_report_busy{false};
std::atomic<ULONG> g_warnings{0};
rtl::BugCheckReporter g_previous_reporter = nullptr;


void append(std::string& out, const char* format, ...) __attribute__((format(printf, 2, 3)));
void append(std::string& out, const char* format, ...) {
    char line[512];
    va_list args;
    va_start(args, format);
    std::vsnprintf(line, sizeof line, format, args);
    va_end(args);
    out += line;
}

std::string narrow(const WCHAR* text, std::size_t chars) {
    std::string out;
    for (std::size_t i = 0; i < chars; ++i) out += text[i] < 0x80 ? static_cast<char>(text[i]) : '?';
    return out;
}

std::string driver_name(PDRIVER_OBJECT driver) {
    if (!driver || driver->Type != IO_TYPE_DRIVER || !driver->DriverName.Buffer) return "(unknown driver)";
    return narrow(driver->DriverName.Buffer, driver->DriverName.Length / sizeof(WCHAR));
}

std::string device_name(PDEVICE_OBJECT device) {
    if (!device) return "(no device)";
    if (device->Type != IO_TYPE_DEVICE) return "(invalid device)";
    const std::u16string& name = io::device_private(device)->name;
    std::string text = name.empty() ? "(unnamed device)"
                                    : narrow(reinterpret_cast<const WCHAR*>(name.data()), name.size());
    return text + " " + driver_name(device->DriverObject);
}

std::mutex g_labels_lock;
std::unordered_set<std::string>* g_label_texts = nullptr;             // never freed
std::unordered_map<PDEVICE_OBJECT, const char*>* g_labels = nullptr;  // guarded by g_labels_lock
std::atomic<bool> g_labels_made{false};  // g_labels exists: a device may have a label to forget

std::string symbol(const void* address) {
    char text[256];
    host::AddressSymbol info;
    if (host::symbol_of(address, info) && info.symbol) {
        std::snprintf(text, sizeof text, "%p %s+0x%lx", address, info.symbol,
                      static_cast<unsigned long>(static_cast<const char*>(address) -
                                                 static_cast<const char*>(info.symbol_address)));
        return text;
    }
    std::snprintf(text, sizeof text, "%p", address);
    return text;
}

}  // namespace

namespace {

// Labels are asked for at every verified dispatch and completion routine: a direct-mapped cache in
// front of the table answers without the lock. Writers (under g_labels_lock) clear the device, then
// set the text, then the device; a reader that sees the same device before and after reading the
// text has that device's text.
struct LabelCacheEntry {
    std::atomic<PDEVICE_OBJECT> device{nullptr};
    std::atomic<const char*> text{nullptr};
};
constexpr unsigned kLabelCacheBits = 8;
LabelCacheEntry g_label_cache[1u << kLabelCacheBits];

LabelCacheEntry& label_cache(PDEVICE_OBJECT device) noexcept {
    return g_label_cache[(reinterpret_cast<std::uintptr_t>(device) >> 4) * 0x9E3779B97F4A7C15ULL >>
                         (64 - kLabelCacheBits)];
}

}  // namespace

const char* device_label(PDEVICE_OBJECT device) {
    if (!device) return nullptr;
    LabelCacheEntry& cached = label_cache(device);
    if (cached.device.load(std::memory_order_acquire) == device) {
        const char* text = cached.text.load(std::memory_order_acquire);
        if (text && cached.device.load(std::memory_order_acquire) == device) return text;
    }
    std::lock_guard guard(g_labels_lock);
    if (!g_labels) {
        g_labels = new std::unordered_map<PDEVICE_OBJECT, const char*>();
        g_label_texts = new std::unordered_set<std::string>();
        g_labels_made.store(true, std::memory_order_release);
    }
    const char* text;
    if (auto it = g_labels->find(device); it != g_labels->end()) {
        text = it->second;
    } else {
        text = g_label_texts->insert(device_name(device)).first->c_str();
        (*g_labels)[device] = text;
    }
    cached.device.store(nullptr, std::memory_order_release);
    cached.text.store(text, std::memory_order_release);
    cached.device.store(device, std::memory_order_release);
    return text;
}

void forget_device_label(PDEVICE_OBJECT device) noexcept {
    std::lock_guard guard(g_labels_lock);
    if (g_labels) g_labels->erase(device);
    LabelCacheEntry& cached = label_cache(device);
    if (cached.device.load(std::memory_order_relaxed) == device) cached.device.store(nullptr, std::memory_order_release);
}

// The device object's memory goes back: whatever the verifier's state now, a label kept for it must
// not name the next device made at the same address.
void on_device_freed(PDEVICE_OBJECT device) noexcept {
    if (g_labels_made.load(std::memory_order_acquire)) forget_device_label(device);
}

namespace {

const char* major_name(UCHAR major) {
    const char* name = io::major_function_name(major);
    return name ? name : "IRP_MJ_?";
}

// What each parameter means, from the Microsoft bug-check pages (0xC9, 0xC4, 0x44, 0xE6, 0xCE).
void explain_parameters(std::string& out, ULONG code, const ULONG_PTR p[4]) {
    const char* what[4] = {"", "", "", ""};
    if (code == DRIVER_VERIFIER_IOMANAGER_VIOLATION) {
        if (p[0] >= 0x200) {
            what[0] = "WDM DRIVER ERROR code";
            what[1] = "driver routine where the error was detected";
            what[2] = "IRP";
            what[3] = "device object";
        } else {
            switch (p[0]) {
            case 0x01: case 0x02: what[0] = "violation"; what[1] = "IRP being freed"; break;
            case 0x03: what[0] = "violation"; what[1] = "IRP being sent"; break;
            case 0x04: what[0] = "violation"; what[1] = "device object"; break;
            case 0x05: what[0] = "violation"; what[1] = "device object of the offending driver";
                       what[2] = "IRQL before IoCallDriver"; what[3] = "IRQL after IoCallDriver"; break;
            case 0x06: what[0] = "violation"; what[1] = "IRP status"; what[2] = "IRP being completed"; break;
            case 0x07: what[0] = "violation"; what[1] = "cancel routine"; what[2] = "IRP being completed"; break;
            case 0x08: what[0] = "violation"; what[1] = "device object"; what[2] = "IRP major function code";
                       what[3] = "exception status code"; break;
            case 0x09: what[0] = "violation"; what[1] = "device object"; what[2] = "I/O control code";
                       what[3] = "exception status code"; break;
            case 0x0A: what[0] = "violation"; what[1] = "device object"; break;
            case 0x0C: what[0] = "violation"; what[1] = "I/O status block"; break;
            case 0x0D: what[0] = "violation"; what[1] = "user event object"; break;
            case 0x0E: what[0] = "violation"; what[1] = "current IRQL"; what[2] = "IRP"; break;
            case 0x0F: what[0] = "violation"; what[1] = "file object"; what[2] = "IRP"; what[3] = "device object"; break;
            case 0x10: what[0] = "violation"; what[1] = "current IRQL"; break;
            case 0x11: what[0] = "violation"; what[1] = "fast I/O dispatch routine";
                       what[2] = "IRQL before the routine"; what[3] = "current IRQL"; break;
            case 0x12: what[0] = "violation"; what[1] = "dispatch routine"; what[2] = "IRQL before the routine";
                       what[3] = "current IRQL"; break;
            default: what[0] = "violation"; break;
            }
        }
    } else if (code == DRIVER_VERIFIER_DETECTED_VIOLATION) {
        what[0] = "DDI compliance rule id";
        what[1] = "string describing the violated rule condition";
        what[2] = "reserved";
        what[3] = "reserved";
    } else if (code == MULTIPLE_IRP_COMPLETE_REQUESTS) {
        what[0] = "IRP";
        what[1] = "ntio reason (1 IoFreeIrp of a freed IRP, 2 completion of a freed IRP, 3 completion past "
                  "the top location, 4 completion again after a completion reached the originator)";
    } else if (code == DRIVER_VERIFIER_DMA_VIOLATION) {
        what[0] = "DMA violation (see Bug Check 0xE6 on Learn for parameters 2-4)";
    } else if (code == DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS) {
        what[0] = "pending object (IRP)";
        what[2] = "DriverUnload routine";
        what[3] = "ntio kind (1 IRP)";
    }
    for (int i = 0; i < 4; ++i)
        append(out, "Arg%d: %016llx%s%s\n", i + 1, static_cast<unsigned long long>(p[i]), *what[i] ? ", " : "",
               what[i]);
}

const char* event_name(Event event) {
    switch (event) {
    case Event::Dispatch: return "dispatch";
    case Event::Return: return "return";
    case Event::Complete: return "complete";
    case Event::Routine: return "completion-routine";
    case Event::RoutineMoreProcessing: return "  -> more-processing";
    case Event::Cancel: return "cancel";
    case Event::Free: return "free";
    }
    return "?";
}

void append_path(std::string& out, const IrpRecord& record) {
    append(out, "IRP %p #%llu: StackCount %d, %zu events%s\n", static_cast<void*>(record.irp),
           static_cast<unsigned long long>(record.sequence), record.stack_count, record.path_total,
           record.path_total > record.path.size() ? " (middle elided)" : "");
    for (const PathEntry& e : record.path) {
        append(out, "  %-20s loc %d", event_name(e.event), e.location);
        switch (e.event) {
        case Event::Dispatch:
            append(out, "  %s(0x%02x) minor 0x%02x  %s  dispatch %s\n", major_name(e.major), e.major, e.minor,
                   e.label ? e.label : "(no device)", symbol(e.routine).c_str());
            break;
        case Event::Return:
            append(out, "  returned 0x%08x  %s\n", static_cast<unsigned>(e.status),
                   e.pending ? "marked pending" : "not marked pending");
            break;
        case Event::Complete:
            append(out, "  IoStatus.Status 0x%08x%s\n", static_cast<unsigned>(e.status),
                   e.pending ? "  pending bit set" : "");
            break;
        case Event::Routine:
        case Event::RoutineMoreProcessing:
            append(out, "  %s  PendingReturned %d  %s\n", symbol(e.routine).c_str(), e.pending ? 1 : 0,
                   e.label ? e.label : "(originator)");
            break;
        case Event::Cancel:
            append(out, "  cancel routine %s\n", symbol(e.routine).c_str());
            break;
        case Event::Free:
            out += "\n";
            break;
        }
    }
}

void store_report(ULONG code, const ULONG_PTR params[4], const std::string& text, PDRIVER_OBJECT driver) {
    const std::string blamed = driver ? driver_name(driver) : std::string();
    bool expected = false;
    while (!g_report_busy.compare_exchange_weak(expected, true, std::memory_order_acquire)) expected = false;
    const std::size_t blamed_length = std::min(blamed.size(), sizeof g_report_driver - 1);
    std::memcpy(g_report_driver, blamed.data(), blamed_length);
    g_report_driver[blamed_length] = '\0';
    g_report_length = std::min(text.size(), kReportSize - 1);
    std::memcpy(g_report, text.data(), g_report_length);
    g_report[g_report_length] = '\0';
    g_report_code = code;
    std::memcpy(g_report_params, params, sizeof g_report_params);
    g_report_busy.store(false, std::memory_order_release);
}

std::string format_report(const Violation& v) {
    std::string out;
    const ULONG_PTR params[4] = {v.p1, v.p2, v.p3, v.p4};
    const char* name = rtl::bugcheck_name(v.code);
    append(out, "%s (%x)\n", name ? name : "?", static_cast<unsigned>(v.code));
    if (v.code == DRIVER_VERIFIER_IOMANAGER_VIOLATION && v.p1 >= 0x200)
        append(out, "WDM DRIVER ERROR 0x%llx", static_cast<unsigned long long>(v.p1));
    else
        out += "Violation";
    if (v.rule) append(out, " (rule %s)", v.rule);
    append(out, ": %s\n", v.message);
    explain_parameters(out, v.code, params);
    append(out, "Driver: %s (verifier flags 0x%x, mode %s)\n", driver_name(v.driver).c_str(),
           static_cast<unsigned>(driver_flags(v.driver)),
           mode() == NtioVerifierCompat ? "compat" : mode() == NtioVerifierStrict ? "strict" : "off");
    // Spec section 4: a report under a stress mode names the seed, so that the run can be replayed.
    constexpr ULONG kStressFlags = NTIO_VERIFIER_RANDOM_LOW_RESOURCES | NTIO_VERIFIER_FORCE_PENDING |
                                   NTIO_VERIFIER_SYNC_DELAY_FUZZING;
    if (driver_flags(v.driver) & kStressFlags)
        append(out, "Stress seed: %llu (NtioVerifierSetStress / NTIO_VERIFIER_SEED replays the run)\n",
               static_cast<unsigned long long>(stress_settings().Seed));
    if (v.record) {
        std::lock_guard guard(tracking_lock());
        append_path(out, *v.record);
    } else if (v.irp) {
        append(out, "IRP %p (not tracked)\n", static_cast<void*>(v.irp));
    }
    return out;
}

void stop_screen_reporter(ULONG code, const ULONG_PTR params[4], int fd) {
    if (!g_report_busy.load(std::memory_order_acquire) && g_report_length > 0 && g_report_code == code &&
        std::memcmp(g_report_params, params, sizeof g_report_params) == 0) {
        (void)host::write_all(fd, g_report, g_report_length);
    }
    if (g_previous_reporter) g_previous_reporter(code, params, fd);
}

// Every bugcheck: forget the dispatch frames the longjmp of a test hook will skip; and for the I/O
// manager's own IRP bugchecks, describe the IRP from its tracking record when there is one.
void bugcheck_observer(ULONG code, const ULONG_PTR params[4]) {
    reset_thread_state();
    reset_context();
    if (!active()) return;
    if (code != MULTIPLE_IRP_COMPLETE_REQUESTS && code != CANCEL_STATE_IN_COMPLETED_IRP) return;
    if (g_report_code == code && std::memcmp(g_report_params, params, sizeof g_report_params) == 0) return;
    RecordRef record;
    {
        std::unique_lock guard(tracking_lock(), std::try_to_lock);
        if (!guard.owns_lock()) return;
        record = find_record_locked(reinterpret_cast<PIRP>(params[0]));
    }
    if (!record) return;
    Violation v{code, params[0], params[1], params[2], params[3], Severity::Always, "DoubleCompletion",
                code == MULTIPLE_IRP_COMPLETE_REQUESTS ? "the IRP was completed (or freed) twice"
                                                       : "a cancel routine is set on a completed IRP",
                nullptr, record->irp, record.get()};
    for (const PathEntry& e : record->path)
        if (e.event == Event::Dispatch) v.driver = e.driver;
    store_report(code, params, format_report(v), v.driver);
}

// The report for a dump written at this bugcheck (inspect::set_bugcheck_report_provider).
inspect::BugcheckReport dump_report(std::uint32_t code, const unsigned long long* params) {
    inspect::BugcheckReport report;
    if (g_report_busy.load(std::memory_order_acquire) || g_report_length == 0 || g_report_code != code ||
        std::memcmp(g_report_params, params, sizeof g_report_params) != 0)
        return report;
    report.text.assign(g_report, g_report_length);
    report.driver = g_report_driver;
    return report;
}

bool install() noexcept {
    inspect::set_bugcheck_report_provider(dump_report);
    g_previous_reporter = rtl::set_bugcheck_reporter(stop_screen_reporter);
    rtl::set_bugcheck_observer(bugcheck_observer);
    return true;
}
[[maybe_unused]] const bool g_installed = install();

}  // namespace

static std::mutex g_notes_lock;
static std::vector<ViolationNote>* g_notes = nullptr;  // the last kNotes violations; never freed

static void remember(const Violation& v) noexcept {
    constexpr std::size_t kNotes = 16;
    std::uint64_t sequence = 0;
    if (v.record) {
        std::unique_lock guard(tracking_lock(), std::try_to_lock);
        if (guard.owns_lock()) sequence = v.record->sequence;
    }
    std::lock_guard guard(g_notes_lock);
    if (!g_notes) g_notes = new std::vector<ViolationNote>();
    if (g_notes->size() == kNotes) g_notes->erase(g_notes->begin());
    g_notes->push_back({v.code, v.p1, v.rule, sequence, v.driver});
}

std::vector<ViolationNote> recent_violations() {
    std::lock_guard guard(g_notes_lock);
    return g_notes ? *g_notes : std::vector<ViolationNote>{};
}

void report(const Violation& v) noexcept {
    if (mode() == NtioVerifierOff) return;
    remember(v);
    if (v.irp && (tracing() || (driver_flags(v.driver) & NTIO_VERIFIER_IRP_LOGGING))) {
        LogFields fields;
        fields.code = v.code;
        fields.subcode = v.p1;
        fields.text = v.rule;
        log_event(LogKind::Verifier, v.irp, fields);
    }
    std::string text = format_report(v);
    if (v.severity == Severity::StrictOnly && mode() == NtioVerifierCompat) {
        g_warnings.fetch_add(1, std::memory_order_relaxed);
        std::string warning = "*** ntio verifier warning (compat mode, tolerated by Windows without Driver Verifier)\n";
        warning += text;
        (void)host::write_all(host::kStandardError, warning.data(), warning.size());
        return;
    }
    const ULONG_PTR params[4] = {v.p1, v.p2, v.p3, v.p4};
    store_report(v.code, params, text, v.driver);
    text.clear();
    text.shrink_to_fit();  // a test hook leaves through a longjmp: nothing may be left to destroy
    KeBugCheckEx(v.code, v.p1, v.p2, v.p3, v.p4);
}

}  // namespace ntio::verifier

using namespace ntio::verifier;

extern "C" {

ULONG NtioVerifierWarningCount(VOID) { return g_warnings.load(std::memory_order_relaxed); }

SIZE_T NtioVerifierLastReport(PCHAR Buffer, SIZE_T Size) {
    bool expected = false;
    while (!g_report_busy.compare_exchange_weak(expected, true, std::memory_order_acquire)) expected = false;
    const SIZE_T length = g_report_length;
    if (Buffer && Size > 0) {
        const SIZE_T copy = std::min<SIZE_T>(length, Size - 1);
        std::memcpy(Buffer, g_report, copy);
        Buffer[copy] = '\0';
    }
    g_report_busy.store(false, std::memory_order_release);
    return length;
}

}  // extern "C"

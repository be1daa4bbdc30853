// !irp, !irpfind and !ioctldecode: the IRP views of verifier-and-inspector.md 6.1 and 6.2, after the
// WinDbg extensions of the same names (MicrosoftDocs windows-driver-docs, debuggercmds/-irp.md,
// -irpfind.md, -ioctldecode.md).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "inspect/kd_format.hpp"

namespace ntio::inspect::kd {
namespace {

constexpr std::uint8_t kPendingReturned = 0x01;  // SL_PENDING_RETURNED
constexpr std::uint8_t kInvokeOnCancel = 0x20;   // SL_INVOKE_ON_CANCEL
constexpr std::uint8_t kInvokeOnSuccess = 0x40;  // SL_INVOKE_ON_SUCCESS
constexpr std::uint8_t kInvokeOnError = 0x80;    // SL_INVOKE_ON_ERROR

std::string control_text(std::uint8_t control) {
    std::string text;
    auto add = [&](const char* word) {
        if (!text.empty()) text += ' ';
        text += word;
    };
    if (control & kInvokeOnSuccess) add("Success");
    if (control & kInvokeOnError) add("Error");
    if (control & kInvokeOnCancel) add("Cancel");
    if (control & kPendingReturned) add("pending");
    return text;
}

bool all_zero(const StackLocationSnap& l) {
    return !l.major && !l.minor && !l.flags && !l.control && !l.device && !l.file && !l.completion && !l.context &&
           !l.args[0] && !l.args[1] && !l.args[2] && !l.args[3];
}

bool is_active(const IrpSnap& irp) {
    return irp.current_location >= 1 && irp.current_location <= irp.stack_count;
}

const StackLocationSnap* current_location(const IrpSnap& irp) {
    if (!is_active(irp) || static_cast<std::size_t>(irp.current_location) > irp.stack.size()) return nullptr;
    return &irp.stack[static_cast<std::size_t>(irp.current_location - 1)];
}

// Resolves "<addr>", "#<seq>" or a decimal sequence number that is not an IRP address.
const IrpSnap* find_irp(const Snapshot& s, const std::string& token) {
    if (!token.empty() && token[0] == '#') {
        auto seq = parse_decimal(std::string_view(token).substr(1));
        return seq ? s.irp_by_seq(*seq) : nullptr;
    }
    if (auto a = parse_number(token)) {
        if (const IrpSnap* irp = s.irp(*a)) return irp;
    }
    if (auto seq = parse_decimal(token)) return s.irp_by_seq(*seq);
    return nullptr;
}

}  // namespace

void format_irp(const Snapshot& s, const IrpSnap& irp, bool detail, std::string& out) {
    if (is_active(irp)) {
        out += "Irp is active with " + std::to_string(irp.stack_count) + " stacks " +
               std::to_string(irp.current_location) + " is current (= 0x" + ptr(irp.current_stack) + ")";
    } else {
        out += "Irp is complete (CurrentLocation " + std::to_string(irp.current_location) + " > StackCount " +
               std::to_string(irp.stack_count) + ")";
    }
    // NT deviation: the inspector's sequence number follows the header (spec 6: every IRP is shown
    // with a stable number next to its address); WinDbg has none.
    out += " seq " + std::to_string(irp.seq) + "\n";
    out += irp.mdl ? " Mdl = " + ptr(irp.mdl) : std::string(" No Mdl");
    out += irp.system_buffer ? ":   System buffer = " + ptr(irp.system_buffer) : std::string(":   No System Buffer");
    out += ":   Thread " + ptr(irp.thread) + ":  Irp stack trace.\n";
    if (detail) {
        out += "Flags = " + hex(irp.flags, 8) + "\n";
        out += "IoStatus.Status = " + hex(static_cast<std::uint32_t>(irp.status), 8) + "\n";
        out += "IoStatus.Information = " + ptr(irp.information) + "\n";
        out += "RequestorMode = " + hex(irp.requestor_mode, 8) + "\n";
        out += "Cancel = " + hex(irp.cancel ? 1 : 0, 2) + "\n";
        out += "CancelIrql = " + std::to_string(irp.cancel_irql) + "\n";
        out += "ApcEnvironment = " + hex(irp.apc_environment, 2) + "\n";
        out += "PendingReturned = " + hex(irp.pending_returned ? 1 : 0, 2) + "\n";
        out += "MdlAddress = " + ptr(irp.mdl) + "\n";
        out += "UserIosb = " + ptr(irp.user_iosb) + "\n";
        out += "UserEvent = " + ptr(irp.user_event) + "\n";
        out += "Overlay.AsynchronousParameters.UserApcRoutine = " + ptr(irp.user_apc_routine) + "\n";
        out += "Overlay.AsynchronousParameters.UserApcContext = " + ptr(irp.user_apc_context) + "\n";
        out += "CancelRoutine = " + ptr(irp.cancel_routine);
        if (std::string sym = s.symbol(irp.cancel_routine); !sym.empty()) out += "   " + sym;
        out += "\n";
        out += "UserBuffer = " + ptr(irp.user_buffer) + "\n";
        out += "Tail.Overlay.Thread = " + ptr(irp.thread) + "\n";
        out += "Tail.Overlay.CurrentStackLocation = " + ptr(irp.current_stack) + "\n";
        out += "Tail.Overlay.OriginalFileObject = " + ptr(irp.original_file) + "\n";
        out += "Owning process = " + ptr(irp.process) + "\n";
        out += "Found on = " + irp.found_on + "\n";
    }
    out += "     cmd  flg cl Device   File     Completion-Context\n";
    for (std::size_t i = 0; i < irp.stack.size(); ++i) {
        const StackLocationSnap& l = irp.stack[i];
        const bool current = is_active(irp) && static_cast<std::size_t>(irp.current_location) == i + 1;
        out += current ? ">" : " ";
        if (all_zero(l)) {
            out += "[N/A(0), N/A(0)]\n";
        } else {
            out += "[" + std::string(major_name(l.major)) + "(" + hex(l.major, 1) + "), " + minor_name(l.major, l.minor) +
                   "(" + hex(l.minor, 1) + ")]\n";
        }
        char head[32];
        std::snprintf(head, sizeof head, "            %2x %02x ", l.flags, l.control);
        out += head;
        out += ptr(l.device) + " " + ptr(l.file) + " " + ptr(l.completion) + "-" + ptr(l.context);
        if (std::string text = control_text(l.control); !text.empty()) out += " " + text;
        out += "\n";
        std::string driver = s.driver_name_of_device(l.device);
        std::string routine = s.symbol(l.completion);
        if (!driver.empty() || !routine.empty()) {
            out += "            " + driver;
            if (!routine.empty()) out += "   " + routine;
            out += "\n";
        }
        out += "            Args: " + ptr(l.args[0]) + " " + ptr(l.args[1]) + " " + ptr(l.args[2]) + " " +
               ptr(l.args[3]) + "\n";
    }
}

int cmd_irp(const Snapshot& s, const Args& a, std::string& out) {
    if (a.empty() || a.size() > 2) return fail(out, "Usage: !irp <address|#seq> [detail]");
    const IrpSnap* irp = find_irp(s, a[0]);
    if (!irp) {
        return fail(out, "IRP signature does not match, probably not an IRP (" + a[0] +
                             " is not an IRP in flight)");
    }
    bool detail = false;
    if (a.size() == 2) {
        if (a[1] == "detail") {
            detail = true;
        } else if (auto v = parse_number(a[1])) {
            detail = *v != 0;
        } else {
            return fail(out, "Usage: !irp <address|#seq> [detail]");
        }
    }
    record(*irp);
    format_irp(s, *irp, detail, out);
    return 0;
}

namespace {

// IRPs the verifier still tracks: its IRP log (verifier-and-inspector.md 7.2 records) names them by
// irp_addr; one whose last record is "free" is no longer tracked.
std::set<Addr> verifier_tracked(const Snapshot& s) {
    std::set<Addr> tracked;
    if (s.verifier.empty()) return tracked;
    nlohmann::json log = nlohmann::json::parse(s.verifier, nullptr, false);
    if (log.is_discarded()) return tracked;
    const nlohmann::json* events = &log;
    if (log.is_object() && log.contains("events")) events = &log["events"];
    if (!events->is_array()) return tracked;
    for (const auto& e : *events) {
        if (!e.is_object() || !e.contains("irp_addr")) continue;
        Addr a = 0;
        if (e["irp_addr"].is_number_unsigned()) a = e["irp_addr"].get<Addr>();
        else if (e["irp_addr"].is_string()) a = parse_number(e["irp_addr"].get<std::string>()).value_or(0);
        if (!a) continue;
        if (e.value("event", std::string()) == "free") tracked.erase(a);
        else tracked.insert(a);
    }
    return tracked;
}

bool matches(const IrpSnap& irp, const std::string& criteria, Addr data) {
    auto any_location = [&](auto pred) {
        return std::any_of(irp.stack.begin(), irp.stack.end(), pred);
    };
    if (criteria == "arg") {
        return any_location([&](const StackLocationSnap& l) {
            return l.args[0] == data || l.args[1] == data || l.args[2] == data || l.args[3] == data;
        });
    }
    if (criteria == "device") return any_location([&](const StackLocationSnap& l) { return l.device == data; });
    if (criteria == "fileobject") {
        return irp.original_file == data || any_location([&](const StackLocationSnap& l) { return l.file == data; });
    }
    if (criteria == "mdlprocess") return irp.mdl && irp.mdl_process == data;
    if (criteria == "thread") return irp.thread == data;
    if (criteria == "userevent") return irp.user_event == data;
    return false;
}

bool is_criteria(const std::string& word) {
    return word == "arg" || word == "device" || word == "fileobject" || word == "mdlprocess" || word == "thread" ||
           word == "userevent";
}

}  // namespace

int cmd_irpfind(const Snapshot& s, const Args& a, std::string& out) {
    static const char* const kUsage =
        "Usage: !irpfind [-v] [-verifier] [PoolType [RestartAddress [Criteria Data]]]   "
        "Criteria: arg device fileobject mdlprocess thread userevent";
    bool verbose = false;
    bool only_verifier = false;
    std::vector<std::string> rest;
    for (const std::string& word : a) {
        if (word == "-v") verbose = true;
        else if (word == "-verifier") only_verifier = true;
        else rest.push_back(word);
    }
    Addr restart = 0;
    std::string criteria;
    Addr data = 0;
    std::size_t i = 0;
    // PoolType is accepted and ignored: ntio's IRPs are not found by scanning a pool.
    if (i < rest.size() && !is_criteria(rest[i])) {
        if (!parse_number(rest[i])) return fail(out, kUsage);
        ++i;
        if (i < rest.size() && !is_criteria(rest[i])) {
            auto r = parse_number(rest[i]);
            if (!r) return fail(out, kUsage);
            restart = *r;
            ++i;
        }
    }
    if (i < rest.size()) {
        criteria = rest[i++];
        if (!is_criteria(criteria) || i >= rest.size()) return fail(out, kUsage);
        auto d = parse_number(rest[i++]);
        if (!d) return fail(out, kUsage);
        data = *d;
    }
    if (i != rest.size()) return fail(out, kUsage);

    std::vector<const IrpSnap*> irps;
    for (const IrpSnap& irp : s.irps) irps.push_back(&irp);
    std::sort(irps.begin(), irps.end(), [](const IrpSnap* x, const IrpSnap* y) { return x->address < y->address; });
    const std::set<Addr> tracked = only_verifier ? verifier_tracked(s) : std::set<Addr>{};

    // NT deviation: Windows scans the pool for the 'Irp' tag; ntio walks the lists that hold IRPs in
    // flight (every thread's IRP list and the device queues), so an IRP a driver allocated and
    // holds without queueing it to a thread is not listed (spec 6.2 allows the walk).
    out += "Searching the IRP lists of all threads and the device queues ...\n\n";
    out += "  Irp            [ Thread ]         irpStack: (Mj,Mn)   DevObj          [Driver]         MDL Process\n";
    for (const IrpSnap* irp : irps) {
        if (irp->address < restart) continue;
        if (!criteria.empty() && !matches(*irp, criteria, data)) continue;
        if (only_verifier && !tracked.count(irp->address)) continue;
        record(*irp);
        out += ptr(irp->address) + " [" + ptr(irp->thread) + "] ";
        if (const StackLocationSnap* l = current_location(*irp)) {
            char code[16];
            std::snprintf(code, sizeof code, "(%2x,%x)", l->major, l->minor);
            out += std::string("irpStack: ") + code + "  " + ptr(l->device) + " [" +
                   s.driver_name_of_device(l->device) + "]";
        } else {
            out += "Irp is complete (CurrentLocation " + std::to_string(irp->current_location) + " > StackCount " +
                   std::to_string(irp->stack_count) + ")";
        }
        if (irp->mdl) out += " " + ptr(irp->mdl);
        out += " " + ptr(irp->process) + " seq " + std::to_string(irp->seq) + "\n";
        if (verbose) {
            format_irp(s, *irp, false, out);
            out += "\n";
        }
    }
    return 0;
}

int cmd_ioctldecode(const Snapshot&, const Args& a, std::string& out) {
    if (a.size() != 1) return fail(out, "Usage: !ioctldecode <IoControlCode>");
    auto code = parse_number(a[0]);
    if (!code || *code > 0xFFFFFFFFu) return fail(out, "Usage: !ioctldecode <IoControlCode>");
    const auto value = static_cast<std::uint32_t>(*code);
    const unsigned type = value >> 16;
    const unsigned access = (value >> 14) & 3;
    const unsigned function = (value >> 2) & 0xFFF;
    const unsigned method = value & 3;
    static const char* const kMethods[] = {"METHOD_BUFFERED", "METHOD_IN_DIRECT", "METHOD_OUT_DIRECT",
                                           "METHOD_NEITHER"};
    static const char* const kAccess[] = {"FILE_ANY_ACCESS", "FILE_READ_ACCESS", "FILE_WRITE_ACCESS",
                                          "FILE_READ_ACCESS | FILE_WRITE_ACCESS"};
    const char* type_name = type == 0x22   ? "FILE_DEVICE_UNKNOWN"
                            : type == 0x07 ? "FILE_DEVICE_DISK"
                            : type == 0x09 ? "FILE_DEVICE_FILE_SYSTEM"
                            : type == 0x12 ? "FILE_DEVICE_NETWORK"
                            : type == 0x2d ? "FILE_DEVICE_MASS_STORAGE"
                            : type == 0x15 ? "FILE_DEVICE_NULL"
                            : type == 0x11 ? "FILE_DEVICE_NAMED_PIPE"
                            : type == 0x0c ? "FILE_DEVICE_MAILSLOT"
                                           : "";
    out += "Unknown IOCTL  : 0x" + hex(value, 8) + "\n";
    out += "Device Type    : 0x" + hex(type, 1) + (*type_name ? std::string(" (") + type_name + ")" : "") + "\n";
    out += "Method         : 0x" + hex(method, 1) + " " + kMethods[method] + "\n";
    out += std::string("Access         : ") + kAccess[access] + "\n";
    out += "Function       : 0x" + hex(function, 1) + "\n";
    return 0;
}

}  // namespace ntio::inspect::kd

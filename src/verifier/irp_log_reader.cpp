// The IRP log read back (irp_log.cpp records it; irp_log_layout.hpp is the storage): every ring's
// records decoded, timed and paired (a return with its call, a completion routine with its device's
// names), numbered in time order and written as the JSON lines of verifier-and-inspector.md 7.2;
// the per-device IRP logs; the inspector's verifier section for dumps and `!verifier`; and the
// NTIO_TRACE file written at exit. Readers run while writers record and never make them wait: a
// reader keeps only the words no writer can have touched since it copied them.
#include <chrono>
#include <thread>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "host/process.hpp"
#include "io/dma_verifier.hpp"
#include "inspect/snapshot.hpp"
#include "verifier/irp_log_layout.hpp"
#include "verifier/state.hpp"
#include "verifier/trace_tool.hpp"

namespace ntio::verifier {
namespace {
using namespace irp_log;

// One event as the readers see it, decoded from its ring words (read_records). Set_completion,
// mark_pending and cancel_routine are not recorded on their own: they are read off the call, return
// and cancel_request records they belong to when the log is read, so they cost nothing to record.
struct Record {
    std::uint64_t ts;          // nanoseconds (CLOCK_MONOTONIC)
    std::uint64_t seq;         // numbered when read, in time order
    std::uint64_t irp_id;
    std::uint64_t match;       // call and return: uniq_match_id (the call's position id), paired here
    PIRP irp;
    PDEVICE_OBJECT device;
    const DeviceNames* names;  // call, return, completion routine: the device's (its names outlive it)
    PVOID routine;
    PVOID context;             // apc_deliver: the APC's context; iocp_post: the port
    PVOID completion;          // call: the completion routine its caller set (set_completion), or null
    PVOID completion_context;  // ... and its context
    ULONG_PTR information;
    ULONG_PTR subcode;         // verifier: subcode; iocp_post: the key
    std::uint64_t length;      // call: Read/Write Length or IOCTL code
    std::uint64_t offset;      // call: Read/Write ByteOffset
    const char* text;
    NTSTATUS status;
    ULONG code;
    std::uint32_t tid;
    Kind kind;
    UCHAR major;
    UCHAR minor;
    CHAR location;
    CHAR stack_count;
    bool pending;
    UCHAR control;             // call: the SL_INVOKE_ON_* bits of the completion routine
    bool derived;              // ts worked out from the thread's clock reads around it (not read itself)
};

// raw_clock() values to nanoseconds, from the start-up calibration and one taken now (at least 10 ms
// later, so the rate is good to a few parts per million).
struct ClockConverter {
    long double ns_per_tick = 1.0L;
    ClockConverter() {
        if (!g_use_tsc) return;
        Calibration now = calibrate();
        while (now.ns - g_start.ns < 10000000ull) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            now = calibrate();
        }
        ns_per_tick = static_cast<long double>(now.ns - g_start.ns) / static_cast<long double>(now.raw - g_start.raw);
    }
    std::uint64_t ns(std::uint64_t raw) const noexcept {
        if (!g_use_tsc) return raw;
        const long double delta = static_cast<long double>(static_cast<std::int64_t>(raw - g_start.raw)) * ns_per_tick;
        return g_start.ns + static_cast<std::uint64_t>(static_cast<std::int64_t>(delta));
    }
};

// The device's current log entry by address alone (the device is not read: it may be gone).
DeviceLog* find_device_log(PDEVICE_OBJECT device) noexcept {
    if (!device) return nullptr;
    std::size_t i = (reinterpret_cast<std::uintptr_t>(device) >> 4) * 0x9E3779B97F4A7C15ULL >> 54;
    for (std::size_t probe = 0; probe < kDeviceLogs; ++probe, i = (i + 1) & (kDeviceLogs - 1)) {
        DeviceLog& log = g_devices[i];
        PDEVICE_OBJECT current = log.device.load(std::memory_order_acquire);
        if (!current) return nullptr;
        if (current == device && log.state.load(std::memory_order_acquire) == kReady) return &log;
    }
    return nullptr;
}

const char* device_name_of(const Record& r) { return r.names ? r.names->device_name : ""; }
const char* driver_name_of(const Record& r) { return r.names ? r.names->driver_name : ""; }

}  // namespace

namespace {
const char* kind_name(Kind kind) {
    switch (kind) {
    case Kind::Alloc: return "alloc";
    case Kind::Call: return "call";
    case Kind::Return: return "return";
    case Kind::MarkPending: return "mark_pending";
    case Kind::SetCompletion: return "set_completion";
    case Kind::Complete: return "complete";
    case Kind::CompletionRoutine: return "completion_routine";
    case Kind::CancelRequest: return "cancel_request";
    case Kind::CancelRoutine: return "cancel_routine";
    case Kind::ApcDeliver: return "apc_deliver";
    case Kind::IocpPost: return "iocp_post";
    case Kind::Free: return "free";
    case Kind::Verifier: return "verifier";
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

unsigned long long addr(const void* p) { return static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(p)); }

void append_record(std::string& out, const Record& r, int pid) {
    char line[512];
    std::snprintf(line, sizeof line,
                  "{\"ts_ns\":%llu,\"seq\":%llu,\"pid\":%d,\"tid\":%u,\"irp_id\":%llu,\"irp_addr\":\"0x%llx\","
                  "\"event\":\"%s\",\"uniq_match_id\":%llu",
                  static_cast<unsigned long long>(r.ts), static_cast<unsigned long long>(r.seq), pid, r.tid,
                  static_cast<unsigned long long>(r.irp_id), addr(r.irp), kind_name(r.kind),
                  static_cast<unsigned long long>(r.match));
    out += line;
    if (r.derived) out += ",\"ts_derived\":true";
    auto field = [&](const char* format, auto... args) {
        std::snprintf(line, sizeof line, format, args...);
        out += line;
    };
    switch (r.kind) {
    case Kind::Call:
        field(",\"major\":%u,\"minor\":%u,\"location\":%d,\"stack_count\":%d,\"device\":\"0x%llx\"", r.major, r.minor,
              r.location, r.stack_count, addr(r.device));
        out += ",\"device_name\":";
        json_string(out, device_name_of(r));
        out += ",\"driver\":";
        json_string(out, driver_name_of(r));
        field(",\"routine\":\"0x%llx\",\"length\":%llu,\"offset\":%llu", addr(r.routine),
              static_cast<unsigned long long>(r.length), static_cast<unsigned long long>(r.offset));
        break;
    case Kind::Return:
        field(",\"status\":\"0x%08x\",\"location\":%d,\"pending\":%s", static_cast<unsigned>(r.status), r.location,
              r.pending ? "true" : "false");
        out += ",\"driver\":";
        json_string(out, driver_name_of(r));
        break;
    case Kind::MarkPending:
        field(",\"location\":%d,\"device\":\"0x%llx\"", r.location, addr(r.device));
        break;
    case Kind::SetCompletion:  // expanded from a call record: its completion fields
        field(",\"routine\":\"0x%llx\",\"context\":\"0x%llx\",\"flags\":\"0x%02x\",\"location\":%d,"
              "\"invoke_on_success\":%s,\"invoke_on_error\":%s,\"invoke_on_cancel\":%s",
              addr(r.completion), addr(r.completion_context), static_cast<unsigned>(r.control), r.location,
              (r.control & SL_INVOKE_ON_SUCCESS) ? "true" : "false", (r.control & SL_INVOKE_ON_ERROR) ? "true" : "false",
              (r.control & SL_INVOKE_ON_CANCEL) ? "true" : "false");
        break;
    case Kind::Complete:
        field(",\"status\":\"0x%08x\",\"information\":%llu,\"location\":%d", static_cast<unsigned>(r.status),
              static_cast<unsigned long long>(r.information), r.location);
        break;
    case Kind::CompletionRoutine:
        field(",\"routine\":\"0x%llx\",\"result\":\"0x%08x\",\"location\":%d,\"pending\":%s", addr(r.routine),
              static_cast<unsigned>(r.status), r.location, r.pending ? "true" : "false");
        out += ",\"driver\":";
        json_string(out, driver_name_of(r));
        break;
    case Kind::CancelRequest:
    case Kind::CancelRoutine:
        field(",\"routine\":\"0x%llx\",\"location\":%d", addr(r.routine), r.location);
        break;
    case Kind::ApcDeliver:
        field(",\"routine\":\"0x%llx\",\"context\":\"0x%llx\",\"status\":\"0x%08x\",\"information\":%llu",
              addr(r.routine), addr(r.context), static_cast<unsigned>(r.status),
              static_cast<unsigned long long>(r.information));
        break;
    case Kind::IocpPost:
        field(",\"port\":\"0x%llx\",\"key\":\"0x%llx\",\"status\":\"0x%08x\",\"information\":%llu", addr(r.context),
              static_cast<unsigned long long>(r.subcode), static_cast<unsigned>(r.status),
              static_cast<unsigned long long>(r.information));
        break;
    case Kind::Verifier:
        field(",\"code\":\"0x%x\",\"subcode\":\"0x%llx\"", r.code, static_cast<unsigned long long>(r.subcode));
        out += ",\"rule\":";
        json_string(out, r.text ? r.text : "");
        break;
    case Kind::Alloc:
    case Kind::Free:
        field(",\"stack_count\":%d", r.stack_count);
        break;
    }
    out += "}\n";
}

// ---- Reading ----

// Derived times: an event that did not read the clock is placed 1 ns per event after its thread's
// previous clock read, a lower bound of its real time (recording an event alone takes longer); an
// allocation leading into a burst 1 ns per event before the burst's read, an upper bound. Either way
// it stays between its thread's reads around it, and an IRP address's old life (its free, a lower
// bound) still sorts before its next life's allocation (an upper bound) on any thread.
constexpr std::uint64_t kStepNs = 1;

struct Item {
    Record record;
    std::uint64_t ring;      // ring number, then position: ties in time keep each thread's order
    std::uint64_t position;  // of the record's first word
    std::uint64_t raw;       // raw_clock() when stamped
    bool stamped;
    bool lead;
    bool tagged_device;      // call: the device word is the address (no log entry)
};

Record blank_record() noexcept {
    Record r;
    std::memset(&r, 0, sizeof r);
    return r;
}

// One ring's whole records, oldest first, each with the thread id of the owner that wrote it.
void read_ring(const Ring& ring, std::vector<Item>& out) {
    // The owner before head: a new owner's record is published before Ring::tid changes, so when
    // this is already the new owner its record is below head (and names the previous one).
    const std::uint32_t owner = ring.tid.load(std::memory_order_acquire);
    const std::uint64_t head = ring.head.load(std::memory_order_acquire);
    const std::uint64_t base = head > kRingWords ? head - kRingWords : 0;
    std::vector<std::uint64_t> words(head - base);
    for (std::uint64_t i = base; i < head; ++i) words[i - base] = ring.words[i & kRingMask].load(std::memory_order_acquire);
    const std::uint64_t reached = ring.head.load(std::memory_order_acquire) + kMaxWriteWords;
    const std::uint64_t floor = std::max(base, reached > kRingWords ? reached - kRingWords : 0);
    const std::size_t first = out.size();
    struct OwnerMark {
        std::uint64_t position;
        std::uint32_t tid, previous;
    };
    std::vector<OwnerMark> owners;  // newest first
    for (std::uint64_t end = head; end > floor;) {
        const std::uint64_t h = words[end - 1 - base];
        const unsigned length = static_cast<unsigned>(h >> 12 & 15);
        if (length == 0 || end - floor < length) break;
        const std::uint64_t start = end - length;
        end = start;
        if ((h & 15) == kPadKind) continue;
        const std::uint64_t* p = &words[start - base];
        if ((h & 15) == kOwnerKind) {
            owners.push_back({start, static_cast<std::uint32_t>(h >> kValueShift), static_cast<std::uint32_t>(p[0])});
            continue;
        }
        Item item{blank_record(), ring.number, start, 0, (h & kStamped) != 0, (h & kLead) != 0, false};
        Record& r = item.record;
        r.kind = static_cast<Kind>(h & 15);
        r.pending = (h & kPending) != 0;
        r.location = static_cast<CHAR>(h >> 16 & 0xFF);
        r.stack_count = static_cast<CHAR>(h >> 24 & 0xFF);
        if (item.stamped) item.raw = p[length - 2];
        auto ptr = [](std::uint64_t w) { return reinterpret_cast<void*>(static_cast<std::uintptr_t>(w)); };
        auto status = [](std::uint64_t w) { return static_cast<NTSTATUS>(static_cast<std::uint32_t>(w)); };
        r.irp = static_cast<PIRP>(ptr(p[0]));
        switch (r.kind) {
        case Kind::Call: {
            if (p[1] & 1) {
                item.tagged_device = true;
                r.device = static_cast<PDEVICE_OBJECT>(ptr(p[1] & ~std::uint64_t{1}));
            } else if (const auto* log = static_cast<const DeviceLog*>(ptr(p[1]))) {
                r.device = log->device.load(std::memory_order_relaxed);
                r.names = &log->names;
            }
            r.routine = ptr(p[2]);
            const CallParams c = decode_call(p[3], p[3] >> 32, p[4]);  // irp_log.cpp's copy_call
            r.major = c.major;
            r.minor = c.minor;
            r.length = c.length;
            r.offset = c.offset;
            if (p[5] && c.invoke) {
                r.completion = ptr(p[5]);
                r.completion_context = ptr(p[6]);
                r.control = c.invoke;
            }
            break;
        }
        case Kind::Return:  // device and match id: its call's (read_records)
            r.status = status(h >> kValueShift);
            break;
        case Kind::Complete:
            r.status = status(h >> kValueShift);
            r.information = static_cast<ULONG_PTR>(p[1]);
            break;
        case Kind::CompletionRoutine:
            r.device = static_cast<PDEVICE_OBJECT>(ptr(p[1]));
            r.routine = ptr(p[2]);
            r.status = status(h >> kValueShift);
            break;
        case Kind::CancelRequest:
            r.device = static_cast<PDEVICE_OBJECT>(ptr(p[1]));
            r.routine = ptr(p[2]);
            break;
        case Kind::ApcDeliver:
        case Kind::IocpPost:
            if (r.kind == Kind::ApcDeliver) r.routine = ptr(p[1]);
            r.context = ptr(r.kind == Kind::ApcDeliver ? p[2] : p[1]);
            if (r.kind == Kind::IocpPost) r.subcode = static_cast<ULONG_PTR>(p[2]);
            r.status = status(p[3]);
            r.information = static_cast<ULONG_PTR>(p[4]);
            break;
        case Kind::Verifier:
            r.status = status(p[1]);
            r.code = static_cast<ULONG>(p[1] >> 32);
            r.subcode = static_cast<ULONG_PTR>(p[2]);
            r.text = static_cast<const char*>(ptr(p[3]));
            break;
        default:  // alloc, free: the IRP alone
            break;
        }
        out.push_back(item);
    }
    std::reverse(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
    // Oldest first: the records before the window's first owner record are its previous owner's.
    std::uint32_t tid = owners.empty() ? owner : owners.back().previous;
    for (std::size_t i = first; i < out.size(); ++i) {
        while (!owners.empty() && owners.back().position < out[i].position) {
            tid = owners.back().tid;
            owners.pop_back();
        }
        out[i].record.tid = tid;
    }
}

// Times for one ring's records (items [first, last), oldest first): clock reads converted, the
// others derived from them (kStepNs), never before the previous read nor after the next.
void derive_times(std::vector<Item>& items, std::size_t first, std::size_t last, const ClockConverter& clock) {
    constexpr std::size_t kNone = ~std::size_t{0};
    std::vector<std::size_t> next(last - first, kNone);
    for (std::size_t i = last, n = kNone; i-- > first;) {
        next[i - first] = n;
        if (items[i].stamped) n = i;
    }
    for (std::size_t i = first; i < last; ++i)
        if (items[i].stamped) items[i].record.ts = clock.ns(items[i].raw);
    const std::uint64_t now = clock.ns(raw_clock());
    std::size_t prev = kNone;
    std::uint64_t floor = 0;
    for (std::size_t i = first; i < last; ++i) {
        Record& r = items[i].record;
        if (items[i].stamped) {
            r.ts = std::max(r.ts, floor);
            floor = r.ts;
            prev = i;
            continue;
        }
        r.derived = true;
        const std::size_t n = next[i - first];
        const std::uint64_t after = n != kNone ? items[n].record.ts : now;
        std::uint64_t ts;
        if (n != kNone && (items[i].lead || prev == kNone))
            ts = after - std::min<std::uint64_t>(after, (n - i) * kStepNs);
        else if (prev != kNone)
            ts = items[prev].record.ts + (i - prev) * kStepNs;
        else
            ts = now;
        ts = std::min(std::max(ts, floor), after);
        r.ts = ts;
        floor = ts;
    }
}

// Every ring's whole records in time order, with the events recorded inside others expanded
// (set_completion before its call, mark_pending after its STATUS_PENDING return, cancel_routine
// after its cancel_request), timestamps in nanoseconds, IRP ids and names of returns and completion
// routines worked out, and sequence numbers given in that order. call_ids, when given, maps the
// position id of each call read to its IRP's id (the per-device IRP log refers to calls so).
std::vector<Record> read_records(std::unordered_map<std::uint64_t, std::uint64_t>* call_ids = nullptr) {
    std::vector<Item> items;
    const ClockConverter clock;
    for (Ring* ring = g_rings.load(std::memory_order_acquire); ring; ring = ring->next) {
        const std::size_t first = items.size();
        read_ring(*ring, items);
        derive_times(items, first, items.size(), clock);
    }
    std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
        if (a.record.ts != b.record.ts) return a.record.ts < b.record.ts;
        return a.ring != b.ring ? a.ring < b.ring : a.position < b.position;
    });
    // IRP ids: a life starts at an allocation or at a call at the top location (unless the IRP was
    // just allocated); its id is its first record's position id, so it stays the same from read to
    // read while that record is kept.
    struct Life {
        std::uint64_t id;
        bool fresh;
    };
    std::unordered_map<PIRP, Life> lives;
    std::unordered_map<PDEVICE_OBJECT, const DeviceNames*> device_names;  // from the latest call to each device
    // Per ring, the calls not yet returned, innermost last. A call of the same IRP life to the
    // location of the innermost open call is a forward after IoSkipCurrentIrpStackLocation (which
    // stays in the IRP's life even at the top location), whose completion routine is the upper
    // driver's (not a new one), unless the IRP was completed on this thread since that call: then
    // the call comes from a completion routine that sends the IRP again. A call left by an
    // exception or a longjmp (a caught bugcheck) stays open; a later IRP at the same address is
    // another life (its alloc or IoInitializeIrp says so), so it is not taken for a forward. A
    // thread's calls and returns nest, so a return belongs to the innermost open call of its IRP and
    // location; calls above that one never returned and are dropped. A return whose call is no
    // longer in the ring (or never was: a dispatch left and re-entered) keeps its own position id
    // and no device.
    struct Open {
        std::uint64_t match;
        std::uint64_t life;
        PIRP irp;
        CHAR location;
        bool completed;  // the IRP was completed on this thread while this was the innermost call
        PDEVICE_OBJECT device;
        const DeviceNames* names;
    };
    std::unordered_map<std::uint64_t, std::vector<Open>> open_calls;
    auto names_of = [&](PDEVICE_OBJECT device) -> const DeviceNames* {
        if (auto it = device_names.find(device); it != device_names.end()) return it->second;
        const DeviceLog* log = find_device_log(device);
        return log ? &log->names : nullptr;
    };
    std::vector<Record> out;
    out.reserve(items.size() + items.size() / 2);
    auto push_return = [&out](const Record& r) {
        out.push_back(r);
        if (r.status == STATUS_PENDING) {
            // IoMarkIrpPending is inline in the DDK; its SL_PENDING_RETURNED cannot be read at the
            // dispatch's return (the IRP may be completed and freed, or unmapped by special pool, by
            // then), so the mark is derived from the returned STATUS_PENDING, which requires it
            // (0xC9 0x23D), and stamped with the return's time.
            Record mark = r;
            mark.kind = Kind::MarkPending;
            out.push_back(mark);
        }
    };
    for (Item& item : items) {
        Record& r = item.record;
        const std::uint64_t own = position_id(item.ring, item.position);
        switch (r.kind) {
        case Kind::Alloc:
            lives[r.irp] = {own, true};
            r.irp_id = own;
            break;
        case Kind::Call: {
            auto [it, inserted] = lives.try_emplace(r.irp, Life{own, false});
            std::vector<Open>& open = open_calls[item.ring];
            const bool forward = !inserted && !open.empty() && open.back().irp == r.irp &&
                                 open.back().life == it->second.id && open.back().location == r.location &&
                                 !open.back().completed;
            if (!inserted && !forward && r.location == r.stack_count) {
                if (it->second.fresh) it->second.fresh = false;
                else it->second = {own, false};
            }
            r.irp_id = it->second.id;
            if (forward) {
                r.completion = nullptr;
                r.completion_context = nullptr;
                r.control = 0;
            }
            if (item.tagged_device) r.names = names_of(r.device);
            r.match = own;
            open.push_back({own, r.irp_id, r.irp, r.location, false, r.device, r.names});
            device_names[r.device] = r.names;
            if (call_ids) (*call_ids)[own] = r.irp_id;
            break;
        }
        default: {
            auto [it, inserted] = lives.try_emplace(r.irp, Life{own, false});
            r.irp_id = it->second.id;
            if (r.kind == Kind::Free) lives.erase(it);
            break;
        }
        }
        if (r.kind == Kind::Return) {
            std::vector<Open>& open = open_calls[item.ring];
            // The returns of the calls chained into this one (irp_log.cpp): the innermost calls open
            // on the thread, innermost first, with this return's status and time.
            for (int chained = static_cast<UCHAR>(r.stack_count); chained > 0 && !open.empty(); --chained) {
                const Open& call = open.back();
                Record inner = r;
                inner.irp = call.irp;
                inner.irp_id = call.life;
                inner.location = call.location;
                inner.stack_count = 0;
                inner.match = call.match;
                inner.device = call.device;
                inner.names = call.names;
                open.pop_back();
                push_return(inner);
            }
            r.stack_count = 0;
            r.match = own;
            for (std::size_t i = open.size(); i-- > 0;)
                if (open[i].irp == r.irp && open[i].location == r.location) {
                    r.match = open[i].match;
                    r.device = open[i].device;
                    r.names = open[i].names;
                    open.resize(i);
                    break;
                }
        } else if (r.kind == Kind::CompletionRoutine) {
            r.names = names_of(r.device);
        } else if (r.kind == Kind::Complete) {
            std::vector<Open>& open = open_calls[item.ring];
            if (!open.empty() && open.back().irp == r.irp && open.back().life == r.irp_id) open.back().completed = true;
        }
        if (r.kind == Kind::Call && r.completion) {
            Record set = r;
            set.kind = Kind::SetCompletion;
            out.push_back(set);
        }
        if (r.kind == Kind::Return) push_return(r);
        else out.push_back(r);
        if (r.kind == Kind::CancelRequest && r.routine) {
            // IoCancelIrp calls the cancel routine it finds set at its entry (after taking the cancel
            // spin lock and exchanging the routine for NULL); the call is inside the I/O manager, so
            // the event is the request's, stamped with its time.
            Record cancel = r;
            cancel.kind = Kind::CancelRoutine;
            out.push_back(cancel);
        }
    }
    std::uint64_t seq = 0;
    for (Record& r : out) r.seq = ++seq;
    return out;
}

// Set once at start-up and never destroyed: the atexit writer may run after static destructors
// (sanitizer runtimes order atexit and __cxa_atexit handlers apart).
const std::string* g_trace_path = nullptr;

void write_trace_at_exit() {
    if (!g_trace_path || g_trace_path->empty()) return;
    std::string text = log_json_lines();
    if (FILE* f = std::fopen(g_trace_path->c_str(), "w")) {
        std::fwrite(text.data(), 1, text.size(), f);
        std::fclose(f);
    }
}

std::string provider(System&, bool at_bugcheck);

bool start_up() {
    ntio::inspect::set_verifier_log_provider(provider);
    if (const char* path = std::getenv("NTIO_TRACE"); path && *path) {
        g_trace_path = new std::string(path);
        set_tracing(true);
        std::atexit(write_trace_at_exit);
    }
    return true;
}
[[maybe_unused]] const bool g_started = start_up();

}  // namespace

std::string log_json_lines() {
    std::string out;
    const int pid = host::process_id();
    for (const Record& r : read_records()) append_record(out, r, pid);
    return out;
}

namespace {

// The per-device IRP logs (spec 4, class 11), as a JSON array for the inspector's provider.
std::string device_irp_log_json() {
    std::string out = "[";
    bool first_device = true;
    const ClockConverter clock;
    // The entries name their calls by position; the call's IRP id while the ring still holds it.
    std::unordered_map<std::uint64_t, std::uint64_t> call_ids;
    (void)read_records(&call_ids);
    for (const DeviceLog& log : g_devices) {
        if (log.state.load(std::memory_order_acquire) < kReady) continue;
        const std::uint64_t head = log.irp_head.load(std::memory_order_acquire);
        if (head == 0) continue;
        if (!first_device) out += ',';
        first_device = false;
        char text[256];
        std::snprintf(text, sizeof text, "{\"device\":\"0x%llx\",\"retired\":%s,\"total\":%llu,\"name\":",
                      addr(log.device.load(std::memory_order_relaxed)),
                      log.state.load(std::memory_order_relaxed) == kRetired ? "true" : "false",
                      static_cast<unsigned long long>(head));
        out += text;
        json_string(out, log.names.device_name);
        out += ",\"driver\":";
        json_string(out, log.names.driver_name);
        out += ",\"irps\":[";
        const std::uint64_t start = head > kIrpsPerDevice ? head - kIrpsPerDevice : 0;
        bool first = true;
        DeviceIrp e;
        for (std::uint64_t n = start; n < head; ++n) {
            if (!log.irps[n % kIrpsPerDevice].read(n, e)) continue;
            if (!first) out += ',';
            first = false;
            std::snprintf(text, sizeof text,
                          "{\"ts_ns\":%llu,\"irp_id\":%llu,\"irp_addr\":\"0x%llx\",\"tid\":%u,\"major\":%u,\"minor\":%u,"
                          "\"location\":%d,\"stack_count\":%d,\"length\":%llu,\"offset\":%llu}",
                          static_cast<unsigned long long>(clock.ns(e.ts)),
                          static_cast<unsigned long long>(call_ids.count(e.irp_id) ? call_ids[e.irp_id] : e.irp_id), addr(e.irp),
                          e.tid, e.major, e.minor, e.location, e.stack_count, static_cast<unsigned long long>(e.length),
                          static_cast<unsigned long long>(e.offset));
            out += text;
        }
        out += "]}";
    }
    return out + "]";
}

}  // namespace

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
        if ((d.flags & NTIO_VERIFIER_DMA_CHECKING) && !at_bugcheck) {
            // What its adapters with DMA checking hold (io/dma_verifier.hpp).
            const io::dma::DmaCounts dma = io::dma::dma_counts(d.driver);
            std::snprintf(text, sizeof text,
                          ",\"dma\":{\"adapters\":%u,\"common_buffers\":%u,\"channels\":%u,\"map_registers\":%u,"
                          "\"lists\":%u}",
                          static_cast<unsigned>(dma.adapters), static_cast<unsigned>(dma.common_buffers),
                          static_cast<unsigned>(dma.channels), static_cast<unsigned>(dma.map_registers),
                          static_cast<unsigned>(dma.lists));
            out += text;
        }
        out += '}';
    }
    out += "],\"device_irps\":" + device_irp_log_json() + ",\"violations\":[";
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
// The IRP log: the native event records of verifier-and-inspector.md 7.2, kept in a bounded ring per
// host thread (no lock on the recording path: each ring has one writer), for drivers with IRP
// logging on and for every driver while tracing (NTIO_TRACE=file, written as JSON lines at exit),
// and the per-device IRP log of Driver Verifier's IRP logging (spec 4, class 11: the last 20 IRPs
// sent to each device of a driver with NTIO_VERIFIER_IRP_LOGGING). Readers (the inspector, dumps,
// exports) run while writers record: every slot is a sequence lock, so a reader copies a record
// whole or skips it, and writers never wait. The inspector gets the log, the verified drivers and
// the tracked IRPs through its provider hook.
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <string>
#include <string_view>
#include <type_traits>

#include "inspect/snapshot.hpp"
#include "io/objects.hpp"
#include "verifier/state.hpp"
#include "verifier/trace_tool.hpp"

namespace ntio::verifier {
namespace {

// Every event kind of spec 7.2 (LogKind, which the rule monitors pass, is a subset).
enum class Kind : std::uint8_t {
    Alloc, Call, Return, MarkPending, SetCompletion, Complete, CompletionRoutine, CancelRequest, CancelRoutine,
    ApcDeliver, IocpPost, Free, Verifier
};

Kind kind_of(LogKind kind) noexcept {
    switch (kind) {
    case LogKind::Alloc: return Kind::Alloc;
    case LogKind::Call: return Kind::Call;
    case LogKind::Return: return Kind::Return;
    case LogKind::Complete: return Kind::Complete;
    case LogKind::CompletionRoutine: return Kind::CompletionRoutine;
    case LogKind::CancelRequest: return Kind::CancelRequest;
    case LogKind::Free: return Kind::Free;
    case LogKind::Verifier: return Kind::Verifier;
    default: return Kind::Verifier;  // a kind added to LogKind later is still recorded
    }
}

// A device's and its driver's names (ASCII, truncated), copied once when the device is first logged
// and kept for the process's life, so records carry a pointer instead of copying names per event.
struct DeviceNames;

// Set_completion, mark_pending and cancel_routine are not records of their own: they are read off
// the call, return and cancel_request records they belong to when the log is read (spec 7.2 lines
// are produced then), so recording them costs nothing extra.
struct Record {
    std::uint64_t ts;          // raw_clock() at the event; nanoseconds once read (read_records)
    std::uint64_t seq;         // 0 while recorded; numbered when read, in time order
    std::uint64_t irp_id;
    std::uint64_t match;
    PIRP irp;
    PDEVICE_OBJECT device;
    const DeviceNames* names;  // call, completion routine: the device (its names outlive it)
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
    UCHAR reserved;
    std::uint32_t reserved2;
};
static_assert(std::is_trivially_copyable_v<Record> && sizeof(Record) % 8 == 0);
// The writer stores a record word by word straight into its ring slot (RecordWriter): the words it
// packs are these.
static_assert(offsetof(Record, status) == 128 && offsetof(Record, tid) == 136 && offsetof(Record, stack_count) == 144 &&
              sizeof(Record) == 152);

// A sequence-locked copy of a trivially copyable T: version 2n+1 while item n is being written, 2n+2
// once it is whole. The words are release-stored and acquire-loaded (plain moves on x86), so a reader
// that saw any word of a later write also sees that write's odd version on its second check.
template <typename T>
struct SeqSlot {
    static constexpr std::size_t kWords = sizeof(T) / 8;
    std::atomic<std::uint64_t> version{0};
    std::atomic<std::uint64_t> words[kWords] = {};

    // One unrolled run of release stores (plain moves on x86) straight from the value.
    void write_words(const T& value) noexcept {
        const auto* bytes = reinterpret_cast<const unsigned char*>(&value);
#pragma GCC unroll 32
        for (std::size_t i = 0; i < kWords; ++i) {
            std::uint64_t w;
            std::memcpy(&w, bytes + i * 8, 8);
            words[i].store(w, std::memory_order_release);
        }
    }
    // Single writer per slot, word by word: begin(n), put each word, end(n).
    void begin(std::uint64_t n) noexcept { version.store(2 * n + 1, std::memory_order_relaxed); }
    void put(std::size_t i, std::uint64_t w) noexcept { words[i].store(w, std::memory_order_release); }
    void end(std::uint64_t n) noexcept { version.store(2 * n + 2, std::memory_order_release); }
    // Single writer per slot.
    void write(std::uint64_t n, const T& value) noexcept {
        version.store(2 * n + 1, std::memory_order_relaxed);
        write_words(value);
        version.store(2 * n + 2, std::memory_order_release);
    }
    // Several writers: the one that claims the slot for item n writes; a writer finding it busy or
    // already past n drops its item (only when more writers than slots race on one ring).
    void write_shared(std::uint64_t n, const T& value) noexcept {
        std::uint64_t v = version.load(std::memory_order_relaxed);
        do {
            if ((v & 1) || v > 2 * n) return;
        } while (!version.compare_exchange_weak(v, 2 * n + 1, std::memory_order_relaxed));
        write_words(value);
        version.store(2 * n + 2, std::memory_order_release);
    }
    // Item n, whole, or false when the slot holds another item or a write is in progress.
    bool read(std::uint64_t n, T& out) const noexcept {
        if (version.load(std::memory_order_acquire) != 2 * n + 2) return false;
        std::uint64_t w[kWords];
        for (std::size_t i = 0; i < kWords; ++i) w[i] = words[i].load(std::memory_order_acquire);
        if (version.load(std::memory_order_acquire) != 2 * n + 2) return false;
        std::memcpy(&out, w, sizeof out);
        return true;
    }
};

constexpr std::size_t kRingSize = 4096;
struct Ring {
    std::atomic<std::uint64_t> head{0};  // events written so far; slot = head % kRingSize
    std::atomic<std::uint32_t> tid{0};
    Ring* next = nullptr;                // g_rings list (never unlinked)
    std::atomic<bool> owned{false};
    SeqSlot<Record> slots[kRingSize];
};

std::atomic<Ring*> g_rings{nullptr};
std::atomic<std::uint64_t> g_match{0};
std::atomic<std::uint64_t> g_irp_ids{0};

// A thread's share of a global id counter, taken in blocks (one atomic per block, not one per id);
// ids stay unique across threads and well below 2^53, which JSON readers keep exact.
struct IdBlock {
    std::uint64_t next = 0;
    std::uint64_t end = 0;
    std::uint64_t take(std::atomic<std::uint64_t>& global, std::uint64_t block) noexcept {
        if (next == end) [[unlikely]] {
            next = global.fetch_add(block, std::memory_order_relaxed);
            end = next + block;
        }
        return ++next;
    }
};

// A ring outlives its thread (dumps read it later); a new thread takes over a released one.
struct RingOwner {
    Ring* ring = nullptr;
    std::uint32_t tid = 0;
    // The last call this thread logged: a call to the same IRP location again is a forward after
    // IoSkipCurrentIrpStackLocation, whose completion routine is the upper driver's (not a new one).
    PIRP last_call_irp = nullptr;
    CHAR last_call_location = 0;
    ~RingOwner() {
        if (ring) ring->owned.store(false, std::memory_order_release);
    }
};
thread_local RingOwner t_ring;

Ring* my_ring() noexcept {
    if (t_ring.ring) return t_ring.ring;
    const auto tid = static_cast<std::uint32_t>(::syscall(SYS_gettid));
    t_ring.tid = tid;
    for (Ring* r = g_rings.load(std::memory_order_acquire); r; r = r->next) {
        bool expected = false;
        if (r->owned.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) {
            r->tid.store(tid, std::memory_order_relaxed);
            return t_ring.ring = r;
        }
    }
    Ring* r = new (std::nothrow) Ring();
    if (!r) return nullptr;
    r->owned.store(true);
    r->tid.store(tid, std::memory_order_relaxed);
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
    std::atomic<bool> fresh{false};  // allocated, not yet sent: its first top-level call keeps the id
};
IdSlot g_ids[kIdSlots];

IdSlot& id_slot(PIRP irp) noexcept {
    return g_ids[(reinterpret_cast<std::uintptr_t>(irp) >> 4) * 0x9E3779B97F4A7C15ULL >> 52 & (kIdSlots - 1)];
}
thread_local IdBlock t_irp_ids;
std::uint64_t take_irp_id() noexcept { return t_irp_ids.take(g_irp_ids, std::uint64_t{1} << 12); }
std::uint64_t new_irp_id(PIRP irp, bool fresh = false) noexcept {
    IdSlot& slot = id_slot(irp);
    const std::uint64_t id = take_irp_id();
    slot.id.store(id, std::memory_order_relaxed);
    slot.fresh.store(fresh, std::memory_order_relaxed);
    slot.irp.store(irp, std::memory_order_release);
    return id;
}
// A call at the top location starts a new life, unless the IRP was just allocated (same life).
std::uint64_t top_call_irp_id(PIRP irp) noexcept {
    IdSlot& slot = id_slot(irp);
    // Only the IRP's owner sends it, so a plain load and store (no locked exchange) take the flag.
    if (slot.irp.load(std::memory_order_acquire) == irp && slot.fresh.load(std::memory_order_relaxed)) {
        slot.fresh.store(false, std::memory_order_relaxed);
        return slot.id.load(std::memory_order_relaxed);
    }
    return new_irp_id(irp);
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

// Events are stamped with the time-stamp counter (a clock_gettime costs twice an rdtsc here and an
// event must cost a few nanoseconds); readers turn it into CLOCK_MONOTONIC nanoseconds with a
// calibration between start-up and the read. CLOCK_MONOTONIC_COARSE is cheaper still but ticks
// every 4 ms, which would put every layer of a round trip at one time (durations of zero), so the
// TSC it is, although under KVM one read costs about 16 ns (most of a traced event's cost). Linux uses the TSC as its clock only when it is
// invariant and synchronized across CPUs; otherwise (or off x86) events read the clock itself.
#if defined(__x86_64__) || defined(__i386__)
bool tsc_usable() noexcept {
    FILE* f = std::fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
    if (!f) return false;
    char name[32] = {};
    const bool ok = std::fgets(name, sizeof name, f) && std::strncmp(name, "tsc", 3) == 0;
    std::fclose(f);
    return ok;
}
const bool g_use_tsc = tsc_usable();
inline std::uint64_t raw_clock() noexcept { return g_use_tsc ? __builtin_ia32_rdtsc() : now_ns(); }
#else
constexpr bool g_use_tsc = false;
inline std::uint64_t raw_clock() noexcept { return now_ns(); }
#endif

struct Calibration {
    std::uint64_t raw;
    std::uint64_t ns;
};
Calibration calibrate() noexcept { return {raw_clock(), now_ns()}; }
const Calibration g_start = calibrate();

// raw_clock() values to nanoseconds, from the start-up calibration and one taken now (at least 10 ms
// later, so the rate is good to a few parts per million).
struct ClockConverter {
    long double ns_per_tick = 1.0L;
    ClockConverter() {
        if (!g_use_tsc) return;
        Calibration now = calibrate();
        while (now.ns - g_start.ns < 10000000ull) {
            timespec pause{0, 1000000};
            nanosleep(&pause, nullptr);
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

// ---- Devices: interned names and the per-device IRP log ----

constexpr std::size_t kIrpsPerDevice = 20;  // Driver Verifier's IRP logging keeps 20 per device
struct DeviceIrp {
    std::uint64_t ts;  // raw_clock()
    std::uint64_t irp_id;
    PIRP irp;
    std::uint64_t length;
    std::uint64_t offset;
    std::uint32_t tid;
    UCHAR major;
    UCHAR minor;
    CHAR location;
    CHAR stack_count;
};
static_assert(std::is_trivially_copyable_v<DeviceIrp> && sizeof(DeviceIrp) % 8 == 0);

struct DeviceNames {
    char device_name[48];
    char driver_name[40];
};

// One per device identity seen while logging; never freed (records point at it). A device created
// later at the same address with another identity gets a new entry and this one is retired.
struct DeviceLog {
    std::atomic<PDEVICE_OBJECT> device{nullptr};
    std::atomic<int> state{0};  // kFree, kFilling, kReady, kRetired
    PDRIVER_OBJECT driver = nullptr;
    const void* name_data = nullptr;
    std::size_t name_size = 0;
    USHORT driver_name_length = 0;
    DeviceNames names{};
    std::atomic<std::uint64_t> irp_head{0};
    SeqSlot<DeviceIrp> irps[kIrpsPerDevice];
};
constexpr int kFree = 0, kFilling = 1, kReady = 2, kRetired = 3;
constexpr std::size_t kDeviceLogs = 1024;
DeviceLog g_devices[kDeviceLogs];

bool same_identity(const DeviceLog& log, PDEVICE_OBJECT device) noexcept {
    const io::DeviceObjectExtension* priv = io::device_private(device);
    PDRIVER_OBJECT driver = device->DriverObject;
    return log.driver == driver && log.name_size == priv->name.size() && log.name_data == priv->name.data() &&
           log.driver_name_length == (driver ? driver->DriverName.Length : 0);
}

void fill_names(DeviceLog& log, PDEVICE_OBJECT device) noexcept {
    const std::u16string& name = io::device_private(device)->name;
    log.driver = device->DriverObject;
    log.name_data = name.data();
    log.name_size = name.size();
    log.driver_name_length = log.driver ? log.driver->DriverName.Length : 0;
    std::size_t n = 0;
    for (; n < name.size() && n + 1 < sizeof log.names.device_name; ++n)
        log.names.device_name[n] = name[n] < 0x80 ? static_cast<char>(name[n]) : '?';
    log.names.device_name[n] = '\0';
    n = 0;
    if (log.driver && log.driver->DriverName.Buffer)
        for (; n < log.driver->DriverName.Length / sizeof(WCHAR) && n + 1 < sizeof log.names.driver_name; ++n)
            log.names.driver_name[n] =
                log.driver->DriverName.Buffer[n] < 0x80 ? static_cast<char>(log.driver->DriverName.Buffer[n]) : '?';
    log.names.driver_name[n] = '\0';
}

// The device's log entry (created on first sight), or nullptr when the table is full. Called while
// the device is alive (the caller is sending it an IRP or running its completion routine).
DeviceLog* device_log(PDEVICE_OBJECT device) noexcept {
    if (!device || device->Type != IO_TYPE_DEVICE) return nullptr;
    std::size_t i = (reinterpret_cast<std::uintptr_t>(device) >> 4) * 0x9E3779B97F4A7C15ULL >> 54;
    for (std::size_t probe = 0; probe < kDeviceLogs; ++probe, i = (i + 1) & (kDeviceLogs - 1)) {
        DeviceLog& log = g_devices[i];
        PDEVICE_OBJECT current = log.device.load(std::memory_order_acquire);
        if (current == device) {
            const int state = log.state.load(std::memory_order_acquire);
            if (state == kReady) {
                if (same_identity(log, device)) return &log;
                int expected = kReady;
                log.state.compare_exchange_strong(expected, kRetired, std::memory_order_acq_rel);
                continue;
            }
            if (state == kFilling || state == kFree) return nullptr;  // another thread is naming it right now
            continue;                                                 // retired
        }
        if (current) continue;
        PDEVICE_OBJECT expected = nullptr;
        if (!log.device.compare_exchange_strong(expected, device, std::memory_order_acq_rel)) {
            if (expected == device) return nullptr;  // claimed by another thread this instant
            continue;
        }
        log.state.store(kFilling, std::memory_order_relaxed);
        fill_names(log, device);
        log.state.store(kReady, std::memory_order_release);
        return &log;
    }
    return nullptr;
}

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

// Appends one record to this thread's ring.
void publish(Record& r) noexcept {
    Ring* ring = my_ring();
    if (!ring) return;
    r.tid = t_ring.tid;
    const std::uint64_t head = ring->head.load(std::memory_order_relaxed);
    ring->slots[head % kRingSize].write(head, r);
    ring->head.store(head + 1, std::memory_order_release);
}

// The hot recording path: a record's words stored straight into this thread's next ring slot, each
// computed in registers (no Record on the stack, no zero fill and copy), between the slot's odd and
// even versions.
static_assert(std::endian::native == std::endian::little);
enum Word : std::size_t {
    kWTs, kWSeq, kWIrpId, kWMatch, kWIrp, kWDevice, kWNames, kWRoutine, kWContext, kWCompletion,
    kWCompletionContext, kWInformation, kWSubcode, kWLength, kWOffset, kWText, kWStatusCode, kWTidKind,
    kWTail, kWords
};
static_assert(kWords * 8 == sizeof(Record) && offsetof(Record, text) == kWText * 8 &&
              offsetof(Record, completion_context) == kWCompletionContext * 8 && offsetof(Record, offset) == kWOffset * 8);

std::uint64_t word_of(const void* p) noexcept { return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(p)); }

class RecordWriter {
public:
    RecordWriter(Ring* ring) noexcept
        : m_ring(ring), m_head(ring->head.load(std::memory_order_relaxed)), m_slot(ring->slots[m_head % kRingSize]) {
        m_slot.begin(m_head);
    }
    void put(Word i, std::uint64_t w) noexcept { m_slot.put(i, w); }
    void put(Word i, const void* p) noexcept { m_slot.put(i, word_of(p)); }
    // status and code; tid, kind, major, minor, location; stack_count, pending, control (Record's layout).
    void status_code(NTSTATUS status, ULONG code) noexcept {
        m_slot.put(kWStatusCode, static_cast<std::uint32_t>(status) | static_cast<std::uint64_t>(code) << 32);
    }
    void tid_kind(std::uint32_t tid, Kind kind, UCHAR major, UCHAR minor, CHAR location) noexcept {
        m_slot.put(kWTidKind, tid | static_cast<std::uint64_t>(kind) << 32 | static_cast<std::uint64_t>(major) << 40 |
                                  static_cast<std::uint64_t>(minor) << 48 |
                                  static_cast<std::uint64_t>(static_cast<UCHAR>(location)) << 56);
    }
    void tail(CHAR stack_count, bool pending, UCHAR control) noexcept {
        m_slot.put(kWTail, static_cast<std::uint64_t>(static_cast<UCHAR>(stack_count)) |
                               static_cast<std::uint64_t>(pending ? 1 : 0) << 8 | static_cast<std::uint64_t>(control) << 16);
    }
    void finish() noexcept {
        m_slot.end(m_head);
        m_ring->head.store(m_head + 1, std::memory_order_release);
    }

private:
    Ring* m_ring;
    std::uint64_t m_head;
    SeqSlot<Record>& m_slot;
};

// Member by member (a value-initialized Record is a `rep stos`, slow to start for 144 bytes).
Record blank(Kind kind, PIRP irp) noexcept {
    Record r;
    r.ts = raw_clock();
    r.seq = 0;
    r.irp_id = 0;
    r.match = 0;
    r.irp = irp;
    r.device = nullptr;
    r.names = nullptr;
    r.routine = nullptr;
    r.context = nullptr;
    r.completion = nullptr;
    r.completion_context = nullptr;
    r.information = 0;
    r.subcode = 0;
    r.length = 0;
    r.offset = 0;
    r.text = nullptr;
    r.status = 0;
    r.code = 0;
    r.tid = 0;
    r.kind = kind;
    r.major = 0;
    r.minor = 0;
    r.location = 0;
    r.stack_count = 0;
    r.pending = false;
    r.control = 0;
    r.reserved = 0;
    r.reserved2 = 0;
    return r;
}

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

// Every ring's whole records in time order, with the events recorded inside others expanded
// (set_completion before its call, mark_pending after its STATUS_PENDING return, cancel_routine
// after its cancel_request), timestamps in nanoseconds and sequence numbers given in that order.
std::vector<Record> read_records() {
    struct Item {
        Record record;
        std::uint64_t ring;   // ring order, then index: ties in time keep each thread's order
        std::uint64_t index;
    };
    std::vector<Item> items;
    std::uint64_t ring_number = 0;
    for (Ring* ring = g_rings.load(std::memory_order_acquire); ring; ring = ring->next, ++ring_number) {
        const std::uint64_t head = ring->head.load(std::memory_order_acquire);
        const std::uint64_t first = head > kRingSize ? head - kRingSize : 0;
        Record r;
        for (std::uint64_t i = first; i < head; ++i)
            if (ring->slots[i % kRingSize].read(i, r)) items.push_back({r, ring_number, i});
    }
    std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
        if (a.record.ts != b.record.ts) return static_cast<std::int64_t>(a.record.ts - b.record.ts) < 0;
        return a.ring != b.ring ? a.ring < b.ring : a.index < b.index;
    });
    const ClockConverter clock;
    std::vector<Record> out;
    out.reserve(items.size() + items.size() / 2);
    for (Item& item : items) {
        Record& r = item.record;
        r.ts = clock.ns(r.ts);
        if (r.kind == Kind::Call && r.completion) {
            Record set = r;
            set.kind = Kind::SetCompletion;
            out.push_back(set);
        }
        out.push_back(r);
        if (r.kind == Kind::Return && r.status == STATUS_PENDING) {
            // IoMarkIrpPending is inline in the DDK; its SL_PENDING_RETURNED cannot be read at the
            // dispatch's return (the IRP may be completed and freed, or unmapped by special pool, by
            // then), so the mark is derived from the returned STATUS_PENDING, which requires it
            // (0xC9 0x23D), and stamped with the return's time.
            Record mark = r;
            mark.kind = Kind::MarkPending;
            out.push_back(mark);
        }
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

thread_local IdBlock t_match_ids;

std::uint64_t next_match_id() noexcept { return t_match_ids.take(g_match, std::uint64_t{1} << 16); }

void log_event(LogKind log_kind, PIRP irp, const LogFields& f) noexcept {
    Ring* ring = my_ring();  // this thread's ring (and tid) first: the per-device entry uses the tid
    if (!ring) return;
    const std::uint64_t ts = raw_clock();
    const Kind kind = kind_of(log_kind);
    // After a dispatch or completion routine returned the IRP may be freed: only the pointer is used.
    const bool irp_alive = kind != Kind::Return && kind != Kind::CompletionRoutine;
    const bool top_call = kind == Kind::Call && irp->CurrentLocation == irp->StackCount + 1;
    const std::uint64_t id = kind == Kind::Alloc ? new_irp_id(irp, true) : top_call ? top_call_irp_id(irp) : irp_id(irp);
    // A call's device is alive; after a dispatch or completion routine returned it may not be, so
    // those events only look the device up by address.
    DeviceLog* log = kind == Kind::Call ? device_log(f.device)
                     : kind == Kind::Return || kind == Kind::CompletionRoutine ? find_device_log(f.device)
                                                                               : nullptr;
    const CHAR stack_count = irp_alive ? irp->StackCount : 0;
    CHAR location = irp_alive ? irp->CurrentLocation : f.location;
    UCHAR major = 0;
    UCHAR minor = 0;
    std::uint64_t length = 0;
    std::uint64_t offset = 0;
    PVOID completion = nullptr;
    PVOID completion_context = nullptr;
    UCHAR control = 0;
    if (kind == Kind::Call && irp->CurrentLocation > 1) {
        PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
        major = sp->MajorFunction;
        minor = sp->MinorFunction;
        location = static_cast<CHAR>(irp->CurrentLocation - 1);
        if (major == IRP_MJ_READ || major == IRP_MJ_WRITE) {
            length = sp->Parameters.Read.Length;
            offset = static_cast<std::uint64_t>(sp->Parameters.Read.ByteOffset.QuadPart);
        } else if (major == IRP_MJ_DEVICE_CONTROL || major == IRP_MJ_INTERNAL_DEVICE_CONTROL ||
                   major == IRP_MJ_FILE_SYSTEM_CONTROL) {
            length = sp->Parameters.DeviceIoControl.IoControlCode;
        }
        // set_completion: IoSetCompletionRoutine is inline in the DDK headers (it only writes the
        // next location), so the routine the caller set for this call is read here, at IoCallDriver,
        // and the event gets the call's time. A forward after IoSkipCurrentIrpStackLocation targets
        // the location this thread just called and carries the upper driver's routine: not a new one.
        const bool skipped = t_ring.last_call_irp == irp && t_ring.last_call_location == location;
        t_ring.last_call_irp = irp;
        t_ring.last_call_location = location;
        const UCHAR invoke = sp->Control & (SL_INVOKE_ON_SUCCESS | SL_INVOKE_ON_ERROR | SL_INVOKE_ON_CANCEL);
        if (sp->CompletionRoutine && invoke && !skipped) {
            completion = reinterpret_cast<PVOID>(sp->CompletionRoutine);
            completion_context = sp->Context;
            control = invoke;
        }
        // The per-device IRP log is Driver Verifier's IRP logging: kept for drivers with the flag
        // (without tracing, only those drivers' calls are logged at all).
        if (log && (!tracing() || (driver_flags(f.device->DriverObject) & NTIO_VERIFIER_IRP_LOGGING))) {
            DeviceIrp entry{ts, id, irp, length, offset, t_ring.tid, major, minor, location, stack_count};
            const std::uint64_t n = log->irp_head.fetch_add(1, std::memory_order_relaxed);
            log->irps[n % kIrpsPerDevice].write_shared(n, entry);
        }
    }
    RecordWriter w(ring);
    w.put(kWTs, ts);
    w.put(kWSeq, std::uint64_t{0});
    w.put(kWIrpId, id);
    w.put(kWMatch, f.match);
    w.put(kWIrp, irp);
    w.put(kWDevice, f.device);
    w.put(kWNames, log ? &log->names : nullptr);
    w.put(kWRoutine, f.routine);
    w.put(kWContext, nullptr);
    w.put(kWCompletion, completion);
    w.put(kWCompletionContext, completion_context);
    w.put(kWInformation, static_cast<std::uint64_t>(f.information));
    w.put(kWSubcode, static_cast<std::uint64_t>(f.subcode));
    w.put(kWLength, length);
    w.put(kWOffset, offset);
    w.put(kWText, f.text);
    w.status_code(f.status, f.code);
    w.tid_kind(t_ring.tid, kind, major, minor, location);
    w.tail(stack_count, f.pending, control);
    w.finish();
}

void trace_apc_deliver(PIRP irp) noexcept {
    if (!tracing()) return;
    Record r = blank(Kind::ApcDeliver, irp);
    r.irp_id = irp_id(irp);
    // The IRP's Tail.Apc carries the APC now (Tail.Overlay is gone).
    r.routine = reinterpret_cast<PVOID>(irp->Tail.Apc.NormalRoutine);
    r.context = irp->Tail.Apc.NormalContext;
    r.status = irp->IoStatus.Status;
    r.information = irp->IoStatus.Information;
    r.stack_count = irp->StackCount;
    r.location = irp->CurrentLocation;
    publish(r);
}

void trace_iocp_post(PIRP irp, PFILE_OBJECT file) noexcept {
    if (!tracing()) return;
    Record r = blank(Kind::IocpPost, irp);
    r.irp_id = irp_id(irp);
    if (file && file->CompletionContext) {
        r.context = file->CompletionContext->Port;
        r.subcode = reinterpret_cast<ULONG_PTR>(file->CompletionContext->Key);
    }
    r.status = irp->IoStatus.Status;
    r.information = irp->IoStatus.Information;
    r.stack_count = irp->StackCount;
    r.location = irp->CurrentLocation;
    publish(r);
}

std::string log_json_lines() {
    std::string out;
    const int pid = static_cast<int>(::getpid());
    for (const Record& r : read_records()) append_record(out, r, pid);
    return out;
}

namespace {

// The per-device IRP logs (spec 4, class 11), as a JSON array for the inspector's provider.
std::string device_irp_log_json() {
    std::string out = "[";
    bool first_device = true;
    const ClockConverter clock;
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
                          static_cast<unsigned long long>(clock.ns(e.ts)), static_cast<unsigned long long>(e.irp_id), addr(e.irp),
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

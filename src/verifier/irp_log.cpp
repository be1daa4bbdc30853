// The IRP log: the native event records of verifier-and-inspector.md 7.2, kept in a bounded ring of
// words per host thread (no lock on the recording path: each ring has one writer), for drivers with
// IRP logging on and for every driver while tracing (NTIO_TRACE=file, written as JSON lines at exit),
// and the per-device IRP log of Driver Verifier's IRP logging (spec 4, class 11: the last 20 IRPs
// sent to each device of a driver with NTIO_VERIFIER_IRP_LOGGING). Recording is a few plain stores
// per event with no call on the usual path: records are compact, a device's log entry is kept in its
// private part, at most about one clock read is taken per burst of I/O, and IRP ids, event times
// between clock reads, names of returns and completion routines and the sequence numbers are worked
// out when the log is read. Readers (the inspector, dumps, exports) run while
// writers record and never make them wait: a reader keeps only the words no writer can have touched
// since it copied them.
#include <pthread.h>
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
#include <unordered_map>
#include <vector>

#include "inspect/snapshot.hpp"
#include "io/objects.hpp"
#include "verifier/fast_hooks.hpp"
#include "verifier/state.hpp"
#include "verifier/trace_tool.hpp"

namespace ntio::verifier {
namespace {

// Every event kind of spec 7.2 (LogKind, which the rule monitors pass, is a subset; a kind added
// to LogKind later is recorded as a verifier event).
enum class Kind : std::uint8_t {
    Alloc, Call, Return, MarkPending, SetCompletion, Complete, CompletionRoutine, CancelRequest, CancelRoutine,
    ApcDeliver, IocpPost, Free, Verifier
};

// A device's and its driver's names (ASCII, truncated), copied once when the device is first logged
// and kept for the process's life, so records carry a pointer instead of copying names per event.
struct DeviceNames;

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

// ---- The rings ----

// A ring is a run of 64-bit words; a record is its payload words, then the time-stamp counter when
// this event read the clock, then its header (last, so a reader walks a ring back from its head).
// Header bits: kind 0-3, stamped 4, pending 5, lead 6, record length in words 12-15, location
// 16-23, stack count 24-31, thread id 32-63.
constexpr std::size_t kRingWords = std::size_t{1} << 15;  // 256 KiB: about 5000 events of a round trip
constexpr std::uint64_t kRingMask = kRingWords - 1;
constexpr std::uint64_t kMaxRecordWords = 15;  // the header's 4-bit length
// A writer stores at most this far past the head it read: a pad record (pad_to_start), then its record.
constexpr std::uint64_t kMaxWriteWords = 2 * kMaxRecordWords;
constexpr std::uint64_t kPadKind = 15;          // header kind of a pad record (no event)
constexpr std::uint64_t kStamped = 1u << 4, kPending = 1u << 5, kLead = 1u << 6;

struct Ring {
    // Writer protocol (one writer): the record's words as release stores (plain moves on x86), then
    // head = its end (release). A reader copies the words below head, then reads head again: a copied
    // word that some later record already overwrote was stored after that record's predecessor
    // published head (release on both sides), so the second head is at least that record's start and
    // the overwrite lies below it + kMaxWriteWords; the reader keeps only the words at positions
    // from there minus the ring's size.
    alignas(64) std::atomic<std::uint64_t> head{0};
    std::atomic<bool> owned{false};
    std::uint64_t number = 0;  // ids derived from this ring's positions: number << 40 | position
    Ring* next = nullptr;      // g_rings list (never unlinked)
    alignas(64) std::atomic<std::uint64_t> words[kRingWords];
};

std::atomic<Ring*> g_rings{nullptr};
std::atomic<std::uint64_t> g_ring_numbers{0};

// The clock is read by a thread's first event after each tick of the log's ticker thread (every
// kTickNs), not per event nor per request: a clock read costs 20 to 45 ns under KVM, about an
// A1 round trip. Each event compares the tick it last read the clock in with g_tick (one load of a
// line written once per tick); the other events' times are derived when the log is read, so a
// derived time is off by at most the tick's period (as the ticker is scheduled). A dispatch that
// returned STATUS_PENDING usually means a wait follows, so the thread's next event reads the clock
// too (kForceStamp), as does a thread's first event and the first after tracing is turned on.
constexpr long kTickNs = 1000000;
constexpr std::uint64_t kForceStamp = 0;  // a ThreadLog::tick g_tick never equals
constexpr std::uint64_t kIdleTicks = 100;  // the ticker stops after this many ticks without a clock read
struct alignas(64) Tick {
    std::atomic<std::uint64_t> value{1};
    // 0 not running, 1 running, 2 could not start (every event reads the clock)
    std::atomic<int> ticker{0};
    std::atomic<std::uint64_t> last_stamp{0};  // the tick of the latest clock read by any thread
};
Tick g_tick;

// This thread's ring and clock state. A ring outlives its thread (dumps read it later); a new
// thread takes over a released one.
struct ThreadLog {
    Ring* ring = nullptr;
    std::uint64_t head = 0;      // ring->head as this thread (its only writer) last published it
    std::uint64_t limit = 0;     // the head at the ring's end: a record must end at or before it (0: no ring)
    std::uint64_t tick = kForceStamp;  // g_tick when this thread last read the clock
    std::uint64_t tid_bits = 0;  // the thread id in place in a header (bits 32-63)
    bool exited = false;  // the thread is exiting and gave its ring back: its last events are dropped
};
// Trivially destructible and constant-initialized, so the recording path reads it with no guard;
// the ring is given back by t_ring_release, which only take_ring touches.
constinit thread_local ThreadLog t_log;
struct RingRelease {
    bool armed = false;
    ~RingRelease() {
        if (!t_log.ring) return;
        t_log.ring->owned.store(false, std::memory_order_release);
        t_log.ring = nullptr;
        t_log.limit = 0;
        t_log.exited = true;
    }
};
thread_local RingRelease t_ring_release;

// The ticker stops once nothing has read the clock for kIdleTicks (tracing is off, or no I/O): it
// marks itself stopped, then moves the tick on (release), so that every thread's next event reads
// the clock, sees no ticker and starts a new one.
void* ticker_main(void*) {
    for (;;) {
        timespec period{0, kTickNs};
        nanosleep(&period, nullptr);
        const std::uint64_t tick = g_tick.value.load(std::memory_order_relaxed);
        if (tick - g_tick.last_stamp.load(std::memory_order_relaxed) > kIdleTicks) {
            g_tick.ticker.store(0, std::memory_order_relaxed);
            g_tick.value.fetch_add(1, std::memory_order_release);
            return nullptr;
        }
        g_tick.value.fetch_add(1, std::memory_order_release);
    }
}
// The ticker starts with the first event that wants it and runs while threads record (a wake-up
// per millisecond); without it every event reads the clock.
// A forked child has no ticker thread, whatever the parent's state said: it starts as stopped, and
// the tick moves on so that each thread's next event reads the clock and starts the child's own.
void ticker_after_fork_in_child() noexcept {
    g_tick.ticker.store(0, std::memory_order_relaxed);
    g_tick.value.fetch_add(1, std::memory_order_release);
}
void start_ticker() noexcept {
    int expected = 0;
    if (!g_tick.ticker.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) return;
    // The idle count starts now: the latest clock read may be from before the last ticker stopped
    // (or from the parent of a forked child), and a ticker that found it too old would stop at its
    // first tick.
    g_tick.last_stamp.store(g_tick.value.load(std::memory_order_relaxed), std::memory_order_relaxed);
    static const bool fork_handler = pthread_atfork(nullptr, nullptr, ticker_after_fork_in_child) == 0;
    (void)fork_handler;
    pthread_attr_t attr;
    pthread_t thread;
    bool started = pthread_attr_init(&attr) == 0;
    if (started) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attr, 64 * 1024);
        started = pthread_create(&thread, &attr, ticker_main, nullptr) == 0;
        pthread_attr_destroy(&attr);
    }
    if (!started) g_tick.ticker.store(2, std::memory_order_release);
}

[[gnu::noinline]] Ring* take_ring() noexcept {
    if (t_log.exited) return nullptr;
    start_ticker();
    t_ring_release.armed = true;
    t_log.tid_bits = static_cast<std::uint64_t>(static_cast<std::uint32_t>(::syscall(SYS_gettid))) << 32;
    t_log.tick = kForceStamp;
    Ring* r = nullptr;
    for (Ring* c = g_rings.load(std::memory_order_acquire); c && !r; c = c->next) {
        bool expected = false;
        if (c->owned.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) r = c;
    }
    if (!r) {
        r = new (std::nothrow) Ring();
        if (!r) return nullptr;
        r->number = g_ring_numbers.fetch_add(1, std::memory_order_relaxed) + 1;
        r->owned.store(true);
        r->next = g_rings.load(std::memory_order_relaxed);
        while (!g_rings.compare_exchange_weak(r->next, r, std::memory_order_acq_rel)) {
        }
    }
    t_log.head = r->head.load(std::memory_order_relaxed);
    t_log.limit = (t_log.head | kRingMask) + 1;
    return t_log.ring = r;
}

inline Ring* my_ring() noexcept { return t_log.ring ? t_log.ring : take_ring(); }

std::uint64_t now_ns() noexcept {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<std::uint64_t>(ts.tv_nsec);
}

// Clock reads use the time-stamp counter (a clock_gettime costs twice an rdtsc here); readers turn
// it into CLOCK_MONOTONIC nanoseconds with a calibration between start-up and the read.
// CLOCK_MONOTONIC_COARSE is cheaper but ticks every 4 ms, which would put every layer of a round
// trip at one time, so the TSC it is, although under KVM one read costs about 19 ns: hence one read
// per burst (ThreadLog). Linux uses the TSC as its clock only when it is invariant and synchronized
// across CPUs; otherwise (or off x86) the clock itself is read.
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
inline std::uint64_t tsc() noexcept { return __builtin_ia32_rdtsc(); }
inline std::uint64_t raw_clock() noexcept { return g_use_tsc ? tsc() : now_ns(); }
#else
constexpr bool g_use_tsc = false;
inline std::uint64_t tsc() noexcept { return 0; }  // never read: g_use_tsc is false
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

// A sequence-locked copy of a trivially copyable T (the per-device IRP log's entries): version
// 2n+1 while item n is being written, 2n+2 once it is whole. Several threads may send IRPs to one
// device: the one that claims the slot for item n writes; a writer finding it busy or already past
// n drops its item (only when more writers than slots race on one device).
template <typename T>
struct SeqSlot {
    static constexpr std::size_t kWords = sizeof(T) / 8;
    std::atomic<std::uint64_t> version{0};
    std::atomic<std::uint64_t> words[kWords] = {};

    void write_shared(std::uint64_t n, const T& value) noexcept {
        std::uint64_t v = version.load(std::memory_order_relaxed);
        do {
            if ((v & 1) || v > 2 * n) return;
        } while (!version.compare_exchange_weak(v, 2 * n + 1, std::memory_order_relaxed));
        const auto* bytes = reinterpret_cast<const unsigned char*>(&value);
        for (std::size_t i = 0; i < kWords; ++i) {
            std::uint64_t w;
            std::memcpy(&w, bytes + i * 8, 8);
            words[i].store(w, std::memory_order_release);
        }
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

// ---- Devices: interned names and the per-device IRP log ----

constexpr std::size_t kIrpsPerDevice = 20;  // Driver Verifier's IRP logging keeps 20 per device
struct DeviceIrp {
    std::uint64_t ts;      // raw_clock()
    std::uint64_t irp_id;  // the call record's position id (read_records maps it to the IRP's id)
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

// ---- Recording ----

constexpr std::uint64_t kIdPositionBits = 40;
// The id a record's position gives (ring number above the position; at most 2^53 for JSON).
std::uint64_t position_id(std::uint64_t ring_number, std::uint64_t position) noexcept {
    return ring_number << kIdPositionBits | ((position + 1) & ((std::uint64_t{1} << kIdPositionBits) - 1));
}

inline std::uint64_t word_of(const void* p) noexcept { return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(p)); }
inline std::uint64_t word_of(std::uint64_t w) noexcept { return w; }

// The device's log entry, from the copy its private part keeps (set on the first logged IRP; the
// part is new with each device object, so a device created later at the same address looks its entry
// up again), or looked up and kept there; nullptr when the table is full or the device is not one.
[[gnu::noinline]] DeviceLog* device_log_lookup(PDEVICE_OBJECT device) noexcept {
    DeviceLog* log = device_log(device);
    if (log) io::device_private(device)->trace_log.store(log, std::memory_order_release);
    return log;
}
inline DeviceLog* cached_device_log(PDEVICE_OBJECT device) noexcept {
    if (device && device->Type == IO_TYPE_DEVICE) [[likely]]
        if (void* log = io::device_private(device)->trace_log.load(std::memory_order_acquire)) [[likely]]
            return static_cast<DeviceLog*>(log);
    return device_log_lookup(device);
}

// The flags of a live device's driver, from the driver object's copy (fast_hooks.hpp's reasoning);
// a driver object the I/O manager did not create has no private part: the table answers.
inline ULONG live_flags(PDEVICE_OBJECT device) noexcept {
    PDRIVER_OBJECT driver = device->DriverObject;
    if (!driver) return 0;
    if (driver->Type != IO_TYPE_DRIVER) [[unlikely]] return driver_flags(driver);
    return io::driver_private(driver).verifier_flags.load(std::memory_order_relaxed);
}

// A record that would cross the ring's end goes to its start, after a pad record filling the rest.
[[gnu::noinline]] void pad_to_start(ThreadLog& t, Ring* ring) noexcept {
    const std::uint64_t rest = t.limit - t.head;
    ring->words[kRingWords - 1].store(kPadKind | rest << 12, std::memory_order_release);
    t.head = t.limit;
    t.limit += kRingWords;
    ring->head.store(t.head, std::memory_order_release);
}
// The first of `length` consecutive words for this thread's next record.
inline std::atomic<std::uint64_t>* reserve(ThreadLog& t, Ring* ring, std::uint64_t length) noexcept {
    if (t.head == t.limit) t.limit += kRingWords;
    if (t.head + length > t.limit) [[unlikely]] pad_to_start(t, ring);
    return &ring->words[t.head & kRingMask];
}
// The header, last, then the new head (release: a reader that sees the head sees the words).
inline void publish(ThreadLog& t, Ring* ring, std::atomic<std::uint64_t>* header_word, std::uint64_t header,
                    std::uint64_t length) noexcept {
    header_word->store(header, std::memory_order_release);
    t.head += length;
    ring->head.store(t.head, std::memory_order_release);
}

inline std::uint64_t header(Kind kind, std::uint64_t bits, std::uint64_t length, CHAR location, CHAR stack_count,
                            const ThreadLog& t) noexcept {
    return static_cast<std::uint64_t>(kind) | bits | length << 12 |
           static_cast<std::uint64_t>(static_cast<UCHAR>(location)) << 16 |
           static_cast<std::uint64_t>(static_cast<UCHAR>(stack_count)) << 24 | t.tid_bits;
}

// Whether this event reads the clock (the first since the ticker's last tick, or forced); when it
// does, the thread's tick becomes the current one (or stays forced while there is no ticker).
// Acquire on the tick: a stopped ticker's last tick is seen with its stopped state.
inline bool take_stamp(ThreadLog& t) noexcept {
    const std::uint64_t tick = g_tick.value.load(std::memory_order_acquire);
    if (t.tick == tick) return false;
    const int ticker = g_tick.ticker.load(std::memory_order_relaxed);
    if (ticker == 1) {
        t.tick = tick;
        g_tick.last_stamp.store(tick, std::memory_order_relaxed);
    } else {
        t.tick = kForceStamp;
        if (ticker == 0) start_ticker();
    }
    return true;
}

// A record of fixed payload: the words, the clock when stamped, the header.
template <typename... W>
[[gnu::always_inline]] inline void emit(ThreadLog& t, Ring* ring, Kind kind, std::uint64_t bits, CHAR location,
                                        CHAR stack_count, bool stamp, W... payload) noexcept {
    const std::uint64_t length = sizeof...(W) + (stamp ? 2 : 1);
    std::atomic<std::uint64_t>* w = reserve(t, ring, length);
    ((w++)->store(word_of(payload), std::memory_order_release), ...);
    if (stamp) (w++)->store(raw_clock(), std::memory_order_release);
    publish(t, ring, w, header(kind, bits | (stamp ? kStamped : 0), length, location, stack_count, t), length);
}
// The out-of-line form of any event: the ring taken when the thread has none, the clock read when
// the tick says so (or `force`), a pad record when the ring's end is near.
template <typename... W>
[[gnu::noinline]] void emit_slow(Kind kind, std::uint64_t bits, CHAR location, CHAR stack_count, bool force,
                                 W... payload) noexcept {
    Ring* ring = my_ring();
    if (!ring) return;
    ThreadLog& t = t_log;
    const bool stamp = take_stamp(t) || force;
    emit(t, ring, kind, bits, location, stack_count, stamp, payload...);
}
// The fast path applies (the thread has its ring, no clock read is due, the record fits before the
// ring's end): where its `length` words go; nullptr sends the event to its out-of-line form. One
// load of the thread's state, two compares; the fast forms make no calls, so they need no saved
// registers.
template <std::uint64_t length>
inline std::atomic<std::uint64_t>* fast_slot(ThreadLog& t) noexcept {
    if (t.head + length > t.limit || t.tick != g_tick.value.load(std::memory_order_relaxed)) [[unlikely]]
        return nullptr;
    return &t.ring->words[t.head & kRingMask];
}
// Without a clock read: the words at w (from fast_slot).
template <typename... W>
[[gnu::always_inline]] inline void emit_at(ThreadLog& t, std::atomic<std::uint64_t>* w, Kind kind, std::uint64_t bits,
                                           CHAR location, CHAR stack_count, W... payload) noexcept {
    constexpr std::uint64_t length = sizeof...(W) + 1;
    ((w++)->store(word_of(payload), std::memory_order_release), ...);
    publish(t, t.ring, w, header(kind, bits, length, location, stack_count, t), length);
}

// The call record: the IRP, the device's log entry (or its address, tagged, when the table is
// full), the dispatch routine, then the next stack location's words as they are (its
// first word: major, minor, flags, Control; the words of Parameters at 8 and 24: Read/Write Length
// and ByteOffset, or the IOCTL / FSCTL code; CompletionRoutine; Context), decoded when the log is
// read (decode_call), the clock when stamped, the header. Copying words costs no branch; a forward
// after IoSkipCurrentIrpStackLocation carries the upper driver's routine: the reader tells it (a
// call to the location of the call it is made in) and drops it.
constexpr std::uint64_t kCallWords = 9;  // unstamped; one more with the clock

inline std::uint64_t load_word(const unsigned char* p) noexcept {
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    return w;
}

// A call's words read from the IRP before any is stored (a store to the ring could alias the IRP
// for the compiler, which would read it again), and its header's location and stack count bits.
// Named words, not an array: an array went through the stack and a copy loop.
struct CallWords {
    std::uint64_t head, at8, at24, routine, context;
    std::uint64_t bits;
};
// set_completion: IoSetCompletionRoutine is inline in the DDK headers (it only writes the next
// location), so the routine the caller set for this call is read here, at IoCallDriver, and the
// event gets the call's time. Read word by word (no copy loop: one through the stack cost a third
// of the record). Without a next location (the call bugchecks 0x35), the words are zero.
[[gnu::always_inline]] inline CallWords read_call(PIRP irp) noexcept {
    CallWords c;
    CHAR location = irp->CurrentLocation;
    const CHAR stack_count = irp->StackCount;
    if (location > 1) [[likely]] {
        const auto* sp = reinterpret_cast<const unsigned char*>(IoGetNextIrpStackLocation(irp));
        c.head = load_word(sp);
        c.at8 = load_word(sp + offsetof(IO_STACK_LOCATION, Parameters.Read.Length));
        c.at24 = load_word(sp + offsetof(IO_STACK_LOCATION, Parameters.Read.ByteOffset));
        c.routine = load_word(sp + offsetof(IO_STACK_LOCATION, CompletionRoutine));
        c.context = load_word(sp + offsetof(IO_STACK_LOCATION, Context));
        location = static_cast<CHAR>(location - 1);
    } else {
        c.head = c.at8 = c.at24 = c.routine = c.context = 0;
    }
    c.bits = static_cast<std::uint64_t>(static_cast<UCHAR>(location)) << 16 |
             static_cast<std::uint64_t>(static_cast<UCHAR>(stack_count)) << 24;
    return c;
}
// The call's payload words 0-7 at w.
[[gnu::always_inline]] inline void store_call(std::atomic<std::uint64_t>* w, PIRP irp, std::uint64_t device_word,
                                              PVOID routine, const CallWords& c) noexcept {
    w[0].store(word_of(irp), std::memory_order_release);
    w[1].store(device_word, std::memory_order_release);
    w[2].store(word_of(routine), std::memory_order_release);
    w[3].store(c.head, std::memory_order_release);
    w[4].store(c.at8, std::memory_order_release);
    w[5].store(c.at24, std::memory_order_release);
    w[6].store(c.routine, std::memory_order_release);
    w[7].store(c.context, std::memory_order_release);
}
static_assert(offsetof(IO_STACK_LOCATION, Parameters.Read.ByteOffset) ==
              offsetof(IO_STACK_LOCATION, Parameters.DeviceIoControl.IoControlCode));
static_assert(offsetof(IO_STACK_LOCATION, Parameters.Read.ByteOffset) ==
              offsetof(IO_STACK_LOCATION, Parameters.FileSystemControl.FsControlCode));

// A call record's stack location words, decoded.
struct CallParams {
    UCHAR major;
    UCHAR minor;
    UCHAR invoke;           // the SL_INVOKE_ON_* bits of Control
    std::uint64_t length;   // Read/Write Length or IOCTL / FSCTL code
    std::uint64_t offset;   // Read/Write ByteOffset
};
CallParams decode_call(std::uint64_t head, std::uint64_t at8, std::uint64_t at24) noexcept {
    CallParams c{static_cast<UCHAR>(head), static_cast<UCHAR>(head >> 8),
                 static_cast<UCHAR>((head >> 24) & (SL_INVOKE_ON_SUCCESS | SL_INVOKE_ON_ERROR | SL_INVOKE_ON_CANCEL)), 0, 0};
    if (c.major == IRP_MJ_READ || c.major == IRP_MJ_WRITE) {
        c.length = at8 & 0xFFFFFFFFu;
        c.offset = at24;
    } else if (c.major == IRP_MJ_DEVICE_CONTROL || c.major == IRP_MJ_INTERNAL_DEVICE_CONTROL ||
               c.major == IRP_MJ_FILE_SYSTEM_CONTROL) {
        c.length = at24 & 0xFFFFFFFFu;
    }
    return c;
}

// Any call: the device's entry looked up when not cached, the per-device IRP log, the clock, a pad
// record.
[[gnu::noinline]] void record_call(PIRP irp, PDEVICE_OBJECT device, PVOID routine) noexcept {
    Ring* ring = my_ring();
    if (!ring) return;
    ThreadLog& t = t_log;
    // The device is alive (it is being sent an IRP): its names are interned on its first call.
    DeviceLog* log = cached_device_log(device);
    // The per-device IRP log is Driver Verifier's IRP logging: kept for drivers with the flag
    // (without tracing, only those drivers' calls are logged at all).
    const bool device_irp = log && (!tracing() || (live_flags(device) & NTIO_VERIFIER_IRP_LOGGING));
    const bool stamp = take_stamp(t) || device_irp;
    const std::uint64_t length = stamp ? kCallWords + 1 : kCallWords;
    const CallWords c = read_call(irp);
    const std::uint64_t bits = c.bits;
    std::atomic<std::uint64_t>* w = reserve(t, ring, length);
    store_call(w, irp, log ? word_of(log) : word_of(device) | 1, routine, c);
    const std::uint64_t clock = stamp ? raw_clock() : 0;
    if (stamp) w[kCallWords - 1].store(clock, std::memory_order_release);
    publish(t, ring, w + length - 1,
            static_cast<std::uint64_t>(Kind::Call) | length << 12 | (stamp ? kStamped : 0) | bits | t.tid_bits, length);
    if (device_irp) [[unlikely]] {
        const CallParams p = decode_call(c.head, c.at8, c.at24);
        DeviceIrp entry{clock, position_id(ring->number, t.head - length), irp, p.length, p.offset,
                        static_cast<std::uint32_t>(t.tid_bits >> 32), p.major, p.minor, static_cast<CHAR>(bits >> 16),
                        static_cast<CHAR>(bits >> 24)};
        const std::uint64_t n = log->irp_head.fetch_add(1, std::memory_order_relaxed);
        log->irps[n % kIrpsPerDevice].write_shared(n, entry);
    }
}

}  // namespace

namespace {

inline std::uint64_t status_word(NTSTATUS status) noexcept { return static_cast<std::uint32_t>(status); }

// The dispatch has returned: the IRP may be freed, only its pointer is recorded (with the status
// and the call's location: the reader pairs it with its call). A pending return makes the thread's
// next event read the clock.
[[gnu::noinline]] void return_slow(PIRP irp, NTSTATUS status, CHAR location, bool pending) noexcept {
    emit_slow(Kind::Return, pending ? kPending : 0, location, 0, false, irp, status_word(status));
    if (status == STATUS_PENDING) t_log.tick = kForceStamp;
}

}  // namespace

// The fast form: the thread's ring has room, no clock read is due, a device whose entry is cached,
// of a driver without IRP logging (so tracing is on: without it only such drivers' calls are
// logged). A device of type IO_TYPE_DEVICE is one IoCreateDevice made, with its private part.
[[gnu::always_inline]] inline void log_call_inline(PIRP irp, PDEVICE_OBJECT device, PVOID routine,
                                                   const CallWords& c) noexcept {
    ThreadLog& t = t_log;
    std::atomic<std::uint64_t>* w = fast_slot<kCallWords>(t);
    if (!w || !device || device->Type != IO_TYPE_DEVICE) [[unlikely]]
        return record_call(irp, device, routine);
    // A driver object the I/O manager did not make (live_flags' table lookup) takes the out-of-line
    // form too, so that this one makes no call and saves no registers.
    void* log = io::device_private(device)->trace_log.load(std::memory_order_acquire);
    PDRIVER_OBJECT driver = device->DriverObject;
    if (!log || !driver || driver->Type != IO_TYPE_DRIVER ||
        (io::driver_private(driver).verifier_flags.load(std::memory_order_relaxed) & NTIO_VERIFIER_IRP_LOGGING))
        [[unlikely]]
        return record_call(irp, device, routine);
    store_call(w, irp, word_of(log), routine, c);
    publish(t, t.ring, w + kCallWords - 1,
            static_cast<std::uint64_t>(Kind::Call) | kCallWords << 12 | c.bits | t.tid_bits, kCallWords);
}

void log_call(PIRP irp, PDEVICE_OBJECT device, PVOID routine) noexcept {
    log_call_inline(irp, device, routine, read_call(irp));
}

[[gnu::always_inline]] inline void log_return_inline(PIRP irp, NTSTATUS status, CHAR location) noexcept {
    ThreadLog& t = t_log;
    std::atomic<std::uint64_t>* w = fast_slot<3>(t);
    if (!w || status == STATUS_PENDING) [[unlikely]] return return_slow(irp, status, location, false);
    emit_at(t, w, Kind::Return, 0, location, 0, irp, status_word(status));
}

void log_return(PIRP irp, NTSTATUS status, CHAR location) noexcept { log_return_inline(irp, status, location); }

namespace {
// A call without a next stack location: its record (routine null, no stack words), then 0x35.
[[gnu::cold, gnu::noinline, noreturn]] void logged_call_without_location(PDEVICE_OBJECT device, PIRP irp) noexcept {
    record_call(irp, device, nullptr);
    KeBugCheckEx(NO_MORE_IRP_STACK_LOCATIONS, reinterpret_cast<ULONG_PTR>(irp), 0, 0, 0);
}
}  // namespace

// plain_call with the records around it. Everything the call record takes from the IRP is read
// before the first store to the ring, once.
NTSTATUS logged_call(PDEVICE_OBJECT device, PIRP irp, PDRIVER_OBJECT context) noexcept {
    const CHAR location = static_cast<CHAR>(irp->CurrentLocation - 1);
    if (location <= 0) [[unlikely]] logged_call_without_location(device, irp);
    PIO_STACK_LOCATION sp = irp->Tail.Overlay.CurrentStackLocation - 1;
    const PDRIVER_DISPATCH routine = device->DriverObject->MajorFunction[sp->MajorFunction];
    log_call_inline(irp, device, reinterpret_cast<PVOID>(routine), read_call(irp));
    irp->CurrentLocation = location;
    irp->Tail.Overlay.CurrentStackLocation = sp;
    sp->DeviceObject = device;
    // ContextScope(context), by hand so that the records stay in this frame.
    PDRIVER_OBJECT const previous = t_state.context;
    t_state.context = context;
    const NTSTATUS status = routine(device, irp);
    t_state.context = previous;
    log_return_inline(irp, status, location);
    return status;
}

void log_complete(PIRP irp, NTSTATUS status, ULONG_PTR information) noexcept {
    ThreadLog& t = t_log;
    std::atomic<std::uint64_t>* w = fast_slot<4>(t);
    if (!w) [[unlikely]]
        return emit_slow(Kind::Complete, 0, irp->CurrentLocation, irp->StackCount, false, irp, status_word(status),
                         static_cast<std::uint64_t>(information));
    emit_at(t, w, Kind::Complete, 0, irp->CurrentLocation, irp->StackCount, irp, status_word(status),
            static_cast<std::uint64_t>(information));
}

// The routine has returned: the IRP and the device may be gone.
[[gnu::always_inline]] inline void log_completion_routine_inline(PIRP irp, PDEVICE_OBJECT device, PVOID routine,
                                                                 NTSTATUS result, CHAR location, bool pending) noexcept {
    ThreadLog& t = t_log;
    std::atomic<std::uint64_t>* w = fast_slot<5>(t);
    if (!w) [[unlikely]]
        return emit_slow(Kind::CompletionRoutine, pending ? kPending : 0, location, 0, false, irp, device, routine,
                         status_word(result));
    emit_at(t, w, Kind::CompletionRoutine, pending ? kPending : 0, location, 0, irp, device, routine, status_word(result));
}

void log_completion_routine(PIRP irp, PDEVICE_OBJECT device, PVOID routine, NTSTATUS result, CHAR location,
                            bool pending) noexcept {
    log_completion_routine_inline(irp, device, routine, result, location, pending);
}

NTSTATUS logged_completion_routine(PIO_COMPLETION_ROUTINE routine, PDEVICE_OBJECT device, PIRP irp,
                                   PVOID context) noexcept {
    const ULONG flags = live_device_flags(device);
    const CHAR location = irp->CurrentLocation;
    const bool pending_returned = irp->PendingReturned != FALSE;
    // ContextScope: the routine runs in its driver's context when the verifier checks that driver.
    PDRIVER_OBJECT const previous = t_state.context;
    t_state.context = flags ? device->DriverObject : nullptr;
    const NTSTATUS result = routine(device, irp, context);
    t_state.context = previous;
    if (logging_for(flags))
        log_completion_routine_inline(irp, device, reinterpret_cast<PVOID>(routine), result, location, pending_returned);
    return result;
}

// An allocation usually starts a request: when its time is derived, it takes the time of the next
// clock read less a step per event (kLead, an upper bound), so that an IRP address's old life (its
// free, a lower bound) sorts before its next one on any thread.
void log_alloc(PIRP irp) noexcept {
    ThreadLog& t = t_log;
    std::atomic<std::uint64_t>* w = fast_slot<2>(t);
    if (!w) [[unlikely]] return emit_slow(Kind::Alloc, kLead, irp->CurrentLocation, irp->StackCount, false, irp);
    emit_at(t, w, Kind::Alloc, kLead, irp->CurrentLocation, irp->StackCount, irp);
}

void log_free(PIRP irp) noexcept {
    ThreadLog& t = t_log;
    std::atomic<std::uint64_t>* w = fast_slot<2>(t);
    if (!w) [[unlikely]] return emit_slow(Kind::Free, 0, irp->CurrentLocation, irp->StackCount, false, irp);
    emit_at(t, w, Kind::Free, 0, irp->CurrentLocation, irp->StackCount, irp);
}

void log_event(LogKind log_kind, PIRP irp, const LogFields& f) noexcept {
    switch (log_kind) {
    case LogKind::Call: return log_call(irp, f.device, f.routine);
    case LogKind::Return: return return_slow(irp, f.status, f.location, f.pending);
    case LogKind::Complete: return log_complete(irp, f.status, f.information);
    case LogKind::CompletionRoutine:
        return log_completion_routine(irp, f.device, f.routine, f.status, f.location, f.pending);
    case LogKind::Alloc: return log_alloc(irp);
    case LogKind::Free: return log_free(irp);
    case LogKind::CancelRequest:
        return emit_slow(Kind::CancelRequest, 0, irp->CurrentLocation, irp->StackCount, false, irp, f.device, f.routine);
    default:  // verifier (and a kind added to LogKind later)
        return emit_slow(Kind::Verifier, 0, 0, 0, false, irp,
                         status_word(f.status) | static_cast<std::uint64_t>(f.code) << 32,
                         static_cast<std::uint64_t>(f.subcode), f.text);
    }
}

void trace_apc_deliver(PIRP irp) noexcept {
    if (!tracing()) return;
    // The IRP's Tail.Apc carries the APC now (Tail.Overlay is gone). Deliveries end a wait: stamped.
    emit_slow(Kind::ApcDeliver, 0, irp->CurrentLocation, irp->StackCount, true, irp,
              reinterpret_cast<PVOID>(irp->Tail.Apc.NormalRoutine), irp->Tail.Apc.NormalContext,
              static_cast<std::uint64_t>(static_cast<std::uint32_t>(irp->IoStatus.Status)),
              static_cast<std::uint64_t>(irp->IoStatus.Information));
}

void trace_iocp_post(PIRP irp, PFILE_OBJECT file) noexcept {
    if (!tracing()) return;
    PVOID port = nullptr;
    std::uint64_t key = 0;
    if (file && file->CompletionContext) {
        port = file->CompletionContext->Port;
        key = word_of(file->CompletionContext->Key);
    }
    emit_slow(Kind::IocpPost, 0, irp->CurrentLocation, irp->StackCount, true, irp, port, key,
              static_cast<std::uint64_t>(static_cast<std::uint32_t>(irp->IoStatus.Status)),
              static_cast<std::uint64_t>(irp->IoStatus.Information));
}

// Every thread's next event reads the clock (tracing was just turned on).
void restamp_all_threads() noexcept { g_tick.value.fetch_add(1, std::memory_order_relaxed); }
std::uint64_t log_clock_tick() noexcept { return g_tick.value.load(std::memory_order_relaxed); }

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

// One ring's whole records, oldest first.
void read_ring(const Ring& ring, std::vector<Item>& out) {
    const std::uint64_t head = ring.head.load(std::memory_order_acquire);
    const std::uint64_t base = head > kRingWords ? head - kRingWords : 0;
    std::vector<std::uint64_t> words(head - base);
    for (std::uint64_t i = base; i < head; ++i) words[i - base] = ring.words[i & kRingMask].load(std::memory_order_acquire);
    const std::uint64_t reached = ring.head.load(std::memory_order_acquire) + kMaxWriteWords;
    const std::uint64_t floor = std::max(base, reached > kRingWords ? reached - kRingWords : 0);
    const std::size_t first = out.size();
    for (std::uint64_t end = head; end > floor;) {
        const std::uint64_t h = words[end - 1 - base];
        const unsigned length = static_cast<unsigned>(h >> 12 & 15);
        if (length == 0 || end - floor < length) break;
        const std::uint64_t start = end - length;
        end = start;
        if ((h & 15) == kPadKind) continue;
        const std::uint64_t* p = &words[start - base];
        Item item{blank_record(), ring.number, start, 0, (h & kStamped) != 0, (h & kLead) != 0, false};
        Record& r = item.record;
        r.kind = static_cast<Kind>(h & 15);
        r.pending = (h & kPending) != 0;
        r.location = static_cast<CHAR>(h >> 16 & 0xFF);
        r.stack_count = static_cast<CHAR>(h >> 24 & 0xFF);
        r.tid = static_cast<std::uint32_t>(h >> 32);
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
            const CallParams c = decode_call(p[3], p[4], p[5]);
            r.major = c.major;
            r.minor = c.minor;
            r.length = c.length;
            r.offset = c.offset;
            if (p[6] && c.invoke) {
                r.completion = ptr(p[6]);
                r.completion_context = ptr(p[7]);
                r.control = c.invoke;
            }
            break;
        }
        case Kind::Return:  // device and match id: its call's (read_records)
            r.status = status(p[1]);
            break;
        case Kind::Complete:
            r.status = status(p[1]);
            r.information = static_cast<ULONG_PTR>(p[2]);
            break;
        case Kind::CompletionRoutine:
            r.device = static_cast<PDEVICE_OBJECT>(ptr(p[1]));
            r.routine = ptr(p[2]);
            r.status = status(p[3]);
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
    // Per ring, the calls not yet returned, innermost last: a call to the IRP location of the call
    // it is made in is a forward after IoSkipCurrentIrpStackLocation, whose completion routine is
    // the upper driver's (not a new one). A thread's calls and returns nest, so a return belongs to
    // the innermost open call of its IRP and location; calls above that one never returned (left by
    // an exception or a longjmp) and are dropped. A return whose call is no longer in the ring (or
    // never was: a dispatch left and re-entered) keeps its own position id and no device.
    struct Open {
        std::uint64_t match;
        PIRP irp;
        CHAR location;
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
            if (!inserted && r.location == r.stack_count) {
                if (it->second.fresh) it->second.fresh = false;
                else it->second = {own, false};
            }
            r.irp_id = it->second.id;
            std::vector<Open>& open = open_calls[item.ring];
            if (!open.empty() && open.back().irp == r.irp && open.back().location == r.location) {
                r.completion = nullptr;
                r.completion_context = nullptr;
                r.control = 0;
            }
            if (item.tagged_device) r.names = names_of(r.device);
            r.match = own;
            open.push_back({own, r.irp, r.location, r.device, r.names});
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
        }
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

// The IRP log's recording side: the native event records of verifier-and-inspector.md 7.2, kept in
// a bounded ring of words per host thread (no lock on the recording path: each ring has one writer),
// for drivers with IRP logging on and for every driver while tracing (NTIO_TRACE=file, written as
// JSON lines at exit), and the per-device IRP log of Driver Verifier's IRP logging (spec 4, class
// 11: the last 20 IRPs sent to each device of a driver with NTIO_VERIFIER_IRP_LOGGING). Recording is
// a few plain stores per event with no call on the usual path: records are compact, a device's log
// entry is kept in its private part, at most about one clock read is taken per burst of I/O, and
// IRP ids, event times between clock reads, names of returns and completion routines and the
// sequence numbers are worked out when the log is read (irp_log_reader.cpp). The storage both sides
// share is irp_log_layout.hpp.
#include <chrono>
#include <cstdio>
#include <thread>
#include <cstring>
#include <type_traits>

#include "host/clock.hpp"
#include "host/thread.hpp"
#include "io/irp_completion_walk.hpp"
#include "io/objects.hpp"
#include "verifier/chained_calls.hpp"
#include "verifier/fast_hooks.hpp"
#include "verifier/irp_log_layout.hpp"
#include "verifier/state.hpp"

namespace ntio::verifier {

namespace irp_log {
std::atomic<Ring*> g_rings{nullptr};
DeviceLog g_devices[kDeviceLogs];
#if defined(__x86_64__) || defined(__i386__)
const bool g_use_tsc = host::clock_is_time_stamp_counter();
#endif
const Calibration g_start = calibrate();
}  // namespace irp_log

namespace {
using namespace irp_log;

std::atomic<std::uint64_t> g_ring_numbers{0};

// The clock is read by a thread's first event after each tick of the log's ticker thread (every
// kTickNs), not per event nor per request: a clock read costs 20 to 45 ns under KVM, about an
// A1 round trip. Each tick closes every ring's gate (Ring::gate, 0), which the events' room check
// reads anyway, so the next event of each thread takes the out-of-line form, reads the clock and
// opens its gate again; the other events' times are derived when the log is read, so a derived
// time is off by at most the tick's period (as the ticker is scheduled). A dispatch that returned
// STATUS_PENDING usually means a wait follows, so the thread closes its own gate and its next event
// reads the clock too, as does a thread's first event and the first after tracing is turned on.
constexpr long kTickNs = 1000000;
constexpr std::uint64_t kIdleTicks = 100;  // the ticker stops after this many ticks without a clock read
struct alignas(64) Tick {
    std::atomic<std::uint64_t> value{1};    // ticks done: every gate closed since
    std::atomic<std::uint64_t> started{1};  // ticks begun: closing the gates (see log_clock_tick)
    // 0 not running, 1 running, 2 could not start (every event reads the clock)
    std::atomic<int> ticker{0};
    std::atomic<std::uint64_t> last_stamp{0};  // the tick of the latest clock read by any thread
};
Tick g_tick;
// The gate of a thread without a ring, always closed, with a head beside it where a ring has its
// own (head_of_gate), so that the fast path reads both through the gate.
struct ClosedGate {
    alignas(64) std::atomic<std::uint64_t> gate{0};
    std::atomic<std::uint64_t> head{0};
};
static_assert(std::is_standard_layout_v<ClosedGate> &&
              offsetof(ClosedGate, head) - offsetof(ClosedGate, gate) == offsetof(Ring, head) - offsetof(Ring, gate));
constinit ClosedGate g_closed{};
// The head that sits beside a gate: its ring's, or the closed gate's.
inline std::atomic<std::uint64_t>* head_of_gate(std::atomic<std::uint64_t>* gate) noexcept {
    return reinterpret_cast<std::atomic<std::uint64_t>*>(reinterpret_cast<char*>(gate) + offsetof(Ring, head) -
                                                         offsetof(Ring, gate));
}

// This thread's ring and clock state. A ring outlives its thread (dumps read it later); a new
// thread takes over a released one.
struct ThreadLog {
    // The ring's head is read back from the ring (its only writer is this thread): one store less
    // per record than keeping a copy here.
    Ring* ring = nullptr;
    std::uint64_t limit = 0;     // the head at the ring's end: a record must end at or before it (0: no ring)
    std::atomic<std::uint64_t>* gate = &g_closed.gate;  // ring->gate, or the closed gate without a ring
    std::uint32_t tid = 0;       // the thread id (owner records, the per-device IRP log)
    // Calls chained (traced_call) into the innermost framed traced call of this thread: their returns
    // are its return record's (header bits 24-31).
    std::uint32_t chained = 0;
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
        t_log.gate = &g_closed.gate;
        t_log.limit = 0;
        t_log.exited = true;
    }
};
thread_local RingRelease t_ring_release;

// A tick: every ring's next event reads the clock. The gates close between the tick's start and
// its end, so a clock read a closed gate caused is counted by a tick begun before it, and a tick
// begun after a thread's event (its count read then) and done before the thread's next event makes
// that event read the clock (an event between the close and the end may have read the clock for
// it already). Sequentially consistent start and closes, after a stopping ticker's sequentially
// consistent stop: see take_stamp.
void next_tick() noexcept {
    g_tick.started.fetch_add(1, std::memory_order_seq_cst);
    for (Ring* r = g_rings.load(std::memory_order_acquire); r; r = r->next) r->gate.store(0, std::memory_order_seq_cst);
    g_tick.value.fetch_add(1, std::memory_order_release);
}
// The ticker stops once nothing has read the clock for kIdleTicks (tracing is off, or no I/O): it
// marks itself stopped, then ticks once more, so that every thread's next event reads the clock,
// sees no ticker and starts a new one.
void ticker_main(void*) {
    for (;;) {
        std::this_thread::sleep_for(std::chrono::nanoseconds(kTickNs));
        const std::uint64_t tick = g_tick.value.load(std::memory_order_relaxed);
        if (tick - g_tick.last_stamp.load(std::memory_order_relaxed) > kIdleTicks) {
            g_tick.ticker.store(0, std::memory_order_seq_cst);
            next_tick();
            return;
        }
        next_tick();
    }
}
// The ticker starts with the first event that wants it and runs while threads record (a wake-up
// per millisecond); without it every event reads the clock.
// A forked child has no ticker thread, whatever the parent's state said: it starts as stopped, and
// the tick moves on so that each thread's next event reads the clock and starts the child's own.
void ticker_after_fork_in_child() noexcept {
    g_tick.ticker.store(0, std::memory_order_relaxed);
    next_tick();
}
void start_ticker() noexcept {
    int expected = 0;
    if (!g_tick.ticker.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) return;
    // The idle count starts now: the latest clock read may be from before the last ticker stopped
    // (or from the parent of a forked child), and a ticker that found it too old would stop at its
    // first tick.
    g_tick.last_stamp.store(g_tick.value.load(std::memory_order_relaxed), std::memory_order_relaxed);
    static const bool fork_handler = host::on_fork_in_child(ticker_after_fork_in_child);
    (void)fork_handler;
    if (!host::start_detached_thread(ticker_main, nullptr, 64 * 1024)) g_tick.ticker.store(2, std::memory_order_release);
}

void mark_owner(ThreadLog& t, Ring* r) noexcept;

[[gnu::noinline]] Ring* take_ring() noexcept {
    if (t_log.exited) return nullptr;
    start_ticker();
    t_ring_release.armed = true;
    t_log.tid = host::current_thread_id();
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
    t_log.limit = (r->head.load(std::memory_order_relaxed) | kRingMask) + 1;
    r->gate.store(0, std::memory_order_relaxed);  // the thread's first event reads the clock
    t_log.ring = r;
    t_log.gate = &r->gate;
    mark_owner(t_log, r);
    return r;
}

inline Ring* my_ring() noexcept { return t_log.ring ? t_log.ring : take_ring(); }

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

// The limit moves on by a ring's length; an open gate moves with it, a closed one stays closed.
inline void next_lap(ThreadLog& t, Ring* ring) noexcept {
    std::uint64_t open = t.limit;
    t.limit += kRingWords;
    ring->gate.compare_exchange_strong(open, t.limit, std::memory_order_relaxed);
}
// A record that would cross the ring's end goes to its start, after a pad record filling the rest.
[[gnu::noinline]] void pad_to_start(ThreadLog& t, Ring* ring) noexcept {
    const std::uint64_t end = t.limit;
    const std::uint64_t rest = end - ring->head.load(std::memory_order_relaxed);
    ring->words[kRingWords - 1].store(kPadKind | rest << 12, std::memory_order_release);
    next_lap(t, ring);
    ring->head.store(end, std::memory_order_release);
}
// The first of `length` consecutive words for this thread's next record.
inline std::atomic<std::uint64_t>* reserve(ThreadLog& t, Ring* ring, std::uint64_t length) noexcept {
    const std::uint64_t head = ring->head.load(std::memory_order_relaxed);
    if (head == t.limit) next_lap(t, ring);
    if (head + length > t.limit) [[unlikely]] pad_to_start(t, ring);
    return &ring->words[ring->head.load(std::memory_order_relaxed) & kRingMask];
}
// The header, last, then the new head (release: a reader that sees the head sees the words).
inline void publish(ThreadLog& t, Ring* ring, std::atomic<std::uint64_t>* header_word, std::uint64_t header,
                    std::uint64_t length) noexcept {
    (void)t;
    header_word->store(header, std::memory_order_release);
    ring->head.store(ring->head.load(std::memory_order_relaxed) + length, std::memory_order_release);
}

// `bits`: the flag bits, and the status, result or thread id at kValueShift.
inline std::uint64_t header(std::uint64_t kind, std::uint64_t bits, std::uint64_t length, CHAR location,
                            CHAR stack_count) noexcept {
    return kind | bits | length << 12 | static_cast<std::uint64_t>(static_cast<UCHAR>(location)) << 16 |
           static_cast<std::uint64_t>(static_cast<UCHAR>(stack_count)) << 24;
}

// Whether this event reads the clock (its ring's gate is closed: a tick since the thread's last
// read, or forced); when it does, the gate opens again while a ticker runs (the read comes after,
// so it covers any tick that closed the gate before). Without a ticker the gate stays closed and
// every event reads the clock. A ticker that stops marks itself stopped, then closes the gates, and
// a thread that opens its gate then reads the ticker's state, all sequentially consistent: either
// the thread sees the ticker stopped and closes its gate again, or the ticker's close comes after
// the opening, so no gate stays open without a ticker.
inline bool take_stamp(ThreadLog& t) noexcept {
    std::atomic<std::uint64_t>& gate = t.ring->gate;  // the callers took a ring
    if (gate.load(std::memory_order_relaxed) != 0) return false;
    int ticker = g_tick.ticker.load(std::memory_order_acquire);
    if (ticker == 0) {
        start_ticker();
        // A ticker started for this read counts its ticks from here: this read covers the current
        // tick (otherwise the thread's next event would read the clock again at once).
        ticker = g_tick.ticker.load(std::memory_order_acquire) == 1 ? 1 : 2;
    }
    if (ticker == 1) {
        gate.store(t.limit, std::memory_order_seq_cst);
        if (g_tick.ticker.load(std::memory_order_seq_cst) != 1) gate.store(0, std::memory_order_relaxed);
        g_tick.last_stamp.store(g_tick.value.load(std::memory_order_relaxed), std::memory_order_relaxed);
    }
    return true;
}

// A record of fixed payload: the words, the clock when stamped, the header.
template <typename... W>
[[gnu::always_inline]] inline void emit(ThreadLog& t, Ring* ring, std::uint64_t kind, std::uint64_t bits, CHAR location,
                                        CHAR stack_count, bool stamp, W... payload) noexcept {
    const std::uint64_t length = sizeof...(W) + (stamp ? 2 : 1);
    std::atomic<std::uint64_t>* w = reserve(t, ring, length);
    ((w++)->store(word_of(payload), std::memory_order_release), ...);
    if (stamp) (w++)->store(raw_clock(), std::memory_order_release);
    publish(t, ring, w, header(kind, bits | (stamp ? kStamped : 0), length, location, stack_count), length);
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
    emit(t, ring, static_cast<std::uint64_t>(kind), bits, location, stack_count, stamp, payload...);
}
// A thread takes a ring: its owner record (the previous owner's id), then Ring::tid (release: a
// reader that sees the new owner sees its record).
void mark_owner(ThreadLog& t, Ring* r) noexcept {
    emit(t, r, kOwnerKind, std::uint64_t{t.tid} << kValueShift, 0, 0, false,
         std::uint64_t{r->tid.load(std::memory_order_relaxed)});
    r->tid.store(t.tid, std::memory_order_release);
}
// The fast path applies (the thread has its ring, no clock read is due, the record fits before the
// ring's end): where its `length` words go, with the thread's state the record needs read once,
// before any store to the ring (a release store there would make the compiler read it again);
// a null w sends the event to its out-of-line form. The fast forms make no calls, so they need no
// saved registers.
struct FastSlot {
    std::atomic<std::uint64_t>* w;
    Ring* ring;
    std::uint64_t head;
};
template <std::uint64_t length>
inline FastSlot fast_slot(ThreadLog& t) noexcept {
    std::atomic<std::uint64_t>* const gate = t.gate;
    const std::uint64_t head = head_of_gate(gate)->load(std::memory_order_relaxed);
    if (head + length > gate->load(std::memory_order_relaxed)) [[unlikely]] return {nullptr, nullptr, 0};
    Ring* const ring = ring_of_gate(gate);
    return {&ring->words[head & kRingMask], ring, head};
}
// publish for a fast slot.
inline void publish_at(ThreadLog& t, const FastSlot& s, std::atomic<std::uint64_t>* header_word, std::uint64_t header,
                       std::uint64_t length) noexcept {
    (void)t;
    header_word->store(header, std::memory_order_release);
    s.ring->head.store(s.head + length, std::memory_order_release);
}
// Without a clock read: the words at the fast slot.
template <typename... W>
[[gnu::always_inline]] inline void emit_at(ThreadLog& t, const FastSlot& s, Kind kind, std::uint64_t bits,
                                           CHAR location, CHAR stack_count, W... payload) noexcept {
    constexpr std::uint64_t length = sizeof...(W) + 1;
    std::atomic<std::uint64_t>* w = s.w;
    ((w++)->store(word_of(payload), std::memory_order_release), ...);
    publish_at(t, s, w, header(static_cast<std::uint64_t>(kind), bits, length, location, stack_count), length);
}

// The call record: the IRP, the device's log entry (or its address, tagged, when the table is
// full), the dispatch routine, then the next stack location's fields the reader uses (its major,
// minor and Control in one word with the ULONG of Parameters at 8 in its upper half; the word at
// 24: with it Read/Write Length and ByteOffset, or the IOCTL / FSCTL code; CompletionRoutine;
// Context), decoded when the log is
// read (decode_call), the clock when stamped, the header. Copying words costs no branch; a forward
// after IoSkipCurrentIrpStackLocation carries the upper driver's routine: the reader tells it (a
// call to the location of the call it is made in) and drops it.
constexpr std::uint64_t kCallWords = 8;  // unstamped; one more with the clock

inline std::uint64_t load_word(const unsigned char* p) noexcept {
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    return w;
}
// The words of the stack location a traced call is sent with, read at the width their fields are
// written with: the caller wrote them an instant ago, each field on its own (MajorFunction, Flags and
// Control as bytes, a length as a ULONG), and a wider load over several such stores cannot take its
// data from the store buffer: it waits for them to reach the cache. Sampling put more than half of
// the traced call's time on its first 8-byte load of the location. Volatile, so that the compiler
// does not merge the narrow loads back into one.
// The first word as decode_call reads it: MajorFunction, MinorFunction and Control (Flags is not
// read back).
inline std::uint64_t load_byte_fields(const unsigned char* p) noexcept {
    const volatile unsigned char* v = p;
    return static_cast<std::uint64_t>(v[0]) | static_cast<std::uint64_t>(v[1]) << 8 |
           static_cast<std::uint64_t>(v[3]) << 24;
}
inline std::uint64_t load_ulong_fields(const unsigned char* p) noexcept {
    const volatile std::uint32_t* v = reinterpret_cast<const volatile std::uint32_t*>(p);
    return static_cast<std::uint64_t>(v[0]) | static_cast<std::uint64_t>(v[1]) << 32;
}
// A ULONG alone (the Length at 8: decode_call reads no more of that word).
inline std::uint64_t load_ulong(const unsigned char* p) noexcept {
    return *reinterpret_cast<const volatile std::uint32_t*>(p);
}

// A call record's header bits for the call's location.
inline std::uint64_t call_bits(CHAR location, CHAR stack_count) noexcept {
    return static_cast<std::uint64_t>(static_cast<UCHAR>(location)) << 16 |
           static_cast<std::uint64_t>(static_cast<UCHAR>(stack_count)) << 24;
}
// The call's payload words 0-6 at w, with the words of its stack location `sp` copied one by one
// (each loaded just before its store, so that few values live across the copy and the frame spills
// none; no copy loop: one through the stack cost a third of the record). set_completion:
// IoSetCompletionRoutine is inline in the DDK headers (it only writes the next location), so the
// routine the caller set for this call is read here, at IoCallDriver, and the event gets the call's
// time.
[[gnu::always_inline]] inline void copy_call(std::atomic<std::uint64_t>* w, PIRP irp, std::uint64_t device_word,
                                             PVOID routine, const void* sp) noexcept {
    const auto* p = static_cast<const unsigned char*>(sp);
    w[0].store(word_of(irp), std::memory_order_release);
    w[1].store(device_word, std::memory_order_release);
    w[2].store(word_of(routine), std::memory_order_release);
    w[3].store(load_byte_fields(p) | load_ulong(p + offsetof(IO_STACK_LOCATION, Parameters.Read.Length)) << 32,
               std::memory_order_release);
    w[4].store(load_ulong_fields(p + offsetof(IO_STACK_LOCATION, Parameters.Read.ByteOffset)), std::memory_order_release);
    w[5].store(load_word(p + offsetof(IO_STACK_LOCATION, CompletionRoutine)), std::memory_order_release);
    w[6].store(load_word(p + offsetof(IO_STACK_LOCATION, Context)), std::memory_order_release);
}
static_assert(offsetof(IO_STACK_LOCATION, Parameters.Read.ByteOffset) ==
              offsetof(IO_STACK_LOCATION, Parameters.DeviceIoControl.IoControlCode));
static_assert(offsetof(IO_STACK_LOCATION, Parameters.Read.ByteOffset) ==
              offsetof(IO_STACK_LOCATION, Parameters.FileSystemControl.FsControlCode));

// The words a call without a next stack location records (the call bugchecks 0x35).
constexpr IO_STACK_LOCATION kNoLocation{};

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
    const CHAR location = irp->CurrentLocation;
    const bool has_next = location > 1;
    const auto* sp = has_next ? reinterpret_cast<const unsigned char*>(IoGetNextIrpStackLocation(irp))
                              : reinterpret_cast<const unsigned char*>(&kNoLocation);
    const std::uint64_t bits = call_bits(has_next ? static_cast<CHAR>(location - 1) : location, irp->StackCount);
    std::atomic<std::uint64_t>* w = reserve(t, ring, length);
    copy_call(w, irp, log ? word_of(log) : word_of(device) | 1, routine, sp);
    const std::uint64_t clock = stamp ? raw_clock() : 0;
    if (stamp) w[kCallWords - 1].store(clock, std::memory_order_release);
    publish(t, ring, w + length - 1,
            static_cast<std::uint64_t>(Kind::Call) | length << 12 | (stamp ? kStamped : 0) | bits, length);
    if (device_irp) [[unlikely]] {
        const CallParams p = decode_call(load_word(sp), load_word(sp + offsetof(IO_STACK_LOCATION, Parameters.Read.Length)),
                                         load_word(sp + offsetof(IO_STACK_LOCATION, Parameters.Read.ByteOffset)));
        DeviceIrp entry{clock, position_id(ring->number, ring->head.load(std::memory_order_relaxed) - length), irp, p.length, p.offset,
                        t.tid, p.major, p.minor, static_cast<CHAR>(bits >> 16),
                        static_cast<CHAR>(bits >> 24)};
        const std::uint64_t n = log->irp_head.fetch_add(1, std::memory_order_relaxed);
        log->irps[n % kIrpsPerDevice].write_shared(n, entry);
    }
}

}  // namespace

namespace {

inline std::uint64_t status_word(NTSTATUS status) noexcept { return static_cast<std::uint32_t>(status); }
// A status or result in the header's value bits.
inline std::uint64_t status_bits(NTSTATUS status) noexcept { return status_word(status) << kValueShift; }

// The dispatch has returned: the IRP may be freed, only its pointer is recorded (with the status
// and the call's location: the reader pairs it with its call). A pending return makes the thread's
// next event read the clock.
[[gnu::noinline]] void return_slow(PIRP irp, NTSTATUS status, CHAR location, bool pending, CHAR chained = 0) noexcept {
    emit_slow(Kind::Return, (pending ? kPending : 0) | status_bits(status), location, chained, false, irp);
    if (status == STATUS_PENDING) t_log.gate->store(0, std::memory_order_relaxed);
}

}  // namespace

// The fast form: the thread's ring has room, no clock read is due, a device whose entry is cached,
// of a driver without IRP logging (so tracing is on: without it only such drivers' calls are
// logged). A device of type IO_TYPE_DEVICE is one IoCreateDevice made, with its private part.
// kTraceOnly: no driver is verified (trace_only()), so none has IRP logging and the driver need not
// be looked at.
template <bool kTraceOnly = false>
[[gnu::always_inline]] inline void log_call_inline(PIRP irp, PDEVICE_OBJECT device, PVOID routine, const void* sp,
                                                   std::uint64_t bits) noexcept {
    ThreadLog& t = t_log;
    const FastSlot slot = fast_slot<kCallWords>(t);
    if (!slot.w || !device || device->Type != IO_TYPE_DEVICE) [[unlikely]]
        return record_call(irp, device, routine);
    void* log = io::device_private(device)->trace_log.load(std::memory_order_acquire);
    if constexpr (kTraceOnly) {
        if (!log) [[unlikely]] return record_call(irp, device, routine);
    } else {
        // A driver object the I/O manager did not make (live_flags' table lookup) takes the
        // out-of-line form too, so that this one makes no call and saves no registers.
        PDRIVER_OBJECT driver = device->DriverObject;
        if (!log || !driver || driver->Type != IO_TYPE_DRIVER ||
            (io::driver_private(driver).verifier_flags.load(std::memory_order_relaxed) & NTIO_VERIFIER_IRP_LOGGING))
            [[unlikely]]
            return record_call(irp, device, routine);
    }
    copy_call(slot.w, irp, word_of(log), routine, sp);
    publish_at(t, slot, slot.w + kCallWords - 1, static_cast<std::uint64_t>(Kind::Call) | kCallWords << 12 | bits,
               kCallWords);
}

void log_call(PIRP irp, PDEVICE_OBJECT device, PVOID routine) noexcept {
    const CHAR location = irp->CurrentLocation;
    if (location <= 1) [[unlikely]] return record_call(irp, device, routine);
    log_call_inline(irp, device, routine, IoGetNextIrpStackLocation(irp),
                    call_bits(static_cast<CHAR>(location - 1), irp->StackCount));
}

[[gnu::always_inline]] inline void log_return_inline(PIRP irp, NTSTATUS status, CHAR location) noexcept {
    ThreadLog& t = t_log;
    const FastSlot slot = fast_slot<2>(t);
    if (!slot.w || status == STATUS_PENDING) [[unlikely]] return return_slow(irp, status, location, false);
    emit_at(t, slot, Kind::Return, status_bits(status), location, 0, irp);
}

void log_return(PIRP irp, NTSTATUS status, CHAR location) noexcept { log_return_inline(irp, status, location); }

namespace {
// A call without a next stack location: its record (routine null, no stack words), then 0x35.
[[gnu::cold, gnu::noinline, noreturn]] void logged_call_without_location(PDEVICE_OBJECT device, PIRP irp) noexcept {
    record_call(irp, device, nullptr);
    KeBugCheckEx(NO_MORE_IRP_STACK_LOCATIONS, reinterpret_cast<ULONG_PTR>(irp), 0, 0, 0);
}
}  // namespace

// plain_call with the records around it, the dispatch in `context`'s driver context (none with
// kTraceOnly: no driver is verified, so no context is ever set). Everything the call record takes
// from the IRP is read before the first store to the ring, once.
template <bool kTraceOnly>
[[gnu::always_inline]] inline NTSTATUS call_with_records(PDEVICE_OBJECT device, PIRP irp,
                                                         PDRIVER_OBJECT context) noexcept {
    const CHAR location = static_cast<CHAR>(irp->CurrentLocation - 1);
    if (location <= 0) [[unlikely]] logged_call_without_location(device, irp);
    PIO_STACK_LOCATION sp = irp->Tail.Overlay.CurrentStackLocation - 1;
    const PDRIVER_DISPATCH routine = device->DriverObject->MajorFunction[sp->MajorFunction];
    log_call_inline<kTraceOnly>(irp, device, reinterpret_cast<PVOID>(routine), sp, call_bits(location, irp->StackCount));
    irp->CurrentLocation = location;
    irp->Tail.Overlay.CurrentStackLocation = sp;
    sp->DeviceObject = device;
    NTSTATUS status;
    if constexpr (kTraceOnly) {
        status = routine(device, irp);
    } else {
        // ContextScope(context), by hand so that the records stay in this frame.
        const ContextWord previous = context_word();
        set_context_driver(context);
        status = routine(device, irp);
        restore_context(previous);
    }
    log_return_inline(irp, status, location);
    return status;
}

NTSTATUS logged_call(PDEVICE_OBJECT device, PIRP irp, PDRIVER_OBJECT context) noexcept {
    return call_with_records<false>(device, irp, context);
}

namespace {
// traced_call when its fast form does not apply (no room or a clock read due, a device without its
// entry cached or not IoCreateDevice's, no next location).
[[gnu::noinline]] NTSTATUS traced_call_slow(PDEVICE_OBJECT device, PIRP irp) noexcept {
    return call_with_records<true>(device, irp, nullptr);
}
// The return record's out-of-line form, returning the status so that the traced call can jump here.
[[gnu::noinline]] NTSTATUS traced_return_slow(PIRP irp, NTSTATUS status, CHAR location, CHAR chained) noexcept {
    return_slow(irp, status, location, false, chained);
    return status;
}

// Chained traced calls (chained_calls.hpp): a call a dispatch makes by a tail call returns when the
// framed call above it does, with the same status, so it keeps no frame and writes no return record:
// the framed call's return record counts it (header bits 24-31), and the reader gives each chained
// call its return, innermost first, from the calls still open on the thread (read_records). Nothing
// else is recorded between those returns, so the events read back are the unchained ones.
NTIO_DEFINE_CHAIN(ntio_trace)

// A framed traced call: the dispatch, then the return record of this call and of the calls chained
// into it. The count of the chain this call interrupts waits in a stack slot.
[[gnu::noinline]] NTSTATUS traced_framed_call(PDEVICE_OBJECT device, PIRP irp, CHAR location,
                                              PDRIVER_DISPATCH routine) noexcept {
    volatile std::uint32_t outer = t_log.chained;
    t_log.chained = 0;
    const NTSTATUS status = ntio_trace_framed_dispatch(device, irp, routine);
    ThreadLog& t = t_log;
    const CHAR chained = static_cast<CHAR>(t.chained);
    t.chained = outer;
    const FastSlot back = fast_slot<2>(t);
    if (!back.w || status == STATUS_PENDING) [[unlikely]] return traced_return_slow(irp, status, location, chained);
    emit_at(t, back, Kind::Return, status_bits(status), location, chained, irp);
    return status;
}
}  // namespace

namespace {
// The call record, then the dispatch: a chained call jumps to it, any other calls it from a frame of
// its own (traced_framed_call). One copy for each, so that the test is made before the record and
// its outcome needs no register while the record is written.
template <bool kChained>
[[gnu::always_inline]] inline NTSTATUS traced_call_inline(PDEVICE_OBJECT device, PIRP irp) noexcept {
    const CHAR location = static_cast<CHAR>(irp->CurrentLocation - 1);
    ThreadLog& t = t_log;
    const FastSlot slot = fast_slot<kCallWords>(t);
    if (location <= 0 || !slot.w || device->Type != IO_TYPE_DEVICE) [[unlikely]] return traced_call_slow(device, irp);
    void* log = io::device_private(device)->trace_log.load(std::memory_order_acquire);
    if (!log) [[unlikely]] return traced_call_slow(device, irp);
    PIO_STACK_LOCATION sp = irp->Tail.Overlay.CurrentStackLocation - 1;
    const PDRIVER_DISPATCH routine = device->DriverObject->MajorFunction[sp->MajorFunction];
    copy_call(slot.w, irp, word_of(log), reinterpret_cast<PVOID>(routine), sp);
    publish_at(t, slot, slot.w + kCallWords - 1,
               static_cast<std::uint64_t>(Kind::Call) | kCallWords << 12 | call_bits(location, irp->StackCount),
               kCallWords);
    irp->CurrentLocation = location;
    irp->Tail.Overlay.CurrentStackLocation = sp;
    sp->DeviceObject = device;
    if constexpr (kChained) {
        ++t.chained;
        return NTIO_CHAINED_DISPATCH(routine, device, irp);
    } else {
        return traced_framed_call(device, irp, location, routine);
    }
}
}  // namespace

// IoCallDriver while tracing alone is on: call_with_records<true>, with its out-of-line forms (the
// call record's) reached by tail calls. `return_address`: IoCallDriver's (traced_call below).
extern "C" [[gnu::visibility("hidden")]] NTSTATUS ntio_verifier_traced_call(PDEVICE_OBJECT device, PIRP irp,
                                                                           const void* return_address) noexcept {
    if (ntio_trace_chained(return_address)) return traced_call_inline<true>(device, irp);
    return traced_call_inline<false>(device, irp);
}

#if NTIO_CHAINED_CALLS
NTIO_RETURN_ADDRESS_ENTRY(_ZN4ntio8verifier11traced_callEP14_DEVICE_OBJECTP4_IRP, ntio_verifier_traced_call, "%rdx");
#else
NTSTATUS traced_call(PDEVICE_OBJECT device, PIRP irp) noexcept { return ntio_verifier_traced_call(device, irp, nullptr); }
#endif

[[gnu::always_inline]] inline void log_complete_inline(PIRP irp, NTSTATUS status, ULONG_PTR information) noexcept {
    ThreadLog& t = t_log;
    const FastSlot slot = fast_slot<3>(t);
    if (!slot.w) [[unlikely]]
        return emit_slow(Kind::Complete, status_bits(status), irp->CurrentLocation, irp->StackCount, false, irp,
                         static_cast<std::uint64_t>(information));
    emit_at(t, slot, Kind::Complete, status_bits(status), irp->CurrentLocation, irp->StackCount, irp,
            static_cast<std::uint64_t>(information));
}

void log_complete(PIRP irp, NTSTATUS status, ULONG_PTR information) noexcept {
    log_complete_inline(irp, status, information);
}

// The routine has returned: the IRP and the device may be gone.
[[gnu::always_inline]] inline void log_completion_routine_inline(PIRP irp, PDEVICE_OBJECT device, PVOID routine,
                                                                 NTSTATUS result, CHAR location, bool pending) noexcept {
    ThreadLog& t = t_log;
    const FastSlot slot = fast_slot<4>(t);
    const std::uint64_t bits = (pending ? kPending : 0) | status_bits(result);
    if (!slot.w) [[unlikely]]
        return emit_slow(Kind::CompletionRoutine, bits, location, 0, false, irp, device, routine);
    emit_at(t, slot, Kind::CompletionRoutine, bits, location, 0, irp, device, routine);
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
    const ContextWord previous = context_word();
    set_context_driver(flags ? device->DriverObject : nullptr);
    const NTSTATUS result = routine(device, irp, context);
    restore_context(previous);
    if (logging_for(flags))
        log_completion_routine_inline(irp, device, reinterpret_cast<PVOID>(routine), result, location, pending_returned);
    return result;
}

// The location and the pending bit are kept in one word across the routine, so that the frame
// saves one register less (and needs no alignment slot).
NTSTATUS traced_completion_routine(PIO_COMPLETION_ROUTINE routine, PDEVICE_OBJECT device, PIRP irp,
                                   PVOID context) noexcept {
    const std::uint32_t where =
        static_cast<UCHAR>(irp->CurrentLocation) | (irp->PendingReturned != FALSE ? 0x100u : 0u);
    const NTSTATUS result = routine(device, irp, context);
    log_completion_routine_inline(irp, device, reinterpret_cast<PVOID>(routine), result,
                                  static_cast<CHAR>(where & 0xFF), (where & 0x100u) != 0);
    return result;
}

namespace {
// The walk's routines while tracing alone is on: each routine's record is written in the walk's frame
// (the routine, device and location live across the call in registers the walk saves once). When
// tracing alone stopped since the walk began, the routine takes the verifier's hook instead.
struct TracedRoutines {
    [[gnu::always_inline]] static NTSTATUS invoke(PIO_COMPLETION_ROUTINE routine, PDEVICE_OBJECT device, PIRP irp,
                                                  PVOID context, CHAR location, bool pending) noexcept {
        if (!trace_only()) [[unlikely]] return invoke_completion_routine_hooked(routine, device, irp, context);
        const NTSTATUS result = routine(device, irp, context);
        log_completion_routine_inline(irp, device, reinterpret_cast<PVOID>(routine), result, location, pending);
        return result;
    }
};
}  // namespace

// IoCompleteRequest while tracing alone is on: the complete record, then the walk with the routines'
// records. A freed IRP (Type changed) takes the verifier's hook first, as it did before the walk
// bugchecks.
void traced_complete_request(PIRP irp) noexcept {
    if (irp->Type == IO_TYPE_IRP) [[likely]] log_complete_inline(irp, irp->IoStatus.Status, irp->IoStatus.Information);
    else complete_request_hooked(irp);
    io::complete_request_walk<TracedRoutines>(irp);
}

// An allocation usually starts a request: when its time is derived, it takes the time of the next
// clock read less a step per event (kLead, an upper bound), so that an IRP address's old life (its
// free, a lower bound) sorts before its next one on any thread.
void log_alloc(PIRP irp) noexcept {
    ThreadLog& t = t_log;
    const FastSlot slot = fast_slot<2>(t);
    if (!slot.w) [[unlikely]] return emit_slow(Kind::Alloc, kLead, irp->CurrentLocation, irp->StackCount, false, irp);
    emit_at(t, slot, Kind::Alloc, kLead, irp->CurrentLocation, irp->StackCount, irp);
}

void log_free(PIRP irp) noexcept {
    ThreadLog& t = t_log;
    const FastSlot slot = fast_slot<2>(t);
    if (!slot.w) [[unlikely]] return emit_slow(Kind::Free, 0, irp->CurrentLocation, irp->StackCount, false, irp);
    emit_at(t, slot, Kind::Free, 0, irp->CurrentLocation, irp->StackCount, irp);
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
void restamp_all_threads() noexcept { next_tick(); }
std::uint64_t log_clock_tick() noexcept { return g_tick.value.load(std::memory_order_acquire); }
std::uint64_t log_clock_ticks_begun() noexcept { return g_tick.started.load(std::memory_order_seq_cst); }

}  // namespace ntio::verifier

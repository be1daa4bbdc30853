// The verifier's private state: which drivers are verified with which flags, the mode, the
// per-IRP tracking records (Level 2: each IRP's path) and the per-thread dispatch frames.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <ntifs.h>
#include <ntio/ntio_verifier.h>

#include "ke/thread.hpp"
#include "verifier/verifier.hpp"

namespace ntio::verifier {

struct Frame;
// This thread's verifier state in one constinit thread-local, so the hooks read it inline with one
// TLS load (no wrapper call): the dispatch frames of verified drivers (irp_tracking.cpp), the cancel
// spin lock count, and the verified driver whose code runs here (resources.cpp).
struct ThreadState {
    std::vector<Frame>* frames = nullptr;  // allocated on first use, freed at thread exit
    std::size_t frame_count = 0;           // frames->size(), for the inline hooks' one-load test
    int cancel_lock_depth = 0;
    int held_spin_locks = 0;  // spin locks a DDI-checked driver took on this thread (ddi_rules.cpp)
    ContextWord context = 0;  // the driver context: see context_driver()
    // The innermost Level 1 call with a frame on this thread (dispatch_rules.cpp, level1_chain_dispatch):
    // its IRQL and cancel spin lock depth at entry, and the device its exit check blames, the last
    // call chained into it.
    std::uint64_t chain_key = 0;
    PDEVICE_OBJECT chain_device = nullptr;
};
extern constinit thread_local ThreadState t_state;

// The calling thread's IRQL, as KeGetCurrentIrql answers it, inline.
inline KIRQL current_irql() noexcept {
    _KTHREAD* t = ke::current_thread_if_any();
    return t ? t->m_irql : static_cast<KIRQL>(PASSIVE_LEVEL);
}

// ---- Drivers and mode (verifier_state.cpp) ----
// The verified drivers: a small fixed table, and a direct-mapped index over it, since every hook asks
// for a driver's flags (several times per layer): a lookup is one hashed bucket, no lock, inline. A
// driver whose bucket is taken by another is an overflow, found by a scan of the table (only while
// there is one: with few verified drivers there rarely is).
inline constexpr unsigned kMaxVerifiedDrivers = 64;
inline constexpr unsigned kDriverBucketBits = 8;
struct DriverSlot {
    std::atomic<PDRIVER_OBJECT> driver{nullptr};
    std::atomic<ULONG> flags{0};
    bool overflow = false;  // writers only: not in its bucket
};
extern DriverSlot g_driver_slots[kMaxVerifiedDrivers];
extern std::atomic<signed char> g_driver_buckets[1u << kDriverBucketBits];  // slot index, or -1
extern std::atomic<unsigned> g_driver_overflows;
// Why an inline hook may have to leave its quick path, one bit per reason, so that the quick paths
// test one word: a tracking record exists (irp_tracking.cpp), tracing is on, some verified driver has
// IRP logging or delay fuzzing, some driver is verified at all (verifier_state.cpp), some block is
// charged to a driver (resources.cpp), some device queue entry is watched (lifetime_rules.cpp). Each
// writer sets or clears its own bits.
enum SlowReason : ULONG {
    kSlowRecords = 1,
    kSlowTracing = 2,
    kSlowIrpLogging = 4,
    kSlowDelayFuzzing = 8,
    kSlowVerified = 16,
    kSlowCharges = 32,
    kSlowDeviceQueued = 64,
    kSlowDdiCompliance = 128,  // some driver has DDI compliance checking (IoCompleteRequest's PnpRemove rule)
};
inline bool slow_for(ULONG reasons) noexcept { return (g_hot.slow_reasons.load(std::memory_order_acquire) & reasons) != 0; }
// Tracing is on and nothing else is: no driver is verified, so no rule checks any call, no record or
// frame exists and no driver's context is ever set; the hooks only record (gate V3).
// trace_only(reasons): the same, for a SlowReason word a hook already read.
inline bool trace_only(ULONG reasons) noexcept { return reasons == kSlowTracing; }
inline bool trace_only() noexcept { return trace_only(g_hot.slow_reasons.load(std::memory_order_acquire)); }
inline void set_slow_reason(ULONG reason, bool on) noexcept {
    if (on) g_hot.slow_reasons.fetch_or(reason, std::memory_order_acq_rel);
    else g_hot.slow_reasons.fetch_and(~reason, std::memory_order_acq_rel);
}
// A count read without its writers' lock, published under that lock, with its reason bit following
// it from zero to non-zero and back (one atomic read-modify-write per transition, none per change).
inline void publish_count(std::atomic<std::size_t>& count, std::size_t n, ULONG reason) noexcept {
    const bool was = count.load(std::memory_order_relaxed) != 0;
    count.store(n, std::memory_order_release);
    if (was != (n != 0)) set_slow_reason(reason, n != 0);
}
inline unsigned driver_bucket(PDRIVER_OBJECT driver) noexcept {
    return static_cast<unsigned>((reinterpret_cast<std::uintptr_t>(driver) >> 4) * 0x9E3779B97F4A7C15ULL >>
                                 (64 - kDriverBucketBits));
}
ULONG overflow_driver_flags(PDRIVER_OBJECT driver) noexcept;
// The driver's VerifyDriverLevel flags, 0 when it is not verified (or the mode is off).
inline ULONG driver_flags(PDRIVER_OBJECT driver) noexcept {
    if (!driver) return 0;
    const signed char i = g_driver_buckets[driver_bucket(driver)].load(std::memory_order_acquire);
    if (i >= 0 && g_driver_slots[i].driver.load(std::memory_order_acquire) == driver)
        return g_driver_slots[i].flags.load(std::memory_order_acquire);
    if (g_driver_overflows.load(std::memory_order_acquire) == 0) [[likely]] return 0;
    return overflow_driver_flags(driver);
}
inline ULONG device_flags(PDEVICE_OBJECT device) noexcept {
    return device && device->DriverObject ? driver_flags(device->DriverObject) : 0;
}
// Level 2 I/O verification (per-IRP tracking, the WDM DRIVER ERROR rules): I/O verification without
// NTIO_VERIFIER_IO_LEVEL1_ONLY. Level 1's checks run for any driver with NTIO_VERIFIER_IO_CHECKING.
// https://learn.microsoft.com/windows-hardware/drivers/devtest/i-o-verification
inline bool io_level2(ULONG flags) noexcept {
    return (flags & (NTIO_VERIFIER_IO_CHECKING | NTIO_VERIFIER_IO_LEVEL1_ONLY)) == NTIO_VERIFIER_IO_CHECKING;
}
NTIO_VERIFIER_MODE mode() noexcept;
struct VerifiedDriver {
    PDRIVER_OBJECT driver;
    ULONG flags;
    std::string name;
};
std::vector<VerifiedDriver> verified_drivers();
// Drops the driver from the verified table (its object is going).
// object_alive false: the driver object may already be freed (a failed DriverEntry's forget), so only
// the table changes.
void forget_driver_slot(PDRIVER_OBJECT driver, bool object_alive) noexcept;

// ---- IRP tracking (irp_tracking.cpp) ----
enum class Event : std::uint8_t { Dispatch, Return, Complete, Routine, RoutineMoreProcessing, Cancel, Free };

struct PathEntry {
    Event event;
    CHAR location;            // the stack location the event concerns (1-based)
    UCHAR major;
    UCHAR minor;
    bool pending;             // Return: SL_PENDING_RETURNED seen; Routine: PendingReturned
    PDEVICE_OBJECT device;
    PVOID routine;            // dispatch / completion / cancel routine
    NTSTATUS status;          // Return: returned status; Complete / Routine: IoStatus.Status
    PDRIVER_OBJECT driver = nullptr;  // Dispatch: the device's driver (devices may go before records)
    const char* label = nullptr;      // "\\Device\\X \\Driver\\Y" of device, taken while it was alive
};
// The device's name and driver's name for reports, interned (never freed); taken while the device is
// alive. IoDeleteDevice forgets the device so a new one at its address gets its own label.
const char* device_label(PDEVICE_OBJECT device);
void forget_device_label(PDEVICE_OBJECT device) noexcept;

// The path of an IRP: the first kLimit - 8 events, then the latest 8 in a ring. Fixed capacity,
// inside the record: appending is a few stores, never an allocation.
class PathLog {
public:
    static constexpr std::size_t kLimit = 48;
    std::size_t size() const noexcept { return m_size; }
    bool empty() const noexcept { return m_size == 0; }
    const PathEntry* begin() const noexcept { return m_entries; }
    const PathEntry* end() const noexcept { return m_entries + m_size; }
    PathEntry& operator[](std::size_t i) noexcept { return m_entries[i]; }
    const PathEntry& operator[](std::size_t i) const noexcept { return m_entries[i]; }
    void push_back(const PathEntry& entry) noexcept { m_entries[m_size++] = entry; }
    void clear() noexcept { m_size = 0; }

private:
    PathEntry m_entries[kLimit];
    std::uint32_t m_size = 0;
};

// One per IRP a verified driver has seen. Guarded by tracking_lock(). Records live in slabs that are
// never freed and are recycled once out of the table with no dispatch frame left on them, so a
// frame's pointer (or a borrowed one) always points at a record, and that record stays the IRP's
// while a frame of the IRP holds it (active_frames).
struct IrpRecord {
    PIRP irp = nullptr;
    std::uint64_t sequence = 0;
    CCHAR stack_count = 0;
    static constexpr std::size_t kPathLimit = PathLog::kLimit;
    PathLog path;                       // first kPathLimit - 8 events, then the latest 8 in a ring
    std::size_t path_total = 0;
    unsigned completions = 0;           // IoCompleteRequest calls seen
    bool reached_originator = false;    // a completion walked past the top location since the last dispatch
    std::uint64_t pending_bits = 0;     // SL_PENDING_RETURNED per location, captured at each completion
    bool stopped = false;               // a completion routine returned STATUS_MORE_PROCESSING_REQUIRED
    CHAR owner_location = 0;            // ... and the location whose driver owns the IRP again
    NTSTATUS completed_status = 0;      // IoStatus.Status at the last completion
    bool freed = false;
    bool poisoned = false;              // METHOD_BUFFERED output area poisoned (IOCTL info leak)
    ULONG poison_offset = 0;
    ULONG poison_length = 0;
    ULONG output_length = 0;
    int active_frames = 0;              // dispatch frames (of any thread) holding the record
    // A user-mode request (slow_irps.cpp): watched since its first verified dispatch, cancelled at
    // (0: not), reported once.
    bool user_request = false;
    bool slow_reported = false;
    std::uint64_t watched_since_ns = 0;
    std::uint64_t cancelled_at_ns = 0;
    // Out of the table (freed, reinitialized, a new life, its driver gone): written under
    // tracking_lock(), read without it by holders of a frame (cached_record).
    std::atomic<bool> erased{false};
    IrpRecord* m_next = nullptr;        // irp_tracking.cpp: the table's bucket chain, or the spare list
};

// A record pointer (borrowed: the table or a frame keeps the record the IRP's). The name and the
// get() / -> / bool surface are those of the shared pointer it replaces.
class RecordRef {
public:
    RecordRef() noexcept = default;
    RecordRef(std::nullptr_t) noexcept {}
    explicit RecordRef(IrpRecord* record) noexcept : m_record(record) {}
    IrpRecord* get() const noexcept { return m_record; }
    IrpRecord* operator->() const noexcept { return m_record; }
    IrpRecord& operator*() const noexcept { return *m_record; }
    explicit operator bool() const noexcept { return m_record != nullptr; }
    friend bool operator==(const RecordRef& a, std::nullptr_t) noexcept { return a.m_record == nullptr; }
    friend bool operator==(const RecordRef& a, const RecordRef& b) noexcept { return a.m_record == b.m_record; }

private:
    IrpRecord* m_record = nullptr;
};

// The tracking lock: held for a few field updates and a path entry at each hook, many times per
// IRP, so a spin lock (an uncontended pthread mutex costs twice as much); a waiter that spins long
// yields, since the holder may be preempted on a loaded machine.
class TrackingLock {
public:
    void lock() noexcept {
        for (unsigned spins = 0; m_held.exchange(true, std::memory_order_acquire);) {
            while (m_held.load(std::memory_order_relaxed)) {
                if (++spins < 128) pause();
                else std::this_thread::yield();
            }
        }
    }
    bool try_lock() noexcept {
        return !m_held.load(std::memory_order_relaxed) && !m_held.exchange(true, std::memory_order_acquire);
    }
    void unlock() noexcept { m_held.store(false, std::memory_order_release); }

private:
    static void pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }
    std::atomic<bool> m_held{false};
};
TrackingLock& tracking_lock() noexcept;
RecordRef find_record_locked(PIRP irp);
RecordRef create_record_locked(PIRP irp);
void erase_record_locked(PIRP irp);
void add_path_locked(IrpRecord& record, const PathEntry& entry) noexcept;
// A dispatch frame lets go of its record (the record is recycled when it is also out of the table).
void release_frame_record_locked(IrpRecord& record) noexcept;
// Whether the record's latest IoCallDriver is later than its latest IoCompleteRequest: a driver the
// IRP was sent to still holds it.
bool record_in_flight_locked(const IrpRecord& record) noexcept;
// Every live record (leak checks at unload).
std::vector<RecordRef> all_records_locked();
// Whether any record exists (no lock): hooks skip the table while no verified driver tracks an IRP.
extern std::atomic<std::size_t> g_live_records;
inline bool any_records() noexcept { return g_live_records.load(std::memory_order_acquire) != 0; }

// A dispatch routine of a verified driver running on this thread for an IRP.
struct Frame {
    RecordRef record;
    PIRP irp;
    PDEVICE_OBJECT device;
    PDRIVER_DISPATCH routine;
    CHAR location;
    bool forwarded;             // the dispatch sent the IRP on with IoCallDriver
    NTSTATUS lower_status;      // what that IoCallDriver returned
    unsigned completions_at_entry;
    int cancel_lock_depth_at_entry;
    bool forced_pending = false;  // the verifier marked the location pending (force pending mode)
    int apc_disable_at_entry = 0;  // the thread's KernelApcDisable when the dispatch began (sdv_rules.cpp)
    int guarded_at_entry = 0;      // and its SpecialApcDisable (GuardedRegions)
    // The completion routine and context the driver above left in the dispatch's own location: a
    // skip that changes them before forwarding overwrote that driver's routine (0x212).
    PIO_COMPLETION_ROUTINE own_routine_at_entry = nullptr;
    PVOID own_context_at_entry = nullptr;
    // The request as the dispatch received it (wdm_rules.cpp: status hygiene of PnP / Power / WMI IRPs).
    UCHAR major = 0;
    UCHAR minor = 0;
    NTSTATUS status_at_entry = 0;
    ULONG_PTR information_at_entry = 0;
    // The IRP's cancel routine when a forward returned STATUS_PENDING with no completion seen (the
    // lower driver's, if any): another one at the dispatch's return is the dispatch's (0x229).
    PDRIVER_CANCEL cancel_after_forward = nullptr;
};
std::vector<Frame>& thread_frames() noexcept;
inline Frame* innermost_frame(PIRP irp) noexcept {
    std::vector<Frame>* frames = t_state.frames;
    if (!frames) return nullptr;
    for (auto it = frames->rbegin(); it != frames->rend(); ++it)
        if (it->irp == irp) return &*it;
    return nullptr;
}
// Whether a verified dispatch (Level 2) runs on this thread.
inline bool has_frames() noexcept { return t_state.frame_count != 0; }
// The IRP's record from the innermost frame of this thread that holds it (the frame's reference
// keeps it alive while that dispatch runs), without the table; nullptr when no frame has a current one.
inline IrpRecord* cached_record(PIRP irp) noexcept {
    Frame* frame = innermost_frame(irp);
    if (!frame || !frame->record || frame->record->erased.load(std::memory_order_acquire)) return nullptr;
    return frame->record.get();
}
inline int& cancel_lock_depth() noexcept { return t_state.cancel_lock_depth; }
// Forgets this thread's frames and cancel spin lock count (a bugcheck left through a longjmp).
void reset_thread_state() noexcept;

// Stack location n (1-based, as CurrentLocation counts) of an IRP.
inline PIO_STACK_LOCATION stack_location(PIRP irp, CHAR n) noexcept {
    return reinterpret_cast<PIO_STACK_LOCATION>(irp + 1) + (n - 1);
}

// ---- Violations (violation.cpp) ----
enum class Severity {
    Always,      // bugcheck in compat and strict mode
    StrictOnly,  // spec 5.4 P4: bugcheck in strict mode, warning in compat mode
};
struct Violation {
    ULONG code;
    ULONG_PTR p1, p2, p3, p4;
    Severity severity;
    const char* rule;       // Microsoft rule name, or nullptr
    const char* message;    // what went wrong, one sentence
    PDRIVER_OBJECT driver;  // the offending driver, when known
    PIRP irp;               // the IRP, when one is involved
    IrpRecord* record;      // its tracking record, when tracked (borrowed: nothing owning may sit on
                            // a stack a test's bugcheck hook leaves through a longjmp)
};
// Bugchecks (after formatting the stop-screen report) unless the mode makes it a warning; returns
// only for warnings. Never call with tracking_lock() held.
void report(const Violation& violation) noexcept;
// NtioPagedCodeChecks (PAGED_CODE()'s test) follows whether any verified driver has Force IRQL
// checking (paged_code.cpp).
void update_paged_code_checks(ULONG all_flags) noexcept;

// WDM DRIVER ERROR subcodes and DDI-compliance rule ids used here.
inline constexpr ULONG_PTR kDdiSpinLock = 0x00040009;  // SpinLock rule (also the cancel spin lock)
inline constexpr UCHAR kPoisonMajor = 0xFD;            // next stack location not set up by the driver
inline constexpr UCHAR kPoisonByte = 0xA7;
// NT deviation: a Control bit no SL_* flag uses, set on a verified dispatch's own location while it
// runs. IoCopyCurrentIrpStackLocationToNext zeroes the next Control and IoSetCompletionRoutine
// rewrites it, so a next location that carries the bit was copied wholesale from the caller's
// (0xC9 0x207). Forwarding clears it, and the completion walk zeroes each Control it passes.
inline constexpr UCHAR kCopiedMark = 0x10;
// P2 of MULTIPLE_IRP_COMPLETE_REQUESTS raised by the verifier (the I/O manager uses 1 to 3).
inline constexpr ULONG_PTR kDoubleCompletionAtOriginator = 0x4;              // IOCTL output area, mixed with the offset

// ---- Driver context (resources.cpp) ----
// The verified driver whose code runs on this thread (dispatch, completion routine, DriverEntry):
// pool, IRPs and low-resources injection are charged to it. Scopes nest; a bugcheck resets them.
//
// The thread's word holds that driver, or, while a verified completion walk runs its routines
// (CompletionWalkContext), the address of the walk's slot with kWalkSlotTag set: the walk writes
// each routine's driver into the slot before calling it (one store, where switching the context
// and putting it back around each routine cost gate V2 about 0.07), and the driver's flags are
// looked at only when something asks. Scopes save and put back the word, not the driver.
inline constexpr ContextWord kWalkSlotTag = 1;
// The driver in a walk's slot when its flags verify it (resources.cpp).
PDRIVER_OBJECT walk_slot_driver(ContextWord word) noexcept;
inline PDRIVER_OBJECT context_driver() noexcept {
    const ContextWord word = t_state.context;
    if (word & kWalkSlotTag) [[unlikely]] return walk_slot_driver(word);
    return reinterpret_cast<PDRIVER_OBJECT>(word);
}
inline ContextWord context_word() noexcept { return t_state.context; }
inline void restore_context(ContextWord word) noexcept { t_state.context = word; }
inline void set_context_driver(PDRIVER_OBJECT driver) noexcept {
    t_state.context = reinterpret_cast<ContextWord>(driver);
}
inline void reset_context() noexcept { t_state.context = 0; }
struct ContextScope {
    explicit ContextScope(PDRIVER_OBJECT driver) noexcept : m_previous(t_state.context) { set_context_driver(driver); }
    ~ContextScope() { t_state.context = m_previous; }
    ContextScope(const ContextScope&) = delete;
    ContextScope& operator=(const ContextScope&) = delete;
    ContextWord m_previous;
};
// A verified completion walk (IofCompleteRequest with the verifier active): from construction to
// destruction the thread's context is what run() stores before each routine. The slot is written
// before each call, which the routine (opaque code) may read through the thread's word.
class CompletionWalkContext {
public:
    CompletionWalkContext() noexcept : m_previous(t_state.context) {
        t_state.context = reinterpret_cast<ContextWord>(&m_driver) | kWalkSlotTag;
    }
    ~CompletionWalkContext() { t_state.context = m_previous; }
    CompletionWalkContext(const CompletionWalkContext&) = delete;
    CompletionWalkContext& operator=(const CompletionWalkContext&) = delete;
    // The routine a level's device set runs with that device's driver as the context (when its
    // flags verify it; nullptr for the originator's routine, which has no device).
    NTSTATUS run(PIO_COMPLETION_ROUTINE routine, PDEVICE_OBJECT device, PIRP irp, PVOID context) noexcept {
        m_driver = device ? device->DriverObject : nullptr;
        return routine(device, irp, context);
    }

private:
    PDRIVER_OBJECT m_driver = nullptr;
    ContextWord m_previous;
};
void forget_allocated_irp(PIRP irp) noexcept;
// The verified driver a pool block or IRP is charged to (allocated while its code ran), or nullptr.
PDRIVER_OBJECT charged_driver(const void* block) noexcept;
// At DriverUnload's return: 0xC4 0x62 when the driver leaves pool blocks or IRPs behind.
void check_resource_leaks(PDRIVER_OBJECT driver) noexcept;
void forget_resources(PDRIVER_OBJECT driver) noexcept;
// At DriverUnload's return (unload_rules.cpp): 0xCE when a timer, DPC or work item whose routine is
// in the driver's image is still pending.
void check_pending_operations(PDRIVER_OBJECT driver) noexcept;
struct ResourceCounts {
    std::uint64_t pool_blocks = 0;
    std::uint64_t pool_bytes = 0;
    std::uint64_t irps = 0;
    std::uint64_t mdls = 0;
};
ResourceCounts resource_counts(PDRIVER_OBJECT driver) noexcept;

// ---- Stress modes (stress.cpp) ----
// Seeded: the same seed and the same sequence of decisions replay a run.
bool roll_force_pending(ULONG flags) noexcept;   // this IoCallDriver completes asynchronously
void maybe_delay(ULONG flags) noexcept;          // delay fuzzing at a synchronization point
NTIO_VERIFIER_STRESS stress_settings() noexcept;
struct StressCounters {
    std::uint64_t injected_failures;
    std::uint64_t forced_pending;
    std::uint64_t delays;
};
StressCounters stress_counters() noexcept;
void count_injected_failure() noexcept;
bool roll_low_resources() noexcept;

// ---- IRP log (irp_log.cpp) ----
enum class LogKind : std::uint8_t {
    Alloc, Call, Return, Complete, CompletionRoutine, CancelRequest, Free, Verifier
};
struct LogFields {
    PDEVICE_OBJECT device = nullptr;
    PVOID routine = nullptr;
    NTSTATUS status = 0;
    ULONG_PTR information = 0;
    bool pending = false;
    ULONG code = 0;             // verifier: bugcheck code; return/complete: nothing
    ULONG_PTR subcode = 0;
    const char* text = nullptr; // verifier: rule name
    CHAR location = 0;          // return / completion_routine: the IRP may be gone, never read it
};
// Whether an IRP's events are logged: tracing, or a driver with IRP logging on.
inline bool logging_for(ULONG flags) noexcept { return tracing() || (flags & NTIO_VERIFIER_IRP_LOGGING); }
void log_event(LogKind kind, PIRP irp, const LogFields& fields) noexcept;
// The hot events with their fields as arguments (no LogFields built on the caller's stack); each is
// log_event with those fields. Return and completion routine: the IRP (and device) may be gone,
// only the pointers are recorded. A return is paired with its call (uniq_match_id, device) when the
// log is read: a thread's calls and returns nest.
void log_call(PIRP irp, PDEVICE_OBJECT device, PVOID routine) noexcept;
void log_return(PIRP irp, NTSTATUS status, CHAR location) noexcept;
void log_complete(PIRP irp, NTSTATUS status, ULONG_PTR information) noexcept;
void log_completion_routine(PIRP irp, PDEVICE_OBJECT device, PVOID routine, NTSTATUS result, CHAR location,
                            bool pending) noexcept;
void log_alloc(PIRP irp) noexcept;
void log_free(PIRP irp) noexcept;
// IoCallDriver's dispatch as the I/O manager makes it, without checks.
[[gnu::always_inline]] inline NTSTATUS plain_call(PDEVICE_OBJECT device, PIRP irp) noexcept {
    if (--irp->CurrentLocation <= 0)
        KeBugCheckEx(NO_MORE_IRP_STACK_LOCATIONS, reinterpret_cast<ULONG_PTR>(irp), 0, 0, 0);
    PIO_STACK_LOCATION sp = --irp->Tail.Overlay.CurrentStackLocation;
    sp->DeviceObject = device;
    return device->DriverObject->MajorFunction[sp->MajorFunction](device, irp);
}
// IoCallDriver to a driver no rule checks, while its IRPs are logged: the call record, the dispatch
// in `context`'s driver context, the return record, in one frame with the recording inline
// (irp_log.cpp; gate V3).
NTSTATUS logged_call(PDEVICE_OBJECT device, PIRP irp, PDRIVER_OBJECT context) noexcept;
// IoCallDriver, IoCompleteRequest and a completion routine while trace_only(): the dispatch, the
// walk or the routine with its records, no context switch and no driver flags to look at
// (irp_log.cpp).
NTSTATUS traced_call(PDEVICE_OBJECT device, PIRP irp) noexcept;
void traced_complete_request(PIRP irp) noexcept;
NTSTATUS traced_completion_routine(PIO_COMPLETION_ROUTINE routine, PDEVICE_OBJECT device, PIRP irp,
                                   PVOID context) noexcept;
// The native records (spec 7.2) of every thread's ring, oldest first, as JSON lines.
std::string log_json_lines();
void set_tracing(bool on) noexcept;
// Makes every thread's next event read the clock (tracing turned on: no time derived across the gap).
void restamp_all_threads() noexcept;
// The IRP log's clock ticks done and begun (about one a millisecond from its ticker thread once any
// thread has recorded; a tick is begun, then the threads' gates close, then it is done). A tick
// begun after a thread's event and done before its next one makes that event read the clock; each
// clock read is caused by a tick begun before it (or the thread's first event).
std::uint64_t log_clock_tick() noexcept;
std::uint64_t log_clock_ticks_begun() noexcept;

// ---- WDM DRIVER ERROR rules of forwarding and status (wdm_rules.cpp) ----
// Reports 0xC9 `subcode` with the layout of the WDM DRIVER ERROR codes (routine, IRP, device object).
// User-mode requests that take too long to complete or to cancel (slow_irps.cpp): the clock their
// records use, and the periodic scan, started by the first one watched.
std::uint64_t watch_clock_ns() noexcept;
void start_slow_irp_watch() noexcept;
void wdm_error(ULONG_PTR subcode, PVOID routine, PIRP irp, PDEVICE_OBJECT device, Severity severity,
               const char* rule, const char* message, PDRIVER_OBJECT driver, IrpRecord* record);
// Any IoCallDriver the Level 2 entry checks see (a Level 2 target, or a forward from a Level 2
// dispatch): the IRQL and initial-status rules of the request itself.
void wdm_send_rules(PDEVICE_OBJECT device, PIRP irp, Frame* caller) noexcept;
// A forward from a Level 2 dispatch (after its stack-location copy rules): stack routing, stack
// size, copy without completion routine, status of a request the driver does not understand.
void wdm_forward_rules(PDEVICE_OBJECT device, PIRP irp, Frame& caller) noexcept;
// A forward from a Level 2 dispatch came back with STATUS_PENDING.
void wdm_forward_pending(Frame& caller) noexcept;
// The dispatch returned: `completed` (its IRP completed since the dispatch began, not taken back) with
// `completed_status`; `cancel_now` the IRP's cancel routine read at the return, while the lower
// drivers still owned it (else nullptr).
void wdm_exit_rules(Frame& frame, NTSTATUS status, bool completed, NTSTATUS completed_status,
                    PDRIVER_CANCEL cancel_now) noexcept;

// ---- SDV run-time monitors (sdv_rules.cpp) ----
// Called once from the dispatch entry (after the frame is pushed), once from the exit checks (before
// the pending / completion rules) and once from IoCompleteRequest's checks.
void sdv_dispatch_entry(Frame& frame) noexcept;
void sdv_dispatch_exit(Frame& frame, NTSTATUS status) noexcept;
void sdv_complete_request(PIRP irp, PDEVICE_OBJECT device) noexcept;
// IoCallDriver of an IRP its originator sends (no location used yet): IoAllocateForward.
void sdv_originator_send(PIRP irp, PDEVICE_OBJECT target) noexcept;
// CompletionRoutineRegistered at a verified dispatch's exit (sdv_irp_rules.cpp, from sdv_dispatch_exit).
void sdv_completion_ex_exit(const Frame& frame) noexcept;
void sdv_completion_ex_reset() noexcept;  // an outermost dispatch starts with no mark
// ExclusiveResourceAccess at a verified dispatch's exit, and its reset at an outermost entry.
void sdv_resource_exit(const Frame& frame) noexcept;
void sdv_resource_reset() noexcept;
// IoCallDriver of an IRP whose IoSetCompletionRoutineEx failed on this thread:
// IoSetCompletionExCompleteIrp (ddi_rules.cpp).
void check_send_after_failed_completion_ex(PIRP irp) noexcept;
// ExFreePool* entry: an IRP handed to the pool's free routine (0xC4 0x105).
void check_free_pool(PVOID block) noexcept;
// Spin locks the verified driver acquired and still holds on this thread (SpinLockSafe).
inline int& held_spin_locks() noexcept { return t_state.held_spin_locks; }
// The driver the DDI rules blame on this thread, when its flags enable them; nullptr otherwise.
PDRIVER_OBJECT ddi_checked_driver() noexcept;

// ---- Violations kept for !verifier (violation.cpp) ----
struct ViolationNote {
    ULONG code;
    ULONG_PTR subcode;
    const char* rule;
    std::uint64_t irp_sequence;
    PDRIVER_OBJECT driver;
};
std::vector<ViolationNote> recent_violations();

}  // namespace ntio::verifier

// Level 2 IRP tracking: one record per IRP a verified driver has seen, with the IRP's path (devices
// visited, completion routines, statuses, pending bits), and the per-thread stack of verified
// dispatch frames the rules consult. One short lock per hook; no allocation per IRP: records come
// from never-freed slabs, the table chains through them, the path is inline.
#include <new>

#include "verifier/state.hpp"

namespace ntio::verifier {

constinit thread_local ThreadState t_state;
std::atomic<std::size_t> g_live_records{0};  // the table's record count, read without its lock

namespace {

// The table: IRP -> record, a fixed array of bucket chains linked through the records (no node
// allocation per IRP). Records come from slabs that are never freed, and a record out of the table
// with no frame on it goes to the spare list for the next IRP.
constexpr unsigned kBucketBits = 10;
constexpr std::size_t kSlabRecords = 32;

TrackingLock g_lock;
IrpRecord* g_buckets[1u << kBucketBits];  // guarded by g_lock
IrpRecord* g_spares = nullptr;            // guarded by g_lock
std::uint64_t g_sequence = 0;             // guarded by g_lock
std::size_t g_count = 0;                  // guarded by g_lock

struct FramesHolder {
    ~FramesHolder() {
        delete t_state.frames;
        t_state.frames = nullptr;
        t_state.frame_count = 0;
    }
};
thread_local FramesHolder t_frames_holder;

IrpRecord*& bucket_of(PIRP irp) noexcept {
    return g_buckets[(reinterpret_cast<std::uintptr_t>(irp) >> 4) * 0x9E3779B97F4A7C15ULL >> (64 - kBucketBits)];
}

// Every slab stays on this list for the life of the process: a record a frame still held when a
// caught bugcheck unwound it (a test's bugcheck hook) is never recycled, and the list keeps its slab
// owned rather than leaked.
struct Slab {
    Slab* next;
    IrpRecord records[kSlabRecords];
};
Slab* g_slabs = nullptr;  // guarded by g_lock

IrpRecord* take_spare_locked() noexcept {
    if (!g_spares) {
        auto* slab = new (std::nothrow) Slab{};
        if (!slab) return nullptr;
        slab->next = g_slabs;
        g_slabs = slab;
        for (IrpRecord& record : slab->records) {
            record.m_next = g_spares;
            g_spares = &record;
        }
    }
    IrpRecord* record = g_spares;
    g_spares = record->m_next;
    return record;
}

void recycle_locked(IrpRecord& record) noexcept {
    record.m_next = g_spares;
    g_spares = &record;
}

}  // namespace

TrackingLock& tracking_lock() noexcept { return g_lock; }

RecordRef find_record_locked(PIRP irp) {
    if (g_count == 0) return nullptr;
    for (IrpRecord* record = bucket_of(irp); record; record = record->m_next)
        if (record->irp == irp) return RecordRef(record);
    return nullptr;
}

RecordRef create_record_locked(PIRP irp) {
    erase_record_locked(irp);
    IrpRecord* record = take_spare_locked();
    if (!record) return nullptr;  // out of memory: the IRP goes untracked
    // Every field as constructed (the path keeps its storage).
    record->irp = irp;
    record->sequence = ++g_sequence;
    record->stack_count = irp->StackCount;
    record->path.clear();
    record->path_total = 0;
    record->completions = 0;
    record->reached_originator = false;
    record->pending_bits = 0;
    record->stopped = false;
    record->owner_location = 0;
    record->completed_status = 0;
    record->freed = false;
    record->poisoned = false;
    record->poison_offset = 0;
    record->poison_length = 0;
    record->output_length = 0;
    record->active_frames = 0;
    record->user_request = irp->RequestorMode == UserMode;
    record->slow_reported = false;
    record->watched_since_ns = record->user_request ? watch_clock_ns() : 0;
    record->cancelled_at_ns = 0;
    record->erased.store(false, std::memory_order_relaxed);
    IrpRecord*& bucket = bucket_of(irp);
    record->m_next = bucket;
    bucket = record;
    publish_count(g_live_records, ++g_count, kSlowRecords);
    return RecordRef(record);
}

void erase_record_locked(PIRP irp) {
    if (g_count == 0) return;
    for (IrpRecord** link = &bucket_of(irp); *link; link = &(*link)->m_next) {
        IrpRecord* record = *link;
        if (record->irp != irp) continue;
        *link = record->m_next;
        record->m_next = nullptr;
        record->erased.store(true, std::memory_order_release);
        publish_count(g_live_records, --g_count, kSlowRecords);
        // A frame still on it keeps it (its dispatch's exit rules read it); the last one recycles it.
        if (record->active_frames <= 0) recycle_locked(*record);
        return;
    }
}

void release_frame_record_locked(IrpRecord& record) noexcept {
    if (--record.active_frames <= 0 && record.erased.load(std::memory_order_relaxed)) {
        record.active_frames = 0;
        recycle_locked(record);
    }
}

void add_path_locked(IrpRecord& record, const PathEntry& entry) noexcept {
    ++record.path_total;
    if (record.path.size() < IrpRecord::kPathLimit) {
        record.path.push_back(entry);
        return;
    }
    // Keep the start of the story and the latest events: the last 8 slots are a ring.
    constexpr std::size_t kRing = 8;
    const std::size_t slot = IrpRecord::kPathLimit - kRing + (record.path_total - 1) % kRing;
    record.path[slot] = entry;
}

bool record_in_flight_locked(const IrpRecord& record) noexcept {
    // Newest first: the ring's slots (the last 8 events once the path is full), then the start.
    constexpr std::size_t kRing = 8;
    const std::size_t total = record.path_total;
    const std::size_t head = std::min(total, IrpRecord::kPathLimit - kRing);
    for (std::size_t n = total; n > head; --n) {
        if (total - n >= kRing) break;  // overwritten
        const PathEntry& e = record.path[IrpRecord::kPathLimit - kRing + (n - 1) % kRing];
        if (e.event == Event::Dispatch) return true;
        if (e.event == Event::Complete) return false;
    }
    for (std::size_t n = std::min(head, record.path.size()); n > 0; --n) {
        const Event event = record.path[n - 1].event;
        if (event == Event::Dispatch) return true;
        if (event == Event::Complete) return false;
    }
    return false;
}

std::vector<RecordRef> all_records_locked() {
    std::vector<RecordRef> out;
    out.reserve(g_count);
    for (IrpRecord* bucket : g_buckets)
        for (IrpRecord* record = bucket; record; record = record->m_next) out.push_back(RecordRef(record));
    return out;
}

std::vector<Frame>& thread_frames() noexcept {
    if (!t_state.frames) {
        t_state.frames = new std::vector<Frame>();
        t_state.frames->reserve(8);
        (void)&t_frames_holder;
    }
    return *t_state.frames;
}

// A bugcheck leaves through a longjmp in tests: the frames of the dispatch routines it skipped, and
// the cancel spin lock count, must not outlive it on this thread.
void reset_thread_state() noexcept {
    if (t_state.frames) t_state.frames->clear();
    t_state.frame_count = 0;
    t_state.cancel_lock_depth = 0;
}

}  // namespace ntio::verifier

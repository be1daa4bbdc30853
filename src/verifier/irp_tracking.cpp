// Level 2 IRP tracking: one record per IRP a verified driver has seen, with the IRP's path (devices
// visited, completion routines, statuses, pending bits), and the per-thread stack of verified
// dispatch frames the rules consult. One lock: this is the verified path, not the hot path.
#include <new>
#include <unordered_map>

#include "verifier/state.hpp"

namespace ntio::verifier {
namespace {

TrackingLock g_lock;
std::unordered_map<PIRP, RecordRef>* g_records = nullptr;  // guarded by g_lock; never destroyed
std::uint64_t g_sequence = 0;                               // guarded by g_lock
std::atomic<std::size_t> g_live{0};                         // g_records->size(), read without g_lock
// Records of freed IRPs nobody references any more, reused (with their path's capacity) for the
// next IRPs instead of three allocations per IRP. Guarded by g_lock; never destroyed.
constexpr std::size_t kSpareRecords = 64;
std::vector<RecordRef>* g_spares = nullptr;

thread_local std::vector<Frame>* t_frames = nullptr;
thread_local int t_cancel_lock_depth = 0;

struct FramesHolder {
    ~FramesHolder() {
        delete t_frames;
        t_frames = nullptr;
    }
};
thread_local FramesHolder t_frames_holder;

}  // namespace

TrackingLock& tracking_lock() noexcept { return g_lock; }

RecordRef find_record_locked(PIRP irp) {
    if (!g_records) return nullptr;
    auto it = g_records->find(irp);
    return it == g_records->end() ? nullptr : it->second;
}

RecordRef create_record_locked(PIRP irp) {
    if (!g_records) g_records = new std::unordered_map<PIRP, RecordRef>();
    RecordRef record;
    if (g_spares && !g_spares->empty()) {
        // A new life in place: every field as constructed, the path keeping its capacity.
        record = std::move(g_spares->back());
        g_spares->pop_back();
        std::vector<PathEntry> path = std::move(record->path);
        path.clear();
        record->~IrpRecord();
        new (record.get()) IrpRecord();
        record->path = std::move(path);
    } else {
        record = std::make_shared<IrpRecord>();
    }
    record->irp = irp;
    record->sequence = ++g_sequence;
    record->stack_count = irp->StackCount;
    record->path.reserve(16);
    RecordRef& slot = (*g_records)[irp];
    if (slot) slot->erased.store(true, std::memory_order_release);
    slot = record;
    g_live.store(g_records->size(), std::memory_order_release);
    return record;
}

void erase_record_locked(PIRP irp) {
    if (!g_records) return;
    auto it = g_records->find(irp);
    if (it == g_records->end()) return;
    RecordRef record = std::move(it->second);
    record->erased.store(true, std::memory_order_release);
    g_records->erase(it);
    g_live.store(g_records->size(), std::memory_order_release);
    // Kept for the next IRP when nobody else holds it: a new owner only ever copies a reference from
    // the table or from another owner, under g_lock, so a count of one cannot grow meanwhile.
    if (record.use_count() != 1) return;
    if (!g_spares) g_spares = new (std::nothrow) std::vector<RecordRef>();
    if (!g_spares || g_spares->size() >= kSpareRecords) return;
    try {
        g_spares->push_back(std::move(record));
    } catch (...) {
        // Out of memory: the record is freed instead.
    }
}

bool any_records() noexcept { return g_live.load(std::memory_order_acquire) != 0; }

void add_path_locked(IrpRecord& record, const PathEntry& entry) {
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

std::vector<RecordRef> all_records_locked() {
    std::vector<RecordRef> out;
    if (!g_records) return out;
    out.reserve(g_records->size());
    for (auto& [irp, record] : *g_records) out.push_back(record);
    return out;
}

std::vector<Frame>& thread_frames() noexcept {
    if (!t_frames) {
        t_frames = new std::vector<Frame>();
        t_frames->reserve(8);
        (void)&t_frames_holder;
    }
    return *t_frames;
}

Frame* innermost_frame(PIRP irp) noexcept {
    if (!t_frames) return nullptr;
    for (auto it = t_frames->rbegin(); it != t_frames->rend(); ++it)
        if (it->irp == irp) return &*it;
    return nullptr;
}

int& cancel_lock_depth() noexcept { return t_cancel_lock_depth; }

// A bugcheck leaves through a longjmp in tests: the frames of the dispatch routines it skipped, and
// the cancel spin lock count, must not outlive it on this thread.
void reset_thread_state() noexcept {
    if (t_frames) t_frames->clear();
    t_cancel_lock_depth = 0;
}

}  // namespace ntio::verifier

// Level 2 IRP tracking: one record per IRP a verified driver has seen, with the IRP's path (devices
// visited, completion routines, statuses, pending bits), and the per-thread stack of verified
// dispatch frames the rules consult. One lock: this is the verified path, not the hot path.
#include <unordered_map>

#include "verifier/state.hpp"

namespace ntio::verifier {
namespace {

std::mutex g_lock;
std::unordered_map<PIRP, RecordRef>* g_records = nullptr;  // guarded by g_lock; never destroyed
std::uint64_t g_sequence = 0;                               // guarded by g_lock

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

std::mutex& tracking_lock() noexcept { return g_lock; }

RecordRef find_record_locked(PIRP irp) {
    if (!g_records) return nullptr;
    auto it = g_records->find(irp);
    return it == g_records->end() ? nullptr : it->second;
}

RecordRef create_record_locked(PIRP irp) {
    if (!g_records) g_records = new std::unordered_map<PIRP, RecordRef>();
    auto record = std::make_shared<IrpRecord>();
    record->irp = irp;
    record->sequence = ++g_sequence;
    record->stack_count = irp->StackCount;
    record->path.reserve(16);
    (*g_records)[irp] = record;
    return record;
}

void erase_record_locked(PIRP irp) {
    if (g_records) g_records->erase(irp);
}

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

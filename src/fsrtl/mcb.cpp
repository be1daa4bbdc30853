// Large MCBs: a stream's VBN -> LBN mapping in runs, as Microsoft Learn documents the FsRtl*LargeMcb*
// routines (https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtladdlargemcbentry
// and its neighbours). The mapped runs are kept in an ordered map, merged when they continue each
// other on the volume; the holes between them are derived, so run indexes count both: a hole at the
// start when the first mapped VBN is not 0, and one between each two runs that do not touch.
// NT deviation: the mapping is ntio's own (BASE_MCB.Mapping points to it), not NT's pair array;
// PairCount follows the number of runs.
#include <ntifs.h>

#include <limits>
#include <map>
#include <mutex>
#include <new>
#include <vector>

namespace {

struct Run {
    LONGLONG lbn;
    LONGLONG count;
};

// A run as the lookups see it: mapped, or a hole (lbn -1).
struct Piece {
    LONGLONG vbn;
    LONGLONG lbn;
    LONGLONG count;
};

struct Mapping {
    std::mutex lock;
    KGUARDED_MUTEX guarded{};  // what LARGE_MCB.GuardedMutex points to (drivers never take it)
    std::map<LONGLONG, Run> runs;  // by first VBN

    std::vector<Piece> pieces() const {
        std::vector<Piece> out;
        LONGLONG next = 0;
        for (const auto& [vbn, run] : runs) {
            if (vbn > next) out.push_back({next, -1, vbn - next});
            out.push_back({vbn, run.lbn, run.count});
            next = vbn + run.count;
        }
        return out;
    }

    // Unmaps [vbn, end), keeping the parts of runs outside it.
    void cut(LONGLONG vbn, LONGLONG end) {
        auto it = runs.lower_bound(vbn);
        if (it != runs.begin()) {
            auto before = std::prev(it);
            if (before->first + before->second.count > vbn) it = before;
        }
        while (it != runs.end() && it->first < end) {
            const LONGLONG start = it->first;
            const Run run = it->second;
            const LONGLONG run_end = start + run.count;
            it = runs.erase(it);
            if (start < vbn) runs[start] = {run.lbn, vbn - start};
            if (run_end > end) runs[end] = {run.lbn + (end - start), run_end - end};
        }
    }

    // Joins the run at `vbn` with the runs before and after it when they continue each other.
    void merge_around(LONGLONG vbn) {
        auto it = runs.find(vbn);
        if (it == runs.end()) return;
        if (it != runs.begin()) {
            auto before = std::prev(it);
            if (before->first + before->second.count == it->first &&
                before->second.lbn + before->second.count == it->second.lbn) {
                before->second.count += it->second.count;
                runs.erase(it);
                it = before;
            }
        }
        auto after = std::next(it);
        if (after != runs.end() && it->first + it->second.count == after->first &&
            it->second.lbn + it->second.count == after->second.lbn) {
            it->second.count += after->second.count;
            runs.erase(after);
        }
    }
};

Mapping* mapping_of(PLARGE_MCB mcb) noexcept { return static_cast<Mapping*>(mcb->BaseMcb.Mapping); }

void note_pairs(PLARGE_MCB mcb, const Mapping& m) {
    mcb->BaseMcb.PairCount = static_cast<ULONG>(m.pieces().size());
    if (mcb->BaseMcb.PairCount > mcb->BaseMcb.MaximumPairCount) mcb->BaseMcb.MaximumPairCount = mcb->BaseMcb.PairCount;
}

void set_if(PLONGLONG out, LONGLONG value) {
    if (out) *out = value;
}

// A change of the mapping that needs memory: out of memory, the MCB routines raise
// STATUS_INSUFFICIENT_RESOURCES (after the lock is released), as NT's raise on a pool failure.
template <class Change>
BOOLEAN change(PLARGE_MCB mcb, Change&& body) {
    Mapping* m = mapping_of(mcb);
    bool out_of_memory = false;
    BOOLEAN result = FALSE;
    try {
        std::lock_guard guard(m->lock);
        result = body(*m);
        note_pairs(mcb, *m);
    } catch (const std::bad_alloc&) {
        out_of_memory = true;
    }
    if (out_of_memory) ExRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
    return result;
}

}  // namespace

extern "C" {

NTKERNELAPI VOID NTAPI FsRtlInitializeLargeMcb(PLARGE_MCB Mcb, POOL_TYPE PoolType) {
    auto* m = new (std::nothrow) Mapping();
    if (!m) ExRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
    KeInitializeGuardedMutex(&m->guarded);
    Mcb->GuardedMutex = &m->guarded;
    Mcb->BaseMcb.MaximumPairCount = 0;
    Mcb->BaseMcb.PairCount = 0;
    Mcb->BaseMcb.PoolType = static_cast<USHORT>(PoolType);
    Mcb->BaseMcb.Flags = 0;
    Mcb->BaseMcb.Mapping = m;
}

NTKERNELAPI VOID NTAPI FsRtlUninitializeLargeMcb(PLARGE_MCB Mcb) {
    delete mapping_of(Mcb);
    Mcb->BaseMcb.Mapping = nullptr;
    Mcb->GuardedMutex = nullptr;
    Mcb->BaseMcb.PairCount = 0;
}

NTKERNELAPI VOID NTAPI FsRtlResetLargeMcb(PLARGE_MCB Mcb, BOOLEAN SelfSynchronized) {
    (void)SelfSynchronized;  // ntio's lock is its own, held only inside each routine
    Mapping* m = mapping_of(Mcb);
    std::lock_guard guard(m->lock);
    m->runs.clear();
    Mcb->BaseMcb.PairCount = 0;
}

// TRUE when the range is mapped as asked (already or now); FALSE, and nothing changes, when part
// of it is mapped to other LBNs.
NTKERNELAPI BOOLEAN NTAPI FsRtlAddLargeMcbEntry(PLARGE_MCB Mcb, LONGLONG Vbn, LONGLONG Lbn, LONGLONG SectorCount) {
    if (SectorCount <= 0 || Vbn < 0 || Lbn < 0) return FALSE;
    return change(Mcb, [&](Mapping& m) -> BOOLEAN {
        const LONGLONG end = Vbn + SectorCount;
        const LONGLONG offset = Lbn - Vbn;  // the LBN of every VBN of the new run is VBN + offset
        LONGLONG first = Vbn, last = end;
        auto it = m.runs.lower_bound(Vbn);
        if (it != m.runs.begin()) {
            auto before = std::prev(it);
            if (before->first + before->second.count > Vbn) it = before;
        }
        for (auto scan = it; scan != m.runs.end() && scan->first < end; ++scan) {
            if (scan->second.lbn - scan->first != offset) return FALSE;
            first = std::min(first, scan->first);
            last = std::max(last, scan->first + scan->second.count);
        }
        m.cut(first, last);
        m.runs[first] = {first + offset, last - first};
        m.merge_around(first);
        return TRUE;
    });
}

NTKERNELAPI VOID NTAPI FsRtlRemoveLargeMcbEntry(PLARGE_MCB Mcb, LONGLONG Vbn, LONGLONG SectorCount) {
    if (SectorCount <= 0) return;
    (void)change(Mcb, [&](Mapping& m) -> BOOLEAN {
        m.cut(Vbn, Vbn + SectorCount);
        return TRUE;
    });
}

NTKERNELAPI VOID NTAPI FsRtlTruncateLargeMcb(PLARGE_MCB Mcb, LONGLONG Vbn) {
    (void)change(Mcb, [&](Mapping& m) -> BOOLEAN {
        m.cut(std::max<LONGLONG>(Vbn, 0), std::numeric_limits<LONGLONG>::max());
        return TRUE;
    });
}

// Opens a hole of Amount sectors at Vbn: the mapping from Vbn on moves up by Amount.
NTKERNELAPI BOOLEAN NTAPI FsRtlSplitLargeMcb(PLARGE_MCB Mcb, LONGLONG Vbn, LONGLONG Amount) {
    if (Amount <= 0) return TRUE;
    return change(Mcb, [&](Mapping& m) -> BOOLEAN {
        std::map<LONGLONG, Run> moved;
        for (const auto& [start, run] : m.runs) {
            if (start + run.count <= Vbn) {
                moved[start] = run;
            } else if (start >= Vbn) {
                moved[start + Amount] = run;
            } else {
                moved[start] = {run.lbn, Vbn - start};
                moved[Vbn + Amount] = {run.lbn + (Vbn - start), start + run.count - Vbn};
            }
        }
        m.runs.swap(moved);
        return TRUE;
    });
}

NTKERNELAPI BOOLEAN NTAPI FsRtlLookupLargeMcbEntry(PLARGE_MCB Mcb, LONGLONG Vbn, PLONGLONG Lbn,
                                                   PLONGLONG SectorCountFromLbn, PLONGLONG StartingLbn,
                                                   PLONGLONG SectorCountFromStartingLbn, PULONG Index) {
    Mapping* m = mapping_of(Mcb);
    std::lock_guard guard(m->lock);
    const std::vector<Piece> pieces = m->pieces();
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        const Piece& p = pieces[i];
        if (Vbn < p.vbn || Vbn >= p.vbn + p.count) continue;
        set_if(Lbn, p.lbn < 0 ? -1 : p.lbn + (Vbn - p.vbn));
        set_if(SectorCountFromLbn, p.vbn + p.count - Vbn);
        set_if(StartingLbn, p.lbn);
        set_if(SectorCountFromStartingLbn, p.count);
        if (Index) *Index = static_cast<ULONG>(i);
        return TRUE;
    }
    // Past the highest mapped VBN (or nothing mapped): no mapping, no hole.
    set_if(Lbn, -1);
    set_if(StartingLbn, -1);
    return FALSE;
}

NTKERNELAPI BOOLEAN NTAPI FsRtlLookupLastLargeMcbEntryAndIndex(PLARGE_MCB OpaqueMcb, PLONGLONG LargeVbn,
                                                               PLONGLONG LargeLbn, PULONG Index) {
    Mapping* m = mapping_of(OpaqueMcb);
    std::lock_guard guard(m->lock);
    if (m->runs.empty()) return FALSE;
    const auto& [start, run] = *m->runs.rbegin();
    set_if(LargeVbn, start + run.count - 1);
    set_if(LargeLbn, run.lbn + run.count - 1);
    if (Index) *Index = static_cast<ULONG>(m->pieces().size() - 1);
    return TRUE;
}

NTKERNELAPI BOOLEAN NTAPI FsRtlLookupLastLargeMcbEntry(PLARGE_MCB Mcb, PLONGLONG Vbn, PLONGLONG Lbn) {
    return FsRtlLookupLastLargeMcbEntryAndIndex(Mcb, Vbn, Lbn, nullptr);
}

NTKERNELAPI ULONG NTAPI FsRtlNumberOfRunsInLargeMcb(PLARGE_MCB Mcb) {
    Mapping* m = mapping_of(Mcb);
    std::lock_guard guard(m->lock);
    return static_cast<ULONG>(m->pieces().size());
}

NTKERNELAPI BOOLEAN NTAPI FsRtlGetNextLargeMcbEntry(PLARGE_MCB Mcb, ULONG RunIndex, PLONGLONG Vbn, PLONGLONG Lbn,
                                                    PLONGLONG SectorCount) {
    Mapping* m = mapping_of(Mcb);
    std::lock_guard guard(m->lock);
    const std::vector<Piece> pieces = m->pieces();
    if (RunIndex >= pieces.size()) return FALSE;
    const Piece& p = pieces[RunIndex];
    set_if(Vbn, p.vbn);
    set_if(Lbn, p.lbn);
    set_if(SectorCount, p.count);
    return TRUE;
}

// The small MCB: the large one inside, its 64-bit numbers narrowed (a hole's -1 becomes (LBN)-1).
static PLARGE_MCB large(PMCB Mcb) { return &Mcb->DummyFieldThatSizesThisStructureCorrectly; }

NTKERNELAPI VOID NTAPI FsRtlInitializeMcb(PMCB Mcb, POOL_TYPE PoolType) { FsRtlInitializeLargeMcb(large(Mcb), PoolType); }

NTKERNELAPI VOID NTAPI FsRtlUninitializeMcb(PMCB Mcb) { FsRtlUninitializeLargeMcb(large(Mcb)); }

NTKERNELAPI VOID NTAPI FsRtlTruncateMcb(PMCB Mcb, VBN Vbn) { FsRtlTruncateLargeMcb(large(Mcb), Vbn); }

NTKERNELAPI BOOLEAN NTAPI FsRtlAddMcbEntry(PMCB Mcb, VBN Vbn, LBN Lbn, ULONG SectorCount) {
    return FsRtlAddLargeMcbEntry(large(Mcb), Vbn, Lbn, SectorCount);
}

NTKERNELAPI VOID NTAPI FsRtlRemoveMcbEntry(PMCB Mcb, VBN Vbn, ULONG SectorCount) {
    FsRtlRemoveLargeMcbEntry(large(Mcb), Vbn, SectorCount);
}

NTKERNELAPI BOOLEAN NTAPI FsRtlLookupMcbEntry(PMCB Mcb, VBN Vbn, PLBN Lbn, PULONG SectorCount, PULONG Index) {
    LONGLONG lbn = -1, count = 0;
    const BOOLEAN found = FsRtlLookupLargeMcbEntry(large(Mcb), Vbn, &lbn, &count, nullptr, nullptr, Index);
    if (Lbn) *Lbn = static_cast<LBN>(lbn);
    if (SectorCount) *SectorCount = static_cast<ULONG>(count);
    return found;
}

NTKERNELAPI BOOLEAN NTAPI FsRtlLookupLastMcbEntry(PMCB Mcb, PVBN Vbn, PLBN Lbn) {
    LONGLONG vbn = 0, lbn = 0;
    if (!FsRtlLookupLastLargeMcbEntry(large(Mcb), &vbn, &lbn)) return FALSE;
    if (Vbn) *Vbn = static_cast<VBN>(vbn);
    if (Lbn) *Lbn = static_cast<LBN>(lbn);
    return TRUE;
}

NTKERNELAPI ULONG NTAPI FsRtlNumberOfRunsInMcb(PMCB Mcb) { return FsRtlNumberOfRunsInLargeMcb(large(Mcb)); }

NTKERNELAPI BOOLEAN NTAPI FsRtlGetNextMcbEntry(PMCB Mcb, ULONG RunIndex, PVBN Vbn, PLBN Lbn, PULONG SectorCount) {
    LONGLONG vbn = 0, lbn = 0, count = 0;
    if (!FsRtlGetNextLargeMcbEntry(large(Mcb), RunIndex, &vbn, &lbn, &count)) return FALSE;
    if (Vbn) *Vbn = static_cast<VBN>(vbn);
    if (Lbn) *Lbn = static_cast<LBN>(lbn);
    if (SectorCount) *SectorCount = static_cast<ULONG>(count);
    return TRUE;
}

}  // extern "C"

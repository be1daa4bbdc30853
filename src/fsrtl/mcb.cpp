// Map control blocks: a stream's VBN -> LBN mapping in runs, as Microsoft Learn documents the
// FsRtl*BaseMcb* routines (https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlinitializebasemcb
// and its neighbours) and the FsRtl*LargeMcb* ones built on them. The base MCB is the mapping and
// takes no lock; the large MCB is a base MCB plus a guarded mutex each large routine holds around
// the base one; the small MCB is a large one with 32-bit numbers.
// The mapped runs are kept in an ordered map, merged when they continue each other on the volume;
// the holes between them are derived, so run indexes count both: a hole at the start when the
// first mapped VBN is not 0, and one between each two runs that do not touch.
// NT deviation: the mapping is ntio's own (BASE_MCB.Mapping points to it), not NT's pair array;
// PairCount follows the number of runs.
#include <ntifs.h>

#include <limits>
#include <map>
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

Mapping* mapping_of(PBASE_MCB mcb) noexcept { return static_cast<Mapping*>(mcb->Mapping); }

void note_pairs(PBASE_MCB mcb, const Mapping& m) {
    mcb->PairCount = static_cast<ULONG>(m.pieces().size());
    if (mcb->PairCount > mcb->MaximumPairCount) mcb->MaximumPairCount = mcb->PairCount;
}

void set_if(PLONGLONG out, LONGLONG value) {
    if (out) *out = value;
}

// A change of the mapping that needs memory. Out of memory it gives STATUS_INSUFFICIENT_RESOURCES
// and leaves the raise to its caller, which first lets go of any lock (a raise unwinds no C++
// frames). `result` is the change's own answer.
template <class Change>
NTSTATUS change(PBASE_MCB mcb, BOOLEAN* result, Change&& body) noexcept {
    try {
        Mapping& m = *mapping_of(mcb);
        *result = body(m);
        note_pairs(mcb, m);
        return STATUS_SUCCESS;
    } catch (const std::bad_alloc&) {
        *result = FALSE;
        return STATUS_INSUFFICIENT_RESOURCES;
    }
}

// What a change that ran out of memory does for the routines that return a BOOLEAN: raise when the
// MCB was initialized to (FsRtlInitializeBaseMcb, or the Ex form with
// MCB_FLAG_RAISE_ON_ALLOCATION_FAILURE), else answer FALSE.
BOOLEAN answer(PBASE_MCB mcb, NTSTATUS status, BOOLEAN result) {
    if (status == STATUS_INSUFFICIENT_RESOURCES && (mcb->Flags & MCB_FLAG_RAISE_ON_ALLOCATION_FAILURE))
        ExRaiseStatus(status);
    return result;
}

// The mapping operations both families share; none raises or locks.

NTSTATUS add_entry(PBASE_MCB mcb, LONGLONG vbn, LONGLONG lbn, LONGLONG sectors, BOOLEAN* added) noexcept {
    if (sectors <= 0 || vbn < 0 || lbn < 0 || sectors > std::numeric_limits<LONGLONG>::max() - vbn) {
        *added = FALSE;
        return STATUS_SUCCESS;
    }
    return change(mcb, added, [&](Mapping& m) -> BOOLEAN {
        const LONGLONG end = vbn + sectors;
        const LONGLONG offset = lbn - vbn;  // the LBN of every VBN of the new run is VBN + offset
        LONGLONG first = vbn, last = end;
        auto it = m.runs.lower_bound(vbn);
        if (it != m.runs.begin()) {
            auto before = std::prev(it);
            if (before->first + before->second.count > vbn) it = before;
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

NTSTATUS remove_entry(PBASE_MCB mcb, LONGLONG vbn, LONGLONG sectors, BOOLEAN* removed) noexcept {
    if (sectors <= 0) {
        *removed = TRUE;  // nothing to unmap
        return STATUS_SUCCESS;
    }
    const LONGLONG start = std::max<LONGLONG>(vbn, 0);
    const LONGLONG end = sectors > std::numeric_limits<LONGLONG>::max() - vbn ? std::numeric_limits<LONGLONG>::max()
                                                                               : vbn + sectors;
    return change(mcb, removed, [&](Mapping& m) -> BOOLEAN {
        if (start < end) m.cut(start, end);
        return TRUE;
    });
}

NTSTATUS truncate(PBASE_MCB mcb, LONGLONG vbn) noexcept {
    BOOLEAN ignored;
    return change(mcb, &ignored, [&](Mapping& m) -> BOOLEAN {
        m.cut(std::max<LONGLONG>(vbn, 0), std::numeric_limits<LONGLONG>::max());
        return TRUE;
    });
}

// Opens a hole of `amount` sectors at `vbn`: the mapping from `vbn` on moves up by `amount`. FALSE
// when a run would move past the largest VBN.
NTSTATUS split(PBASE_MCB mcb, LONGLONG vbn, LONGLONG amount, BOOLEAN* done) noexcept {
    if (amount <= 0 || vbn < 0) {
        *done = amount == 0 ? TRUE : FALSE;
        return STATUS_SUCCESS;
    }
    return change(mcb, done, [&](Mapping& m) -> BOOLEAN {
        if (!m.runs.empty()) {
            const auto& [last, run] = *m.runs.rbegin();
            if (last + run.count > vbn && last + run.count > std::numeric_limits<LONGLONG>::max() - amount)
                return FALSE;
        }
        std::map<LONGLONG, Run> moved;
        for (const auto& [start, run] : m.runs) {
            if (start + run.count <= vbn) {
                moved[start] = run;
            } else if (start >= vbn) {
                moved[start + amount] = run;
            } else {
                moved[start] = {run.lbn, vbn - start};
                moved[vbn + amount] = {run.lbn + (vbn - start), start + run.count - vbn};
            }
        }
        m.runs.swap(moved);
        return TRUE;
    });
}

BOOLEAN lookup(PBASE_MCB mcb, LONGLONG vbn, PLONGLONG lbn, PLONGLONG from_lbn, PLONGLONG starting_lbn,
               PLONGLONG from_starting_lbn, PULONG index) {
    const std::vector<Piece> pieces = mapping_of(mcb)->pieces();
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        const Piece& p = pieces[i];
        if (vbn < p.vbn || vbn >= p.vbn + p.count) continue;
        set_if(lbn, p.lbn < 0 ? -1 : p.lbn + (vbn - p.vbn));
        set_if(from_lbn, p.vbn + p.count - vbn);
        set_if(starting_lbn, p.lbn);
        set_if(from_starting_lbn, p.count);
        if (index) *index = static_cast<ULONG>(i);
        return TRUE;
    }
    // Past the highest mapped VBN (or nothing mapped): no mapping, no hole.
    set_if(lbn, -1);
    set_if(starting_lbn, -1);
    return FALSE;
}

BOOLEAN lookup_last(PBASE_MCB mcb, PLONGLONG vbn, PLONGLONG lbn, PULONG index) {
    const Mapping& m = *mapping_of(mcb);
    if (m.runs.empty()) return FALSE;
    const auto& [start, run] = *m.runs.rbegin();
    set_if(vbn, start + run.count - 1);
    set_if(lbn, run.lbn + run.count - 1);
    if (index) *index = static_cast<ULONG>(m.pieces().size() - 1);
    return TRUE;
}

BOOLEAN get_next(PBASE_MCB mcb, ULONG run_index, PLONGLONG vbn, PLONGLONG lbn, PLONGLONG sectors) {
    const std::vector<Piece> pieces = mapping_of(mcb)->pieces();
    if (run_index >= pieces.size()) return FALSE;
    const Piece& p = pieces[run_index];
    set_if(vbn, p.vbn);
    set_if(lbn, p.lbn);
    set_if(sectors, p.count);
    return TRUE;
}

// The large MCB's guarded mutex, held around each base operation.
class Held {
public:
    explicit Held(PLARGE_MCB mcb) : m_mutex(mcb->GuardedMutex) { KeAcquireGuardedMutex(m_mutex); }
    ~Held() { release(); }
    void release() {
        if (m_mutex) KeReleaseGuardedMutex(m_mutex);
        m_mutex = nullptr;
    }
    Held(const Held&) = delete;
    Held& operator=(const Held&) = delete;

private:
    PKGUARDED_MUTEX m_mutex;
};

}  // namespace

extern "C" {

// ---- Base MCBs: the mapping, no lock (the caller serializes) ----

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlinitializebasemcbex
// Out of memory: raises with MCB_FLAG_RAISE_ON_ALLOCATION_FAILURE, else FALSE. The flags are kept
// in BASE_MCB.Flags and rule the later routines' allocation failures the same way.
NTKERNELAPI BOOLEAN NTAPI FsRtlInitializeBaseMcbEx(PBASE_MCB Mcb, POOL_TYPE PoolType, USHORT Flags) {
    Mcb->MaximumPairCount = 0;
    Mcb->PairCount = 0;
    Mcb->PoolType = static_cast<USHORT>(PoolType);
    Mcb->Flags = Flags;
    Mcb->Mapping = new (std::nothrow) Mapping();
    if (Mcb->Mapping) return TRUE;
    if (Flags & MCB_FLAG_RAISE_ON_ALLOCATION_FAILURE) ExRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
    return FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlinitializebasemcb
// Raises STATUS_INSUFFICIENT_RESOURCES when pool is not available.
NTKERNELAPI VOID NTAPI FsRtlInitializeBaseMcb(PBASE_MCB Mcb, POOL_TYPE PoolType) {
    (void)FsRtlInitializeBaseMcbEx(Mcb, PoolType, MCB_FLAG_RAISE_ON_ALLOCATION_FAILURE);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtluninitializebasemcb
NTKERNELAPI VOID NTAPI FsRtlUninitializeBaseMcb(PBASE_MCB Mcb) {
    delete mapping_of(Mcb);
    Mcb->Mapping = nullptr;
    Mcb->PairCount = 0;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlresetbasemcb
// Zero runs; MaximumPairCount (the size NT's pair array grew to) stays.
NTKERNELAPI VOID NTAPI FsRtlResetBaseMcb(PBASE_MCB Mcb) {
    mapping_of(Mcb)->runs.clear();
    Mcb->PairCount = 0;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtltruncatebasemcb
// Unmaps every VBN from Vbn on (a negative Vbn truncates to nothing).
NTKERNELAPI VOID NTAPI FsRtlTruncateBaseMcb(PBASE_MCB Mcb, LONGLONG Vbn) {
    (void)answer(Mcb, truncate(Mcb, Vbn), TRUE);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtladdbasemcbentryex
// STATUS_SUCCESS when the range is mapped as asked (already or now), STATUS_UNSUCCESSFUL when part
// of it is mapped to other LBNs (nothing changes) or the range is not one (a count <= 0, a
// negative VBN or LBN, past the largest VBN), STATUS_INSUFFICIENT_RESOURCES without memory: the Ex
// form returns that status whatever the flags (Learn lists it as a return value).
NTKERNELAPI NTSTATUS NTAPI FsRtlAddBaseMcbEntryEx(PBASE_MCB Mcb, LONGLONG Vbn, LONGLONG Lbn, LONGLONG SectorCount) {
    BOOLEAN added = FALSE;
    const NTSTATUS status = add_entry(Mcb, Vbn, Lbn, SectorCount, &added);
    if (!NT_SUCCESS(status)) return status;
    return added ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtladdbasemcbentry
// TRUE when the range is mapped as asked, FALSE (nothing changes) when part of it is mapped to
// other LBNs.
NTKERNELAPI BOOLEAN NTAPI FsRtlAddBaseMcbEntry(PBASE_MCB Mcb, LONGLONG Vbn, LONGLONG Lbn, LONGLONG SectorCount) {
    BOOLEAN added = FALSE;
    const NTSTATUS status = add_entry(Mcb, Vbn, Lbn, SectorCount, &added);
    return answer(Mcb, status, added);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlremovebasemcbentry
// TRUE once [Vbn, Vbn + SectorCount) is unmapped (an empty range is TRUE at once); cutting a run in
// two needs memory, so FALSE (or the raise) without it.
NTKERNELAPI BOOLEAN NTAPI FsRtlRemoveBaseMcbEntry(PBASE_MCB Mcb, LONGLONG Vbn, LONGLONG SectorCount) {
    BOOLEAN removed = FALSE;
    const NTSTATUS status = remove_entry(Mcb, Vbn, SectorCount, &removed);
    return answer(Mcb, status, removed);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtllookupbasemcbentry
// TRUE for a VBN in a run or in a hole below the highest mapped VBN (LBN -1); FALSE past it.
NTKERNELAPI BOOLEAN NTAPI FsRtlLookupBaseMcbEntry(PBASE_MCB Mcb, LONGLONG Vbn, PLONGLONG Lbn,
                                                  PLONGLONG SectorCountFromLbn, PLONGLONG StartingLbn,
                                                  PLONGLONG SectorCountFromStartingLbn, PULONG Index) {
    return lookup(Mcb, Vbn, Lbn, SectorCountFromLbn, StartingLbn, SectorCountFromStartingLbn, Index);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtllookuplastbasemcbentry
NTKERNELAPI BOOLEAN NTAPI FsRtlLookupLastBaseMcbEntry(PBASE_MCB Mcb, PLONGLONG Vbn, PLONGLONG Lbn) {
    return lookup_last(Mcb, Vbn, Lbn, nullptr);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtllookuplastbasemcbentryandindex
NTKERNELAPI BOOLEAN NTAPI FsRtlLookupLastBaseMcbEntryAndIndex(PBASE_MCB OpaqueMcb, PLONGLONG LargeVbn,
                                                              PLONGLONG LargeLbn, PULONG Index) {
    return lookup_last(OpaqueMcb, LargeVbn, LargeLbn, Index);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlnumberofrunsinbasemcb
// Holes count.
NTKERNELAPI ULONG NTAPI FsRtlNumberOfRunsInBaseMcb(PBASE_MCB Mcb) {
    return static_cast<ULONG>(mapping_of(Mcb)->pieces().size());
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlgetnextbasemcbentry
// A hole is a run with LBN -1; FALSE past the last run.
NTKERNELAPI BOOLEAN NTAPI FsRtlGetNextBaseMcbEntry(PBASE_MCB Mcb, ULONG RunIndex, PLONGLONG Vbn, PLONGLONG Lbn,
                                                   PLONGLONG SectorCount) {
    return get_next(Mcb, RunIndex, Vbn, Lbn, SectorCount);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlsplitbasemcb
// Inserts a hole of Amount sectors at Vbn. FALSE, nothing changed, for a negative Amount or Vbn or
// when the mapping would move past the largest VBN; an Amount of 0 changes nothing (TRUE).
NTKERNELAPI BOOLEAN NTAPI FsRtlSplitBaseMcb(PBASE_MCB Mcb, LONGLONG Vbn, LONGLONG Amount) {
    BOOLEAN done = FALSE;
    const NTSTATUS status = split(Mcb, Vbn, Amount, &done);
    return answer(Mcb, status, done);
}

// ---- Large MCBs: a base MCB and a guarded mutex ----

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlinitializelargemcb
// Raises STATUS_INSUFFICIENT_RESOURCES when pool is not available.
NTKERNELAPI VOID NTAPI FsRtlInitializeLargeMcb(PLARGE_MCB Mcb, POOL_TYPE PoolType) {
    auto* mutex = new (std::nothrow) KGUARDED_MUTEX();
    if (!mutex) ExRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
    KeInitializeGuardedMutex(mutex);
    if (!FsRtlInitializeBaseMcbEx(&Mcb->BaseMcb, PoolType, 0)) {
        delete mutex;
        ExRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
    }
    Mcb->BaseMcb.Flags = MCB_FLAG_RAISE_ON_ALLOCATION_FAILURE;
    Mcb->GuardedMutex = mutex;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtluninitializelargemcb
NTKERNELAPI VOID NTAPI FsRtlUninitializeLargeMcb(PLARGE_MCB Mcb) {
    FsRtlUninitializeBaseMcb(&Mcb->BaseMcb);
    delete Mcb->GuardedMutex;
    Mcb->GuardedMutex = nullptr;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlresetlargemcb
// SelfSynchronized TRUE: the caller keeps every other MCB routine off this MCB, so the mutex is
// not taken.
NTKERNELAPI VOID NTAPI FsRtlResetLargeMcb(PLARGE_MCB Mcb, BOOLEAN SelfSynchronized) {
    if (SelfSynchronized) {
        FsRtlResetBaseMcb(&Mcb->BaseMcb);
        return;
    }
    Held held(Mcb);
    FsRtlResetBaseMcb(&Mcb->BaseMcb);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtladdlargemcbentry
// TRUE when the range is mapped as asked (already or now); FALSE, and nothing changes, when part
// of it is mapped to other LBNs. Raises STATUS_INSUFFICIENT_RESOURCES without memory.
NTKERNELAPI BOOLEAN NTAPI FsRtlAddLargeMcbEntry(PLARGE_MCB Mcb, LONGLONG Vbn, LONGLONG Lbn, LONGLONG SectorCount) {
    BOOLEAN added = FALSE;
    Held held(Mcb);
    const NTSTATUS status = add_entry(&Mcb->BaseMcb, Vbn, Lbn, SectorCount, &added);
    held.release();
    return answer(&Mcb->BaseMcb, status, added);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlremovelargemcbentry
NTKERNELAPI VOID NTAPI FsRtlRemoveLargeMcbEntry(PLARGE_MCB Mcb, LONGLONG Vbn, LONGLONG SectorCount) {
    BOOLEAN removed = FALSE;
    Held held(Mcb);
    const NTSTATUS status = remove_entry(&Mcb->BaseMcb, Vbn, SectorCount, &removed);
    held.release();
    (void)answer(&Mcb->BaseMcb, status, removed);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtltruncatelargemcb
NTKERNELAPI VOID NTAPI FsRtlTruncateLargeMcb(PLARGE_MCB Mcb, LONGLONG Vbn) {
    Held held(Mcb);
    const NTSTATUS status = truncate(&Mcb->BaseMcb, Vbn);
    held.release();
    (void)answer(&Mcb->BaseMcb, status, TRUE);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlsplitlargemcb
// Opens a hole of Amount sectors at Vbn: the mapping from Vbn on moves up by Amount.
NTKERNELAPI BOOLEAN NTAPI FsRtlSplitLargeMcb(PLARGE_MCB Mcb, LONGLONG Vbn, LONGLONG Amount) {
    BOOLEAN done = FALSE;
    Held held(Mcb);
    const NTSTATUS status = split(&Mcb->BaseMcb, Vbn, Amount, &done);
    held.release();
    return answer(&Mcb->BaseMcb, status, done);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtllookuplargemcbentry
NTKERNELAPI BOOLEAN NTAPI FsRtlLookupLargeMcbEntry(PLARGE_MCB Mcb, LONGLONG Vbn, PLONGLONG Lbn,
                                                   PLONGLONG SectorCountFromLbn, PLONGLONG StartingLbn,
                                                   PLONGLONG SectorCountFromStartingLbn, PULONG Index) {
    Held held(Mcb);
    return FsRtlLookupBaseMcbEntry(&Mcb->BaseMcb, Vbn, Lbn, SectorCountFromLbn, StartingLbn,
                                   SectorCountFromStartingLbn, Index);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtllookuplastlargemcbentryandindex
NTKERNELAPI BOOLEAN NTAPI FsRtlLookupLastLargeMcbEntryAndIndex(PLARGE_MCB OpaqueMcb, PLONGLONG LargeVbn,
                                                               PLONGLONG LargeLbn, PULONG Index) {
    Held held(OpaqueMcb);
    return FsRtlLookupLastBaseMcbEntryAndIndex(&OpaqueMcb->BaseMcb, LargeVbn, LargeLbn, Index);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtllookuplastlargemcbentry
NTKERNELAPI BOOLEAN NTAPI FsRtlLookupLastLargeMcbEntry(PLARGE_MCB Mcb, PLONGLONG Vbn, PLONGLONG Lbn) {
    Held held(Mcb);
    return FsRtlLookupLastBaseMcbEntry(&Mcb->BaseMcb, Vbn, Lbn);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlnumberofrunsinlargemcb
NTKERNELAPI ULONG NTAPI FsRtlNumberOfRunsInLargeMcb(PLARGE_MCB Mcb) {
    Held held(Mcb);
    return FsRtlNumberOfRunsInBaseMcb(&Mcb->BaseMcb);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlgetnextlargemcbentry
NTKERNELAPI BOOLEAN NTAPI FsRtlGetNextLargeMcbEntry(PLARGE_MCB Mcb, ULONG RunIndex, PLONGLONG Vbn, PLONGLONG Lbn,
                                                    PLONGLONG SectorCount) {
    Held held(Mcb);
    return FsRtlGetNextBaseMcbEntry(&Mcb->BaseMcb, RunIndex, Vbn, Lbn, SectorCount);
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

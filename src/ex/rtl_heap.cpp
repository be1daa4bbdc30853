// The Rtl heap (RtlCreateHeap, RtlAllocateHeap, RtlFreeHeap, RtlDestroyHeap, and ntdll's
// RtlSizeHeap and RtlReAllocateHeap for kernel32's heap functions): a first-fit heap of
// boundary-tagged blocks in one or more segments. The first segment is the region the heap handle
// points to (the caller's HeapBase, or a region ntio allocates); a growable heap adds segments. It
// lives in ex rather than rtl because its default serialization is an ERESOURCE, as the caller's
// Lock is. Handles and blocks are checked, so a bad handle or a block the heap did not hand out gets
// NULL / FALSE instead of corrupting memory.
#include <ntifs.h>

#include "ex/rtl_heap_resize.hpp"

#include <cstring>
#include <mutex>
#include <new>
#include <shared_mutex>
#include <unordered_set>

namespace {

constexpr ULONG64 kSignature = 0x7061654869745268ULL;  // "hRtiHeap"
constexpr SIZE_T kAlign = MEMORY_ALLOCATION_ALIGNMENT;
constexpr SIZE_T kBusy = 1;
constexpr SIZE_T kDefaultReservePages = 64;   // RtlCreateHeap: ReserveSize and CommitSize both 0
constexpr SIZE_T kCommitRoundPages = 16;      // CommitSize alone: ReserveSize = CommitSize rounded up

constexpr SIZE_T align_up(SIZE_T value, SIZE_T to) noexcept { return (value + to - 1) & ~(to - 1); }

// Every block starts with this header; size_flags holds the block's size (header included, a
// multiple of kAlign) and the busy bit, prev_size the size of the block before it (0 for the first
// of a segment), requested the size a busy block was asked for (RtlSizeHeap). A segment ends with a
// busy block of size 0.
struct Block {
    SIZE_T size_flags;
    SIZE_T prev_size;
    SIZE_T requested;
    SIZE_T reserved;
    SIZE_T size() const noexcept { return size_flags & ~kBusy; }
    bool busy() const noexcept { return (size_flags & kBusy) != 0; }
    Block* next() noexcept { return reinterpret_cast<Block*>(reinterpret_cast<UCHAR*>(this) + size()); }
    Block* prev() noexcept { return reinterpret_cast<Block*>(reinterpret_cast<UCHAR*>(this) - prev_size); }
};
static_assert(sizeof(Block) % kAlign == 0);

// A free block also links into the heap's free list.
struct FreeBlock : Block {
    LIST_ENTRY link;
};
constexpr SIZE_T kMinBlock = sizeof(FreeBlock);
static_assert(kMinBlock % kAlign == 0);

struct Segment {
    LIST_ENTRY link;
    UCHAR* first;  // the first block
    UCHAR* end;    // one past the end sentinel
    bool owned;    // ntio allocated it: freed when the heap goes
};

struct Heap {
    ULONG64 signature;
    ULONG flags;             // HEAP_GROWABLE, HEAP_NO_SERIALIZE, HEAP_GENERATE_EXCEPTIONS of the heap
    bool region_owned;       // the region the handle points to was allocated here
    PERESOURCE lock;         // NULL: not serialized
    ERESOURCE own_lock;      // used when the caller gave no Lock
    bool own_lock_initialized;
    SIZE_T segment_bytes;    // the size of segments a growable heap adds (at least)
    LIST_ENTRY free_list;
    LIST_ENTRY segments;
    Segment first_segment;
};

constexpr SIZE_T kRegionOverhead = align_up(sizeof(Heap), kAlign) + kMinBlock + sizeof(Block);

// The live heaps of the host process: a handle is checked here before it is used.
struct Registry {
    std::shared_mutex lock;
    std::unordered_set<const void*> heaps;
};
Registry& registry() {
    static Registry instance;
    return instance;
}
bool is_heap(const void* handle) {
    Registry& r = registry();
    std::shared_lock guard(r.lock);
    return r.heaps.count(handle) != 0;
}

UCHAR* allocate_region(SIZE_T bytes) noexcept {
    return static_cast<UCHAR*>(::operator new(bytes, std::align_val_t{PAGE_SIZE}, std::nothrow));
}
void free_region(UCHAR* region) noexcept { ::operator delete(region, std::align_val_t{PAGE_SIZE}); }

FreeBlock* as_free(LIST_ENTRY* link) noexcept { return CONTAINING_RECORD(link, FreeBlock, link); }

void insert_free(Heap* heap, Block* block) noexcept {
    block->size_flags = block->size();
    InsertHeadList(&heap->free_list, &static_cast<FreeBlock*>(block)->link);
}

// Lays out [start, end) as one free block and the end sentinel.
void init_segment(Heap* heap, Segment* segment, UCHAR* start, UCHAR* end, bool owned) noexcept {
    segment->first = start;
    segment->end = end;
    segment->owned = owned;
    InsertTailList(&heap->segments, &segment->link);
    auto* block = reinterpret_cast<Block*>(start);
    block->size_flags = static_cast<SIZE_T>(end - start) - sizeof(Block);
    block->prev_size = 0;
    Block* sentinel = block->next();
    sentinel->size_flags = kBusy;
    sentinel->prev_size = block->size();
    insert_free(heap, block);
}

// Splits off what `block` holds beyond `need` (when a block can be made of it) and marks it busy.
void take(Heap* heap, Block* block, SIZE_T need) noexcept {
    RemoveEntryList(&static_cast<FreeBlock*>(block)->link);
    const SIZE_T size = block->size();
    if (size - need >= kMinBlock) {
        block->size_flags = need;
        Block* rest = block->next();
        rest->size_flags = size - need;
        rest->prev_size = need;
        rest->next()->prev_size = rest->size();
        insert_free(heap, rest);
    }
    block->size_flags |= kBusy;
}

Block* find_fit(Heap* heap, SIZE_T need) noexcept {
    for (LIST_ENTRY* e = heap->free_list.Flink; e != &heap->free_list; e = e->Flink)
        if (as_free(e)->size() >= need) return as_free(e);
    return nullptr;
}

// A growable heap's new segment: its header, then at least `need` bytes of blocks.
Block* grow(Heap* heap, SIZE_T need) noexcept {
    const SIZE_T header = align_up(sizeof(Segment), kAlign);
    if (need > static_cast<SIZE_T>(-1) / 2) return nullptr;
    const SIZE_T bytes = align_up(header + need + sizeof(Block), PAGE_SIZE);
    const SIZE_T size = bytes > heap->segment_bytes ? bytes : heap->segment_bytes;
    UCHAR* region = allocate_region(size);
    if (!region) return nullptr;
    auto* segment = reinterpret_cast<Segment*>(region);
    init_segment(heap, segment, region + header, region + size, true);
    return reinterpret_cast<Block*>(segment->first);
}

// The busy block whose data starts at `address`, if the heap handed it out; else NULL.
Block* owned_block(Heap* heap, PVOID address) noexcept {
    auto* p = static_cast<UCHAR*>(address);
    if (reinterpret_cast<ULONG_PTR>(p) % kAlign != 0) return nullptr;
    for (LIST_ENTRY* e = heap->segments.Flink; e != &heap->segments; e = e->Flink) {
        Segment* segment = CONTAINING_RECORD(e, Segment, link);
        if (p < segment->first + sizeof(Block) || p >= segment->end) continue;
        auto* block = reinterpret_cast<Block*>(p - sizeof(Block));
        const SIZE_T size = block->size();
        if (!block->busy() || size < kMinBlock || size % kAlign != 0 ||
            size > static_cast<SIZE_T>(segment->end - p) || block->next()->prev_size != size)
            return nullptr;
        if (block->prev_size != 0) {
            if (block->prev_size % kAlign != 0 ||
                block->prev_size > static_cast<SIZE_T>(reinterpret_cast<UCHAR*>(block) - segment->first) ||
                block->prev()->size() != block->prev_size)
                return nullptr;
        } else if (reinterpret_cast<UCHAR*>(block) != segment->first) {
            return nullptr;
        }
        return block;
    }
    return nullptr;
}

void release(Heap* heap, Block* block) noexcept {
    block->size_flags = block->size();
    Block* next = block->next();
    if (!next->busy()) {
        RemoveEntryList(&static_cast<FreeBlock*>(next)->link);
        block->size_flags += next->size();
    }
    if (block->prev_size != 0 && !block->prev()->busy()) {
        Block* prev = block->prev();
        RemoveEntryList(&static_cast<FreeBlock*>(prev)->link);
        prev->size_flags += block->size();
        block = prev;
    }
    block->next()->prev_size = block->size();
    insert_free(heap, block);
}

// Serializes one call unless the heap or the call says HEAP_NO_SERIALIZE.
class HeapGuard {
public:
    HeapGuard(Heap* heap, ULONG flags) noexcept
        : m_lock(((heap->flags | flags) & HEAP_NO_SERIALIZE) ? nullptr : heap->lock) {
        if (m_lock) {
            KeEnterCriticalRegion();
            ExAcquireResourceExclusiveLite(m_lock, TRUE);
        }
    }
    ~HeapGuard() {
        if (m_lock) {
            ExReleaseResourceLite(m_lock);
            KeLeaveCriticalRegion();
        }
    }
    HeapGuard(const HeapGuard&) = delete;
    HeapGuard& operator=(const HeapGuard&) = delete;

private:
    PERESOURCE m_lock;
};

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlcreateheap
// Sizes as Learn's table gives them for a heap ntio allocates; a heap over the caller's HeapBase
// block grows (with HEAP_GROWABLE) into segments ntio allocates. Guesses where Learn is silent (all
// NULL): a HeapBase that is not 16-byte aligned, a caller's block (ReserveSize, else CommitSize)
// too small to hold the heap's header and one block, a Lock together with HEAP_NO_SERIALIZE.
// NT deviation: Parameters (commit routine, thresholds) are ignored and the whole heap is
// committed at once; flags other than the three documented ones are ignored.
NTSYSAPI PVOID NTAPI RtlCreateHeap(ULONG Flags, PVOID HeapBase, SIZE_T ReserveSize, SIZE_T CommitSize,
                                   PVOID Lock, PRTL_HEAP_PARAMETERS Parameters) {
    (void)Parameters;
    if (Lock && (Flags & HEAP_NO_SERIALIZE)) return nullptr;
    const ULONG flags = Flags & (HEAP_GROWABLE | HEAP_NO_SERIALIZE | HEAP_GENERATE_EXCEPTIONS);
    SIZE_T bytes;
    UCHAR* region;
    if (HeapBase) {
        bytes = ReserveSize ? ReserveSize : CommitSize;
        if (reinterpret_cast<ULONG_PTR>(HeapBase) % kAlign != 0 || bytes < kRegionOverhead) return nullptr;
        bytes &= ~(kAlign - 1);
        region = static_cast<UCHAR*>(HeapBase);
    } else {
        if (ReserveSize) bytes = align_up(ReserveSize, PAGE_SIZE);
        else if (CommitSize) bytes = align_up(CommitSize, PAGE_SIZE * kCommitRoundPages);
        else bytes = PAGE_SIZE * kDefaultReservePages;
        if (bytes < kRegionOverhead) bytes = align_up(kRegionOverhead, PAGE_SIZE);
        region = allocate_region(bytes);
        if (!region) return nullptr;
    }
    auto* heap = new (region) Heap{};
    heap->flags = flags;
    heap->region_owned = HeapBase == nullptr;
    heap->segment_bytes = bytes < PAGE_SIZE * kDefaultReservePages ? PAGE_SIZE * kDefaultReservePages : bytes;
    InitializeListHead(&heap->free_list);
    InitializeListHead(&heap->segments);
    if (Lock) {
        heap->lock = static_cast<PERESOURCE>(Lock);
    } else if (!(flags & HEAP_NO_SERIALIZE)) {
        if (!NT_SUCCESS(ExInitializeResourceLite(&heap->own_lock))) {
            if (heap->region_owned) free_region(region);
            return nullptr;
        }
        heap->own_lock_initialized = true;
        heap->lock = &heap->own_lock;
    }
    init_segment(heap, &heap->first_segment, region + align_up(sizeof(Heap), kAlign), region + bytes, false);
    heap->signature = kSignature;
    Registry& r = registry();
    std::unique_lock guard(r.lock);
    r.heaps.insert(heap);
    return heap;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlallocateheap
// NULL when the heap cannot supply the block; with HEAP_GENERATE_EXCEPTIONS (the heap's or the
// call's) STATUS_NO_MEMORY is raised instead, and STATUS_ACCESS_VIOLATION for a handle that is no
// heap ("incorrect function parameters"). A Size of 0 gets a block of its own.
NTSYSAPI PVOID NTAPI RtlAllocateHeap(PVOID HeapHandle, ULONG Flags, SIZE_T Size) {
    if (!HeapHandle || !is_heap(HeapHandle)) {
        if (Flags & HEAP_GENERATE_EXCEPTIONS) ExRaiseStatus(STATUS_ACCESS_VIOLATION);
        return nullptr;
    }
    auto* heap = static_cast<Heap*>(HeapHandle);
    const bool raise = ((heap->flags | Flags) & HEAP_GENERATE_EXCEPTIONS) != 0;
    PVOID result = nullptr;
    if (Size <= static_cast<SIZE_T>(-1) / 2) {
        SIZE_T need = align_up(Size + sizeof(Block), kAlign);
        if (need < kMinBlock) need = kMinBlock;
        HeapGuard guard(heap, Flags);
        Block* block = find_fit(heap, need);
        if (!block && (heap->flags & HEAP_GROWABLE)) block = grow(heap, need);
        if (block) {
            take(heap, block, need);
            block->requested = Size;
            result = reinterpret_cast<UCHAR*>(block) + sizeof(Block);
        }
    }
    if (!result) {
        if (raise) ExRaiseStatus(STATUS_NO_MEMORY);
        return nullptr;
    }
    if (Flags & HEAP_ZERO_MEMORY) std::memset(result, 0, Size);
    return result;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlfreeheap
// TRUE when the block was freed. A NULL BaseAddress is TRUE with nothing done (as HeapFree treats
// it; Learn is silent); a bad handle, or an address the heap did not hand out or that was freed
// already, is FALSE and changes nothing.
NTSYSAPI LOGICAL NTAPI RtlFreeHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress) {
    if (!HeapHandle || !is_heap(HeapHandle)) return FALSE;
    if (!BaseAddress) return TRUE;
    auto* heap = static_cast<Heap*>(HeapHandle);
    HeapGuard guard(heap, Flags);
    Block* block = owned_block(heap, BaseAddress);
    if (!block) return FALSE;
    release(heap, block);
    return TRUE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtldestroyheap
// NULL once destroyed; a handle that is no heap is returned as it came. The segments ntio allocated
// are freed; a caller's HeapBase block (and a caller's Lock) stay the caller's.
NTSYSAPI PVOID NTAPI RtlDestroyHeap(PVOID HeapHandle) {
    {
        Registry& r = registry();
        std::unique_lock guard(r.lock);
        if (!HeapHandle || r.heaps.erase(HeapHandle) == 0) return HeapHandle;
    }
    auto* heap = static_cast<Heap*>(HeapHandle);
    heap->signature = 0;
    LIST_ENTRY* e = heap->segments.Flink;
    while (e != &heap->segments) {
        Segment* segment = CONTAINING_RECORD(e, Segment, link);
        e = e->Flink;
        if (segment->owned) free_region(reinterpret_cast<UCHAR*>(segment));
    }
    if (heap->own_lock_initialized) (void)ExDeleteResourceLite(&heap->own_lock);
    if (heap->region_owned) free_region(reinterpret_cast<UCHAR*>(heap));
    return nullptr;
}

// The size the block at BaseAddress was asked for, or (SIZE_T)-1 for a bad handle or an address the
// heap did not hand out (HeapSize: "If the function fails, the return value is (SIZE_T)-1").
NTSYSAPI SIZE_T NTAPI RtlSizeHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress) {
    if (!HeapHandle || !is_heap(HeapHandle) || !BaseAddress) return static_cast<SIZE_T>(-1);
    auto* heap = static_cast<Heap*>(HeapHandle);
    HeapGuard guard(heap, Flags);
    Block* block = owned_block(heap, BaseAddress);
    return block ? block->requested : static_cast<SIZE_T>(-1);
}

// The block resized: in place when it shrinks or the free block after it makes room, else (unless
// HEAP_REALLOC_IN_PLACE_ONLY) moved to a new block with its contents. HEAP_ZERO_MEMORY zeroes the
// part beyond the old size. NULL when it cannot be done (the block stays as it was), raising
// STATUS_NO_MEMORY instead with HEAP_GENERATE_EXCEPTIONS.
// https://learn.microsoft.com/windows/win32/api/heapapi/nf-heapapi-heaprealloc
NTSYSAPI PVOID NTAPI RtlReAllocateHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress, SIZE_T Size) {
    if (!HeapHandle || !is_heap(HeapHandle)) {
        if (Flags & HEAP_GENERATE_EXCEPTIONS) ExRaiseStatus(STATUS_ACCESS_VIOLATION);
        return nullptr;
    }
    auto* heap = static_cast<Heap*>(HeapHandle);
    const bool raise = ((heap->flags | Flags) & HEAP_GENERATE_EXCEPTIONS) != 0;
    if (!BaseAddress || Size > static_cast<SIZE_T>(-1) / 2) {
        if (raise) ExRaiseStatus(BaseAddress ? STATUS_NO_MEMORY : STATUS_ACCESS_VIOLATION);
        return nullptr;
    }
    SIZE_T need = align_up(Size + sizeof(Block), kAlign);
    if (need < kMinBlock) need = kMinBlock;
    SIZE_T old_size = 0;
    bool bad_block = false;
    bool resized = false;
    {
        HeapGuard guard(heap, Flags);
        Block* block = owned_block(heap, BaseAddress);
        Block* next = block ? block->next() : nullptr;
        const SIZE_T room = block ? block->size() + (next->busy() ? 0 : next->size()) : 0;
        if (!block) {
            bad_block = true;  // raised below, once the lock is released
        } else if (room >= need) {
            old_size = block->requested;
            if (!next->busy() && block->size() < need) {
                // Take the free block after it, then give back what is left over.
                RemoveEntryList(&static_cast<FreeBlock*>(next)->link);
                block->size_flags = room | kBusy;
                block->next()->prev_size = room;
            }
            if (block->size() - need >= kMinBlock) {
                const SIZE_T rest_size = block->size() - need;
                block->size_flags = need | kBusy;
                Block* rest = block->next();
                rest->size_flags = rest_size | kBusy;
                rest->prev_size = need;
                rest->next()->prev_size = rest_size;
                release(heap, rest);
            }
            block->requested = Size;
            resized = true;
        } else {
            old_size = block->requested;
        }
    }
    if (bad_block) {
        if (raise) ExRaiseStatus(STATUS_ACCESS_VIOLATION);
        return nullptr;
    }
    if (resized) {
        if ((Flags & HEAP_ZERO_MEMORY) && Size > old_size)
            std::memset(static_cast<UCHAR*>(BaseAddress) + old_size, 0, Size - old_size);
        return BaseAddress;
    }
    if (Flags & HEAP_REALLOC_IN_PLACE_ONLY) {
        if (raise) ExRaiseStatus(STATUS_NO_MEMORY);
        return nullptr;
    }
    PVOID moved = RtlAllocateHeap(HeapHandle, Flags & ~HEAP_ZERO_MEMORY, Size);
    if (!moved) return nullptr;  // RtlAllocateHeap raised already when it should
    std::memcpy(moved, BaseAddress, old_size < Size ? old_size : Size);
    if ((Flags & HEAP_ZERO_MEMORY) && Size > old_size) std::memset(static_cast<UCHAR*>(moved) + old_size, 0, Size - old_size);
    (void)RtlFreeHeap(HeapHandle, Flags, BaseAddress);
    return moved;
}

}  // extern "C"

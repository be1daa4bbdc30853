// IRP allocation: IoAllocateIrp, IoAllocateIrpEx, IoInitializeIrp, IoReuseIrp, IoFreeIrp. IRPs come
// from per-thread caches (one free list per stack-count class, no malloc in steady state, gate A6);
// a hidden 32-byte prefix before each IRP names its cache, and an IRP freed on another thread goes
// back to its owner through a lock-free stack the owner empties with one exchange.
#include "io/irp.hpp"
#include "io/irp_block.hpp"

#include <array>

#include "io/io_manager.hpp"
#include "verifier/fast_hooks.hpp"
#include "verifier/special_pool.hpp"
#include "verifier/verifier.hpp"
#include "ntio/system.hpp"
#include <ntio/ntio.h>

namespace ntio::io {
namespace {

constexpr std::uint8_t kClassStacks[] = {2, 4, 8, 16, 32};
constexpr std::size_t kClassCount = sizeof(kClassStacks);
constexpr std::uint8_t kPoolClass = 0xFF;
constexpr std::uint8_t kSpecialPoolClass = 0xFE;  // the verifier's special pool (no cache either)
// The smallest class holding n stack locations, for n up to the largest class.
constexpr auto kClassOf = [] {
    std::array<std::uint8_t, 33> table{};
    for (std::size_t n = 0; n < table.size(); ++n) {
        table[n] = kPoolClass;
        for (std::uint8_t i = 0; i < kClassCount; ++i) {
            if (n <= kClassStacks[i]) {
                table[n] = i;
                break;
            }
        }
    }
    return table;
}();
static_assert(kClassStacks[kClassCount - 1] + 1 == kClassOf.size());
constexpr std::size_t kMaxCachedPerClass = 1024;
constexpr ULONG kPoolTag = ' prI';  // "Irp " in memory

struct SizeClass {
    IrpBlock* local = nullptr;  // owner only
    std::size_t depth = 0;
    std::atomic<IrpBlock*> remote{nullptr};  // pushed by other threads, taken whole by the owner
};

}  // namespace

// Caches are recycled (a dying thread's cache goes to the orphan list for the next new thread),
// never freed, so a late remote free always lands in live memory.
struct IrpCache {
    SizeClass classes[kClassCount];
};

namespace {

std::mutex g_orphan_lock;
std::vector<IrpCache*>* g_orphans = nullptr;  // guarded by g_orphan_lock; never destroyed

thread_local IrpCache* t_cache = nullptr;
// Set once the thread's cache went to the orphans: a thread that still allocates IRPs after that
// (its exit rundown completes IRPs, and a last file reference sends CLOSE) takes them from pool,
// since a cache it picked up now would never be orphaned again and would leak with its IRPs.
thread_local bool t_cache_closed = false;

struct CacheHolder {
    ~CacheHolder() {
        t_cache_closed = true;
        IrpCache* cache = t_cache;
        t_cache = nullptr;
        if (!cache) return;
        std::lock_guard guard(g_orphan_lock);
        if (!g_orphans) g_orphans = new std::vector<IrpCache*>();
        g_orphans->push_back(cache);
    }
};
thread_local CacheHolder t_holder;

// The first IRP of a thread: an orphaned cache adopted, else a new one.
[[gnu::noinline]] IrpCache* thread_cache_slow() noexcept {
    if (t_cache_closed) return nullptr;
    IrpCache* cache = nullptr;
    {
        std::lock_guard guard(g_orphan_lock);
        if (g_orphans && !g_orphans->empty()) {
            cache = g_orphans->back();
            g_orphans->pop_back();
        }
    }
    if (!cache) cache = new (std::nothrow) IrpCache();
    if (!cache) return nullptr;
    t_cache = cache;
    (void)&t_holder;  // registers the destructor that orphans the cache at thread exit
    return cache;
}

[[gnu::always_inline]] inline IrpCache* thread_cache() noexcept {
    if (IrpCache* cache = t_cache) [[likely]] return cache;
    return thread_cache_slow();
}

std::size_t block_bytes(std::size_t stacks) noexcept {
    return sizeof(IrpBlock) + sizeof(IRP) + stacks * sizeof(IO_STACK_LOCATION);
}

PIRP irp_of(IrpBlock* block) noexcept { return reinterpret_cast<PIRP>(block + 1); }

void host_free(IrpBlock* block) noexcept { ::operator delete(block, std::align_val_t{16}); }

// An empty local list: the remote frees taken whole, else fresh memory.
[[gnu::noinline]] IrpBlock* take_from_cache_slow(IrpCache* cache, std::uint8_t klass) noexcept {
    SizeClass& sc = cache->classes[klass];
    IrpBlock* remote = sc.remote.exchange(nullptr, std::memory_order_acquire);
    while (remote) {
        IrpBlock* next = remote->next;
        if (sc.depth < kMaxCachedPerClass) {
            remote->next = sc.local;
            sc.local = remote;
            ++sc.depth;
        } else {
            host_free(remote);
        }
        remote = next;
    }
    if (IrpBlock* block = sc.local) {
        sc.local = block->next;
        --sc.depth;
        return block;
    }
    void* memory = ::operator new(block_bytes(kClassStacks[klass]), std::align_val_t{16}, std::nothrow);
    if (!memory) return nullptr;
    auto* block = static_cast<IrpBlock*>(memory);
    block->cache = cache;
    block->size_class = klass;
    return block;
}

[[gnu::always_inline]] inline IrpBlock* take_from_cache(IrpCache* cache, std::uint8_t klass) noexcept {
    SizeClass& sc = cache->classes[klass];
    if (IrpBlock* block = sc.local) [[likely]] {
        sc.local = block->next;
        --sc.depth;
        return block;
    }
    return take_from_cache_slow(cache, klass);
}

void return_to_cache(IrpBlock* block) noexcept {
    IrpCache* owner = block->cache;
    SizeClass& sc = owner->classes[block->size_class];
    if (owner == t_cache) {
        if (sc.depth >= kMaxCachedPerClass) {
            host_free(block);
            return;
        }
        block->next = sc.local;
        sc.local = block;
        ++sc.depth;
        return;
    }
    IrpBlock* head = sc.remote.load(std::memory_order_relaxed);
    do {
        block->next = head;
    } while (!sc.remote.compare_exchange_weak(head, block, std::memory_order_release, std::memory_order_relaxed));
}

void initialize_irp(PIRP irp, USHORT packet_size, CCHAR stack_size) noexcept {
    std::memset(irp, 0, packet_size);
    irp->Type = IO_TYPE_IRP;
    irp->Size = packet_size;
    irp->StackCount = stack_size;
    irp->CurrentLocation = static_cast<CHAR>(stack_size + 1);
    irp->ApcEnvironment = 0;  // OriginalApcEnvironment: ntio threads never attach APC states
    InitializeListHead(&irp->ThreadListEntry);
    irp->Tail.Overlay.CurrentStackLocation = reinterpret_cast<PIO_STACK_LOCATION>(irp + 1) + stack_size;
}

// Reason codes in P2 of the MULTIPLE_IRP_COMPLETE_REQUESTS bugchecks raised here (NT puts a source
// line there; ours are stable numbers tests can assert).
constexpr ULONG_PTR kFreeOfFreedIrp = 0x1;

}  // namespace


IoManager* irp_io_manager(PIRP irp) noexcept {
    if (!(irp->AllocationFlags & IRP_ALLOCATED_FIXED_SIZE) || !irp_from_allocator(irp)) return nullptr;
    return block_of(irp)->io;
}

namespace {

// IoAllocateIrp(Ex) with ChargeQuota TRUE: "TRUE if quota is to be charged against the current
// thread" (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioallocateirp). The
// block comes from nonpaged pool with quota, so the current thread's process is charged its size and
// IoFreeIrp's pool free gives the charge back, from whatever process frees it. NULL when the charge
// would pass the process's limit (the page's "NULL if an IRP could not be allocated"). The system
// process is not charged, as for every quota allocation: IRP_QUOTA_CHARGED then stays clear.
[[gnu::cold, gnu::noinline]] IrpBlock* allocate_charged_block(std::size_t stacks) noexcept {
    auto* block = static_cast<IrpBlock*>(ExAllocatePoolWithQuotaTag(
        static_cast<POOL_TYPE>(NonPagedPoolNx | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE), block_bytes(stacks), kPoolTag));
    if (!block) return nullptr;
    block->cache = nullptr;
    block->size_class = kPoolClass;
    BOOLEAN charged = FALSE;
    (void)ExQueryPoolBlockSize(block, &charged);
    block->quota_flags = charged ? IRP_QUOTA_CHARGED : 0;
    return block;
}

[[gnu::always_inline]] inline IrpBlock* allocate_block(std::size_t stacks, bool charge_quota) noexcept {
    if (charge_quota) [[unlikely]] return allocate_charged_block(stacks);
    IrpBlock* block = nullptr;
    const std::uint8_t klass = stacks < kClassOf.size() ? kClassOf[stacks] : kPoolClass;
    IrpCache* cache = klass != kPoolClass ? thread_cache() : nullptr;
    if (cache) {
        block = take_from_cache(cache, klass);
    } else {
        block = static_cast<IrpBlock*>(ExAllocatePoolWithTag(NonPagedPoolNx, block_bytes(stacks), kPoolTag));
        if (block) {
            block->cache = nullptr;
            block->size_class = kPoolClass;
        }
    }
    return block;
}

[[gnu::always_inline]] inline PIRP finish_irp(IrpBlock* block, CCHAR stack_size, bool charge_quota) noexcept {
    System* system = current_system();
    block->io = system ? &system->io() : nullptr;
    block->final_word = nullptr;
    block->priority_hint = 0;
    block->built = 0;
    block->magic = kBlockMagic;
    PIRP irp = irp_of(block);
    initialize_irp(irp, IoSizeOfIrp(stack_size), stack_size);
    // NT facts A1, A2: FIXED_SIZE always; LOOKASIDE_ALLOCATION only when quota is charged (and
    // QUOTA_CHARGED when a process was: allocate_charged_block).
    irp->AllocationFlags = IRP_ALLOCATED_FIXED_SIZE;
    if (charge_quota) irp->AllocationFlags |= IRP_LOOKASIDE_ALLOCATION | block->quota_flags;
    if (block->io) block->io->irp_allocated();
    return irp;
}

// While the verifier is active: low-resources simulation, the special pool for the IRPs of drivers
// verified with it (never cached: IoFreeIrp gives them back to the special pool), pool tracking.
[[gnu::cold, gnu::noinline]] PIRP allocate_irp_verified(PDEVICE_OBJECT target, CCHAR stack_size,
                                                        bool charge_quota) noexcept {
    if (ntio::verifier::inject_allocation_failure()) return nullptr;
    const auto stacks = static_cast<std::size_t>(stack_size);
    // A quota-charged IRP comes from the charging pool, not the special pool.
    auto* block = charge_quota ? nullptr
                               : static_cast<IrpBlock*>(ntio::verifier::special_pool_allocate_irp(target, block_bytes(stacks)));
    if (block) {
        block->cache = nullptr;
        block->size_class = kSpecialPoolClass;
    } else {
        block = allocate_block(stacks, charge_quota);
    }
    if (!block) return nullptr;
    PIRP irp = finish_irp(block, stack_size, charge_quota);
    ntio::verifier::on_allocate_irp(irp);
    return irp;
}

// The I/O manager's cache, then its IRP set up.
[[gnu::always_inline]] inline PIRP allocate_irp_plain(CCHAR stack_size, bool charge_quota) noexcept {
    IrpBlock* block = allocate_block(static_cast<std::size_t>(stack_size), charge_quota);
    if (!block) return nullptr;
    return finish_irp(block, stack_size, charge_quota);
}

// While the verifier is active and has something to do here: a verified driver's IRP
// (allocate_irp_verified), else the I/O manager's with the log's record.
[[gnu::noinline]] PIRP allocate_irp_active(PDEVICE_OBJECT target, CCHAR stack_size, bool charge_quota) noexcept {
    if (ntio::verifier::irp_allocation_hooked(target)) return allocate_irp_verified(target, stack_size, charge_quota);
    PIRP irp = allocate_irp_plain(stack_size, charge_quota);
    if (irp) ntio::verifier::log_alloc(irp);
    return irp;
}

// target: the device the IRP is for, when the caller says (IoAllocateIrpEx). One test of the
// verifier's flag on the usual path; while it is active, an IRP nothing verifies or logs takes the
// usual path too.
[[gnu::always_inline]] inline PIRP allocate_irp_for(PDEVICE_OBJECT target, CCHAR stack_size, bool charge_quota) noexcept {
    if (stack_size < 1) return nullptr;
    if (ntio::verifier::hooks_on()) [[unlikely]] {
        if (ntio::verifier::irp_allocation_hooked(target) || ntio::verifier::alloc_logged())
            return allocate_irp_active(target, stack_size, charge_quota);
    }
    return allocate_irp_plain(stack_size, charge_quota);
}

}  // namespace

PIRP allocate_irp(CCHAR stack_size, bool charge_quota) noexcept { return allocate_irp_for(nullptr, stack_size, charge_quota); }

}  // namespace ntio::io

using namespace ntio::io;

extern "C" {

PIRP NTAPI IoAllocateIrp(CCHAR StackSize, BOOLEAN ChargeQuota) { return allocate_irp(StackSize, ChargeQuota != FALSE); }

// The IRP extension of IoAllocateIrpEx is private to the I/O manager (per-IRP activity id and
// priority data); ntio keeps none, so the IRP is the one IoAllocateIrp gives (from the special pool
// when DeviceObject's driver is verified with it).
PIRP NTAPI IoAllocateIrpEx(PDEVICE_OBJECT DeviceObject, CCHAR StackSize, BOOLEAN ChargeQuota) {
    return allocate_irp_for(DeviceObject, StackSize, ChargeQuota != FALSE);
}

// NT fact A3. The IRP is not from IoAllocateIrp afterwards (AllocationFlags 0): IoFreeIrp refuses it.
VOID NTAPI IoInitializeIrp(PIRP Irp, USHORT PacketSize, CCHAR StackSize) {
    const bool verifier = ntio::verifier::active();
    if (verifier) [[unlikely]] ntio::verifier::on_initialize_irp(Irp, false);
    initialize_irp(Irp, PacketSize, StackSize);  // AllocationFlags 0: no priority hint is read from here on
    if (verifier) [[unlikely]] ntio::verifier::on_initialized_irp(Irp);
}

// NT fact A5: reinitialized, AllocationFlags kept, IoStatus.Status = Iostatus.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioreuseirp
VOID NTAPI IoReuseIrp(PIRP Irp, NTSTATUS Iostatus) {
    if (ntio::verifier::active()) [[unlikely]] ntio::verifier::on_initialize_irp(Irp, true);
    if (Irp->CancelRoutine) KeBugCheckEx(CANCEL_STATE_IN_COMPLETED_IRP, reinterpret_cast<ULONG_PTR>(Irp),
                                         reinterpret_cast<ULONG_PTR>(Irp->CancelRoutine), 0, 0);
    const UCHAR flags = Irp->AllocationFlags;
    initialize_irp(Irp, Irp->Size, Irp->StackCount);
    Irp->AllocationFlags = flags;
    if (allocated_irp(Irp)) block_of(Irp)->priority_hint = 0;
    Irp->IoStatus.Status = Iostatus;
}

// IoFreeIrp: a freed (or never allocated) IRP bugchecks MULTIPLE_IRP_COMPLETE_REQUESTS (P1 = IRP),
// as NT's IoFreeIrp does for an IRP whose Type is no longer IO_TYPE_IRP; memory that IoAllocateIrp
// did not hand out bugchecks BAD_POOL_CALLER 0x46 (what NT's ExFreePool of a non-pool address
// raises, https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc2--bad-pool-caller);
// an IRP still on a thread's IRP list is DRIVER_VERIFIER_IOMANAGER_VIOLATION (0xC9, 0x02, IRP): "the
// driver attempted to free an IRP that is still associated with a thread"
// (https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc9--driver-verifier-iomanager-violation).
// NT deviation: NT raises that one only under Driver Verifier; ntio always checks it. A caller verified
// with I/O verification gets the verifier's codes instead (lifetime_rules.cpp): 0xC9 0x01 for the
// non-IRP, 0x20C for the thread's IRP at Level 2.
VOID NTAPI IoFreeIrp(PIRP Irp) {
    if (ntio::verifier::hooks_on()) [[unlikely]] ntio::verifier::free_irp_hook(Irp);
    const auto p1 = reinterpret_cast<ULONG_PTR>(Irp);
    if (Irp->Type != IO_TYPE_IRP) [[unlikely]] {
        if (ntio::verifier::active()) ntio::verifier::on_free_of_non_irp(Irp);
        KeBugCheckEx(MULTIPLE_IRP_COMPLETE_REQUESTS, p1, kFreeOfFreedIrp, 0, 0);
    }
    if (!(Irp->AllocationFlags & IRP_ALLOCATED_FIXED_SIZE) || !irp_from_allocator(Irp))
        KeBugCheckEx(BAD_POOL_CALLER, 0x46, p1, 0, 0);
    if (Irp->ThreadListEntry.Flink != &Irp->ThreadListEntry) [[unlikely]] {
        if (ntio::verifier::active()) ntio::verifier::on_free_of_thread_irp(Irp);
        KeBugCheckEx(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x02, p1, 0, 0);
    }
    IrpBlock* block = block_of(Irp);
    Irp->Type = kFreedIrpType;
    IoManager* io = block->io;
    block->io = nullptr;
    if (io) io->irp_freed();
    if (!block->cache) {
        block->magic = 0;
        if (block->size_class == kSpecialPoolClass)
            ntio::verifier::special_pool_free(block, Irp);
        else
            ExFreePoolWithTag(block, kPoolTag);
        return;
    }
    return_to_cache(block);
}

SIZE_T NtioIrpCount(VOID) {
    ntio::System* system = current_system();
    return system ? system->io().irp_count() : 0;
}

SIZE_T NtioMdlCount(VOID) {
    ntio::System* system = current_system();
    return system ? system->io().mdl_count() : 0;
}

}  // extern "C"

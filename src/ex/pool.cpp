// Executive pool over the host heap. Each block carries a 32-byte header (size, tag, type, slot,
// magic) right before the caller's bytes, so frees with the wrong tag, double frees and foreign
// pointers bugcheck with BAD_POOL_CALLER and the parameters Microsoft documents
// (learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc2--bad-pool-caller).
// Freed blocks wait in a small per-thread quarantine before going back to the host heap, so a
// double free of a recent block is always recognised and use after free hits poisoned memory
// under AddressSanitizer. A block allocated with quota charges the process it was allocated in, and
// holds a reference on it, until it is freed (from whatever process context).
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <wdm.h>

#include "ex/pool.hpp"
#include "ex/pool_tags.hpp"
#include "ob/process.hpp"
#include "verifier/verifier.hpp"


#if defined(__SANITIZE_ADDRESS__)
#define NTIO_EX_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NTIO_EX_ASAN 1
#endif
#endif
#ifdef NTIO_EX_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace ntio::ex {
namespace {

constexpr std::uint64_t kLiveMagic = 0x4C6F6F50656B694CULL;   // arbitrary, mixed with the address
constexpr std::uint64_t kFreedMagic = 0x6565724665657246ULL;
constexpr std::uint32_t kProtectedPoolBit = 0x80000000u;
constexpr std::uint32_t kQuotaCharged = 1;
constexpr std::size_t kHeaderSize = 32;
// A quota-charged block keeps the process it charged in the 8 bytes below its header: the prefix
// of a small block grows to 48 (alignment kept); cache-aligned and page-aligned prefixes have room.
constexpr std::size_t kQuotaPrefix = 48;
constexpr std::size_t kCacheLine = 64;

// Lies immediately below the caller's pointer. The host allocator may overwrite the first 16
// bytes of a freed chunk, so everything a double-free check needs sits in the last 16.
struct PoolHeader {
    std::uint64_t size;        // bytes requested
    std::uint32_t raw_offset;  // caller pointer minus host allocation
    std::uint32_t flags;       // kQuotaCharged
    std::uint32_t tag;
    std::uint16_t pool_type;   // POOL_TYPE as passed, modifiers included
    std::uint16_t slot;        // pool_tags slot
    std::uint64_t magic;       // kLiveMagic or kFreedMagic, XOR the caller pointer
};
static_assert(sizeof(PoolHeader) == kHeaderSize);

PoolHeader* header_of(void* p) noexcept { return reinterpret_cast<PoolHeader*>(static_cast<char*>(p) - kHeaderSize); }

PEPROCESS* charged_process_slot(void* p) noexcept {
    return reinterpret_cast<PEPROCESS*>(static_cast<char*>(p) - kHeaderSize - sizeof(PEPROCESS));
}

std::uint64_t live_magic(const void* p) noexcept { return kLiveMagic ^ reinterpret_cast<std::uintptr_t>(p); }
std::uint64_t freed_magic(const void* p) noexcept { return kFreedMagic ^ reinterpret_cast<std::uintptr_t>(p); }

std::uint64_t load_magic(PoolHeader* h) noexcept {
    return std::atomic_ref<std::uint64_t>(h->magic).load(std::memory_order_acquire);
}
void store_magic(PoolHeader* h, std::uint64_t value) noexcept {
    std::atomic_ref<std::uint64_t>(h->magic).store(value, std::memory_order_release);
}

bool is_paged(ULONG pool_type) noexcept { return (pool_type & 1) != 0; }
bool is_cache_aligned(ULONG pool_type) noexcept { return (pool_type & 4) != 0; }
bool is_must_succeed(ULONG pool_type) noexcept { return (pool_type & 2) != 0 && (pool_type & 0x1f) < MaxPoolType; }

bool tag_has_letter_or_digit(ULONG tag) noexcept {
    for (int i = 0; i < 4; ++i) {
        const unsigned c = (tag >> (8 * i)) & 0xff;
        if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) return true;
    }
    return false;
}

void check_allocate_irql(ULONG pool_type, SIZE_T bytes) {
    const KIRQL irql = KeGetCurrentIrql();
    if (irql > DISPATCH_LEVEL || (is_paged(pool_type) && irql > APC_LEVEL)) {
        KeBugCheckEx(BAD_POOL_CALLER, 0x08, irql, pool_type, bytes);
    }
}

// Set when this thread's quarantine was flushed at thread exit. The thread's own termination
// (its ntio rundown runs in a later thread-local destructor) may still free pool: those blocks go
// straight back to the host heap instead of into a quarantine nobody will flush again.
thread_local bool t_quarantine_closed = false;

// Blocks freed by this thread, not yet returned to the host heap.
class Quarantine {
public:
    ~Quarantine() {
        t_quarantine_closed = true;
        flush();
    }

    void park(void* raw, void* user, std::size_t bytes) noexcept {
        if (m_count == kCapacity || m_bytes + bytes > kMaxBytes) evict_oldest();
        if (bytes > kMaxBytes || t_quarantine_closed) {
            release(raw, user, bytes);
            return;
        }
#ifdef NTIO_EX_ASAN
        ASAN_POISON_MEMORY_REGION(user, bytes);
#endif
        const std::size_t slot = (m_first + m_count) % kCapacity;
        m_entries[slot] = {raw, user, bytes};
        ++m_count;
        m_bytes += bytes;
    }

    void flush() noexcept {
        while (m_count != 0) evict_oldest();
    }

private:
    static constexpr std::size_t kCapacity = 64;
    static constexpr std::size_t kMaxBytes = 256 * 1024;
    struct Entry {
        void* raw;
        void* user;
        std::size_t bytes;
    };

    static void release(void* raw, void* user, std::size_t bytes) noexcept {
#ifdef NTIO_EX_ASAN
        ASAN_UNPOISON_MEMORY_REGION(user, bytes);
#else
        (void)user;
        (void)bytes;
#endif
        std::free(raw);
    }

    void evict_oldest() noexcept {
        if (m_count == 0) return;
        Entry& e = m_entries[m_first];
        release(e.raw, e.user, e.bytes);
        m_bytes -= e.bytes;
        m_first = (m_first + 1) % kCapacity;
        --m_count;
    }

    Entry m_entries[kCapacity]{};
    std::size_t m_first = 0;
    std::size_t m_count = 0;
    std::size_t m_bytes = 0;
};

thread_local Quarantine t_quarantine;

// What a block of `bytes` charges: its size as ExQueryPoolBlockSize reports it (saturating).
SIZE_T quota_amount(SIZE_T bytes) noexcept {
    if (bytes > SIZE_MAX - (MEMORY_ALLOCATION_ALIGNMENT - 1)) return SIZE_MAX;
    return (bytes + MEMORY_ALLOCATION_ALIGNMENT - 1) & ~static_cast<SIZE_T>(MEMORY_ALLOCATION_ALIGNMENT - 1);
}

// Charges the calling process for a block about to be allocated with quota. False, charging
// nothing, when it would pass the process's limit. *charged is the process charged, referenced for
// the block, or null when nothing is counted: the system process is not charged, as on Windows
// ("charging quota against the current process",
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exallocatepoolwithquotatag).
[[gnu::noinline]] bool charge_current_process(ULONG pool_type, SIZE_T bytes, PEPROCESS* charged) noexcept {
    *charged = nullptr;
    PEPROCESS process = ob::current_process();
    if (!process || process->m_is_system) return true;
    if (!ob::charge_pool_quota(process, is_paged(pool_type), quota_amount(bytes))) return false;
    ObReferenceObject(process);
    *charged = process;
    return true;
}

// Gives a block's charge back to `process` and drops the block's reference on it. A process that
// ended while the block was outstanding is deleted here at the latest: on a worker thread when the
// caller runs above APC_LEVEL.
[[gnu::noinline]] void release_charge(PEPROCESS process, ULONG pool_type, SIZE_T bytes) noexcept {
    (void)ob::return_pool_quota(process, is_paged(pool_type), quota_amount(bytes));
    if (KeGetCurrentIrql() > APC_LEVEL) ObDereferenceObjectDeferDelete(process);
    else ObDereferenceObject(process);
}

// The common allocator. `pool_type` keeps the caller's modifiers for the header; `charged` is the
// process the block was charged to (its reference passes to the block), or null. Returns nullptr
// when the host heap is exhausted (callers decide whether to raise, and give back the charge).
void* allocate_block(ULONG pool_type, SIZE_T bytes, ULONG tag, bool zero, PEPROCESS charged) noexcept {
    // "If NumberOfBytes is PAGE_SIZE or greater, a page-aligned buffer is allocated"
    // (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exallocatepoolwithtag):
    // the header then sits at the end of a page of its own before the block.
    const bool page_aligned = bytes >= PAGE_SIZE;
    const std::size_t alignment =
        page_aligned ? PAGE_SIZE : is_cache_aligned(pool_type) ? kCacheLine : MEMORY_ALLOCATION_ALIGNMENT;
    const std::size_t prefix = page_aligned                  ? PAGE_SIZE
                               : is_cache_aligned(pool_type) ? kCacheLine
                               : charged                     ? kQuotaPrefix
                                                             : kHeaderSize;
    if (bytes > SIZE_MAX / 2) return nullptr;
    if (verifier::hooks_on() && verifier::inject_allocation_failure()) [[unlikely]] return nullptr;
    const std::size_t total = prefix + bytes;
    void* raw = alignment > alignof(std::max_align_t)
                    ? std::aligned_alloc(alignment, (total + alignment - 1) & ~(alignment - 1))
                    : std::malloc(total);
    if (!raw) return nullptr;
    char* user = static_cast<char*>(raw) + prefix;
    if (zero) std::memset(user, 0, bytes);
    PoolHeader* h = header_of(user);
    h->size = bytes;
    h->raw_offset = static_cast<std::uint32_t>(prefix);
    h->flags = charged ? kQuotaCharged : 0;
    if (charged) [[unlikely]] *charged_process_slot(user) = charged;
    h->tag = tag;
    h->pool_type = static_cast<std::uint16_t>(pool_type);
    h->slot = pool_tags::slot_for(tag & ~kProtectedPoolBit, is_paged(pool_type));
    store_magic(h, live_magic(user));
    pool_tags::on_allocate(h->slot, bytes);
    if (verifier::hooks_on()) [[unlikely]] verifier::on_pool_allocate(user, bytes, tag);
    return user;
}

// True when the 32 bytes below `p` may be read: always outside sanitizer builds (the pool would
// fault on Windows too), and only when unpoisoned under AddressSanitizer.
bool header_readable(void* p) noexcept {
#ifdef NTIO_EX_ASAN
    return __asan_region_is_poisoned(static_cast<char*>(p) - kHeaderSize, kHeaderSize) == nullptr;
#else
    (void)p;
    return true;
#endif
}

// Validates `p` for a free or a query; bugchecks on anything pool did not hand out or already took
// back. Returns the live header.
PoolHeader* checked_header(void* p) {
    const auto address = reinterpret_cast<std::uintptr_t>(p);
    if (p == nullptr || (address & (MEMORY_ALLOCATION_ALIGNMENT - 1)) != 0 || address < 0x10000) {
        KeBugCheckEx(BAD_POOL_CALLER, 0x46, address, 0, 0);
    }
    if (!header_readable(p)) KeBugCheckEx(BAD_POOL_CALLER, 0x99, address, 0, 0);
    PoolHeader* h = header_of(p);
    const std::uint64_t magic = load_magic(h);
    if (magic == freed_magic(p)) KeBugCheckEx(BAD_POOL_CALLER, 0x07, 0, magic, address);
    if (magic != live_magic(p)) KeBugCheckEx(BAD_POOL_CALLER, 0x99, address, 0, 0);
    return h;
}

void free_block(void* p, ULONG tag) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ExFreePool, reinterpret_cast<ULONG_PTR>(p));
    PoolHeader* h = checked_header(p);
    const KIRQL irql = KeGetCurrentIrql();
    if (irql > DISPATCH_LEVEL || (is_paged(h->pool_type) && irql > APC_LEVEL)) {
        KeBugCheckEx(BAD_POOL_CALLER, 0x09, irql, h->pool_type, reinterpret_cast<ULONG_PTR>(p));
    }
    if (tag != 0 && (tag & ~kProtectedPoolBit) != (h->tag & ~kProtectedPoolBit)) {
        KeBugCheckEx(BAD_POOL_CALLER, 0x0A, reinterpret_cast<ULONG_PTR>(p), h->tag, tag);
    }
    // The exchange makes two racing frees of one block end in exactly one bugcheck.
    std::uint64_t expected = live_magic(p);
    if (!std::atomic_ref<std::uint64_t>(h->magic).compare_exchange_strong(expected, freed_magic(p),
                                                                          std::memory_order_acq_rel)) {
        KeBugCheckEx(BAD_POOL_CALLER, 0x07, 0, expected, reinterpret_cast<ULONG_PTR>(p));
    }
    const std::size_t bytes = h->size;
    if (h->flags & kQuotaCharged) [[unlikely]] release_charge(*charged_process_slot(p), h->pool_type, bytes);
    if (verifier::hooks_on()) [[unlikely]] verifier::on_pool_free(p);
    pool_tags::on_free(h->slot, bytes);
    t_quarantine.park(static_cast<char*>(p) - h->raw_offset, p, bytes);
}

[[noreturn]] void raise_insufficient_resources() { ExRaiseStatus(STATUS_INSUFFICIENT_RESOURCES); }
[[noreturn]] void raise_quota_exceeded() { ExRaiseStatus(STATUS_QUOTA_EXCEEDED); }

// The quota-charging allocators' common path: charge, allocate, give the charge back when the
// allocation fails. Null with *over_quota set when the charge would pass the limit.
void* allocate_charged(ULONG pool_type, SIZE_T bytes, ULONG tag, bool zero, bool* over_quota) noexcept {
    PEPROCESS charged = nullptr;
    *over_quota = !charge_current_process(pool_type, bytes, &charged);
    if (*over_quota) return nullptr;
    void* p = allocate_block(pool_type, bytes, tag, zero, charged);
    if (!p && charged) release_charge(charged, pool_type, bytes);
    return p;
}

// ExAllocatePoolWithTag and the routines built on it.
void* allocate_typed(POOL_TYPE pool_type, SIZE_T bytes, ULONG tag, bool zero, bool quota, void* caller) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ExAllocatePool, static_cast<ULONG_PTR>(pool_type), bytes);
    const ULONG type = static_cast<ULONG>(pool_type);
    check_allocate_irql(type, bytes);
    if (is_must_succeed(type)) KeBugCheckEx(BAD_POOL_CALLER, 0x9A, type, bytes, tag);
    if (tag == 0) KeBugCheckEx(BAD_POOL_CALLER, 0x9B, type, bytes, reinterpret_cast<ULONG_PTR>(caller));
    if (!tag_has_letter_or_digit(tag & ~kProtectedPoolBit)) {
        KeBugCheckEx(BAD_POOL_CALLER, 0x9D, tag, type, reinterpret_cast<ULONG_PTR>(caller));
    }
    const bool zeroed = zero || (type & POOL_ZERO_ALLOCATION) != 0;
    if (quota) {
        // "If the request cannot be satisfied, ExAllocatePoolWithQuotaTag raises an exception unless
        // POOL_QUOTA_FAIL_INSTEAD_OF_RAISE is specified" (the page cited above): STATUS_QUOTA_EXCEEDED
        // over the limit, STATUS_INSUFFICIENT_RESOURCES when memory runs out.
        bool over_quota = false;
        void* p = allocate_charged(type, bytes, tag, zeroed, &over_quota);
        if (!p && (type & POOL_QUOTA_FAIL_INSTEAD_OF_RAISE) == 0) {
            if (over_quota) raise_quota_exceeded();
            raise_insufficient_resources();
        }
        return p;
    }
    void* p = allocate_block(type, bytes, tag, zeroed, nullptr);
    if (!p && (type & POOL_RAISE_IF_ALLOCATION_FAILURE) != 0) raise_insufficient_resources();
    return p;
}

constexpr POOL_FLAGS kKnownRequiredFlags = POOL_FLAG_USE_QUOTA | POOL_FLAG_UNINITIALIZED | POOL_FLAG_SESSION |
                                           POOL_FLAG_CACHE_ALIGNED | POOL_FLAG_RAISE_ON_FAILURE |
                                           POOL_FLAG_NON_PAGED | POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_PAGED;

// Maps ExAllocatePool2 flags to a pool type; false for invalid combinations.
bool pool_type_from_flags(POOL_FLAGS flags, ULONG* type) noexcept {
    const POOL_FLAGS required = flags & (POOL_FLAG_OPTIONAL_START - 1);
    if ((required & ~kKnownRequiredFlags) != 0) return false;
    const POOL_FLAGS kind = flags & (POOL_FLAG_NON_PAGED | POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_PAGED);
    ULONG base;
    if (kind == POOL_FLAG_NON_PAGED) base = NonPagedPoolNx;
    else if (kind == POOL_FLAG_NON_PAGED_EXECUTE) base = NonPagedPool;
    else if (kind == POOL_FLAG_PAGED) base = PagedPool;
    else return false;
    if (flags & POOL_FLAG_CACHE_ALIGNED) base |= 4;
    if (flags & POOL_FLAG_SESSION) base |= 32;
    *type = base;
    return true;
}

}  // namespace

void pool_flush_thread_quarantine() { t_quarantine.flush(); }

}  // namespace ntio::ex

using namespace ntio::ex;

extern "C" {

PVOID NTAPI ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag) {
    ULONG type = 0;
    const bool raise = (Flags & POOL_FLAG_RAISE_ON_FAILURE) != 0;
    if (Tag == 0 || !pool_type_from_flags(Flags, &type)) {
        if (raise) raise_insufficient_resources();
        return nullptr;
    }
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ExAllocatePool, type, NumberOfBytes);
    check_allocate_irql(type, NumberOfBytes);
    const bool zero = (Flags & POOL_FLAG_UNINITIALIZED) == 0;
    if (Flags & POOL_FLAG_USE_QUOTA) {
        bool over_quota = false;
        void* p = allocate_charged(type, NumberOfBytes, Tag, zero, &over_quota);
        if (!p && raise) {
            if (over_quota) raise_quota_exceeded();
            raise_insufficient_resources();
        }
        return p;
    }
    void* p = allocate_block(type, NumberOfBytes, Tag, zero, nullptr);
    if (!p && raise) raise_insufficient_resources();
    return p;
}

PVOID NTAPI ExAllocatePool3(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag,
                            PCPOOL_EXTENDED_PARAMETER ExtendedParameters, ULONG ExtendedParametersCount) {
    // Priority and NUMA preferences only steer placement on Windows; secure pool is not offered.
    for (ULONG i = 0; i < ExtendedParametersCount; ++i) {
        const POOL_EXTENDED_PARAMETER& p = ExtendedParameters[i];
        const bool known = p.Type == PoolExtendedParameterPriority || p.Type == PoolExtendedParameterNumaNode;
        if (!known && !p.Optional) {
            if (Flags & POOL_FLAG_RAISE_ON_FAILURE) raise_insufficient_resources();
            return nullptr;
        }
    }
    return ExAllocatePool2(Flags, NumberOfBytes, Tag);
}

PVOID NTAPI ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag) {
    return allocate_typed(PoolType, NumberOfBytes, Tag, false, false, __builtin_return_address(0));
}

PVOID NTAPI ExAllocatePoolWithTagPriority(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag,
                                          EX_POOL_PRIORITY Priority) {
    (void)Priority;
    return allocate_typed(PoolType, NumberOfBytes, Tag, false, false, __builtin_return_address(0));
}

PVOID NTAPI ExAllocatePoolWithQuotaTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ExApcLte2);
    return allocate_typed(PoolType, NumberOfBytes, Tag, false, true, __builtin_return_address(0));
}

PVOID NTAPI ExAllocatePoolZero(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag) {
    return allocate_typed(PoolType, NumberOfBytes, Tag, true, false, __builtin_return_address(0));
}

PVOID NTAPI ExAllocatePoolUninitialized(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag) {
    return allocate_typed(PoolType, NumberOfBytes, Tag, false, false, __builtin_return_address(0));
}

PVOID NTAPI ExAllocatePoolQuotaZero(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag) {
    return allocate_typed(PoolType, NumberOfBytes, Tag, true, true, __builtin_return_address(0));
}

PVOID NTAPI ExAllocatePoolQuotaUninitialized(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag) {
    return allocate_typed(PoolType, NumberOfBytes, Tag, false, true, __builtin_return_address(0));
}

VOID NTAPI ExFreePoolWithTag(PVOID P, ULONG Tag) { free_block(P, Tag); }

VOID NTAPI ExFreePool(PVOID P) { free_block(P, 0); }

VOID NTAPI ExFreePool2(PVOID P, ULONG Tag, PCPOOL_EXTENDED_PARAMETER ExtendedParameters,
                       ULONG ExtendedParametersCount) {
    (void)ExtendedParameters;
    (void)ExtendedParametersCount;
    free_block(P, Tag);
}

SIZE_T NTAPI ExQueryPoolBlockSize(PVOID PoolBlock, PBOOLEAN QuotaCharged) {
    PoolHeader* h = checked_header(PoolBlock);
    if (QuotaCharged) *QuotaCharged = (h->flags & kQuotaCharged) ? TRUE : FALSE;
    return (h->size + MEMORY_ALLOCATION_ALIGNMENT - 1) & ~static_cast<SIZE_T>(MEMORY_ALLOCATION_ALIGNMENT - 1);
}

}  // extern "C"

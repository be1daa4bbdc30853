// The hidden 32-byte prefix before each IRP that IoAllocateIrp hands out (irp_allocation.cpp owns
// it): its cache, the I/O manager that counted it and, while allocated, the final-stage word. Here
// so that the final stage reads the word inline.
#pragma once

#include <atomic>
#include <cstdint>

#include "io/ddk.hpp"

namespace ntio::io {

class IoManager;
struct IrpCache;

// Lives right before the IRP. Its size keeps the IRP 16-byte aligned.
struct IrpBlock {
    IrpCache* cache;          // owning cache; null for pool blocks
    IoManager* io;            // counted the IRP at allocation
    union {
        IrpBlock* next;                          // free: the free-list link (local or remote)
        std::atomic<std::uint32_t>* final_word;  // allocated: set_final_stage_word
    };
    std::uint8_t size_class;  // index into kClassStacks, or kPoolClass
    std::uint8_t priority_hint;  // IoSetIoPriorityHint's IO_PRIORITY_HINT + 1; 0: not set (normal)
    std::uint8_t built;          // nonzero: an IoBuild*Request or IoMakeAssociatedIrp IRP (verifier 0xC9 0x311)
    std::uint8_t quota_flags;    // IRP_QUOTA_CHARGED or 0; set only for ChargeQuota blocks (pool class)
    std::uint32_t magic;
};
static_assert(sizeof(IrpBlock) == 32);

inline constexpr std::uint32_t kBlockMagic = 0x50524949u;  // "IIRP"

inline IrpBlock* block_of(PIRP irp) noexcept { return reinterpret_cast<IrpBlock*>(irp) - 1; }

inline bool irp_from_allocator(PIRP irp) noexcept { return block_of(irp)->magic == kBlockMagic; }

// An IRP IoAllocateIrp handed out and nobody re-initialized with IoInitializeIrp (which clears
// AllocationFlags): the flag is read first, so an IRP in a driver's own memory, whose bytes before
// it are not ours, is not read before unless its flags claim an allocation.
inline bool allocated_irp(PIRP irp) noexcept {
    return (irp->AllocationFlags & IRP_ALLOCATED_FIXED_SIZE) && irp_from_allocator(irp);
}

// IoBuild*Request and IoMakeAssociatedIrp mark their IRPs: a driver must not reinitialize those
// (IoReuseIrp / IoInitializeIrp), which the verifier reports as 0xC9 0x311.
inline void mark_built_irp(PIRP irp) noexcept { block_of(irp)->built = 1; }
inline bool built_irp(PIRP irp) noexcept { return allocated_irp(irp) && block_of(irp)->built; }

inline void set_final_stage_word(PIRP irp, std::atomic<std::uint32_t>* word) noexcept { block_of(irp)->final_word = word; }

inline std::atomic<std::uint32_t>* final_stage_word(PIRP irp) noexcept {
    return irp_from_allocator(irp) ? block_of(irp)->final_word : nullptr;
}

}  // namespace ntio::io

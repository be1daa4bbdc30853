// The verifier's special pool for IRPs (Driver Verifier option class 1): each IRP of a verified driver
// sits at the end of its own page run with an inaccessible guard page after it; a freed IRP is
// poisoned, made inaccessible and quarantined, so a touch after free or past the end faults, and the
// fault handler turns the fault into the bugcheck Windows raises.
#pragma once

#include <cstddef>

#include <wdm.h>

namespace ntio::verifier {

// Memory for an IRP block of `bytes` (the allocator's header included, a multiple of 8), 16-byte
// aligned and ending at a guard page (up to 8 bytes of checked slack before it), when the IRP is for a driver verified with NTIO_VERIFIER_SPECIAL_POOL: the driver whose code
// runs on this thread, or target's driver (IoAllocateIrpEx). nullptr: not special pool (not verified
// that way, or the special pool is exhausted and the IRP comes from normal pool as on Windows).
void* special_pool_allocate_irp(PDEVICE_OBJECT target, std::size_t bytes) noexcept;
// True when block came from special_pool_allocate_irp (any thread, any time, signal safe).
bool special_pool_owns(const void* block) noexcept;
// Poisons the block, makes its pages inaccessible and quarantines them; bugchecks 0xC1 0x24 when the
// slack between the block's end and the guard page was written. freed: what the caller freed (P1).
void special_pool_free(void* block, const void* freed) noexcept;
// From the SIGSEGV handler: if address is in the special pool, bugchecks 0xD5 / 0xCC (freed) or
// 0xD6 / 0xCD (beyond the end of the allocation); otherwise returns.
void special_pool_fault(const void* address, bool write, const void* pc) noexcept;

struct SpecialPoolCounters {
    std::size_t live = 0;         // allocated and not yet freed
    std::size_t quarantined = 0;  // freed, kept inaccessible before reuse
    std::size_t fallbacks = 0;    // allocations that found the special pool full
};
SpecialPoolCounters special_pool_counters() noexcept;

}  // namespace ntio::verifier

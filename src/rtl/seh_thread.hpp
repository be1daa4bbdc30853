// Per-thread SEH state shared by the frame runtime and the fault handler: the exported thread-local
// NtioSehThread (seh.h), which the __try macros read and write inline.
#pragma once

#include <wdm.h>

namespace ntio::rtl {

// A view of the frame list head and the pending flag under the names src/ke/kernel.cpp uses to drop
// the frames of a terminated system thread. Code in rtl uses NtioSehThread directly (no dynamic
// thread-local initialisation, so it is safe in the fault handler).
struct SehThreadView {
    PNTIO_SEH_FRAME& top;
    LONG& pending;
};
extern thread_local SehThreadView t_seh;

// Delivers record to the innermost frame (pops it and jumps there); bugchecks when there is none.
[[noreturn]] void seh_dispatch(const EXCEPTION_RECORD& record);

// Jumps to frame the way its JumpBuffer was filled (NTIO_SEH_FRAME::Kind).
[[noreturn]] void seh_jump(PNTIO_SEH_FRAME frame);

// Readies the calling thread for fault delivery: the synchronous fault signals unblocked, and an
// alternate signal stack.
void seh_prepare_thread() noexcept;

}  // namespace ntio::rtl

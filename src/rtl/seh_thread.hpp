// Per-thread SEH state shared by the frame runtime and the fault handler.
#pragma once

#include <wdm.h>

namespace ntio::rtl {

enum : LONG { kFrameInBody = 0, kFrameException = 1 };

struct SehThread {
    PNTIO_SEH_FRAME top;          // innermost active __try frame
    LONG pending;                 // an exception left a frame and awaits its filter/finally
    EXCEPTION_RECORD record;      // the exception being dispatched or last handled
    EXCEPTION_POINTERS pointers;  // GetExceptionInformation()
};

// Trivial type: a plain static TLS slot, safe to touch from a signal handler.
extern thread_local SehThread t_seh;

// Delivers record to the innermost frame (longjmp); bugchecks when there is none.
[[noreturn]] void seh_dispatch(const EXCEPTION_RECORD& record);

// Makes sure the calling thread has an alternate signal stack for fault delivery.
void seh_ensure_altstack() noexcept;

}  // namespace ntio::rtl

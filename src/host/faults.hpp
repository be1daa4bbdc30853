// Synchronous faults of the host's threads (a bad memory access, an arithmetic trap, an illegal
// instruction), handed to the runtime's structured exception handling. Faults the runtime does not
// want go to whatever handled them before (a sanitizer's handler, or the default action), so
// crashes stay crashes. Handlers run on a per-thread alternate stack, so a stack overflow can still
// be reported.
#pragma once

#include <cstdint>

namespace ntio::host {

enum class FaultKind {
    kAccess,           // a bad memory access
    kMisaligned,       // an alignment trap
    kIntegerDivide,
    kIntegerOverflow,
    kFloatDivide,
    kFloat,            // any other floating-point trap
    kIllegal,          // an illegal instruction
    kPrivileged,       // a privileged instruction
};

struct Fault {
    FaultKind kind = FaultKind::kAccess;
    void* address = nullptr;      // the data address of an access fault, else the instruction's
    const void* pc = nullptr;     // the faulting instruction (null where the host cannot say)
    bool write = false;           // an access fault that was a write (x86-64 says; elsewhere false)
    bool from_memory = false;     // a real access or alignment fault of this thread, not a signal sent to it
    bool sent = false;            // a signal another process or thread sent (kill), not a fault
};

// What the runtime wants done with a fault.
struct FaultDecision {
    enum Action { kNotMine, kResume, kDispatch } action = kNotMine;
    std::uintptr_t resume_at = 0;  // kResume: the instruction to continue at
};

// `decide` runs first, inside the host's fault handler; on kDispatch the handler restores the
// thread's signal mask as it was at the fault and calls `dispatch`, which never returns (it jumps
// to the runtime's exception handler).
using FaultDecider = FaultDecision (*)(const Fault& fault);
using FaultDispatcher = void (*)(const Fault& fault);
void install_fault_handlers(FaultDecider decide, FaultDispatcher dispatch) noexcept;

// Readies the calling thread to have its faults handled: unblocks the fault signals (a fault
// while its signal is blocked kills the process without any handler) and gives it an alternate
// signal stack if it has none.
void prepare_thread_for_faults() noexcept;

}  // namespace ntio::host

// Runtime of the SEH macros in seh.h: the per-thread state (frame list head, pending exception),
// dispatch by a jump to the innermost frame, filter dispositions, finally continuation, and the raise
// routines. Entering and leaving a __try is inline in seh.h; only raises come here.
#include <csetjmp>
#include <cstring>

#include <wdm.h>

#include "rtl/seh_thread.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define NTIO_SEH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NTIO_SEH_ASAN 1
#endif
#endif
#ifdef NTIO_SEH_ASAN
#include <sanitizer/asan_interface.h>
#endif

extern "C" {
// Trivial type, zero-initialised: a plain static TLS slot, safe to touch from a signal handler.
__thread NTIO_SEH_THREAD NtioSehThread;
}

namespace ntio::rtl {

thread_local SehThreadView t_seh{NtioSehThread.Top, NtioSehThread.Pending};

void seh_jump(PNTIO_SEH_FRAME frame) {
#ifdef NTIO_SEH_ASAN
    // The jump skips frames whose stack redzones are still poisoned; ASan's longjmp interceptor does
    // the same before a glibc longjmp.
    __asan_handle_no_return();
#endif
    if (frame->Kind == NTIO_SEH_JUMP_GLIBC) {
        // A glibc jmp_buf is an array of one __jmp_buf_tag.
        std::longjmp(static_cast<__jmp_buf_tag*>(static_cast<void*>(frame->JumpBuffer)), 1);
    }
    __builtin_longjmp(reinterpret_cast<void**>(frame->JumpBuffer), 1);
}

void seh_dispatch(const EXCEPTION_RECORD& record) {
    NTIO_SEH_THREAD& seh = NtioSehThread;
    PNTIO_SEH_FRAME frame = seh.Top;
    if (frame == nullptr) {
        KeBugCheckEx(KMODE_EXCEPTION_NOT_HANDLED, static_cast<ULONG_PTR>(static_cast<ULONG>(record.ExceptionCode)),
                     reinterpret_cast<ULONG_PTR>(record.ExceptionAddress),
                     record.NumberParameters > 0 ? record.ExceptionInformation[0] : 0,
                     record.NumberParameters > 1 ? record.ExceptionInformation[1] : 0);
    }
    if (&seh.Record != &record) std::memcpy(&seh.Record, &record, sizeof record);
    seh.Record.ExceptionRecord = nullptr;
    // The frame is gone before its filter runs: a raise in the filter or handler goes to the next one.
    seh.Top = frame->Previous;
    seh.Pending = 1;
    seh_jump(frame);
}

namespace {

[[noreturn]] void raise_code(NTSTATUS code, ULONG flags, PVOID address) {
    EXCEPTION_RECORD record{};
    record.ExceptionCode = code;
    record.ExceptionFlags = flags;
    record.ExceptionAddress = address;
    seh_dispatch(record);
}

}  // namespace
}  // namespace ntio::rtl

using namespace ntio::rtl;

extern "C" {

// First __try on a thread: fault signals unblocked and the alternate signal stack, so that a fault
// (a stack overflow too) can be turned into an exception. Once per thread, not per __try.
VOID NtioSehThreadSetup(VOID) {
    seh_prepare_thread();
    NtioSehThread.Ready = TRUE;
}

LONG NtioSehExceptFilter(LONG Disposition) {
    NTIO_SEH_THREAD& seh = NtioSehThread;
    seh.Pending = 0;
    if (Disposition == EXCEPTION_EXECUTE_HANDLER) return 1;
    if (Disposition == EXCEPTION_CONTINUE_SEARCH) seh_dispatch(seh.Record);
    EXCEPTION_RECORD nested{};
    nested.ExceptionCode = Disposition == EXCEPTION_CONTINUE_EXECUTION ? STATUS_NONCONTINUABLE_EXCEPTION
                                                                       : STATUS_INVALID_DISPOSITION;
    nested.ExceptionFlags = EXCEPTION_NONCONTINUABLE;
    nested.ExceptionAddress = seh.Record.ExceptionAddress;
    seh_dispatch(nested);
}

// Entering a __finally block while an exception unwinds (the inline check saw Pending): the loop
// state (code << 8) | 2 that AbnormalTermination() and NtioSehFinallyEnd read.
ULONGLONG NtioSehFinallyBegin(VOID) {
    NTIO_SEH_THREAD& seh = NtioSehThread;
    if (!seh.Pending) return 1;
    seh.Pending = 0;
    return (static_cast<ULONGLONG>(static_cast<ULONG>(seh.Record.ExceptionCode)) << 8) | 2;
}

ULONGLONG NtioSehFinallyEnd(ULONGLONG State) {
    if ((State & 0xFF) == 2) {
        // Continue unwinding with the exception that entered the finally block.
        const auto code = static_cast<NTSTATUS>(static_cast<ULONG>(State >> 8));
        NTIO_SEH_THREAD& seh = NtioSehThread;
        if (seh.Record.ExceptionCode != code) {
            EXCEPTION_RECORD record{};
            record.ExceptionCode = code;
            seh_dispatch(record);
        }
        seh_dispatch(seh.Record);
    }
    return 0;
}

NTSTATUS NtioSehExceptionCode(VOID) { return NtioSehThread.Record.ExceptionCode; }

PEXCEPTION_POINTERS NtioSehExceptionInformation(VOID) {
    NTIO_SEH_THREAD& seh = NtioSehThread;
    seh.Pointers.ExceptionRecord = &seh.Record;
    seh.Pointers.ContextRecord = nullptr;
    return &seh.Pointers;
}

VOID NTAPI RtlRaiseException(PEXCEPTION_RECORD ExceptionRecord) { seh_dispatch(*ExceptionRecord); }

VOID NTAPI RtlRaiseStatus(NTSTATUS Status) {
    raise_code(Status, EXCEPTION_NONCONTINUABLE, __builtin_return_address(0));
}

VOID NTAPI ExRaiseStatus(NTSTATUS Status) {
    raise_code(Status, EXCEPTION_NONCONTINUABLE, __builtin_return_address(0));
}

VOID NTAPI ExRaiseAccessViolation(VOID) {
    raise_code(STATUS_ACCESS_VIOLATION, EXCEPTION_NONCONTINUABLE, __builtin_return_address(0));
}

VOID NTAPI ExRaiseDatatypeMisalignment(VOID) {
    raise_code(STATUS_DATATYPE_MISALIGNMENT, EXCEPTION_NONCONTINUABLE, __builtin_return_address(0));
}

// Leave is normal termination: jump back to the innermost frame without an exception; its cleanup
// pops it.
VOID NtioSehLeave(VOID) { seh_jump(NtioSehThread.Top); }

PVOID NtioSehCurrentFrame(VOID) { return NtioSehThread.Top; }

VOID NtioSehRestoreFrame(PVOID Frame) {
    NtioSehThread.Top = static_cast<PNTIO_SEH_FRAME>(Frame);
    NtioSehThread.Pending = 0;
}

}  // extern "C"

// Runtime of the SEH macros in seh.h: the per-thread frame list, dispatch by longjmp to the innermost
// frame, filter dispositions, finally continuation, and the raise routines.
#include <csetjmp>
#include <cstring>

#include <wdm.h>

#include "rtl/seh_thread.hpp"

namespace ntio::rtl {

thread_local SehThread t_seh;

void seh_dispatch(const EXCEPTION_RECORD& record) {
    PNTIO_SEH_FRAME frame = t_seh.top;
    if (frame == nullptr) {
        KeBugCheckEx(KMODE_EXCEPTION_NOT_HANDLED, static_cast<ULONG_PTR>(static_cast<ULONG>(record.ExceptionCode)),
                     reinterpret_cast<ULONG_PTR>(record.ExceptionAddress),
                     record.NumberParameters > 0 ? record.ExceptionInformation[0] : 0,
                     record.NumberParameters > 1 ? record.ExceptionInformation[1] : 0);
    }
    if (&frame->Record != &record) std::memcpy(&frame->Record, &record, sizeof record);
    frame->Record.ExceptionRecord = nullptr;
    frame->State = kFrameException;
    longjmp(frame->JumpBuffer, 1);
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

VOID NtioSehPush(PNTIO_SEH_FRAME Frame) {
    seh_ensure_altstack();
    Frame->Previous = t_seh.top;
    Frame->State = kFrameInBody;
    t_seh.top = Frame;
}

VOID NtioSehPop(PNTIO_SEH_FRAME Frame) {
    SehThread& seh = t_seh;
    // Frames are popped in LIFO order by their cleanup; a frame above this one can only be left over
    // from a foreign longjmp out of a __try, so drop it too.
    while (seh.top != nullptr && seh.top != Frame) seh.top = seh.top->Previous;
    if (seh.top == Frame) seh.top = Frame->Previous;
    if (Frame->State == kFrameException) {
        std::memcpy(&seh.record, &Frame->Record, sizeof seh.record);
        seh.pending = 1;
    }
}

LONG NtioSehExceptPending(VOID) { return t_seh.pending; }

LONG NtioSehExceptFilter(LONG Disposition) {
    SehThread& seh = t_seh;
    seh.pending = 0;
    if (Disposition == EXCEPTION_EXECUTE_HANDLER) return 1;
    if (Disposition == EXCEPTION_CONTINUE_SEARCH) {
        EXCEPTION_RECORD record = seh.record;
        seh_dispatch(record);
    }
    EXCEPTION_RECORD nested{};
    nested.ExceptionCode = Disposition == EXCEPTION_CONTINUE_EXECUTION ? STATUS_NONCONTINUABLE_EXCEPTION
                                                                       : STATUS_INVALID_DISPOSITION;
    nested.ExceptionFlags = EXCEPTION_NONCONTINUABLE;
    nested.ExceptionAddress = seh.record.ExceptionAddress;
    seh_dispatch(nested);
}

// The loop variable of __finally: 1 = normal termination, (code << 8) | 2 = an exception is unwinding.
ULONGLONG NtioSehFinallyBegin(VOID) {
    SehThread& seh = t_seh;
    if (!seh.pending) return 1;
    seh.pending = 0;
    return (static_cast<ULONGLONG>(static_cast<ULONG>(seh.record.ExceptionCode)) << 8) | 2;
}

ULONGLONG NtioSehFinallyEnd(ULONGLONG State) {
    if ((State & 0xFF) == 2) {
        // Continue unwinding with the exception that entered the finally block.
        const auto code = static_cast<NTSTATUS>(static_cast<ULONG>(State >> 8));
        EXCEPTION_RECORD record = t_seh.record;
        if (record.ExceptionCode != code) {
            record = EXCEPTION_RECORD{};
            record.ExceptionCode = code;
        }
        seh_dispatch(record);
    }
    return 0;
}

NTSTATUS NtioSehExceptionCode(VOID) { return t_seh.record.ExceptionCode; }

PEXCEPTION_POINTERS NtioSehExceptionInformation(VOID) {
    SehThread& seh = t_seh;
    seh.pointers.ExceptionRecord = &seh.record;
    seh.pointers.ContextRecord = nullptr;
    return &seh.pointers;
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

}  // extern "C"

extern "C" VOID NtioSehLeave(VOID) {
    // Leave is normal termination: jump back to the frame with its state still "in body".
    longjmp(t_seh.top->JumpBuffer, 2);
}

extern "C" PVOID NtioSehCurrentFrame(VOID) { return t_seh.top; }

extern "C" VOID NtioSehRestoreFrame(PVOID Frame) {
    t_seh.top = static_cast<PNTIO_SEH_FRAME>(Frame);
    t_seh.pending = 0;
}

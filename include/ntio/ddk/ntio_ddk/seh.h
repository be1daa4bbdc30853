/* <wdm.h> piece for structured exception handling: __try/__except/__finally/__leave emulated with
 * a minimal register save and a per-thread frame list, ExRaiseStatus, GetExceptionCode, and
 * ProbeForRead/ProbeForWrite. Works in C11 and C++20 with gcc and clang. In C (not C++) the
 * lower-case try/except/finally/leave spellings MSVC accepts are defined too (NT fact S23).
 *
 * How it works: __try opens a block holding a frame whose cleanup attribute pops it on every exit
 * (normal end, return, break, goto). A raise (ExRaiseStatus, or a fault turned into
 * STATUS_ACCESS_VIOLATION by the signal handler) records the exception in the thread's state, pops
 * the innermost frame and jumps to it; the block closes and the filter runs after the frame is gone;
 * EXCEPTION_CONTINUE_SEARCH re-raises to the next frame. The handler and finally blocks are plain
 * if/for statements after the block, so a `break` inside a __try or __except block still refers to
 * the enclosing switch or loop.
 *
 * Entering and leaving a __try is inline and costs a handful of instructions: the frame list head
 * is a thread-local of libntio (initial-exec: libntio is loaded at start-up), the jump buffer is
 * filled by __builtin_setjmp (frame pointer, stack pointer, resume address; the compiler saves the
 * callee-saved registers of a function that contains it), and the alternate signal stack is set up
 * once per thread. gcc only: clang 14 may drop a __finally or __except reached only by a second
 * return of __builtin_setjmp, so clang and TSan builds use glibc's _setjmp (TSan intercepts it).
 *
 * NT deviation: filters run after inner __finally blocks (search and unwind are one pass).
 * NT deviation: `return`, `break` or `goto` out of a __try guarded by __finally skips the finally.
 * NT deviation: C++ destructors between the raise point and the handler do not run.
 * NT deviation: EXCEPTION_CONTINUE_EXECUTION cannot resume; it raises STATUS_NONCONTINUABLE_EXCEPTION
 *               to the next frame, as NT does for noncontinuable exceptions.
 * NT deviation: locals changed inside __try and read in __except/__finally should be volatile (setjmp
 *               rules); gcc and clang keep such variables in memory in practice.
 * NT deviation: ContextRecord in GetExceptionInformation() is always NULL. */
#ifndef NTIO_DDK_SEH_H
#define NTIO_DDK_SEH_H
#include "basetypes.h"
#include "ntstatus.h"
#include <setjmp.h>

#if defined(__GNUC__) && !defined(__clang__)
/* Every __try calls setjmp; gcc's -Wclobbered then flags ordinary driver locals. */
#pragma GCC diagnostic ignored "-Wclobbered"
#endif

#define EXCEPTION_EXECUTE_HANDLER 1
#define EXCEPTION_CONTINUE_SEARCH 0
#define EXCEPTION_CONTINUE_EXECUTION (-1)
#define EXCEPTION_NONCONTINUABLE 0x1
#define EXCEPTION_UNWINDING 0x2
#define EXCEPTION_MAXIMUM_PARAMETERS 15

typedef struct _EXCEPTION_RECORD {
    NTSTATUS ExceptionCode;
    ULONG ExceptionFlags;
    struct _EXCEPTION_RECORD *ExceptionRecord;
    PVOID ExceptionAddress;
    ULONG NumberParameters;
    ULONG_PTR ExceptionInformation[EXCEPTION_MAXIMUM_PARAMETERS];
} EXCEPTION_RECORD, *PEXCEPTION_RECORD;
C_ASSERT(sizeof(EXCEPTION_RECORD) == 0x98);

struct _CONTEXT;
typedef struct _EXCEPTION_POINTERS {
    PEXCEPTION_RECORD ExceptionRecord;
    struct _CONTEXT *ContextRecord;
} EXCEPTION_POINTERS, *PEXCEPTION_POINTERS;

/* How a frame's JumpBuffer was filled (see above); the raise side picks the matching jump. */
#define NTIO_SEH_JUMP_BUILTIN 0
#define NTIO_SEH_JUMP_GLIBC 1
#if defined(__SANITIZE_THREAD__) || defined(__clang__)
#define NTIO_SEH_JUMP_KIND NTIO_SEH_JUMP_GLIBC
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define NTIO_SEH_JUMP_KIND NTIO_SEH_JUMP_GLIBC
#endif
#endif
#ifndef NTIO_SEH_JUMP_KIND
#define NTIO_SEH_JUMP_KIND NTIO_SEH_JUMP_BUILTIN
#endif

/* One __try block's frame; lives on the stack of the function that contains the __try. ntio-private
 * layout (drivers compile against this header); JumpBuffer is last so that the raise side finds
 * Previous and Kind at the same place whichever way the frame was filled. */
typedef struct _NTIO_SEH_FRAME {
    struct _NTIO_SEH_FRAME *Previous;
    LONG Kind; /* NTIO_SEH_JUMP_* */
#if NTIO_SEH_JUMP_KIND == NTIO_SEH_JUMP_GLIBC
    jmp_buf JumpBuffer;
#else
    PVOID JumpBuffer[5]; /* __builtin_setjmp's buffer */
#endif
} NTIO_SEH_FRAME, *PNTIO_SEH_FRAME;

/* Per-thread SEH state, a thread-local of libntio. Pending: an exception left a frame and its filter
 * or finally has not run yet. Ready: the thread's alternate signal stack has been set up. Record:
 * the exception being dispatched or last handled. */
typedef struct _NTIO_SEH_THREAD {
    PNTIO_SEH_FRAME Top;
    LONG Pending;
    BOOLEAN Ready;
    EXCEPTION_RECORD Record;
    EXCEPTION_POINTERS Pointers;
} NTIO_SEH_THREAD;

NTIO_BEGIN_DECLS

/* Runtime of the macros below; not for direct use. */
extern NTSYSAPI __thread NTIO_SEH_THREAD NtioSehThread __attribute__((tls_model("initial-exec")));
NTSYSAPI VOID NtioSehThreadSetup(VOID);
NTSYSAPI LONG NtioSehExceptFilter(LONG Disposition);
NTSYSAPI ULONGLONG NtioSehFinallyBegin(VOID);
NTSYSAPI ULONGLONG NtioSehFinallyEnd(ULONGLONG State);
NTSYSAPI NTSTATUS NtioSehExceptionCode(VOID);
NTSYSAPI PEXCEPTION_POINTERS NtioSehExceptionInformation(VOID);
NTSYSAPI DECLSPEC_NORETURN VOID NtioSehLeave(VOID);

static __inline__ __attribute__((always_inline)) VOID NtioSehPush(PNTIO_SEH_FRAME Frame)
{
    NTIO_SEH_THREAD *const Thread = &NtioSehThread;
    if (__builtin_expect(!Thread->Ready, 0)) NtioSehThreadSetup();
    Frame->Previous = Thread->Top;
    Frame->Kind = NTIO_SEH_JUMP_KIND;
    Thread->Top = Frame;
}

/* A raise has already popped the frame it jumped to; this store is then a no-op. Frames above this
 * one (left by a foreign longjmp out of a __try) are dropped with it. The barrier keeps the body's
 * memory accesses (which may fault) before the pop. */
static __inline__ __attribute__((always_inline)) VOID NtioSehPop(PNTIO_SEH_FRAME Frame)
{
    __asm__ __volatile__("" ::: "memory");
    NtioSehThread.Top = Frame->Previous;
}

static __inline__ __attribute__((always_inline)) LONG NtioSehExceptPending(VOID)
{
    return NtioSehThread.Pending;
}

/* __builtin_setjmp's stores are plain instructions, and only calls are taken to reach its landing
 * point: without the barrier the compiler may schedule a load of the body (which can fault, and a
 * fault jumps here too) before the push or the jump buffer is written. */
#if NTIO_SEH_JUMP_KIND == NTIO_SEH_JUMP_GLIBC
#define NTIO_SEH_SETJMP(Frame) _setjmp((Frame).JumpBuffer)
#else
#define NTIO_SEH_SETJMP(Frame)                                                         \
    __extension__({                                                                    \
        int ntio_seh_jumped_ = __builtin_setjmp((Frame).JumpBuffer);                   \
        __asm__ __volatile__("" ::: "memory");                                         \
        ntio_seh_jumped_;                                                              \
    })
#endif

/* The loop of __finally: 1 = normal termination, (code << 8) | 2 = an exception is unwinding. */
#define NTIO_SEH_FINALLY_BEGIN() (__builtin_expect(NtioSehThread.Pending, 0) ? NtioSehFinallyBegin() : 1ull)
#define NTIO_SEH_FINALLY_NEXT(State) (((State) & 0xFF) == 2 ? NtioSehFinallyEnd(State) : 0ull)

/* Raise an exception on the current thread. Any IRQL. Without an enclosing __try the system
 * bugchecks KMODE_EXCEPTION_NOT_HANDLED (code, address, 0, 0). */
NTKERNELAPI DECLSPEC_NORETURN VOID NTAPI ExRaiseStatus(NTSTATUS Status);
NTKERNELAPI DECLSPEC_NORETURN VOID NTAPI ExRaiseAccessViolation(VOID);
NTKERNELAPI DECLSPEC_NORETURN VOID NTAPI ExRaiseDatatypeMisalignment(VOID);
NTSYSAPI DECLSPEC_NORETURN VOID NTAPI RtlRaiseStatus(NTSTATUS Status);
NTSYSAPI DECLSPEC_NORETURN VOID NTAPI RtlRaiseException(PEXCEPTION_RECORD ExceptionRecord);

/* Probe a caller's buffer inside __try. Length 0 does nothing; a misaligned Address raises
 * STATUS_DATATYPE_MISALIGNMENT; a range that wraps or ends above MmUserProbeAddress raises
 * STATUS_ACCESS_VIOLATION. ProbeForWrite also touches every page, so an unmapped or read-only page
 * raises STATUS_ACCESS_VIOLATION; ProbeForRead reads every page likewise. IRQL <= APC_LEVEL. */
NTKERNELAPI VOID NTAPI ProbeForRead(const volatile VOID *Address, SIZE_T Length, ULONG Alignment);
NTKERNELAPI VOID NTAPI ProbeForWrite(volatile VOID *Address, SIZE_T Length, ULONG Alignment);

/* The first address a user buffer may not reach: the end of the Linux x86-64 user range
 * (0x7FFFFFFFF000), not Windows' 0x7FFFFFFF0000 (see docs/nt-deviations.md). */
extern NTKERNELAPI ULONG_PTR MmUserProbeAddress;
extern NTKERNELAPI PVOID MmHighestUserAddress;
extern NTKERNELAPI PVOID MmSystemRangeStart;

NTIO_END_DECLS

#ifdef __cplusplus
/* C++: the frame lives in the init-statement of an if whose body is a C++ try block, so the
 * libstdc++ spelling `__try { } __catch(x) { }` (its own macro for try/catch) keeps working after
 * this header. A leave longjmps to the frame without an exception. */
#include <exception>
#undef __try
namespace ntio_seh {
struct NeverThrown {};
struct Scope {
    NTIO_SEH_FRAME frame;
    Scope() noexcept { NtioSehPush(&frame); }
    ~Scope() { NtioSehPop(&frame); }
    Scope(const Scope &) = delete;
    Scope &operator=(const Scope &) = delete;
};
}  // namespace ntio_seh

#define __try                                                                          \
    if (::ntio_seh::Scope ntio_seh_scope_; NTIO_SEH_SETJMP(ntio_seh_scope_.frame) == 0) try

#define __except(...)                                                                  \
    catch (const ::ntio_seh::NeverThrown &) {}                                         \
    if (NtioSehExceptPending() && NtioSehExceptFilter((LONG)(__VA_ARGS__)))

#define __finally                                                                      \
    catch (const ::ntio_seh::NeverThrown &) {}                                         \
    for (ULONGLONG ntio_seh_fin_ = NTIO_SEH_FINALLY_BEGIN(); ntio_seh_fin_ != 0;      \
         ntio_seh_fin_ = NTIO_SEH_FINALLY_NEXT(ntio_seh_fin_))

#define __leave NtioSehLeave()

#else /* C */

#define NTIO_SEH_UNUSED_LABEL __attribute__((unused))

#define __try                                                                          \
    {                                                                                  \
        __label__ ntio_seh_leave_;                                                     \
        NTIO_SEH_FRAME ntio_seh_frame_ __attribute__((cleanup(NtioSehPop)));           \
        NtioSehPush(&ntio_seh_frame_);                                                 \
        if (NTIO_SEH_SETJMP(ntio_seh_frame_) == 0)

#define __except(...)                                                                  \
    ntio_seh_leave_: NTIO_SEH_UNUSED_LABEL;                                            \
    }                                                                                  \
    if (NtioSehExceptPending() && NtioSehExceptFilter((LONG)(__VA_ARGS__)))

#define __finally                                                                      \
    ntio_seh_leave_: NTIO_SEH_UNUSED_LABEL;                                            \
    }                                                                                  \
    for (ULONGLONG ntio_seh_fin_ = NTIO_SEH_FINALLY_BEGIN(); ntio_seh_fin_ != 0;      \
         ntio_seh_fin_ = NTIO_SEH_FINALLY_NEXT(ntio_seh_fin_))

#define __leave goto ntio_seh_leave_

#endif /* __cplusplus */

#define GetExceptionCode() NtioSehExceptionCode()
#define _exception_code() NtioSehExceptionCode()
#define GetExceptionInformation() NtioSehExceptionInformation()
#define _exception_info() NtioSehExceptionInformation()
/* Only inside a __finally block: TRUE when the __try block was left by an exception. */
#define AbnormalTermination() ((BOOLEAN)((ntio_seh_fin_ & 0xFF) == 2))
#define _abnormal_termination() AbnormalTermination()

#ifndef __cplusplus
#define try __try
#define except __except
#define finally __finally
#define leave __leave
#endif

#endif /* NTIO_DDK_SEH_H */

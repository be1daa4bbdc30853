// One-time initialization (RTL_RUN_ONCE). An Rtl routine that lives in ex because a synchronous
// caller waits for the initializing thread on a dispatcher event, which rtl (below ke) cannot.
// The word's low two bits say the state; the rest is the context once done, or, while a
// synchronous initialization runs, the newest waiter's block (each block points to the one pushed
// before it). A block lives on its waiter's stack, so the completing thread reads the next link
// before it signals, and the waiter leaves only after the completer has set `released`.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlrunoncebegininitialize
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlrunoncecomplete
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlrunonceexecuteonce
#include <atomic>
#include <cstdint>

#include <ntddk.h>

#include "host/cpu.hpp"

namespace ntio::ex {
namespace run_once {

constexpr ULONG_PTR kStateMask = 3;
constexpr ULONG_PTR kNotStarted = 0;
constexpr ULONG_PTR kSyncPending = 1;  // upper bits: newest waiter's block (or null)
constexpr ULONG_PTR kAsyncPending = 2;
constexpr ULONG_PTR kDone = 3;  // upper bits: the context

struct alignas(8) Waiter {
    Waiter* next = nullptr;
    KEVENT event;
    std::atomic<bool> released{false};
};

// The structure's pointer seen as the state word (an atomic view of the PVOID itself, so no
// type punning).
class Word {
public:
    explicit Word(PRTL_RUN_ONCE run_once) noexcept : m_ref(run_once->Ptr) {}
    ULONG_PTR load(std::memory_order order) const noexcept { return bits(m_ref.load(order)); }
    void store(ULONG_PTR value, std::memory_order order) const noexcept { m_ref.store(ptr(value), order); }
    ULONG_PTR exchange(ULONG_PTR value, std::memory_order order) const noexcept {
        return bits(m_ref.exchange(ptr(value), order));
    }
    bool compare_exchange_weak(ULONG_PTR& expected, ULONG_PTR desired, std::memory_order success,
                               std::memory_order failure) const noexcept {
        PVOID seen = ptr(expected);
        const bool done = m_ref.compare_exchange_weak(seen, ptr(desired), success, failure);
        expected = bits(seen);
        return done;
    }

private:
    static ULONG_PTR bits(PVOID p) noexcept { return reinterpret_cast<ULONG_PTR>(p); }
    static PVOID ptr(ULONG_PTR v) noexcept { return reinterpret_cast<PVOID>(v); }
    std::atomic_ref<PVOID> m_ref;
};

inline Word word_of(PRTL_RUN_ONCE run_once) noexcept { return Word(run_once); }

// Wakes every waiter of a list taken off the word; each retries from the top.
inline void wake_all(ULONG_PTR list) noexcept {
    auto* waiter = reinterpret_cast<Waiter*>(list & ~kStateMask);
    while (waiter) {
        Waiter* next = waiter->next;
        KeSetEvent(&waiter->event, IO_NO_INCREMENT, FALSE);
        waiter->released.store(true, std::memory_order_release);
        waiter = next;
    }
}

// A synchronous caller's wait for the initializing thread: pushed onto the word, or not at all
// when the state changed meanwhile (the caller then looks again).
inline void wait_for_initializer(const Word& word, ULONG_PTR seen) noexcept {
    Waiter waiter;
    KeInitializeEvent(&waiter.event, NotificationEvent, FALSE);
    for (;;) {
        if ((seen & kStateMask) != kSyncPending) return;
        waiter.next = reinterpret_cast<Waiter*>(seen & ~kStateMask);
        if (word.compare_exchange_weak(seen, reinterpret_cast<ULONG_PTR>(&waiter) | kSyncPending,
                                       std::memory_order_acq_rel, std::memory_order_acquire))
            break;
    }
    KeWaitForSingleObject(&waiter.event, Executive, KernelMode, FALSE, nullptr);
    for (unsigned step = 0; !waiter.released.load(std::memory_order_acquire); ++step) ntio::host::spin_step(step);
}

}  // namespace run_once
}  // namespace ntio::ex

namespace ro = ntio::ex::run_once;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlrunonceinitialize
NTSYSAPI VOID NTAPI RtlRunOnceInitialize(PRTL_RUN_ONCE RunOnce) {
    ro::word_of(RunOnce).store(ro::kNotStarted, std::memory_order_release);
}

// Flags other than CHECK_ONLY and ASYNC are STATUS_INVALID_PARAMETER. CHECK_ONLY with ASYNC is a
// check (Learn allows "one or more" of the flags). A mode other than the running initialization's
// fails with STATUS_INVALID_PARAMETER ("subsequent calls ... will fail unless this flag is also
// specified").
NTSYSAPI NTSTATUS NTAPI RtlRunOnceBeginInitialize(PRTL_RUN_ONCE RunOnce, ULONG Flags, PVOID* Context) {
    if (!RunOnce || (Flags & ~(RTL_RUN_ONCE_CHECK_ONLY | RTL_RUN_ONCE_ASYNC)) != 0) return STATUS_INVALID_PARAMETER;
    const bool async = (Flags & RTL_RUN_ONCE_ASYNC) != 0;
    auto word = ro::word_of(RunOnce);
    ULONG_PTR value = word.load(std::memory_order_acquire);
    for (;;) {
        switch (value & ro::kStateMask) {
        case ro::kDone:
            if (Context) *Context = reinterpret_cast<PVOID>(value & ~ro::kStateMask);
            return STATUS_SUCCESS;
        case ro::kNotStarted:
            if (Flags & RTL_RUN_ONCE_CHECK_ONLY) return STATUS_UNSUCCESSFUL;
            if (word.compare_exchange_weak(value, async ? ro::kAsyncPending : ro::kSyncPending,
                                           std::memory_order_acq_rel, std::memory_order_acquire))
                return STATUS_PENDING;
            continue;
        case ro::kAsyncPending:
            if (Flags & RTL_RUN_ONCE_CHECK_ONLY) return STATUS_UNSUCCESSFUL;
            return async ? STATUS_PENDING : STATUS_INVALID_PARAMETER;
        default:  // kSyncPending
            if (Flags & RTL_RUN_ONCE_CHECK_ONLY) return STATUS_UNSUCCESSFUL;
            if (async) return STATUS_INVALID_PARAMETER;
            ro::wait_for_initializer(word, value);
            value = word.load(std::memory_order_acquire);
            continue;
        }
    }
}

// Synchronous: only the caller that got STATUS_PENDING completes; success publishes Context, failure
// (INIT_FAILED) returns the structure to "not started" and wakes the waiters, one of which then
// begins again. Asynchronous: the first successful completion wins, later ones get
// STATUS_UNSUCCESSFUL (Learn: "another thread completed the initialization"); a failed asynchronous
// attempt changes nothing, since other attempts may still be running (not documented: the
// conservative choice, see docs/nt-deviations.md). A Context with its reserved low bits set, or a
// call with no initialization begun, is STATUS_INVALID_PARAMETER / STATUS_UNSUCCESSFUL.
NTSYSAPI NTSTATUS NTAPI RtlRunOnceComplete(PRTL_RUN_ONCE RunOnce, ULONG Flags, PVOID Context) {
    if (!RunOnce || (Flags & ~(RTL_RUN_ONCE_ASYNC | RTL_RUN_ONCE_INIT_FAILED)) != 0) return STATUS_INVALID_PARAMETER;
    const bool failed = (Flags & RTL_RUN_ONCE_INIT_FAILED) != 0;
    const auto context = reinterpret_cast<ULONG_PTR>(Context);
    if (!failed && (context & ro::kStateMask) != 0) return STATUS_INVALID_PARAMETER;
    auto word = ro::word_of(RunOnce);
    ULONG_PTR value = word.load(std::memory_order_acquire);
    if (Flags & RTL_RUN_ONCE_ASYNC) {
        for (;;) {
            const ULONG_PTR state = value & ro::kStateMask;
            if (state == ro::kSyncPending) return STATUS_INVALID_PARAMETER;
            if (state != ro::kAsyncPending) return STATUS_UNSUCCESSFUL;
            if (failed) return STATUS_SUCCESS;
            if (word.compare_exchange_weak(value, context | ro::kDone, std::memory_order_acq_rel,
                                           std::memory_order_acquire))
                return STATUS_SUCCESS;
        }
    }
    const ULONG_PTR state = value & ro::kStateMask;
    if (state == ro::kAsyncPending) return STATUS_INVALID_PARAMETER;
    if (state != ro::kSyncPending) return STATUS_UNSUCCESSFUL;
    const ULONG_PTR waiters = word.exchange(failed ? ro::kNotStarted : (context | ro::kDone), std::memory_order_acq_rel);
    ro::wake_all(waiters);
    return STATUS_SUCCESS;
}

// Runs with normal kernel APCs disabled (Learn, Remarks). InitFn failing returns the structure to
// "not started" and the caller gets STATUS_UNSUCCESSFUL.
NTSYSAPI NTSTATUS NTAPI RtlRunOnceExecuteOnce(PRTL_RUN_ONCE RunOnce, PRTL_RUN_ONCE_INIT_FN InitFn, PVOID Parameter,
                                              PVOID* Context) {
    if (!RunOnce || !InitFn) return STATUS_INVALID_PARAMETER;
    KeEnterCriticalRegion();
    PVOID value = nullptr;
    NTSTATUS status = RtlRunOnceBeginInitialize(RunOnce, 0, &value);
    if (status == STATUS_PENDING) {
        value = nullptr;
        if (InitFn(RunOnce, Parameter, &value)) {
            status = RtlRunOnceComplete(RunOnce, 0, value);
            if (!NT_SUCCESS(status)) (void)RtlRunOnceComplete(RunOnce, RTL_RUN_ONCE_INIT_FAILED, nullptr);
        } else {
            (void)RtlRunOnceComplete(RunOnce, RTL_RUN_ONCE_INIT_FAILED, nullptr);
            status = STATUS_UNSUCCESSFUL;
        }
    }
    KeLeaveCriticalRegion();
    if (status == STATUS_SUCCESS && Context) *Context = value;
    return status;
}

}  // extern "C"

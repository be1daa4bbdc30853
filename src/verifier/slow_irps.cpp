// Spec 2.4's first check, which I/O verification has made since Windows Vista: "IRPs that take a long
// time to complete and cancel that originate from user-mode applications" (I/O Verification on
// Learn). A user-mode request (RequestorMode UserMode) that a Level 2 dispatch saw is watched from
// then on. The verifier reports it when either of these holds:
//   - it is still pending after the completion limit while no cancel routine is set, so nothing can
//     cancel it. The NT I/O talk's rule is that "drivers which queue IRPs for a long time (> 1 second)
//     should set a cancel routine in the IRP", and a thread cannot exit while such an IRP is pending;
//   - it is still not completed after the cancel limit, counted from IoCancelIrp.
// Learn names neither a subcode nor a limit; ntio's choices (0x400 and 0x401, 30 s and 10 s) are in
// docs/nt-deviations.md. A periodic timer of the verifier scans the watched requests once a second
// while any are tracked; NtioVerifierCheckPendingIrps scans on the calling thread.
#include <array>
#include <chrono>
#include <mutex>
#include <vector>

#include "ke/kernel.hpp"
#include "verifier/state.hpp"
#include "verifier/verifier.hpp"

namespace ntio::verifier {
namespace {

constexpr ULONG kDefaultCompleteMs = 30'000;
constexpr ULONG kDefaultCancelMs = 10'000;
std::atomic<ULONG> g_complete_ms{kDefaultCompleteMs};
std::atomic<ULONG> g_cancel_ms{kDefaultCancelMs};

struct SlowIrp {
    PIRP irp;
    PDEVICE_OBJECT device;
    PVOID routine;
    bool cancelled;
};

// The device whose driver holds the IRP now (its current location's), or nullptr.
PDEVICE_OBJECT holder(PIRP irp) noexcept {
    if (irp->CurrentLocation < 1 || irp->CurrentLocation > irp->StackCount) return nullptr;
    return irp->Tail.Overlay.CurrentStackLocation->DeviceObject;
}

// Up to kScanBatch requests past a limit at `now`, each reported once (more wait for the next scan);
// the holder must be a driver the verifier checks at Level 2 (an unverified driver's queue is not
// judged). On the stack, not the heap: a report may leave through a test's bugcheck hook (a longjmp)
// and a vector's memory would leak.
constexpr std::size_t kScanBatch = 16;
struct SlowIrps {
    std::array<SlowIrp, kScanBatch> irps;
    std::size_t count = 0;
};
SlowIrps find_slow_irps(std::uint64_t now) {
    SlowIrps found;
    const std::uint64_t complete_ns = std::uint64_t{g_complete_ms.load(std::memory_order_relaxed)} * 1'000'000;
    const std::uint64_t cancel_ns = std::uint64_t{g_cancel_ms.load(std::memory_order_relaxed)} * 1'000'000;
    std::lock_guard guard(tracking_lock());
    // Freeing an IRP erases its record under this lock first: every IRP read here is alive.
    for (const RecordRef& ref : all_records_locked()) {
        if (found.count == kScanBatch) break;
        IrpRecord& record = *ref;
        if (!record.user_request || record.slow_reported || record.completions > 0 || record.freed) continue;
        PIRP irp = record.irp;
        PDEVICE_OBJECT device = holder(irp);
        if (!device || !io_level2(device_flags(device))) continue;
        const bool cancelled = record.cancelled_at_ns != 0;
        if (cancelled) {
            if (now - record.cancelled_at_ns < cancel_ns) continue;
        } else {
            if (now - record.watched_since_ns < complete_ns) continue;
            if (__atomic_load_n(&irp->CancelRoutine, __ATOMIC_RELAXED)) continue;
        }
        record.slow_reported = true;
        PVOID routine = reinterpret_cast<PVOID>(
            device->DriverObject->MajorFunction[irp->Tail.Overlay.CurrentStackLocation->MajorFunction]);
        found.irps[found.count++] = {irp, device, routine, cancelled};
    }
    return found;
}

// Reported outside the tracking lock (a test's bugcheck hook leaves through a longjmp). The IRP may
// have completed since: only its address is printed.
void report_slow_irps(const SlowIrps& found) {
    for (std::size_t i = 0; i < found.count; ++i) {
        const SlowIrp& slow = found.irps[i];
        wdm_error(slow.cancelled ? 0x401 : 0x400, slow.routine, slow.irp, slow.device, Severity::StrictOnly, nullptr,
                  slow.cancelled ? "a user-mode request was cancelled and has not completed within the cancel limit"
                                 : "a user-mode request has been pending beyond the completion limit with no cancel "
                                   "routine set, so nothing can cancel it",
                  slow.device->DriverObject, nullptr);
    }
}

void scan(std::uint64_t elapsed_ns) {
    if (!any_records()) return;
    const SlowIrps found = find_slow_irps(watch_clock_ns() + elapsed_ns);
    if (found.count) report_slow_irps(found);
}

// The periodic scan: a KTIMER with a DPC, armed on the kernel of the first user-mode request watched
// (and again on a later kernel of the process: a kernel that stops disarms its timers).
KTIMER g_timer;
KDPC g_dpc;
std::mutex g_arm_lock;
bool g_timer_initialized = false;                // under g_arm_lock
std::atomic<std::uint64_t> g_armed_generation{0};  // the kernel it is armed on (0: none)

VOID NTAPI scan_dpc(PKDPC, PVOID, PVOID, PVOID) { scan(0); }

}  // namespace

std::uint64_t watch_clock_ns() noexcept {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count());
}

void start_slow_irp_watch() noexcept {
    _KTHREAD* thread = ke::current_thread_if_any();
    if (!thread) return;
    const std::uint64_t generation = thread->m_kernel->generation();
    if (g_armed_generation.load(std::memory_order_acquire) == generation) return;
    std::lock_guard guard(g_arm_lock);
    if (g_armed_generation.load(std::memory_order_relaxed) == generation) return;
    // The runtime's own timer: no driver's context, so no driver is charged with it.
    ContextScope scope(nullptr);
    if (g_timer_initialized) (void)KeCancelTimer(&g_timer);  // wherever it is still armed
    KeInitializeTimerEx(&g_timer, NotificationTimer);
    KeInitializeDpc(&g_dpc, scan_dpc, nullptr);
    g_timer_initialized = true;
    LARGE_INTEGER due;
    due.QuadPart = -10'000'000;  // 1 s, relative
    (void)KeSetTimerEx(&g_timer, due, 1000, &g_dpc);
    g_armed_generation.store(generation, std::memory_order_release);
}

}  // namespace ntio::verifier

extern "C" {

VOID NtioVerifierSetIrpTimeouts(ULONG CompleteMilliseconds, ULONG CancelMilliseconds) {
    using namespace ntio::verifier;
    g_complete_ms.store(CompleteMilliseconds ? CompleteMilliseconds : kDefaultCompleteMs);
    g_cancel_ms.store(CancelMilliseconds ? CancelMilliseconds : kDefaultCancelMs);
}

VOID NtioVerifierCheckPendingIrps(ULONG ElapsedMilliseconds) {
    ntio::verifier::scan(std::uint64_t{ElapsedMilliseconds} * 1'000'000);
}

}  // extern "C"

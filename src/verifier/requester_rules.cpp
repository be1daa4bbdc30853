// A driver's own requests (IoBuild*Request) under I/O verification: an unusable buffer handed to
// IoBuildAsynchronousFsdRequest / IoBuildDeviceIoControlRequest (0xC9 0x08 / 0x09), and, when the
// request completes, an I/O status block or event on a stack frame that has already returned (0x0C /
// 0x0D), or an event that was signalled before the pending request completed (0x307: the requester's
// wait returned at once and it went on while the I/O ran). Subcodes and parameters:
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc9--driver-verifier-iomanager-violation
#include <cstdint>

#include "host/thread.hpp"
#include "ke/thread.hpp"
#include "verifier/state.hpp"
#include "verifier/verifier.hpp"

namespace ntio::verifier {
namespace {

ULONG_PTR ptr(const void* p) noexcept { return reinterpret_cast<ULONG_PTR>(p); }

}  // namespace

// P2 the device, P3 the major function or control code, P4 the status of the failed access (NT's
// exception code; ntio's fault-fixed reads and probes return it as a status). Level 1 rules.
void on_invalid_build_buffer(ULONG_PTR subcode, PDEVICE_OBJECT device, ULONG code, NTSTATUS status) noexcept {
    PDRIVER_OBJECT caller = context_driver();
    if (!caller || !(driver_flags(caller) & NTIO_VERIFIER_IO_CHECKING)) return;
    report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, subcode, ptr(device), code, static_cast<ULONG>(status),
            Severity::Always, nullptr,
            subcode == 0x08 ? "IoBuildAsynchronousFsdRequest was passed a buffer it cannot access"
                            : "IoBuildDeviceIoControlRequest was passed a buffer it cannot access",
            caller, nullptr, nullptr});
}

// The requester is the verified driver the IRP is charged to (its code allocated it through
// IoBuild*Request). "Already unwound" is decided soundly, and so only on the requesting thread: ntio
// threads are host threads with one stack each, and this function's frame is the deepest live one,
// so an address of that thread's stack below it belongs to a frame that has returned. NT deviation:
// a request completed on another thread is not checked (that thread's stack pointer is unknown), nor
// one whose dead frame lies above the completion's (the thread went deeper again); either way a
// report is never false.
void on_request_final_stage(PIRP irp) noexcept {
    PDRIVER_OBJECT requester = charged_driver(irp);
    const ULONG flags = driver_flags(requester);
    if (!(flags & NTIO_VERIFIER_IO_CHECKING)) return;
    PVOID iosb = irp->UserIosb;
    PVOID event = irp->UserEvent;
    PETHREAD thread = irp->Tail.Overlay.Thread;
    std::uintptr_t low = 0;
    std::uintptr_t high = 0;
    if (thread && thread == reinterpret_cast<PETHREAD>(ke::current_thread_if_any()) &&
        host::current_thread_stack(low, high)) {
        const auto deepest_live = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
        auto dead = [&](PVOID p) {
            const auto a = reinterpret_cast<std::uintptr_t>(p);
            return a >= low && a < deepest_live;
        };
        if (iosb && dead(iosb))
            report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x0C, ptr(iosb), 0, 0, Severity::Always, nullptr,
                    "the request's I/O status block is on a stack frame that has already returned", requester, irp,
                    nullptr});
        if (event && dead(event))
            report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x0D, ptr(event), 0, 0, Severity::Always, nullptr,
                    "the request's event is on a stack frame that has already returned", requester, irp, nullptr});
    }
    // 0x307 (Level 2): "the driver issued an I/O request with an event that was already signaled and
    // received a STATUS_PENDING response. This can result in unwinding before the I/O is complete."
    // NT deviation: seen at completion (the request pended and its event is signalled before the
    // I/O manager sets it), not when IoCallDriver returns; an event another party signalled in
    // between is the same early wake-up.
    if (io_level2(flags) && event && irp->PendingReturned && KeReadStateEvent(static_cast<PRKEVENT>(event)) != 0)
        report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x307, 0, ptr(irp), 0, Severity::Always, nullptr,
                "the request pended but its event was signalled before it completed (the requester's wait "
                "returned early)",
                requester, irp, nullptr});
}

}  // namespace ntio::verifier

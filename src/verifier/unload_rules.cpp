// The pending-operation checks when a verified driver unloads (spec 2.5, 4 "Pool tracking"): a
// KTIMER still set, a KDPC still queued, a work item (executive or IO_WORKITEM) still queued or a
// system thread still running whose routine (or whose object) is in the driver's image would run
// code or touch memory that is gone: bug check 0xCE DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS, "This driver failed to
// cancel lookaside lists, DPCs, worker threads, or other such items before unload."
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xce--driver-unloaded-without-cancelling-pending-operations
#include <cstdint>
#include <cstdio>

#include "host/image.hpp"
#include "ke/dpc_processor.hpp"
#include "ke/kernel.hpp"
#include "ke/timer_engine.hpp"
#include "ntio/system.hpp"
#include "verifier/pending_work.hpp"
#include "verifier/state.hpp"

namespace ntio::verifier {
namespace {

struct Image {
    std::uintptr_t start = 0;
    std::uintptr_t end = 0;
    bool contains(const void* p) const noexcept {
        const auto a = reinterpret_cast<std::uintptr_t>(p);
        return a >= start && a < end;
    }
};

// The driver's image: DriverStart / DriverSize when the loader set them, else the loaded object
// (shared object or executable) holding its DriverEntry, as the host's dynamic loader mapped it.
// NT deviation: a driver created in-process with NtioCreateDriver has the host executable for an
// image, so every routine of that executable counts as the driver's.
bool driver_image(PDRIVER_OBJECT driver, Image* image) noexcept {
    if (driver->DriverStart && driver->DriverSize) {
        image->start = reinterpret_cast<std::uintptr_t>(driver->DriverStart);
        image->end = image->start + driver->DriverSize;
        return true;
    }
    if (!driver->DriverInit) return false;
    return host::image_extent_of(reinterpret_cast<const void*>(driver->DriverInit), image->start, image->end);
}

enum class PendingKind : ULONG_PTR { Irp = 1, Timer = 2, Dpc = 3, WorkItem = 4, Thread = 5 };

struct Finding {
    const Image* image;
    PendingKind kind = PendingKind::Irp;
    const void* object = nullptr;   // the KTIMER, KDPC or WORK_QUEUE_ITEM
    const void* routine = nullptr;  // the routine that would run
    bool found = false;

    void note(PendingKind k, const void* o, const void* r) noexcept {
        if (found) return;
        if (!image->contains(r) && !image->contains(o)) return;
        kind = k;
        object = o;
        routine = r ? r : o;
        found = true;
    }
};

void visit_timer(PKTIMER timer, void* context) {
    PKDPC dpc = timer->Dpc;
    auto* finding = static_cast<Finding*>(context);
    // A timer without a DPC runs nothing, but if it lives in the image the engine still links it.
    finding->note(PendingKind::Timer, timer, dpc ? reinterpret_cast<const void*>(dpc->DeferredRoutine) : nullptr);
    if (dpc) finding->note(PendingKind::Timer, dpc, reinterpret_cast<const void*>(dpc->DeferredRoutine));
}

void visit_dpc(PRKDPC dpc, void* context) {
    static_cast<Finding*>(context)->note(PendingKind::Dpc, dpc, reinterpret_cast<const void*>(dpc->DeferredRoutine));
}

void visit_work_item(PWORK_QUEUE_ITEM item, void* context) {
    const void* routine = io::io_work_item_routine(item);
    if (!routine) routine = reinterpret_cast<const void*>(item->WorkerRoutine);
    static_cast<Finding*>(context)->note(PendingKind::WorkItem, item, routine);
}

// A system thread the driver started (PsCreateSystemThread with a start routine in its image) that
// has not terminated: DriverUnload must wait for its threads to end (on the thread object), since the
// thread still runs the image's code. The seed: "Verifier checks for uncanceled timers and worker
// threads after unload".
// The runtime's own threads (DPC processors, system workers, the I/O manager's) start in this library:
// never a driver's, even for the drivers the runtime itself creates (their image is this library).
struct ThreadVisit {
    Finding* finding;
    Image runtime;
};

void visit_thread(_KTHREAD* thread, void* context) {
    auto* visit = static_cast<ThreadVisit*>(context);
    const void* routine = reinterpret_cast<const void*>(thread->m_start_routine);
    if (!thread->m_is_system_thread || ke::is_terminated(thread) || visit->runtime.contains(routine)) return;
    visit->finding->note(PendingKind::Thread, thread, routine);
}

const char* kind_text(PendingKind kind) noexcept {
    switch (kind) {
    case PendingKind::Timer: return "a timer still set whose DPC routine is in the driver's image";
    case PendingKind::Dpc: return "a DPC still queued whose routine is in the driver's image";
    case PendingKind::WorkItem: return "a work item still queued whose routine is in the driver's image";
    case PendingKind::Thread: return "a system thread still running whose start routine is in the driver's image";
    default: return "a pending operation";
    }
}

}  // namespace

// 0xCE for the first timer, DPC or work item found. Parameters (Learn): memory referenced (the
// routine that would run in the unloaded image), 0 read, the address that references it (the
// KTIMER / KDPC / WORK_QUEUE_ITEM), reserved.
// NT deviation: parameter 4 (reserved on Windows) says what was pending: 1 IRP, 2 timer, 3 DPC,
// 4 work item, 5 system thread (parameter 3 its KTHREAD). Windows stops on a thread only when it runs
// unloaded code; ntio reports it at the unload.
void check_pending_operations(PDRIVER_OBJECT driver) noexcept {
    Image image;
    if (!driver_image(driver, &image)) return;
    System* system = System::current();
    if (!system) return;
    Finding finding{&image};
    ke::Kernel& kernel = system->kernel();
    kernel.timers().for_each_armed(visit_timer, &finding);
    for (unsigned i = 0; i < kernel.processor_count() && !finding.found; ++i)
        kernel.dpc_processor(i).for_each_queued(visit_dpc, &finding);
    if (!finding.found) ex::for_each_pending_work_item(visit_work_item, &finding);
    if (!finding.found) {
        ThreadVisit visit{&finding, {}};
        (void)host::image_extent_of(reinterpret_cast<const void*>(&check_pending_operations), visit.runtime.start,
                                    visit.runtime.end);
        kernel.for_each_thread(visit_thread, &visit);
    }
    if (!finding.found) return;
    forget_driver_slot(driver, true);  // the report is made once, whatever a surviving test does next
    report({DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS, reinterpret_cast<ULONG_PTR>(finding.routine), 0,
            reinterpret_cast<ULONG_PTR>(finding.object), static_cast<ULONG_PTR>(finding.kind), Severity::Always,
            nullptr, kind_text(finding.kind), driver, nullptr, nullptr});
}

}  // namespace ntio::verifier

// PoQueueShutdownWorkItem: a work item (ExInitializeWorkItem) run once when the system shuts down.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-poqueueshutdownworkitem
// ntio's system shutdown is the destruction of the System: the item runs among its first steps
// (System::at_shutdown hooks), at PASSIVE_LEVEL on the thread shutting the System down, before
// applications end and drivers unload. Guesses (docs/nt-deviations.md, Power): the run order
// (most recently queued first, the order of the shutdown hooks) and STATUS_SYSTEM_SHUTDOWN for an
// item queued once shutdown has begun.
#include "io/objects.hpp"
#include "ntio/system.hpp"

namespace {

void run_shutdown_item(void* context) {
    auto* item = static_cast<PWORK_QUEUE_ITEM>(context);
    item->List.Flink = nullptr;  // dequeued before it runs: the routine may free or requeue it
    item->WorkerRoutine(item->Parameter);
}

}  // namespace

extern "C" {

NTSTATUS NTAPI PoQueueShutdownWorkItem(PWORK_QUEUE_ITEM WorkItem) {
    if (!WorkItem || !WorkItem->WorkerRoutine) return STATUS_INVALID_PARAMETER;
    ntio::System* system = ntio::System::current();
    if (!system) return STATUS_SYSTEM_SHUTDOWN;
    if (!system->try_at_shutdown(run_shutdown_item, WorkItem)) return STATUS_SYSTEM_SHUTDOWN;
    return STATUS_SUCCESS;
}

}  // extern "C"

// I/O work items: an executive work item bound to a device or driver object. Queuing references
// that object and the reference is dropped after the routine returns, so the driver's code and
// device cannot go away while a routine of theirs is queued or running (NT fact L10 relies on it).
#include "io/objects.hpp"
#include "verifier/pending_work.hpp"

// The body behind the opaque PIO_WORKITEM. Drivers that embed one (IoInitializeWorkItem) allocate
// IoSizeofWorkItem() bytes for it.
struct _IO_WORKITEM {
    WORK_QUEUE_ITEM item;          // what ExQueueWorkItem queues
    PVOID io_object;               // device object (IoAllocateWorkItem) or driver/device object
    PVOID routine;                 // PIO_WORKITEM_ROUTINE or PIO_WORKITEM_ROUTINE_EX
    PVOID context;
    bool ex_routine;               // routine has the IoQueueWorkItemEx signature
    bool allocated;                // from IoAllocateWorkItem (IoFreeWorkItem frees it)
    std::atomic<bool> queued;      // between IoQueueWorkItem and the routine's start
};

namespace ntio::io {
namespace {

constexpr ULONG kWorkItemTag = 0x6B576F49;  // "IoWk"

VOID NTAPI run_work_item(PVOID parameter) {
    auto* work = static_cast<PIO_WORKITEM>(parameter);
    // The routine may free or requeue the item: take what is needed afterwards first.
    PVOID object = work->io_object;
    PVOID routine = work->routine;
    PVOID context = work->context;
    const bool ex = work->ex_routine;
    work->queued.store(false, std::memory_order_release);
    if (ex) {
        reinterpret_cast<PIO_WORKITEM_ROUTINE_EX>(routine)(object, context, work);
    } else {
        reinterpret_cast<PIO_WORKITEM_ROUTINE>(routine)(static_cast<PDEVICE_OBJECT>(object), context);
    }
    ObDereferenceObject(object);
}

void initialize(PIO_WORKITEM work, PVOID object, bool allocated) noexcept {
    ExInitializeWorkItem(&work->item, run_work_item, work);
    work->io_object = object;
    work->routine = nullptr;
    work->context = nullptr;
    work->ex_routine = false;
    work->allocated = allocated;
    new (&work->queued) std::atomic<bool>(false);
}

void queue(PIO_WORKITEM work, PVOID routine, bool ex, WORK_QUEUE_TYPE type, PVOID context) {
    if (work->queued.exchange(true, std::memory_order_acq_rel)) {
        // Queuing an item that is still queued would link it twice.
        KeBugCheckEx(WORKER_INVALID, 1, reinterpret_cast<ULONG_PTR>(&work->item), static_cast<ULONG_PTR>(type), 0);
    }
    work->routine = routine;
    work->context = context;
    work->ex_routine = ex;
    ObReferenceObject(work->io_object);
    ExQueueWorkItem(&work->item, type);
}

}  // namespace

PVOID io_work_item_routine(PWORK_QUEUE_ITEM item) noexcept {
    if (item->WorkerRoutine != run_work_item) return nullptr;
    // Still queued: the IO_WORKITEM cannot be freed (IoFreeWorkItem bugchecks) nor requeued.
    return static_cast<PIO_WORKITEM>(item->Parameter)->routine;
}

}  // namespace ntio::io

using namespace ntio;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioallocateworkitem
PIO_WORKITEM NTAPI IoAllocateWorkItem(PDEVICE_OBJECT DeviceObject) {
    auto* work = static_cast<PIO_WORKITEM>(ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(_IO_WORKITEM), io::kWorkItemTag));
    if (!work) return nullptr;
    io::initialize(work, DeviceObject, true);
    return work;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iofreeworkitem
// Only an item that is not queued; its own routine may free it (it is dequeued before it runs).
VOID NTAPI IoFreeWorkItem(PIO_WORKITEM IoWorkItem) {
    if (IoWorkItem->queued.load(std::memory_order_acquire)) {
        // WORKER_INVALID 0: a queued work item inside memory being freed (item, block start, end).
        const auto start = reinterpret_cast<ULONG_PTR>(IoWorkItem);
        KeBugCheckEx(WORKER_INVALID, 0, reinterpret_cast<ULONG_PTR>(&IoWorkItem->item), start, start + sizeof(_IO_WORKITEM));
    }
    ExFreePoolWithTag(IoWorkItem, io::kWorkItemTag);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioqueueworkitem
VOID NTAPI IoQueueWorkItem(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE WorkerRoutine, WORK_QUEUE_TYPE QueueType,
                           PVOID Context) {
    io::queue(IoWorkItem, reinterpret_cast<PVOID>(WorkerRoutine), false, QueueType, Context);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioqueueworkitemex
VOID NTAPI IoQueueWorkItemEx(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE_EX WorkerRoutine, WORK_QUEUE_TYPE QueueType,
                             PVOID Context) {
    io::queue(IoWorkItem, reinterpret_cast<PVOID>(WorkerRoutine), true, QueueType, Context);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iosizeofworkitem
ULONG NTAPI IoSizeofWorkItem(VOID) { return sizeof(_IO_WORKITEM); }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioinitializeworkitem
// IoObject is the caller's driver object or one of its device objects.
VOID NTAPI IoInitializeWorkItem(PVOID IoObject, PIO_WORKITEM IoWorkItem) { io::initialize(IoWorkItem, IoObject, false); }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iouninitializeworkitem
VOID NTAPI IoUninitializeWorkItem(PIO_WORKITEM IoWorkItem) {
    if (IoWorkItem->queued.load(std::memory_order_acquire)) {
        // WORKER_INVALID 0: a queued work item inside memory being freed (item, block start, end).
        const auto start = reinterpret_cast<ULONG_PTR>(IoWorkItem);
        KeBugCheckEx(WORKER_INVALID, 0, reinterpret_cast<ULONG_PTR>(&IoWorkItem->item), start, start + sizeof(_IO_WORKITEM));
    }
    IoWorkItem->io_object = nullptr;
}

}  // extern "C"

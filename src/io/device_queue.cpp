// KDEVICE_QUEUE: the busy flag plus an ordered list of waiting entries that IoStartPacket and
// drivers with their own queues use (NT facts C4, C5). Every operation holds the queue's spin lock at
// DISPATCH_LEVEL; callers may already be there (the WDK asks for DISPATCH_LEVEL for most of them),
// and a caller below it is raised for the duration rather than bugchecked, as on Windows.
#include "io/objects.hpp"
#include "verifier/verifier.hpp"

namespace {

class QueueLock {
public:
    explicit QueueLock(PKDEVICE_QUEUE queue) noexcept : m_lock(&queue->Lock) { m_irql = KeAcquireSpinLockRaiseToDpc(m_lock); }
    ~QueueLock() { KeReleaseSpinLock(m_lock, m_irql); }
    QueueLock(const QueueLock&) = delete;
    QueueLock& operator=(const QueueLock&) = delete;

private:
    PKSPIN_LOCK m_lock;
    KIRQL m_irql;
};

PKDEVICE_QUEUE_ENTRY entry_of(PLIST_ENTRY link) noexcept {
    return CONTAINING_RECORD(link, KDEVICE_QUEUE_ENTRY, DeviceListEntry);
}

PKDEVICE_QUEUE_ENTRY take_locked(PLIST_ENTRY link) noexcept {
    RemoveEntryList(link);
    PKDEVICE_QUEUE_ENTRY entry = entry_of(link);
    entry->Inserted = FALSE;
    if (ntio::verifier::active()) [[unlikely]] ntio::verifier::on_device_queue_remove(entry);
    return entry;
}

// Microsoft Learn, KeRemoveByKeyDeviceQueue: the first entry whose key is >= SortKey, else the first
// entry. Empty queue: not busy any more, NULL.
PKDEVICE_QUEUE_ENTRY remove_by_key_locked(PKDEVICE_QUEUE queue, ULONG sort_key) noexcept {
    PLIST_ENTRY head = &queue->DeviceListHead;
    if (IsListEmpty(head)) {
        queue->Busy = FALSE;
        return nullptr;
    }
    for (PLIST_ENTRY link = head->Flink; link != head; link = link->Flink)
        if (entry_of(link)->SortKey >= sort_key) return take_locked(link);
    return take_locked(head->Flink);
}

}  // namespace

extern "C" {

// NT fact C4: Type DeviceQueueObject (IO_TYPE_DEVICE_QUEUE), Size sizeof, not busy, empty.
NTKERNELAPI VOID NTAPI KeInitializeDeviceQueue(PKDEVICE_QUEUE DeviceQueue) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeDispatchLte);
    DeviceQueue->Type = IO_TYPE_DEVICE_QUEUE;
    DeviceQueue->Size = sizeof(KDEVICE_QUEUE);
    InitializeListHead(&DeviceQueue->DeviceListHead);
    KeInitializeSpinLock(&DeviceQueue->Lock);
    DeviceQueue->Hint = 0;
    DeviceQueue->Reserved = 0;
    DeviceQueue->Busy = FALSE;
}

// NT fact C4: on an idle queue the entry is not inserted, the queue just becomes busy and the caller
// is told to start it now (FALSE); on a busy queue it goes to the tail (TRUE). No Cancel check (C5).
NTKERNELAPI BOOLEAN NTAPI KeInsertDeviceQueue(PKDEVICE_QUEUE DeviceQueue, PKDEVICE_QUEUE_ENTRY DeviceQueueEntry) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::DispatchOnly);
    QueueLock lock(DeviceQueue);
    if (!DeviceQueue->Busy) {
        DeviceQueue->Busy = TRUE;
        DeviceQueueEntry->Inserted = FALSE;
        return FALSE;
    }
    InsertTailList(&DeviceQueue->DeviceListHead, &DeviceQueueEntry->DeviceListEntry);
    DeviceQueueEntry->Inserted = TRUE;
    if (ntio::verifier::active()) [[unlikely]] ntio::verifier::on_device_queue_insert(DeviceQueueEntry);
    return TRUE;
}

// Microsoft Learn, KeInsertByKeyDeviceQueue: ascending SortKey order; an entry goes after the entries
// with an equal key, so equal keys stay first in, first out.
NTKERNELAPI BOOLEAN NTAPI KeInsertByKeyDeviceQueue(PKDEVICE_QUEUE DeviceQueue, PKDEVICE_QUEUE_ENTRY DeviceQueueEntry,
                                                   ULONG SortKey) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::DispatchOnly);
    QueueLock lock(DeviceQueue);
    DeviceQueueEntry->SortKey = SortKey;
    if (!DeviceQueue->Busy) {
        DeviceQueue->Busy = TRUE;
        DeviceQueueEntry->Inserted = FALSE;
        return FALSE;
    }
    PLIST_ENTRY head = &DeviceQueue->DeviceListHead;
    PLIST_ENTRY next = head->Flink;
    while (next != head && entry_of(next)->SortKey <= SortKey) next = next->Flink;
    InsertTailList(next, &DeviceQueueEntry->DeviceListEntry);  // i.e. just before next
    DeviceQueueEntry->Inserted = TRUE;
    if (ntio::verifier::active()) [[unlikely]] ntio::verifier::on_device_queue_insert(DeviceQueueEntry);
    return TRUE;
}

// NT fact C4: the head entry, the queue stays busy; empty: not busy, NULL.
NTKERNELAPI PKDEVICE_QUEUE_ENTRY NTAPI KeRemoveDeviceQueue(PKDEVICE_QUEUE DeviceQueue) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::DispatchOnly);
    QueueLock lock(DeviceQueue);
    if (IsListEmpty(&DeviceQueue->DeviceListHead)) {
        DeviceQueue->Busy = FALSE;
        return nullptr;
    }
    return take_locked(DeviceQueue->DeviceListHead.Flink);
}

NTKERNELAPI PKDEVICE_QUEUE_ENTRY NTAPI KeRemoveByKeyDeviceQueue(PKDEVICE_QUEUE DeviceQueue, ULONG SortKey) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::DispatchOnly);
    QueueLock lock(DeviceQueue);
    return remove_by_key_locked(DeviceQueue, SortKey);
}

// Microsoft Learn, KeRemoveByKeyDeviceQueueIfBusy: as KeRemoveByKeyDeviceQueue on a busy queue; an idle
// queue gives NULL and stays idle.
NTKERNELAPI PKDEVICE_QUEUE_ENTRY NTAPI KeRemoveByKeyDeviceQueueIfBusy(PKDEVICE_QUEUE DeviceQueue, ULONG SortKey) {
    QueueLock lock(DeviceQueue);
    if (!DeviceQueue->Busy) return nullptr;
    return remove_by_key_locked(DeviceQueue, SortKey);
}

// Microsoft Learn, KeRemoveEntryDeviceQueue: TRUE and unlinked if the entry was queued, else FALSE.
// The busy state is left alone (NT fact C5: a cancel routine removes its own queued IRP this way).
NTKERNELAPI BOOLEAN NTAPI KeRemoveEntryDeviceQueue(PKDEVICE_QUEUE DeviceQueue, PKDEVICE_QUEUE_ENTRY DeviceQueueEntry) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeDispatchLte);
    QueueLock lock(DeviceQueue);
    if (!DeviceQueueEntry->Inserted) return FALSE;
    take_locked(&DeviceQueueEntry->DeviceListEntry);
    return TRUE;
}

}  // extern "C"

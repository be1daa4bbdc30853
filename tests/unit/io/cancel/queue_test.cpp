// KDEVICE_QUEUE, StartIo and cancel-safe queues (NT facts C4, C5, B9, S12, S13, S14).
#include <atomic>

#include "cancel_test_driver.hpp"

namespace ntio::io::test {
namespace {

// ---- KDEVICE_QUEUE ----

// NT fact C4.
TEST(DeviceQueue, first_insert_only_marks_busy_then_entries_queue_and_drain) {
    KDEVICE_QUEUE q;
    memset(&q, 0xCC, sizeof(q));
    KeInitializeDeviceQueue(&q);
    EXPECT_EQ(q.Type, IO_TYPE_DEVICE_QUEUE);
    EXPECT_EQ(q.Size, static_cast<CSHORT>(sizeof(KDEVICE_QUEUE)));
    EXPECT_FALSE(q.Busy);
    EXPECT_TRUE(IsListEmpty(&q.DeviceListHead));

    KDEVICE_QUEUE_ENTRY a{}, b{}, c{};
    EXPECT_FALSE(KeInsertDeviceQueue(&q, &a));
    EXPECT_TRUE(q.Busy);
    EXPECT_FALSE(a.Inserted);
    EXPECT_TRUE(IsListEmpty(&q.DeviceListHead));
    EXPECT_TRUE(KeInsertDeviceQueue(&q, &b));
    EXPECT_TRUE(b.Inserted);
    EXPECT_TRUE(KeInsertDeviceQueue(&q, &c));

    EXPECT_EQ(KeRemoveDeviceQueue(&q), &b);
    EXPECT_FALSE(b.Inserted);
    EXPECT_TRUE(q.Busy);
    EXPECT_EQ(KeRemoveDeviceQueue(&q), &c);
    EXPECT_TRUE(q.Busy);
    EXPECT_EQ(KeRemoveDeviceQueue(&q), nullptr);
    EXPECT_FALSE(q.Busy);
}

// Microsoft Learn: KeInsertByKeyDeviceQueue keeps ascending key order (equal keys FIFO);
// KeRemoveByKeyDeviceQueue takes the first key >= SortKey, else the head; the IfBusy form leaves
// an idle queue alone; KeRemoveEntryDeviceQueue reports whether the entry was queued.
TEST(DeviceQueue, by_key_order_and_removal_rules) {
    KDEVICE_QUEUE q;
    KeInitializeDeviceQueue(&q);
    KDEVICE_QUEUE_ENTRY busy{}, k30{}, k10{}, k20{}, k20b{};
    EXPECT_EQ(KeRemoveByKeyDeviceQueueIfBusy(&q, 0), nullptr);
    EXPECT_FALSE(q.Busy);
    EXPECT_FALSE(KeInsertByKeyDeviceQueue(&q, &busy, 5));
    EXPECT_TRUE(KeInsertByKeyDeviceQueue(&q, &k30, 30));
    EXPECT_TRUE(KeInsertByKeyDeviceQueue(&q, &k10, 10));
    EXPECT_TRUE(KeInsertByKeyDeviceQueue(&q, &k20, 20));
    EXPECT_TRUE(KeInsertByKeyDeviceQueue(&q, &k20b, 20));
    EXPECT_EQ(k20.SortKey, 20u);

    EXPECT_EQ(KeRemoveByKeyDeviceQueue(&q, 15), &k20);
    EXPECT_EQ(KeRemoveByKeyDeviceQueue(&q, 31), &k10);  // nothing >= 31: the head
    EXPECT_TRUE(KeRemoveEntryDeviceQueue(&q, &k30));
    EXPECT_FALSE(KeRemoveEntryDeviceQueue(&q, &k30));
    EXPECT_EQ(KeRemoveByKeyDeviceQueueIfBusy(&q, 0), &k20b);
    EXPECT_EQ(KeRemoveByKeyDeviceQueueIfBusy(&q, 0), nullptr);
    EXPECT_FALSE(q.Busy);
}

VOID NTAPI CountingCancel(PDEVICE_OBJECT, PIRP Irp) {
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    ++*static_cast<int*>(Irp->Tail.Overlay.DriverContext[3]);
}

// NT fact C5: no Cancel check at insert; cancelling a queued IRP runs its routine but leaves the entry
// in the queue until it is removed.
TEST_F(CancelTest, cancelled_irp_enters_device_queue_and_stays_after_cancel) {
    KDEVICE_QUEUE q;
    KeInitializeDeviceQueue(&q);
    KDEVICE_QUEUE_ENTRY current{};
    ASSERT_FALSE(KeInsertDeviceQueue(&q, &current));

    PIRP cancelled = IoAllocateIrp(1, FALSE);
    PIRP queued = IoAllocateIrp(1, FALSE);
    ASSERT_TRUE(cancelled && queued);
    EXPECT_FALSE(IoCancelIrp(cancelled));
    EXPECT_TRUE(KeInsertDeviceQueue(&q, &cancelled->Tail.Overlay.DeviceQueueEntry));

    int calls = 0;
    EXPECT_TRUE(KeInsertDeviceQueue(&q, &queued->Tail.Overlay.DeviceQueueEntry));
    (void)IoSetCancelRoutine(queued, CountingCancel);
    // DriverContext[3] shares storage with nothing the device queue entry uses.
    queued->Tail.Overlay.DriverContext[3] = &calls;
    EXPECT_TRUE(IoCancelIrp(queued));
    EXPECT_EQ(calls, 1);
    EXPECT_TRUE(queued->Tail.Overlay.DeviceQueueEntry.Inserted);

    EXPECT_EQ(KeRemoveDeviceQueue(&q), &cancelled->Tail.Overlay.DeviceQueueEntry);
    EXPECT_EQ(KeRemoveDeviceQueue(&q), &queued->Tail.Overlay.DeviceQueueEntry);
    EXPECT_EQ(KeRemoveDeviceQueue(&q), nullptr);
    IoFreeIrp(cancelled);
    IoFreeIrp(queued);
}

// ---- StartIo ----

TEST_F(CancelTest, start_packet_runs_start_io_at_dispatch_and_queues_while_busy) {
    load();
    Outcome o[3];
    PIRP irps[3];
    for (int i = 0; i < 3; ++i) {
        irps[i] = make_read(kParkStartIo, o[i]);
        EXPECT_EQ(send(irps[i]), STATUS_PENDING);
    }
    EXPECT_EQ(ext()->StartIoCount, 1);
    EXPECT_EQ(ext()->StartIoOrder[0], irps[0]);
    EXPECT_EQ(ext()->StartIoIrql, DISPATCH_LEVEL);
    EXPECT_EQ(device()->CurrentIrp, irps[0]);
    EXPECT_TRUE(device()->DeviceQueue.Busy);
    for (int i = 0; i < 3; ++i) {
        DriverCompleteCurrentStartIo(device(), STATUS_SUCCESS);
        EXPECT_EQ(o[i].completions.load(), 1);
        EXPECT_EQ(o[i].status.load(), STATUS_SUCCESS);
    }
    EXPECT_EQ(ext()->StartIoCount, 3);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(ext()->StartIoOrder[i], irps[i]);
    EXPECT_EQ(device()->CurrentIrp, nullptr);
    EXPECT_FALSE(device()->DeviceQueue.Busy);
    for (PIRP irp : irps) IoFreeIrp(irp);
}

TEST_F(CancelTest, start_packet_with_key_orders_queued_packets_by_key) {
    load();
    Outcome o[4];
    PIRP irps[4];
    const ULONG keys[4] = {0, 30, 10, 20};
    for (int i = 0; i < 4; ++i) {
        irps[i] = make_read(kParkStartIo, o[i]);
        IoGetNextIrpStackLocation(irps[i])->Parameters.Read.ByteOffset.LowPart = keys[i];
        EXPECT_EQ(send(irps[i]), STATUS_PENDING);
    }
    for (int i = 0; i < 4; ++i) DriverCompleteCurrentStartIo(device(), STATUS_SUCCESS);
    ASSERT_EQ(ext()->StartIoCount, 4);
    EXPECT_EQ(ext()->StartIoOrder[0], irps[0]);
    EXPECT_EQ(ext()->StartIoOrder[1], irps[2]);  // key 10
    EXPECT_EQ(ext()->StartIoOrder[2], irps[3]);  // key 20
    EXPECT_EQ(ext()->StartIoOrder[3], irps[1]);  // key 30
    for (PIRP irp : irps) IoFreeIrp(irp);
}

// A packet cancelled while it waits in the device queue goes to the cancel routine given to
// IoStartPacket, which pulls it from the queue; StartIo never sees it.
TEST_F(CancelTest, cancel_of_queued_start_io_packet_removes_it_from_the_device_queue) {
    load();
    Outcome first, second, third;
    PIRP a = make_read(kParkStartIo, first);
    PIRP b = make_read(kParkStartIo, second);
    PIRP c = make_read(kParkStartIo, third);
    EXPECT_EQ(send(a), STATUS_PENDING);
    EXPECT_EQ(send(b), STATUS_PENDING);
    EXPECT_EQ(send(c), STATUS_PENDING);
    EXPECT_TRUE(IoCancelIrp(b));
    EXPECT_EQ(second.completions.load(), 1);
    EXPECT_EQ(second.status.load(), STATUS_CANCELLED);
    EXPECT_EQ(device()->CurrentIrp, a);
    DriverCompleteCurrentStartIo(device(), STATUS_SUCCESS);
    EXPECT_EQ(device()->CurrentIrp, c);
    DriverCompleteCurrentStartIo(device(), STATUS_SUCCESS);
    EXPECT_EQ(ext()->StartIoCount, 2);
    EXPECT_EQ(ext()->StartIoOrder[1], c);
    EXPECT_EQ(first.status.load(), STATUS_SUCCESS);
    EXPECT_EQ(third.status.load(), STATUS_SUCCESS);
    EXPECT_FALSE(device()->DeviceQueue.Busy);
    IoFreeIrp(a);
    IoFreeIrp(b);
    IoFreeIrp(c);
}

// IoStartPacket on an IRP already cancelled: once queued, nobody would cancel it again, so the
// cancel routine runs at once.
TEST_F(CancelTest, already_cancelled_packet_queued_by_start_packet_goes_to_its_cancel_routine) {
    load();
    Outcome first, second;
    PIRP a = make_read(kParkStartIo, first);
    PIRP b = make_read(kParkStartIo, second);
    EXPECT_EQ(send(a), STATUS_PENDING);
    EXPECT_FALSE(IoCancelIrp(b));
    EXPECT_EQ(send(b), STATUS_PENDING);
    EXPECT_EQ(ext()->CancelRoutineCalls, 1);
    EXPECT_EQ(second.completions.load(), 1);
    EXPECT_EQ(second.status.load(), STATUS_CANCELLED);
    DriverCompleteCurrentStartIo(device(), STATUS_SUCCESS);
    EXPECT_EQ(ext()->StartIoCount, 1);
    EXPECT_FALSE(device()->DeviceQueue.Busy);
    IoFreeIrp(a);
    IoFreeIrp(b);
}

// IoSetStartIoAttributes(NonCancelable): a packet handed to StartIo by IoStartNextPacket carries no
// cancel routine any more.
TEST_F(CancelTest, non_cancelable_attribute_strips_cancel_routine_at_dequeue) {
    load();
    IoSetStartIoAttributes(device(), FALSE, TRUE);
    Outcome first, second;
    PIRP a = make_read(kParkStartIo, first);
    PIRP b = make_read(kParkStartIo, second);
    EXPECT_EQ(send(a), STATUS_PENDING);
    EXPECT_EQ(send(b), STATUS_PENDING);
    EXPECT_NE(b->CancelRoutine, nullptr);
    // Complete a by hand (NonCancelable: its routine is gone) and start the next.
    EXPECT_EQ(a->CancelRoutine, nullptr);
    DriverCompleteRead(a, STATUS_SUCCESS, 0);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    IoStartNextPacket(device(), TRUE);
    KeLowerIrql(old);
    EXPECT_EQ(device()->CurrentIrp, b);
    EXPECT_EQ(b->CancelRoutine, nullptr);
    EXPECT_FALSE(IoCancelIrp(b));
    EXPECT_EQ(second.completions.load(), 0);
    DriverCompleteRead(b, STATUS_SUCCESS, 0);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    IoStartNextPacket(device(), TRUE);
    KeLowerIrql(old);
    EXPECT_EQ(device()->CurrentIrp, nullptr);
    IoFreeIrp(a);
    IoFreeIrp(b);
}

// Microsoft Learn, IoSetStartIoAttributes: with DeferredStartIo, a StartIo that calls
// IoStartNextPacket is not re-entered; the next packet starts once it returns. Without it, StartIo
// nests.
void start_io_chain(PDEVICE_OBJECT device, DeviceExtension* ext, PIRP (&irps)[3], Outcome (&o)[3]) {
    for (int i = 0; i < 3; ++i) EXPECT_EQ(IoCallDriver(device, irps[i]), STATUS_PENDING);
    ext->CompleteInStartIo = TRUE;
    DriverCompleteCurrentStartIo(device, STATUS_SUCCESS);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(o[i].status.load(), STATUS_SUCCESS);
    EXPECT_EQ(ext->StartIoCount, 3);
    EXPECT_EQ(device->CurrentIrp, nullptr);
    EXPECT_FALSE(device->DeviceQueue.Busy);
}

TEST_F(CancelTest, deferred_start_io_is_not_reentered) {
    load();
    IoSetStartIoAttributes(device(), TRUE, FALSE);
    Outcome o[3];
    PIRP irps[3];
    for (int i = 0; i < 3; ++i) irps[i] = make_read(kParkStartIo, o[i]);
    start_io_chain(device(), ext(), irps, o);
    EXPECT_EQ(ext()->StartIoMaxDepth, 1);
    for (PIRP irp : irps) IoFreeIrp(irp);
}

TEST_F(CancelTest, start_io_nests_without_deferred_attribute) {
    load();
    Outcome o[3];
    PIRP irps[3];
    for (int i = 0; i < 3; ++i) irps[i] = make_read(kParkStartIo, o[i]);
    start_io_chain(device(), ext(), irps, o);
    EXPECT_EQ(ext()->StartIoMaxDepth, 2);
    for (PIRP irp : irps) IoFreeIrp(irp);
}

// Microsoft Learn, IoStartPacket: drivers without StartIo cannot call it; Windows faults calling
// through NULL at DISPATCH_LEVEL, which ntio reports as that fault's stop code.
TEST_F(CancelTest, start_packet_without_start_io_bugchecks) {
    DRIVER_OBJECT driver{};
    DEVICE_OBJECT device{};
    device.Type = IO_TYPE_DEVICE;
    device.DriverObject = &driver;
    PIRP irp = IoAllocateIrp(1, FALSE);
    auto bc = ntio::test::catch_bugcheck([&] { IoStartPacket(&device, irp, nullptr, nullptr); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(DRIVER_IRQL_NOT_LESS_OR_EQUAL));
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    IoFreeIrp(irp);
}

VOID NTAPI IdleStartIo(PDEVICE_OBJECT, PIRP) {}

// The cancel routine of a StartIo driver that takes the packet out of the device queue but returns
// without releasing the cancel spin lock.
VOID NTAPI DequeueKeepingTheCancelLock(PDEVICE_OBJECT device, PIRP irp) {
    (void)KeRemoveEntryDeviceQueue(&device->DeviceQueue, &irp->Tail.Overlay.DeviceQueueEntry);
}

// IoStartPacket's already-cancelled packet goes to its cancel routine, and a routine that returns
// holding the cancel spin lock is bug check 0x11B there as after IoCancelIrp (Microsoft Learn,
// DRIVER_RETURNED_HOLDING_CANCEL_LOCK: P1 the IRP, P2 the routine).
TEST_F(CancelTest, start_packet_cancel_routine_returning_with_the_cancel_lock_bugchecks_0x11b) {
    DRIVER_OBJECT driver{};
    driver.DriverStartIo = IdleStartIo;
    DEVICE_OBJECT device{};
    device.Type = IO_TYPE_DEVICE;
    device.DriverObject = &driver;
    KeInitializeDeviceQueue(&device.DeviceQueue);
    device.DeviceQueue.Busy = TRUE;  // StartIo holds another packet: this one is queued
    PIRP irp = IoAllocateIrp(1, FALSE);
    ASSERT_NE(irp, nullptr);
    EXPECT_FALSE(IoCancelIrp(irp));  // cancelled before it reaches the driver's queue
    auto bc = ntio::test::catch_bugcheck([&] { IoStartPacket(&device, irp, nullptr, DequeueKeepingTheCancelLock); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(DRIVER_RETURNED_HOLDING_CANCEL_LOCK));
    EXPECT_EQ(bc->p1, reinterpret_cast<ULONG_PTR>(irp));
    EXPECT_EQ(bc->p2, reinterpret_cast<ULONG_PTR>(&DequeueKeepingTheCancelLock));
    EXPECT_TRUE(IsListEmpty(&device.DeviceQueue.DeviceListHead));
    // The lock was let go; the stop skipped IoStartPacket's return to the caller's IRQL.
    EXPECT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(PASSIVE_LEVEL);
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    IoReleaseCancelSpinLock(irql);
    irp->Cancel = FALSE;
    IoFreeIrp(irp);
}

// ---- Cancel-safe queues ----

// NT fact B9: IoCsqInsertIrp marks the IRP pending; the dispatch returns STATUS_PENDING without
// IoMarkIrpPending and the originator sees PendingReturned.
TEST_F(CancelTest, csq_insert_marks_pending_and_remove_next_returns_it) {
    load();
    Outcome outcome;
    PIRP irp = make_read(kParkCsq, outcome);
    EXPECT_EQ(send(irp), STATUS_PENDING);
    EXPECT_EQ(ext()->CsqInsertCalls, 1);
    EXPECT_NE(irp->CancelRoutine, nullptr);
    EXPECT_EQ(IoCsqRemoveNextIrp(&ext()->Csq, nullptr), irp);
    EXPECT_EQ(irp->CancelRoutine, nullptr);
    EXPECT_EQ(IoCsqRemoveNextIrp(&ext()->Csq, nullptr), nullptr);
    DriverCompleteRead(irp, STATUS_SUCCESS, 4);
    EXPECT_TRUE(outcome.pending_returned.load());
    EXPECT_EQ(outcome.status.load(), STATUS_SUCCESS);
    IoFreeIrp(irp);
}

// S12: cancelling a queued IRP completes it through CsqCompleteCanceledIrp and empties the queue.
TEST_F(CancelTest, csq_cancel_of_queued_irp_completes_through_callback) {
    load();
    Outcome outcome;
    PIRP irp = make_read(kParkCsq, outcome);
    EXPECT_EQ(send(irp), STATUS_PENDING);
    EXPECT_TRUE(IoCancelIrp(irp));
    EXPECT_EQ(ext()->CsqCanceledCompletions, 1);
    EXPECT_EQ(outcome.completions.load(), 1);
    EXPECT_EQ(outcome.status.load(), STATUS_CANCELLED);
    EXPECT_EQ(outcome.information.load(), 0u);
    EXPECT_TRUE(IsListEmpty(&ext()->CsqQueue));
    EXPECT_EQ(IoCsqRemoveNextIrp(&ext()->Csq, nullptr), nullptr);
    IoFreeIrp(irp);
}

// NT fact B9: an IRP already cancelled at insert does not stay in the queue.
TEST_F(CancelTest, csq_insert_of_cancelled_irp_completes_it_at_once) {
    load();
    Outcome outcome;
    PIRP irp = make_read(kParkCsq, outcome);
    EXPECT_FALSE(IoCancelIrp(irp));
    EXPECT_EQ(send(irp), STATUS_PENDING);
    EXPECT_EQ(ext()->CsqCanceledCompletions, 1);
    EXPECT_EQ(outcome.completions.load(), 1);
    EXPECT_EQ(outcome.status.load(), STATUS_CANCELLED);
    EXPECT_TRUE(IsListEmpty(&ext()->CsqQueue));
    EXPECT_EQ(irp->CancelRoutine, nullptr);
    IoFreeIrp(irp);
}

// Microsoft Learn, IoCsqRemoveIrp: the IRP named by the context, once; NULL after a cancel.
TEST_F(CancelTest, csq_remove_by_context_returns_irp_once_and_null_when_cancelled) {
    load();
    Outcome first, second;
    PIRP irp = make_read(kParkCsqContext, first);
    EXPECT_EQ(send(irp), STATUS_PENDING);
    EXPECT_EQ(ext()->Context.Irp, irp);
    EXPECT_EQ(ext()->Context.Csq, &ext()->Csq);
    EXPECT_EQ(IoCsqRemoveIrp(&ext()->Csq, &ext()->Context), irp);
    EXPECT_EQ(ext()->Context.Irp, nullptr);
    EXPECT_EQ(IoCsqRemoveIrp(&ext()->Csq, &ext()->Context), nullptr);
    DriverCompleteRead(irp, STATUS_SUCCESS, 0);

    PIRP other = make_read(kParkCsqContext, second);
    EXPECT_EQ(send(other), STATUS_PENDING);
    EXPECT_TRUE(IoCancelIrp(other));
    EXPECT_EQ(second.status.load(), STATUS_CANCELLED);
    EXPECT_EQ(ext()->Context.Irp, nullptr);
    EXPECT_EQ(IoCsqRemoveIrp(&ext()->Csq, &ext()->Context), nullptr);
    IoFreeIrp(irp);
    IoFreeIrp(other);
}

// S14: CLEANUP drains with IoCsqRemoveNextIrp(csq, FileObject); the peek callback does the matching.
TEST_F(CancelTest, csq_remove_next_with_file_filter_drains_only_that_file) {
    load();
    static char file_a, file_b;  // identities only; nothing dereferences them
    auto fa = reinterpret_cast<PFILE_OBJECT>(&file_a);
    auto fb = reinterpret_cast<PFILE_OBJECT>(&file_b);
    Outcome o[4];
    PIRP irps[4];
    for (int i = 0; i < 4; ++i) {
        irps[i] = make_read(kParkCsq, o[i], i % 2 ? fb : fa);
        EXPECT_EQ(send(irps[i]), STATUS_PENDING);
    }
    while (PIRP irp = IoCsqRemoveNextIrp(&ext()->Csq, fa)) {
        EXPECT_EQ(IoGetCurrentIrpStackLocation(irp)->FileObject, fa);
        DriverCompleteRead(irp, STATUS_CANCELLED, 0);
    }
    EXPECT_EQ(o[0].status.load(), STATUS_CANCELLED);
    EXPECT_EQ(o[2].status.load(), STATUS_CANCELLED);
    EXPECT_EQ(o[1].completions.load(), 0);
    EXPECT_EQ(o[3].completions.load(), 0);
    EXPECT_EQ(IoCsqRemoveNextIrp(&ext()->Csq, nullptr), irps[1]);
    EXPECT_EQ(IoCsqRemoveNextIrp(&ext()->Csq, nullptr), irps[3]);
    DriverCompleteRead(irps[1], STATUS_SUCCESS, 0);
    DriverCompleteRead(irps[3], STATUS_SUCCESS, 0);
    for (PIRP irp : irps) IoFreeIrp(irp);
}

// NT fact B9 / S13: a failing CsqInsertIrpEx leaves the IRP unqueued and without a cancel routine;
// the dispatch marks it pending again and keeps it as the request in progress.
TEST_F(CancelTest, csq_insert_ex_failure_returns_status_and_does_not_queue) {
    load(CancelTestExDriverEntry, L"CancelTestEx");
    Outcome first, second;
    PIRP a = make_read(kParkCsqEx, first);
    EXPECT_EQ(send(a), STATUS_PENDING);
    EXPECT_EQ(ext()->CurrentRequest, a);
    EXPECT_EQ(a->CancelRoutine, nullptr);
    EXPECT_TRUE(IsListEmpty(&ext()->CsqQueue));
    EXPECT_FALSE(IoCancelIrp(a));  // not cancelable while in progress (C1: Cancel still set)
    EXPECT_TRUE(a->Cancel);

    PIRP b = make_read(kParkCsqEx, second);
    EXPECT_EQ(send(b), STATUS_PENDING);
    EXPECT_EQ(ext()->CsqInsertCalls, 2);
    EXPECT_NE(b->CancelRoutine, nullptr);
    EXPECT_TRUE(IoCancelIrp(b));
    EXPECT_EQ(second.status.load(), STATUS_CANCELLED);

    ext()->CurrentRequest = nullptr;
    DriverCompleteRead(a, STATUS_CANCELLED, 0);  // the driver notices Cancel at its next step
    EXPECT_TRUE(first.pending_returned.load());
    EXPECT_EQ(first.completions.load(), 1);
    IoFreeIrp(a);
    IoFreeIrp(b);
}

// NT facts S12, S16. S12: a system thread waits on a semaphore, takes the next IRP with IoCsqRemoveNextIrp(csq, NULL)
// and completes each read with STATUS_SUCCESS and Information 4; unload stops it (S16).
TEST_F(CancelTest, csq_worker_thread_completes_queued_reads) {
    const std::size_t objects_before = object_count();
    load(CancelTestWorkerDriverEntry, L"CancelTestWorker");
    Outcome o[3];
    PIRP irps[3];
    for (int i = 0; i < 3; ++i) {
        irps[i] = make_read(kParkCsq, o[i]);
        EXPECT_EQ(send(irps[i]), STATUS_PENDING);
    }
    for (int i = 0; i < 3; ++i) {
        wait_for(o[i]);
        EXPECT_EQ(o[i].status.load(), STATUS_SUCCESS);
        EXPECT_EQ(o[i].information.load(), 4u);
        EXPECT_TRUE(o[i].pending_returned.load());
    }
    unload_driver();
    settle_objects(objects_before);
    for (PIRP irp : irps) IoFreeIrp(irp);
}

}  // namespace
}  // namespace ntio::io::test

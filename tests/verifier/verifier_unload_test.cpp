// What a verified driver must have cancelled or freed when it unloads: a timer still set, a DPC or a
// work item still queued, or a system thread still running, whose routine is in its image is 0xCE
// DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS (parameters in src/verifier/unload_rules.cpp);
// leaked pool, IRPs and MDLs are 0xC4 0x62 (Pool Tracking); an IRP completed while still on a device
// queue is 0x2A. Each with its legal neighbour.
#include <sched.h>

#include "verifier_pool_driver.hpp"
#include "io/driver_object.hpp"
#include "verifier/state.hpp"

namespace ntio::verifier::test {
namespace {

constexpr ULONG_PTR kPendingTimer = 2;
constexpr ULONG_PTR kPendingDpc = 3;
constexpr ULONG_PTR kPendingWorkItem = 4;
constexpr ULONG_PTR kPendingThread = 5;

TEST_F(PoolTest, unload_with_a_timer_still_set_is_0xce) {
    load();
    ASSERT_EQ(ioctl(kIoctlArmTimer), STATUS_SUCCESS);
    auto bc = expect_bugcheck([&] { unload(); }, DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS);
    EXPECT_EQ(bc.p4, kPendingTimer);
    EXPECT_NE(bc.p1, 0u);  // the DPC routine
    EXPECT_NE(bc.p3, 0u);  // the KTIMER or its KDPC
    EXPECT_EQ(bc.p2, 0u);
}

TEST_F(PoolTest, unload_after_cancelling_the_timer_is_clean) {
    load();
    ASSERT_EQ(ioctl(kIoctlArmTimer), STATUS_SUCCESS);
    g_pool_state.cancel_timer_at_unload.store(true);
    ntio::test::expect_no_bugcheck([&] { unload(); });
}

TEST_F(PoolTest, unload_with_a_dpc_still_queued_is_0xce) {
    load();
    BlockDpcProcessor0();
    ASSERT_EQ(ioctl(kIoctlQueueDpc), STATUS_SUCCESS);
    ASSERT_EQ(g_pool_state.dpc_runs.load(), 0);
    auto bc = expect_bugcheck([&] { unload(); }, DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS);
    ReleaseDpcProcessor0();
    EXPECT_EQ(bc.p4, kPendingDpc);
    EXPECT_EQ(g_pool_state.dpc_runs.load(), 1);
}

TEST_F(PoolTest, unload_after_the_dpc_ran_is_clean) {
    load();
    ASSERT_EQ(ioctl(kIoctlQueueDpc), STATUS_SUCCESS);
    KeFlushQueuedDpcs();
    ASSERT_EQ(g_pool_state.dpc_runs.load(), 1);
    ntio::test::expect_no_bugcheck([&] { unload(); });
}

TEST_F(PoolTest, unload_with_a_work_item_still_queued_is_0xce) {
    load();
    BlockWorker();
    ASSERT_EQ(ioctl(kIoctlQueueWorkItem), STATUS_SUCCESS);
    ASSERT_EQ(g_pool_state.work_item_runs.load(), 0);
    auto bc = expect_bugcheck([&] { unload(); }, DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS);
    ReleaseWorker();
    EXPECT_EQ(bc.p4, kPendingWorkItem);
    while (g_pool_state.work_item_runs.load() == 0) sched_yield();
}

TEST_F(PoolTest, unload_after_the_work_item_ran_is_clean) {
    load();
    ASSERT_EQ(ioctl(kIoctlQueueWorkItem), STATUS_SUCCESS);
    while (g_pool_state.work_item_runs.load() == 0) sched_yield();
    ntio::test::expect_no_bugcheck([&] { unload(); });
}

// A system thread the driver started and did not wait for: its start routine is in the image.
TEST_F(PoolTest, unload_with_its_system_thread_still_running_is_0xce) {
    load();
    ASSERT_EQ(ioctl(kIoctlStartThread), STATUS_SUCCESS);
    auto bc = expect_bugcheck([&] { unload(); }, DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS);
    EXPECT_EQ(bc.p4, kPendingThread);
    EXPECT_NE(bc.p1, 0u);  // the start routine
    EXPECT_NE(bc.p3, 0u);  // the thread
    EXPECT_EQ(bc.p2, 0u);
    StopDriverThread();
}

TEST_F(PoolTest, unload_that_stops_its_thread_and_waits_for_it_is_clean) {
    load();
    ASSERT_EQ(ioctl(kIoctlStartThread), STATUS_SUCCESS);
    g_pool_state.stop_thread_at_unload.store(true);
    ntio::test::expect_no_bugcheck([&] { unload(); });
}

// Pool Tracking: an MDL the driver allocated and did not free is a leak at unload (0xC4 0x62; P4
// the number of allocations left, P3 the counts).
TEST_F(PoolTest, unload_with_an_mdl_still_allocated_is_0xc4_0x62) {
    load();
    ASSERT_EQ(ioctl(kIoctlLeakMdl), STATUS_SUCCESS);
    auto bc = expect_bugcheck([&] { unload(); }, DRIVER_VERIFIER_DETECTED_VIOLATION);
    FreeLeakedMdl();
    EXPECT_EQ(bc.p1, 0x62u);
    EXPECT_EQ(bc.p4, 1u);
    const auto* counts = reinterpret_cast<const ntio::verifier::ResourceCounts*>(bc.p3);
    EXPECT_EQ(counts->mdls, 1u);
    EXPECT_EQ(counts->pool_blocks, 0u) << "the MDL's block is counted as an MDL, once";
    EXPECT_EQ(counts->irps, 0u);
}

TEST_F(PoolTest, unload_after_freeing_the_mdl_is_clean) {
    load();
    ASSERT_EQ(ioctl(kIoctlLeakMdl), STATUS_SUCCESS);
    ASSERT_EQ(ioctl(kIoctlFreeMdl), STATUS_SUCCESS);
    ntio::test::expect_no_bugcheck([&] { unload(); });
}

// A verified driver still loaded when the system shuts down is unloaded by the shutdown, and its
// leaks are reported the same way. driver_shutdown is what IoManager::shutdown runs for each loaded
// driver (called alone here: a caught bugcheck must not cut the shutdown loop short).
TEST_F(PoolTest, shutdown_with_a_verified_driver_leaking_an_mdl_is_0xc4_0x62) {
    load();
    ASSERT_EQ(ioctl(kIoctlLeakMdl), STATUS_SUCCESS);
    auto bc = expect_bugcheck([&] { ntio::io::driver_shutdown(m_driver); }, DRIVER_VERIFIER_DETECTED_VIOLATION);
    FreeLeakedMdl();
    EXPECT_EQ(bc.p1, 0x62u);
    EXPECT_EQ(reinterpret_cast<const ntio::verifier::ResourceCounts*>(bc.p3)->mdls, 1u);
}

// 0x2A INCONSISTENT_IRP (spec 2.5): an IRP completed while its entry is still linked on a
// KDEVICE_QUEUE, found when the completed IRP is freed.
TEST_F(PoolTest, completing_an_irp_still_on_its_device_queue_is_0x2a) {
    load();
    NTSTATUS held_status = 0;
    NTSTATUS queued_status = 0;
    PIRP held = send_write(kQueueHold, &held_status);
    PIRP queued = send_write(kQueueCompleteQueued, &queued_status);
    ASSERT_TRUE(held && queued);
    EXPECT_EQ(queued_status, STATUS_SUCCESS);
    auto bc = expect_bugcheck([&] { IoFreeIrp(queued); }, INCONSISTENT_IRP);
    EXPECT_EQ(bc.p1, reinterpret_cast<ULONG_PTR>(queued));
    ReleaseHeldWrite(lower());  // also unlinks the completed IRP's entry, the queue's head
    EXPECT_EQ(held_status, STATUS_SUCCESS);
    IoFreeIrp(held);
    IoFreeIrp(queued);
}

// The same through the StartIo model: IoStartPacket parks the IRP in DeviceObject->DeviceQueue.
TEST_F(PoolTest, completing_an_irp_still_in_the_startio_queue_is_0x2a) {
    load();
    NTSTATUS held_status = 0;
    NTSTATUS queued_status = 0;
    PIRP held = send_write(kStartIoHold, &held_status);
    PIRP queued = send_write(kStartIoCompleteQueued, &queued_status);
    ASSERT_TRUE(held && queued);
    EXPECT_EQ(lower()->CurrentIrp, held);
    EXPECT_EQ(queued_status, STATUS_SUCCESS);
    auto bc = expect_bugcheck([&] { IoFreeIrp(queued); }, INCONSISTENT_IRP);
    EXPECT_EQ(bc.p1, reinterpret_cast<ULONG_PTR>(queued));
    EXPECT_TRUE(KeRemoveEntryDeviceQueue(&lower()->DeviceQueue, &queued->Tail.Overlay.DeviceQueueEntry));
    FinishCurrentPacket(lower());
    EXPECT_EQ(held_status, STATUS_SUCCESS);
    IoFreeIrp(held);
    IoFreeIrp(queued);
}

TEST_F(PoolTest, a_startio_packet_completed_after_it_was_started_is_legal) {
    load();
    NTSTATUS first_status = 0;
    NTSTATUS second_status = 0;
    PIRP first = send_write(kStartIoHold, &first_status);
    PIRP second = send_write(kStartIoHold, &second_status);  // waits in the device queue
    ASSERT_TRUE(first && second);
    auto bc = ntio::test::catch_bugcheck([&] {
        FinishCurrentPacket(lower());  // completes the first, starts the second
        IoFreeIrp(first);
        FinishCurrentPacket(lower());
        IoFreeIrp(second);
    });
    EXPECT_FALSE(bc.has_value()) << std::hex << (bc ? bc->code : 0);
    EXPECT_EQ(first_status, STATUS_SUCCESS);
    EXPECT_EQ(second_status, STATUS_SUCCESS);
}

TEST_F(PoolTest, removing_the_irp_from_its_device_queue_before_completing_is_legal) {
    load();
    NTSTATUS held_status = 0;
    NTSTATUS removed_status = 0;
    PIRP held = send_write(kQueueHold, &held_status);
    PIRP removed = send_write(kQueueRemoveThenComplete, &removed_status);
    ASSERT_TRUE(held && removed);
    auto bc = ntio::test::catch_bugcheck([&] {
        IoFreeIrp(removed);
        ReleaseHeldWrite(lower());
        IoFreeIrp(held);
    });
    EXPECT_FALSE(bc.has_value()) << std::hex << (bc ? bc->code : 0);
    EXPECT_EQ(removed_status, STATUS_SUCCESS);
    EXPECT_EQ(held_status, STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::verifier::test

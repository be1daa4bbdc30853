// Stress: the thread IRP list under its owner's queue/dequeue and other threads' walks. The owner
// sends IRPs that complete inline on it, and IRPs that another thread completes; a third thread
// counts the owner's list the whole time (the inspector's and NtCancelIoFileEx's remote walk).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "support/system_fixture.hpp"

#include <wdm.h>
#include <ntio/ntio.h>

#include "io/irp.hpp"

namespace ntio::io::test {
namespace {

std::atomic<PIRP> g_handoff{nullptr};

NTSTATUS NTAPI complete_dispatch(PDEVICE_OBJECT, PIRP irp) {
    irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI handoff_dispatch(PDEVICE_OBJECT, PIRP irp) {
    IoMarkIrpPending(irp);
    g_handoff.store(irp, std::memory_order_release);
    return STATUS_PENDING;
}

struct FakeDevice {
    DRIVER_OBJECT driver{};
    DEVICE_OBJECT device{};
    explicit FakeDevice(PDRIVER_DISPATCH dispatch) {
        for (auto& f : driver.MajorFunction) f = dispatch;
        device.Type = IO_TYPE_DEVICE;
        device.DriverObject = &driver;
        device.StackSize = 1;
    }
};

class ThreadIrpsStressTest : public ntio::test::SystemTest {};

// Invariant: every remote count is 0..3 (the IRP completing inline, the one handed to the
// completer, and the previous handed-off IRP, whose final stage signals its event before it takes
// the IRP off the list; the completer finishes that one before it takes the next); when all is
// done the list is empty, no IRP leaked, and every event was signalled by its IRP's final stage.
TEST_F(ThreadIrpsStressTest, OwnerAndRemoteCompletionsKeepTheListConsistent) {
    constexpr int kIterations = 3000;
    FakeDevice inline_dev(complete_dispatch);
    FakeDevice handoff_dev(handoff_dispatch);
    g_handoff.store(nullptr);
    std::atomic<bool> done{false};
    std::atomic<PETHREAD> owner{nullptr};
    std::atomic<int> bad_counts{0};

    std::thread completer([&] {
        for (int i = 0; i < kIterations; ++i) {
            PIRP irp;
            while (!(irp = g_handoff.exchange(nullptr, std::memory_order_acquire))) std::this_thread::yield();
            irp->IoStatus.Status = STATUS_SUCCESS;
            IoCompleteRequest(irp, IO_NO_INCREMENT);
        }
    });
    std::thread counter([&] {
        PETHREAD thread;
        while (!(thread = owner.load(std::memory_order_acquire))) std::this_thread::yield();
        while (!done.load(std::memory_order_acquire))
            if (thread_irp_count(thread) > 3) bad_counts.fetch_add(1);
    });

    PETHREAD self = PsGetCurrentThread();
    ObReferenceObject(self);  // the counter walks this thread's list
    owner.store(self, std::memory_order_release);
    KEVENT inline_event, handoff_event;
    KeInitializeEvent(&inline_event, NotificationEvent, FALSE);
    KeInitializeEvent(&handoff_event, NotificationEvent, FALSE);
    IO_STATUS_BLOCK iosb{};
    IO_STATUS_BLOCK handoff_iosb{};
    int unsignalled = 0;
    for (int i = 0; i < kIterations; ++i) {
        KeClearEvent(&handoff_event);
        PIRP pended = IoBuildSynchronousFsdRequest(IRP_MJ_FLUSH_BUFFERS, &handoff_dev.device, nullptr, 0, nullptr,
                                                   &handoff_event, &handoff_iosb);
        ASSERT_NE(pended, nullptr);
        (void)IoCallDriver(&handoff_dev.device, pended);
        KeClearEvent(&inline_event);
        PIRP irp = IoBuildSynchronousFsdRequest(IRP_MJ_FLUSH_BUFFERS, &inline_dev.device, nullptr, 0, nullptr,
                                                &inline_event, &iosb);
        ASSERT_NE(irp, nullptr);
        (void)IoCallDriver(&inline_dev.device, irp);
        if (!KeReadStateEvent(&inline_event)) ++unsignalled;
        (void)KeWaitForSingleObject(&handoff_event, Executive, KernelMode, FALSE, nullptr);
    }
    done.store(true, std::memory_order_release);
    completer.join();
    counter.join();
    ObDereferenceObject(self);
    EXPECT_EQ(unsignalled, 0);
    EXPECT_EQ(bad_counts.load(), 0);
    EXPECT_EQ(thread_irp_count(self), 0u);
    EXPECT_EQ(NtioIrpCount(), 0u);
}

}  // namespace
}  // namespace ntio::io::test

// Completion racing with thread exit: a system thread issues a threaded IRP that a driver parks with
// a cancel routine, then exits (its rundown cancels the IRP) while the test thread completes the same
// IRP. Invariant: each IRP completes exactly once, success or cancelled, never both, never neither,
// and every IRP is freed.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "support/system_fixture.hpp"

#include <wdm.h>
#include <ntio/ntio.h>

#include "io/irp.hpp"
#include "ntio/system.hpp"

namespace ntio::io::test {
namespace {

struct Slot {
    KSPIN_LOCK lock = 0;
    PIRP irp = nullptr;
};
Slot g_slot;
std::atomic<int> g_cancelled{0};
std::atomic<int> g_completed{0};

VOID NTAPI cancel_routine(PDEVICE_OBJECT, PIRP irp) {
    IoReleaseCancelSpinLock(irp->CancelIrql);
    KIRQL irql;
    KeAcquireSpinLock(&g_slot.lock, &irql);
    if (g_slot.irp == irp) g_slot.irp = nullptr;
    KeReleaseSpinLock(&g_slot.lock, irql);
    g_cancelled.fetch_add(1);
    irp->IoStatus.Status = STATUS_CANCELLED;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

NTSTATUS NTAPI park(PDEVICE_OBJECT, PIRP irp) {
    IoMarkIrpPending(irp);
    KIRQL irql;
    KeAcquireSpinLock(&g_slot.lock, &irql);
    (void)IoSetCancelRoutine(irp, cancel_routine);
    g_slot.irp = irp;
    KeReleaseSpinLock(&g_slot.lock, irql);
    return STATUS_PENDING;
}

// Completes the parked IRP if the cancel routine has not claimed it. True when it did.
bool try_complete() {
    KIRQL irql;
    KeAcquireSpinLock(&g_slot.lock, &irql);
    PIRP irp = g_slot.irp;
    if (!irp || !IoSetCancelRoutine(irp, nullptr)) {
        KeReleaseSpinLock(&g_slot.lock, irql);
        return false;
    }
    g_slot.irp = nullptr;
    KeReleaseSpinLock(&g_slot.lock, irql);
    g_completed.fetch_add(1);
    irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return true;
}

struct Request {
    PDEVICE_OBJECT device;
    KEVENT done;
    IO_STATUS_BLOCK iosb;
    std::atomic<bool> issued{false};
};

VOID NTAPI issue_and_exit(PVOID context) {
    auto* r = static_cast<Request*>(context);
    const ULONG code = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x900, METHOD_NEITHER, FILE_ANY_ACCESS);
    PIRP irp = IoBuildDeviceIoControlRequest(code, r->device, nullptr, 0, nullptr, 0, FALSE, &r->done, &r->iosb);
    (void)IoCallDriver(r->device, irp);
    r->issued.store(true);
}

using IrpThreadExitStress = ntio::test::SystemTest;

TEST_F(IrpThreadExitStress, EachIrpCompletesExactlyOnceWhenCompletionRacesThreadExit) {
    register_thread_irp_rundown(system().kernel());
    DRIVER_OBJECT driver{};
    for (auto& f : driver.MajorFunction) f = park;
    DEVICE_OBJECT device{};
    device.Type = IO_TYPE_DEVICE;
    device.DriverObject = &driver;
    device.StackSize = 1;
    g_cancelled = 0;
    g_completed = 0;
    constexpr int kIterations = 3000;
    for (int i = 0; i < kIterations; ++i) {
        Request r;
        r.device = &device;
        KeInitializeEvent(&r.done, NotificationEvent, FALSE);
        r.iosb.Status = 0x1234;
        HANDLE thread = nullptr;
        ASSERT_EQ(PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, nullptr, nullptr, nullptr, issue_and_exit, &r),
                  STATUS_SUCCESS);
        // Race the exiting thread: complete as soon as the IRP is parked, unless the rundown cancels first.
        while (!r.issued.load() && !try_complete()) std::this_thread::yield();
        (void)try_complete();
        ASSERT_EQ(ZwWaitForSingleObject(thread, FALSE, nullptr), STATUS_SUCCESS);
        ZwClose(thread);
        ASSERT_EQ(KeWaitForSingleObject(&r.done, Executive, KernelMode, FALSE, nullptr), STATUS_SUCCESS);
        ASSERT_TRUE(r.iosb.Status == STATUS_SUCCESS || r.iosb.Status == STATUS_CANCELLED) << std::hex << r.iosb.Status;
        ASSERT_EQ(g_completed.load() + g_cancelled.load(), i + 1);
    }
    EXPECT_EQ(NtioIrpCount(), 0u);
    RecordProperty("completed", g_completed.load());
    RecordProperty("cancelled", g_cancelled.load());
}

}  // namespace
}  // namespace ntio::io::test

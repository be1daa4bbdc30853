// I/O work items: the routine runs on a system worker thread at PASSIVE_LEVEL with the device
// object referenced, the reference goes after the routine returns, Ex routines get the item and may
// free it, embedded items (IoInitializeWorkItem), double queuing, and a work item completing a
// pended IRP (NT fact L10).
#include <atomic>
#include <optional>
#include <thread>

#include "ob/object_header.hpp"
#include "support/bugcheck_catcher.hpp"
#include "support/driver_fixture.hpp"

#include <wdm.h>
#include <ntio/ntio.h>

namespace {

// ---- The test driver: one unnamed device; IOCTLs are pended and completed from a work item ----

constexpr ULONG kIoctlPendAndCompleteLater = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x900, METHOD_BUFFERED, FILE_ANY_ACCESS);

struct Observed {
    PVOID io_object = nullptr;
    PVOID context = nullptr;
    PIO_WORKITEM item = nullptr;
    LONG_PTR pointer_count = 0;
    KIRQL irql = HIGH_LEVEL;
    BOOLEAN system_thread = FALSE;
};

Observed g_observed;
KEVENT g_routine_ran;

LONG_PTR pointer_count(PVOID object) {
    return ntio::ob::header_of(object)->pointer_count.load(std::memory_order_acquire);
}

void observe(PVOID io_object, PVOID context, PIO_WORKITEM item) {
    g_observed.io_object = io_object;
    g_observed.context = context;
    g_observed.item = item;
    g_observed.pointer_count = pointer_count(io_object);
    g_observed.irql = KeGetCurrentIrql();
    g_observed.system_thread = PsIsSystemThread(PsGetCurrentThread());
}

IO_WORKITEM_ROUTINE plain_routine;
VOID NTAPI plain_routine(PDEVICE_OBJECT DeviceObject, PVOID Context) {
    observe(DeviceObject, Context, nullptr);
    KeSetEvent(&g_routine_ran, IO_NO_INCREMENT, FALSE);
}

IO_WORKITEM_ROUTINE_EX freeing_routine;
VOID NTAPI freeing_routine(PVOID IoObject, PVOID Context, PIO_WORKITEM IoWorkItem) {
    observe(IoObject, Context, IoWorkItem);
    IoFreeWorkItem(IoWorkItem);  // allowed: the item was dequeued before the routine ran
    KeSetEvent(&g_routine_ran, IO_NO_INCREMENT, FALSE);
}

IO_WORKITEM_ROUTINE_EX complete_pended_irp;
VOID NTAPI complete_pended_irp(PVOID IoObject, PVOID Context, PIO_WORKITEM IoWorkItem) {
    observe(IoObject, Context, IoWorkItem);
    PIRP irp = static_cast<PIRP>(Context);
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 0;
    IoFreeWorkItem(IoWorkItem);
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

DRIVER_DISPATCH dispatch_device_control;
NTSTATUS NTAPI dispatch_device_control(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    if (stack->Parameters.DeviceIoControl.IoControlCode != kIoctlPendAndCompleteLater) {
        Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
        Irp->IoStatus.Information = 0;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    PIO_WORKITEM item = IoAllocateWorkItem(DeviceObject);
    if (!item) {
        Irp->IoStatus.Status = STATUS_INSUFFICIENT_RESOURCES;
        Irp->IoStatus.Information = 0;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    IoMarkIrpPending(Irp);
    IoQueueWorkItemEx(item, complete_pended_irp, DelayedWorkQueue, Irp);
    return STATUS_PENDING;
}

DRIVER_DISPATCH dispatch_create_close;
NTSTATUS NTAPI dispatch_create_close(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    (void)DeviceObject;
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

DRIVER_UNLOAD driver_unload;
VOID NTAPI driver_unload(PDRIVER_OBJECT DriverObject) {
    while (DriverObject->DeviceObject) IoDeleteDevice(DriverObject->DeviceObject);
}

DRIVER_INITIALIZE driver_entry;
NTSTATUS NTAPI driver_entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
    (void)RegistryPath;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = dispatch_create_close;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = dispatch_create_close;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = dispatch_device_control;
    DriverObject->DriverUnload = driver_unload;
    PDEVICE_OBJECT device = nullptr;
    return IoCreateDevice(DriverObject, 0, nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
}

// ---- Fixture ----

class WorkItemTest : public ntio::test::DriverTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        g_observed = Observed{};
        KeInitializeEvent(&g_routine_ran, NotificationEvent, FALSE);
        ASSERT_EQ(create_driver(L"MdlWorkItemTest", driver_entry), STATUS_SUCCESS);
        m_device = m_driver->DeviceObject;
        ASSERT_NE(m_device, nullptr);
    }
    void wait_for_routine() {
        KeWaitForSingleObject(&g_routine_ran, Executive, KernelMode, FALSE, nullptr);
    }
    // The worker drops its reference right after the routine returns; wait for it (hang guard only).
    bool reference_dropped(PVOID object, LONG_PTR expected) {
        for (int i = 0; i < 10'000'000; ++i) {
            if (pointer_count(object) == expected) return true;
            std::this_thread::yield();
        }
        return pointer_count(object) == expected;
    }

    PDEVICE_OBJECT m_device = nullptr;
};

TEST_F(WorkItemTest, RoutineRunsOnASystemWorkerWithTheDeviceReferenced) {
    PIO_WORKITEM item = IoAllocateWorkItem(m_device);
    ASSERT_NE(item, nullptr);
    const LONG_PTR before = pointer_count(m_device);
    int context = 0;
    IoQueueWorkItem(item, plain_routine, DelayedWorkQueue, &context);
    wait_for_routine();
    EXPECT_EQ(g_observed.io_object, m_device);
    EXPECT_EQ(g_observed.context, &context);
    EXPECT_EQ(g_observed.irql, PASSIVE_LEVEL);
    EXPECT_TRUE(g_observed.system_thread);
    EXPECT_EQ(g_observed.pointer_count, before + 1);
    EXPECT_TRUE(reference_dropped(m_device, before));
    // Reusable once the routine has started.
    KeClearEvent(&g_routine_ran);
    IoQueueWorkItem(item, plain_routine, CriticalWorkQueue, nullptr);
    wait_for_routine();
    EXPECT_EQ(g_observed.context, nullptr);
    EXPECT_TRUE(reference_dropped(m_device, before));
    IoFreeWorkItem(item);
}

TEST_F(WorkItemTest, ExRoutineReceivesTheItemAndMayFreeIt) {
    PIO_WORKITEM item = IoAllocateWorkItem(m_device);
    ASSERT_NE(item, nullptr);
    const LONG_PTR before = pointer_count(m_device);
    IoQueueWorkItemEx(item, freeing_routine, DelayedWorkQueue, this);
    wait_for_routine();
    EXPECT_EQ(g_observed.io_object, m_device);
    EXPECT_EQ(g_observed.item, item);
    EXPECT_EQ(g_observed.context, this);
    EXPECT_EQ(g_observed.pointer_count, before + 1);
    EXPECT_TRUE(reference_dropped(m_device, before));
}

TEST_F(WorkItemTest, EmbeddedItemOnTheDriverObject) {
    ASSERT_GT(IoSizeofWorkItem(), sizeof(WORK_QUEUE_ITEM));
    auto* item = static_cast<PIO_WORKITEM>(ExAllocatePoolWithTag(NonPagedPoolNx, IoSizeofWorkItem(), 'tseT'));
    ASSERT_NE(item, nullptr);
    IoInitializeWorkItem(m_driver, item);
    const LONG_PTR before = pointer_count(m_driver);
    IoQueueWorkItemEx(item, [](PVOID IoObject, PVOID Context, PIO_WORKITEM IoWorkItem) {
        observe(IoObject, Context, IoWorkItem);
        KeSetEvent(&g_routine_ran, IO_NO_INCREMENT, FALSE);
    }, DelayedWorkQueue, nullptr);
    wait_for_routine();
    EXPECT_EQ(g_observed.io_object, m_driver);
    EXPECT_EQ(g_observed.item, item);
    EXPECT_EQ(g_observed.pointer_count, before + 1);
    EXPECT_TRUE(reference_dropped(m_driver, before));
    IoUninitializeWorkItem(item);
    ExFreePoolWithTag(item, 'tseT');
}

// Queued from a worker routine, the item waits behind it (a worker never starts another worker
// for its own items), so the second IoQueueWorkItem finds it still queued.
struct DoubleQueue {
    PIO_WORKITEM item = nullptr;
    std::optional<ntio::test::BugCheck> bugcheck;
};

TEST_F(WorkItemTest, QueuingAnItemThatIsStillQueuedBugchecks) {
    PIO_WORKITEM outer = IoAllocateWorkItem(m_device);
    DoubleQueue state;
    state.item = IoAllocateWorkItem(m_device);
    ASSERT_NE(outer, nullptr);
    ASSERT_NE(state.item, nullptr);
    const LONG_PTR before = pointer_count(m_device);
    IoQueueWorkItem(outer, [](PDEVICE_OBJECT, PVOID Context) {
        auto* s = static_cast<DoubleQueue*>(Context);
        IoQueueWorkItem(s->item, plain_routine, DelayedWorkQueue, nullptr);
        s->bugcheck = ntio::test::catch_bugcheck([&] { IoQueueWorkItem(s->item, plain_routine, DelayedWorkQueue, nullptr); });
    }, DelayedWorkQueue, &state);
    wait_for_routine();  // the inner item ran once
    EXPECT_TRUE(reference_dropped(m_device, before));
    ASSERT_TRUE(state.bugcheck.has_value());
    EXPECT_EQ(state.bugcheck->code, static_cast<ULONG>(WORKER_INVALID));
    EXPECT_EQ(state.bugcheck->p1, 1u);
    IoFreeWorkItem(state.item);
    IoFreeWorkItem(outer);
}

// Bug check 0xE4 parameter 0, "an active worker item was freed" (work item, start and end of the
// block): https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xe4--worker-invalid
// As above, an item queued from a worker routine is still queued while that routine runs.
struct ReleaseWhileQueued {
    PIO_WORKITEM item = nullptr;
    bool embedded = false;  // IoUninitializeWorkItem rather than IoFreeWorkItem
    std::optional<ntio::test::BugCheck> bugcheck;
};

void release_while_queued(PDEVICE_OBJECT device, ReleaseWhileQueued& state) {
    PIO_WORKITEM outer = IoAllocateWorkItem(device);
    ASSERT_NE(outer, nullptr);
    IoQueueWorkItem(outer, [](PDEVICE_OBJECT, PVOID Context) {
        auto* s = static_cast<ReleaseWhileQueued*>(Context);
        IoQueueWorkItem(s->item, plain_routine, DelayedWorkQueue, nullptr);
        s->bugcheck = ntio::test::catch_bugcheck([s] {
            if (s->embedded) IoUninitializeWorkItem(s->item);
            else IoFreeWorkItem(s->item);
        });
    }, DelayedWorkQueue, &state);
    KeWaitForSingleObject(&g_routine_ran, Executive, KernelMode, FALSE, nullptr);  // the item still ran
    IoFreeWorkItem(outer);  // its routine has returned: the inner item ran after it
}

void expect_active_item_freed(const ReleaseWhileQueued& state) {
    ASSERT_TRUE(state.bugcheck.has_value());
    EXPECT_EQ(state.bugcheck->code, static_cast<ULONG>(WORKER_INVALID));
    EXPECT_EQ(state.bugcheck->p1, 0u);
    const auto start = reinterpret_cast<ULONG_PTR>(state.item);
    EXPECT_EQ(state.bugcheck->p3, start);
    EXPECT_EQ(state.bugcheck->p4, start + IoSizeofWorkItem());
    EXPECT_GE(state.bugcheck->p2, start);  // the executive work item inside the block
    EXPECT_LT(state.bugcheck->p2, start + IoSizeofWorkItem());
}

TEST_F(WorkItemTest, FreeingAnItemThatIsStillQueuedBugchecks) {
    ReleaseWhileQueued state;
    state.item = IoAllocateWorkItem(m_device);
    ASSERT_NE(state.item, nullptr);
    const LONG_PTR before = pointer_count(m_device);
    release_while_queued(m_device, state);
    EXPECT_TRUE(reference_dropped(m_device, before));
    expect_active_item_freed(state);
    IoFreeWorkItem(state.item);  // not freed by the refused call
}

TEST_F(WorkItemTest, UninitializingAnItemThatIsStillQueuedBugchecks) {
    ReleaseWhileQueued state;
    state.embedded = true;
    state.item = static_cast<PIO_WORKITEM>(ExAllocatePoolWithTag(NonPagedPoolNx, IoSizeofWorkItem(), 'tseT'));
    ASSERT_NE(state.item, nullptr);
    IoInitializeWorkItem(m_device, state.item);
    const LONG_PTR before = pointer_count(m_device);
    release_while_queued(m_device, state);
    EXPECT_TRUE(reference_dropped(m_device, before));
    expect_active_item_freed(state);
    IoUninitializeWorkItem(state.item);
    ExFreePoolWithTag(state.item, 'tseT');
}

// NT fact L10 (kernel half): a dispatch pends the IRP and a work item completes it later; the
// requester waiting on the event sees success with 0 bytes.
TEST_F(WorkItemTest, WorkItemCompletesAPendedIrp) {
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    IO_STATUS_BLOCK iosb{};
    iosb.Status = STATUS_UNSUCCESSFUL;
    iosb.Information = 123;
    PIRP irp = IoBuildDeviceIoControlRequest(kIoctlPendAndCompleteLater, m_device, nullptr, 0, nullptr, 0, FALSE,
                                             &event, &iosb);
    ASSERT_NE(irp, nullptr);
    const LONG_PTR before = pointer_count(m_device);
    EXPECT_EQ(IoCallDriver(m_device, irp), STATUS_PENDING);
    KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, nullptr);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 0u);
    EXPECT_EQ(g_observed.io_object, m_device);
    EXPECT_TRUE(g_observed.system_thread);
    EXPECT_EQ(g_observed.pointer_count, before + 1);
    EXPECT_TRUE(reference_dropped(m_device, before));
}

}  // namespace

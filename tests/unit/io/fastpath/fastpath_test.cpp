// The per-request lookups the I/O services make: IoGetRelatedDeviceObject's choice of stack (NT
// fact K11) and its walk to the top of that stack, the thread IRP list when the IRP completes on
// its own thread or on another one, and the pseudo handles of ObReferenceObjectByHandle.
#include <gtest/gtest.h>

#include <thread>

#include "support/system_fixture.hpp"

#include <wdm.h>
#include <ntifs.h>
#include <ntio/ntio.h>

#include "io/irp.hpp"

namespace ntio::io::test {
namespace {

struct FakeDevice {
    DRIVER_OBJECT driver{};
    DEVICE_OBJECT device{};
    explicit FakeDevice(PDRIVER_DISPATCH dispatch = nullptr) {
        for (auto& f : driver.MajorFunction) f = dispatch;
        device.Type = IO_TYPE_DEVICE;
        device.DriverObject = &driver;
        device.StackSize = 1;
    }
};

PIRP g_parked = nullptr;

NTSTATUS NTAPI park_dispatch(PDEVICE_OBJECT, PIRP irp) {
    g_parked = irp;
    IoMarkIrpPending(irp);
    return STATUS_PENDING;
}

NTSTATUS NTAPI complete_dispatch(PDEVICE_OBJECT, PIRP irp) {
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 7;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

class FastPathTest : public ntio::test::SystemTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        g_parked = nullptr;
    }
};

// A two-device stack (bottom, filter above it) and a file object on the bottom device, hand-built:
// IoGetRelatedDeviceObject only reads DeviceObject, Vpb, Flags and the AttachedDevice links.
struct Stack {
    FakeDevice bottom, filter;
    Stack() { bottom.device.AttachedDevice = &filter.device; }
};

TEST_F(FastPathTest, RelatedDeviceIsTheTopOfTheDeviceStack) {
    Stack stack;
    FILE_OBJECT file{};
    file.Type = IO_TYPE_FILE;
    file.DeviceObject = &stack.bottom.device;
    EXPECT_EQ(IoGetRelatedDeviceObject(&file), &stack.filter.device);
    // A device attached later is the new top; detached, the filter is again.
    FakeDevice upper;
    stack.filter.device.AttachedDevice = &upper.device;
    EXPECT_EQ(IoGetRelatedDeviceObject(&file), &upper.device);
    stack.filter.device.AttachedDevice = nullptr;
    EXPECT_EQ(IoGetRelatedDeviceObject(&file), &stack.filter.device);
}

TEST_F(FastPathTest, RelatedDeviceFollowsTheMountedVolumeUnlessOpenedDirectly) {
    // NT fact K11
    Stack disk;
    Stack volume;
    VPB vpb{};
    vpb.DeviceObject = &volume.bottom.device;
    disk.bottom.device.Vpb = &vpb;
    FILE_OBJECT file{};
    file.Type = IO_TYPE_FILE;
    file.DeviceObject = &disk.bottom.device;
    EXPECT_EQ(IoGetRelatedDeviceObject(&file), &volume.filter.device);  // the device's VPB
    file.Flags = FO_DIRECT_DEVICE_OPEN;
    EXPECT_EQ(IoGetRelatedDeviceObject(&file), &disk.filter.device);
    file.Flags = 0;
    vpb.DeviceObject = nullptr;  // not mounted
    EXPECT_EQ(IoGetRelatedDeviceObject(&file), &disk.filter.device);

    Stack other;
    VPB file_vpb{};
    file_vpb.DeviceObject = &other.bottom.device;
    file.Vpb = &file_vpb;  // the file's own VPB comes first
    vpb.DeviceObject = &volume.bottom.device;
    EXPECT_EQ(IoGetRelatedDeviceObject(&file), &other.filter.device);
    file.Flags = FO_DIRECT_DEVICE_OPEN;
    EXPECT_EQ(IoGetRelatedDeviceObject(&file), &disk.filter.device);
}

TEST_F(FastPathTest, ThreadIrpLeavesTheListWhenCompletedInline) {
    // NT fact B2: the final stage signals the event and takes the IRP off its thread's list.
    FakeDevice dev(complete_dispatch);
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    IO_STATUS_BLOCK iosb{};
    for (int i = 0; i < 3; ++i) {
        KeClearEvent(&event);
        PIRP irp = IoBuildSynchronousFsdRequest(IRP_MJ_FLUSH_BUFFERS, &dev.device, nullptr, 0, nullptr, &event, &iosb);
        ASSERT_NE(irp, nullptr);
        EXPECT_EQ(thread_irp_count(PsGetCurrentThread()), 1u);
        EXPECT_EQ(IoCallDriver(&dev.device, irp), STATUS_SUCCESS);
        EXPECT_EQ(thread_irp_count(PsGetCurrentThread()), 0u);
        EXPECT_NE(KeReadStateEvent(&event), 0);
        EXPECT_EQ(iosb.Information, 7u);
    }
    EXPECT_EQ(NtioIrpCount(), 0u);
}

TEST_F(FastPathTest, ThreadIrpCompletedOnAnotherThreadLeavesTheOwnersList) {
    FakeDevice dev(park_dispatch);
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    IO_STATUS_BLOCK iosb{};
    PIRP first = IoBuildSynchronousFsdRequest(IRP_MJ_FLUSH_BUFFERS, &dev.device, nullptr, 0, nullptr, &event, &iosb);
    ASSERT_NE(first, nullptr);
    ASSERT_EQ(IoCallDriver(&dev.device, first), STATUS_PENDING);
    // A second IRP on the same list: the other thread unlinks the first from between it and the head.
    KEVENT event2;
    KeInitializeEvent(&event2, NotificationEvent, FALSE);
    IO_STATUS_BLOCK iosb2{};
    PIRP second = IoBuildSynchronousFsdRequest(IRP_MJ_FLUSH_BUFFERS, &dev.device, nullptr, 0, nullptr, &event2, &iosb2);
    ASSERT_NE(second, nullptr);
    ASSERT_EQ(IoCallDriver(&dev.device, second), STATUS_PENDING);
    EXPECT_EQ(thread_irp_count(PsGetCurrentThread()), 2u);

    std::thread completer([&] {
        first->IoStatus.Status = STATUS_SUCCESS;
        first->IoStatus.Information = 11;
        IoCompleteRequest(first, IO_NO_INCREMENT);
    });
    completer.join();
    EXPECT_EQ(KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 11u);
    EXPECT_EQ(thread_irp_count(PsGetCurrentThread()), 1u);

    second->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(second, IO_NO_INCREMENT);
    EXPECT_EQ(thread_irp_count(PsGetCurrentThread()), 0u);
    EXPECT_EQ(NtioIrpCount(), 0u);
}

TEST_F(FastPathTest, PseudoHandlesResolveToTheCallersProcessAndThread) {
    PVOID object = nullptr;
    OBJECT_HANDLE_INFORMATION info{};
    ASSERT_EQ(ObReferenceObjectByHandle(NtCurrentProcess(), 0, *PsProcessType, KernelMode, &object, &info), STATUS_SUCCESS);
    EXPECT_EQ(object, PsGetCurrentProcess());
    EXPECT_EQ(info.GrantedAccess, static_cast<ACCESS_MASK>(PROCESS_ALL_ACCESS));
    ObDereferenceObject(object);

    ASSERT_EQ(ObReferenceObjectByHandle(NtCurrentThread(), 0, *PsThreadType, KernelMode, &object, &info), STATUS_SUCCESS);
    EXPECT_EQ(object, PsGetCurrentThread());
    EXPECT_EQ(info.GrantedAccess, static_cast<ACCESS_MASK>(THREAD_ALL_ACCESS));
    ObDereferenceObject(object);

    object = reinterpret_cast<PVOID>(1);
    EXPECT_EQ(ObReferenceObjectByHandle(NtCurrentProcess(), 0, *PsThreadType, KernelMode, &object, nullptr),
              STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(object, nullptr);
    EXPECT_EQ(ObReferenceObjectByHandle(NtCurrentThread(), 0, *IoFileObjectType, KernelMode, &object, nullptr),
              STATUS_OBJECT_TYPE_MISMATCH);
    // The other pseudo handles (the tokens, -4 .. -6) are not objects a handle lookup returns.
    EXPECT_EQ(ObReferenceObjectByHandle(reinterpret_cast<HANDLE>(-4), 0, nullptr, KernelMode, &object, nullptr),
              STATUS_INVALID_HANDLE);
    EXPECT_EQ(object, nullptr);
}

}  // namespace
}  // namespace ntio::io::test

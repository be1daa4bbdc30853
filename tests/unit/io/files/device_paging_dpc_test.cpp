// Small device and IRP DDIs used as drivers use them: attaching by pointer (IoAttachDeviceByPointer),
// the paging priority of an IRP (IoGetPagingIoPriority), the device DPC as a threaded DPC
// (IoInitializeThreadedDpcRequest, then IoRequestDpc), the paging path count macro and
// IoInitializePriorityInfo.
#include <gtest/gtest.h>

#include "support/driver_fixture.hpp"

#include <ntifs.h>

namespace io_device_paging_dpc_test {

struct DriverState {
    PDEVICE_OBJECT lower = nullptr;
    PDEVICE_OBJECT upper = nullptr;
    KEVENT dpc_ran;
    PDEVICE_OBJECT dpc_device = nullptr;
    PVOID dpc_context = nullptr;
    PIRP dpc_irp = nullptr;
};
DriverState g_state;

VOID NTAPI driver_unload(PDRIVER_OBJECT) {
    if (g_state.upper) {
        if (g_state.upper->DeviceObjectExtension->AttachedTo) IoDetachDevice(g_state.lower);
        IoDeleteDevice(g_state.upper);
    }
    if (g_state.lower) IoDeleteDevice(g_state.lower);
}

NTSTATUS NTAPI driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    driver->DriverUnload = driver_unload;
    NTSTATUS status = IoCreateDevice(driver, 0, nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &g_state.lower);
    if (!NT_SUCCESS(status)) return status;
    return IoCreateDevice(driver, 0, nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &g_state.upper);
}

VOID NTAPI device_dpc(PKDPC, PDEVICE_OBJECT device, PIRP irp, PVOID context) {
    g_state.dpc_device = device;
    g_state.dpc_irp = irp;
    g_state.dpc_context = context;
    KeSetEvent(&g_state.dpc_ran, IO_NO_INCREMENT, FALSE);
}

class DevicePagingDpcTest : public ntio::test::DriverTest {
protected:
    void SetUp() override {
        DriverTest::SetUp();
        g_state = DriverState{};
        ASSERT_EQ(create_driver(L"IoDevicePagingDpcTest", driver_entry), STATUS_SUCCESS);
    }
};

TEST_F(DevicePagingDpcTest, attach_by_pointer_puts_the_source_on_top_of_the_stack) {
    EXPECT_EQ(IoAttachDeviceByPointer(g_state.upper, g_state.lower), STATUS_SUCCESS);
    EXPECT_EQ(IoGetAttachedDevice(g_state.lower), g_state.upper);
    EXPECT_EQ(g_state.upper->StackSize, g_state.lower->StackSize + 1);
    EXPECT_EQ(IoAttachDeviceByPointer(nullptr, g_state.lower), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoAttachDeviceByPointer(g_state.upper, nullptr), STATUS_INVALID_PARAMETER);
}

TEST_F(DevicePagingDpcTest, attach_by_pointer_to_a_device_being_deleted_is_no_such_device) {
    PDEVICE_OBJECT doomed = g_state.lower;
    g_state.lower = nullptr;
    ObReferenceObject(doomed);  // keeps the object readable after IoDeleteDevice
    IoDeleteDevice(doomed);
    EXPECT_EQ(IoAttachDeviceByPointer(g_state.upper, doomed), STATUS_NO_SUCH_DEVICE);
    EXPECT_EQ(g_state.upper->DeviceObjectExtension->AttachedTo, nullptr);
    ObDereferenceObject(doomed);
}

TEST_F(DevicePagingDpcTest, paging_priority_is_invalid_unless_the_irp_is_paging_io) {
    PIRP irp = IoAllocateIrp(1, FALSE);
    ASSERT_NE(irp, nullptr);
    EXPECT_EQ(IoGetPagingIoPriority(irp), IoPagingPriorityInvalid);
    irp->Flags |= IRP_PAGING_IO;
    EXPECT_EQ(IoGetPagingIoPriority(irp), IoPagingPriorityNormal);
    ASSERT_EQ(IoSetIoPriorityHint(irp, IoPriorityHigh), STATUS_SUCCESS);
    EXPECT_EQ(IoGetPagingIoPriority(irp), IoPagingPriorityHigh);
    ASSERT_EQ(IoSetIoPriorityHint(irp, IoPriorityLow), STATUS_SUCCESS);
    EXPECT_EQ(IoGetPagingIoPriority(irp), IoPagingPriorityNormal);
    irp->Flags &= ~ULONG{IRP_PAGING_IO};
    IoFreeIrp(irp);
    EXPECT_EQ(IoGetPagingIoPriority(nullptr), IoPagingPriorityInvalid);
}

TEST_F(DevicePagingDpcTest, a_threaded_device_dpc_runs_the_routine_with_the_request_arguments) {
    KeInitializeEvent(&g_state.dpc_ran, NotificationEvent, FALSE);
    IoInitializeThreadedDpcRequest(g_state.lower, device_dpc);
    EXPECT_EQ(g_state.lower->Dpc.Type, ThreadedDpcObject);
    PIRP irp = IoAllocateIrp(1, FALSE);
    ASSERT_NE(irp, nullptr);
    int context = 0;
    IoRequestDpc(g_state.lower, irp, &context);
    LARGE_INTEGER timeout;
    timeout.QuadPart = -10LL * 1000 * 1000 * 30;  // a guard against a hang, not a measurement
    ASSERT_EQ(KeWaitForSingleObject(&g_state.dpc_ran, Executive, KernelMode, FALSE, &timeout), STATUS_SUCCESS);
    EXPECT_EQ(g_state.dpc_device, g_state.lower);
    EXPECT_EQ(g_state.dpc_irp, irp);
    EXPECT_EQ(g_state.dpc_context, &context);
    IoFreeIrp(irp);
}

TEST_F(DevicePagingDpcTest, paging_path_count_moves_by_one) {
    LONG count = 0;
    IoAdjustPagingPathCount(&count, TRUE);
    IoAdjustPagingPathCount(&count, TRUE);
    EXPECT_EQ(count, 2);
    IoAdjustPagingPathCount(&count, FALSE);
    EXPECT_EQ(count, 1);
}

TEST_F(DevicePagingDpcTest, priority_info_starts_with_nothing_saved) {
    IO_PRIORITY_INFO info;
    std::memset(&info, 0xcc, sizeof(info));
    IoInitializePriorityInfo(&info);
    EXPECT_EQ(info.Size, sizeof(IO_PRIORITY_INFO));
    EXPECT_EQ(info.ThreadPriority, 0xffffu);
    EXPECT_EQ(info.PagePriority, 0u);
    EXPECT_EQ(info.IoPriority, IoPriorityNormal);
}

}  // namespace io_device_paging_dpc_test

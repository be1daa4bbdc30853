// PoQueueShutdownWorkItem through a WDK-style driver: items queued in DriverEntry run once each when
// the System shuts down, at PASSIVE_LEVEL, before the driver's IRP_MJ_SHUTDOWN and its unload, the
// most recently queued first; an item queued once shutdown has begun is refused with
// STATUS_SYSTEM_SHUTDOWN and never runs; none runs while the System lives.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-poqueueshutdownworkitem
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include <ntifs.h>
#include <ntio/ntio.h>

#include "ntio/system.hpp"

namespace ntio::io::test {
namespace shutdown_work_item {

std::vector<std::string> g_seen;  // in order: "<item>" per work item run, "shutdown", "unload"
NTSTATUS g_late_status = STATUS_PENDING;

struct DriverState {
    WORK_QUEUE_ITEM first;
    WORK_QUEUE_ITEM second;
    WORK_QUEUE_ITEM late;  // queued by `second` while the System shuts down
};
DriverState* g_state = nullptr;
constexpr ULONG kTag = 0x77536f50;  // "PoSw"

VOID NTAPI late_item(PVOID) { g_seen.push_back("late"); }

VOID NTAPI work(PVOID parameter) {
    std::string line = static_cast<const char*>(parameter);
    if (KeGetCurrentIrql() != PASSIVE_LEVEL) line += " above passive";
    g_seen.push_back(line);
    if (line == "second") {
        ExInitializeWorkItem(&g_state->late, late_item, nullptr);
        g_late_status = PoQueueShutdownWorkItem(&g_state->late);
    }
}

NTSTATUS NTAPI dispatch(PDEVICE_OBJECT, PIRP irp) {
    if (IoGetCurrentIrpStackLocation(irp)->MajorFunction == IRP_MJ_SHUTDOWN) g_seen.push_back("shutdown");
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

VOID NTAPI unload(PDRIVER_OBJECT driver) {
    g_seen.push_back("unload");
    ExFreePoolWithTag(g_state, kTag);
    g_state = nullptr;
    while (PDEVICE_OBJECT device = driver->DeviceObject) IoDeleteDevice(device);
}

NTSTATUS NTAPI entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    for (auto& major : driver->MajorFunction) major = dispatch;
    driver->DriverUnload = unload;
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(driver, 0, nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    status = IoRegisterShutdownNotification(device);
    if (!NT_SUCCESS(status)) return status;
    g_state = static_cast<DriverState*>(ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(DriverState), kTag));
    if (!g_state) return STATUS_INSUFFICIENT_RESOURCES;
    ExInitializeWorkItem(&g_state->first, work, const_cast<char*>("first"));
    ExInitializeWorkItem(&g_state->second, work, const_cast<char*>("second"));
    status = PoQueueShutdownWorkItem(&g_state->first);
    if (!NT_SUCCESS(status)) return status;
    return PoQueueShutdownWorkItem(&g_state->second);
}

TEST(ShutdownWorkItemTest, items_run_once_each_at_shutdown_before_the_shutdown_irp_and_unload) {
    g_seen.clear();
    g_late_status = STATUS_PENDING;
    auto system = std::make_unique<System>();
    UNICODE_STRING service = RTL_CONSTANT_STRING(L"ShutdownWorkItemTest");
    PDRIVER_OBJECT driver = nullptr;
    ASSERT_EQ(NtioCreateDriver(&service, entry, &driver), STATUS_SUCCESS);
    ObDereferenceObject(driver);
    EXPECT_TRUE(g_seen.empty()) << "no shutdown work before the System shuts down";
    system.reset();
    const std::vector<std::string> expected = {"second", "first", "shutdown", "unload"};
    EXPECT_EQ(g_seen, expected);
    EXPECT_EQ(g_late_status, STATUS_SYSTEM_SHUTDOWN);
}

TEST(ShutdownWorkItemTest, an_item_without_a_routine_is_refused) {
    auto system = std::make_unique<System>();
    WORK_QUEUE_ITEM item{};
    EXPECT_EQ(PoQueueShutdownWorkItem(&item), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(PoQueueShutdownWorkItem(nullptr), STATUS_INVALID_PARAMETER);
}

}  // namespace shutdown_work_item
}  // namespace ntio::io::test

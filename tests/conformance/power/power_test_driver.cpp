// The power suite's driver (power_test_driver.hpp), written as a WDM driver against the DDK headers.
#include "power_test_driver.hpp"

namespace ntio::power_test {
namespace {

Recorded g_recorded;
PDEVICE_OBJECT g_device = nullptr;

NTSTATUS NTAPI PowerDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    {
        std::lock_guard guard(g_recorded.lock);
        g_recorded.irps.push_back(
            PowerIrp{DeviceObject, sp->MinorFunction, sp->Parameters.Power.Type, sp->Parameters.Power.State});
        g_recorded.arrived.notify_all();
    }
    if (sp->MinorFunction == IRP_MN_SET_POWER) PoSetPowerState(DeviceObject, sp->Parameters.Power.Type, sp->Parameters.Power.State);
    PoStartNextPowerIrp(Irp);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

VOID NTAPI PowerUnload(PDRIVER_OBJECT DriverObject) {
    while (DriverObject->DeviceObject) IoDeleteDevice(DriverObject->DeviceObject);
    g_device = nullptr;
}

NTSTATUS NTAPI PowerDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    DriverObject->MajorFunction[IRP_MJ_POWER] = PowerDispatch;
    DriverObject->DriverUnload = PowerUnload;
    return IoCreateDevice(DriverObject, 0, nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &g_device);
}

}  // namespace

Recorded& recorded() { return g_recorded; }

void PowerTest::SetUp() {
    DriverTest::SetUp();
    (void)g_recorded.take();
    if (m_take_clock) {
        ASSERT_EQ(NtioAdvancePowerIdleClock(0), STATUS_SUCCESS);
    }
    ASSERT_EQ(create_driver(L"PowerTest", PowerDriverEntry), STATUS_SUCCESS);
    ASSERT_NE(g_device, nullptr);
}

PDEVICE_OBJECT PowerTest::device() const { return g_device; }

PDEVICE_OBJECT PowerTest::create_device(DEVICE_TYPE type) {
    PDEVICE_OBJECT device = nullptr;
    EXPECT_EQ(IoCreateDevice(m_driver, 0, nullptr, type, 0, FALSE, &device), STATUS_SUCCESS);
    return device;
}

}  // namespace ntio::power_test

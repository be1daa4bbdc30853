// FsRtlBalanceReads sends FT_BALANCED_READ_MODE to the device it is given and returns the device's
// answer; FsRtlAreVolumeStartupApplicationsComplete is TRUE (ntio runs no volume start-up
// applications).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlbalancereads
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlarevolumestartupapplicationscomplete
#include "support/system_fixture.hpp"

#include <ntifs.h>
#include <ntio/ntio.h>

namespace volume_state_test {

LONG g_balanced = 0;
NTSTATUS g_answer = STATUS_SUCCESS;

// A mirror's driver: FT_BALANCED_READ_MODE gets g_answer, anything else is not its request.
NTSTATUS NTAPI mirror_control(PDEVICE_OBJECT, PIRP irp)
{
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    NTSTATUS status = STATUS_INVALID_DEVICE_REQUEST;
    if (sp->Parameters.DeviceIoControl.IoControlCode == FT_BALANCED_READ_MODE) {
        InterlockedIncrement(&g_balanced);
        status = g_answer;
    }
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

VOID NTAPI mirror_unload(PDRIVER_OBJECT driver)
{
    while (driver->DeviceObject) IoDeleteDevice(driver->DeviceObject);
}

NTSTATUS NTAPI mirror_entry(PDRIVER_OBJECT driver, PUNICODE_STRING)
{
    driver->DriverUnload = mirror_unload;
    driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = mirror_control;
    return STATUS_SUCCESS;
}

using FsRtlVolumeStateTest = ntio::test::SystemTest;

TEST_F(FsRtlVolumeStateTest, balance_reads_asks_the_device_and_returns_its_answer)
{
    EXPECT_EQ(FT_BALANCED_READ_MODE, CTL_CODE(0x66, 6, METHOD_NEITHER, FILE_ANY_ACCESS));
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"BalanceMirror");
    PDRIVER_OBJECT driver = nullptr;
    ASSERT_EQ(NtioCreateDriver(&name, mirror_entry, &driver), STATUS_SUCCESS);
    PDEVICE_OBJECT device = nullptr;
    ASSERT_EQ(IoCreateDevice(driver, 0, nullptr, FILE_DEVICE_DISK, 0, FALSE, &device), STATUS_SUCCESS);
    device->Flags &= ~DO_DEVICE_INITIALIZING;

    g_balanced = 0;
    g_answer = STATUS_SUCCESS;
    EXPECT_EQ(FsRtlBalanceReads(device), STATUS_SUCCESS);
    EXPECT_EQ(g_balanced, 1);
    g_answer = STATUS_INVALID_DEVICE_STATE;
    EXPECT_EQ(FsRtlBalanceReads(device), STATUS_INVALID_DEVICE_STATE);
    EXPECT_EQ(g_balanced, 2);
    EXPECT_EQ(FsRtlBalanceReads(nullptr), STATUS_INVALID_PARAMETER);

    EXPECT_EQ(NtioUnloadDriver(driver), STATUS_SUCCESS);
    ObDereferenceObject(driver);
}

TEST_F(FsRtlVolumeStateTest, volume_startup_applications_are_complete)
{
    EXPECT_EQ(FsRtlAreVolumeStartupApplicationsComplete(), TRUE);
}

}  // namespace volume_state_test

// What a handler asks of the IRP it got: the priority hint (normal until set, kept per IRP, reset by
// reuse, bad hints refused) and, for an IOCTL from user mode, whether the sender's handle grants
// the access the handler wants beyond the CTL_CODE's (IoValidateDeviceIoControlAccess).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iosetiopriorityhint
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdmsec/nf-wdmsec-wdmlibiovalidatedeviceiocontrolaccess
#include "unit/io/requests/requests_test_driver.hpp"

#include <wdmsec.h>

namespace ntio::io::requests_test {
namespace irp_priority_access {

using IrpPriorityTest = ntio::test::SystemTest;

TEST_F(IrpPriorityTest, the_hint_is_normal_until_set_and_kept_per_irp) {
    PIRP irp = IoAllocateIrp(2, FALSE);
    PIRP other = IoAllocateIrp(2, FALSE);
    ASSERT_TRUE(irp && other);
    EXPECT_EQ(IoGetIoPriorityHint(irp), IoPriorityNormal);
    for (IO_PRIORITY_HINT hint : {IoPriorityVeryLow, IoPriorityLow, IoPriorityHigh, IoPriorityCritical}) {
        ASSERT_EQ(IoSetIoPriorityHint(irp, hint), STATUS_SUCCESS);
        EXPECT_EQ(IoGetIoPriorityHint(irp), hint);
    }
    EXPECT_EQ(IoGetIoPriorityHint(other), IoPriorityNormal);
    EXPECT_EQ(IoSetIoPriorityHint(irp, MaxIoPriorityTypes), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoGetIoPriorityHint(irp), IoPriorityCritical) << "a refused hint changes nothing";
    IoReuseIrp(irp, STATUS_SUCCESS);
    EXPECT_EQ(IoGetIoPriorityHint(irp), IoPriorityNormal) << "reuse starts the IRP over";
    ASSERT_EQ(IoSetIoPriorityHint(irp, IoPriorityLow), STATUS_SUCCESS);
    IoFreeIrp(irp);
    // A freshly allocated IRP (perhaps the same memory) starts normal again.
    PIRP again = IoAllocateIrp(2, FALSE);
    ASSERT_NE(again, nullptr);
    EXPECT_EQ(IoGetIoPriorityHint(again), IoPriorityNormal);
    IoFreeIrp(again);
    IoFreeIrp(other);
}

// The driver: IOCTL function 0x900 + n asks IoValidateDeviceIoControlAccess for access kAsked[n]
// and completes with its answer.
constexpr ULONG kAsked[] = {FILE_READ_ACCESS, FILE_WRITE_ACCESS, FILE_READ_ACCESS | FILE_WRITE_ACCESS, 0, 0x8};
constexpr ULONG ioctl_code(ULONG n) { return CTL_CODE(0x9C41, 0x900 + n, METHOD_BUFFERED, FILE_ANY_ACCESS); }

NTSTATUS NTAPI access_dispatch(PDEVICE_OBJECT, PIRP irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    NTSTATUS status = STATUS_SUCCESS;
    if (sp->MajorFunction == IRP_MJ_DEVICE_CONTROL) {
        const ULONG n = ((sp->Parameters.DeviceIoControl.IoControlCode >> 2) & 0xFFF) - 0x900;
        status = n < 5 ? WdmlibIoValidateDeviceIoControlAccess(irp, kAsked[n]) : STATUS_INVALID_DEVICE_REQUEST;
    }
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

VOID NTAPI access_unload(PDRIVER_OBJECT driver) {
    while (driver->DeviceObject) IoDeleteDevice(driver->DeviceObject);
}

NTSTATUS NTAPI access_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    driver->DriverUnload = access_unload;
    for (auto& major : driver->MajorFunction) major = access_dispatch;
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\IoctlAccess");
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(driver, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (NT_SUCCESS(status)) device->Flags &= ~DO_DEVICE_INITIALIZING;
    return status;
}

class IoctlAccessTest : public ntio::test::DriverTest {
protected:
    HANDLE open(ACCESS_MASK access) {
        UNICODE_STRING text;
        RtlInitUnicodeString(&text, L"\\Device\\IoctlAccess");
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &text, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
        IO_STATUS_BLOCK iosb{};
        HANDLE handle = nullptr;
        EXPECT_EQ(NtCreateFile(&handle, access | SYNCHRONIZE, &oa, &iosb, nullptr, 0, FILE_SHARE_READ | FILE_SHARE_WRITE,
                               FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT, nullptr, 0),
                  STATUS_SUCCESS);
        return handle;
    }
    static NTSTATUS ioctl(HANDLE handle, ULONG n) {
        IO_STATUS_BLOCK iosb{};
        return NtDeviceIoControlFile(handle, nullptr, nullptr, nullptr, &iosb, ioctl_code(n), nullptr, 0, nullptr, 0);
    }
};

TEST_F(IoctlAccessTest, the_senders_handle_decides_for_user_mode_requests) {
    ASSERT_EQ(create_driver(L"IoctlAccess", access_entry), STATUS_SUCCESS);
    {
        PreviousModeScope user(UserMode);
        HANDLE reader = open(FILE_READ_DATA);
        HANDLE writer = open(FILE_WRITE_DATA);
        HANDLE both = open(FILE_READ_DATA | FILE_WRITE_DATA);
        HANDLE neither = open(FILE_READ_ATTRIBUTES);
        EXPECT_EQ(ioctl(reader, 0), STATUS_SUCCESS);
        EXPECT_EQ(ioctl(reader, 1), STATUS_ACCESS_DENIED);
        EXPECT_EQ(ioctl(reader, 2), STATUS_ACCESS_DENIED);
        EXPECT_EQ(ioctl(writer, 0), STATUS_ACCESS_DENIED);
        EXPECT_EQ(ioctl(writer, 1), STATUS_SUCCESS);
        EXPECT_EQ(ioctl(both, 2), STATUS_SUCCESS);
        EXPECT_EQ(ioctl(neither, 0), STATUS_ACCESS_DENIED);
        EXPECT_EQ(ioctl(neither, 3), STATUS_SUCCESS) << "FILE_ANY_ACCESS asks for nothing";
        EXPECT_EQ(ioctl(both, 4), STATUS_INVALID_PARAMETER) << "bits beyond read and write access";
        for (HANDLE h : {reader, writer, both, neither}) EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    }
    // A kernel-mode sender is not checked.
    HANDLE neither = open(FILE_READ_ATTRIBUTES);
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(ZwDeviceIoControlFile(neither, nullptr, nullptr, nullptr, &iosb, ioctl_code(2), nullptr, 0, nullptr, 0),
              STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(neither), STATUS_SUCCESS);
}

TEST_F(IoctlAccessTest, only_control_requests_can_be_validated) {
    PIRP irp = IoAllocateIrp(1, FALSE);
    ASSERT_NE(irp, nullptr);
    IoSetNextIrpStackLocation(irp);
    IoGetCurrentIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ;
    EXPECT_EQ(IoValidateDeviceIoControlAccess(irp, FILE_READ_ACCESS), STATUS_INVALID_PARAMETER);
    IoGetCurrentIrpStackLocation(irp)->MajorFunction = IRP_MJ_FILE_SYSTEM_CONTROL;
    irp->RequestorMode = UserMode;
    EXPECT_EQ(IoValidateDeviceIoControlAccess(irp, FILE_READ_ACCESS), STATUS_ACCESS_DENIED);
    IoGetCurrentIrpStackLocation(irp)->Flags = SL_READ_ACCESS_GRANTED;
    EXPECT_EQ(IoValidateDeviceIoControlAccess(irp, FILE_READ_ACCESS), STATUS_SUCCESS);
    EXPECT_EQ(IoValidateDeviceIoControlAccess(nullptr, FILE_READ_ACCESS), STATUS_INVALID_PARAMETER);
    IoFreeIrp(irp);
}

}  // namespace irp_priority_access
}  // namespace ntio::io::requests_test

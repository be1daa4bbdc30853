// Hard errors: a thread's hard-error mode, IoRaiseHardError completing the failed IRP (reported on the
// debug output while the thread's hard errors are enabled, silently once disabled) and
// IoRaiseInformationalHardError (FALSE once disabled), and IoSetHardErrorOrVerifyDevice naming the
// device to verify in the IRP's thread.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iosetthreadharderrormode
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioraiseharderror
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioraiseinformationalharderror
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iosetharderrororverifydevice
#include <ntifs.h>

#include "unit/io/devices/devices_test_support.hpp"

namespace ntio::io::test {
namespace hard_error {

using HardErrorTest = DevicesTest;

struct Completion {
    int calls = 0;
    NTSTATUS status = STATUS_PENDING;
    ULONG flags = 0;
};

NTSTATUS NTAPI record_completion(PDEVICE_OBJECT, PIRP irp, PVOID context) {
    auto* seen = static_cast<Completion*>(context);
    seen->calls++;
    seen->status = irp->IoStatus.Status;
    seen->flags = irp->Flags;
    return STATUS_MORE_PROCESSING_REQUIRED;  // the test frees the IRP
}

// An IRP as a file system holds it when the disk failed it: one stack location, current, with a
// completion routine that records the completion, the failure status in IoStatus.
PIRP failed_irp(Completion* seen, NTSTATUS status, PETHREAD thread) {
    PIRP irp = IoAllocateIrp(2, FALSE);
    if (!irp) return nullptr;
    IoSetCompletionRoutine(irp, record_completion, seen, TRUE, TRUE, TRUE);
    IoSetNextIrpStackLocation(irp);
    irp->Flags |= IRP_BUFFERED_IO | IRP_INPUT_OPERATION;
    irp->IoStatus.Status = status;
    irp->Tail.Overlay.Thread = thread;
    return irp;
}

TEST_F(HardErrorTest, thread_mode_starts_enabled_and_reports_the_previous_mode) {
    EXPECT_EQ(IoSetThreadHardErrorMode(FALSE), TRUE);  // enabled until disabled
    EXPECT_EQ(IoSetThreadHardErrorMode(FALSE), FALSE);
    EXPECT_EQ(IoSetThreadHardErrorMode(TRUE), FALSE);
    EXPECT_EQ(IoSetThreadHardErrorMode(TRUE), TRUE);
}

TEST_F(HardErrorTest, raise_hard_error_completes_the_irp_and_reports_while_enabled) {
    PDRIVER_OBJECT driver = load(u"HardErr");
    PDEVICE_OBJECT disk = create(driver, u"\\Device\\HardErrDisk");
    ASSERT_NE(disk, nullptr);
    VPB vpb{};
    vpb.Type = IO_TYPE_VPB;
    vpb.Size = sizeof(VPB);
    vpb.RealDevice = disk;
    const char16_t label[] = u"DATA";
    std::memcpy(vpb.VolumeLabel, label, 8);
    vpb.VolumeLabelLength = 8;

    Completion seen;
    PIRP irp = failed_irp(&seen, STATUS_DEVICE_DATA_ERROR, PsGetCurrentThread());
    ASSERT_NE(irp, nullptr);
    testing::internal::CaptureStderr();
    IoRaiseHardError(irp, &vpb, disk);
    EXPECT_EQ(testing::internal::GetCapturedStderr(),
              "Hard error: \\Device\\HardErrDisk (volume DATA): status 0xC000009C\n");
    EXPECT_EQ(seen.calls, 1);
    EXPECT_EQ(seen.status, STATUS_DEVICE_DATA_ERROR);
    EXPECT_EQ(seen.flags & IRP_INPUT_OPERATION, 0u);  // nothing is copied back
    IoFreeIrp(irp);

    // Disabled for the IRP's thread: completed the same way, nothing reported.
    EXPECT_EQ(IoSetThreadHardErrorMode(FALSE), TRUE);
    Completion quiet;
    irp = failed_irp(&quiet, STATUS_IO_DEVICE_ERROR, PsGetCurrentThread());
    ASSERT_NE(irp, nullptr);
    testing::internal::CaptureStderr();
    IoRaiseHardError(irp, nullptr, disk);
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
    EXPECT_EQ(quiet.calls, 1);
    EXPECT_EQ(quiet.status, STATUS_IO_DEVICE_ERROR);
    IoFreeIrp(irp);
    EXPECT_EQ(IoSetThreadHardErrorMode(TRUE), FALSE);

    // No VPB: the device alone.
    Completion plain;
    irp = failed_irp(&plain, STATUS_IO_DEVICE_ERROR, nullptr);
    ASSERT_NE(irp, nullptr);
    testing::internal::CaptureStderr();
    IoRaiseHardError(irp, nullptr, disk);
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "Hard error: \\Device\\HardErrDisk: status 0xC0000185\n");
    EXPECT_EQ(plain.calls, 1);
    IoFreeIrp(irp);
    unload(driver);
}

TEST_F(HardErrorTest, informational_hard_error_is_false_once_disabled) {
    Name text(u"E: is full");
    testing::internal::CaptureStderr();
    EXPECT_EQ(IoRaiseInformationalHardError(STATUS_DISK_FULL, text, nullptr), TRUE);
    EXPECT_EQ(IoRaiseInformationalHardError(STATUS_MEDIA_WRITE_PROTECTED, nullptr, KeGetCurrentThread()), TRUE);
    EXPECT_EQ(testing::internal::GetCapturedStderr(),
              "Hard error (informational): status 0xC000007F E: is full\n"
              "Hard error (informational): status 0xC00000A2\n");

    EXPECT_EQ(IoSetThreadHardErrorMode(FALSE), TRUE);
    testing::internal::CaptureStderr();
    EXPECT_EQ(IoRaiseInformationalHardError(STATUS_DISK_FULL, text, nullptr), FALSE);
    EXPECT_EQ(IoRaiseInformationalHardError(STATUS_DISK_FULL, text, KeGetCurrentThread()), FALSE);
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
    EXPECT_EQ(IoSetThreadHardErrorMode(TRUE), FALSE);
}

TEST_F(HardErrorTest, hard_error_or_verify_device_goes_to_the_irps_thread) {
    PDRIVER_OBJECT driver = load(u"HardErrVerify");
    PDEVICE_OBJECT disk = create(driver);
    ASSERT_NE(disk, nullptr);
    PETHREAD self = PsGetCurrentThread();
    PIRP irp = IoAllocateIrp(1, FALSE);
    ASSERT_NE(irp, nullptr);
    irp->Tail.Overlay.Thread = self;
    IoSetHardErrorOrVerifyDevice(irp, disk);
    EXPECT_EQ(IoGetDeviceToVerify(self), disk);

    // An IRP without a thread names nothing (Learn forbids the call for one).
    IoSetDeviceToVerify(self, nullptr);
    irp->Tail.Overlay.Thread = nullptr;
    IoSetHardErrorOrVerifyDevice(irp, disk);
    EXPECT_EQ(IoGetDeviceToVerify(self), nullptr);
    IoSetHardErrorOrVerifyDevice(nullptr, disk);
    IoFreeIrp(irp);
    unload(driver);
}

}  // namespace hard_error
}  // namespace ntio::io::test

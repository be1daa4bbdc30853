// What a file system asks about the volumes under it: whether the volume start-up applications
// (autochk and the like) are done, and FsRtlBalanceReads, which tells a mirrored volume's
// fault-tolerant driver that it may balance reads across the mirror again.
#include <ntifs.h>

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlarevolumestartupapplicationscomplete:
// TRUE once the volume start-up applications have run. ntio runs none at boot, so they are complete
// from the start: TRUE.
BOOLEAN NTAPI FsRtlAreVolumeStartupApplicationsComplete(VOID) { return TRUE; }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlbalancereads: sends
// FT_BALANCED_READ_MODE to the target device and returns its status (a device that does not know the
// request, not being a mirror, answers it with its own failure). PASSIVE_LEVEL.
NTSTATUS NTAPI FsRtlBalanceReads(PDEVICE_OBJECT TargetDevice)
{
    if (!TargetDevice) return STATUS_INVALID_PARAMETER;
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    IO_STATUS_BLOCK iosb{};
    PIRP irp = IoBuildDeviceIoControlRequest(FT_BALANCED_READ_MODE, TargetDevice, nullptr, 0, nullptr, 0, FALSE, &event,
                                             &iosb);
    if (!irp) return STATUS_INSUFFICIENT_RESOURCES;
    NTSTATUS status = IoCallDriver(TargetDevice, irp);
    if (status == STATUS_PENDING) {
        (void)KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, nullptr);
        status = iosb.Status;
    }
    return status;
}

}  // extern "C"

// Volume events: a file system tells whoever watches its volume that it is being locked, unlocked,
// dismounted or mounted, or needs checking. On NT the event is a custom target-device-change event
// (GUID_IO_VOLUME_*) reported on the volume's device for the callbacks registered with
// IoRegisterPlugPlayNotification(EventCategoryTargetDeviceChange) and for applications' device
// notifications.
// NT deviation: ntio has neither, so nobody can be listening: the routines check the event and
// deliver it to no one.
#include <ntifs.h>

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlnotifyvolumeevent
// STATUS_INVALID_PARAMETER for a code that is not one of the FSRTL_VOLUME_* events or no file object.
NTKERNELAPI NTSTATUS NTAPI FsRtlNotifyVolumeEvent(PFILE_OBJECT FileObject, ULONG EventCode) {
    if (!FileObject || EventCode < FSRTL_VOLUME_DISMOUNT || EventCode > FSRTL_VOLUME_BACKGROUND_FORMAT)
        return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlnotifyvolumeeventex
// As FsRtlNotifyVolumeEvent, with the caller's custom notification: it must be there and at least
// as large as its header (Size, up to CustomDataBuffer).
NTKERNELAPI NTSTATUS NTAPI FsRtlNotifyVolumeEventEx(PFILE_OBJECT FileObject, ULONG EventCode,
                                                    PTARGET_DEVICE_CUSTOM_NOTIFICATION Event) {
    if (!Event || Event->Size < FIELD_OFFSET(TARGET_DEVICE_CUSTOM_NOTIFICATION, CustomDataBuffer))
        return STATUS_INVALID_PARAMETER;
    return FsRtlNotifyVolumeEvent(FileObject, EventCode);
}

}  // extern "C"

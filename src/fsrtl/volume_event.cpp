// Volume events: a file system tells whoever watches its volume that it is being locked, unlocked,
// dismounted or mounted, or needs checking. The event is a custom target-device-change event
// (GUID_IO_VOLUME_*, <ioevent.h>) reported with IoReportTargetDeviceChangeAsynchronous on the PDO
// under the volume: the file object's volume (its VPB's real device, else the device it was opened
// on), down to the base of that device's stack. A volume on a device outside Plug and Play has no
// PDO, so nobody can have registered for it: the event is checked and goes nowhere.
// NT deviation: applications' device notifications (RegisterDeviceNotification) do not exist.
#include "io/pnp_manager.hpp"

#include <ioevent.h>

namespace {

// The GUID of each FSRTL_VOLUME_* code, in code order (FSRTL_VOLUME_DISMOUNT is 1).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlnotifyvolumeevent
const GUID* const kEvents[] = {
    &GUID_IO_VOLUME_DISMOUNT,       &GUID_IO_VOLUME_DISMOUNT_FAILED,   &GUID_IO_VOLUME_LOCK,
    &GUID_IO_VOLUME_LOCK_FAILED,    &GUID_IO_VOLUME_UNLOCK,            &GUID_IO_VOLUME_MOUNT,
    &GUID_IO_VOLUME_NEED_CHKDSK,    &GUID_IO_VOLUME_WORM_NEAR_FULL,    &GUID_IO_VOLUME_WEARING_OUT,
    &GUID_IO_VOLUME_FORCE_CLOSED,   &GUID_IO_VOLUME_INFO_MAKE_COMPAT,  &GUID_IO_VOLUME_PREPARING_EJECT,
    &GUID_IO_VOLUME_CHANGE_SIZE,    &GUID_IO_VOLUME_BACKGROUND_FORMAT,
};
static_assert(sizeof kEvents / sizeof kEvents[0] == FSRTL_VOLUME_BACKGROUND_FORMAT);

bool known_code(ULONG code) { return code >= FSRTL_VOLUME_DISMOUNT && code <= FSRTL_VOLUME_BACKGROUND_FORMAT; }

// The PnP PDO under the file object's volume, referenced; null when the volume's device is not a
// PnP device.
PDEVICE_OBJECT volume_pdo(PFILE_OBJECT file) {
    PVPB vpb = file->Vpb;
    PDEVICE_OBJECT device = vpb && vpb->RealDevice ? vpb->RealDevice : file->DeviceObject;
    if (!device) return nullptr;
    PDEVICE_OBJECT base = IoGetDeviceAttachmentBaseRef(device);
    if (base && !ntio::io::pnp_is_pdo(base)) {
        ObDereferenceObject(base);
        return nullptr;
    }
    return base;
}

// Reports `event` (copied by IoReportTargetDeviceChangeAsynchronous) with the code's GUID.
NTSTATUS report(PFILE_OBJECT file, ULONG code, const TARGET_DEVICE_CUSTOM_NOTIFICATION* caller) {
    PDEVICE_OBJECT pdo = volume_pdo(file);
    if (!pdo) return STATUS_SUCCESS;
    std::vector<unsigned char> buffer(caller ? std::max<std::size_t>(caller->Size, sizeof(TARGET_DEVICE_CUSTOM_NOTIFICATION))
                                             : sizeof(TARGET_DEVICE_CUSTOM_NOTIFICATION));
    auto* event = reinterpret_cast<PTARGET_DEVICE_CUSTOM_NOTIFICATION>(buffer.data());
    if (caller) {
        std::memcpy(event, caller, caller->Size);
    } else {
        event->Version = 1;
        event->Size = static_cast<USHORT>(FIELD_OFFSET(TARGET_DEVICE_CUSTOM_NOTIFICATION, CustomDataBuffer));
        event->NameBufferOffset = -1;
    }
    event->Event = *kEvents[code - 1];
    event->FileObject = nullptr;
    (void)IoReportTargetDeviceChangeAsynchronous(pdo, event, nullptr, nullptr);
    ObDereferenceObject(pdo);
    return STATUS_SUCCESS;
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlnotifyvolumeevent
// STATUS_INVALID_PARAMETER for a code that is not one of the FSRTL_VOLUME_* events or no file object.
NTKERNELAPI NTSTATUS NTAPI FsRtlNotifyVolumeEvent(PFILE_OBJECT FileObject, ULONG EventCode) {
    if (!FileObject || !known_code(EventCode)) return STATUS_INVALID_PARAMETER;
    return report(FileObject, EventCode, nullptr);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlnotifyvolumeeventex
// As FsRtlNotifyVolumeEvent, with the caller's custom notification: it must be there and at least
// as large as its header (Size, up to CustomDataBuffer). Its data goes with the event; Event and
// FileObject are the routine's to fill.
NTKERNELAPI NTSTATUS NTAPI FsRtlNotifyVolumeEventEx(PFILE_OBJECT FileObject, ULONG EventCode,
                                                    PTARGET_DEVICE_CUSTOM_NOTIFICATION Event) {
    if (!Event || Event->Size < FIELD_OFFSET(TARGET_DEVICE_CUSTOM_NOTIFICATION, CustomDataBuffer))
        return STATUS_INVALID_PARAMETER;
    if (!FileObject || !known_code(EventCode)) return STATUS_INVALID_PARAMETER;
    return report(FileObject, EventCode, Event);
}

}  // extern "C"

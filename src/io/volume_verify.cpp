// The devices around a mounted volume and its verification: IoGetDiskDeviceObject (the storage
// device under a file system's volume device, through the VPB the mount recorded in the volume
// device's extension), IoGetBaseFileSystemDeviceObject, and IoVerifyVolume, which asks the mounted
// file system whether the medium changed and offers a changed volume to the file systems again.
#include "io/device_object.hpp"
#include "io/file_object.hpp"
#include "io/file_systems.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {

namespace {

// The mounted volume device of `device`'s VPB, referenced; null when none is mounted (or the volume
// is mounted raw: the RAW stand-in has no volume device and nothing to verify).
PDEVICE_OBJECT mounted_volume(PDEVICE_OBJECT device, PVPB* vpb_out, bool* raw)
{
    KIRQL irql;
    IoAcquireVpbSpinLock(&irql);
    PVPB vpb = device->Vpb;
    PDEVICE_OBJECT volume = nullptr;
    *raw = (vpb->Flags & VPB_MOUNTED) && (vpb->Flags & VPB_RAW_MOUNT);
    if ((vpb->Flags & VPB_MOUNTED) && vpb->DeviceObject) {
        volume = vpb->DeviceObject;
        ObReferenceObject(volume);
    }
    *vpb_out = vpb;
    IoReleaseVpbSpinLock(irql);
    return volume;
}

bool vpb_mounted(PDEVICE_OBJECT device)
{
    KIRQL irql;
    IoAcquireVpbSpinLock(&irql);
    const bool mounted = (device->Vpb->Flags & VPB_MOUNTED) != 0;
    IoReleaseVpbSpinLock(irql);
    return mounted;
}

}  // namespace

}  // namespace ntio::io

using namespace ntio;
using namespace ntio::io;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iogetdiskdeviceobject:
// the storage device under a file system volume device object, referenced; STATUS_INVALID_PARAMETER,
// STATUS_VOLUME_DISMOUNTED or STATUS_SUCCESS. The VPB is the one the mount recorded in the volume
// device's extension (mount_volume_locked). A device attached over another (a filter's) is not a
// volume device: STATUS_INVALID_PARAMETER, as for a device no mount recorded a VPB for. A volume
// whose VPB is neither mounted nor held by a file any more is dismounted. <= DISPATCH_LEVEL.
NTSTATUS NTAPI IoGetDiskDeviceObject(PDEVICE_OBJECT FileSystemDeviceObject, PDEVICE_OBJECT* DiskDeviceObject)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    if (!DiskDeviceObject || !is_device(FileSystemDeviceObject)) return STATUS_INVALID_PARAMETER;
    *DiskDeviceObject = nullptr;
    if (FileSystemDeviceObject->DeviceObjectExtension->AttachedTo) return STATUS_INVALID_PARAMETER;
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL irql;
    IoAcquireVpbSpinLock(&irql);
    PVPB vpb = FileSystemDeviceObject->DeviceObjectExtension->Vpb;
    if (!vpb || !vpb->RealDevice) {
        status = STATUS_INVALID_PARAMETER;
    } else if (vpb->ReferenceCount == 0 && !(vpb->Flags & VPB_MOUNTED)) {
        status = STATUS_VOLUME_DISMOUNTED;
    } else {
        ObReferenceObject(vpb->RealDevice);
        *DiskDeviceObject = vpb->RealDevice;
    }
    IoReleaseVpbSpinLock(irql);
    return status;
}

// Learn has no page for IoGetBaseFileSystemDeviceObject (ntifs.h declares it): the device a file's
// requests reach before any filter attached over it, i.e. IoGetRelatedDeviceObject without the
// walk to the top of the stack: the volume device of the file's VPB, else of its device's mounted
// VPB, else the file's device. A pointer that is not a file object: NULL.
PDEVICE_OBJECT NTAPI IoGetBaseFileSystemDeviceObject(PFILE_OBJECT FileObject)
{
    if (!is_file(FileObject)) return nullptr;
    if (FileObject->Vpb && FileObject->Vpb->DeviceObject) return FileObject->Vpb->DeviceObject;
    PDEVICE_OBJECT device = FileObject->DeviceObject;
    if (device && device->Vpb && device->Vpb->DeviceObject) return device->Vpb->DeviceObject;
    return device;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioverifyvolume: a mounted
// volume gets IRP_MN_VERIFY_VOLUME; one that changed (STATUS_WRONG_VOLUME) or was not mounted is
// offered to the file systems again (IRP_MN_MOUNT_VOLUME). Returns STATUS_SUCCESS when the volume
// did not change or was not mounted, STATUS_WRONG_VOLUME when it changed, else the verify's failure.
// Verification and mounts of one volume are serialized on the device's DeviceLock, as mounts on
// open are. The remount happens only once the file system took its volume off the VPB (cleared
// VPB_MOUNTED or swapped a fresh VPB in, as a file system does when the medium changed); a file
// system that answers STATUS_WRONG_VOLUME but keeps the volume mounted keeps it.
// NT deviation: AllowRawMount mounts nothing raw here; a volume no file system recognizes stays
// unmounted and its next whole-volume open mounts it raw (the RAW stand-in mounts only for a file).
// A raw-mounted volume has no file system to verify it: STATUS_SUCCESS. A device that is not one, or
// has no VPB: STATUS_INVALID_PARAMETER. < DISPATCH_LEVEL.
NTSTATUS NTAPI IoVerifyVolume(PDEVICE_OBJECT DeviceObject, BOOLEAN AllowRawMount)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, APC_LEVEL);
    (void)AllowRawMount;
    if (!is_device(DeviceObject) || !DeviceObject->Vpb) return STATUS_INVALID_PARAMETER;
    (void)KeWaitForSingleObject(&DeviceObject->DeviceLock, Executive, KernelMode, FALSE, nullptr);
    PVPB vpb = nullptr;
    bool raw = false;
    NTSTATUS status = STATUS_SUCCESS;
    bool remount = false;
    if (PDEVICE_OBJECT volume = mounted_volume(DeviceObject, &vpb, &raw)) {
        // To the top of the volume device's stack, so file system filters see it.
        status = send_volume_request(volume, IRP_MN_VERIFY_VOLUME, vpb, volume);
        ObDereferenceObject(volume);
        remount = status == STATUS_WRONG_VOLUME;
    } else {
        remount = !raw;
    }
    if (remount && !vpb_mounted(DeviceObject)) {
        bool offered = false;
        NTSTATUS mount = mount_volume_locked(DeviceObject, &offered);
        // A volume no file system recognizes is not an error of the verification.
        if (!NT_SUCCESS(mount) && mount != STATUS_UNRECOGNIZED_VOLUME && status == STATUS_SUCCESS) status = mount;
    }
    KeSetEvent(&DeviceObject->DeviceLock, IO_NO_INCREMENT, FALSE);
    return status;
}

}  // extern "C"

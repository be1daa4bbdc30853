// Mounting on open (NT's IopCheckVpbMounted / IopMountVolume): an open of a disk, CD-ROM or tape
// device whose VPB is not mounted offers the volume to each registered file system of its class in
// turn, and a file opened through a mounted volume holds a VPB reference and an open of the
// volume device until it closes. A volume every file system offered declines is mounted raw, as
// Windows mounts its RAW file system on it, by a stand-in with no volume device: the VPB is marked
// VPB_MOUNTED | VPB_RAW_MOUNT while whole-volume opens hold it, their IRPs keep going to the disk's
// own stack, and the volume FSCTLs RAW answers are answered here. The VPB spin lock lives here.
#include "io/device_object.hpp"
#include "io/driver_object.hpp"
#include "io/file_object.hpp"
#include "io/file_systems.hpp"
#include "ke/spin_lock.hpp"

#include <ntio_ddk/io_file_system.h>

namespace ntio::io {

namespace {

constexpr ULONG kRawVpbTag = 'wRoI';

// NT has one VPB spin lock for all VPBs (IoAcquireVpbSpinLock takes no VPB): the numbered queued
// spin lock LockQueueIoVpbLock.
constexpr PKSPIN_LOCK g_vpb_lock = ke::queued_spin_lock(LockQueueIoVpbLock);

}  // namespace

// IRP_MN_MOUNT_VOLUME and IRP_MN_VERIFY_VOLUME share Parameters.MountVolume's layout
// (Parameters.VerifyVolume: the VPB and a device); the members are those of
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_io_stack_location and the
// requests are IRP_MJ_FILE_SYSTEM_CONTROL's
// (https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-file-system-control).
NTSTATUS send_volume_request(PDEVICE_OBJECT to, UCHAR minor, PVPB vpb, PDEVICE_OBJECT device)
{
    PDEVICE_OBJECT top = IoGetAttachedDevice(to);
    PIRP irp = IoAllocateIrp(top->StackSize, FALSE);
    if (!irp) return STATUS_INSUFFICIENT_RESOURCES;
    IO_STATUS_BLOCK iosb{};
    irp->Flags = IRP_MOUNT_COMPLETION | IRP_SYNCHRONOUS_PAGING_IO;
    irp->RequestorMode = KernelMode;
    irp->UserIosb = &iosb;
    irp->Tail.Overlay.Thread = PsGetCurrentThread();
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = IRP_MJ_FILE_SYSTEM_CONTROL;
    sp->MinorFunction = minor;
    sp->Parameters.MountVolume.Vpb = vpb;
    sp->Parameters.MountVolume.DeviceObject = device;
    NTSTATUS status = call_driver_and_wait(top, irp);
    IoFreeIrp(irp);
    return status;
}

namespace {

// Sends IRP_MN_MOUNT_VOLUME to the top of the file system control device's stack, so file system
// filters attached to the control device see it, with the VPB and the device the file system reads
// the volume through (the top of the storage stack).
NTSTATUS send_mount(PDEVICE_OBJECT file_system, PDEVICE_OBJECT real_device, PVPB vpb)
{
    return send_volume_request(file_system, IRP_MN_MOUNT_VOLUME, vpb, IoGetAttachedDevice(real_device));
}

}  // namespace

// Offers the volume to the file systems in queue order; the caller holds the real device's
// DeviceLock (mounts of one volume are serialized, others proceed). A file system that does not
// know the format answers STATUS_UNRECOGNIZED_VOLUME and the next is tried
// (https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-file-system-control); any
// other failure ends the mount. The I/O manager sets VPB_MOUNTED
// (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_vpb) and records the VPB in
// the volume device's extension, where IoGetDiskDeviceObject finds the disk under the volume.
NTSTATUS mount_volume_locked(PDEVICE_OBJECT real_device, bool* offered)
{
    NTSTATUS status = STATUS_UNRECOGNIZED_VOLUME;
    auto gate = hold_mount_gate(real_device);
    std::vector<PDEVICE_OBJECT> file_systems = file_systems_for(real_device);
    for (PDEVICE_OBJECT file_system : file_systems) {
        if (device_delete_pending(file_system) || driver_unloading(file_system->DriverObject)) continue;
        *offered = true;
        PVPB vpb = real_device->Vpb;
        status = send_mount(file_system, real_device, vpb);
        KIRQL irql;
        IoAcquireVpbSpinLock(&irql);
        vpb = real_device->Vpb;
        if (NT_SUCCESS(status) && vpb->DeviceObject) {
            vpb->Flags |= VPB_MOUNTED;
            if (is_device(vpb->DeviceObject)) vpb->DeviceObject->DeviceObjectExtension->Vpb = vpb;
        } else {
            // A failed mount leaves no half-mounted VPB; a "success" that named no volume device
            // is no mount either.
            vpb->DeviceObject = nullptr;
            vpb->Flags &= static_cast<USHORT>(~VPB_MOUNTED);
            if (NT_SUCCESS(status)) status = STATUS_UNRECOGNIZED_VOLUME;
        }
        IoReleaseVpbSpinLock(irql);
        if (status != STATUS_UNRECOGNIZED_VOLUME) break;
    }
    for (PDEVICE_OBJECT file_system : file_systems) ObDereferenceObject(file_system);
    return status;
}

namespace {

// Takes a VPB reference on a mounted volume (null when the device's VPB is not mounted).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_vpb: VPB_LOCKED fails every
// later create on the volume. A volume mounted raw (VPB_RAW_MOUNT, no volume device: *volume_out
// stays null) takes only whole-volume opens; a name fails as RAW's create fails it,
// STATUS_INVALID_PARAMETER, and the volume stays mounted raw for the files holding it.
NTSTATUS reference_mounted(PDEVICE_OBJECT real_device, bool sub_path, PVPB* vpb_out, PDEVICE_OBJECT* volume_out)
{
    *vpb_out = nullptr;
    *volume_out = nullptr;
    KIRQL irql;
    IoAcquireVpbSpinLock(&irql);
    PVPB vpb = real_device->Vpb;
    NTSTATUS status = STATUS_SUCCESS;
    const bool raw = (vpb->Flags & VPB_RAW_MOUNT) != 0;
    if ((vpb->Flags & VPB_MOUNTED) && (vpb->DeviceObject || raw)) {
        if (vpb->Flags & VPB_LOCKED) {
            status = STATUS_ACCESS_DENIED;
        } else if (!vpb->DeviceObject && sub_path) {
            status = STATUS_INVALID_PARAMETER;
        } else {
            vpb->ReferenceCount++;
            *vpb_out = vpb;
            *volume_out = vpb->DeviceObject;
        }
    }
    IoReleaseVpbSpinLock(irql);
    return status;
}

// The raw mount of a volume every file system offered declined, for the whole-volume open `file`;
// the caller holds the real device's DeviceLock. NT's RAW sets up a mounted VPB and the I/O manager
// marks it VPB_RAW_MOUNT (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_vpb);
// the stand-in has no volume device (Vpb->DeviceObject stays null), so the file keeps going to the
// disk's own stack. The file holds the VPB's first reference.
void raw_mount_locked(PDEVICE_OBJECT real_device, PFILE_OBJECT file)
{
    KIRQL irql;
    IoAcquireVpbSpinLock(&irql);
    PVPB vpb = real_device->Vpb;
    vpb->DeviceObject = nullptr;
    vpb->Flags |= VPB_MOUNTED | VPB_RAW_MOUNT;
    vpb->ReferenceCount++;
    file->Vpb = vpb;
    file_private(file).raw_volume = true;
    IoReleaseVpbSpinLock(irql);
}

// A raw file's VPB reference goes (after its IRP_MJ_CLOSE, so that no request of it can reach a file
// system mounted on the volume meanwhile). NT's RAW checks for dismount when its open count reaches
// 0 and goes away: the VPB that is still the device's turns back to unmounted, so the next open offers
// the volume to the file systems again; one a dismount swapped out (raw_dismount) goes with its last
// file, freed unless it is the device's own.
void release_raw_reference(PFILE_OBJECT file) noexcept
{
    FilePrivate& priv = file_private(file);
    priv.raw_volume = false;
    PVPB vpb = file->Vpb;
    PDEVICE_OBJECT real_device = vpb->RealDevice;
    PVPB to_free = nullptr;
    KIRQL irql;
    IoAcquireVpbSpinLock(&irql);
    if (priv.raw_locker) {
        priv.raw_locker = false;
        vpb->Flags &= static_cast<USHORT>(~VPB_LOCKED);
    }
    if (--vpb->ReferenceCount == 0) {
        if (real_device->Vpb == vpb) {
            vpb->Flags &= static_cast<USHORT>(~(VPB_MOUNTED | VPB_RAW_MOUNT | VPB_LOCKED));
        } else {
            vpb->Flags = 0;
            if (vpb != &device_extras(real_device)->vpb) to_free = vpb;
        }
    }
    IoReleaseVpbSpinLock(irql);
    if (to_free) ExFreePool(to_free);
}

// FSCTL_DISMOUNT_VOLUME on a raw volume: the device gets a fresh, unmounted VPB, so the next open
// offers the volume to the file systems again, while the files still open keep the old VPB (no
// longer VPB_MOUNTED, still VPB_RAW_MOUNT) and with it their raw access to the device, as a file
// system dismounting with files open swaps a spare VPB in (drivers/fastfat does). Serialized with
// mounts on the device's DeviceLock.
NTSTATUS raw_dismount(PVPB vpb) noexcept
{
    PDEVICE_OBJECT real_device = vpb->RealDevice;
    auto* fresh = static_cast<PVPB>(ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(VPB), kRawVpbTag));
    if (!fresh) return STATUS_INSUFFICIENT_RESOURCES;
    RtlZeroMemory(fresh, sizeof(VPB));
    fresh->Type = IO_TYPE_VPB;
    fresh->Size = sizeof(VPB);
    fresh->RealDevice = real_device;
    (void)KeWaitForSingleObject(&real_device->DeviceLock, Executive, KernelMode, FALSE, nullptr);
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL irql;
    IoAcquireVpbSpinLock(&irql);
    if (!(vpb->Flags & VPB_MOUNTED)) {
        status = STATUS_VOLUME_DISMOUNTED;
    } else {
        vpb->Flags &= static_cast<USHORT>(~VPB_MOUNTED);
        if (real_device->Vpb == vpb) {
            real_device->Vpb = fresh;
            fresh = nullptr;
        }
    }
    IoReleaseVpbSpinLock(irql);
    KeSetEvent(&real_device->DeviceLock, IO_NO_INCREMENT, FALSE);
    if (fresh) ExFreePool(fresh);
    return status;
}

void drop_vpb_reference(PVPB vpb) noexcept
{
    KIRQL irql;
    IoAcquireVpbSpinLock(&irql);
    vpb->ReferenceCount--;
    IoReleaseVpbSpinLock(irql);
}

}  // namespace

NTSTATUS open_through_volume(PDEVICE_OBJECT device, PFILE_OBJECT file, bool sub_path, PDEVICE_OBJECT* target)
{
    *target = IoGetAttachedDevice(device);
    // NT fact K11: a direct device open neither mounts nor goes to the file system.
    if (!device->Vpb || (file_flags(file) & FO_DIRECT_DEVICE_OPEN)) return STATUS_SUCCESS;
    for (;;) {
        PVPB vpb;
        PDEVICE_OBJECT volume;
        NTSTATUS status = reference_mounted(device, sub_path, &vpb, &volume);
        if (!NT_SUCCESS(status)) return status;
        if (vpb && !volume) {
            // Mounted raw: the whole-volume open holds the VPB and goes to the device's own stack.
            file->Vpb = vpb;
            file_private(file).raw_volume = true;
            return STATUS_SUCCESS;
        }
        if (vpb) {
            // The VPB reference keeps the volume device: a file system tears a volume down only
            // once no file holds its VPB. NT deviation: the file also counts as an open of the
            // volume device, so the file system's unload waits for it.
            // NT deviation: a file system being unloaded takes no new files; its unload waits for the
            // volume device's opens, which must be able to run out.
            if (driver_unloading(volume->DriverObject) || !device_reference_open(volume)) {
                drop_vpb_reference(vpb);
                return STATUS_NO_SUCH_DEVICE;
            }
            file->Vpb = vpb;
            file_private(file).volume_device = volume;
            *target = IoGetAttachedDevice(volume);
            return STATUS_SUCCESS;
        }
        // The mount itself, serialized per volume on the real device's DeviceLock as NT does.
        (void)KeWaitForSingleObject(&device->DeviceLock, Executive, KernelMode, FALSE, nullptr);
        KIRQL irql;
        IoAcquireVpbSpinLock(&irql);
        const bool mounted = (device->Vpb->Flags & VPB_MOUNTED) != 0;
        IoReleaseVpbSpinLock(irql);
        bool offered = false;
        status = mounted ? STATUS_SUCCESS : mount_volume_locked(device, &offered);
        // Every file system offered the volume declined it: Windows mounts RAW, whose create takes
        // the whole volume only. The whole-volume open mounts the stand-in (raw_mount_locked); a
        // named open fails as RAW's create fails it, STATUS_INVALID_PARAMETER, and since that was
        // RAW's only open it leaves the volume unmounted, as RAW dismounts when its first open fails.
        // With no file system of the device's class registered at all nothing was offered and
        // nothing mounts: every open goes to the device, names included (NT deviation: disk drivers
        // that serve names themselves keep working).
        const bool raw = status == STATUS_UNRECOGNIZED_VOLUME && offered && !sub_path;
        if (raw) raw_mount_locked(device, file);
        KeSetEvent(&device->DeviceLock, IO_NO_INCREMENT, FALSE);
        if (raw) return STATUS_SUCCESS;
        if (status == STATUS_UNRECOGNIZED_VOLUME) return sub_path && offered ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
        if (!NT_SUCCESS(status)) return status;
    }
}

void release_volume_reference(PFILE_OBJECT file) noexcept
{
    if (file_private(file).volume_device && file->Vpb) drop_vpb_reference(file->Vpb);
}

void release_volume_device(PFILE_OBJECT file) noexcept
{
    FilePrivate& priv = file_private(file);
    if (PDEVICE_OBJECT volume = priv.volume_device) {
        priv.volume_device = nullptr;
        device_release_open(volume);
    }
    if (priv.raw_volume) [[unlikely]] release_raw_reference(file);
}

// The volume FSCTLs NT's RAW answers itself, for a file holding a raw VPB. Microsoft Learn gives
// their success and when they fail but names no failure status; the ones used are those this
// repository's FAT driver (drivers/fastfat) gives for the same conditions:
// - https://learn.microsoft.com/windows/win32/api/winioctl/ni-winioctl-fsctl_lock_volume: fails while
//   any other file is open on the volume (STATUS_ACCESS_DENIED, also for a volume already locked);
//   afterwards only the locking file object reaches the volume (VPB_LOCKED: later creates get
//   STATUS_ACCESS_DENIED, https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_vpb);
//   the lock lasts until FSCTL_UNLOCK_VOLUME or the close of the locking handle (raw_volume_cleanup).
// - https://learn.microsoft.com/windows/win32/api/winioctl/ni-winioctl-fsctl_unlock_volume: from
//   anyone but the locker, STATUS_NOT_LOCKED.
// - https://learn.microsoft.com/windows/win32/api/winioctl/ni-winioctl-fsctl_dismount_volume and
//   https://learn.microsoft.com/windows-hardware/drivers/ifs/fsctl-dismount-volume: dismounts whether
//   or not the volume is in use; the next open mounts again (raw_dismount).
// - https://learn.microsoft.com/windows/win32/api/winioctl/ni-winioctl-fsctl_is_volume_mounted:
//   success while mounted.
// On a dismounted raw volume each of them is STATUS_VOLUME_DISMOUNTED, as the FAT driver answers
// every FSCTL on a dismounted volume.
bool raw_volume_control(PFILE_OBJECT file, ULONG code, NTSTATUS* status) noexcept
{
    if (code != FSCTL_LOCK_VOLUME && code != FSCTL_UNLOCK_VOLUME && code != FSCTL_DISMOUNT_VOLUME &&
        code != FSCTL_IS_VOLUME_MOUNTED)
        return false;
    FilePrivate& priv = file_private(file);
    PVPB vpb = file->Vpb;
    if (code == FSCTL_DISMOUNT_VOLUME) {
        *status = raw_dismount(vpb);
        return true;
    }
    KIRQL irql;
    IoAcquireVpbSpinLock(&irql);
    if (!(vpb->Flags & VPB_MOUNTED)) {
        *status = STATUS_VOLUME_DISMOUNTED;
    } else if (code == FSCTL_IS_VOLUME_MOUNTED) {
        *status = STATUS_SUCCESS;
    } else if (code == FSCTL_LOCK_VOLUME) {
        if ((vpb->Flags & VPB_LOCKED) || vpb->ReferenceCount != 1) {
            *status = STATUS_ACCESS_DENIED;
        } else {
            vpb->Flags |= VPB_LOCKED;
            priv.raw_locker = true;
            *status = STATUS_SUCCESS;
        }
    } else if (priv.raw_locker && (vpb->Flags & VPB_LOCKED)) {
        vpb->Flags &= static_cast<USHORT>(~VPB_LOCKED);
        priv.raw_locker = false;
        *status = STATUS_SUCCESS;
    } else {
        *status = STATUS_NOT_LOCKED;
    }
    IoReleaseVpbSpinLock(irql);
    return true;
}

void raw_volume_cleanup(PFILE_OBJECT file) noexcept
{
    FilePrivate& priv = file_private(file);
    KIRQL irql;
    IoAcquireVpbSpinLock(&irql);
    if (priv.raw_locker) {
        priv.raw_locker = false;
        file->Vpb->Flags &= static_cast<USHORT>(~VPB_LOCKED);
    }
    IoReleaseVpbSpinLock(irql);
}

}  // namespace ntio::io

using namespace ntio::io;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioacquirevpbspinlock
VOID NTAPI IoAcquireVpbSpinLock(PKIRQL Irql)
{
    KeAcquireSpinLock(g_vpb_lock, Irql);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioreleasevpbspinlock
VOID NTAPI IoReleaseVpbSpinLock(KIRQL Irql)
{
    KeReleaseSpinLock(g_vpb_lock, Irql);
}

}  // extern "C"

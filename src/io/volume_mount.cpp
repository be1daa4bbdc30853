// Mounting on open (NT's IopCheckVpbMounted / IopMountVolume): an open of a disk, CD-ROM or tape
// device whose VPB is not mounted offers the volume to each registered file system of its class in
// turn, and a file opened through a mounted volume holds a VPB reference and an open of the
// volume device until it closes. The VPB spin lock lives here.
#include "io/device_object.hpp"
#include "io/driver_object.hpp"
#include "io/file_object.hpp"
#include "io/file_systems.hpp"

#include <ntio_ddk/io_file_system.h>

namespace ntio::io {

namespace {

// NT has one VPB spin lock for all VPBs (IoAcquireVpbSpinLock takes no VPB).
KSPIN_LOCK g_vpb_lock = 0;

// Sends IRP_MN_MOUNT_VOLUME to the top of the file system control device's stack, so file system
// filters attached to the control device see it. Parameters.MountVolume: the VPB and the device
// the file system reads the volume through (the top of the storage stack), as
// https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mn-mount-volume documents them.
NTSTATUS send_mount(PDEVICE_OBJECT file_system, PDEVICE_OBJECT real_device, PVPB vpb)
{
    PDEVICE_OBJECT top = IoGetAttachedDevice(file_system);
    PIRP irp = IoAllocateIrp(top->StackSize, FALSE);
    if (!irp) return STATUS_INSUFFICIENT_RESOURCES;
    IO_STATUS_BLOCK iosb{};
    irp->Flags = IRP_MOUNT_COMPLETION | IRP_SYNCHRONOUS_PAGING_IO;
    irp->RequestorMode = KernelMode;
    irp->UserIosb = &iosb;
    irp->Tail.Overlay.Thread = PsGetCurrentThread();
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = IRP_MJ_FILE_SYSTEM_CONTROL;
    sp->MinorFunction = IRP_MN_MOUNT_VOLUME;
    sp->Parameters.MountVolume.Vpb = vpb;
    sp->Parameters.MountVolume.DeviceObject = IoGetAttachedDevice(real_device);
    NTSTATUS status = call_driver_and_wait(top, irp);
    IoFreeIrp(irp);
    return status;
}

// Offers the volume to the file systems in queue order; the caller holds the real device's
// DeviceLock (mounts of one volume are serialized, others proceed). A file system that does not
// know the format answers STATUS_UNRECOGNIZED_VOLUME and the next is tried
// (https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-file-system-control); any
// other failure ends the mount. The I/O manager sets VPB_MOUNTED
// (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_vpb).
// `offered`: some file system was asked.
NTSTATUS mount_volume_locked(PDEVICE_OBJECT real_device, bool* offered)
{
    NTSTATUS status = STATUS_UNRECOGNIZED_VOLUME;
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

// Takes a VPB reference on a mounted volume (null when the device's VPB is not mounted).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_vpb: VPB_LOCKED fails every
// later create on the volume.
NTSTATUS reference_mounted(PDEVICE_OBJECT real_device, PVPB* vpb_out, PDEVICE_OBJECT* volume_out)
{
    *vpb_out = nullptr;
    *volume_out = nullptr;
    KIRQL irql;
    IoAcquireVpbSpinLock(&irql);
    PVPB vpb = real_device->Vpb;
    NTSTATUS status = STATUS_SUCCESS;
    if ((vpb->Flags & VPB_MOUNTED) && vpb->DeviceObject) {
        if (vpb->Flags & VPB_LOCKED) {
            status = STATUS_ACCESS_DENIED;
        } else {
            vpb->ReferenceCount++;
            *vpb_out = vpb;
            *volume_out = vpb->DeviceObject;
        }
    }
    IoReleaseVpbSpinLock(irql);
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
    if (!device->Vpb || (file->Flags & FO_DIRECT_DEVICE_OPEN)) return STATUS_SUCCESS;
    for (;;) {
        PVPB vpb;
        PDEVICE_OBJECT volume;
        NTSTATUS status = reference_mounted(device, &vpb, &volume);
        if (!NT_SUCCESS(status)) return status;
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
        KeSetEvent(&device->DeviceLock, IO_NO_INCREMENT, FALSE);
        if (status == STATUS_UNRECOGNIZED_VOLUME) {
            // NT deviation: Windows mounts RAW on a volume no file system recognizes; ntio has no
            // RAW, so an open of the whole volume goes to the device itself as RAW would pass it
            // through, and a named open fails as RAW's create fails it: STATUS_INVALID_PARAMETER.
            // With no file system of the device's class registered at all, every open goes to the
            // device, names included (disk drivers that serve names themselves keep working).
            return sub_path && offered ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
        }
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
}

}  // namespace ntio::io

using namespace ntio::io;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioacquirevpbspinlock
VOID NTAPI IoAcquireVpbSpinLock(PKIRQL Irql)
{
    KeAcquireSpinLock(&g_vpb_lock, Irql);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioreleasevpbspinlock
VOID NTAPI IoReleaseVpbSpinLock(KIRQL Irql)
{
    KeReleaseSpinLock(&g_vpb_lock, Irql);
}

}  // extern "C"

// What the mount path shares inside io: the registered file systems of one System (NT's file system
// queues, file_system_registration.cpp), the mount of a volume on open and the VPB references of
// file objects opened through a volume (volume_mount.cpp).
#pragma once

#include "io/ddk.hpp"

#include <shared_mutex>

namespace ntio::io {

struct FileSystemQueues;
struct FileSystemQueuesDeleter {
    void operator()(FileSystemQueues* queues) const noexcept;
};

// Forgets every registration and notification routine still held (IoManager::shutdown, after the
// drivers went: the references must go while the object manager still runs).
void clear_file_system_queues(FileSystemQueues& queues) noexcept;

// The control devices offered a mount of `real_device`, in the order they are tried, each
// referenced (ObDereferenceObject them). Empty for a device type no file system mounts.
std::vector<PDEVICE_OBJECT> file_systems_for(PDEVICE_OBJECT real_device);

// Held shared for a mount of `real_device`: IoRegisterFsRegistrationChangeMountAware with
// SynchronizeWithMounts holds the System's mount gate exclusively while it reports the registered
// file systems, so no mount runs meanwhile.
std::shared_lock<std::shared_mutex> hold_mount_gate(PDEVICE_OBJECT real_device);

// Every registered file system control device, each referenced (ObDereferenceObject them): the
// file systems the shutdown flushes (shutdown_notification.cpp).
std::vector<PDEVICE_OBJECT> registered_file_systems(FileSystemQueues& queues);

// The device the create of `file` goes to when it opens `device`: for a device with a VPB (and not a
// direct device open, NT fact K11) the volume is mounted first if it is not, and the file takes a
// VPB reference and an open of the volume device (file->Vpb, FilePrivate::volume_device); else
// `device` itself. `sub_path`: the open has a remaining name. A volume every registered file system
// of its class declines is mounted raw, as Windows mounts RAW on it: a whole-volume open marks the
// VPB VPB_MOUNTED | VPB_RAW_MOUNT (no volume device) and holds a reference on it
// (FilePrivate::raw_volume) while its IRPs keep going to `device`'s own stack; a named open fails
// with STATUS_INVALID_PARAMETER. With no file system of the class registered nothing mounts and every
// open goes to `device`. PASSIVE_LEVEL.
NTSTATUS open_through_volume(PDEVICE_OBJECT device, PFILE_OBJECT file, bool sub_path, PDEVICE_OBJECT* target);

// IRP_MJ_FILE_SYSTEM_CONTROL with `minor` (IRP_MN_MOUNT_VOLUME, IRP_MN_VERIFY_VOLUME) to the top of
// `to`'s stack, Parameters.MountVolume / VerifyVolume = {vpb, device}; waits for it. PASSIVE_LEVEL.
NTSTATUS send_volume_request(PDEVICE_OBJECT to, UCHAR minor, PVPB vpb, PDEVICE_OBJECT device);

// Offers the volume on `real_device` (its current VPB, not mounted) to the registered file systems
// of its class in queue order until one mounts it (VPB_MOUNTED set) or one fails other than with
// STATUS_UNRECOGNIZED_VOLUME; `*offered` tells whether any was asked. The caller holds
// real_device->DeviceLock. PASSIVE_LEVEL.
NTSTATUS mount_volume_locked(PDEVICE_OBJECT real_device, bool* offered);

// Gives back what open_through_volume took: the VPB reference (before IRP_MJ_CLOSE, so a file system
// deciding in its close routine whether to tear the volume down sees the count without this file)
// and, after the close, the volume device's open. A raw file's VPB reference goes after the close
// (release_volume_device): the last one unmounts the raw volume, which is then offered to the file
// systems again, and no request of the file may reach a file system mounted meanwhile.
void release_volume_reference(PFILE_OBJECT file) noexcept;
void release_volume_device(PFILE_OBJECT file) noexcept;

// FSCTL_LOCK_VOLUME, FSCTL_UNLOCK_VOLUME, FSCTL_DISMOUNT_VOLUME and FSCTL_IS_VOLUME_MOUNTED on a file
// holding a raw VPB (FilePrivate::raw_volume): answered by the I/O manager as RAW answers them
// (*status), true; any other code is the device's (false). PASSIVE_LEVEL.
bool raw_volume_control(PFILE_OBJECT file, ULONG code, NTSTATUS* status) noexcept;

// IRP_MJ_CLEANUP of a file holding a raw VPB: the cleanup of the locking file unlocks the volume.
void raw_volume_cleanup(PFILE_OBJECT file) noexcept;

}  // namespace ntio::io

// What the drivers-and-devices area exposes to the rest of io: driver creation for the loader, the
// unload state the file-open path checks, the open counts it keeps on devices
// (DEVICE_OBJECT.ReferenceCount), the I/O manager's default dispatch routine.
#pragma once

#include "io/ddk.hpp"

namespace ntio::io {

// What a driver object keeps of the image it came from: released once, when the driver object's
// last reference goes (after DriverUnload, or after a failed DriverEntry), never while the
// driver's code may still run on behalf of the I/O manager.
using DriverImageRelease = void (*)(void* image) noexcept;

// NtioCreateDriver for the loader: creates \Driver\<service>, calls `entry` as DriverEntry (NT facts
// L1, L2, L4, L8, L9) and, on success, lists the driver as loaded; `*driver` (optional) gets it
// referenced. `image` (may be null) goes to `release` with the driver object, or at once when no
// driver object could be made. STATUS_OBJECT_NAME_COLLISION when \Driver\<service> exists.
// PASSIVE_LEVEL.
NTSTATUS create_driver(std::u16string_view service, PDRIVER_INITIALIZE entry, void* image,
                       DriverImageRelease release, PDRIVER_OBJECT* driver);

// The image create_driver was given for the driver (null for an in-process driver). Any IRQL.
void* driver_image(PDRIVER_OBJECT driver) noexcept;

// True once NtioUnloadDriver was called for the driver: no new opens or attaches. Any IRQL.
bool driver_unloading(PDRIVER_OBJECT driver) noexcept;

// A file object was opened on / closed from the device (DEVICE_OBJECT.ReferenceCount). The last
// release on a device whose driver is unload-pending runs the deferred DriverUnload; the last release
// on a deleted device lets the device object go. A device with opens stays alive after
// IoDeleteDevice, so file objects need no pointer reference of their own on it. PASSIVE_LEVEL for
// release (it may call DriverUnload), any IRQL for reference.
// False (and nothing taken) once IoDeleteDevice let the device go and no open holds it: an open that
// found it by name just before must fail rather than bring its creation reference back.
[[nodiscard]] bool device_reference_open(PDEVICE_OBJECT device) noexcept;
void device_release_open(PDEVICE_OBJECT device);

// True once IoDeleteDevice ran on the device (no new opens or attaches). Any IRQL.
bool device_delete_pending(PDEVICE_OBJECT device) noexcept;

// The routine every MajorFunction[] entry starts with: completes the IRP with
// STATUS_INVALID_DEVICE_REQUEST (NT fact S3).
NTSTATUS NTAPI invalid_device_request(PDEVICE_OBJECT device, PIRP irp);

// Runs DriverUnload if the driver is unload-pending and none of its devices has opens or devices of
// other drivers attached (NT fact L7); then the driver leaves the loaded list and its name goes.
// PASSIVE_LEVEL, no locks held.
void driver_try_complete_unload(PDRIVER_OBJECT driver);

// System shutdown: unloads like NtioUnloadDriver, and for drivers without DriverUnload (which
// NtioUnloadDriver refuses, NT fact L7) deletes their devices and drops the driver anyway.
void driver_shutdown(PDRIVER_OBJECT driver);

}  // namespace ntio::io

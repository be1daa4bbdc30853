// Stream file objects (IoCreateStreamFileObject, ...Lite, ...Ex): file objects a file system makes
// for its own metadata streams without an IRP_MJ_CREATE. They reach the same volume stack as the
// file or device they are made from and get IRP_MJ_CLOSE at their last reference; the non-Lite
// forms also create a handle, whose close sends IRP_MJ_CLEANUP.
#include "io/device_object.hpp"
#include "io/driver_object.hpp"
#include "io/file_object.hpp"
#include "io/file_systems.hpp"
#include "ob/object_manager.hpp"
#include "verifier/verifier.hpp"

#include <ntio_ddk/io_file_system.h>

namespace ntio::io {

namespace {

enum class StreamHandle { none, closed, returned };

// Learn (IoCreateStreamFileObjectLite): with a FileObject the stream is on its device and DeviceObject
// is ignored, else DeviceObject names the device (the real device or the volume device). The stream
// takes the VPB of the file object, or the device's.
PFILE_OBJECT create_stream(PFILE_OBJECT related, PDEVICE_OBJECT device, StreamHandle mode, PHANDLE handle_out)
{
    if (handle_out) *handle_out = nullptr;
    if (related) device = related->DeviceObject;
    if (!device) ExRaiseStatus(STATUS_INVALID_PARAMETER);
    ob::ObjectManager& manager = ob::manager_of(device);
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, nullptr, OBJ_KERNEL_HANDLE, nullptr, nullptr);
    void* body = nullptr;
    NTSTATUS status = manager.create_object(KernelMode, &g_file_type, &attributes, sizeof(FileBody), &body);
    if (!NT_SUCCESS(status)) ExRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
    auto* file_body = new (body) FileBody();
    PFILE_OBJECT file = &file_body->object;
    file->Type = IO_TYPE_FILE;
    file->Size = sizeof(FILE_OBJECT);
    file->Flags = FO_STREAM_FILE;
    KeInitializeEvent(&file->Lock, SynchronizationEvent, FALSE);
    KeInitializeEvent(&file->Event, NotificationEvent, FALSE);
    KeInitializeSpinLock(&file->IrpListLock);
    InitializeListHead(&file->IrpList);
    if (!device_reference_open(device)) {
        ObDereferenceObject(file);
        ExRaiseStatus(STATUS_NO_SUCH_DEVICE);
    }
    file->DeviceObject = device;

    // A mounted volume counts the stream among its files (Vpb->ReferenceCount) like any file
    // opened through it, and its volume device keeps an open while the stream exists.
    PVPB vpb = related ? related->Vpb : device->Vpb;
    if (vpb) {
        KIRQL irql;
        IoAcquireVpbSpinLock(&irql);
        PDEVICE_OBJECT volume = vpb->DeviceObject;
        if (volume) vpb->ReferenceCount++;
        IoReleaseVpbSpinLock(irql);
        file->Vpb = vpb;
        if (volume) {
            file_private(file).volume_device = volume;
            if (!device_reference_open(volume)) {
                file_private(file).volume_device = nullptr;
                KIRQL again;
                IoAcquireVpbSpinLock(&again);
                vpb->ReferenceCount--;
                IoReleaseVpbSpinLock(again);
            }
        }
    }
    // The file system opened it itself: CLOSE goes to it at the last reference (K2).
    file_private(file).create_succeeded = true;
    KeSetEvent(&file->Event, IO_NO_INCREMENT, FALSE);  // NT fact H1: idle files are signalled
    if (mode == StreamHandle::none) return file;

    HANDLE handle = nullptr;
    void* object = nullptr;
    ObReferenceObject(file);  // insert_object consumes one on failure
    status = manager.insert_object(file, 0, KernelMode, &handle, &object);
    if (!NT_SUCCESS(status)) {
        ObDereferenceObject(file);
        ExRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
    }
    ObDereferenceObject(object);  // the handle holds it now, alongside the reference we return
    file->Flags |= FO_HANDLE_CREATED;
    if (mode == StreamHandle::returned) {
        *handle_out = handle;
    } else {
        // The handle goes at once, and with it IRP_MJ_CLEANUP (what tells the Lite form apart).
        (void)manager.close_handle(handle, KernelMode);
    }
    return file;
}

}  // namespace

}  // namespace ntio::io

using namespace ntio::io;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iocreatestreamfileobject
PFILE_OBJECT NTAPI IoCreateStreamFileObject(PFILE_OBJECT FileObject, PDEVICE_OBJECT DeviceObject)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoApcLte);
    return create_stream(FileObject, DeviceObject, StreamHandle::closed, nullptr);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iocreatestreamfileobjectlite:
// no handle, so no IRP_MJ_CLEANUP ever; IRP_MJ_CLOSE at the last reference.
PFILE_OBJECT NTAPI IoCreateStreamFileObjectLite(PFILE_OBJECT FileObject, PDEVICE_OBJECT DeviceObject)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoApcLte);
    return create_stream(FileObject, DeviceObject, StreamHandle::none, nullptr);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iocreatestreamfileobjectex:
// as IoCreateStreamFileObject; with FileHandle the handle is returned (and its close sends the
// cleanup) instead of closed at once.
PFILE_OBJECT NTAPI IoCreateStreamFileObjectEx(PFILE_OBJECT FileObject, PDEVICE_OBJECT DeviceObject, PHANDLE FileHandle)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoApcLte);
    return create_stream(FileObject, DeviceObject, FileHandle ? StreamHandle::returned : StreamHandle::closed,
                         FileHandle);
}

}  // extern "C"

// File objects after the open: IRP_MJ_CLEANUP when the last handle in the system closes (in the
// closing process), the requests a process's last handle takes with it (NT fact D9), IRP_MJ_CLOSE
// when the last reference goes, the device the file's IRPs go to (IoGetRelatedDeviceObject) and the
// synchronous IRP helper the open, close and name paths share.
#include "io/file_object.hpp"

#include <cstdio>

#include "io/driver_object.hpp"
#include "io/file_cancel_irps.hpp"
#include "io/file_systems.hpp"
#include "io/io_completion.hpp"
#include "io/objects.hpp"
#include "ob/object_manager.hpp"
#include "ob/process.hpp"

namespace ntio::io {

namespace {

NTSTATUS NTAPI signal_waiter(PDEVICE_OBJECT, PIRP, PVOID context)
{
    KeSetEvent(static_cast<PKEVENT>(context), IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

// The must-succeed reserve. NT keeps a reserve IRP for paths that may not fail for lack of memory
// (IopAllocateIrpMustSucceed, used by the close path; Windows Internals, "I/O request packets").
// One reserve per process is enough: its users hold it only while the driver handles one request.
constexpr CCHAR kReserveStackSize = 16;
alignas(16) unsigned char g_reserve[IoSizeOfIrp(kReserveStackSize)];
std::mutex g_reserve_lock;

void delay_a_little() noexcept
{
    LARGE_INTEGER interval;
    interval.QuadPart = -10 * 1000;  // 1 ms, relative
    (void)KeDelayExecutionThread(KernelMode, FALSE, &interval);
}

PIRP build_file_irp(PFILE_OBJECT file, UCHAR major, PDEVICE_OBJECT device)
{
    PIRP irp = allocate_must_succeed_irp(device->StackSize);
    irp->Tail.Overlay.OriginalFileObject = file;
    irp->Tail.Overlay.Thread = PsGetCurrentThread();
    irp->RequestorMode = KernelMode;
    irp->Flags = IRP_CLOSE_OPERATION | IRP_SYNCHRONOUS_API;
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = major;
    sp->FileObject = file;
    return irp;
}

// Sends IRP_MJ_CLEANUP or IRP_MJ_CLOSE and waits; their status is ignored (a driver without a
// CLEANUP routine fails it through the default routine, NT facts K2, S3).
void send_file_irp(PFILE_OBJECT file, UCHAR major)
{
    PDEVICE_OBJECT device = file_target_device(file);
    PIRP irp = build_file_irp(file, major, device);
    (void)call_driver_and_wait(device, irp);
    release_must_succeed_irp(irp);
}

void destroy_file_body(PFILE_OBJECT file)
{
    delete[] file->FileName.Buffer;
    file->FileName.Buffer = nullptr;
    reinterpret_cast<FileBody*>(file)->~FileBody();
}

}  // namespace

NTSTATUS call_driver_and_wait(PDEVICE_OBJECT device, PIRP irp) noexcept
{
    KEVENT done;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    IoSetCompletionRoutine(irp, signal_waiter, &done, TRUE, TRUE, TRUE);
    NTSTATUS status = IoCallDriver(device, irp);
    if (status == STATUS_PENDING) (void)KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, nullptr);
    return irp->IoStatus.Status;
}

PIRP allocate_must_succeed_irp(CCHAR stack_size) noexcept
{
    for (;;) {
        if (PIRP irp = IoAllocateIrp(stack_size, FALSE)) return irp;
        if (stack_size <= kReserveStackSize) {
            g_reserve_lock.lock();
            auto* irp = reinterpret_cast<PIRP>(g_reserve);
            IoInitializeIrp(irp, IoSizeOfIrp(stack_size), stack_size);
            return irp;
        }
        delay_a_little();
    }
}

void release_must_succeed_irp(PIRP irp) noexcept
{
    if (reinterpret_cast<unsigned char*>(irp) == g_reserve) {
        g_reserve_lock.unlock();
        return;
    }
    IoFreeIrp(irp);
}

// NT fact K3: the last handle in the whole system sends IRP_MJ_CLEANUP, synchronously and in the
// process that closes it (which may not be the one that opened it; the closer is `process`).
// NT facts D8, D9: another handle of the same process changes nothing; the process's last handle,
// while other processes keep the file, cancels that process's requests that end in a port packet.
void file_close(PEPROCESS process, void* object, ACCESS_MASK, ULONG_PTR process_handle_count,
                ULONG_PTR system_handle_count)
{
    auto file = static_cast<PFILE_OBJECT>(object);
    if (system_handle_count != 1) {
        if (process_handle_count == 1) cancel_on_process_close(process, file);
        return;
    }
    FilePrivate& priv = file_private(file);
    if (!priv.create_succeeded || priv.cleanup_done) return;
    priv.cleanup_done = true;
    ob::ProcessAttach attach(process);
    send_file_irp(file, IRP_MJ_CLEANUP);
    // NT's RAW unlocks the volume at the cleanup of the file that locked it.
    if (priv.raw_volume) [[unlikely]] raw_volume_cleanup(file);
}

// NT facts K2, K3: IRP_MJ_CLOSE with the last reference, only for a file object the driver opened;
// then the device loses the open (which may let a deleted device go or a pending unload run). At
// PASSIVE_LEVEL always: a last reference dropped above APC_LEVEL has ob run this on a worker thread,
// with the same FILE_OBJECT (the type's delete_at_passive).
void file_delete(void* object)
{
    auto file = static_cast<PFILE_OBJECT>(object);
    release_file_completion(file);  // drops the port references FileCompletionInformation took
    FilePrivate& priv = file_private(file);
    if (!priv.create_succeeded) {
        release_file_object_contexts(file);
        destroy_file_body(file);
        return;
    }
    PDEVICE_OBJECT device = file->DeviceObject;
    // The VPB reference goes before the close, so the file system's close routine sees whether this
    // was the volume's last file (and may tear a dismounted volume down); the volume device's open
    // after it.
    release_volume_reference(file);
    send_file_irp(file, IRP_MJ_CLOSE);
    release_volume_device(file);
    release_file_object_contexts(file);
    release_device_hint(file);
    release_exclusive_claim(file);
    destroy_file_body(file);
    device_release_open(device);
}

// NT deviation: FSRTL_PER_FILEOBJECT_CONTEXT has no free callback and Learn does not say what
// becomes of a context a filter leaves on a file object that goes; ntio unlinks it (its Links then
// point at itself) so nothing points into the freed file object, and the filter still owns it.
void release_file_object_contexts(PFILE_OBJECT file) noexcept
{
    auto* extension = static_cast<FileExtension*>(file->FileObjectExtension);
    if (!extension) return;
    KIRQL old_irql;
    KeAcquireSpinLock(&extension->context_lock, &old_irql);
    if (extension->contexts.Flink) {
        while (!IsListEmpty(&extension->contexts)) {
            PLIST_ENTRY entry = RemoveHeadList(&extension->contexts);
            InitializeListHead(entry);
        }
    }
    KeReleaseSpinLock(&extension->context_lock, old_irql);
}

void release_device_hint(PFILE_OBJECT file) noexcept
{
    auto* extension = static_cast<FileExtension*>(file->FileObjectExtension);
    if (!extension) return;
    file->FileObjectExtension = nullptr;
    if (extension->top_device_hint) ObDereferenceObject(extension->top_device_hint);
    extension->top_device_hint = nullptr;
}

void file_dump(void* object, std::string& out)
{
    auto file = static_cast<PFILE_OBJECT>(object);
    char line[160];
    std::string name;
    for (USHORT i = 0; i < file->FileName.Length / sizeof(WCHAR); ++i) {
        WCHAR c = file->FileName.Buffer[i];
        name.push_back(c < 0x80 ? static_cast<char>(c) : '?');
    }
    std::snprintf(line, sizeof(line), "device %p flags 0x%x fscontext %p name \"", static_cast<void*>(file->DeviceObject),
                  static_cast<unsigned>(file->Flags), file->FsContext);
    out += line;
    out += name;
    out += '"';
    if (file_private(file).cleanup_done) out += " cleaned-up";
}

}  // namespace ntio::io

extern "C" {

// IoGetRelatedDeviceObject: the top of the stack IRPs on the file go to: the mounted volume's
// stack when the device has a VPB with a file system (not for direct device opens, NT fact K11),
// else the device's own stack (also for a volume mounted raw, which has no volume device).
// https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iogetrelateddeviceobject
PDEVICE_OBJECT NTAPI IoGetRelatedDeviceObject(PFILE_OBJECT FileObject)
{
    return ntio::io::file_target_device(FileObject);
}

}  // extern "C"

extern "C" {

// A filter that fails a create the drivers below it completed with success: sends IRP_MJ_CLEANUP
// then IRP_MJ_CLOSE for the file object to DeviceObject (the top of the stack below the filter),
// so the file system forgets the open, and marks the file FO_FILE_OPEN_CANCELLED. The filter then
// fails the create; the I/O manager sends nothing more for this file object.
// https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iocancelfileopen
// NT deviation: a file object that already has a handle (FO_HANDLE_CREATED), or a second cancel of
// the same open, is ignored instead of the INVALID_CANCEL_OF_FILE_OPEN bug check.
VOID NTAPI IoCancelFileOpen(PDEVICE_OBJECT DeviceObject, PFILE_OBJECT FileObject)
{
    using namespace ntio::io;
    if (!is_device(DeviceObject) || !FileObject || ntio::ob::type_of(FileObject) != &g_file_type) return;
    if (file_flags(FileObject) & (FO_HANDLE_CREATED | FO_FILE_OPEN_CANCELLED)) return;
    if (KeGetCurrentIrql() > APC_LEVEL) return;
    for (UCHAR major : {UCHAR{IRP_MJ_CLEANUP}, UCHAR{IRP_MJ_CLOSE}}) {
        PIRP irp = build_file_irp(FileObject, major, DeviceObject);
        (void)call_driver_and_wait(DeviceObject, irp);
        release_must_succeed_irp(irp);
    }
    __atomic_fetch_or(&FileObject->Flags, FO_FILE_OPEN_CANCELLED, __ATOMIC_RELAXED);
}

}  // extern "C"

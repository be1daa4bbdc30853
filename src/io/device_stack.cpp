// Device stacks: attaching and detaching devices and walking the stack (NT facts L5, L6). One
// spin lock (NT's IopDatabaseLock) serialises every change of AttachedDevice / AttachedTo; the I/O
// path reads AttachedDevice without it (IoGetAttachedDevice), so links are published with release
// stores and read with acquire loads.
#include "io/device_object.hpp"

#include "io/driver_object.hpp"
#include "ob/object_header.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {

namespace {

// Process-wide like NT's: stacks never span Systems, so sharing one lock only costs contention.
KSPIN_LOCK g_database_lock = 0;

PDEVICE_OBJECT load_attached(PDEVICE_OBJECT device) noexcept {
    return __atomic_load_n(&device->AttachedDevice, __ATOMIC_ACQUIRE);
}

void store_attached(PDEVICE_OBJECT device, PDEVICE_OBJECT above) noexcept {
    __atomic_store_n(&device->AttachedDevice, above, __ATOMIC_RELEASE);
}

constexpr ULONG kRefuseAttach = DOE_UNLOAD_PENDING | DOE_DELETE_PENDING | DOE_REMOVE_PENDING | DOE_REMOVE_PROCESSED;

}  // namespace

KIRQL device_database_lock() noexcept {
    KIRQL irql;
    KeAcquireSpinLock(&g_database_lock, &irql);
    return irql;
}

void device_database_unlock(KIRQL old_irql) noexcept { KeReleaseSpinLock(&g_database_lock, old_irql); }

}  // namespace ntio::io

using namespace ntio;
using namespace ntio::io;

extern "C" {

PDEVICE_OBJECT NTAPI IoGetAttachedDevice(PDEVICE_OBJECT DeviceObject) {
    PDEVICE_OBJECT top = DeviceObject;
    while (PDEVICE_OBJECT above = load_attached(top)) top = above;
    return top;
}

PDEVICE_OBJECT NTAPI IoGetAttachedDeviceReference(PDEVICE_OBJECT DeviceObject) {
    KIRQL irql = device_database_lock();
    PDEVICE_OBJECT top = IoGetAttachedDevice(DeviceObject);
    ObReferenceObject(top);
    device_database_unlock(irql);
    return top;
}

// NT fact L5: attaches to the current top of the target's stack and returns it.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioattachdevicetodevicestacksafe
NTSTATUS NTAPI IoAttachDeviceToDeviceStackSafe(PDEVICE_OBJECT SourceDevice, PDEVICE_OBJECT TargetDevice,
                                               PDEVICE_OBJECT* AttachedToDeviceObject) {
    if (AttachedToDeviceObject) *AttachedToDeviceObject = nullptr;
    if (!is_device(SourceDevice) || !is_device(TargetDevice) || !AttachedToDeviceObject)
        return STATUS_INVALID_PARAMETER;
    KIRQL irql = device_database_lock();
    PDEVICE_OBJECT top = IoGetAttachedDevice(TargetDevice);
    if ((device_extension_flags(top) & kRefuseAttach) || driver_unloading(top->DriverObject) ||
        device_delete_pending(top)) {
        device_database_unlock(irql);
        return STATUS_NO_SUCH_DEVICE;
    }
    // The Safe variant publishes the lower device before the upper one can receive IRPs.
    *AttachedToDeviceObject = top;
    SourceDevice->StackSize = static_cast<CCHAR>(top->StackSize + 1);
    // The attached device inherits the lower device's alignment requirement
    // (https://learn.microsoft.com/windows-hardware/drivers/kernel/initializing-a-device-object).
    if (top->AlignmentRequirement > SourceDevice->AlignmentRequirement)
        SourceDevice->AlignmentRequirement = top->AlignmentRequirement;
    SourceDevice->SectorSize = top->SectorSize;
    SourceDevice->DeviceObjectExtension->AttachedTo = top;
    store_attached(top, SourceDevice);
    // A device with another attached on top outlives its IoDeleteDevice until the upper one detaches
    // (NT completes the delete in IoDetachDevice): the usual remove pattern passes the IRP down, the
    // lower driver deletes its device, and the upper one then detaches from it.
    device_extras(top)->keep.fetch_add(1, std::memory_order_relaxed);
    device_database_unlock(irql);
    return STATUS_SUCCESS;
}

PDEVICE_OBJECT NTAPI IoAttachDeviceToDeviceStack(PDEVICE_OBJECT SourceDevice, PDEVICE_OBJECT TargetDevice) {
    PDEVICE_OBJECT attached_to = nullptr;
    NTSTATUS status = IoAttachDeviceToDeviceStackSafe(SourceDevice, TargetDevice, &attached_to);
    return NT_SUCCESS(status) ? attached_to : nullptr;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioattachdevicebypointer
// The obsolete form of IoAttachDeviceToDeviceStack that reports a status instead of the device
// attached to: STATUS_SUCCESS, or STATUS_NO_SUCH_DEVICE when the target's stack is going away.
// Where Learn is silent: something that is not a device object is STATUS_INVALID_PARAMETER.
NTSTATUS NTAPI IoAttachDeviceByPointer(PDEVICE_OBJECT SourceDevice, PDEVICE_OBJECT TargetDevice) {
    PDEVICE_OBJECT attached_to = nullptr;
    return IoAttachDeviceToDeviceStackSafe(SourceDevice, TargetDevice, &attached_to);
}

// NT fact L6. The target is opened the way NT's IoAttachDevice opens it (a FILE_READ_ATTRIBUTES
// open, so its driver sees IRP_MJ_CREATE and IRP_MJ_CLOSE), then the source goes on top of its stack.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioattachdevice
NTSTATUS NTAPI IoAttachDevice(PDEVICE_OBJECT SourceDevice, PUNICODE_STRING TargetDevice,
                              PDEVICE_OBJECT* AttachedDevice) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive1);
    if (AttachedDevice) *AttachedDevice = nullptr;
    if (!is_device(SourceDevice) || !TargetDevice || !AttachedDevice) return STATUS_INVALID_PARAMETER;
    PFILE_OBJECT file = nullptr;
    PDEVICE_OBJECT target = nullptr;
    NTSTATUS status = IoGetDeviceObjectPointer(TargetDevice, FILE_READ_ATTRIBUTES, &file, &target);
    if (!NT_SUCCESS(status)) return status;
    status = IoAttachDeviceToDeviceStackSafe(SourceDevice, target, AttachedDevice);
    ObDereferenceObject(file);
    return status;
}

// NT fact L5: only the lower device's AttachedDevice changes; stack sizes stay.
VOID NTAPI IoDetachDevice(PDEVICE_OBJECT TargetDevice) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive3);
    if (!is_device(TargetDevice)) return;
    // Driver Verifier: detaching from a device nothing is attached to is 0xC9 0x202 (device_rules.cpp).
    if (ntio::verifier::active()) [[unlikely]] ntio::verifier::on_detach_device(TargetDevice);
    KIRQL irql = device_database_lock();
    PDEVICE_OBJECT above = load_attached(TargetDevice);
    if (above) above->DeviceObjectExtension->AttachedTo = nullptr;
    store_attached(TargetDevice, nullptr);
    device_database_unlock(irql);
    // A DriverUnload deferred because this device had another driver's device on top may run now.
    PDRIVER_OBJECT driver = TargetDevice->DriverObject;
    if (above && driver_unloading(driver) && KeGetCurrentIrql() == PASSIVE_LEVEL) {
        ObReferenceObject(driver);
        driver_try_complete_unload(driver);
        ObDereferenceObject(driver);
    }
    if (above) release_keep(TargetDevice);  // the attachment's keep: a deleted target may go now
}

// NT fact L6: referenced; NULL when the device itself is being unloaded or deleted.
PDEVICE_OBJECT NTAPI IoGetLowerDeviceObject(PDEVICE_OBJECT DeviceObject) {
    if (!is_device(DeviceObject)) return nullptr;
    KIRQL irql = device_database_lock();
    PDEVICE_OBJECT lower = nullptr;
    if (!(device_extension_flags(DeviceObject) & kRefuseAttach)) {
        lower = DeviceObject->DeviceObjectExtension->AttachedTo;
        if (lower) ObReferenceObject(lower);
    }
    device_database_unlock(irql);
    return lower;
}

// NT fact L6: the bottom of the stack, referenced.
PDEVICE_OBJECT NTAPI IoGetDeviceAttachmentBaseRef(PDEVICE_OBJECT DeviceObject) {
    if (!is_device(DeviceObject)) return nullptr;
    KIRQL irql = device_database_lock();
    PDEVICE_OBJECT base = DeviceObject;
    while (PDEVICE_OBJECT lower = base->DeviceObjectExtension->AttachedTo) base = lower;
    ObReferenceObject(base);
    device_database_unlock(irql);
    return base;
}

}  // extern "C"

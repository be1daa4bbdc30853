// Device objects: IoCreateDevice / IoCreateDeviceSecure / IoDeleteDevice, the open counts the file
// path keeps on them (DEVICE_OBJECT.ReferenceCount) and the device type procedures (NT facts L3,
// L4, S4). A deleted device leaves the namespace at once; it leaves its driver's list, and the
// object goes, when its last open closes (NT's IopCompleteUnloadOrDelete): until then it keeps a
// pending DriverUnload waiting, since CLEANUP and CLOSE for its open files still reach the driver.
#include "io/device_object.hpp"
#include "io/pnp_manager.hpp"

#include "io/driver_object.hpp"
#include "io/io_manager.hpp"
#include "io/io_timer.hpp"
#include "ntio/system.hpp"
#include "ob/object_manager.hpp"
#include "se/security_descriptor.hpp"
#include "verifier/verifier.hpp"

#include <ntio_ddk/wdmsec.h>

namespace ntio::io {

void release_keep(PDEVICE_OBJECT device) {
    if (device_extras(device)->keep.fetch_sub(1, std::memory_order_acq_rel) == 1) ObDereferenceObject(device);
}

namespace {

// The device types a file system can mount get a VPB whose RealDevice is the device; the VPB page
// says the I/O manager sets RealDevice (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_vpb).
// NT deviation: the VPB is part of the device body rather than a pool block of its own.
bool device_type_has_vpb(DEVICE_TYPE type) noexcept {
    return type == FILE_DEVICE_DISK || type == FILE_DEVICE_CD_ROM || type == FILE_DEVICE_TAPE ||
           type == FILE_DEVICE_VIRTUAL_DISK;
}

// A delete-pending device without opens leaves DriverObject->DeviceObject (once, whichever of
// IoDeleteDevice and the last close gets here first).
void unlink_from_driver(PDEVICE_OBJECT device) {
    if (device_private(device)->unlinked.exchange(true, std::memory_order_acq_rel)) return;
    PDRIVER_OBJECT driver = device->DriverObject;
    std::lock_guard guard(driver_private(driver).lock);
    for (PDEVICE_OBJECT* link = &driver->DeviceObject; *link; link = &(*link)->NextDevice) {
        if (*link == device) {
            *link = device->NextDevice;
            break;
        }
    }
}

NTSTATUS create_named_device(PDRIVER_OBJECT driver, ULONG extension_size, std::u16string name,
                             DEVICE_TYPE device_type, ULONG characteristics, BOOLEAN exclusive,
                             const se::SecurityDescriptor* security, PDEVICE_OBJECT* device_out) {
    const std::size_t body_size = device_extras_offset(extension_size) + sizeof(DeviceExtras);

    UNICODE_STRING object_name{static_cast<USHORT>(name.size() * sizeof(WCHAR)),
                               static_cast<USHORT>(name.size() * sizeof(WCHAR)), reinterpret_cast<PWCH>(name.data())};
    OBJECT_ATTRIBUTES oa;
    // NT keeps a device's name until IoDeleteDevice, whoever has handles: a permanent object.
    InitializeObjectAttributes(&oa, name.empty() ? nullptr : &object_name,
                               OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE | (name.empty() ? 0 : OBJ_PERMANENT), nullptr,
                               security ? security->get() : nullptr);
    void* body = nullptr;
    NTSTATUS status =
        ob::manager_of(driver).create_object(KernelMode, &g_device_type, &oa, static_cast<ULONG>(body_size), &body);
    if (!NT_SUCCESS(status)) return status;

    auto* device = static_cast<PDEVICE_OBJECT>(body);
    auto* doe = new (static_cast<char*>(body) + device_doe_offset(extension_size)) DeviceObjectExtension();
    auto* extras = new (static_cast<char*>(body) + device_extras_offset(extension_size)) DeviceExtras();
    doe->name = name;
    doe->doe.Type = IO_TYPE_DEVICE_OBJECT_EXTENSION;
    doe->doe.Size = sizeof(DEVOBJ_EXTENSION);
    doe->doe.DeviceObject = device;

    // NT fact L3: the new device.
    device->Type = IO_TYPE_DEVICE;
    device->Size = static_cast<USHORT>(device_extension_offset() + extension_size);
    device->ReferenceCount = 0;
    device->DeviceObjectExtension = &doe->doe;
    ObReferenceObject(driver);  // the device holds its driver; device_delete drops it
    device->DriverObject = driver;
    device->Flags = DO_DEVICE_INITIALIZING | (name.empty() ? 0 : DO_DEVICE_HAS_NAME) | (exclusive ? DO_EXCLUSIVE : 0);
    device->Characteristics = characteristics;
    device->DeviceExtension = extension_size ? static_cast<char*>(body) + device_extension_offset() : nullptr;
    device->DeviceType = device_type;
    device->StackSize = 1;
    device->AlignmentRequirement = FILE_BYTE_ALIGNMENT;
    device->SectorSize = 0;
    InitializeListHead(&device->Queue.ListEntry);
    device->DeviceQueue.Type = IO_TYPE_DEVICE_QUEUE;
    device->DeviceQueue.Size = sizeof(KDEVICE_QUEUE);
    InitializeListHead(&device->DeviceQueue.DeviceListHead);
    KeInitializeSpinLock(&device->DeviceQueue.Lock);
    device->DeviceQueue.Busy = FALSE;
    KeInitializeEvent(&device->DeviceLock, SynchronizationEvent, TRUE);
    if (device_type_has_vpb(device_type)) {
        extras->vpb.Type = IO_TYPE_VPB;
        extras->vpb.Size = sizeof(VPB);
        extras->vpb.RealDevice = device;
        device->Vpb = &extras->vpb;
    }

    void* inserted = nullptr;
    status = ob::manager_of(driver).insert_object(body, 0, KernelMode, nullptr, &inserted);
    if (!NT_SUCCESS(status)) return status;  // insert consumed the creation reference

    DriverPrivate& priv = driver_private(driver);
    {
        std::lock_guard guard(priv.lock);
        device->NextDevice = driver->DeviceObject;
        driver->DeviceObject = device;
    }
    *device_out = device;
    return STATUS_SUCCESS;
}

// FILE_AUTOGENERATED_DEVICE_NAME has the I/O manager name the device instead of the caller, uniquely
// (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iocreatedevice); NT's names
// are \Device\ and a counter as 8 hex digits (\Device\00000032). A name some driver took by hand is
// skipped.
NTSTATUS create_device(PDRIVER_OBJECT driver, ULONG extension_size, PUNICODE_STRING device_name,
                       DEVICE_TYPE device_type, ULONG characteristics, BOOLEAN exclusive, const se::SecurityDescriptor* security,
                       PDEVICE_OBJECT* device_out) {
    if (!device_out) return STATUS_INVALID_PARAMETER;
    *device_out = nullptr;
    if (!driver || ob::type_of(driver) != &g_driver_type) return STATUS_INVALID_PARAMETER;
    // Refused once the driver is unloading: its DriverUnload may already have run.
    if (driver_unloading(driver)) return STATUS_DELETE_PENDING;
    if (extension_size > 0x7FFF0000u) return STATUS_INSUFFICIENT_RESOURCES;
    if (!(characteristics & FILE_AUTOGENERATED_DEVICE_NAME)) {
        std::u16string name;
        if (device_name) {
            NTSTATUS status = capture_unicode(device_name, name);
            if (!NT_SUCCESS(status)) return status;
        }
        return create_named_device(driver, extension_size, std::move(name), device_type, characteristics, exclusive,
                                   security, device_out);
    }
    IoManager& io = ob::manager_of(driver).system().io();
    NTSTATUS status = STATUS_OBJECT_NAME_COLLISION;
    for (int attempt = 0; attempt < 64 && status == STATUS_OBJECT_NAME_COLLISION; ++attempt) {
        char text[32];
        std::snprintf(text, sizeof text, "\\Device\\%08lx", static_cast<unsigned long>(io.next_device_number()));
        status = create_named_device(driver, extension_size, std::u16string(text, text + std::strlen(text)), device_type,
                                     characteristics, exclusive, security, device_out);
    }
    return status;
}

}  // namespace

NTSTATUS capture_unicode(PCUNICODE_STRING in, std::u16string& out) {
    out.clear();
    if (!in) return STATUS_INVALID_PARAMETER;
    if ((in->Length & 1) || in->Length > in->MaximumLength || (in->Length && !in->Buffer))
        return STATUS_OBJECT_NAME_INVALID;
    out.assign(reinterpret_cast<const char16_t*>(in->Buffer), in->Length / sizeof(WCHAR));
    return STATUS_SUCCESS;
}

bool device_delete_pending(PDEVICE_OBJECT device) noexcept {
    return device_private(device)->delete_pending.load(std::memory_order_acquire);
}

bool device_reference_open(PDEVICE_OBJECT device) noexcept {
    auto& keep = device_extras(device)->keep;
    for (LONG k = keep.load(std::memory_order_relaxed);;) {
        if (k == 0) return false;  // the keep count dropped the device: it is on its way out
        if (keep.compare_exchange_weak(k, k + 1, std::memory_order_acq_rel, std::memory_order_relaxed)) break;
    }
    device_private(device)->open_count.fetch_add(1, std::memory_order_relaxed);
    __atomic_fetch_add(&device->ReferenceCount, 1, __ATOMIC_ACQ_REL);
    return true;
}

void device_release_open(PDEVICE_OBJECT device) {
    PDRIVER_OBJECT driver = device->DriverObject;
    device_private(device)->open_count.fetch_sub(1, std::memory_order_relaxed);
    // Sequentially consistent with NtioUnloadDriver's request flag: one of the two sees the other.
    const LONG left = __atomic_sub_fetch(&device->ReferenceCount, 1, __ATOMIC_SEQ_CST);
    // The driver outlives this call even if the keep count lets the device go.
    ObReferenceObject(driver);
    // Sequentially consistent with IoDeleteDevice's flag and its ReferenceCount check.
    if (left == 0 && device_private(device)->delete_pending.load(std::memory_order_seq_cst))
        unlink_from_driver(device);
    // A surprise-removed PnP device gets IRP_MN_REMOVE_DEVICE once its last open is gone.
    if (left == 0 && pnp_is_pdo(device)) pnp_open_released(device);
    release_keep(device);
    if (left == 0 && driver_unloading(driver)) driver_try_complete_unload(driver);
    ObDereferenceObject(driver);
}

void device_delete(void* object) {
    auto* device = static_cast<PDEVICE_OBJECT>(object);
    ntio::verifier::on_device_freed(device);
    if (!device->DeviceObjectExtension) return;  // failed before its private parts existed
    delete_device_timer(device);
    DeviceObjectExtension* doe = device_private(device);
    PDRIVER_OBJECT driver = device->DriverObject;
    // A VPB a file system swapped in from pool (a dismount with files still open) goes with the
    // device as its own VPB does.
    if (device->Vpb && device->Vpb != &device_extras(device)->vpb) ExFreePool(device->Vpb);
    device_extras(device)->~DeviceExtras();
    doe->~DeviceObjectExtension();
    if (driver) ObDereferenceObject(driver);
}

void device_dump(void* object, std::string& out) {
    auto* device = static_cast<PDEVICE_OBJECT>(object);
    out += "driver ";
    if (device->DriverObject) {
        for (char16_t c : driver_private(device->DriverObject).driver_name)
            out.push_back(c < 0x80 ? static_cast<char>(c) : '?');
    }
    char line[160];
    std::snprintf(line, sizeof line, " type 0x%x flags 0x%x stack %d refs %d%s%s",
                  static_cast<unsigned>(device->DeviceType),
                  static_cast<unsigned>(device->Flags), static_cast<int>(device->StackSize),
                  static_cast<int>(device->ReferenceCount), device->AttachedDevice ? " attached" : "",
                  device_private(device)->delete_pending.load() ? " delete-pending" : "");
    out += line;
}

}  // namespace ntio::io

using namespace ntio;
using namespace ntio::io;

extern "C" {

// A named device without a descriptor of its own gets the I/O manager's default: full access for
// System and Administrators, read, write and execute for everyone (Securing Device Objects,
// https://learn.microsoft.com/windows-hardware/drivers/kernel/securing-device-objects). Unnamed
// devices have no DACL (IoCreateDevice, DeviceName).
NTSTATUS NTAPI IoCreateDevice(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize, PUNICODE_STRING DeviceName,
                              DEVICE_TYPE DeviceType, ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                              PDEVICE_OBJECT* DeviceObject) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive1);
    se::SecurityDescriptor descriptor;
    const bool named = (DeviceName && DeviceName->Length) || (DeviceCharacteristics & FILE_AUTOGENERATED_DEVICE_NAME);
    if (named && !NT_SUCCESS(se::SecurityDescriptor::from_sddl("D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GRGWGX;;;WD)(A;;GRGWGX;;;RC)",
                                                               descriptor)))
        return STATUS_INSUFFICIENT_RESOURCES;
    return create_device(DriverObject, DeviceExtensionSize, DeviceName, DeviceType, DeviceCharacteristics, Exclusive,
                         named ? &descriptor : nullptr, DeviceObject);
}

// NT fact S4. https://learn.microsoft.com/windows-hardware/drivers/ddi/wdmsec/nf-wdmsec-wdmlibiocreatedevicesecure
// NT deviation: DeviceClassGuid only names the class; there is no class key whose security overrides
// the SDDL.
NTSTATUS NTAPI WdmlibIoCreateDeviceSecure(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize,
                                          PUNICODE_STRING DeviceName, DEVICE_TYPE DeviceType,
                                          ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                                          PCUNICODE_STRING DefaultSDDLString, LPCGUID DeviceClassGuid,
                                          PDEVICE_OBJECT* DeviceObject) {
    if (DeviceObject) *DeviceObject = nullptr;
    std::u16string sddl16;
    NTSTATUS status = capture_unicode(DefaultSDDLString, sddl16);
    if (!NT_SUCCESS(status)) return STATUS_INVALID_PARAMETER;
    std::string sddl;
    for (char16_t c : sddl16) {
        if (c > 0x7f) return STATUS_INVALID_PARAMETER;
        sddl.push_back(static_cast<char>(c));
    }
    se::SecurityDescriptor descriptor;
    status = se::SecurityDescriptor::from_sddl(sddl, descriptor);
    if (!NT_SUCCESS(status)) return STATUS_INVALID_PARAMETER;
    (void)DeviceClassGuid;
    return create_device(DriverObject, DeviceExtensionSize, DeviceName, DeviceType, DeviceCharacteristics, Exclusive,
                         &descriptor, DeviceObject);
}

VOID NTAPI IoDeleteDevice(PDEVICE_OBJECT DeviceObject) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoApcLte);
    if (ntio::verifier::active()) [[unlikely]] ntio::verifier::on_delete_device(DeviceObject);
    if (!is_device(DeviceObject)) return;
    DeviceObjectExtension* doe = device_private(DeviceObject);
    if (doe->delete_pending.exchange(true, std::memory_order_seq_cst)) return;
    device_set_extension_flags(DeviceObject, DOE_DELETE_PENDING);
    stop_device_timer(DeviceObject);  // its IoTimer routine is not called for a deleted device
    device_interfaces_remove(DeviceObject);
    // A device that asked for IRP_MJ_SHUTDOWN leaves the lists with its deletion, as on NT.
    if (DeviceObject->Flags & DO_SHUTDOWN_REGISTERED) IoUnregisterShutdownNotification(DeviceObject);
    // NT deviation: NT holds a WMI registration until the driver deregisters; ntio forgets it here.
    ob::manager_of(DeviceObject).system().io().wmi_device_deleted(DeviceObject);
    power_device_deleted(DeviceObject);  // cancels its idle detection (power_idle.cpp)
    // NT fact L3 (DriverObject->DeviceObject NULL after deleting the only device, which has no
    // opens): the device leaves the list now, or with its last open (device_release_open).
    if (__atomic_load_n(&DeviceObject->ReferenceCount, __ATOMIC_SEQ_CST) == 0) unlink_from_driver(DeviceObject);
    // The name goes now, the object when its opens close.
    if (DeviceObject->Flags & DO_DEVICE_HAS_NAME) ob::manager_of(DeviceObject).make_temporary(DeviceObject);
    release_keep(DeviceObject);
}

}  // extern "C"

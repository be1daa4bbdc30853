// File system registration: NT's file system queues (one per volume device class: disk, CD-ROM,
// tape, network), IoRegisterFileSystem / IoUnregisterFileSystem, the registration-change
// notification file system filters use to attach to each file system's control device, and the
// list of those filters (IoEnumerateRegisteredFiltersList).
#include "io/device_object.hpp"
#include "io/driver_object.hpp"
#include "io/file_systems.hpp"
#include "io/io_manager.hpp"
#include "ob/object_manager.hpp"
#include "verifier/verifier.hpp"

#include <ntio_ddk/io_file_system.h>

#include <shared_mutex>

namespace ntio::io {

struct FileSystemQueues {
    // Serializes registration changes with the notifications about them, so a filter sees
    // registrations and unregistrations in the order they happened.
    std::mutex change_lock;
    std::mutex lock;  // the queues (mounts take snapshots under it)
    // Front first: the order mounts try them in. Each entry holds an object reference.
    std::vector<PDEVICE_OBJECT> disk, cd_rom, tape, network;
    struct Notification {
        PDRIVER_OBJECT driver;  // referenced
        PDRIVER_FS_NOTIFICATION routine;
    };
    std::vector<Notification> notifications;
    // Mounts hold it shared; IoRegisterFsRegistrationChangeMountAware(SynchronizeWithMounts) holds it
    // exclusively while it calls the new routine for the registered file systems.
    std::shared_mutex mount_gate;
};

void clear_file_system_queues(FileSystemQueues& queues) noexcept
{
    std::vector<PDEVICE_OBJECT> devices;
    std::vector<FileSystemQueues::Notification> notifications;
    {
        std::lock_guard guard(queues.lock);
        for (auto* queue : {&queues.disk, &queues.cd_rom, &queues.tape, &queues.network}) {
            devices.insert(devices.end(), queue->begin(), queue->end());
            queue->clear();
        }
        notifications.swap(queues.notifications);
    }
    for (PDEVICE_OBJECT device : devices) ObDereferenceObject(device);
    for (auto& n : notifications) ObDereferenceObject(n.driver);
}

void FileSystemQueuesDeleter::operator()(FileSystemQueues* queues) const noexcept
{
    clear_file_system_queues(*queues);
    delete queues;
}

FileSystemQueues& IoManager::file_systems()
{
    std::call_once(m_file_systems_once, [this] { m_file_systems.reset(new FileSystemQueues); });
    return *m_file_systems;
}

namespace {

// The queue of a file system's control device, by its type; IoRegisterFileSystem lists the four
// types it accepts (https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioregisterfilesystem;
// Learn names the disk, CD-ROM and network types, NT also keeps a tape queue).
std::vector<PDEVICE_OBJECT>* queue_of_file_system(FileSystemQueues& queues, DEVICE_TYPE type) noexcept
{
    switch (type) {
    case FILE_DEVICE_DISK_FILE_SYSTEM: return &queues.disk;
    case FILE_DEVICE_CD_ROM_FILE_SYSTEM: return &queues.cd_rom;
    case FILE_DEVICE_TAPE_FILE_SYSTEM: return &queues.tape;
    case FILE_DEVICE_NETWORK_FILE_SYSTEM: return &queues.network;
    default: return nullptr;
    }
}

// The queue whose file systems are offered a volume of this device type: disk file systems mount
// disks and virtual disks, CD-ROM file systems CD-ROMs, tape file systems tapes (the device types
// that get a VPB, https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_vpb).
std::vector<PDEVICE_OBJECT>* queue_of_volume(FileSystemQueues& queues, DEVICE_TYPE type) noexcept
{
    switch (type) {
    case FILE_DEVICE_DISK:
    case FILE_DEVICE_VIRTUAL_DISK: return &queues.disk;
    case FILE_DEVICE_CD_ROM: return &queues.cd_rom;
    case FILE_DEVICE_TAPE: return &queues.tape;
    default: return nullptr;
    }
}

FileSystemQueues& queues_of(PDEVICE_OBJECT device) { return ob::manager_of(device).system().io().file_systems(); }

void notify(FileSystemQueues& queues, PDEVICE_OBJECT device, BOOLEAN active)
{
    std::vector<FileSystemQueues::Notification> routines;
    {
        std::lock_guard guard(queues.lock);
        routines = queues.notifications;
    }
    for (auto& n : routines) n.routine(device, active);
}

}  // namespace

std::vector<PDEVICE_OBJECT> file_systems_for(PDEVICE_OBJECT real_device)
{
    FileSystemQueues& queues = queues_of(real_device);
    std::vector<PDEVICE_OBJECT> result;
    std::lock_guard guard(queues.lock);
    if (auto* queue = queue_of_volume(queues, real_device->DeviceType)) {
        result = *queue;
        for (PDEVICE_OBJECT device : result) ObReferenceObject(device);
    }
    return result;
}

std::shared_lock<std::shared_mutex> hold_mount_gate(PDEVICE_OBJECT real_device)
{
    return std::shared_lock(queues_of(real_device).mount_gate);
}

std::vector<PDEVICE_OBJECT> registered_file_systems(FileSystemQueues& queues)
{
    std::vector<PDEVICE_OBJECT> result;
    std::lock_guard guard(queues.lock);
    for (const auto* queue : {&queues.disk, &queues.cd_rom, &queues.tape, &queues.network})
        result.insert(result.end(), queue->begin(), queue->end());
    for (PDEVICE_OBJECT device : result) ObReferenceObject(device);
    return result;
}

}  // namespace ntio::io

using namespace ntio;
using namespace ntio::io;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioregisterfilesystem: a
// control device of another type is not registered; DO_LOW_PRIORITY_FILESYSTEM puts it next to last
// (before RAW, last on NT; ntio's RAW stand-in is in no queue: it takes what every queued file
// system declined), else it goes to the head of the queue; the
// notification routines of file system filters are called.
// NT deviation: the queue holds an object reference, not DeviceObject->ReferenceCount, so a file
// system that unregisters in its DriverUnload can still be unloaded (ntio defers an unload while a
// device's ReferenceCount is non-zero).
VOID NTAPI IoRegisterFileSystem(PDEVICE_OBJECT DeviceObject)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoApcLte);
    if (!is_device(DeviceObject)) return;
    FileSystemQueues& queues = queues_of(DeviceObject);
    std::lock_guard change(queues.change_lock);
    {
        std::lock_guard guard(queues.lock);
        auto* queue = queue_of_file_system(queues, DeviceObject->DeviceType);
        if (!queue || std::find(queue->begin(), queue->end(), DeviceObject) != queue->end()) return;
        ObReferenceObject(DeviceObject);
        if (DeviceObject->Flags & DO_LOW_PRIORITY_FILESYSTEM)
            queue->push_back(DeviceObject);
        else
            queue->insert(queue->begin(), DeviceObject);
    }
    notify(queues, DeviceObject, TRUE);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iounregisterfilesystem:
// removes the control device from its queue and tells the file system filters.
VOID NTAPI IoUnregisterFileSystem(PDEVICE_OBJECT DeviceObject)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoApcLte);
    if (!is_device(DeviceObject)) return;
    FileSystemQueues& queues = queues_of(DeviceObject);
    std::lock_guard change(queues.change_lock);
    {
        std::lock_guard guard(queues.lock);
        auto* queue = queue_of_file_system(queues, DeviceObject->DeviceType);
        if (!queue) return;
        auto it = std::find(queue->begin(), queue->end(), DeviceObject);
        if (it == queue->end()) return;
        queue->erase(it);
    }
    notify(queues, DeviceObject, FALSE);
    ObDereferenceObject(DeviceObject);
}

}  // extern "C"

namespace ntio::io {
namespace {

// The registration the three IoRegisterFsRegistrationChange* routines share: the routine is called
// for every later registration and unregistration and, since Windows XP, at once for each file
// system already registered; the driver object is referenced while registered. The same routine
// twice: STATUS_DEVICE_ALREADY_ATTACHED. `synchronize`: no mount runs while the routine is told about
// the registered file systems (mounts wait for it, and it waits for the mounts in progress).
NTSTATUS register_change(PDRIVER_OBJECT driver, PDRIVER_FS_NOTIFICATION routine, bool synchronize)
{
    if (!is_driver(driver) || !routine) return STATUS_INVALID_PARAMETER;
    FileSystemQueues& queues = ob::manager_of(driver).system().io().file_systems();
    std::lock_guard change(queues.change_lock);
    std::unique_lock<std::shared_mutex> no_mounts;
    if (synchronize) no_mounts = std::unique_lock(queues.mount_gate);
    std::vector<PDEVICE_OBJECT> registered;
    {
        std::lock_guard guard(queues.lock);
        for (auto& n : queues.notifications)
            if (n.driver == driver && n.routine == routine) return STATUS_DEVICE_ALREADY_ATTACHED;
        ObReferenceObject(driver);
        queues.notifications.push_back({driver, routine});
        for (auto* queue : {&queues.disk, &queues.cd_rom, &queues.tape, &queues.network})
            for (PDEVICE_OBJECT device : *queue) {
                ObReferenceObject(device);
                registered.push_back(device);
            }
    }
    for (PDEVICE_OBJECT device : registered) {
        routine(device, TRUE);
        ObDereferenceObject(device);
    }
    return STATUS_SUCCESS;
}

}  // namespace
}  // namespace ntio::io

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioregisterfsregistrationchange
NTSTATUS NTAPI IoRegisterFsRegistrationChange(PDRIVER_OBJECT DriverObject,
                                              PDRIVER_FS_NOTIFICATION DriverNotificationRoutine)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoApcLte);
    return register_change(DriverObject, DriverNotificationRoutine, false);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioregisterfsregistrationchangeex:
// as IoRegisterFsRegistrationChange, but RAW's device objects are not reported; ntio's RAW stand-in
// has none, so the two are the same. < DISPATCH_LEVEL.
NTSTATUS NTAPI IoRegisterFsRegistrationChangeEx(PDRIVER_OBJECT DriverObject,
                                                PDRIVER_FS_NOTIFICATION DriverNotificationRoutine)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoApcLte);
    return register_change(DriverObject, DriverNotificationRoutine, false);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioregisterfsregistrationchangemountaware:
// as IoRegisterFsRegistrationChangeEx; with SynchronizeWithMounts it waits for the mounts in
// progress and lets no new one start until it returns. < DISPATCH_LEVEL.
NTSTATUS NTAPI IoRegisterFsRegistrationChangeMountAware(PDRIVER_OBJECT DriverObject,
                                                        PDRIVER_FS_NOTIFICATION DriverNotificationRoutine,
                                                        BOOLEAN SynchronizeWithMounts)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoApcLte);
    return register_change(DriverObject, DriverNotificationRoutine, SynchronizeWithMounts != FALSE);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioenumerateregisteredfilterslist:
// the drivers that registered a notification routine, each once and referenced (the caller drops
// each with ObDereferenceObject), the one farthest from the file system first: filters attach in
// the order they register, so the last registered comes first. As many as fit in
// DriverObjectListSize bytes; too few: STATUS_BUFFER_TOO_SMALL with those that fit. A NULL
// ActualNumberDriverObjects: STATUS_INVALID_PARAMETER (Learn does not make it optional).
NTSTATUS NTAPI IoEnumerateRegisteredFiltersList(PDRIVER_OBJECT* DriverObjectList, ULONG DriverObjectListSize,
                                                PULONG ActualNumberDriverObjects)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoApcLte);
    if (!ActualNumberDriverObjects || (DriverObjectListSize && !DriverObjectList)) return STATUS_INVALID_PARAMETER;
    System* system = System::current();
    if (!system) return STATUS_INVALID_PARAMETER;
    FileSystemQueues& queues = system->io().file_systems();
    std::lock_guard guard(queues.lock);
    std::vector<PDRIVER_OBJECT> drivers;
    for (auto it = queues.notifications.rbegin(); it != queues.notifications.rend(); ++it)
        if (std::find(drivers.begin(), drivers.end(), it->driver) == drivers.end()) drivers.push_back(it->driver);
    const std::size_t room = DriverObjectListSize / sizeof(PDRIVER_OBJECT);
    const std::size_t copied = std::min(room, drivers.size());
    for (std::size_t i = 0; i < copied; ++i) {
        ObReferenceObject(drivers[i]);
        DriverObjectList[i] = drivers[i];
    }
    *ActualNumberDriverObjects = static_cast<ULONG>(drivers.size());
    return copied < drivers.size() ? STATUS_BUFFER_TOO_SMALL : STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iounregisterfsregistrationchange
VOID NTAPI IoUnregisterFsRegistrationChange(PDRIVER_OBJECT DriverObject,
                                            PDRIVER_FS_NOTIFICATION DriverNotificationRoutine)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoApcLte);
    if (!is_driver(DriverObject)) return;
    FileSystemQueues& queues = ob::manager_of(DriverObject).system().io().file_systems();
    std::lock_guard change(queues.change_lock);
    PDRIVER_OBJECT found = nullptr;
    {
        std::lock_guard guard(queues.lock);
        auto& list = queues.notifications;
        for (auto it = list.begin(); it != list.end(); ++it) {
            if (it->driver == DriverObject && it->routine == DriverNotificationRoutine) {
                found = it->driver;
                list.erase(it);
                break;
            }
        }
    }
    if (found) ObDereferenceObject(found);
}

}  // extern "C"

// File system registration: NT's file system queues (one per volume device class: disk, CD-ROM,
// tape, network), IoRegisterFileSystem / IoUnregisterFileSystem, and the registration-change
// notification file system filters use to attach to each file system's control device.
#include "io/device_object.hpp"
#include "io/driver_object.hpp"
#include "io/file_systems.hpp"
#include "io/io_manager.hpp"
#include "ob/object_manager.hpp"
#include "verifier/verifier.hpp"

#include <ntio_ddk/io_file_system.h>

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

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioregisterfsregistrationchange:
// the routine is called for every later registration and unregistration and, since Windows XP, at
// once for each file system already registered; the driver object is referenced while registered.
// The same routine twice: STATUS_DEVICE_ALREADY_ATTACHED (IoRegisterFsRegistrationChangeEx's rule).
NTSTATUS NTAPI IoRegisterFsRegistrationChange(PDRIVER_OBJECT DriverObject,
                                              PDRIVER_FS_NOTIFICATION DriverNotificationRoutine)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoApcLte);
    if (!is_driver(DriverObject) || !DriverNotificationRoutine) return STATUS_INVALID_PARAMETER;
    FileSystemQueues& queues = ob::manager_of(DriverObject).system().io().file_systems();
    std::lock_guard change(queues.change_lock);
    std::vector<PDEVICE_OBJECT> registered;
    {
        std::lock_guard guard(queues.lock);
        for (auto& n : queues.notifications)
            if (n.driver == DriverObject && n.routine == DriverNotificationRoutine) return STATUS_DEVICE_ALREADY_ATTACHED;
        ObReferenceObject(DriverObject);
        queues.notifications.push_back({DriverObject, DriverNotificationRoutine});
        for (auto* queue : {&queues.disk, &queues.cd_rom, &queues.tape, &queues.network})
            for (PDEVICE_OBJECT device : *queue) {
                ObReferenceObject(device);
                registered.push_back(device);
            }
    }
    for (PDEVICE_OBJECT device : registered) {
        DriverNotificationRoutine(device, TRUE);
        ObDereferenceObject(device);
    }
    return STATUS_SUCCESS;
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

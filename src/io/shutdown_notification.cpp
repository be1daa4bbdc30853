// Shutdown notification: IoRegisterShutdownNotification, IoRegisterLastChanceShutdownNotification
// and IoUnregisterShutdownNotification, and the IRP_MJ_SHUTDOWN requests the System's shutdown
// sends. Learn (nf-wdm-ioregistershutdownnotification and
// nf-wdm-ioregisterlastchanceshutdownnotification): one IRP per registered device; the ordinary
// registrations are sent theirs before the file systems are flushed and before any
// IRP_MN_SET_POWER for PowerSystemShutdown, the last-chance ones after the file systems; drivers may
// assume no order among the devices of one list. ntio sends each list most recent registration
// first, and flushes a file system by sending IRP_MJ_SHUTDOWN to its registered control device.
#include "io/device_object.hpp"
#include "io/driver_object.hpp"
#include "ob/object_manager.hpp"
#include "io/io_manager.hpp"
#include "io/objects.hpp"
#include "verifier/verifier.hpp"

#include <ntio_ddk/io_file_system.h>

#include <algorithm>

namespace ntio::io {
namespace {

// A synchronous IRP_MJ_SHUTDOWN to the top of `device`'s stack (IoBuildSynchronousFsdRequest
// accepts IRP_MJ_SHUTDOWN, https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iobuildsynchronousfsdrequest).
// The driver's status is not looked at: a shutdown goes on whatever a driver answers.
void send_shutdown(PDEVICE_OBJECT device) {
    if (device_delete_pending(device)) return;
    PDEVICE_OBJECT top = IoGetAttachedDeviceReference(device);
    KEVENT done;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    IO_STATUS_BLOCK iosb{};
    if (PIRP irp = IoBuildSynchronousFsdRequest(IRP_MJ_SHUTDOWN, top, nullptr, 0, nullptr, &done, &iosb)) {
        if (IoCallDriver(top, irp) == STATUS_PENDING)
            (void)KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, nullptr);
    }
    ObDereferenceObject(top);
}

IoManager& io_of(PDEVICE_OBJECT device) { return ob::manager_of(device).system().io(); }

}  // namespace

void IoManager::register_shutdown(PDEVICE_OBJECT device, bool last_chance) {
    ObReferenceObject(device);
    __atomic_fetch_or(&device->Flags, ULONG{DO_SHUTDOWN_REGISTERED}, __ATOMIC_RELAXED);
    std::lock_guard guard(m_shutdown_lock);
    auto& list = last_chance ? m_last_chance_devices : m_shutdown_devices;
    list.insert(list.begin(), device);
}

void IoManager::unregister_shutdown(PDEVICE_OBJECT device) {
    std::vector<PDEVICE_OBJECT> removed;
    {
        std::lock_guard guard(m_shutdown_lock);
        for (auto* list : {&m_shutdown_devices, &m_last_chance_devices}) {
            for (PDEVICE_OBJECT d : *list)
                if (d == device) removed.push_back(d);
            std::erase(*list, device);
        }
        __atomic_fetch_and(&device->Flags, ~ULONG{DO_SHUTDOWN_REGISTERED}, __ATOMIC_RELAXED);
    }
    for (PDEVICE_OBJECT d : removed) ObDereferenceObject(d);
}

void IoManager::send_shutdown_irps() {
    // Each list is taken whole: a registration made while the IRPs go out (a driver's shutdown
    // routine registering again) is not sent one.
    auto take = [this](std::vector<PDEVICE_OBJECT>& list) {
        std::lock_guard guard(m_shutdown_lock);
        std::vector<PDEVICE_OBJECT> taken;
        taken.swap(list);
        for (PDEVICE_OBJECT device : taken)
            __atomic_fetch_and(&device->Flags, ~ULONG{DO_SHUTDOWN_REGISTERED}, __ATOMIC_RELAXED);
        return taken;
    };
    auto send_all = [](const std::vector<PDEVICE_OBJECT>& devices) {
        for (PDEVICE_OBJECT device : devices) {
            send_shutdown(device);
            ObDereferenceObject(device);
        }
    };
    send_all(take(m_shutdown_devices));
    if (m_file_systems) send_all(registered_file_systems(*m_file_systems));
    send_all(take(m_last_chance_devices));
}

}  // namespace ntio::io

using namespace ntio::io;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioregistershutdownnotification
NTSTATUS NTAPI IoRegisterShutdownNotification(PDEVICE_OBJECT DeviceObject) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive5);
    if (!is_device(DeviceObject)) return STATUS_INVALID_PARAMETER;
    io_of(DeviceObject).register_shutdown(DeviceObject, false);
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioregisterlastchanceshutdownnotification
NTSTATUS NTAPI IoRegisterLastChanceShutdownNotification(PDEVICE_OBJECT DeviceObject) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive5);
    if (!is_device(DeviceObject)) return STATUS_INVALID_PARAMETER;
    io_of(DeviceObject).register_shutdown(DeviceObject, true);
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iounregistershutdownnotification:
// removes the device from both lists.
VOID NTAPI IoUnregisterShutdownNotification(PDEVICE_OBJECT DeviceObject) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive5);
    if (!is_device(DeviceObject)) return;
    io_of(DeviceObject).unregister_shutdown(DeviceObject);
}

}  // extern "C"

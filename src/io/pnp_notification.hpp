// What the PnP manager and the device interfaces tell the notification callbacks drivers registered
// with IoRegisterPlugPlayNotification (pnp_notification.cpp). Every routine calls the callbacks on
// the calling thread with no lock held; PASSIVE_LEVEL.
#pragma once

#include "io/ddk.hpp"

namespace ntio { class System; }
namespace ntio::ob { class ObjectManager; }

namespace ntio::io {

// An interface of class `interface_class` in `manager`'s System became active (arrival) or stopped
// being active: GUID_DEVICE_INTERFACE_ARRIVAL / _REMOVAL to the callbacks of that class.
struct InterfaceChange {
    ob::ObjectManager* manager;
    GUID interface_class;
    std::u16string link_name;
    bool arrival;
};
void pnp_notify_interface_changes(const std::vector<InterfaceChange>& changes);

// GUID_TARGET_DEVICE_QUERY_REMOVE to the target-device callbacks of `pdo`, one after the other. The
// first failure stops it: the callbacks told before it get GUID_TARGET_DEVICE_REMOVE_CANCELLED and the
// failure is returned.
NTSTATUS pnp_notify_query_remove(PDEVICE_OBJECT pdo);
// GUID_TARGET_DEVICE_REMOVE_CANCELLED / _REMOVE_COMPLETE to every target-device callback of `pdo`.
void pnp_notify_remove_cancelled(PDEVICE_OBJECT pdo);
void pnp_notify_remove_complete(PDEVICE_OBJECT pdo);

// How many references target-device registrations hold on `pdo` (one each).
LONG_PTR pnp_notification_references(PDEVICE_OBJECT pdo);

// The registrations `system` still has at its shutdown go (their references released, no call).
void pnp_notifications_shutdown(System& system);

}  // namespace ntio::io

// IoInvalidateDeviceState and IoRequestDeviceEject: a driver asks the PnP manager to look at its
// device again (IRP_MN_QUERY_PNP_DEVICE_STATE and what the answer asks for) or to eject it (orderly
// removal, then IRP_MN_EJECT to the bus driver). Callable at DISPATCH_LEVEL, both run on a system
// worker, as NT's PnP manager runs them on its own thread.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioinvalidatedevicestate
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iorequestdeviceeject
// https://learn.microsoft.com/windows-hardware/drivers/kernel/removing-a-device
#include "io/device_object.hpp"
#include "io/objects.hpp"
#include "io/pnp_manager.hpp"

#include "ob/object_manager.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {

namespace {

constexpr ULONG_PTR kInvalidPdo = 0x2;

[[noreturn]] void invalid_pdo(PDEVICE_OBJECT device) {
    const bool is_device = device && ob::type_of(device) == &g_device_type;
    KeBugCheckEx(PNP_DETECTED_FATAL_ERROR, kInvalidPdo, reinterpret_cast<ULONG_PTR>(device),
                 is_device ? reinterpret_cast<ULONG_PTR>(device->DriverObject) : 0, 0);
}

struct PnpAction {
    WORK_QUEUE_ITEM item;
    PDEVICE_OBJECT pdo;  // referenced; the action consumes the reference
    bool eject;
};

VOID NTAPI run_action(PVOID context) {
    auto* action = static_cast<PnpAction*>(context);
    if (action->eject) pnp_eject_device(action->pdo);
    else pnp_query_device_state(action->pdo);
    ExFreePool(action);
}

void queue_action(PDEVICE_OBJECT pdo, bool eject) {
    if (!pnp_is_pdo(pdo)) invalid_pdo(pdo);
    auto* action = static_cast<PnpAction*>(ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(PnpAction), 'PnpS'));
    // NT deviation: with no memory for the request it is dropped; NT's PnP manager queues its events
    // from preallocated storage.
    if (!action) return;
    ObReferenceObject(pdo);
    pnp_action_queued(pdo);
    action->pdo = pdo;
    action->eject = eject;
    ExInitializeWorkItem(&action->item, run_action, action);
    ExQueueWorkItem(&action->item, DelayedWorkQueue);
}

}  // namespace

}  // namespace ntio::io

using namespace ntio;
using namespace ntio::io;

extern "C" {

VOID NTAPI IoInvalidateDeviceState(PDEVICE_OBJECT PhysicalDeviceObject) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    queue_action(PhysicalDeviceObject, false);
}

VOID NTAPI IoRequestDeviceEject(PDEVICE_OBJECT PhysicalDeviceObject) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    queue_action(PhysicalDeviceObject, true);
}

}  // extern "C"

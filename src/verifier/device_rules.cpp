// Device object rules of I/O verification: a second IoInitializeTimer (0xC9 0x0A), detaching from a
// device nothing is attached to (0x202), and the attach hygiene of a PnP driver's AddDevice (0x243
// DO_DEVICE_INITIALIZING left set, 0x244 buffering flags not copied, 0x245 both set, 0x246 DeviceType
// not copied). Subcodes, parameters and conditions:
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc9--driver-verifier-iomanager-violation
// Learn names only "device object specified" for the WDM DRIVER ERROR ones: ntio's layout (code,
// routine, IRP, device) with no IRP.
#include "verifier/state.hpp"
#include "verifier/verifier.hpp"

namespace ntio::verifier {
namespace {

ULONG_PTR ptr(const void* p) noexcept { return reinterpret_cast<ULONG_PTR>(p); }

PDEVICE_OBJECT attached_above(PDEVICE_OBJECT device) noexcept {
    return __atomic_load_n(&device->AttachedDevice, __ATOMIC_ACQUIRE);
}

void report_device(ULONG_PTR subcode, PVOID routine, PDEVICE_OBJECT device, const char* message) noexcept {
    report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, subcode, ptr(routine), 0, ptr(device), Severity::Always, nullptr,
            message, device->DriverObject, nullptr, nullptr});
}

// What Learn's "AddDevice Routines in Function or Filter Drivers" asks of a device the routine
// attached: DO_DEVICE_INITIALIZING cleared at the end, the buffering flags of the next lower device
// ("higher-level drivers OR this member with the same value as the next-lower driver"), and, for a
// filter, the lower device's DeviceType (a filter is transparent to the stack).
// https://learn.microsoft.com/windows-hardware/drivers/kernel/adddevice-routines-in-function-or-filter-drivers
// NT deviation (a guess): 0x246 is checked for filters only (a function driver's FDO has its own
// type over a bus driver's PDO); the PnP manager's service lists say which drivers are filters.
void check_attached(PDRIVER_OBJECT driver, PDEVICE_OBJECT device, bool filter) noexcept {
    PVOID routine = reinterpret_cast<PVOID>(driver->DriverExtension->AddDevice);
    const ULONG flags = __atomic_load_n(&device->Flags, __ATOMIC_ACQUIRE);
    if (flags & DO_DEVICE_INITIALIZING)
        report_device(0x243, routine, device, "AddDevice returned without clearing DO_DEVICE_INITIALIZING");
    constexpr ULONG kBuffering = DO_BUFFERED_IO | DO_DIRECT_IO;
    if ((flags & kBuffering) == kBuffering)
        report_device(0x245, routine, device, "the device has both DO_BUFFERED_IO and DO_DIRECT_IO set");
    PDEVICE_OBJECT lower = device->DeviceObjectExtension->AttachedTo;
    if (!lower) return;
    const ULONG lower_buffering = __atomic_load_n(&lower->Flags, __ATOMIC_ACQUIRE) & kBuffering;
    if (lower_buffering && (flags & lower_buffering) != lower_buffering)
        report_device(0x244, routine, device,
                      "the device did not copy DO_BUFFERED_IO / DO_DIRECT_IO from the device it attached to");
    if (filter && device->DeviceType != lower->DeviceType)
        report_device(0x246, routine, device, "the filter device did not copy DeviceType from the device it attached to");
}

}  // namespace

// "The driver passed IoInitializeTimer a device object with an already-initialized timer" (P2 the
// device): a Level 1 rule. Without the verifier the call succeeds and replaces the routine.
void on_timer_reinitialized(PDEVICE_OBJECT device) noexcept {
    PDRIVER_OBJECT driver = device->DriverObject;
    if (!(driver_flags(driver) & NTIO_VERIFIER_IO_CHECKING)) return;
    report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x0A, ptr(device), 0, 0, Severity::Always, nullptr,
            "IoInitializeTimer was called for a device object whose timer is already initialized", driver, nullptr,
            nullptr});
}

// "A driver has attempted to detach from a device object that is not attached to anything. This may
// occur if detach was called twice on the same device object." The caller is the driver whose code
// runs on the thread (the target is the lower driver's device).
void on_detach_device(PDEVICE_OBJECT target) noexcept {
    if (!target || target->Type != IO_TYPE_DEVICE || attached_above(target)) return;
    PDRIVER_OBJECT caller = context_driver();
    if (!caller || !io_level2(driver_flags(caller))) return;
    report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x202, 0, 0, ptr(target), Severity::Always, nullptr,
            "IoDetachDevice was called for a device nothing is attached to (detached twice?)", caller, nullptr,
            nullptr});
}

// After AddDevice: the devices of driver in pdo's stack (those it attached, normally one).
void on_add_device_returned(PDRIVER_OBJECT driver, PDEVICE_OBJECT pdo, bool filter) noexcept {
    if (!io_level2(driver_flags(driver))) return;
    for (PDEVICE_OBJECT device = attached_above(pdo); device; device = attached_above(device))
        if (device->DriverObject == driver) check_attached(driver, device, filter);
}

}  // namespace ntio::verifier

// The WDM drivers of the Plug and Play suite, written as a WDK driver writer writes them: a function
// driver (PnpTestFn: AddDevice attaches an FDO to the PDO and registers a device interface, START
// enables it, REMOVE detaches and deletes, reads return 'P' bytes, QUERY_CAPABILITIES may be adjusted
// on the way up) and a filter driver loaded as PnpTestLower and PnpTestUpper. Every PnP and power IRP
// they see is recorded, with the status it arrived with, so tests can check the order the PnP manager
// sends them in.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "support/system_fixture.hpp"

#undef __try
#include <ntio/ntapi.h>
#include <ntio/ntio.h>

namespace ntio::pnp_test {

// {5c1c1e6e-4b5a-4e3a-9d53-3f1a1f7a0001}
inline const GUID kInterfaceGuid = {0x5c1c1e6e, 0x4b5a, 0x4e3a, {0x9d, 0x53, 0x3f, 0x1a, 0x1f, 0x7a, 0x00, 0x01}};
inline constexpr const wchar_t* kInstance = L"ROOT\\PNPTEST\\0000";
inline constexpr const wchar_t* kInterfaceLink = L"\\??\\ROOT#PNPTEST#0000#{5c1c1e6e-4b5a-4e3a-9d53-3f1a1f7a0001}";

struct Event {
    std::string who;          // "lower", "fn", "upper"
    UCHAR major = 0;          // IRP_MJ_PNP, IRP_MJ_POWER, IRP_MJ_CREATE, or 0xFF for AddDevice
    UCHAR minor = 0;
    NTSTATUS status_on_entry = 0;
    ULONG power_state = 0;    // SET_POWER: the device or system state
    ULONG power_type = 0;     // SET_POWER: DevicePowerState or SystemPowerState
    ULONG shutdown_type = 0;  // SET_POWER: Parameters.Power.ShutdownType
};
inline constexpr UCHAR kAddDevice = 0xFF;

struct State {
    std::mutex lock;
    std::vector<Event> events;
    // Behaviour switches (set before NtioPnpEnumerateRoot / removal).
    std::atomic<NTSTATUS> start_status{STATUS_SUCCESS};       // fn completes START with it
    std::atomic<bool> veto_query_remove{false};                // fn fails QUERY_REMOVE
    std::atomic<bool> leave_initializing{false};               // fn's AddDevice keeps DO_DEVICE_INITIALIZING
    std::atomic<NTSTATUS> add_device_status{STATUS_SUCCESS};   // fn's AddDevice fails with it
    // fn adjusts QUERY_CAPABILITIES on the way up: UINumber 7, Removable, SurpriseRemovalOK, and
    // DeviceState[PowerSystemShutdown] D2.
    std::atomic<bool> adjust_capabilities{false};
    // What fn found in the DEVICE_CAPABILITIES of each QUERY_CAPABILITIES, on the way down (before the
    // bus filled it) and on the way up (after).
    std::vector<DEVICE_CAPABILITIES> capabilities_down;
    std::vector<DEVICE_CAPABILITIES> capabilities_up;
    // What fn saw.
    std::atomic<int> removes{0};
    std::atomic<int> vetoed_query_removes{0};                  // QUERY_REMOVEs fn failed (veto_query_remove)
    std::atomic<int> surprise_removals{0};
    std::atomic<int> creates_after_remove{0};
    std::atomic<bool> removing{false};
    std::atomic<PDEVICE_OBJECT> pdo{nullptr};
    KEVENT removed;                                            // set by fn's REMOVE
    std::atomic<NTSTATUS> interface_disable_status{STATUS_SUCCESS};
    // fn ORs it into the bus driver's IRP_MN_QUERY_PNP_DEVICE_STATE answer, then sets state_queried.
    std::atomic<ULONG> pnp_device_state{0};
    KEVENT state_queried;

    void record(const char* who, UCHAR major, UCHAR minor, NTSTATUS status, ULONG power = 0, ULONG power_type = 0,
                ULONG shutdown_type = 0) {
        std::lock_guard guard(lock);
        events.push_back({who, major, minor, status, power, power_type, shutdown_type});
    }
    void record_power(const char* who, PIRP irp) {
        PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
        const bool set = sp->MinorFunction == IRP_MN_SET_POWER;
        const bool system = set && sp->Parameters.Power.Type == SystemPowerState;
        const ULONG state = !set    ? 0
                            : system ? ULONG(sp->Parameters.Power.State.SystemState)
                                     : ULONG(sp->Parameters.Power.State.DeviceState);
        record(who, IRP_MJ_POWER, sp->MinorFunction, irp->IoStatus.Status, state,
               set ? ULONG(sp->Parameters.Power.Type) : 0, set ? ULONG(sp->Parameters.Power.ShutdownType) : 0);
    }
    std::vector<Event> take() {
        std::lock_guard guard(lock);
        std::vector<Event> out;
        out.swap(events);
        return out;
    }
};

State& state();

// Creates the three drivers (NtioCreateDriver) and the Enum\Root\PNPTEST\0000 key; Unload lets
// them go (after the device was removed).
class Drivers {
public:
    explicit Drivers(bool with_filters = true);
    ~Drivers();
    // Drops the test's references and leaves the drivers loaded, for the system shutdown to unload.
    void leave_loaded();
    Drivers(const Drivers&) = delete;
    Drivers& operator=(const Drivers&) = delete;

private:
    std::vector<PDRIVER_OBJECT> m_drivers;
};

// The test fixture: a fresh System and a fresh driver state per test.
class PnpTest : public ntio::test::SystemTest {
protected:
    void SetUp() override;
};

UNICODE_STRING instance_name();
NTSTATUS open_interface(HANDLE* handle);
// Waits (bounded, as a failure guard only) for fn's REMOVE_DEVICE.
bool wait_removed();
// Waits (bounded, as a failure guard only) until fn has vetoed `count` QUERY_REMOVEs.
bool wait_vetoed_query_removes(int count);
// Waits (bounded, as a failure guard only) for fn to answer IRP_MN_QUERY_PNP_DEVICE_STATE.
bool wait_state_queried();

}  // namespace ntio::pnp_test

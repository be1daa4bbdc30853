// Plug and Play of root-enumerated devices through the public surface: the start sequence the drivers
// observe, device interface links following the device state (opened and read with NtOpenFile /
// NtReadFile), orderly and surprise removal with the NT rules for open handles, failed starts, device
// properties and bad input.
#include <cstring>

#include "pnp_test_drivers.hpp"

#include "support/bugcheck_catcher.hpp"

namespace ntio::pnp_test {
namespace {

using Sequence = std::vector<std::pair<std::string, UCHAR>>;

// The (who, minor) of the events of one major function, in order.
Sequence of_major(const std::vector<Event>& events, UCHAR major) {
    Sequence out;
    for (const Event& e : events)
        if (e.major == major) out.emplace_back(e.who, e.minor);
    return out;
}

NTSTATUS remove(BOOLEAN surprise, PNP_VETO_TYPE* veto = nullptr) {
    UNICODE_STRING name = instance_name();
    return NtioPnpRemoveDevice(&name, surprise, veto);
}

NTIO_PNP_DEVICE_STATE query(NTSTATUS* problem = nullptr) {
    UNICODE_STRING name = instance_name();
    NTIO_PNP_DEVICE_STATE s = NtioPnpDeviceNotFound;
    EXPECT_EQ(NtioPnpQueryDevice(&name, &s, problem), STATUS_SUCCESS);
    return s;
}

NTSTATUS read_some(HANDLE h, char* buffer, ULONG length, ULONG_PTR* got) {
    IO_STATUS_BLOCK iosb{};
    NTSTATUS status = NtReadFile(h, nullptr, nullptr, nullptr, &iosb, buffer, length, nullptr, nullptr);
    *got = iosb.Information;
    return status;
}

TEST_F(PnpTest, AddDeviceRunsLowerFunctionUpperThenStartGoesDownWithNotSupported) {
    Drivers drivers;
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    EXPECT_EQ(query(), NtioPnpDeviceStarted);
    std::vector<Event> events = state().take();
    EXPECT_EQ(of_major(events, kAddDevice), (Sequence{{"lower", 0}, {"fn", 0}, {"upper", 0}}));
    // The start goes to the top of the stack and down; each driver sees the status the PnP manager
    // initialised (STATUS_NOT_SUPPORTED) on the way down.
    Sequence pnp = of_major(events, IRP_MJ_PNP);
    ASSERT_GE(pnp.size(), 3u);
    EXPECT_EQ(Sequence(pnp.begin(), pnp.begin() + 3),
              (Sequence{{"upper", IRP_MN_START_DEVICE}, {"fn", IRP_MN_START_DEVICE}, {"lower", IRP_MN_START_DEVICE}}));
    for (const Event& e : events) {
        if (e.major == IRP_MJ_PNP && e.minor == IRP_MN_START_DEVICE) {
            EXPECT_EQ(e.status_on_entry, STATUS_NOT_SUPPORTED);
        }
    }
    // Then the capabilities again, from the whole stack.
    EXPECT_EQ(Sequence(pnp.begin() + 3, pnp.end()),
              (Sequence{{"upper", IRP_MN_QUERY_CAPABILITIES}, {"fn", IRP_MN_QUERY_CAPABILITIES},
                        {"lower", IRP_MN_QUERY_CAPABILITIES}}));
    // Then S0 and D0, each top down.
    Sequence power = of_major(events, IRP_MJ_POWER);
    EXPECT_EQ(power, (Sequence{{"upper", IRP_MN_SET_POWER}, {"fn", IRP_MN_SET_POWER}, {"lower", IRP_MN_SET_POWER},
                               {"upper", IRP_MN_SET_POWER}, {"fn", IRP_MN_SET_POWER}, {"lower", IRP_MN_SET_POWER}}));
    // A second enumeration finds nothing new.
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    EXPECT_TRUE(of_major(state().take(), kAddDevice).empty());
    ASSERT_EQ(remove(FALSE), STATUS_SUCCESS);
}

// The power IRPs of a start as the drivers see them: a system set-power S0 then the device set-power
// the capabilities map S0 to (D0), each sent to the top of the stack and passed down with
// PoCallDriver, arriving with STATUS_NOT_SUPPORTED; no query-power before either.
TEST_F(PnpTest, StartSendsSystemS0ThenDeviceD0DownTheStackWithoutQueryPower) {
    Drivers drivers;
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    std::vector<Event> power;
    for (const Event& e : state().take())
        if (e.major == IRP_MJ_POWER) power.push_back(e);
    ASSERT_EQ(power.size(), 6u);
    const char* order[] = {"upper", "fn", "lower"};
    for (std::size_t i = 0; i < 6; ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(power[i].who, order[i % 3]);
        EXPECT_EQ(power[i].minor, IRP_MN_SET_POWER);
        EXPECT_EQ(power[i].status_on_entry, STATUS_NOT_SUPPORTED);
        if (i < 3) {
            EXPECT_EQ(power[i].power_type, ULONG{SystemPowerState});
            EXPECT_EQ(power[i].power_state, ULONG{PowerSystemWorking});
            EXPECT_EQ(power[i].shutdown_type, ULONG{PowerActionNone});
        } else {
            EXPECT_EQ(power[i].power_type, ULONG{DevicePowerState});
            EXPECT_EQ(power[i].power_state, ULONG{PowerDeviceD0});
        }
    }
    ASSERT_EQ(remove(FALSE), STATUS_SUCCESS);
}

// The bus driver answers QUERY_CAPABILITIES alone before AddDevice (no driver of the stack sees it);
// after the start the whole stack gets it, initialised by the PnP manager (Size, Version 1, Address
// and UINumber -1) and filled by the bus on the way down, and what the function driver changes on the
// way up is what the PnP manager keeps: IoGetDeviceProperty reports it.
TEST_F(PnpTest, CapabilitiesChangedOnTheWayUpAreWhatThePnpManagerKeeps) {
    Drivers drivers(false);
    state().adjust_capabilities = true;
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    std::vector<DEVICE_CAPABILITIES> down, up;
    {
        std::lock_guard guard(state().lock);
        down = state().capabilities_down;
        up = state().capabilities_up;
    }
    ASSERT_EQ(down.size(), 1u);
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(down[0].Size, sizeof(DEVICE_CAPABILITIES));
    EXPECT_EQ(down[0].Version, 1);
    EXPECT_EQ(down[0].Address, 0xFFFFFFFFu);
    EXPECT_EQ(down[0].UINumber, 0xFFFFFFFFu);
    EXPECT_EQ(up[0].DeviceState[PowerSystemWorking], PowerDeviceD0);
    EXPECT_EQ(up[0].UINumber, 7u);
    // The events: START, then one QUERY_CAPABILITIES, then power.
    Sequence pnp = of_major(state().take(), IRP_MJ_PNP);
    EXPECT_EQ(pnp, (Sequence{{"fn", IRP_MN_START_DEVICE}, {"fn", IRP_MN_QUERY_CAPABILITIES}}));

    PDEVICE_OBJECT pdo = state().pdo;
    ULONG value = 0;
    ULONG length = 0;
    EXPECT_EQ(IoGetDeviceProperty(pdo, DevicePropertyUINumber, sizeof value, &value, &length), STATUS_SUCCESS);
    EXPECT_EQ(length, sizeof(ULONG));
    EXPECT_EQ(value, 7u);
    EXPECT_EQ(IoGetDeviceProperty(pdo, DevicePropertyRemovalPolicy, sizeof value, &value, &length), STATUS_SUCCESS);
    EXPECT_EQ(value, ULONG{RemovalPolicyExpectSurpriseRemoval});
    // A root device has no bus address: the bus left -1, which the property reports as is.
    EXPECT_EQ(IoGetDeviceProperty(pdo, DevicePropertyAddress, sizeof value, &value, &length), STATUS_SUCCESS);
    EXPECT_EQ(value, 0xFFFFFFFFu);
    EXPECT_EQ(IoGetDeviceProperty(pdo, DevicePropertyAddress, 2, &value, &length), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(length, sizeof(ULONG));
    EXPECT_EQ(remove(FALSE), STATUS_SUCCESS);
}

TEST_F(PnpTest, UnchangedRootCapabilitiesMeanNoRemovalExpectedAndNoUiNumber) {
    Drivers drivers(false);
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    PDEVICE_OBJECT pdo = state().pdo;
    ULONG value = 0;
    ULONG length = 0;
    EXPECT_EQ(IoGetDeviceProperty(pdo, DevicePropertyRemovalPolicy, sizeof value, &value, &length), STATUS_SUCCESS);
    EXPECT_EQ(value, ULONG{RemovalPolicyExpectNoRemoval});
    EXPECT_EQ(IoGetDeviceProperty(pdo, DevicePropertyUINumber, sizeof value, &value, &length),
              STATUS_OBJECT_NAME_NOT_FOUND);
    std::vector<DEVICE_CAPABILITIES> up;
    {
        std::lock_guard guard(state().lock);
        up = state().capabilities_up;
    }
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(up[0].Removable, 0u);
    EXPECT_EQ(up[0].SurpriseRemovalOK, 0u);
    for (int s = PowerSystemSleeping1; s < PowerSystemMaximum; ++s) EXPECT_EQ(up[0].DeviceState[s], PowerDeviceD3) << s;
    EXPECT_EQ(remove(FALSE), STATUS_SUCCESS);
}

// A device still started when the system shuts down gets S5 (PowerActionShutdown), then the device
// state its capabilities map S5 to (here D2, set by the function driver), then REMOVE_DEVICE.
class PnpShutdownTest : public PnpTest {
protected:
    void TearDown() override {
        state().take();
        m_check_leaks = false;  // the device is left for the shutdown on purpose
        PnpTest::TearDown();
        std::vector<Event> events = state().take();
        Sequence seq;
        for (const Event& e : events)
            if (e.major == IRP_MJ_PNP || e.major == IRP_MJ_POWER) seq.emplace_back(e.who, e.minor);
        EXPECT_EQ(seq, (Sequence{{"fn", IRP_MN_SET_POWER}, {"fn", IRP_MN_SET_POWER}, {"fn", IRP_MN_REMOVE_DEVICE}}));
        if (seq.size() >= 2) {
            EXPECT_EQ(events[0].power_type, ULONG{SystemPowerState});
            EXPECT_EQ(events[0].power_state, ULONG{PowerSystemShutdown});
            EXPECT_EQ(events[0].shutdown_type, ULONG{PowerActionShutdown});
            EXPECT_EQ(events[1].power_type, ULONG{DevicePowerState});
            EXPECT_EQ(events[1].power_state, ULONG{PowerDeviceD2});
        }
    }
};

TEST_F(PnpShutdownTest, ShutdownSendsS5ThenTheMappedDeviceStateThenRemove) {
    state().adjust_capabilities = true;
    Drivers drivers(false);
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    EXPECT_EQ(query(), NtioPnpDeviceStarted);
    drivers.leave_loaded();
}

TEST_F(PnpTest, InterfaceLinkOpensAndReadsWhileStartedAndGoesWithOrderlyRemoval) {
    Drivers drivers;
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open_interface(&h), STATUS_SUCCESS);
    char buffer[16] = {};
    ULONG_PTR got = 0;
    EXPECT_EQ(read_some(h, buffer, 8, &got), STATUS_SUCCESS);
    EXPECT_EQ(got, 8u);
    EXPECT_EQ(std::string(buffer, 8), std::string(8, 'P'));
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    state().take();

    PNP_VETO_TYPE veto = PNP_VetoDevice;
    ASSERT_EQ(remove(FALSE, &veto), STATUS_SUCCESS);
    EXPECT_EQ(veto, PNP_VetoTypeUnknown);
    std::vector<Event> events = state().take();
    // QUERY_REMOVE down the stack, D3, then REMOVE down the stack.
    Sequence seq;
    for (const Event& e : events)
        if (e.major == IRP_MJ_PNP || e.major == IRP_MJ_POWER) seq.emplace_back(e.who, e.minor);
    EXPECT_EQ(seq, (Sequence{{"upper", IRP_MN_QUERY_REMOVE_DEVICE}, {"fn", IRP_MN_QUERY_REMOVE_DEVICE},
                             {"lower", IRP_MN_QUERY_REMOVE_DEVICE}, {"upper", IRP_MN_SET_POWER},
                             {"fn", IRP_MN_SET_POWER}, {"lower", IRP_MN_SET_POWER},
                             {"upper", IRP_MN_REMOVE_DEVICE}, {"fn", IRP_MN_REMOVE_DEVICE},
                             {"lower", IRP_MN_REMOVE_DEVICE}}));
    for (const Event& e : events) {
        if (e.major == IRP_MJ_POWER) {
            EXPECT_EQ(e.power_state, ULONG{PowerDeviceD3});
        }
    }
    // The driver disabled its interface while handling REMOVE: it was still registered then.
    EXPECT_EQ(state().interface_disable_status.load(), STATUS_SUCCESS);
    EXPECT_EQ(query(), NtioPnpDeviceNotFound);
    EXPECT_EQ(open_interface(&h), STATUS_OBJECT_NAME_NOT_FOUND);
}

TEST_F(PnpTest, OrderlyRemovalIsVetoedWhileAHandleIsOpenAndSendsNoIrp) {
    Drivers drivers;
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open_interface(&h), STATUS_SUCCESS);
    state().take();
    PNP_VETO_TYPE veto = PNP_VetoTypeUnknown;
    EXPECT_EQ(remove(FALSE, &veto), STATUS_PLUGPLAY_QUERY_VETOED);
    EXPECT_EQ(veto, PNP_VetoOutstandingOpen);
    EXPECT_TRUE(of_major(state().take(), IRP_MJ_PNP).empty());
    EXPECT_EQ(query(), NtioPnpDeviceStarted);
    // The device keeps working.
    char buffer[4];
    ULONG_PTR got = 0;
    EXPECT_EQ(read_some(h, buffer, 4, &got), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(remove(FALSE), STATUS_SUCCESS);
}

TEST_F(PnpTest, FailedQueryRemoveIsFollowedByCancelRemoveAndTheDeviceStays) {
    Drivers drivers;
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    state().take();
    state().veto_query_remove = true;
    PNP_VETO_TYPE veto = PNP_VetoTypeUnknown;
    EXPECT_EQ(remove(FALSE, &veto), STATUS_PLUGPLAY_QUERY_VETOED);
    EXPECT_EQ(veto, PNP_VetoDevice);
    // fn failed the query: the lower filter never saw it; CANCEL_REMOVE goes to the whole stack.
    EXPECT_EQ(of_major(state().take(), IRP_MJ_PNP),
              (Sequence{{"upper", IRP_MN_QUERY_REMOVE_DEVICE}, {"fn", IRP_MN_QUERY_REMOVE_DEVICE},
                        {"upper", IRP_MN_CANCEL_REMOVE_DEVICE}, {"fn", IRP_MN_CANCEL_REMOVE_DEVICE},
                        {"lower", IRP_MN_CANCEL_REMOVE_DEVICE}}));
    EXPECT_EQ(query(), NtioPnpDeviceStarted);
    HANDLE h = nullptr;
    ASSERT_EQ(open_interface(&h), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    state().veto_query_remove = false;
    EXPECT_EQ(remove(FALSE), STATUS_SUCCESS);
}

TEST_F(PnpTest, SurpriseRemovalSendsRemoveOnlyAfterTheLastHandleCloses) {
    Drivers drivers;
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open_interface(&h), STATUS_SUCCESS);
    state().take();
    ASSERT_EQ(remove(TRUE), STATUS_SUCCESS);
    EXPECT_EQ(state().surprise_removals.load(), 1);
    EXPECT_EQ(state().removes.load(), 0);
    EXPECT_EQ(query(), NtioPnpDeviceRemovePending);
    // New opens fail; a second removal is refused.
    HANDLE other = nullptr;
    EXPECT_EQ(open_interface(&other), STATUS_OBJECT_NAME_NOT_FOUND);
    PNP_VETO_TYPE veto = PNP_VetoTypeUnknown;
    EXPECT_EQ(remove(FALSE, &veto), STATUS_DELETE_PENDING);
    EXPECT_EQ(veto, PNP_VetoAlreadyRemoved);
    EXPECT_EQ(state().removes.load(), 0);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    ASSERT_TRUE(wait_removed());
    EXPECT_EQ(state().removes.load(), 1);
    std::vector<Event> events = state().take();
    EXPECT_EQ(of_major(events, IRP_MJ_PNP),
              (Sequence{{"upper", IRP_MN_SURPRISE_REMOVAL}, {"fn", IRP_MN_SURPRISE_REMOVAL},
                        {"lower", IRP_MN_SURPRISE_REMOVAL}, {"upper", IRP_MN_REMOVE_DEVICE},
                        {"fn", IRP_MN_REMOVE_DEVICE}, {"lower", IRP_MN_REMOVE_DEVICE}}));
    // No power IRP for a device that is gone.
    EXPECT_TRUE(of_major(events, IRP_MJ_POWER).empty());
}

TEST_F(PnpTest, SurpriseRemovalWithoutHandlesRemovesAtOnce) {
    Drivers drivers;
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    ASSERT_EQ(remove(TRUE), STATUS_SUCCESS);
    EXPECT_EQ(state().removes.load(), 1);
    EXPECT_EQ(query(), NtioPnpDeviceNotFound);
}

TEST_F(PnpTest, FailedStartRemovesTheStackAndLeavesTheDeviceFailed) {
    Drivers drivers;
    state().start_status = STATUS_UNSUCCESSFUL;
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    NTSTATUS problem = STATUS_SUCCESS;
    EXPECT_EQ(query(&problem), NtioPnpDeviceFailed);
    EXPECT_EQ(problem, STATUS_UNSUCCESSFUL);
    std::vector<Event> events = state().take();
    Sequence pnp = of_major(events, IRP_MJ_PNP);
    ASSERT_EQ(pnp.size(), 6u);  // START and REMOVE: no QUERY_CAPABILITIES after a failed start
    EXPECT_EQ(Sequence(pnp.begin() + 3, pnp.end()),
              (Sequence{{"upper", IRP_MN_REMOVE_DEVICE}, {"fn", IRP_MN_REMOVE_DEVICE}, {"lower", IRP_MN_REMOVE_DEVICE}}));
    EXPECT_TRUE(of_major(events, IRP_MJ_POWER).empty());
    HANDLE h = nullptr;
    EXPECT_EQ(open_interface(&h), STATUS_OBJECT_NAME_NOT_FOUND);
    // The failed device goes without IRPs.
    EXPECT_EQ(remove(FALSE), STATUS_SUCCESS);
    EXPECT_TRUE(state().take().empty());
    EXPECT_EQ(query(), NtioPnpDeviceNotFound);
}

TEST_F(PnpTest, FailedAddDeviceRemovesTheFiltersAlreadyAdded) {
    Drivers drivers;
    state().add_device_status = STATUS_INSUFFICIENT_RESOURCES;
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    NTSTATUS problem = STATUS_SUCCESS;
    EXPECT_EQ(query(&problem), NtioPnpDeviceFailed);
    EXPECT_EQ(problem, STATUS_INSUFFICIENT_RESOURCES);
    std::vector<Event> events = state().take();
    EXPECT_EQ(of_major(events, kAddDevice), (Sequence{{"lower", 0}, {"fn", 0}}));
    EXPECT_EQ(of_major(events, IRP_MJ_PNP), (Sequence{{"lower", IRP_MN_REMOVE_DEVICE}}));
    EXPECT_EQ(remove(FALSE), STATUS_SUCCESS);
}

TEST_F(PnpTest, AStackLeftInitializingIsNotStarted) {
    Drivers drivers(false);
    state().leave_initializing = true;
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    NTSTATUS problem = STATUS_SUCCESS;
    EXPECT_EQ(query(&problem), NtioPnpDeviceFailed);
    EXPECT_EQ(problem, STATUS_DEVICE_NOT_READY);
    EXPECT_EQ(of_major(state().take(), IRP_MJ_PNP), (Sequence{{"fn", IRP_MN_REMOVE_DEVICE}}));
    EXPECT_EQ(remove(FALSE), STATUS_SUCCESS);
}

TEST_F(PnpTest, DevicePropertiesOfTheRootPdo) {
    Drivers drivers(false);
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    PDEVICE_OBJECT pdo = state().pdo;
    ASSERT_NE(pdo, nullptr);
    WCHAR text[64] = {};
    ULONG length = 0;
    EXPECT_EQ(IoGetDeviceProperty(pdo, DevicePropertyDeviceDescription, sizeof text, text, &length), STATUS_SUCCESS);
    EXPECT_EQ(length, sizeof(L"ntio PnP test device"));
    EXPECT_EQ(std::memcmp(text, L"ntio PnP test device", length), 0);
    EXPECT_EQ(IoGetDeviceProperty(pdo, DevicePropertyDeviceDescription, 4, text, &length), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(length, sizeof(L"ntio PnP test device"));
    EXPECT_EQ(IoGetDeviceProperty(pdo, DevicePropertyHardwareID, sizeof text, text, &length), STATUS_SUCCESS);
    EXPECT_EQ(length, sizeof(L"ROOT\\PNPTEST\0PNPTEST\0"));
    EXPECT_EQ(IoGetDeviceProperty(pdo, DevicePropertyEnumeratorName, sizeof text, text, &length), STATUS_SUCCESS);
    EXPECT_EQ(std::memcmp(text, L"ROOT", 10), 0);
    EXPECT_EQ(IoGetDeviceProperty(pdo, DevicePropertyPhysicalDeviceObjectName, sizeof text, text, &length),
              STATUS_SUCCESS);
    EXPECT_EQ(std::memcmp(text, L"\\Device\\", 16), 0);
    EXPECT_EQ(IoGetDeviceProperty(pdo, DevicePropertyClassName, sizeof text, text, &length),
              STATUS_OBJECT_NAME_NOT_FOUND);
    // Its FDO is not a PDO: bug check PNP_DETECTED_FATAL_ERROR 0x2 (invalid PDO).
    PDEVICE_OBJECT fdo = IoGetAttachedDeviceReference(pdo);
    auto bugcheck = ntio::test::catch_bugcheck(
        [&] { (void)IoGetDeviceProperty(fdo, DevicePropertyDeviceDescription, sizeof text, text, &length); });
    ASSERT_TRUE(bugcheck.has_value());
    EXPECT_EQ(bugcheck->code, ULONG{PNP_DETECTED_FATAL_ERROR});
    EXPECT_EQ(bugcheck->p1, 0x2u);
    EXPECT_EQ(bugcheck->p2, reinterpret_cast<ULONG_PTR>(fdo));
    ObDereferenceObject(fdo);
    EXPECT_EQ(remove(FALSE), STATUS_SUCCESS);
}

TEST_F(PnpTest, BadInputGetsNtStatuses) {
    UNICODE_STRING unknown;
    RtlInitUnicodeString(&unknown, L"ROOT\\NOSUCH\\0000");
    EXPECT_EQ(NtioPnpRemoveDevice(&unknown, FALSE, nullptr), STATUS_NO_SUCH_DEVICE);
    EXPECT_EQ(NtioPnpRemoveDevice(nullptr, FALSE, nullptr), STATUS_INVALID_PARAMETER);
    UNICODE_STRING odd{3, 4, const_cast<PWCH>(L"ab")};
    EXPECT_EQ(NtioPnpRemoveDevice(&odd, TRUE, nullptr), STATUS_OBJECT_NAME_INVALID);
    NTIO_PNP_DEVICE_STATE s = NtioPnpDeviceStarted;
    EXPECT_EQ(NtioPnpQueryDevice(&unknown, &s, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(s, NtioPnpDeviceNotFound);
    EXPECT_EQ(NtioPnpQueryDevice(&unknown, nullptr, nullptr), STATUS_INVALID_PARAMETER);
    // No Enum\Root devices: nothing to do.
    EXPECT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    POWER_STATE power;
    power.DeviceState = PowerDeviceD0;
    EXPECT_EQ(PoRequestPowerIrp(nullptr, IRP_MN_SET_POWER, power, nullptr, nullptr, nullptr), STATUS_INVALID_PARAMETER_1);
}

TEST_F(PnpTest, PoRequestPowerIrpRejectsBadMinorAndStateAndPoSetPowerStateReturnsThePrevious) {
    Drivers drivers(false);
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    PDEVICE_OBJECT pdo = state().pdo;
    POWER_STATE power;
    power.DeviceState = PowerDeviceD0;
    PIRP irp = reinterpret_cast<PIRP>(1);
    EXPECT_EQ(PoRequestPowerIrp(pdo, IRP_MN_POWER_SEQUENCE, power, nullptr, nullptr, &irp), STATUS_INVALID_PARAMETER_2);
    EXPECT_EQ(irp, nullptr);
    power.DeviceState = PowerDeviceMaximum;
    EXPECT_EQ(PoRequestPowerIrp(pdo, IRP_MN_SET_POWER, power, nullptr, nullptr, nullptr), STATUS_INVALID_PARAMETER_3);
    // The root bus recorded D0 for the PDO when the start's D0 IRP reached it.
    power.DeviceState = PowerDeviceD2;
    EXPECT_EQ(PoSetPowerState(pdo, DevicePowerState, power).DeviceState, PowerDeviceD0);
    power.DeviceState = PowerDeviceD0;
    EXPECT_EQ(PoSetPowerState(pdo, DevicePowerState, power).DeviceState, PowerDeviceD2);
    EXPECT_EQ(remove(FALSE), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::pnp_test

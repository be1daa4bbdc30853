// IoInvalidateDeviceState and IoRequestDeviceEject through a WDM function driver: the PnP manager asks
// the stack for its PNP_DEVICE_STATE and surprise-removes a failed or vanished device, removes a
// disabled one in order, leaves a healthy one alone; an eject is the orderly removal (callbacks,
// QUERY_REMOVE, D3, REMOVE) followed by IRP_MN_EJECT to the bus driver only, and a vetoed query-remove
// leaves the device started.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-query-pnp-device-state
// https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-eject
#include <string>
#include <utility>
#include <vector>

#include "pnp_test_drivers.hpp"

#include "support/bugcheck_catcher.hpp"

namespace ntio::pnp_test {
namespace {

// fn's PnP minors and its D-state set-powers (Dn as 0xD0 + n), in order.
std::vector<UCHAR> fn_sequence(const std::vector<Event>& events) {
    std::vector<UCHAR> out;
    for (const Event& e : events) {
        if (e.who != "fn") continue;
        if (e.major == IRP_MJ_PNP) out.push_back(e.minor);
        if (e.major == IRP_MJ_POWER && e.minor == IRP_MN_SET_POWER && e.power_type == DevicePowerState)
            out.push_back(static_cast<UCHAR>(0xD0 + e.power_state - PowerDeviceD0));
    }
    return out;
}

// Waits for whatever PnP action runs now: the PnP manager runs one at a time, so a removal request
// returns only after it. The device is gone by then: STATUS_NO_SUCH_DEVICE.
NTSTATUS ds_remove_after_pending_action() {
    UNICODE_STRING name = instance_name();
    return NtioPnpRemoveDevice(&name, FALSE, nullptr);
}

NTIO_PNP_DEVICE_STATE ds_query() {
    UNICODE_STRING name = instance_name();
    NTIO_PNP_DEVICE_STATE s = NtioPnpDeviceNotFound;
    EXPECT_EQ(NtioPnpQueryDevice(&name, &s, nullptr), STATUS_SUCCESS);
    return s;
}

PDEVICE_OBJECT started_pdo() {
    EXPECT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    EXPECT_EQ(ds_query(), NtioPnpDeviceStarted);
    return state().pdo;
}

TEST_F(PnpTest, InvalidatedStateWithNothingToReportLeavesTheDeviceStarted) {
    Drivers drivers(false);
    PDEVICE_OBJECT pdo = started_pdo();
    ASSERT_NE(pdo, nullptr);
    state().take();
    IoInvalidateDeviceState(pdo);
    ASSERT_TRUE(wait_state_queried());
    // The orderly removal waits for the state query to finish: nothing came between them.
    EXPECT_EQ(ds_remove_after_pending_action(), STATUS_SUCCESS);
    EXPECT_EQ(fn_sequence(state().take()), (std::vector<UCHAR>{IRP_MN_QUERY_PNP_DEVICE_STATE, IRP_MN_QUERY_REMOVE_DEVICE,
                                                               0xD3, IRP_MN_REMOVE_DEVICE}));
    EXPECT_EQ(state().surprise_removals.load(), 0);
}

TEST_F(PnpTest, AFailedDeviceIsSurpriseRemoved) {
    Drivers drivers(false);
    PDEVICE_OBJECT pdo = started_pdo();
    ASSERT_NE(pdo, nullptr);
    state().take();
    state().pnp_device_state = PNP_DEVICE_FAILED;
    IoInvalidateDeviceState(pdo);
    ASSERT_TRUE(wait_removed());
    EXPECT_EQ(ds_remove_after_pending_action(), STATUS_NO_SUCH_DEVICE);
    EXPECT_EQ(fn_sequence(state().take()),
              (std::vector<UCHAR>{IRP_MN_QUERY_PNP_DEVICE_STATE, IRP_MN_SURPRISE_REMOVAL, IRP_MN_REMOVE_DEVICE}));
    EXPECT_EQ(state().surprise_removals.load(), 1);
    EXPECT_EQ(ds_query(), NtioPnpDeviceNotFound);
}

TEST_F(PnpTest, AVanishedDeviceWithAnOpenHandleIsRemovedAfterTheLastClose) {
    Drivers drivers(false);
    PDEVICE_OBJECT pdo = started_pdo();
    ASSERT_NE(pdo, nullptr);
    HANDLE h = nullptr;
    ASSERT_EQ(open_interface(&h), STATUS_SUCCESS);
    state().take();
    state().pnp_device_state = PNP_DEVICE_REMOVED;
    IoInvalidateDeviceState(pdo);
    ASSERT_TRUE(wait_state_queried());
    // The surprise removal ran with the action; REMOVE waits for the handle.
    EXPECT_EQ(ds_remove_after_pending_action(), STATUS_DELETE_PENDING);
    EXPECT_EQ(state().surprise_removals.load(), 1);
    EXPECT_EQ(state().removes.load(), 0);
    EXPECT_EQ(ds_query(), NtioPnpDeviceRemovePending);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    ASSERT_TRUE(wait_removed());
    EXPECT_EQ(state().removes.load(), 1);
}

TEST_F(PnpTest, ADeviceDisabledInHardwareIsRemovedInOrder) {
    Drivers drivers(false);
    PDEVICE_OBJECT pdo = started_pdo();
    ASSERT_NE(pdo, nullptr);
    state().take();
    state().pnp_device_state = PNP_DEVICE_DISABLED | PNP_DEVICE_DONT_DISPLAY_IN_UI;
    IoInvalidateDeviceState(pdo);
    ASSERT_TRUE(wait_removed());
    EXPECT_EQ(ds_remove_after_pending_action(), STATUS_NO_SUCH_DEVICE);
    EXPECT_EQ(fn_sequence(state().take()), (std::vector<UCHAR>{IRP_MN_QUERY_PNP_DEVICE_STATE, IRP_MN_QUERY_REMOVE_DEVICE,
                                                               0xD3, IRP_MN_REMOVE_DEVICE}));
    EXPECT_EQ(state().surprise_removals.load(), 0);
}

TEST_F(PnpTest, EjectRemovesTheDeviceInOrderAndTheFunctionDriverNeverSeesEject) {
    Drivers drivers;  // with the filters: none of them sees IRP_MN_EJECT either
    PDEVICE_OBJECT pdo = started_pdo();
    ASSERT_NE(pdo, nullptr);
    state().take();
    IoRequestDeviceEject(pdo);
    ASSERT_TRUE(wait_removed());
    EXPECT_EQ(ds_remove_after_pending_action(), STATUS_NO_SUCH_DEVICE);
    const std::vector<Event> events = state().take();
    EXPECT_EQ(fn_sequence(events), (std::vector<UCHAR>{IRP_MN_QUERY_REMOVE_DEVICE, 0xD3, IRP_MN_REMOVE_DEVICE}));
    for (const Event& e : events) EXPECT_FALSE(e.major == IRP_MJ_PNP && e.minor == IRP_MN_EJECT) << e.who;
}

TEST_F(PnpTest, AVetoedEjectLeavesTheDeviceStarted) {
    Drivers drivers(false);
    PDEVICE_OBJECT pdo = started_pdo();
    ASSERT_NE(pdo, nullptr);
    state().take();
    state().veto_query_remove = true;
    IoRequestDeviceEject(pdo);
    // Vetoed as well, after (or before) the eject's attempt: either way two vetoed queries, the
    // eject's perhaps still on its way when this removal returns.
    EXPECT_EQ(ds_remove_after_pending_action(), STATUS_PLUGPLAY_QUERY_VETOED);
    ASSERT_TRUE(wait_vetoed_query_removes(2));
    state().veto_query_remove = false;
    EXPECT_EQ(ds_query(), NtioPnpDeviceStarted);
    EXPECT_EQ(state().removes.load(), 0);
    UNICODE_STRING name = instance_name();
    PNP_VETO_TYPE veto = PNP_VetoTypeUnknown;
    EXPECT_EQ(NtioPnpRemoveDevice(&name, FALSE, &veto), STATUS_SUCCESS);
    ASSERT_TRUE(wait_removed());
}

TEST_F(PnpTest, DeviceStateAndEjectOnANonPdoBugCheck) {
    Drivers drivers(false);
    PDEVICE_OBJECT pdo = started_pdo();
    ASSERT_NE(pdo, nullptr);
    PDEVICE_OBJECT fdo = IoGetAttachedDeviceReference(pdo);
    auto invalidate = ntio::test::catch_bugcheck([&] { IoInvalidateDeviceState(fdo); });
    ASSERT_TRUE(invalidate.has_value());
    EXPECT_EQ(invalidate->code, ULONG{PNP_DETECTED_FATAL_ERROR});
    EXPECT_EQ(invalidate->p1, 0x2u);
    EXPECT_EQ(invalidate->p2, reinterpret_cast<ULONG_PTR>(fdo));
    auto eject = ntio::test::catch_bugcheck([&] { IoRequestDeviceEject(nullptr); });
    ASSERT_TRUE(eject.has_value());
    EXPECT_EQ(eject->p1, 0x2u);
    ObDereferenceObject(fdo);
    EXPECT_EQ(ds_remove_after_pending_action(), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::pnp_test

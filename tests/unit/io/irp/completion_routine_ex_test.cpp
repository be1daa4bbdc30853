// IoSetCompletionRoutineEx: the context it allocates (and the device reference it holds) is released
// whenever the IRP's completion passes the location, whether or not the driver's Invoke* choices let
// its routine run, and an unwanted outcome still carries the pending bit up like a level without a
// routine (NT fact B6). The fixture's leak check catches a device reference left behind.
#include "ex/pool.hpp"
#include "unit/io/devices/devices_test_support.hpp"

namespace ntio::io::test::completion_ex {
namespace {

constexpr ULONG kCompletionExTag = 'xEoI';  // the tag IoSetCompletionRoutineEx allocates with

struct Seen {
    NTSTATUS lower_status = STATUS_SUCCESS;
    bool lower_pends = false;
    PIRP parked = nullptr;
    int routine_calls = 0;
    PVOID routine_context = nullptr;
    int origin_calls = 0;
    BOOLEAN origin_pending_returned = FALSE;
};
Seen g;

NTSTATUS NTAPI lower_dispatch(PDEVICE_OBJECT, PIRP irp) {
    if (g.lower_pends) {
        IoMarkIrpPending(irp);
        g.parked = irp;
        return STATUS_PENDING;
    }
    irp->IoStatus.Status = g.lower_status;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return g.lower_status;
}

NTSTATUS NTAPI lower_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    driver->DriverUnload = delete_all_devices_unload;
    driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = lower_dispatch;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI driver_routine(PDEVICE_OBJECT, PIRP irp, PVOID context) {
    ++g.routine_calls;
    g.routine_context = context;
    if (irp->PendingReturned) IoMarkIrpPending(irp);
    return STATUS_CONTINUE_COMPLETION;
}

// The originator's routine keeps the IRP so the test frees it.
NTSTATUS NTAPI origin_routine(PDEVICE_OBJECT, PIRP irp, PVOID) {
    ++g.origin_calls;
    g.origin_pending_returned = irp->PendingReturned;
    return STATUS_MORE_PROCESSING_REQUIRED;
}

class CompletionRoutineExTest : public DevicesTest {
protected:
    void SetUp() override {
        DevicesTest::SetUp();
        g = Seen{};
        m_lower_driver = load(u"CrExLower", lower_entry);
        m_upper_driver = load(u"CrExUpper");
        m_lower = create(m_lower_driver);
        m_upper = create(m_upper_driver);
        ASSERT_TRUE(m_lower && m_upper);
        m_outstanding_before = ex::pool_usage(kCompletionExTag).blocks_outstanding();
    }
    void TearDown() override {
        unload(m_upper_driver);
        unload(m_lower_driver);
        DevicesTest::TearDown();
    }
    // An IRP as the upper device's driver holds it: its own location current, the originator's
    // routine above it, IoSetCompletionRoutineEx on the location for the lower device.
    PIRP irp_with_routine_ex(BOOLEAN on_success, BOOLEAN on_error, BOOLEAN on_cancel) {
        PIRP irp = IoAllocateIrp(2, FALSE);
        EXPECT_NE(irp, nullptr);
        IoSetCompletionRoutine(irp, origin_routine, nullptr, TRUE, TRUE, TRUE);
        IoSetNextIrpStackLocation(irp);
        IoGetCurrentIrpStackLocation(irp)->DeviceObject = m_upper;
        IoGetCurrentIrpStackLocation(irp)->MajorFunction = IRP_MJ_DEVICE_CONTROL;
        IoCopyCurrentIrpStackLocationToNext(irp);
        EXPECT_EQ(IoSetCompletionRoutineEx(m_upper, irp, driver_routine, &g, on_success, on_error, on_cancel),
                  STATUS_SUCCESS);
        EXPECT_EQ(ex::pool_usage(kCompletionExTag).blocks_outstanding(), m_outstanding_before + 1);
        return irp;
    }
    std::uint64_t outstanding_now() const {
        return ex::pool_usage(kCompletionExTag).blocks_outstanding() - m_outstanding_before;
    }

    PDRIVER_OBJECT m_lower_driver = nullptr;
    PDRIVER_OBJECT m_upper_driver = nullptr;
    PDEVICE_OBJECT m_lower = nullptr;
    PDEVICE_OBJECT m_upper = nullptr;
    std::uint64_t m_outstanding_before = 0;
};

TEST_F(CompletionRoutineExTest, ContextIsFreedAfterTheRoutineRuns) {
    PIRP irp = irp_with_routine_ex(TRUE, TRUE, TRUE);
    EXPECT_EQ(IoCallDriver(m_lower, irp), STATUS_SUCCESS);
    EXPECT_EQ(g.routine_calls, 1);
    EXPECT_EQ(g.routine_context, &g);
    EXPECT_EQ(g.origin_calls, 1);
    EXPECT_EQ(outstanding_now(), 0u);
    IoFreeIrp(irp);
}

TEST_F(CompletionRoutineExTest, ContextIsFreedWhenTheOutcomeIsNotOneTheDriverAskedFor) {
    // Success only, completed with an error: the driver's routine does not run, its context goes.
    PIRP irp = irp_with_routine_ex(TRUE, FALSE, FALSE);
    g.lower_status = STATUS_UNSUCCESSFUL;
    EXPECT_EQ(IoCallDriver(m_lower, irp), STATUS_UNSUCCESSFUL);
    EXPECT_EQ(g.routine_calls, 0);
    EXPECT_EQ(g.origin_calls, 1);
    EXPECT_EQ(outstanding_now(), 0u);
    IoFreeIrp(irp);

    // Error only, completed with success.
    irp = irp_with_routine_ex(FALSE, TRUE, FALSE);
    g.lower_status = STATUS_SUCCESS;
    EXPECT_EQ(IoCallDriver(m_lower, irp), STATUS_SUCCESS);
    EXPECT_EQ(g.routine_calls, 0);
    EXPECT_EQ(outstanding_now(), 0u);
    IoFreeIrp(irp);
}

TEST_F(CompletionRoutineExTest, AnUnwantedOutcomeStillCarriesThePendingBitUp) {
    // NT fact B6: a level whose routine does not run passes the lower level's pending bit on.
    PIRP irp = irp_with_routine_ex(FALSE, FALSE, FALSE);
    g.lower_pends = true;
    EXPECT_EQ(IoCallDriver(m_lower, irp), STATUS_PENDING);
    EXPECT_EQ(outstanding_now(), 1u);  // held until the IRP completes
    g.parked->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(g.parked, IO_NO_INCREMENT);
    EXPECT_EQ(g.routine_calls, 0);
    EXPECT_EQ(g.origin_calls, 1);
    EXPECT_TRUE(g.origin_pending_returned);
    EXPECT_EQ(outstanding_now(), 0u);
    IoFreeIrp(irp);
}

}  // namespace
}  // namespace ntio::io::test::completion_ex

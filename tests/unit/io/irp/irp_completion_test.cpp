// IoCallDriver and IoCompleteRequest mechanics through a two-level stack of hand-made devices:
// locations and devices seen by dispatch and completion routines, Control clearing, the pending bit
// per level, STATUS_MORE_PROCESSING_REQUIRED, associated IRPs and the completion bugchecks
// (NT facts A4, A9, A10, B1-B8, C3).
#include "unit/io/irp/irp_test_support.hpp"

#include <ntio/ntio.h>

namespace ntio::io::test {
namespace {

// What the routines saw; reset by each test.
struct Trace {
    PDEVICE_OBJECT lower = nullptr;
    PDEVICE_OBJECT upper = nullptr;
    bool lower_pends = false;
    NTSTATUS lower_status = STATUS_SUCCESS;
    PIRP parked = nullptr;
    // dispatch
    CHAR lower_location = 0;
    PDEVICE_OBJECT lower_sp_device = nullptr;
    UCHAR lower_sees_own_control = 0xFF;
    UCHAR upper_sees_own_control = 0xFF;
    // completion routines
    int upper_calls = 0;
    PDEVICE_OBJECT upper_device_arg = nullptr;
    CHAR upper_location = 0;
    BOOLEAN upper_pending_returned = FALSE;
    UCHAR upper_lower_control = 0xFF;
    bool upper_marks_pending = true;
    int origin_calls = 0;
    PDEVICE_OBJECT origin_device_arg = reinterpret_cast<PDEVICE_OBJECT>(1);
    CHAR origin_location = 0;
    BOOLEAN origin_pending_returned = FALSE;
    bool origin_all_control_zero = false;
    NTSTATUS origin_returns = STATUS_MORE_PROCESSING_REQUIRED;
};
Trace g;

NTSTATUS NTAPI lower_dispatch(PDEVICE_OBJECT device, PIRP irp) {
    g.lower_location = irp->CurrentLocation;
    g.lower_sp_device = IoGetCurrentIrpStackLocation(irp)->DeviceObject;
    g.lower_sees_own_control = IoGetCurrentIrpStackLocation(irp)->Control;
    (void)device;
    if (g.lower_pends) {
        IoMarkIrpPending(irp);
        g.parked = irp;
        return STATUS_PENDING;
    }
    irp->IoStatus.Status = g.lower_status;
    irp->IoStatus.Information = 7;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return g.lower_status;
}

NTSTATUS NTAPI upper_completion(PDEVICE_OBJECT device, PIRP irp, PVOID) {
    ++g.upper_calls;
    g.upper_device_arg = device;
    g.upper_location = irp->CurrentLocation;
    g.upper_pending_returned = irp->PendingReturned;
    g.upper_lower_control = (IoGetCurrentIrpStackLocation(irp) - 1)->Control;
    if (irp->PendingReturned && g.upper_marks_pending) IoMarkIrpPending(irp);
    return STATUS_CONTINUE_COMPLETION;
}

NTSTATUS NTAPI upper_dispatch(PDEVICE_OBJECT device, PIRP irp) {
    (void)device;
    g.upper_sees_own_control = IoGetCurrentIrpStackLocation(irp)->Control;
    IoCopyCurrentIrpStackLocationToNext(irp);
    IoSetCompletionRoutine(irp, upper_completion, nullptr, TRUE, TRUE, TRUE);
    return IoCallDriver(g.lower, irp);
}

NTSTATUS NTAPI origin_completion(PDEVICE_OBJECT device, PIRP irp, PVOID) {
    ++g.origin_calls;
    g.origin_device_arg = device;
    g.origin_location = irp->CurrentLocation;
    g.origin_pending_returned = irp->PendingReturned;
    bool zero = true;
    auto* base = reinterpret_cast<PIO_STACK_LOCATION>(irp + 1);
    for (int i = 0; i < irp->StackCount; ++i) zero &= base[i].Control == 0;
    g.origin_all_control_zero = zero;
    return g.origin_returns;
}

class IrpCompletionTest : public ntio::test::SystemTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        g = Trace{};
        g.lower = &m_lower.device;
        g.upper = &m_upper.device;
    }
    // An IRP for the two-level stack with the originator's routine in the first location.
    PIRP new_irp(bool invoke_all = true) {
        PIRP irp = IoAllocateIrp(2, FALSE);
        EXPECT_NE(irp, nullptr);
        IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_DEVICE_CONTROL;
        IoSetCompletionRoutine(irp, origin_completion, nullptr, invoke_all, invoke_all, invoke_all);
        return irp;
    }
    FakeDevice m_lower{lower_dispatch, 1};
    FakeDevice m_upper{upper_dispatch, 2};
};

TEST_F(IrpCompletionTest, CallDriverMovesDownAndStoresTheDevice) {
    // NT fact A9
    PIRP irp = new_irp();
    irp->IoStatus.Status = STATUS_SUCCESS;
    g.lower_pends = true;
    EXPECT_EQ(IoCallDriver(g.lower, irp), STATUS_PENDING);
    EXPECT_EQ(g.lower_location, 2);  // 3 -> 2 for a two-location IRP
    EXPECT_EQ(g.lower_sp_device, g.lower);
    irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    EXPECT_EQ(g.origin_calls, 1);
    IoFreeIrp(irp);
}

TEST_F(IrpCompletionTest, SynchronousTwoLevelCompletionRunsBothRoutinesBeforeReturn) {
    // NT facts B3, B4, B5, A10
    PIRP irp = new_irp();
    EXPECT_EQ(IoCallDriver(g.upper, irp), STATUS_SUCCESS);
    EXPECT_EQ(g.upper_sees_own_control, SL_INVOKE_ON_SUCCESS | SL_INVOKE_ON_ERROR | SL_INVOKE_ON_CANCEL);
    EXPECT_EQ(g.lower_sees_own_control, SL_INVOKE_ON_SUCCESS | SL_INVOKE_ON_ERROR | SL_INVOKE_ON_CANCEL);
    EXPECT_EQ(g.upper_calls, 1);
    EXPECT_EQ(g.upper_device_arg, g.upper);
    EXPECT_EQ(g.upper_location, 2);
    EXPECT_EQ(g.upper_lower_control, 0);
    EXPECT_EQ(g.origin_calls, 1);
    EXPECT_EQ(g.origin_device_arg, nullptr);
    EXPECT_EQ(g.origin_location, 3);
    EXPECT_TRUE(g.origin_all_control_zero);
    EXPECT_FALSE(g.origin_pending_returned);
    EXPECT_EQ(irp->IoStatus.Information, 7u);
    IoFreeIrp(irp);
}

TEST_F(IrpCompletionTest, LowerLevelSeesOnlyWhatTheUpperSet) {
    // NT fact A10: IoCopyCurrentIrpStackLocationToNext leaves routine and Control out.
    PIRP irp = IoAllocateIrp(2, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ;
    g.lower_pends = true;
    EXPECT_EQ(IoCallDriver(g.upper, irp), STATUS_PENDING);
    EXPECT_EQ(g.upper_sees_own_control, 0);
    EXPECT_EQ(g.lower_sees_own_control, SL_INVOKE_ON_SUCCESS | SL_INVOKE_ON_ERROR | SL_INVOKE_ON_CANCEL);
    // NT fact B7: nothing has run yet, location is the lowest, PendingReturned still FALSE.
    EXPECT_EQ(irp->CurrentLocation, 1);
    EXPECT_FALSE(irp->PendingReturned);
    EXPECT_EQ(g.upper_calls, 0);
    // Complete with MORE_PROCESSING at the top so the test keeps the IRP: set a routine there now.
    (IoGetCurrentIrpStackLocation(irp) + 1)->CompletionRoutine = origin_completion;
    (IoGetCurrentIrpStackLocation(irp) + 1)->Control = SL_INVOKE_ON_SUCCESS;
    irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(g.parked, IO_NO_INCREMENT);
    EXPECT_EQ(g.origin_calls, 1);
    IoFreeIrp(irp);
}

TEST_F(IrpCompletionTest, PendingReturnedIsRecomputedPerLevel) {
    // NT facts B1, B6: the lower pended -> the upper routine sees PendingReturned; the originator sees
    // it only when the upper routine marked the IRP pending.
    for (bool upper_marks : {true, false}) {
        g.upper_calls = g.origin_calls = 0;
        g.upper_marks_pending = upper_marks;
        g.lower_pends = true;
        PIRP irp = new_irp();
        irp->IoStatus.Status = 0x1234;
        EXPECT_EQ(IoCallDriver(g.upper, irp), STATUS_PENDING);
        EXPECT_EQ(irp->IoStatus.Status, 0x1234);  // B1: untouched until completion
        irp->IoStatus.Status = STATUS_SUCCESS;
        irp->IoStatus.Information = 123;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        EXPECT_EQ(g.upper_calls, 1);
        EXPECT_TRUE(g.upper_pending_returned);
        EXPECT_EQ(g.origin_pending_returned, upper_marks ? TRUE : FALSE);
        IoFreeIrp(irp);
    }
}

TEST_F(IrpCompletionTest, PendingBitPropagatesThroughALevelWithoutRoutine) {
    // The upper level forwards without a completion routine: the lower's pending bit is carried up
    // to the originator's location (NT fact B6, the propagation rule).
    m_upper.driver.MajorFunction[IRP_MJ_READ] = [](PDEVICE_OBJECT, PIRP i) -> NTSTATUS {
        IoCopyCurrentIrpStackLocationToNext(i);
        return IoCallDriver(g.lower, i);
    };
    PIRP irp = new_irp();
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ;
    g.lower_pends = true;
    EXPECT_EQ(IoCallDriver(g.upper, irp), STATUS_PENDING);
    irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    EXPECT_EQ(g.origin_calls, 1);
    EXPECT_TRUE(g.origin_pending_returned);
    IoFreeIrp(irp);
}

TEST_F(IrpCompletionTest, MoreProcessingRequiredKeepsTheIrpUsable) {
    // NT fact A4: a routine in the (manually decremented) current location returns MORE_PROCESSING.
    PIRP irp = IoAllocateIrp(1, FALSE);
    IoSetCompletionRoutine(irp, origin_completion, nullptr, TRUE, TRUE, TRUE);
    IoSetNextIrpStackLocation(irp);
    irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    EXPECT_EQ(g.origin_calls, 1);
    EXPECT_EQ(irp->CurrentLocation, 2);
    EXPECT_EQ(irp->Type, IO_TYPE_IRP);
    EXPECT_EQ(NtioIrpCount(), 1u);
    IoFreeIrp(irp);
}

TEST_F(IrpCompletionTest, DispatchMayPendCompleteAndReturnPending) {
    // NT fact B8
    m_lower.driver.MajorFunction[IRP_MJ_WRITE] = [](PDEVICE_OBJECT, PIRP irp) -> NTSTATUS {
        IoMarkIrpPending(irp);
        irp->IoStatus.Status = STATUS_SUCCESS;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        return STATUS_PENDING;
    };
    PIRP irp = new_irp();
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_WRITE;
    EXPECT_EQ(IoCallDriver(g.lower, irp), STATUS_PENDING);
    EXPECT_EQ(g.origin_calls, 1);
    EXPECT_TRUE(g.origin_pending_returned);
    IoFreeIrp(irp);
}

TEST_F(IrpCompletionTest, RoutinesRunForCancelThroughCancelOrErrorFlags) {
    // NT fact C3: (T,F,T) and (T,T,F) run for a cancelled IRP completed with STATUS_CANCELLED; (T,F,F)
    // does not.
    struct Case { BOOLEAN s, e, c; int calls; };
    for (Case k : {Case{TRUE, FALSE, TRUE, 1}, Case{TRUE, TRUE, FALSE, 1}, Case{TRUE, FALSE, FALSE, 0}}) {
        g.origin_calls = 0;
        PIRP irp = IoAllocateIrp(1, FALSE);
        IoSetCompletionRoutine(irp, origin_completion, nullptr, k.s, k.e, k.c);
        IoSetNextIrpStackLocation(irp);
        irp->Cancel = TRUE;
        irp->IoStatus.Status = STATUS_CANCELLED;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        EXPECT_EQ(g.origin_calls, k.calls);
        IoFreeIrp(irp);  // no routine kept it: a plain IoAllocateIrp IRP is left to its creator
    }
}

TEST_F(IrpCompletionTest, CallDriverPastTheLastLocationBugchecks35) {
    PIRP irp = IoAllocateIrp(1, FALSE);
    IoSetNextIrpStackLocation(irp);  // location 1: no room below
    auto bc = ntio::test::catch_bugcheck([&] { (void)IoCallDriver(g.lower, irp); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(NO_MORE_IRP_STACK_LOCATIONS));
    EXPECT_EQ(bc->p1, reinterpret_cast<ULONG_PTR>(irp));
    irp->CurrentLocation = 2;
    IoFreeIrp(irp);
}

TEST_F(IrpCompletionTest, DoubleCompleteBugchecks44) {
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    IO_STATUS_BLOCK iosb{};
    PIRP irp = IoBuildSynchronousFsdRequest(IRP_MJ_FLUSH_BUFFERS, g.lower, nullptr, 0, nullptr, &event, &iosb);
    ASSERT_NE(irp, nullptr);
    g.lower_status = STATUS_SUCCESS;
    EXPECT_EQ(IoCallDriver(g.lower, irp), STATUS_SUCCESS);  // completed and freed by the final stage
    auto bc = ntio::test::catch_bugcheck([&] { IoCompleteRequest(irp, IO_NO_INCREMENT); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(MULTIPLE_IRP_COMPLETE_REQUESTS));
    EXPECT_EQ(bc->p1, reinterpret_cast<ULONG_PTR>(irp));
    EXPECT_EQ(bc->p2, 2u);  // ntio's reserved P2: the IRP was already freed (its Type is gone)
    EXPECT_EQ(bc->p3, 0u);
    EXPECT_EQ(bc->p4, 0u);
}

// Bug check 0x44 (IRP, reserved...): an IRP walked past its originator's location, here by a
// skip at the top, counts as completed already.
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0x44--multiple-irp-complete-requests
TEST_F(IrpCompletionTest, CompletePastTheTopLocationBugchecks44) {
    PIRP irp = new_irp();
    ASSERT_EQ(irp->CurrentLocation, irp->StackCount + 1);  // the originator's location
    IoSkipCurrentIrpStackLocation(irp);
    irp->IoStatus.Status = STATUS_SUCCESS;
    auto bc = ntio::test::catch_bugcheck([&] { IoCompleteRequest(irp, IO_NO_INCREMENT); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(MULTIPLE_IRP_COMPLETE_REQUESTS));
    EXPECT_EQ(bc->p1, reinterpret_cast<ULONG_PTR>(irp));
    EXPECT_EQ(bc->p2, 3u);  // ntio's reserved P2: CurrentLocation past StackCount + 1
    EXPECT_EQ(bc->p3, 0u);
    EXPECT_EQ(bc->p4, 0u);
    EXPECT_EQ(g.origin_calls, 0);  // nothing ran
    IoSetNextIrpStackLocation(irp);
    IoFreeIrp(irp);
}

VOID NTAPI never_called_cancel(PDEVICE_OBJECT, PIRP) {}

TEST_F(IrpCompletionTest, CompleteWithCancelRoutineSetBugchecks48) {
    PIRP irp = IoAllocateIrp(1, FALSE);
    IoSetNextIrpStackLocation(irp);
    irp->IoStatus.Status = STATUS_SUCCESS;
    (void)IoSetCancelRoutine(irp, never_called_cancel);
    auto bc = ntio::test::catch_bugcheck([&] { IoCompleteRequest(irp, IO_NO_INCREMENT); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(CANCEL_STATE_IN_COMPLETED_IRP));
    EXPECT_EQ(bc->p1, reinterpret_cast<ULONG_PTR>(irp));
    (void)IoSetCancelRoutine(irp, nullptr);
    IoFreeIrp(irp);
}

TEST_F(IrpCompletionTest, CompleteWithStatusPendingBugchecks) {
    PIRP irp = IoAllocateIrp(1, FALSE);
    IoSetNextIrpStackLocation(irp);
    irp->IoStatus.Status = STATUS_PENDING;
    auto bc = ntio::test::catch_bugcheck([&] { IoCompleteRequest(irp, IO_NO_INCREMENT); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(DRIVER_VERIFIER_IOMANAGER_VIOLATION));
    EXPECT_EQ(bc->p1, 0x06u);
    EXPECT_EQ(bc->p3, reinterpret_cast<ULONG_PTR>(irp));
    IoFreeIrp(irp);
}

TEST_F(IrpCompletionTest, AssociatedIrpsCompleteTheMasterWhenTheLastOneCompletes) {
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    IO_STATUS_BLOCK iosb{};
    PIRP master = IoBuildSynchronousFsdRequest(IRP_MJ_FLUSH_BUFFERS, g.lower, nullptr, 0, nullptr, &event, &iosb);
    ASSERT_NE(master, nullptr);
    master->IoStatus.Status = STATUS_SUCCESS;
    master->IoStatus.Information = 42;
    PIRP a = IoMakeAssociatedIrp(master, 1);
    PIRP b = IoMakeAssociatedIrp(master, 1);
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    EXPECT_TRUE(a->Flags & IRP_ASSOCIATED_IRP);
    EXPECT_EQ(a->AssociatedIrp.MasterIrp, master);
    master->AssociatedIrp.IrpCount = 2;
    EXPECT_EQ(NtioIrpCount(), 3u);
    for (PIRP assoc : {a, b}) {
        IoGetNextIrpStackLocation(assoc)->MajorFunction = IRP_MJ_READ;
        g.lower_pends = true;
        EXPECT_EQ(IoCallDriver(g.lower, assoc), STATUS_PENDING);
    }
    a->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(a, IO_NO_INCREMENT);
    EXPECT_EQ(NtioIrpCount(), 2u);
    EXPECT_EQ(KeReadStateEvent(&event), 0);
    b->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(b, IO_NO_INCREMENT);
    EXPECT_EQ(NtioIrpCount(), 0u);
    EXPECT_NE(KeReadStateEvent(&event), 0);
    EXPECT_EQ(iosb.Information, 42u);
}

}  // namespace
}  // namespace ntio::io::test

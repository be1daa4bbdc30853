// IRP allocation: the header IoAllocateIrp / IoInitializeIrp / IoReuseIrp leave (NT facts A1-A3, A5),
// IRP accounting through NtioIrpCount, lookaside reuse, and the bugchecks for bad frees.
#include "unit/io/irp/irp_test_support.hpp"

#include <thread>

#include <ntio/ntio.h>

namespace ntio::io::test {
namespace {

using IrpAllocationTest = ntio::test::SystemTest;

TEST_F(IrpAllocationTest, AllocateOneLocationHasFixedSizeFlagAndLocationTwo) {
    // NT fact A1
    PIRP irp = IoAllocateIrp(1, FALSE);
    ASSERT_NE(irp, nullptr);
    EXPECT_EQ(irp->AllocationFlags, IRP_ALLOCATED_FIXED_SIZE);
    EXPECT_EQ(irp->CurrentLocation, 2);
    IoFreeIrp(irp);
}

TEST_F(IrpAllocationTest, AllocateTwoLocationsFillsTheHeader) {
    // NT fact A2
    PIRP irp = IoAllocateIrp(2, FALSE);
    ASSERT_NE(irp, nullptr);
    EXPECT_EQ(irp->Type, IO_TYPE_IRP);
    EXPECT_GE(irp->Size, sizeof(IRP) + 2 * sizeof(IO_STACK_LOCATION));
    EXPECT_EQ(irp->StackCount, 2);
    EXPECT_EQ(irp->CurrentLocation, 3);
    EXPECT_TRUE(IsListEmpty(&irp->ThreadListEntry));
    EXPECT_EQ(irp->Tail.Overlay.CurrentStackLocation, reinterpret_cast<PIO_STACK_LOCATION>(irp + 1) + 2);
    EXPECT_TRUE(irp->AllocationFlags & IRP_ALLOCATED_FIXED_SIZE);
    EXPECT_FALSE(irp->AllocationFlags & IRP_LOOKASIDE_ALLOCATION);
    IoFreeIrp(irp);
    // NT fact A2, quota variant (the version the ReactOS test asserts).
    irp = IoAllocateIrp(2, TRUE);
    ASSERT_NE(irp, nullptr);
    EXPECT_TRUE(irp->AllocationFlags & IRP_LOOKASIDE_ALLOCATION);
    IoFreeIrp(irp);
}

TEST_F(IrpAllocationTest, ZeroStackSizeFails) { EXPECT_EQ(IoAllocateIrp(0, FALSE), nullptr); }

TEST_F(IrpAllocationTest, LargeStackCountsComeFromPool) {
    PIRP irp = IoAllocateIrp(100, FALSE);
    ASSERT_NE(irp, nullptr);
    EXPECT_EQ(irp->StackCount, 100);
    EXPECT_EQ(irp->CurrentLocation, 101);
    EXPECT_EQ(irp->Size, IoSizeOfIrp(100));
    EXPECT_EQ(NtioIrpCount(), 1u);
    IoFreeIrp(irp);
    EXPECT_EQ(NtioIrpCount(), 0u);
}

TEST_F(IrpAllocationTest, InitializeIrpOnCallerMemory) {
    // NT fact A3
    alignas(16) unsigned char buffer[sizeof(IRP) + 5 * sizeof(IO_STACK_LOCATION)];
    std::memset(buffer, 0xCC, sizeof(buffer));
    auto* irp = reinterpret_cast<PIRP>(buffer);
    IoInitializeIrp(irp, sizeof(buffer), 5);
    EXPECT_EQ(irp->Type, IO_TYPE_IRP);
    EXPECT_EQ(irp->Size, sizeof(buffer));
    EXPECT_EQ(irp->StackCount, 5);
    EXPECT_EQ(irp->CurrentLocation, 6);
    EXPECT_EQ(irp->Tail.Overlay.CurrentStackLocation, reinterpret_cast<PIO_STACK_LOCATION>(irp + 1) + 5);
    EXPECT_EQ(irp->UserIosb, nullptr);
    EXPECT_EQ(NtioIrpCount(), 0u);  // not counted: the caller owns the memory
}

TEST_F(IrpAllocationTest, ReuseResetsLocationAndKeepsAllocationFlags) {
    // NT fact A5
    PIRP irp = IoAllocateIrp(2, FALSE);
    ASSERT_NE(irp, nullptr);
    IoSetNextIrpStackLocation(irp);
    irp->Cancel = TRUE;
    IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
    EXPECT_EQ(irp->CurrentLocation, 3);
    EXPECT_EQ(irp->AllocationFlags, IRP_ALLOCATED_FIXED_SIZE);
    EXPECT_EQ(irp->IoStatus.Status, STATUS_UNSUCCESSFUL);
    EXPECT_FALSE(irp->Cancel);
    IoFreeIrp(irp);
}

TEST_F(IrpAllocationTest, FreedIrpsAreReusedAndTheCountReturnsToZero) {
    std::vector<PIRP> irps;
    for (int i = 0; i < 1000; ++i) {
        irps.push_back(IoAllocateIrp(static_cast<CCHAR>(1 + i % 8), FALSE));
        ASSERT_NE(irps.back(), nullptr);
    }
    EXPECT_EQ(NtioIrpCount(), 1000u);
    PIRP first = irps.front();
    for (PIRP irp : irps) IoFreeIrp(irp);
    EXPECT_EQ(NtioIrpCount(), 0u);
    // The lookaside hands back recent blocks of the same size class (LIFO), no new memory.
    PIRP again = IoAllocateIrp(1, FALSE);
    bool reused = false;
    for (PIRP irp : irps) reused |= (irp == again);
    EXPECT_TRUE(reused);
    (void)first;
    IoFreeIrp(again);
}

TEST_F(IrpAllocationTest, IrpFreedOnAnotherThreadReturnsToItsOwner) {
    PIRP irp = IoAllocateIrp(3, FALSE);
    ASSERT_NE(irp, nullptr);
    std::thread([&] { IoFreeIrp(irp); }).join();
    EXPECT_EQ(NtioIrpCount(), 0u);
    // The owner's cache takes the remote stack once its local list runs dry: the block comes back.
    std::vector<PIRP> taken;
    bool found = false;
    for (int i = 0; i < 4096 && !found; ++i) {
        taken.push_back(IoAllocateIrp(3, FALSE));
        found = taken.back() == irp;
    }
    EXPECT_TRUE(found);
    for (PIRP p : taken) IoFreeIrp(p);
}

TEST_F(IrpAllocationTest, DoubleFreeBugchecksMultipleIrpCompleteRequests) {
    PIRP irp = IoAllocateIrp(1, FALSE);
    ASSERT_NE(irp, nullptr);
    IoFreeIrp(irp);
    auto bc = ntio::test::catch_bugcheck([&] { IoFreeIrp(irp); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(MULTIPLE_IRP_COMPLETE_REQUESTS));
    EXPECT_EQ(bc->p1, reinterpret_cast<ULONG_PTR>(irp));
    EXPECT_EQ(bc->p2, 1u);  // ntio's reserved P2: IoFreeIrp of a freed IRP (2 is a completion of one)
    EXPECT_EQ(bc->p3, 0u);
    EXPECT_EQ(bc->p4, 0u);
}

VOID NTAPI cancel_left_on_reused_irp(PDEVICE_OBJECT, PIRP) { ADD_FAILURE() << "cancel routine ran"; }

// Bug check 0x48 (IRP, the cancel routine the driver set): IoReuseIrp of an IRP that still has
// its cancel routine,
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0x48--cancel-state-in-completed-irp
TEST_F(IrpAllocationTest, ReuseWithACancelRoutineStillSetBugchecks48) {
    PIRP irp = IoAllocateIrp(2, FALSE);
    ASSERT_NE(irp, nullptr);
    IoSetNextIrpStackLocation(irp);
    (void)IoSetCancelRoutine(irp, cancel_left_on_reused_irp);
    auto bc = ntio::test::catch_bugcheck([&] { IoReuseIrp(irp, STATUS_SUCCESS); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(CANCEL_STATE_IN_COMPLETED_IRP));
    EXPECT_EQ(bc->p1, reinterpret_cast<ULONG_PTR>(irp));
    EXPECT_EQ(bc->p2, reinterpret_cast<ULONG_PTR>(&cancel_left_on_reused_irp));
    EXPECT_EQ(bc->p3, 0u);
    EXPECT_EQ(bc->p4, 0u);
    EXPECT_EQ(irp->CurrentLocation, 2);  // not reinitialised
    EXPECT_EQ(IoSetCancelRoutine(irp, nullptr), &cancel_left_on_reused_irp);
    IoReuseIrp(irp, STATUS_SUCCESS);
    EXPECT_EQ(irp->CurrentLocation, 3);
    IoFreeIrp(irp);
}

TEST_F(IrpAllocationTest, FreeOfCallerInitializedIrpBugchecksBadPoolCaller) {
    alignas(16) unsigned char buffer[sizeof(IRP) + sizeof(IO_STACK_LOCATION)];
    auto* irp = reinterpret_cast<PIRP>(buffer);
    IoInitializeIrp(irp, sizeof(buffer), 1);
    auto bc = ntio::test::catch_bugcheck([&] { IoFreeIrp(irp); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(BAD_POOL_CALLER));
    EXPECT_EQ(bc->p2, reinterpret_cast<ULONG_PTR>(irp));
}

TEST_F(IrpAllocationTest, FreeOfIrpStillOnAThreadListBugchecks) {
    PIRP irp = IoAllocateIrp(1, FALSE);
    ASSERT_NE(irp, nullptr);
    IoQueueThreadIrp(irp);
    auto bc = ntio::test::catch_bugcheck([&] { IoFreeIrp(irp); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(DRIVER_VERIFIER_IOMANAGER_VIOLATION));
    EXPECT_EQ(bc->p1, 0x02u);
    EXPECT_EQ(bc->p2, reinterpret_cast<ULONG_PTR>(irp));
    // Take it off the list the way completion does, then free it.
    RemoveEntryList(&irp->ThreadListEntry);
    InitializeListHead(&irp->ThreadListEntry);
    IoFreeIrp(irp);
}

}  // namespace
}  // namespace ntio::io::test

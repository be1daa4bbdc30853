// Whose driver a completion routine's allocations are charged to under Pool Tracking: the driver that
// set the routine (the one whose device the routine is called with), not the driver that completed
// the IRP; and once the walk is over, the completing driver's code is its own again. Checked through
// the unload leak report (0xC4 0x62, P3 the counts), each with its legal neighbour.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <string>

#include "support/bugcheck_catcher.hpp"
#include "support/system_fixture.hpp"
#include "verifier_unload_leak_support.hpp"

#include <ntddk.h>
#include <ntio/ntio.h>
#include <ntio/ntio_verifier.h>

#include "verifier/state.hpp"

namespace ntio::verifier::test {
namespace {

constexpr ULONG kCtxTag = 'xtCV';
constexpr ULONG kIoctlCtxForward = CTL_CODE(FILE_DEVICE_UNKNOWN, 0xC00, METHOD_NEITHER, FILE_ANY_ACCESS);

// What the two drivers do, set by each test.
struct CompletionContextPlan {
    std::atomic<int> routine_allocations{0};  // blocks the upper driver's routine allocates
    std::atomic<bool> routine_frees{false};    // ... and frees again before it returns
    std::atomic<bool> lower_allocates_after_completing{false};
    std::atomic<int> routine_runs{0};
};
CompletionContextPlan g_ctx_plan;
PVOID g_ctx_blocks[4] = {};
int g_ctx_block_count = 0;

void free_ctx_blocks() {
    for (int i = 0; i < g_ctx_block_count; ++i) ExFreePoolWithTag(g_ctx_blocks[i], kCtxTag);
    g_ctx_block_count = 0;
}

void keep_ctx_block() {
    PVOID block = ExAllocatePoolWithTag(NonPagedPoolNx, 32, kCtxTag);
    ASSERT_NE(block, nullptr);
    g_ctx_blocks[g_ctx_block_count++] = block;
}

// "VerCtxLower": completes whatever reaches it; with lower_allocates_after_completing, allocates a
// block right after IoCompleteRequest returns (after the upper driver's routine ran).
NTSTATUS NTAPI CtxLowerDispatch(PDEVICE_OBJECT, PIRP Irp) {
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    if (g_ctx_plan.lower_allocates_after_completing.load()) keep_ctx_block();
    return STATUS_SUCCESS;
}

VOID NTAPI CtxUnload(PDRIVER_OBJECT DriverObject) {
    while (PDEVICE_OBJECT device = DriverObject->DeviceObject) {
        if (device->DeviceExtension) {
            auto* lower = *static_cast<PDEVICE_OBJECT*>(device->DeviceExtension);
            if (lower) IoDetachDevice(lower);
        }
        IoDeleteDevice(device);
    }
}

NTSTATUS NTAPI CtxLowerEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(DriverObject, 0, nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; ++i) DriverObject->MajorFunction[i] = CtxLowerDispatch;
    DriverObject->DriverUnload = CtxUnload;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

// "VerCtxUpper": a filter whose completion routine allocates the blocks the plan asks for.
NTSTATUS NTAPI CtxUpperCompletion(PDEVICE_OBJECT, PIRP Irp, PVOID) {
    if (Irp->PendingReturned) IoMarkIrpPending(Irp);
    g_ctx_plan.routine_runs.fetch_add(1);
    const int first = g_ctx_block_count;
    for (int i = 0; i < g_ctx_plan.routine_allocations.load(); ++i) keep_ctx_block();
    if (g_ctx_plan.routine_frees.load()) {
        for (int i = first; i < g_ctx_block_count; ++i) ExFreePoolWithTag(g_ctx_blocks[i], kCtxTag);
        g_ctx_block_count = first;
    }
    return STATUS_CONTINUE_COMPLETION;
}

NTSTATUS NTAPI CtxUpperDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    auto* lower = *static_cast<PDEVICE_OBJECT*>(DeviceObject->DeviceExtension);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, CtxUpperCompletion, DeviceObject, TRUE, TRUE, TRUE);
    return IoCallDriver(lower, Irp);
}

PDEVICE_OBJECT g_ctx_lower_device = nullptr;

NTSTATUS NTAPI CtxUpperEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status =
        IoCreateDevice(DriverObject, sizeof(PDEVICE_OBJECT), nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    auto* lower = static_cast<PDEVICE_OBJECT*>(device->DeviceExtension);
    *lower = IoAttachDeviceToDeviceStack(device, g_ctx_lower_device);
    if (!*lower) {
        IoDeleteDevice(device);
        return STATUS_NO_SUCH_DEVICE;
    }
    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; ++i) DriverObject->MajorFunction[i] = CtxUpperDispatch;
    DriverObject->DriverUnload = CtxUnload;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

// Level 1 I/O verification with Pool Tracking (the routines run in the completion walk's own context)
// and the standard flags (Level 2 tracks the IRP: the routines take the verifier's slow path).
constexpr ULONG kCtxLevel1 = NTIO_VERIFIER_SPECIAL_POOL | NTIO_VERIFIER_FORCE_IRQL_CHECKING | NTIO_VERIFIER_IO_CHECKING |
                             NTIO_VERIFIER_IO_LEVEL1_ONLY | NTIO_VERIFIER_POOL_TRACKING;

class CompletionContextTest : public ntio::test::SystemTest, public ::testing::WithParamInterface<ULONG> {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        (void)NtioVerifierSetMode(NtioVerifierStrict);
        g_ctx_plan.routine_allocations.store(0);
        g_ctx_plan.routine_frees.store(false);
        g_ctx_plan.lower_allocates_after_completing.store(false);
        g_ctx_plan.routine_runs.store(0);
        g_ctx_block_count = 0;
        UNICODE_STRING lower = RTL_CONSTANT_STRING(L"VerCtxLower");
        ASSERT_EQ(NtioCreateDriver(&lower, CtxLowerEntry, &m_lower), STATUS_SUCCESS);
        g_ctx_lower_device = m_lower->DeviceObject;
        UNICODE_STRING upper = RTL_CONSTANT_STRING(L"VerCtxUpper");
        ASSERT_EQ(NtioCreateDriver(&upper, CtxUpperEntry, &m_upper), STATUS_SUCCESS);
    }

    void TearDown() override {
        ntio::test::drop_driver(m_upper);
        ntio::test::drop_driver(m_lower);
        free_ctx_blocks();
        SystemTest::TearDown();
    }

    void verify(PDRIVER_OBJECT driver) {
        ASSERT_EQ(NtioVerifierSetFlags(driver, GetParam()), STATUS_SUCCESS);
    }

    // One request of the test's own through the upper driver's device, completed by the lower one.
    void send() {
        EXPECT_EQ(ntio::test::own_ioctl(m_upper, kIoctlCtxForward), STATUS_SUCCESS);
        EXPECT_EQ(g_ctx_plan.routine_runs.load(), 1);
    }

    // The pool-block count of a leak report at the driver's unload (0xC4 0x62); -1 when none.
    long long pool_leak_at_unload(PDRIVER_OBJECT& driver) {
        auto bc = ntio::test::catch_bugcheck([&] { ntio::test::unload_verified(driver); });
        if (!bc) return -1;
        EXPECT_EQ(bc->code, ULONG{DRIVER_VERIFIER_DETECTED_VIOLATION});
        EXPECT_EQ(bc->p1, 0x62u);
        m_check_leaks = false;  // the bugcheck cut the unload's bookkeeping short
        return static_cast<long long>(reinterpret_cast<const ResourceCounts*>(bc->p3)->pool_blocks);
    }

    PDRIVER_OBJECT m_lower = nullptr;
    PDRIVER_OBJECT m_upper = nullptr;
};

TEST_P(CompletionContextTest, a_block_the_routine_keeps_is_its_drivers_leak) {
    verify(m_upper);
    g_ctx_plan.routine_allocations.store(2);
    send();
    EXPECT_EQ(pool_leak_at_unload(m_upper), 2);
}

TEST_P(CompletionContextTest, a_block_the_routine_frees_again_is_no_leak) {
    verify(m_upper);
    g_ctx_plan.routine_allocations.store(2);
    g_ctx_plan.routine_frees.store(true);
    send();
    EXPECT_EQ(pool_leak_at_unload(m_upper), -1);
}

// The completing driver is verified and the routine's is not: the routine's blocks are nobody's.
TEST_P(CompletionContextTest, the_routines_blocks_are_not_charged_to_the_completing_driver) {
    verify(m_lower);
    g_ctx_plan.routine_allocations.store(1);
    send();
    ntio::test::unload_verified(m_upper);  // unverified: no check; detaches from the lower device
    EXPECT_EQ(pool_leak_at_unload(m_lower), -1);
}

// After IoCompleteRequest returns, what the completing driver allocates is its own again, routine
// run or not.
TEST_P(CompletionContextTest, the_completing_driver_is_charged_again_after_the_walk) {
    verify(m_lower);
    verify(m_upper);
    g_ctx_plan.routine_allocations.store(1);
    g_ctx_plan.routine_frees.store(true);
    g_ctx_plan.lower_allocates_after_completing.store(true);
    send();
    (void)NtioVerifierSetFlags(m_upper, 0);
    ntio::test::unload_verified(m_upper);
    EXPECT_EQ(pool_leak_at_unload(m_lower), 1);
}

INSTANTIATE_TEST_SUITE_P(Flags, CompletionContextTest, ::testing::Values(kCtxLevel1, ULONG{NTIO_VERIFIER_STANDARD_FLAGS}),
                         [](const ::testing::TestParamInfo<ULONG>& info) {
                             return info.param == kCtxLevel1 ? std::string("level1") : std::string("standard");
                         });

}  // namespace
}  // namespace ntio::verifier::test

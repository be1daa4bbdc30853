// Process pool quota through the DDK and Nt surface: ExAllocatePoolWithQuotaTag and friends charge
// the process they run in and the free gives it back (from any process context), peaks stay, the
// limit makes them raise STATUS_QUOTA_EXCEEDED or return NULL, the Ps charge routines, and
// NtQueryInformationProcess / NtSetInformationProcess for ProcessVmCounters and ProcessQuotaLimits.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exallocatepoolwithquotatag
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-pschargepoolquota
#include "unit/ob/ob_test_support.hpp"

#include <cstdint>
#include <memory>

#include <ntifs.h>
#include <ntio/ntapi.h>

#include "ob/process.hpp"
#include "se/token.hpp"

namespace process_quota_test {

constexpr ULONG kTag = 'tQsP';

// Usage and peaks as ProcessVmCounters reports them for the process the thread acts in.
VM_COUNTERS counters_here() {
    VM_COUNTERS c{};
    ULONG returned = 0;
    EXPECT_EQ(ZwQueryInformationProcess(NtCurrentProcess(), ProcessVmCounters, &c, sizeof c, &returned),
              STATUS_SUCCESS);
    EXPECT_EQ(returned, sizeof c);
    return c;
}

QUOTA_LIMITS limits_here() {
    QUOTA_LIMITS q{};
    EXPECT_EQ(ZwQueryInformationProcess(NtCurrentProcess(), ProcessQuotaLimits, &q, sizeof q, nullptr),
              STATUS_SUCCESS);
    return q;
}

void set_limits_here(SIZE_T paged, SIZE_T nonpaged) {
    QUOTA_LIMITS q{};
    q.PagedPoolLimit = paged;
    q.NonPagedPoolLimit = nonpaged;
    EXPECT_EQ(ZwSetInformationProcess(NtCurrentProcess(), ProcessQuotaLimits, &q, sizeof q), STATUS_SUCCESS);
}

// The status a statement raised, or STATUS_SUCCESS.
template <class F>
NTSTATUS raised_by(F&& f) {
    NTSTATUS caught = STATUS_SUCCESS;
    __try {
        f();
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        caught = GetExceptionCode();
    }
    return caught;
}

class ProcessQuotaTest : public ntio::ob::test::ObTest {
protected:
    void SetUp() override {
        ObTest::SetUp();
        ASSERT_EQ(om().create_process(nullptr, u"quota", &m_target), STATUS_SUCCESS);
    }
    void TearDown() override {
        if (m_attached) KeUnstackDetachProcess(&m_apc);
        if (m_target) {
            om().terminate_process(m_target, STATUS_SUCCESS);
            ObDereferenceObject(m_target);
        }
        ObTest::TearDown();
    }
    void attach(PEPROCESS process) {
        KeStackAttachProcess(process, &m_apc);
        m_attached = true;
    }
    void detach() {
        KeUnstackDetachProcess(&m_apc);
        m_attached = false;
    }
    // A handle in the calling process to `process`, with `access`.
    HANDLE open_process(PEPROCESS process, ACCESS_MASK access) {
        HANDLE h = nullptr;
        EXPECT_EQ(ObOpenObjectByPointer(process, 0, nullptr, access, *PsProcessType, KernelMode, &h), STATUS_SUCCESS);
        return h;
    }

    PEPROCESS m_target = nullptr;
    KAPC_STATE m_apc{};
    bool m_attached = false;
};

TEST_F(ProcessQuotaTest, DefaultLimitsAndZeroUsage) {
    attach(m_target);
    const QUOTA_LIMITS q = limits_here();
    EXPECT_EQ(q.PagedPoolLimit, ntio::ob::kDefaultPagedPoolQuota);
    EXPECT_EQ(q.NonPagedPoolLimit, ntio::ob::kDefaultNonPagedPoolQuota);
    EXPECT_NE(q.MinimumWorkingSetSize, 0u);
    EXPECT_GE(q.MaximumWorkingSetSize, q.MinimumWorkingSetSize);
    const VM_COUNTERS c = counters_here();
    EXPECT_EQ(c.QuotaPagedPoolUsage, 0u);
    EXPECT_EQ(c.QuotaPeakPagedPoolUsage, 0u);
    EXPECT_EQ(c.QuotaNonPagedPoolUsage, 0u);
    EXPECT_EQ(c.QuotaPeakNonPagedPoolUsage, 0u);
}

TEST_F(ProcessQuotaTest, QuotaAllocationsChargeAndFreesReturnWithPeaksKept) {
    attach(m_target);
    void* paged = ExAllocatePoolWithQuotaTag(PagedPool, 100, kTag);
    void* nonpaged = ExAllocatePoolQuotaZero(NonPagedPoolNx, 40, kTag);
    void* uninit = ExAllocatePoolQuotaUninitialized(PagedPool, 16, kTag);
    void* pool2 = ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_USE_QUOTA, 1, kTag);
    void* plain = ExAllocatePoolWithTag(PagedPool, 1000, kTag);  // not charged
    ASSERT_NE(paged, nullptr);
    ASSERT_NE(nonpaged, nullptr);
    ASSERT_NE(uninit, nullptr);
    ASSERT_NE(pool2, nullptr);
    ASSERT_NE(plain, nullptr);
    BOOLEAN charged = FALSE;
    EXPECT_EQ(ExQueryPoolBlockSize(paged, &charged), 112u);
    EXPECT_TRUE(charged);
    EXPECT_EQ(ExQueryPoolBlockSize(pool2, &charged), 16u);
    EXPECT_TRUE(charged);
    EXPECT_EQ(ExQueryPoolBlockSize(plain, &charged), 1008u);
    EXPECT_FALSE(charged);
    VM_COUNTERS c = counters_here();
    EXPECT_EQ(c.QuotaPagedPoolUsage, 112u + 16u);
    EXPECT_EQ(c.QuotaNonPagedPoolUsage, 48u + 16u);
    ExFreePoolWithTag(paged, kTag);
    ExFreePool(nonpaged);
    c = counters_here();
    EXPECT_EQ(c.QuotaPagedPoolUsage, 16u);
    EXPECT_EQ(c.QuotaPeakPagedPoolUsage, 128u);
    EXPECT_EQ(c.QuotaNonPagedPoolUsage, 16u);
    EXPECT_EQ(c.QuotaPeakNonPagedPoolUsage, 64u);
    ExFreePool2(uninit, kTag, nullptr, 0);
    ExFreePool(pool2);
    ExFreePool(plain);
    c = counters_here();
    EXPECT_EQ(c.QuotaPagedPoolUsage, 0u);
    EXPECT_EQ(c.QuotaNonPagedPoolUsage, 0u);
    EXPECT_EQ(c.QuotaPeakPagedPoolUsage, 128u);
    // Large (page-aligned) and cache-aligned blocks keep their charge too.
    void* big = ExAllocatePoolWithQuotaTag(NonPagedPool, 3 * PAGE_SIZE, kTag);
    void* aligned = ExAllocatePoolWithQuotaTag(PagedPoolCacheAligned, 10, kTag);
    ASSERT_NE(big, nullptr);
    ASSERT_NE(aligned, nullptr);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(big) % PAGE_SIZE, 0u);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(aligned) % 64, 0u);
    c = counters_here();
    EXPECT_EQ(c.QuotaNonPagedPoolUsage, 3u * PAGE_SIZE);
    EXPECT_EQ(c.QuotaPagedPoolUsage, 16u);
    ExFreePool(big);
    ExFreePool(aligned);
    c = counters_here();
    EXPECT_EQ(c.QuotaNonPagedPoolUsage, 0u);
    EXPECT_EQ(c.QuotaPagedPoolUsage, 0u);
}

TEST_F(ProcessQuotaTest, OverTheLimitRaisesOrReturnsNull) {
    attach(m_target);
    set_limits_here(1024, 512);
    void* held = ExAllocatePoolWithQuotaTag(PagedPool, 1000, kTag);
    ASSERT_NE(held, nullptr);
    EXPECT_EQ(raised_by([] { (void)ExAllocatePoolWithQuotaTag(PagedPool, 100, kTag); }), STATUS_QUOTA_EXCEEDED);
    EXPECT_EQ(raised_by([] { (void)ExAllocatePoolQuotaZero(PagedPool, 100, kTag); }), STATUS_QUOTA_EXCEEDED);
    EXPECT_EQ(raised_by([] { (void)ExAllocatePoolQuotaUninitialized(NonPagedPool, 1000, kTag); }),
              STATUS_QUOTA_EXCEEDED);
    const auto fail = [](POOL_TYPE t) { return static_cast<POOL_TYPE>(t | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE); };
    EXPECT_EQ(ExAllocatePoolWithQuotaTag(fail(PagedPool), 100, kTag), nullptr);
    EXPECT_EQ(ExAllocatePoolQuotaZero(fail(PagedPool), 100, kTag), nullptr);
    EXPECT_EQ(ExAllocatePoolQuotaUninitialized(fail(NonPagedPool), 1000, kTag), nullptr);
    EXPECT_EQ(ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_USE_QUOTA, 100, kTag), nullptr);
    EXPECT_EQ(raised_by([] {
                  (void)ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_USE_QUOTA | POOL_FLAG_RAISE_ON_FAILURE, 100, kTag);
              }),
              STATUS_QUOTA_EXCEEDED);
    // What fits still fits, up to the limit exactly; nothing failed was charged.
    void* rest = ExAllocatePoolWithQuotaTag(fail(PagedPool), 16, kTag);
    EXPECT_NE(rest, nullptr);
    void* nonpaged = ExAllocatePoolWithQuotaTag(NonPagedPool, 512, kTag);
    EXPECT_NE(nonpaged, nullptr);
    VM_COUNTERS c = counters_here();
    EXPECT_EQ(c.QuotaPagedPoolUsage, 1024u);
    EXPECT_EQ(c.QuotaNonPagedPoolUsage, 512u);
    // Quota is not charged by the plain allocator, which the limit does not stop.
    void* plain = ExAllocatePoolWithTag(PagedPool, 4096, kTag);
    EXPECT_NE(plain, nullptr);
    ExFreePool(plain);
    ExFreePool(held);
    ExFreePool(rest);
    ExFreePool(nonpaged);
    c = counters_here();
    EXPECT_EQ(c.QuotaPagedPoolUsage, 0u);
    EXPECT_EQ(c.QuotaNonPagedPoolUsage, 0u);
}

TEST_F(ProcessQuotaTest, FreeFromAnotherProcessReturnsTheChargeToTheProcessCharged) {
    attach(m_target);
    void* p = ExAllocatePoolWithQuotaTag(NonPagedPool, 200, kTag);
    ASSERT_NE(p, nullptr);
    detach();
    const VM_COUNTERS mine = counters_here();
    EXPECT_EQ(mine.QuotaNonPagedPoolUsage, 0u);  // the initial process was not charged
    ExFreePoolWithTag(p, kTag);                  // freed in the initial process's context
    attach(m_target);
    const VM_COUNTERS c = counters_here();
    EXPECT_EQ(c.QuotaNonPagedPoolUsage, 0u);
    EXPECT_EQ(c.QuotaPeakNonPagedPoolUsage, 208u);
}

TEST_F(ProcessQuotaTest, FreeAtDispatchLevelReturnsTheCharge) {
    attach(m_target);
    void* p = ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_USE_QUOTA, 32, kTag);
    ASSERT_NE(p, nullptr);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    ExFreePool(p);
    KeLowerIrql(old);
    EXPECT_EQ(counters_here().QuotaNonPagedPoolUsage, 0u);
}

TEST_F(ProcessQuotaTest, SystemProcessChargesAreNotCounted) {
    PEPROCESS system_process = om().system_process();
    attach(system_process);
    void* p = ExAllocatePoolWithQuotaTag(PagedPool, 64, kTag);
    ASSERT_NE(p, nullptr);
    BOOLEAN charged = TRUE;
    EXPECT_EQ(ExQueryPoolBlockSize(p, &charged), 64u);
    EXPECT_FALSE(charged);
    EXPECT_EQ(counters_here().QuotaPagedPoolUsage, 0u);
    EXPECT_EQ(PsChargeProcessPoolQuota(system_process, PagedPool, SIZE_T{1} << 40), STATUS_SUCCESS);
    EXPECT_EQ(counters_here().QuotaPagedPoolUsage, 0u);
    ExFreePool(p);
}

TEST_F(ProcessQuotaTest, PsChargeAndReturnPoolQuota) {
    EXPECT_EQ(PsChargeProcessPoolQuota(m_target, PagedPool, 300), STATUS_SUCCESS);
    EXPECT_EQ(raised_by([this] { PsChargePoolQuota(m_target, NonPagedPoolCacheAligned, 700); }), STATUS_SUCCESS);
    attach(m_target);
    VM_COUNTERS c = counters_here();
    EXPECT_EQ(c.QuotaPagedPoolUsage, 300u);  // exact amounts: no rounding for the Ps routines
    EXPECT_EQ(c.QuotaNonPagedPoolUsage, 700u);
    set_limits_here(1000, 1000);
    EXPECT_EQ(PsChargeProcessPoolQuota(m_target, PagedPoolCacheAligned, 701), STATUS_QUOTA_EXCEEDED);
    EXPECT_EQ(raised_by([this] { PsChargePoolQuota(m_target, PagedPool, 701); }), STATUS_QUOTA_EXCEEDED);
    EXPECT_EQ(PsChargeProcessPoolQuota(m_target, PagedPool, 700), STATUS_SUCCESS);  // to the limit exactly
    // Returning more than is charged raises and returns nothing.
    EXPECT_EQ(raised_by([this] { PsReturnPoolQuota(m_target, NonPagedPool, 701); }), STATUS_QUOTA_EXCEEDED);
    c = counters_here();
    EXPECT_EQ(c.QuotaPagedPoolUsage, 1000u);
    EXPECT_EQ(c.QuotaNonPagedPoolUsage, 700u);
    EXPECT_EQ(raised_by([this] {
                  PsReturnPoolQuota(m_target, PagedPool, 1000);
                  PsReturnPoolQuota(m_target, NonPagedPoolCacheAligned, 700);
              }),
              STATUS_SUCCESS);
    c = counters_here();
    EXPECT_EQ(c.QuotaPagedPoolUsage, 0u);
    EXPECT_EQ(c.QuotaNonPagedPoolUsage, 0u);
    EXPECT_EQ(c.QuotaPeakPagedPoolUsage, 1000u);
    EXPECT_EQ(c.QuotaPeakNonPagedPoolUsage, 700u);
}

// A driver leaked quota-charged pool in a process that then ended: the charge stays, and the block
// keeps the process object alive until it is freed.
TEST_F(ProcessQuotaTest, EndedProcessStaysChargedUntilTheBlockIsFreed) {
    const std::size_t objects = om().object_count();
    attach(m_target);
    void* leaked = ExAllocatePoolWithQuotaTag(PagedPool, 500, kTag);
    ASSERT_NE(leaked, nullptr);
    detach();
    PEPROCESS ended = std::exchange(m_target, nullptr);
    const HANDLE id = PsGetProcessId(ended);
    om().terminate_process(ended, STATUS_SUCCESS);
    ObDereferenceObject(ended);
    EXPECT_EQ(om().object_count(), objects);  // still there: the block holds it
    PEPROCESS found = nullptr;
    ASSERT_EQ(PsLookupProcessByProcessId(id, &found), STATUS_SUCCESS);
    EXPECT_EQ(found, ended);
    HANDLE h = open_process(found, PROCESS_QUERY_LIMITED_INFORMATION);
    VM_COUNTERS c{};
    EXPECT_EQ(ZwQueryInformationProcess(h, ProcessVmCounters, &c, sizeof c, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(c.QuotaPagedPoolUsage, 512u);
    ObDereferenceObject(found);
    ExFreePool(leaked);  // from the initial process
    EXPECT_EQ(ZwQueryInformationProcess(h, ProcessVmCounters, &c, sizeof c, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(c.QuotaPagedPoolUsage, 0u);
    EXPECT_EQ(ZwClose(h), STATUS_SUCCESS);
    EXPECT_EQ(om().object_count(), objects - 1);  // the last reference went with the block
}

TEST_F(ProcessQuotaTest, QueryChecksLengthClassAndHandle) {
    VM_COUNTERS_EX ex{};
    ULONG returned = 0;
    EXPECT_EQ(NtQueryInformationProcess(NtCurrentProcess(), ProcessVmCounters, &ex, sizeof ex, &returned),
              STATUS_SUCCESS);
    EXPECT_EQ(returned, sizeof ex);
    EXPECT_EQ(NtQueryInformationProcess(NtCurrentProcess(), ProcessVmCounters, &ex, sizeof(VM_COUNTERS) - 8,
                                        &returned),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtQueryInformationProcess(nullptr, ProcessVmCounters, nullptr, 0, nullptr), STATUS_INFO_LENGTH_MISMATCH);
    QUOTA_LIMITS q{};
    EXPECT_EQ(NtQueryInformationProcess(NtCurrentProcess(), ProcessQuotaLimits, &q, sizeof q + 8, nullptr),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtQueryInformationProcess(reinterpret_cast<HANDLE>(0x7ff0), ProcessQuotaLimits, &q, sizeof q, nullptr),
              STATUS_INVALID_HANDLE);
    EXPECT_EQ(NtQueryInformationProcess(NtCurrentProcess(), static_cast<PROCESSINFOCLASS>(4000), &q, sizeof q,
                                        nullptr),
              STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(NtQueryInformationProcess(NtCurrentProcess(), ProcessQuotaLimits,
                                        reinterpret_cast<PVOID>(std::uintptr_t{0x10}), sizeof q, nullptr),
              STATUS_ACCESS_VIOLATION);
    // A handle of the wrong type, and one without the access the class needs.
    HANDLE event = nullptr;
    ASSERT_EQ(NtCreateEvent(&event, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(NtQueryInformationProcess(event, ProcessQuotaLimits, &q, sizeof q, nullptr),
              STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(NtClose(event), STATUS_SUCCESS);
    HANDLE limited = open_process(m_target, PROCESS_QUERY_LIMITED_INFORMATION);
    EXPECT_EQ(NtQueryInformationProcess(limited, ProcessQuotaLimits, &q, sizeof q, nullptr), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtQueryInformationProcess(limited, ProcessVmCounters, &ex, sizeof(VM_COUNTERS), nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(NtClose(limited), STATUS_SUCCESS);
}

TEST_F(ProcessQuotaTest, SettingLimitsNeedsThePrivilegeOnlyToRaise) {
    // The test thread acts in the initial process, a standard user's: no SeIncreaseQuotaPrivilege.
    HANDLE h = open_process(m_target, PROCESS_SET_QUOTA | PROCESS_QUERY_INFORMATION);
    QUOTA_LIMITS q{};
    q.PagedPoolLimit = ntio::ob::kDefaultPagedPoolQuota / 2;
    EXPECT_EQ(NtSetInformationProcess(h, ProcessQuotaLimits, &q, sizeof q), STATUS_SUCCESS);  // lowering
    q = {};
    q.NonPagedPoolLimit = ntio::ob::kDefaultNonPagedPoolQuota + 1;
    EXPECT_EQ(NtSetInformationProcess(h, ProcessQuotaLimits, &q, sizeof q), STATUS_PRIVILEGE_NOT_HELD);
    EXPECT_EQ(NtSetInformationProcess(h, ProcessQuotaLimits, &q, sizeof q - 1), STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtSetInformationProcess(h, ProcessVmCounters, &q, sizeof q), STATUS_INVALID_INFO_CLASS);  // query-only
    EXPECT_EQ(NtSetInformationProcess(h, ProcessIoPortHandlers, &q, sizeof q), STATUS_NOT_IMPLEMENTED);
    EXPECT_EQ(NtSetInformationProcess(h, ProcessQuotaLimits, reinterpret_cast<PVOID>(std::uintptr_t{0x10}), sizeof q),
              STATUS_ACCESS_VIOLATION);
    QUOTA_LIMITS now{};
    EXPECT_EQ(NtQueryInformationProcess(h, ProcessQuotaLimits, &now, sizeof now, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(now.PagedPoolLimit, ntio::ob::kDefaultPagedPoolQuota / 2);
    EXPECT_EQ(now.NonPagedPoolLimit, ntio::ob::kDefaultNonPagedPoolQuota);  // the refused call changed nothing
    HANDLE query_only = open_process(m_target, PROCESS_QUERY_INFORMATION);
    EXPECT_EQ(NtSetInformationProcess(query_only, ProcessQuotaLimits, &q, sizeof q), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtClose(query_only), STATUS_SUCCESS);

    // An administrator holds the privilege, disabled until enabled.
    PEPROCESS admin = nullptr;
    ASSERT_EQ(om().create_process(ntio::se::Token::create_user(true), u"admin", &admin), STATUS_SUCCESS);
    {
        ntio::ob::ProcessAttach in_admin(admin);
        EXPECT_EQ(NtSetInformationProcess(h, ProcessQuotaLimits, &q, sizeof q), STATUS_INVALID_HANDLE);
        EXPECT_EQ(admin->m_token->adjust_privilege(SE_INCREASE_QUOTA_PRIVILEGE, true), STATUS_SUCCESS);
        HANDLE in_admin_h = open_process(m_target, PROCESS_SET_QUOTA | PROCESS_QUERY_INFORMATION);
        q.PagedPoolLimit = ntio::ob::kDefaultPagedPoolQuota * 2;
        EXPECT_EQ(NtSetInformationProcess(in_admin_h, ProcessQuotaLimits, &q, sizeof q), STATUS_SUCCESS);
        EXPECT_EQ(NtQueryInformationProcess(in_admin_h, ProcessQuotaLimits, &now, sizeof now, nullptr),
                  STATUS_SUCCESS);
        EXPECT_EQ(now.PagedPoolLimit, ntio::ob::kDefaultPagedPoolQuota * 2);
        EXPECT_EQ(now.NonPagedPoolLimit, ntio::ob::kDefaultNonPagedPoolQuota + 1);
        EXPECT_EQ(NtClose(in_admin_h), STATUS_SUCCESS);
    }
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    om().terminate_process(admin, STATUS_SUCCESS);
    ObDereferenceObject(admin);
}

// IoAllocateIrp(Ex) with ChargeQuota TRUE charges the current thread's process at least the IRP's size
// in nonpaged pool, sets IRP_QUOTA_CHARGED with IRP_LOOKASIDE_ALLOCATION (NT fact A2's ChargeQuota
// variant), and IoFreeIrp gives the charge back, from any process context. "TRUE if quota is to be
// charged against the current thread": https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioallocateirp
TEST_F(ProcessQuotaTest, ChargeQuotaIrpsChargeTheProcessUntilFreed) {
    attach(m_target);
    PIRP irp = IoAllocateIrp(2, TRUE);
    ASSERT_NE(irp, nullptr);
    EXPECT_EQ(irp->AllocationFlags, IRP_ALLOCATED_FIXED_SIZE | IRP_LOOKASIDE_ALLOCATION | IRP_QUOTA_CHARGED);
    EXPECT_EQ(irp->StackCount, 2);
    EXPECT_EQ(irp->CurrentLocation, 3);
    const SIZE_T charged = counters_here().QuotaNonPagedPoolUsage;
    EXPECT_GE(charged, static_cast<SIZE_T>(IoSizeOfIrp(2)));
    EXPECT_EQ(counters_here().QuotaPagedPoolUsage, 0u);
    // Without ChargeQuota nothing is charged.
    PIRP plain = IoAllocateIrp(2, FALSE);
    ASSERT_NE(plain, nullptr);
    EXPECT_EQ(plain->AllocationFlags, IRP_ALLOCATED_FIXED_SIZE);
    EXPECT_EQ(counters_here().QuotaNonPagedPoolUsage, charged);
    IoFreeIrp(plain);
    // IoAllocateIrpEx charges the same way; IoReuseIrp keeps the flags and the charge.
    PIRP ex = IoAllocateIrpEx(nullptr, 2, TRUE);
    ASSERT_NE(ex, nullptr);
    EXPECT_EQ(counters_here().QuotaNonPagedPoolUsage, 2 * charged);
    IoReuseIrp(ex, STATUS_SUCCESS);
    EXPECT_EQ(ex->AllocationFlags, IRP_ALLOCATED_FIXED_SIZE | IRP_LOOKASIDE_ALLOCATION | IRP_QUOTA_CHARGED);
    EXPECT_EQ(counters_here().QuotaNonPagedPoolUsage, 2 * charged);
    IoFreeIrp(ex);
    EXPECT_EQ(counters_here().QuotaNonPagedPoolUsage, charged);
    // Freed in another process's context (and at DISPATCH_LEVEL): the charge goes back to this one.
    detach();
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    IoFreeIrp(irp);
    KeLowerIrql(old);
    attach(m_target);
    const VM_COUNTERS c = counters_here();
    EXPECT_EQ(c.QuotaNonPagedPoolUsage, 0u);
    EXPECT_EQ(c.QuotaPeakNonPagedPoolUsage, 2 * charged);
}

// Over the nonpaged limit, IoAllocateIrp(.., TRUE) returns NULL ("NULL if an IRP could not be
// allocated") and charges nothing; IoAllocateIrp(.., FALSE) is not limited.
TEST_F(ProcessQuotaTest, ChargeQuotaIrpOverTheLimitIsNull) {
    attach(m_target);
    PIRP first = IoAllocateIrp(1, TRUE);
    ASSERT_NE(first, nullptr);
    const SIZE_T one = counters_here().QuotaNonPagedPoolUsage;
    set_limits_here(ntio::ob::kDefaultPagedPoolQuota, one + one / 2);
    EXPECT_EQ(IoAllocateIrp(1, TRUE), nullptr);
    EXPECT_EQ(IoAllocateIrpEx(nullptr, 1, TRUE), nullptr);
    EXPECT_EQ(counters_here().QuotaNonPagedPoolUsage, one);
    PIRP plain = IoAllocateIrp(1, FALSE);
    ASSERT_NE(plain, nullptr);
    IoFreeIrp(plain);
    IoFreeIrp(first);
    EXPECT_EQ(counters_here().QuotaNonPagedPoolUsage, 0u);
    PIRP again = IoAllocateIrp(1, TRUE);  // room again after the free
    ASSERT_NE(again, nullptr);
    IoFreeIrp(again);
}

// In the system process nothing is counted: IRP_QUOTA_CHARGED stays clear, IRP_LOOKASIDE_ALLOCATION
// is set as for any ChargeQuota IRP (NT fact A2).
TEST_F(ProcessQuotaTest, ChargeQuotaIrpInTheSystemProcessIsNotCharged) {
    attach(om().system_process());
    PIRP irp = IoAllocateIrp(2, TRUE);
    ASSERT_NE(irp, nullptr);
    EXPECT_EQ(irp->AllocationFlags, IRP_ALLOCATED_FIXED_SIZE | IRP_LOOKASIDE_ALLOCATION);
    EXPECT_EQ(counters_here().QuotaNonPagedPoolUsage, 0u);
    IoFreeIrp(irp);
}

}  // namespace process_quota_test

// DDI compliance IRQL rules (bug check 0xC4, spec 3.6 and 5.1): each DDI called by a verified driver
// at an IRQL its rule forbids, and the legal call next to it. Subcodes:
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc4--driver-verifier-detected-violation
#include <string>

#include "verifier_ddi_fixture.hpp"

namespace ntio::verifier::test {
namespace {

struct IrqlCase {
    ULONG mode;
    KIRQL bad;
    KIRQL good;
    ULONG_PTR subcode;
    // A DDI compliance rule (subcode 0x2xxxx): a phrase of the condition string parameter 2 points to.
    const char* condition;
};

// One table row per rule: the DDI at `bad` trips `subcode`; at `good` it is legal.
const IrqlCase kCases[] = {
    {kDdiPsGetVersion, APC_LEVEL, PASSIVE_LEVEL, 0x2001C, "PsGetVersion"},                 // IrqlPsPassive
    {kDdiIoGetInitialStack, DISPATCH_LEVEL, APC_LEVEL, 0x20009, "IoGetInitialStack"},      // IrqlIoApcLte
    {kDdiKeSetEventWait, DISPATCH_LEVEL, APC_LEVEL, 0x20016, "when Wait is TRUE"},         // IrqlKeSetEvent
    {kDdiKeSetEventNoWait, HIGH_LEVEL, DISPATCH_LEVEL, 0x20016, "when Wait is FALSE"},     // IrqlKeSetEvent
    {kDdiCreateDevice, APC_LEVEL, PASSIVE_LEVEL, 0x2000A, "IoCreateDevice"},               // IrqlIoPassive1
    {kDdiBuildDeviceIoControl, DISPATCH_LEVEL, APC_LEVEL, 0x2000A, "IoBuildDeviceIoControlRequest"},  // IrqlIoPassive1
    {kDdiConnectInterrupt, APC_LEVEL, PASSIVE_LEVEL, 0x2000B, "IoConnectInterrupt"},       // IrqlIoPassive2
    {kDdiCreateSymbolicLink, APC_LEVEL, PASSIVE_LEVEL, 0x2000C, "IoCreateSymbolicLink"},   // IrqlIoPassive3
    {kDdiDeleteSymbolicLink, APC_LEVEL, PASSIVE_LEVEL, 0x2000D, "IoDeleteSymbolicLink"},   // IrqlIoPassive4
    {kDdiGetDeviceObjectPointer, APC_LEVEL, PASSIVE_LEVEL, 0x2000E, "IoGetDeviceObjectPointer"},  // IrqlIoPassive5
    {kDdiZwOpenKey, APC_LEVEL, PASSIVE_LEVEL, 0x2001F, "ZwOpenKey"},                       // IrqlZwPassive
    {kDdiRtlDeleteRegistryValue, APC_LEVEL, PASSIVE_LEVEL, 0x2001E, "RtlDeleteRegistryValue"},  // IrqlRtlPassive
    // IrqlKeReleaseSpinLock
    {kDdiReleaseSpinLockAtPassive, PASSIVE_LEVEL, DISPATCH_LEVEL, 0x20015, "KeReleaseSpinLock"},
    {kDdiReferenceByHandle, APC_LEVEL, PASSIVE_LEVEL, 0x2001B, "ObReferenceObjectByHandle"},  // IrqlObPassive
    {kDdiNonPagedPool, HIGH_LEVEL, DISPATCH_LEVEL, 0x20004, "ExAllocatePoolWithTag"},      // IrqlExAllocatePool
    {kDdiPool2, HIGH_LEVEL, DISPATCH_LEVEL, 0x20004, "ExAllocatePoolWithTag"},             // the same, ExAllocatePool2
    {kDdiPagedPool, DISPATCH_LEVEL, APC_LEVEL, 0x01, nullptr},                // paged pool above APC_LEVEL
    {kDdiAcquireSpinLock, HIGH_LEVEL, DISPATCH_LEVEL, 0x42, nullptr},         // KeAcquireSpinLock above DISPATCH_LEVEL
    {kDdiWaitTimeout, DISPATCH_LEVEL, APC_LEVEL, 0x120, nullptr},             // a blocking wait at DISPATCH_LEVEL
    {kDdiEnterCriticalRegion, DISPATCH_LEVEL, APC_LEVEL, 0x11A, nullptr},     // KeEnterCriticalRegion above APC_LEVEL
    {kDdiLeaveCriticalRegion, DISPATCH_LEVEL, APC_LEVEL, 0x11B, nullptr},     // KeLeaveCriticalRegion above APC_LEVEL
    {kDdiMdl, HIGH_LEVEL, DISPATCH_LEVEL, 0x70, nullptr},                   // MmProbeAndLockPages above DISPATCH_LEVEL
    {kDdiMapLockedPages, HIGH_LEVEL, DISPATCH_LEVEL, 0x74, nullptr},          // MmMapLockedPages, kernel mapping
    {kDdiMapLockedPagesUser, DISPATCH_LEVEL, APC_LEVEL, 0x75, nullptr},       // MmMapLockedPages, user mapping
    {kDdiMapSpecifyCache, HIGH_LEVEL, DISPATCH_LEVEL, 0x76, nullptr},         // MmMapLockedPagesSpecifyCache, kernel
    {kDdiMapSpecifyCacheUser, DISPATCH_LEVEL, APC_LEVEL, 0x77, nullptr},      // MmMapLockedPagesSpecifyCache, user
    {kDdiUnlockPages, HIGH_LEVEL, DISPATCH_LEVEL, 0x78, nullptr},             // MmUnlockPages above DISPATCH_LEVEL
    // Locks that need normal kernel APCs disabled (APC_LEVEL does that): an unverified caller is not
    // checked (tests/unit/ex), as NT checks these under Driver Verifier only.
    {kDdiAcquireResource, PASSIVE_LEVEL, APC_LEVEL, 0x37, nullptr},          // ERESOURCE with APCs enabled
    {kDdiFastMutexUnsafe, PASSIVE_LEVEL, APC_LEVEL, 0x39, nullptr},          // ExAcquireFastMutexUnsafe
    {kDdiFastMutexUnsafeRelease, PASSIVE_LEVEL, APC_LEVEL, 0x3A, nullptr},   // ExReleaseFastMutexUnsafe
    // Fast mutexes at the wrong IRQL: an unverified caller gets NT's own stops instead
    // (tests/unit/ex: the acquire's raise to APC_LEVEL is a lowering; the release goes through).
    {kDdiFastMutex, DISPATCH_LEVEL, APC_LEVEL, 0x33, nullptr},              // ExAcquireFastMutex above APC_LEVEL
    {kDdiFastMutexRelease, DISPATCH_LEVEL, APC_LEVEL, 0x34, nullptr},       // ExReleaseFastMutex not at APC_LEVEL
    // The rest of spec 3.6 (rule pages: learn.microsoft.com/windows-hardware/drivers/devtest/wdm-<rule>).
    {kDdiObjectSecurity, DISPATCH_LEVEL, APC_LEVEL, 0x20002, "ObGetObjectSecurity"},       // IrqlApcLte
    {kDdiDeviceQueue, PASSIVE_LEVEL, DISPATCH_LEVEL, 0x20003, "KeInsertDeviceQueue"},      // IrqlDispatch
    {kDdiAcquireSpinLockAtDpcLevel, APC_LEVEL, DISPATCH_LEVEL, 0x20003, "KeAcquireSpinLockAtDpcLevel"},  // IrqlDispatch
    {kDdiPagedLookaside, DISPATCH_LEVEL, APC_LEVEL, 0x20006, "ExInitializePagedLookasideList"},  // IrqlExApcLte2
    {kDdiTimerResolution, DISPATCH_LEVEL, APC_LEVEL, 0x20006, "ExSetTimerResolution"},     // IrqlExApcLte2
    {kDdiResourceShared, DISPATCH_LEVEL, APC_LEVEL, 0x20007, "ExAcquireResourceSharedLite"},  // IrqlExApcLte3
    {kDdiUuidCreate, APC_LEVEL, PASSIVE_LEVEL, 0x20008, "ExUuidCreate"},                   // IrqlExPassive
    {kDdiDeviceToVerify, HIGH_LEVEL, DISPATCH_LEVEL, 0x20022, "IoGetDeviceToVerify"},      // IrqlIoDispatch
    {kDdiGuardedMutex, DISPATCH_LEVEL, APC_LEVEL, 0x2000F, "KeAcquireGuardedMutex"},       // IrqlKeApcLte1
    {kDdiDelayExecution, DISPATCH_LEVEL, APC_LEVEL, 0x2000F, "KeDelayExecutionThread"},    // IrqlKeApcLte1
    {kDdiAreApcsDisabled, DISPATCH_LEVEL, APC_LEVEL, 0x20010, "KeAreApcsDisabled"},        // IrqlKeApcLte2
    {kDdiTimer, HIGH_LEVEL, DISPATCH_LEVEL, 0x20011, "KeInitializeTimer"},                 // IrqlKeDispatchLte
    {kDdiClearEvent, HIGH_LEVEL, DISPATCH_LEVEL, 0x20011, "KeClearEvent"},                 // IrqlKeDispatchLte
    {kDdiNonCachedMemory, DISPATCH_LEVEL, APC_LEVEL, 0x20019, "MmAllocateNonCachedMemory"},  // IrqlMmApcLte
};

bool maps_for_user(ULONG mode) { return mode == kDdiMapLockedPagesUser || mode == kDdiMapSpecifyCacheUser; }

TEST_F(DdiTest, each_irql_rule_trips_at_the_wrong_irql) {
    load_ddi();
    for (const IrqlCase& c : kCases) {
        SCOPED_TRACE(testing::Message() << "mode " << c.mode);
        ASSERT_EQ(NtioVerifierSetFlags(m_ddi, kDdiFlags), STATUS_SUCCESS);
        Outcome outcome;
        PIRP irp = ddi_read(lower(), c.mode, c.bad, outcome);
        auto bc = expect_bugcheck([&] { (void)IoCallDriver(lower(), irp); }, DRIVER_VERIFIER_DETECTED_VIOLATION,
                                  c.subcode);
        // The MDL the driver had when its Mm routine stopped (locked, except for kDdiMdl's).
        const PMDL mdl = ext(lower())->SpareMdl;
        // Another stop (reported above) has other parameters: parameter 2 is no string then.
        const bool tripped = bc.code == DRIVER_VERIFIER_DETECTED_VIOLATION && bc.p1 == c.subcode;
        if (tripped && c.subcode >= 0x20000) {
            // A DDI compliance rule: parameter 2 is the rule's condition string, naming the DDI;
            // parameter 3 the optional rule state (none), parameter 4 reserved.
            ASSERT_NE(bc.p2, 0u);
            EXPECT_NE(std::string(reinterpret_cast<const char*>(bc.p2)).find(c.condition), std::string::npos)
                << reinterpret_cast<const char*>(bc.p2);
            EXPECT_EQ(bc.p3, 0u);
            EXPECT_EQ(bc.p4, 0u);
        } else if (tripped) {
            EXPECT_EQ(bc.p2, static_cast<ULONG_PTR>(c.bad));  // the current IRQL
            switch (c.subcode) {
            case 0x01:  // pool type, bytes
                EXPECT_EQ(bc.p3, static_cast<ULONG_PTR>(PagedPool));
                EXPECT_EQ(bc.p4, 32u);
                break;
            case 0x42:  // the spin lock
                EXPECT_EQ(bc.p3, ptr(&ext(lower())->Lock));
                EXPECT_EQ(bc.p4, 0u);
                break;
            case 0x120:  // NT deviation: the IRQL itself in parameter 2; the object, the timeout
                EXPECT_EQ(bc.p3, ptr(&ext(lower())->Event));
                EXPECT_NE(bc.p4, 0u);
                break;
            case 0x70:
            case 0x74:
            case 0x75:
            case 0x76:
            case 0x77:  // the MDL, the access mode
                EXPECT_NE(mdl, nullptr);
                EXPECT_EQ(bc.p3, ptr(mdl));
                EXPECT_EQ(bc.p4, static_cast<ULONG_PTR>(maps_for_user(c.mode) ? UserMode : KernelMode));
                break;
            case 0x78:  // the MDL, 0
                EXPECT_NE(mdl, nullptr);
                EXPECT_EQ(bc.p3, ptr(mdl));
                EXPECT_EQ(bc.p4, 0u);
                break;
            case 0x37:  // the thread's CombinedApcDisable (none), the lock
                EXPECT_EQ(bc.p3, 0u);
                EXPECT_EQ(bc.p4, ptr(&ext(lower())->Resource));
                break;
            case 0x39:
            case 0x3A:
                EXPECT_EQ(bc.p3, 0u);
                EXPECT_EQ(bc.p4, ptr(&ext(lower())->FastMutex));
                break;
            case 0x33:
            case 0x34:  // the fast mutex, 0
                EXPECT_EQ(bc.p3, ptr(&ext(lower())->FastMutex));
                EXPECT_EQ(bc.p4, 0u);
                break;
            default:  // 0x11A, 0x11B: the current IRQL only
                EXPECT_EQ(bc.p3, 0u);
                EXPECT_EQ(bc.p4, 0u);
                break;
            }
        }
        // The lock the stopped release left held, released where the rules allow it while the driver
        // is still verified (its count of held locks goes down with it).
        if (c.mode == kDdiReleaseSpinLockAtPassive) {
            KIRQL passive;
            KeRaiseIrql(DISPATCH_LEVEL, &passive);
            KeReleaseSpinLockFromDpcLevel(&ext(lower())->Lock);
        }
        recover();
        // Back at PASSIVE_LEVEL: what the driver was stopped in the middle of.
        if (c.mode == kDdiLeaveCriticalRegion) KeLeaveCriticalRegion();
        if (c.mode == kDdiFastMutexUnsafeRelease) {  // the release that was stopped
            KeEnterCriticalRegion();
            ExReleaseFastMutexUnsafe(&ext(lower())->FastMutex);
            KeLeaveCriticalRegion();
        }
        if (c.mode == kDdiFastMutexRelease) {  // still owned: released at APC_LEVEL, back to PASSIVE_LEVEL
            KIRQL passive;
            KeRaiseIrql(APC_LEVEL, &passive);
            ExReleaseFastMutex(&ext(lower())->FastMutex);
        }
        free_spare_mdl();
        EXPECT_NE(last_report().find("VerDdi"), std::string::npos);
        IoFreeIrp(irp);
    }
}

TEST_F(DdiTest, each_irql_rule_accepts_its_legal_irql) {
    load_ddi();
    for (const IrqlCase& c : kCases) {
        SCOPED_TRACE(testing::Message() << "mode " << c.mode);
        Outcome outcome;
        PIRP irp = ddi_read(lower(), c.mode, c.good, outcome);
        expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(lower(), irp), STATUS_SUCCESS); });
        EXPECT_EQ(outcome.completions.load(), 1);
        EXPECT_EQ(outcome.status.load(), STATUS_SUCCESS);
        EXPECT_EQ(ext(lower())->SpareMdl, nullptr);
        IoFreeIrp(irp);
    }
    // A zero-timeout wait is legal at DISPATCH_LEVEL.
    Outcome outcome;
    PIRP irp = ddi_read(lower(), kDdiWaitPoll, DISPATCH_LEVEL, outcome);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(lower(), irp), STATUS_SUCCESS); });
    IoFreeIrp(irp);
}

// 0xC4 0x42 is KeAcquireSpinLock's. The *AtDpcLevel acquires are for callers already at
// IRQL >= DISPATCH_LEVEL and take the lock "without modifying the current IRQL" above it
// (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keacquirespinlockatdpclevel,
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keacquireinstackqueuedspinlockatdpclevel):
// legal at HIGH_LEVEL, where KeAcquireSpinLock trips 0x42.
TEST_F(DdiTest, acquiring_a_spin_lock_at_dpc_level_above_dispatch_is_legal) {
    load_ddi();
    for (KIRQL irql : {KIRQL{DISPATCH_LEVEL}, KIRQL{HIGH_LEVEL}}) {
        SCOPED_TRACE(testing::Message() << "IRQL " << int{irql});
        Outcome outcome;
        PIRP irp = ddi_read(lower(), kDdiAcquireSpinLockAtDpcLevel, irql, outcome);
        expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(lower(), irp), STATUS_SUCCESS); });
        EXPECT_EQ(outcome.completions.load(), 1);
        IoFreeIrp(irp);
    }
    EXPECT_TRUE(KeTestSpinLock(&ext(lower())->Lock));
}

TEST_F(DdiTest, force_irql_checking_alone_enables_the_rules) {
    // Without I/O verification the dispatch is not checked, but its code still runs as the driver's.
    load_ddi(NTIO_VERIFIER_FORCE_IRQL_CHECKING);
    Outcome outcome;
    PIRP irp = ddi_read(lower(), kDdiPsGetVersion, APC_LEVEL, outcome);
    expect_bugcheck([&] { (void)IoCallDriver(lower(), irp); }, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001C);
    recover();
    IoFreeIrp(irp);
}

// Without I/O verification (whose 0xC9 0x0E covers it), IoCompleteRequest above DISPATCH_LEVEL is
// the DDI checks' 0xE5 with the current IRQL.
TEST_F(DdiTest, complete_request_above_dispatch_is_0xe5_under_force_irql_checking) {
    load_ddi(NTIO_VERIFIER_FORCE_IRQL_CHECKING);
    Outcome outcome;
    PIRP irp = ddi_read(lower(), kDdiCompleteRaised, HIGH_LEVEL, outcome);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(lower(), irp); }, DRIVER_VERIFIER_DETECTED_VIOLATION, 0xE5);
    EXPECT_EQ(bc.p2, static_cast<ULONG_PTR>(HIGH_LEVEL));
    recover();
    IoFreeIrp(irp);
}

TEST_F(DdiTest, complete_request_at_dispatch_is_legal_under_force_irql_checking) {
    load_ddi(NTIO_VERIFIER_FORCE_IRQL_CHECKING);
    Outcome outcome;
    PIRP irp = ddi_read(lower(), kDdiCompleteRaised, DISPATCH_LEVEL, outcome);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(lower(), irp), STATUS_SUCCESS); });
    EXPECT_EQ(outcome.completions.load(), 1);
    IoFreeIrp(irp);
}

TEST_F(DdiTest, io_verification_alone_does_not_check_ddi_irql) {
    load_ddi(NTIO_VERIFIER_IO_CHECKING);
    Outcome outcome;
    PIRP irp = ddi_read(lower(), kDdiPsGetVersion, APC_LEVEL, outcome);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(lower(), irp), STATUS_SUCCESS); });
    IoFreeIrp(irp);
}

// The same misuse by a driver nobody verifies (another driver is, so the verifier is active).
TEST_F(DdiTest, unverified_driver_breaking_the_rules_is_not_flagged) {
    load_buggy();
    load_ddi(0);
    for (const IrqlCase& c : kCases) {
        // Paged pool and a blocking wait at DISPATCH_LEVEL, and these DDIs above DISPATCH_LEVEL (which
        // take locks that raise to DISPATCH_LEVEL), fail on NT without the verifier too.
        // A fast mutex acquired at DISPATCH_LEVEL is a raise to a lower IRQL (tests/unit/ex).
        if (c.mode == kDdiPagedPool || c.mode == kDdiWaitTimeout || c.mode == kDdiFastMutex ||
            c.bad > DISPATCH_LEVEL)
            continue;
        SCOPED_TRACE(testing::Message() << "mode " << c.mode);
        Outcome outcome;
        PIRP irp = ddi_read(lower(), c.mode, c.bad, outcome);
        expect_no_bugcheck([&] { (void)IoCallDriver(lower(), irp); });
        if (c.mode == kDdiReleaseSpinLockAtPassive) KeLowerIrql(PASSIVE_LEVEL);
        EXPECT_EQ(ext(lower())->SpareMdl, nullptr);
        IoFreeIrp(irp);
    }
    for (ULONG mode : {ULONG{kDdiCriticalRegionLeft}, ULONG{kDdiCompleteUnderSpinLock}}) {
        Outcome outcome;
        PIRP irp = ddi_read(lower(), mode, PASSIVE_LEVEL, outcome);
        expect_no_bugcheck([&] { (void)IoCallDriver(lower(), irp); });
        if (mode == kDdiCriticalRegionLeft) KeLeaveCriticalRegion();
        IoFreeIrp(irp);
    }
}

// Spec 5.1 P1: PsGetVersion under a spin lock in the routine that cancels queued reads.
TEST_F(DdiTest, p1_ps_get_version_under_the_queue_lock_is_irql_ps_passive) {
    load_ddi();
    PIRP create = simple_irp(IRP_MJ_CREATE);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(lower(), create), STATUS_SUCCESS); });
    IoFreeIrp(create);
    Outcome outcome;
    PIRP read = ddi_read(lower(), kDdiPark, PASSIVE_LEVEL, outcome);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(lower(), read), STATUS_PENDING); });
    ext(lower())->BuggyCleanup = true;
    PIRP cleanup = simple_irp(IRP_MJ_CLEANUP);
    auto bc = expect_bugcheck([&] { (void)IoCallDriver(lower(), cleanup); }, DRIVER_VERIFIER_DETECTED_VIOLATION,
                              0x2001C);
    EXPECT_NE(std::string(reinterpret_cast<const char*>(bc.p2)).find("PsGetVersion"), std::string::npos);
    EXPECT_NE(last_report().find("IrqlPsPassive"), std::string::npos);
    KeReleaseSpinLock(&ext(lower())->Lock, PASSIVE_LEVEL);
    recover();
    EXPECT_EQ(VerDdiTakeQueued(lower()), read);
    complete_read(read, STATUS_CANCELLED);
    IoFreeIrp(read);
    IoFreeIrp(cleanup);
}

// P2: a completion routine that raises to DISPATCH_LEVEL and calls KeSetEvent(Wait = TRUE).
TEST_F(DdiTest, p2_completion_routine_set_event_wait_at_dispatch_is_irql_ke_set_event) {
    load_ddi();
    Outcome outcome;
    PIRP irp = ddi_read(upper(), kDdiPsGetVersion, PASSIVE_LEVEL, outcome, kForwardRoutineSetsEventWait);
    expect_bugcheck([&] { (void)IoCallDriver(upper(), irp); }, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20016);
    recover();
    IoFreeIrp(irp);
}

TEST_F(DdiTest, completion_routine_setting_the_event_without_wait_is_legal) {
    load_ddi();
    Outcome outcome;
    PIRP irp = ddi_read(upper(), kDdiPsGetVersion, PASSIVE_LEVEL, outcome, kForwardRoutineSetsEvent);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(upper(), irp), STATUS_SUCCESS); });
    EXPECT_EQ(outcome.completions.load(), 1);
    IoFreeIrp(irp);
}

// P2: IoGetInitialStack from a DPC. The DPC runs on a DPC thread, where a bugcheck stops the
// process: checked in a death test (the stop line carries code and rule subcode).
TEST_F(DdiTest, p2_io_get_initial_stack_from_a_dpc_is_irql_io_apc_lte) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            load_ddi();
            Outcome outcome;
            PIRP irp = ddi_read(lower(), kDdiDpcInitialStack, PASSIVE_LEVEL, outcome);
            (void)IoCallDriver(lower(), irp);
            for (;;) {
                LARGE_INTEGER ms;
                ms.QuadPart = -10000;
                KeDelayExecutionThread(KernelMode, FALSE, &ms);
            }
        },
        R"(STOP: 0x000000C4 \(0x0000000000020009, )");
}

TEST_F(DdiTest, io_get_initial_stack_at_passive_returns_this_threads_stack_top) {
    load_ddi();
    Outcome outcome;
    PIRP irp = ddi_read(lower(), kDdiIoGetInitialStack, PASSIVE_LEVEL, outcome);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(lower(), irp), STATUS_SUCCESS); });
    IoFreeIrp(irp);
    int local = 0;
    auto* top = static_cast<char*>(IoGetInitialStack());
    ASSERT_NE(top, nullptr);
    EXPECT_GT(top, reinterpret_cast<char*>(&local));  // the stack grows down from its initial pointer
}

TEST_F(DdiTest, ps_get_version_reports_a_free_build) {
    ULONG major = 0, minor = 1, build = 0;
    WCHAR buffer[8] = {L'x'};
    UNICODE_STRING csd{0, sizeof buffer, buffer};
    EXPECT_FALSE(PsGetVersion(&major, &minor, &build, &csd));
    EXPECT_EQ(major, 10u);
    EXPECT_EQ(minor, 0u);
    EXPECT_GT(build, 0u);
    EXPECT_EQ(csd.Length, 0u);
    EXPECT_FALSE(PsGetVersion(nullptr, nullptr, nullptr, nullptr));
}

}  // namespace
}  // namespace ntio::verifier::test

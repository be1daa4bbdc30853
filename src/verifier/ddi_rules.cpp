// DDI compliance checking at run time (bug check 0xC4): the IRQL rules of the DDI compliance rule
// set as assertions at DDI entry, against ntio's per-thread IRQL, for drivers verified with DDI
// compliance checking or Force IRQL checking. Subcodes and rule conditions from
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc4--driver-verifier-detected-violation
// and the rule pages (https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqlpspassive etc.).
#include <cstddef>

#include "ke/spin_lock.hpp"
#include "ke/thread.hpp"
#include "verifier/sdv_cancel.hpp"
#include "verifier/state.hpp"
#include "verifier/verifier.hpp"

namespace ntio::verifier {
namespace {

ULONG_PTR ptr(const void* p) noexcept { return reinterpret_cast<ULONG_PTR>(p); }

// One DDI compliance rule: parameter 1 of 0xC4, the IRQL range its DDIs accept, and the condition
// string parameter 2 points to (what !ruleinfo prints on Windows).
struct RuleInfo {
    const char* name;
    ULONG_PTR subcode;
    KIRQL min_irql;
    KIRQL max_irql;
    const char* condition;
};

// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqlexallocatepool (0x20004)
constexpr RuleInfo kExAllocatePool{"IrqlExAllocatePool", 0x20004, PASSIVE_LEVEL, DISPATCH_LEVEL,
                                   "ExAllocatePoolWithTag and ExAllocatePoolWithTagPriority should only be "
                                   "called at IRQL <= DISPATCH_LEVEL."};
// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqlioapclte (0x20009)
constexpr RuleInfo kIoApcLte{"IrqlIoApcLte", 0x20009, PASSIVE_LEVEL, APC_LEVEL,
                             "IoDeleteDevice, IoGetInitialStack, IoRaiseHardError and IoRaiseInformationalHardError "
                             "should only be called at IRQL <= APC_LEVEL."};
// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqliopassive1 (0x2000A): PASSIVE_LEVEL,
// and one routine (IoBuildDeviceIoControlRequest, whose DDI page allows APC_LEVEL) at <= APC_LEVEL.
constexpr RuleInfo kIoPassive1{"IrqlIoPassive1", 0x2000A, PASSIVE_LEVEL, PASSIVE_LEVEL,
                               "IoAttachDevice, IoCreateDevice and IoSetDeviceInterfaceState should only be called "
                               "at IRQL = PASSIVE_LEVEL."};
constexpr RuleInfo kIoPassive1ApcLte{"IrqlIoPassive1", 0x2000A, PASSIVE_LEVEL, APC_LEVEL,
                                     "IoBuildDeviceIoControlRequest should only be called at IRQL <= APC_LEVEL."};
// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqliopassive2 (0x2000B)
constexpr RuleInfo kIoPassive2{"IrqlIoPassive2", 0x2000B, PASSIVE_LEVEL, PASSIVE_LEVEL,
                               "IoCheckShareAccess, IoConnectInterrupt and IoCreateController should only be called "
                               "at IRQL = PASSIVE_LEVEL."};
// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqliopassive5 (0x2000E): the
// page names its routines under "Applies to" only.
constexpr RuleInfo kIoPassive5{"IrqlIoPassive5", 0x2000E, PASSIVE_LEVEL, PASSIVE_LEVEL,
                               "IoGetConfigurationInformation, IoGetDeviceObjectPointer, IoGetDmaAdapter, "
                               "IoGetFileObjectGenericMapping, IoInitializeTimer, IoIsWdmVersionAvailable, "
                               "IoRegisterDriverReinitialization, IoRegisterShutdownNotification, IoRemoveShareAccess, "
                               "IoSetShareAccess, IoUnregisterShutdownNotification, IoUpdateShareAccess and "
                               "IoWMIRegistrationControl should only be called at IRQL = PASSIVE_LEVEL."};
// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqliopassive3 (0x2000C)
constexpr RuleInfo kIoPassive3{"IrqlIoPassive3", 0x2000C, PASSIVE_LEVEL, PASSIVE_LEVEL,
                               "IoCreateSymbolicLink, IoDetachDevice and IoRegisterDeviceInterface should only be "
                               "called at IRQL = PASSIVE_LEVEL."};
// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqliopassive4 (0x2000D)
constexpr RuleInfo kIoPassive4{"IrqlIoPassive4", 0x2000D, PASSIVE_LEVEL, PASSIVE_LEVEL,
                               "IoCreateFile, IoCreateNotificationEvent, IoCreateSynchronizationEvent, "
                               "IoCreateUnprotectedSymbolicLink, IoDeleteController, IoDeleteSymbolicLink and "
                               "IoDisconnectInterrupt should only be called at IRQL = PASSIVE_LEVEL."};
// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqlkereleasespinlock (0x20015)
constexpr RuleInfo kKeReleaseSpinLock{"IrqlKeReleaseSpinLock", 0x20015, DISPATCH_LEVEL, DISPATCH_LEVEL,
                                      "KeReleaseSpinLock should only be called at IRQL = DISPATCH_LEVEL."};
// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqlkesetevent (0x20016)
constexpr RuleInfo kKeSetEvent{"IrqlKeSetEvent", 0x20016, PASSIVE_LEVEL, DISPATCH_LEVEL,
                               "KeSetEvent should only be called at IRQL <= DISPATCH_LEVEL when Wait is FALSE."};
constexpr RuleInfo kKeSetEventWait{"IrqlKeSetEvent", 0x20016, PASSIVE_LEVEL, APC_LEVEL,
                                   "KeSetEvent should only be called at IRQL <= APC_LEVEL when Wait is TRUE."};
// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqlobpassive (0x2001B)
constexpr RuleInfo kObPassive{"IrqlObPassive", 0x2001B, PASSIVE_LEVEL, PASSIVE_LEVEL,
                              "ObReferenceObjectByHandle should only be called at IRQL = PASSIVE_LEVEL."};
// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqlpspassive (0x2001C)
constexpr RuleInfo kPsPassive{"IrqlPsPassive", 0x2001C, PASSIVE_LEVEL, PASSIVE_LEVEL,
                              "PsCreateSystemThread, PsGetVersion, PsTerminateSystemThread and the Ps*Notify "
                              "routines should only be called at IRQL = PASSIVE_LEVEL."};
// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqlrtlpassive (0x2001E)
constexpr RuleInfo kRtlPassive{"IrqlRtlPassive", 0x2001E, PASSIVE_LEVEL, PASSIVE_LEVEL,
                               "RtlDeleteRegistryValue should only be called at IRQL = PASSIVE_LEVEL."};
// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqlzwpassive (0x2001F)
constexpr RuleInfo kZwPassive{"IrqlZwPassive", 0x2001F, PASSIVE_LEVEL, PASSIVE_LEVEL,
                              "ZwClose, ZwCreateKey, ZwDeleteKey, ZwEnumerateKey, ZwEnumerateValueKey, ZwFlushKey, "
                              "ZwOpenKey, ZwQueryKey, ZwQueryValueKey and ZwSetValueKey should only be called at "
                              "IRQL = PASSIVE_LEVEL."};

// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqlapclte (0x20002)
constexpr RuleInfo kObApcLte{"IrqlApcLte", 0x20002, PASSIVE_LEVEL, APC_LEVEL,
                             "ObGetObjectSecurity and ObReleaseObjectSecurity should only be called at "
                             "IRQL <= APC_LEVEL."};
// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqldispatch (0x20003). The
// *AtDpcLevel spin lock routines it names take "IRQL >= DISPATCH_LEVEL" on their own DDI pages (see
// DdiRule::KeAcquireSpinLock below), so for them only a call below DISPATCH_LEVEL breaks it.
constexpr RuleInfo kDispatchOnly{"IrqlDispatch", 0x20003, DISPATCH_LEVEL, DISPATCH_LEVEL,
                                 "FreeAdapterChannel, FreeMapRegisters, GetScatterGatherList, IoAllocateAdapterChannel, "
                                 "IoAllocateController, IoFreeController, IoStartNextPacket, "
                                 "KeAcquireSpinLockAtDpcLevel, KeInsertByKeyDeviceQueue, KeInsertDeviceQueue, "
                                 "KeReleaseSpinLockFromDpcLevel, KeRemoveByKeyDeviceQueue, KeRemoveDeviceQueue and "
                                 "PutScatterGatherList should only be called at IRQL = DISPATCH_LEVEL."};
// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqlexapclte1 (0x20005)
constexpr RuleInfo kExApcLte1{"IrqlExApcLte1", 0x20005, PASSIVE_LEVEL, APC_LEVEL,
                              "ExAcquireFastMutex and ExTryToAcquireFastMutex should only be called at "
                              "IRQL <= APC_LEVEL."};
// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqlexapclte2 (0x20006)
constexpr RuleInfo kExApcLte2{"IrqlExApcLte2", 0x20006, PASSIVE_LEVEL, APC_LEVEL,
                              "CmRegisterCallback(Ex), CmUnRegisterCallback, ExAllocateFromPagedLookasideList, "
                              "ExAllocatePoolWithQuotaTag, ExDeletePagedLookasideList, ExFreeToPagedLookasideList, "
                              "ExInitializePagedLookasideList, ExRegisterCallback, ExSetTimerResolution and "
                              "ExUnregisterCallback should only be called at IRQL <= APC_LEVEL."};
// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqlexapclte3 (0x20007)
constexpr RuleInfo kExApcLte3{"IrqlExApcLte3", 0x20007, PASSIVE_LEVEL, APC_LEVEL,
                              "ExAcquireResourceExclusiveLite, ExAcquireResourceSharedLite, "
                              "ExAcquireSharedStarveExclusive, ExAcquireSharedWaitForExclusive, "
                              "ExConvertExclusiveToSharedLite and ExDeleteResourceLite should only be called at "
                              "IRQL <= APC_LEVEL."};
// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqlexpassive (0x20008)
constexpr RuleInfo kExPassive{"IrqlExPassive", 0x20008, PASSIVE_LEVEL, PASSIVE_LEVEL,
                              "ExCreateCallback, ExIsProcessorFeaturePresent and ExUuidCreate should only be called "
                              "at IRQL = PASSIVE_LEVEL."};
// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqliodispatch (0x20022)
constexpr RuleInfo kIoDispatch{"IrqlIoDispatch", 0x20022, PASSIVE_LEVEL, DISPATCH_LEVEL,
                               "IoGetDeviceToVerify and IoSetDeviceToVerify should only be called at "
                               "IRQL <= DISPATCH_LEVEL."};
// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqlkeapclte1 (0x2000F)
constexpr RuleInfo kKeApcLte1{"IrqlKeApcLte1", 0x2000F, PASSIVE_LEVEL, APC_LEVEL,
                              "KeAcquireGuardedMutex(Unsafe), KeDelayExecutionThread, KeQueryActiveProcessors, "
                              "KeReleaseGuardedMutex(Unsafe) and KeTryToAcquireGuardedMutex should only be called "
                              "at IRQL <= APC_LEVEL."};
// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqlkeapclte2 (0x20010)
constexpr RuleInfo kKeApcLte2{"IrqlKeApcLte2", 0x20010, PASSIVE_LEVEL, APC_LEVEL,
                              "KeAreAllApcsDisabled, KeAreApcsDisabled, KeDeregisterNmiCallback, "
                              "KeEnterCriticalRegion, KeEnterGuardedRegion, KeLeaveCriticalRegion, "
                              "KeLeaveGuardedRegion and KeRegisterNmiCallback should only be called at "
                              "IRQL <= APC_LEVEL."};
// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqlkedispatchlte (0x20011)
constexpr RuleInfo kKeDispatchLte{"IrqlKeDispatchLte", 0x20011, PASSIVE_LEVEL, DISPATCH_LEVEL,
                                  "KeAcquireSpinLock, KeCancelTimer, KeClearEvent, KeInitializeDeviceQueue, "
                                  "KeInitializeSemaphore, KeInitializeTimer(Ex), KePulseEvent, KeRaiseIrqlToDpcLevel, "
                                  "KeReadStateEvent, KeReadStateTimer, KeReleaseMutex, KeRemoveEntryDeviceQueue, "
                                  "KeResetEvent and KeSetTimer(Ex) should only be called at IRQL <= DISPATCH_LEVEL."};
// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqlmmapclte (0x20019)
constexpr RuleInfo kMmApcLte{"IrqlMmApcLte", 0x20019, PASSIVE_LEVEL, APC_LEVEL,
                             "MmAllocateNonCachedMemory, MmAllocatePagesForMdl(Ex), MmFreeNonCachedMemory, "
                             "MmFreePagesFromMdl, MmLockPagableDataSection, MmLockPagableSectionByHandle, "
                             "MmPageEntireDriver, MmResetDriverPaging, MmSecureVirtualMemory, "
                             "MmUnlockPagableImageSection and MmUnsecureVirtualMemory should only be called at "
                             "IRQL <= APC_LEVEL."};
// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-irqlmmdispatch: the rule page lists
// no bug check, but bug check 0xC4's page gives the rule 0x2001A (run time, Windows 8 and later).
// Learn's 0xC4 row says "= DISPATCH_LEVEL"; the rule page and MmFreeContiguousMemory's own page
// (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmfreecontiguousmemory) say
// <= DISPATCH_LEVEL, which is what is checked.
constexpr RuleInfo kMmDispatch{"IrqlMmDispatch", 0x2001A, PASSIVE_LEVEL, DISPATCH_LEVEL,
                               "MmFreeContiguousMemory should only be called at IRQL <= DISPATCH_LEVEL."};
// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-guardedregions (0x4000E)
constexpr RuleInfo kGuardedRegions{"GuardedRegions", 0x4000E, PASSIVE_LEVEL, HIGH_LEVEL,
                                   "KeEnterGuardedRegion and KeLeaveGuardedRegion should be used in strict "
                                   "alternation."};
// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-queuedspinlock (0x40006)
constexpr RuleInfo kQueuedSpinLock{"QueuedSpinLock", 0x40006, PASSIVE_LEVEL, HIGH_LEVEL,
                                   "KeAcquireInStackQueuedSpinLock should be called before "
                                   "KeReleaseInStackQueuedSpinLock, and KeReleaseInStackQueuedSpinLock before the "
                                   "same lock is acquired again."};
// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-requestedpowerirp (0x4100B): the
// Irp out parameter is for IRP_MN_WAIT_WAKE only; PoRequestPowerIrp's page says to pass NULL for
// the other minor functions, whose IRP may be gone before the call returns.
constexpr RuleInfo kRequestedPowerIrp{"RequestedPowerIrp", 0x4100B, PASSIVE_LEVEL, HIGH_LEVEL,
                                      "PoRequestPowerIrp should be called with Irp set to NULL unless the minor "
                                      "function is IRP_MN_WAIT_WAKE."};

void violate(const RuleInfo& rule, PDRIVER_OBJECT driver, PIRP irp = nullptr) noexcept {
    report({DRIVER_VERIFIER_DETECTED_VIOLATION, rule.subcode, ptr(rule.condition), 0, 0, Severity::Always, rule.name,
            rule.condition, driver, irp, nullptr});
}

void check_range(const RuleInfo& rule, PDRIVER_OBJECT driver, KIRQL irql) noexcept {
    if (irql < rule.min_irql || irql > rule.max_irql) violate(rule, driver);
}

// 0xC4 0xE5, "A call was made to a Kernel API at the incorrect IRQL" (parameter 2 the current IRQL,
// 3 and 4 reserved).
void wrong_irql_api(PDRIVER_OBJECT driver, KIRQL irql, const char* message) noexcept {
    report({DRIVER_VERIFIER_DETECTED_VIOLATION, 0xE5, irql, 0, 0, Severity::Always, nullptr, message, driver, nullptr,
            nullptr});
}

// The classic Force IRQL checking subcodes of 0xC4, whose parameters Learn lists one by one.
void classic(ULONG_PTR subcode, ULONG_PTR p2, ULONG_PTR p3, ULONG_PTR p4, const char* message,
             PDRIVER_OBJECT driver) noexcept {
    report({DRIVER_VERIFIER_DETECTED_VIOLATION, subcode, p2, p3, p4, Severity::Always, nullptr, message, driver,
            nullptr, nullptr});
}


// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-pnpremove (0x43006)
constexpr RuleInfo kPnpRemove{"PnpRemove", 0x43006, PASSIVE_LEVEL, HIGH_LEVEL,
                              "IRP_MN_SURPRISE_REMOVAL, IRP_MN_CANCEL_REMOVE_DEVICE, IRP_MN_CANCEL_STOP_DEVICE and "
                              "IRP_MN_REMOVE_DEVICE requests should not be completed with a failure status."};

// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-iosetcompletionexcompleteirp (0x4100F)
constexpr RuleInfo kCompletionExCompleteIrp{"IoSetCompletionExCompleteIrp", 0x4100F, PASSIVE_LEVEL, HIGH_LEVEL,
                                            "When IoSetCompletionRoutineEx fails, the driver should complete the IRP "
                                            "and return instead of calling IoCallDriver or PoCallDriver."};

// The IRP whose IoSetCompletionRoutineEx last failed on this thread in a driver with DDI compliance
// checking, until it is completed or gets a routine after all.
constinit thread_local PIRP t_failed_completion_ex = nullptr;

// A misuse Force IRQL checking has a classic subcode for and a DDI compliance rule also names: the
// classic stop for a driver with Force IRQL checking, the rule's for one with DDI compliance alone.
bool force_irql(PDRIVER_OBJECT driver) noexcept {
    return (driver_flags(driver) & NTIO_VERIFIER_FORCE_IRQL_CHECKING) != 0;
}

// The rules that are not about the IRQL run with DDI compliance checking only.
bool ddi_compliance(PDRIVER_OBJECT driver) noexcept {
    return (driver_flags(driver) & NTIO_VERIFIER_DDI_COMPLIANCE) != 0;
}

}  // namespace


PDRIVER_OBJECT ddi_checked_driver() noexcept {
    PDRIVER_OBJECT driver = context_driver();
    if (!driver) return nullptr;
    return (driver_flags(driver) & (NTIO_VERIFIER_DDI_COMPLIANCE | NTIO_VERIFIER_FORCE_IRQL_CHECKING)) ? driver
                                                                                                          : nullptr;
}

void check_ddi_irql(DdiRule rule, ULONG_PTR arg1, ULONG_PTR arg2) noexcept {
    if (rule == DdiRule::ExFreePool) {
        check_free_pool(reinterpret_cast<PVOID>(arg1));
        return;
    }
    PDRIVER_OBJECT driver = ddi_checked_driver();
    if (!driver) {
        // The count is the driver's: a lock its code took is released wherever the release runs.
        if ((rule == DdiRule::KeReleaseSpinLock || rule == DdiRule::KeReleaseSpinLockFromDpcLevel) &&
            t_state.held_spin_locks > 0)
            --t_state.held_spin_locks;
        return;
    }
    const KIRQL irql = current_irql();
    switch (rule) {
    case DdiRule::ExAllocatePool: {
        const ULONG type = static_cast<ULONG>(arg1);
        // POOL_TYPE: odd values are paged. 0xC4 0x01 / 0x02: parameters IRQL, pool type, bytes.
        if ((type & 1) && irql > APC_LEVEL)
            classic(0x01, irql, type, arg2, "the driver allocated paged pool at IRQL > APC_LEVEL", driver);
        check_range(kExAllocatePool, driver, irql);
        break;
    }
    case DdiRule::ExFreePool: break;  // handled above
    case DdiRule::IoApcLte: check_range(kIoApcLte, driver, irql); break;
    case DdiRule::IoPassive1: check_range(kIoPassive1, driver, irql); break;
    case DdiRule::IoPassive1ApcLte: check_range(kIoPassive1ApcLte, driver, irql); break;
    case DdiRule::IoPassive2: check_range(kIoPassive2, driver, irql); break;
    case DdiRule::IoPassive3: check_range(kIoPassive3, driver, irql); break;
    case DdiRule::IoPassive5: check_range(kIoPassive5, driver, irql); break;
    case DdiRule::IoPassive4: check_range(kIoPassive4, driver, irql); break;
    case DdiRule::IoDispatchLte:
        // IoCompleteRequest: "IRQL <= DISPATCH_LEVEL" on its DDI page; for drivers without I/O
        // verification (whose 0xC9 0x0E covers it) the DDI checks report it as 0xE5.
        if (irql > DISPATCH_LEVEL && !(driver_flags(driver) & NTIO_VERIFIER_IO_CHECKING))
            wrong_irql_api(driver, irql, "an I/O manager routine was called above DISPATCH_LEVEL");
        break;
    case DdiRule::IrqlAtMost:
        // NT guess: Learn lists no routine 0xE5 covers; ntio reports it for the PnP, power and kernel
        // routines (KeInvalidate*AllCaches, the hardware counter configuration) whose own pages state
        // an IRQL bound and that no DDI compliance rule names.
        if (irql > static_cast<KIRQL>(arg1))
            wrong_irql_api(driver, irql, "a routine was called above the IRQL its page allows");
        break;
    case DdiRule::MmDispatch: check_range(kMmDispatch, driver, irql); break;
    case DdiRule::KeAcquireSpinLock:
        // 0xC4 0x42 is KeAcquireSpinLock's (and the raising acquires built like it). The *AtDpcLevel
        // forms are for callers "already running at IRQL >= DISPATCH_LEVEL"; above DISPATCH_LEVEL they
        // take the lock "without modifying the current IRQL", so no rule forbids them there:
        // https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keacquirespinlockatdpclevel
        // https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keacquireinstackqueuedspinlockatdpclevel
        if (arg2) {
            if (irql < DISPATCH_LEVEL) violate(kDispatchOnly, driver);
        } else if (irql > DISPATCH_LEVEL) {
            if (force_irql(driver))
                classic(0x42, irql, arg1, 0, "the driver called KeAcquireSpinLock with IRQL > DISPATCH_LEVEL", driver);
            else
                violate(kKeDispatchLte, driver);
        }
        ++t_state.held_spin_locks;
        break;
    case DdiRule::KeReleaseSpinLock:
        check_range(kKeReleaseSpinLock, driver, irql);
        if (t_state.held_spin_locks > 0) --t_state.held_spin_locks;
        break;
    case DdiRule::KeReleaseSpinLockFromDpcLevel:
        if (irql < DISPATCH_LEVEL) violate(kDispatchOnly, driver);
        if (t_state.held_spin_locks > 0) --t_state.held_spin_locks;
        break;
    case DdiRule::KeSetEvent: check_range(arg1 ? kKeSetEventWait : kKeSetEvent, driver, irql); break;
    case DdiRule::KeWait: {
        // https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kewaitforsingleobject:
        // <= DISPATCH_LEVEL, and <= APC_LEVEL unless the timeout is zero.
        const auto* timeout = reinterpret_cast<const LARGE_INTEGER*>(arg2);
        const bool polls = timeout && timeout->QuadPart == 0;
        // NT deviation: parameter 2 is the IRQL itself (Windows passes the address of a copy), and
        // the blocking wait at DISPATCH_LEVEL is reported with the same subcode.
        if (irql > DISPATCH_LEVEL || (!polls && irql > APC_LEVEL))
            classic(0x120, irql, arg1, arg2, "the thread waits at an IRQL its timeout does not allow", driver);
        break;
    }
    case DdiRule::CriticalRegion:
        if (irql > APC_LEVEL && !force_irql(driver)) violate(kKeApcLte2, driver);
        if (irql > APC_LEVEL)
            classic(arg1 ? 0x11B : 0x11A, irql, 0, 0,
                    arg1 ? "the driver called KeLeaveCriticalRegion at IRQL > APC_LEVEL"
                         : "the driver called KeEnterCriticalRegion at IRQL > APC_LEVEL",
                    driver);
        break;
    case DdiRule::LockApcsDisabled: {
        const bool outside = arg2 == 0x37 ? irql < APC_LEVEL : irql != APC_LEVEL;
        _KTHREAD* thread = ke::current_thread_if_any();
        const bool apcs_disabled =
            thread && (ke::kernel_apc_disable(thread) != 0 || ke::special_apc_disable(thread) != 0);
        if (outside && !apcs_disabled) {
            classic(arg2, irql, thread ? ke::combined_apc_disable(thread) : 0, arg1,
                    arg2 == 0x37 ? "the driver acquired an ERESOURCE with normal kernel APCs enabled"
                    : arg2 == 0x39 ? "the driver called ExAcquireFastMutexUnsafe with APCs enabled outside APC_LEVEL"
                                   : "the driver called ExReleaseFastMutexUnsafe with APCs enabled outside APC_LEVEL",
                    driver);
        }
        break;
    }
    case DdiRule::FastMutexIrql:
        if (arg2 == 0x33 && irql > APC_LEVEL && !force_irql(driver)) violate(kExApcLte1, driver);
        if (arg2 == 0x33 ? irql > APC_LEVEL : irql != APC_LEVEL) {
            classic(arg2, irql, arg1, 0,
                    arg2 == 0x33 ? "the driver acquired a fast mutex above APC_LEVEL"
                                 : "the driver released a fast mutex at another IRQL than APC_LEVEL",
                    driver);
        }
        break;
    case DdiRule::ObPassive: check_range(kObPassive, driver, irql); break;
    case DdiRule::PsPassive: check_range(kPsPassive, driver, irql); break;
    case DdiRule::RtlPassive: check_range(kRtlPassive, driver, irql); break;
    case DdiRule::ZwPassive: check_range(kZwPassive, driver, irql); break;
    case DdiRule::MmProbeAndLockPages:
        if (irql > DISPATCH_LEVEL)
            classic(0x70, irql, arg1, arg2, "the driver called MmProbeAndLockPages with IRQL > DISPATCH_LEVEL", driver);
        break;
    case DdiRule::MmUnlockPages:
        if (irql > DISPATCH_LEVEL)
            classic(0x78, irql, arg1, 0, "the driver called MmUnlockPages with IRQL > DISPATCH_LEVEL", driver);
        break;
    case DdiRule::MmMapLockedPages:
    case DdiRule::MmMapLockedPagesSpecifyCache: {
        const bool user = static_cast<KPROCESSOR_MODE>(arg2) != KernelMode;
        if (irql > (user ? APC_LEVEL : DISPATCH_LEVEL)) {
            const ULONG_PTR base = rule == DdiRule::MmMapLockedPages ? 0x74 : 0x76;
            classic(base + (user ? 1 : 0), irql, arg1, arg2,
                    user ? "the driver mapped locked pages into user space with IRQL > APC_LEVEL"
                         : "the driver mapped locked pages into system space with IRQL > DISPATCH_LEVEL",
                    driver);
        }
        break;
    }
    case DdiRule::ObApcLte: check_range(kObApcLte, driver, irql); break;
    case DdiRule::DispatchOnly: check_range(kDispatchOnly, driver, irql); break;
    case DdiRule::ExApcLte2: check_range(kExApcLte2, driver, irql); break;
    case DdiRule::ExApcLte3: check_range(kExApcLte3, driver, irql); break;
    case DdiRule::ExPassive: check_range(kExPassive, driver, irql); break;
    case DdiRule::IoDispatch: check_range(kIoDispatch, driver, irql); break;
    case DdiRule::KeApcLte1: check_range(kKeApcLte1, driver, irql); break;
    case DdiRule::KeApcLte2: check_range(kKeApcLte2, driver, irql); break;
    case DdiRule::KeDispatchLte: check_range(kKeDispatchLte, driver, irql); break;
    case DdiRule::MmApcLte: check_range(kMmApcLte, driver, irql); break;
    case DdiRule::GuardedRegionLeave: {
        // A leave with no guarded region entered would make SpecialApcDisable positive.
        _KTHREAD* thread = ke::current_thread_if_any();
        if (thread && ke::special_apc_disable(thread) >= 0 && ddi_compliance(driver)) violate(kGuardedRegions, driver);
        check_range(kKeApcLte2, driver, irql);
        break;
    }
    case DdiRule::QueuedSpinLockAcquire:
    case DdiRule::QueuedSpinLockRelease: {
        // Nested acquires of one lock, or a release of a lock this thread does not hold (without
        // the verifier: SPIN_LOCK_ALREADY_OWNED / SPIN_LOCK_NOT_OWNED).
        const bool held = ke::spin_lock_held_by_current_thread(reinterpret_cast<PKSPIN_LOCK>(arg1));
        if (held == (rule == DdiRule::QueuedSpinLockAcquire) && ddi_compliance(driver)) violate(kQueuedSpinLock, driver);
        break;
    }
    case DdiRule::RequestedPowerIrp:
        if (arg2 && arg1 != IRP_MN_WAIT_WAKE && ddi_compliance(driver)) violate(kRequestedPowerIrp, driver);
        break;
    case DdiRule::StartNextPacket:
        check_range(kDispatchOnly, driver, irql);
        // https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-startiorecursion: without
        // DeferredStartIo, IoStartNextPacket inside StartIo calls StartIo again, one level deeper per
        // queued packet. Reported when it happens (a packet waits), not for the call alone.
        if (arg2 && (driver_flags(driver) & NTIO_VERIFIER_DDI_COMPLIANCE_ADDITIONAL)) {
            static const char kCondition[] =
                "A StartIo routine that calls IoStartNextPacket needs IoSetStartIoAttributes(DeferredStartIo = TRUE).";
            report({DRIVER_VERIFIER_DETECTED_VIOLATION, kDdiStartIoRecursion, ptr(kCondition), arg1, 0,
                    Severity::Always, "StartIoRecursion", kCondition, driver, nullptr, nullptr});
        }
        // SpinLockSafe runs with the additional DDI compliance checks (see sdv_rules.cpp).
        if ((driver_flags(driver) & NTIO_VERIFIER_DDI_COMPLIANCE_ADDITIONAL) &&
            (t_state.held_spin_locks > 0 || cancel_lock_depth() > 0)) {
            static const char kCondition[] = "IoStartNextPacket should not be called while holding a spin lock.";
            // NT deviation: SpinLockSafe has no subcode of its own on Learn; reported as the SpinLock
            // rule's 0x40009 with SpinLockSafe's name.
            report({DRIVER_VERIFIER_DETECTED_VIOLATION, kDdiSpinLock, ptr(kCondition), 0, 0, Severity::Always,
                    "SpinLockSafe", kCondition, driver, nullptr, nullptr});
        }
        break;
    }
}

void report_unbalanced_guarded_region(PDRIVER_OBJECT driver, PIRP irp) noexcept {
    if (ddi_compliance(driver)) violate(kGuardedRegions, driver, irp);
}

void on_completion_ex_result(PIRP irp, bool failed) noexcept {
    if (failed) {
        PDRIVER_OBJECT driver = context_driver();
        if (driver && ddi_compliance(driver)) t_failed_completion_ex = irp;
    } else if (t_failed_completion_ex == irp) {
        t_failed_completion_ex = nullptr;
    }
}

void check_send_after_failed_completion_ex(PIRP irp) noexcept {
    if (irp != t_failed_completion_ex) return;
    t_failed_completion_ex = nullptr;
    PDRIVER_OBJECT driver = context_driver();
    if (driver && ddi_compliance(driver)) violate(kCompletionExCompleteIrp, driver, irp);
}

// The completing driver's own location names the request: a PnP removal or cancellation it may
// not fail.
void check_completion_ddi(PIRP irp) noexcept {
    if (irp == t_failed_completion_ex) t_failed_completion_ex = nullptr;  // the legal answer to the failure
    if (irp->Type != IO_TYPE_IRP || irp->CurrentLocation < 1 || irp->CurrentLocation > irp->StackCount) return;
    PDRIVER_OBJECT driver = context_driver();
    if (!driver || !ddi_compliance(driver) || NT_SUCCESS(irp->IoStatus.Status)) return;
    const PIO_STACK_LOCATION sp = irp->Tail.Overlay.CurrentStackLocation;
    if (sp->MajorFunction != IRP_MJ_PNP) return;
    switch (sp->MinorFunction) {
    case IRP_MN_REMOVE_DEVICE:
    case IRP_MN_CANCEL_REMOVE_DEVICE:
    case IRP_MN_CANCEL_STOP_DEVICE:
    case IRP_MN_SURPRISE_REMOVAL: violate(kPnpRemove, driver); break;
    default: break;
    }
}

}  // namespace ntio::verifier

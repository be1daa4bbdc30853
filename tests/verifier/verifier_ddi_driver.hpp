// "VerDdi": a WDM test driver for the DDI compliance and SDV monitor suites. Its IRP_MJ_READ does
// what Parameters.Read.Key asks at the IRQL Parameters.Read.ByteOffset.LowPart names (a DDI called
// at the wrong IRQL, or the legal call next to it); two devices, the upper passing reads down to
// the lower for the LowerDriverReturn and completion routine patterns; a legal legacy mode with
// queued cancellable reads, timer + DPC completion and cleanup-time cancellation.
#pragma once

#include <atomic>

#include <ntddk.h>  // the controller, configuration and detection routines are ntddk.h ones

namespace ntio::verifier::test {

enum DdiMode : ULONG {
    kDdiPsGetVersion = 1,            // PsGetVersion (IrqlPsPassive)
    kDdiIoGetInitialStack = 2,       // IoGetInitialStack (IrqlIoApcLte)
    kDdiKeSetEventWait = 3,          // KeSetEvent(Wait = TRUE) (IrqlKeSetEvent)
    kDdiKeSetEventNoWait = 4,        // KeSetEvent(Wait = FALSE)
    kDdiPagedPool = 5,               // ExAllocatePoolWithTag(PagedPool) (0xC4 0x01)
    kDdiNonPagedPool = 6,            // ExAllocatePoolWithTag(NonPagedPoolNx)
    kDdiCreateSymbolicLink = 7,      // IoCreateSymbolicLink + IoDeleteSymbolicLink (IrqlIoPassive3)
    kDdiDeleteSymbolicLink = 8,      // IoDeleteSymbolicLink of a missing link (IrqlIoPassive4)
    kDdiZwOpenKey = 9,               // ZwOpenKey of a missing key (IrqlZwPassive)
    kDdiRtlDeleteRegistryValue = 10, // RtlDeleteRegistryValue of a missing value (IrqlRtlPassive)
    kDdiWaitTimeout = 11,            // KeWaitForSingleObject with a 1 ms timeout (0xC4 0x120)
    kDdiWaitPoll = 12,               // KeWaitForSingleObject with a zero timeout
    kDdiEnterCriticalRegion = 13,    // KeEnterCriticalRegion + KeLeaveCriticalRegion (0xC4 0x11A)
    kDdiReleaseSpinLockAtPassive = 14,  // KeAcquireSpinLockAtDpcLevel, KeReleaseSpinLock (IrqlKeReleaseSpinLock)
    kDdiDpcInitialStack = 15,        // mark, queue a DPC that calls IoGetInitialStack and completes (P2)
    kDdiFreePoolNull = 16,           // ExFreePool(NULL) (P2)
    kDdiSpinLockReturn = 17,         // complete, return holding a spin lock (P2 SpinLock)
    kDdiCancelLockReturn = 18,       // IoAcquireCancelSpinLock, complete, return (P2 CancelSpinLock)
    kDdiCompleteReturnPending = 19,  // complete, return STATUS_PENDING unmarked (PendedCompletedRequest)
    kDdiCriticalRegionLeft = 20,     // KeEnterCriticalRegion, complete, return (CriticalRegions, 0xC4 0xC5)
    kDdiCriticalRegionBalanced = 21, // enter, leave, complete
    kDdiCompleteUnderSpinLock = 22,  // IoCompleteRequest holding a spin lock (SpinLockSafe)
    kDdiCompleteAfterRelease = 23,   // release, then IoCompleteRequest
    kDdiStartNextUnderSpinLock = 24, // IoStartNextPacket holding a spin lock (SpinLockSafe)
    kDdiStartNextAtDispatch = 25,    // IoStartNextPacket at DISPATCH_LEVEL, no lock held
    kDdiFreeIrpAsPool = 26,          // ExFreePool on an IRP from IoAllocateIrp (0xC4 0x105)
    kDdiFreeIrpLegal = 27,           // IoFreeIrp on it
    kDdiRemoveLockReleaseUnacquired = 28,  // IoReleaseRemoveLock with a tag never acquired (0xC4 0xD5)
    kDdiRemoveLockBalanced = 29,     // acquire and release with the same tag
    kDdiRemoveLockWaitMismatch = 30, // acquire tag A, release-and-wait tag B (0xC4 0xD6)
    kDdiLegacyQueue = 31,            // legal legacy read: mark, cancel routine, queue; the timer DPC completes
    kDdiPark = 32,                   // mark, queue without a cancel routine, return STATUS_PENDING
    kDdiCreateDevice = 34,           // IoCreateDevice + IoDeleteDevice (IrqlIoPassive1)
    kDdiGetDeviceObjectPointer = 35, // IoGetDeviceObjectPointer of a missing device (IrqlIoPassive5)
    kDdiMdl = 36,                    // IoAllocateMdl, MmProbeAndLockPages, MmMapLockedPagesSpecifyCache,
                                     // MmUnlockPages, IoFreeMdl (0xC4 0x70 above DISPATCH_LEVEL)
    kDdiCompleteRaised = 33,         // IoCompleteRequest at the IRQL asked for (0xC4 0xE5 above DISPATCH_LEVEL)
    kDdiFreeOwnIrpAsPool = 37,       // IoInitializeIrp on a pool block, ExFreePool on it (legal)
    // An MDL whose pages are locked at PASSIVE_LEVEL, then one Mm routine at the IRQL asked for; the
    // MDL is unmapped, unlocked and freed back at PASSIVE_LEVEL (by the test after a caught bugcheck).
    kDdiMapLockedPages = 38,         // MmMapLockedPages, KernelMode (0xC4 0x74 above DISPATCH_LEVEL)
    kDdiMapLockedPagesUser = 39,     // MmMapLockedPages, UserMode (0xC4 0x75 above APC_LEVEL)
    kDdiMapSpecifyCache = 40,        // MmMapLockedPagesSpecifyCache, KernelMode (0xC4 0x76 above DISPATCH_LEVEL)
    kDdiMapSpecifyCacheUser = 41,    // MmMapLockedPagesSpecifyCache, UserMode (0xC4 0x77 above APC_LEVEL)
    kDdiUnlockPages = 42,            // MmUnlockPages (0xC4 0x78 above DISPATCH_LEVEL)
    kDdiLeaveCriticalRegion = 43,    // KeEnterCriticalRegion at PASSIVE_LEVEL, KeLeaveCriticalRegion at the
                                     // IRQL asked for (0xC4 0x11B above APC_LEVEL)
    kDdiAcquireSpinLock = 44,        // KeAcquireSpinLock + KeReleaseSpinLock (0xC4 0x42 above DISPATCH_LEVEL)
    kDdiAcquireSpinLockAtDpcLevel = 45,  // KeAcquireSpinLockAtDpcLevel and the in-stack queued form, released
                                     // (legal at and above DISPATCH_LEVEL)
    kDdiReferenceByHandle = 46,      // ObReferenceObjectByHandle of the current thread (IrqlObPassive)
    kDdiBuildDeviceIoControl = 47,   // IoBuildDeviceIoControlRequest at the IRQL asked for, the IOCTL sent
                                     // to this device back at PASSIVE_LEVEL (IrqlIoPassive1)
    kDdiPool2 = 48,                  // ExAllocatePool2(POOL_FLAG_NON_PAGED) (IrqlExAllocatePool)
    // Locks that need normal kernel APCs disabled; no critical region is entered, so below (or, for
    // the unsafe fast mutex, outside) APC_LEVEL the call breaks the rule.
    kDdiAcquireResource = 49,        // ExAcquireResourceExclusiveLite + ExReleaseResourceLite (0xC4 0x37)
    kDdiFastMutexUnsafe = 50,        // ExAcquireFastMutexUnsafe + ExReleaseFastMutexUnsafe (0xC4 0x39)
    kDdiFastMutexUnsafeRelease = 51, // acquired in a critical region at PASSIVE_LEVEL, the region left, then
                                     // ExReleaseFastMutexUnsafe at the IRQL asked for (0xC4 0x3A)
    kDdiFastMutex = 52,              // ExAcquireFastMutex + ExReleaseFastMutex (0xC4 0x33 above APC_LEVEL)
    kDdiFastMutexRelease = 53,       // ExAcquireFastMutex at PASSIVE_LEVEL, then ExReleaseFastMutex at the
                                     // IRQL asked for (0xC4 0x34 at another IRQL than APC_LEVEL)
    kDdiConnectInterrupt = 54,       // IoConnectInterrupt (+ IoDisconnectInterrupt back at PASSIVE_LEVEL)
                                     // (IrqlIoPassive2)
    // The rest of spec 3.6's IRQL rules (verifier_ddi_kernel_driver.cpp), one DDI per mode.
    kDdiObjectSecurity = 55,         // ObGetObjectSecurity + ObReleaseObjectSecurity (IrqlApcLte)
    kDdiDeviceQueue = 56,            // KeInsertDeviceQueue + KeRemoveDeviceQueue (IrqlDispatch)
    kDdiPagedLookaside = 57,         // ExInitializePagedLookasideList + ExDeletePagedLookasideList (IrqlExApcLte2)
    kDdiResourceShared = 58,         // ExAcquireResourceSharedLite + ExReleaseResourceLite (IrqlExApcLte3)
    kDdiUuidCreate = 59,             // ExUuidCreate (IrqlExPassive)
    kDdiDeviceToVerify = 60,         // IoGetDeviceToVerify of the current thread (IrqlIoDispatch)
    kDdiGuardedMutex = 61,           // KeAcquireGuardedMutex + KeReleaseGuardedMutex (IrqlKeApcLte1)
    kDdiDelayExecution = 62,         // KeDelayExecutionThread with a zero interval (IrqlKeApcLte1)
    kDdiAreApcsDisabled = 63,        // KeAreApcsDisabled (IrqlKeApcLte2)
    kDdiTimer = 64,                  // KeInitializeTimer, KeSetTimer an hour ahead, KeCancelTimer (IrqlKeDispatchLte)
    kDdiClearEvent = 65,             // KeClearEvent (IrqlKeDispatchLte)
    kDdiNonCachedMemory = 66,        // MmAllocateNonCachedMemory + MmFreeNonCachedMemory (IrqlMmApcLte)
    kDdiTimerResolution = 67,        // ExSetTimerResolution(0, FALSE) (IrqlExApcLte2)
    // Not IRQL rules: the misuse at PASSIVE_LEVEL, the legal pattern in the mode after it.
    kDdiQueuedLockNested = 68,       // the same lock acquired twice with in-stack queued handles (QueuedSpinLock)
    kDdiQueuedLockTwoLocks = 69,     // two locks nested, released in reverse order
    kDdiQueuedLockReleaseFree = 70,  // KeReleaseInStackQueuedSpinLock of a lock nobody holds (QueuedSpinLock)
    kDdiGuardedLeaveUnentered = 71,  // KeLeaveGuardedRegion with no guarded region entered (GuardedRegions)
    kDdiGuardedRegionBalanced = 72,  // enter, leave, complete
    kDdiGuardedRegionLeft = 73,      // KeEnterGuardedRegion, complete, return (GuardedRegions at dispatch exit)
    kDdiPowerIrpPointer = 74,        // PoRequestPowerIrp(IRP_MN_SET_POWER) asking for the IRP (RequestedPowerIrp)
    kDdiPowerIrpNoPointer = 75,      // the same with Irp NULL, waited for
    kDdiStartPacket = 76,            // mark, IoStartPacket, return STATUS_PENDING (StartIo completes it, then
                                     // calls IoStartNextPacket when StartIoStartsNext: StartIoRecursion)
    kDdiDeferStartIo = 77,           // IoSetStartIoAttributes(DeferredStartIo = TRUE, NonCancelable = TRUE)
    kDdiSendOwnIrp = 78,             // IoAllocateIrp, a read to this device, no completion routine (IoAllocateForward)
    kDdiSendOwnIrpWithRoutine = 79,  // the same with a completion routine that frees it
    kDdiReleaseHeldPacket = 80,      // at DISPATCH_LEVEL: complete the packet StartIo held, IoStartNextPacket
    kDdiNonCancelableStartIo = 81,   // IoSetStartIoAttributes(DeferredStartIo = FALSE, NonCancelable = TRUE)
    // Routines of the IRQL rules that name more than the ones above (verifier_ddi_pnp_driver.cpp). A
    // Spare* object the test prepared is consumed and its field cleared.
    kDdiCheckShareAccess = 82,       // IoCheckShareAccess (IrqlIoPassive2)
    kDdiCreateController = 83,       // IoCreateController + IoDeleteController (IrqlIoPassive2)
    kDdiDeleteController = 84,       // IoDeleteController(SpareController) (IrqlIoPassive4)
    kDdiDisconnectInterrupt = 85,    // IoDisconnectInterrupt(SpareInterrupt) (IrqlIoPassive4)
    kDdiConfigurationInformation = 86,  // IoGetConfigurationInformation (IrqlIoPassive5)
    kDdiGetDmaAdapter = 87,          // IoGetDmaAdapter + PutDmaAdapter (IrqlIoPassive5)
    kDdiFileGenericMapping = 88,     // IoGetFileObjectGenericMapping (IrqlIoPassive5)
    kDdiWdmVersion = 89,             // IoIsWdmVersionAvailable (IrqlIoPassive5)
    kDdiWmiRegistration = 90,        // IoWMIRegistrationControl register + deregister (IrqlIoPassive5)
    kDdiFreeContiguous = 91,         // MmFreeContiguousMemory(SpareContiguous) (IrqlMmDispatch)
    // PnP and power routines no rule names: 0xC4 0xE5 above the IRQL their own pages allow. Those
    // that need a PDO get VerDdi's device, which is none (PNP_DETECTED_FATAL_ERROR at a legal IRQL).
    kDdiRegisterPlugPlay = 92,       // IoRegisterPlugPlayNotification + IoUnregisterPlugPlayNotificationEx
    kDdiUnregisterPlugPlay = 93,     // IoUnregisterPlugPlayNotification(SpareNotification)
    kDdiUnregisterPlugPlayEx = 94,   // IoUnregisterPlugPlayNotificationEx(SpareNotification)
    kDdiReportTargetChange = 95,     // IoReportTargetDeviceChange (not a PDO: STATUS_INVALID_PARAMETER)
    kDdiReportTargetChangeAsync = 96,  // IoReportTargetDeviceChangeAsynchronous (the same)
    kDdiGetDeviceProperty = 97,      // IoGetDeviceProperty
    kDdiInvalidateRelations = 98,    // IoInvalidateDeviceRelations(BusRelations)
    kDdiGetPropertyData = 99,        // IoGetDevicePropertyData
    kDdiSetPropertyData = 100,       // IoSetDevicePropertyData
    kDdiGetInterfacePropertyData = 101,  // IoGetDeviceInterfacePropertyData of a link that does not exist
    kDdiSetInterfacePropertyData = 102,  // IoSetDeviceInterfacePropertyData of it
    kDdiOpenInterfaceKey = 103,      // IoOpenDeviceInterfaceRegistryKey of it
    kDdiInvalidateState = 104,       // IoInvalidateDeviceState
    kDdiRequestEject = 105,          // IoRequestDeviceEject
    kDdiGetDeviceInterfaces = 106,   // IoGetDeviceInterfaces of a class nobody registered
    kDdiReportDetected = 107,        // IoReportDetectedDevice naming VerDdi's device (STATUS_INVALID_PARAMETER_8)
    kDdiReportResourceForDetection = 108,  // IoReportResourceForDetection with no lists (drops no claim)
    kDdiGetRelatedTargetDevice = 109,  // IoGetRelatedTargetDevice(NULL) (STATUS_INVALID_PARAMETER)
    kDdiPoCallDriver = 110,          // PoCallDriver(SparePowerIrp) to this device
    kDdiStartNextPowerIrp = 111,     // PoStartNextPowerIrp(SparePowerIrp)
    kDdiSetPowerStateD3 = 112,       // PoSetPowerState(DevicePowerState, D3)
    kDdiSetPowerStateD0 = 113,       // PoSetPowerState(DevicePowerState, D0)
    kDdiRequestPowerIrp = 114,       // PoRequestPowerIrp(IRP_MN_SET_POWER, D0), PowerDone set when it completes
    kDdiIdleDetection = 115,         // PoRegisterDeviceForIdleDetection(0, 0): idle detection off
    kDdiRegisterSystemState = 116,   // PoRegisterSystemState + PoUnregisterSystemState
    kDdiUnregisterSystemState = 117, // PoUnregisterSystemState(SpareSystemState)
    kDdiSetSystemState = 118,        // PoSetSystemState(ES_SYSTEM_REQUIRED)
    // The power management framework's routines, each with a handle no registration made (NULL) or
    // VerDdi's device, so that at a legal IRQL they find nothing to do.
    kDdiPoFxRegister = 119,          // PoFxRegisterDevice(device, NULL, &handle): STATUS_INVALID_PARAMETER
    kDdiPoFxStart = 120,             // PoFxStartDevicePowerManagement(NULL)
    kDdiPoFxUnregister = 121,        // PoFxUnregisterDevice(NULL)
    kDdiPoFxActivate = 122,          // PoFxActivateComponent(NULL, 0, 0)
    kDdiPoFxIdle = 123,              // PoFxIdleComponent(NULL, 0, 0)
    kDdiPoFxCompleteIdleCondition = 124,
    kDdiPoFxCompleteIdleState = 125,
    kDdiPoFxCompleteNotRequired = 126,  // PoFxCompleteDevicePowerNotRequired(NULL)
    kDdiPoFxReportPoweredOn = 127,   // PoFxReportDevicePoweredOn(NULL)
    kDdiPoFxSetIdleTimeout = 128,    // PoFxSetDeviceIdleTimeout(NULL, 0)
    kDdiPoFxSetLatency = 129,        // PoFxSetComponentLatency(NULL, 0, 0)
    kDdiPoFxSetResidency = 130,      // PoFxSetComponentResidency(NULL, 0, 0)
    kDdiPoFxSetWake = 131,           // PoFxSetComponentWake(NULL, 0, FALSE)
    kDdiPoFxPowerControl = 132,      // PoFxPowerControl(NULL, ...): STATUS_INVALID_PARAMETER
    kDdiPoFxSurprisePowerOn = 133,   // PoFxNotifySurprisePowerOn(device)
    kDdiPowerRequest = 134,          // PoCreatePowerRequest + PoDeletePowerRequest
    kDdiSetPowerRequest = 135,       // PoSetPowerRequest + PoClearPowerRequest on SparePowerRequest
    kDdiInvalidateAllCaches = 136,   // KeInvalidateAllCaches()
    kDdiInvalidateRangeAllCaches = 137,  // KeInvalidateRangeAllCaches(ext, sizeof(*ext))
    kDdiMapIoSpace = 138,            // MmMapIoSpace of the extension, then MmUnmapIoSpace
    kDdiHardwareCounters = 139,      // KeQueryHardwareCounterConfiguration: STATUS_NOT_IMPLEMENTED
};

// VerDdi's IRP_MJ_DEVICE_CONTROL completes this code with STATUS_SUCCESS (kDdiBuildDeviceIoControl).
inline constexpr ULONG kDdiIoctlPing = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x980, METHOD_BUFFERED, FILE_ANY_ACCESS);

// Parameters.Read.ByteOffset.HighPart of a read sent to the upper device: how it passes it down.
enum DdiForward : LONG {
    kForwardNone = 0,
    kForwardReturnOther = 1,     // copy, IoCallDriver, return STATUS_SUCCESS whatever it returned (P2)
    kForwardReturnLower = 2,     // copy, return what IoCallDriver returned
    kForwardRoutineSetsEventWait = 3,  // routine raises to DISPATCH_LEVEL, KeSetEvent(Wait = TRUE) (P2)
    kForwardRoutineSetsEvent = 4,      // routine KeSetEvent(Wait = FALSE)
    kForwardCompletionExUnchecked = 5, // IoSetCompletionRoutineEx, its status ignored (IoSetCompletionExCompleteIrp)
    kForwardCompletionExChecked = 6,   // the same, and on failure the IRP completed with that status
};

struct DdiExtension {
    bool Upper;
    PDEVICE_OBJECT Lower;
    KSPIN_LOCK Lock;
    LIST_ENTRY Queue;          // kDdiLegacyQueue reads, cancellable
    KEVENT Event;
    KDPC Dpc;                  // kDdiDpcInitialStack
    PIRP DpcIrp;
    KTIMER Timer;              // legacy: completes the oldest queued read
    KDPC TimerDpc;
    IO_REMOVE_LOCK RemoveLock;
    PIRP SpareIrp;             // kDdiFreeIrpAsPool
    PMDL SpareMdl;             // kDdiMdl and the Mm modes: freed by the test after a caught bugcheck
    PVOID UserMapping;         // kDdiMap*User: the user-space mapping of SpareMdl
    PIRP IoctlIrp;             // kDdiBuildDeviceIoControl: built raised, sent at PASSIVE_LEVEL
    PKINTERRUPT SpareInterrupt; // kDdiConnectInterrupt: disconnected at PASSIVE_LEVEL
    KEVENT IoctlDone;
    KEVENT PowerDone;          // kDdiPowerIrpNoPointer
    KSPIN_LOCK SecondLock;     // kDdiQueuedLockTwoLocks
    KDEVICE_QUEUE DeviceQueue; // kDdiDeviceQueue
    KDEVICE_QUEUE_ENTRY DeviceQueueEntry;
    KGUARDED_MUTEX GuardedMutex;  // kDdiGuardedMutex
    KTIMER SpareTimer;         // kDdiTimer
    // Prepared by the test for the modes that release them.
    PCONTROLLER_OBJECT SpareController;
    PVOID SpareContiguous;
    PVOID SpareNotification;
    PIRP SparePowerIrp;
    PVOID SpareSystemState;
    PVOID SparePowerRequest;
    NTSTATUS PnpStatus;        // what IRP_MJ_PNP completes with (the PnpRemove tests)
    bool StartIoStartsNext;    // DdiStartIo calls IoStartNextPacket after completing its packet
    bool HoldNextStartIo;      // DdiStartIo keeps its next packet (HeldPacket) instead of completing it
    PIRP HeldPacket;
    PIRP OwnIrp;               // kDdiSendOwnIrp: freed by the test after the caught bugcheck
    std::atomic<LONG> OwnIrpCompletions;
    ERESOURCE Resource;        // kDdiAcquireResource
    FAST_MUTEX FastMutex;      // kDdiFastMutex*
    IO_STATUS_BLOCK IoctlStatus;
    UCHAR MdlBuffer[64];
    std::atomic<LONG> TimerCompletions;
    std::atomic<LONG> StartIoCalls;
    bool BuggyCleanup;         // P1: PsGetVersion under the queue lock while cancelling queued reads
    bool CreateNeverCompletes; // P2: IRP_MJ_CREATE returns without completing
};

NTSTATUS NTAPI VerDdiDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);
// The driver's devices (the upper one forwards to the lower one).
PDEVICE_OBJECT VerDdiUpper(PDRIVER_OBJECT Driver);
PDEVICE_OBJECT VerDdiLower(PDRIVER_OBJECT Driver);
// The modes from kDdiObjectSecurity on, at the IRQL the read asked for (verifier_ddi_kernel_driver.cpp).
NTSTATUS VerDdiCallKernelDdi(ULONG mode, PDEVICE_OBJECT device, DdiExtension* ext);
// The modes from kDdiCheckShareAccess on (verifier_ddi_pnp_driver.cpp).
NTSTATUS VerDdiCallPnpDdi(ULONG mode, PDEVICE_OBJECT device, DdiExtension* ext);
// IRP_MJ_PNP: completes with ext->PnpStatus (STATUS_SUCCESS when the test set none).
NTSTATUS NTAPI VerDdiPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp);
// IRP_MJ_POWER: completes with STATUS_SUCCESS.
NTSTATUS NTAPI VerDdiPower(PDEVICE_OBJECT DeviceObject, PIRP Irp);
// Queued legacy reads still waiting; the oldest parked read (kDdiPark), or nullptr.
ULONG VerDdiQueued(PDEVICE_OBJECT Device);
PIRP VerDdiTakeQueued(PDEVICE_OBJECT Device);

}  // namespace ntio::verifier::test

// "VerDdi": a WDM test driver for the DDI compliance and SDV monitor suites. Its IRP_MJ_READ does
// what Parameters.Read.Key asks at the IRQL Parameters.Read.ByteOffset.LowPart names (a DDI called
// at the wrong IRQL, or the legal call next to it); two devices, the upper passing reads down to
// the lower for the LowerDriverReturn and completion routine patterns; a legal legacy mode with
// queued cancellable reads, timer + DPC completion and cleanup-time cancellation.
#pragma once

#include <atomic>

#include <wdm.h>

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
// Queued legacy reads still waiting; the oldest parked read (kDdiPark), or nullptr.
ULONG VerDdiQueued(PDEVICE_OBJECT Device);
PIRP VerDdiTakeQueued(PDEVICE_OBJECT Device);

}  // namespace ntio::verifier::test

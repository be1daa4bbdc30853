// VerSdv: a WDM test driver for the Static Driver Verifier monitors of sdv_irp_rules.cpp. Its read
// dispatch does what Parameters.Read.Key asks, one rule's misuse or its legal neighbour, at
// PASSIVE_LEVEL; a read with Key 0 is completed with STATUS_SUCCESS (the peer driver's part).
#pragma once

#include <atomic>

#include <ntifs.h>

namespace ntio::verifier::test {

enum SdvMode : ULONG {
    kSdvComplete = 0,                  // complete with STATUS_SUCCESS
    kSdvFreeReceivedIrp = 1,           // IoFreeIrp of the read it received (IoAllocateFree)
    kSdvFreeOwnIrp = 2,                // IoAllocateIrp, IoFreeIrp, complete
    kSdvCompletionExPeerDevice = 3,    // own IRP to the peer, IoSetCompletionRoutineEx naming the peer's device
                                       // (IoSetCompletionRoutineExCheckDeviceObject)
    kSdvCompletionExOwnDevice = 4,     // the same naming its own device
    kSdvCancelReleaseUnacquired = 5,   // IoReleaseCancelSpinLock with the lock not held (CancelSpinlockRelease)
    kSdvCancelAcquireTwice = 6,        // IoAcquireCancelSpinLock twice (CancelSpinlockRelease)
    kSdvCancelAlternating = 7,         // acquire, release, acquire, release, complete
    kSdvReleaseOutsideRegion = 8,      // ERESOURCE acquired in a critical region, released after leaving it
                                       // (WithinCriticalRegion)
    kSdvReleaseInsideRegion = 9,       // enter, acquire, release, leave, complete
    kSdvReleaseForOtherThread = 10,    // acquire in a critical region, ExSetResourceOwnerPointer, leave,
                                       // ExReleaseResourceForThreadLite for that owner, complete
    kSdvCompletionExNotSent = 11,      // IoSetCompletionRoutineEx on the read, then completed here
                                       // (CompletionRoutineRegistered)
    kSdvCompletionExForward = 12,      // IoSetCompletionRoutineEx on the read, passed to the peer
    kSdvReturnOwningResource = 13,     // acquire exclusive in a critical region, leave it, complete, return
                                       // still owning the resource (ExclusiveResourceAccess)
};

struct SdvExtension {
    PDEVICE_OBJECT Peer;           // a device of another driver (set by the test)
    PIRP OwnIrp;                   // the IRP kSdvCompletionEx* sends: freed by the test after a caught bugcheck
    std::atomic<LONG> OwnCompletions;  // OwnIrpDone and CountDone runs
    ERESOURCE Resource;
};

// Its one device has two stack locations, as if attached over the peer.
NTSTATUS NTAPI VerSdvDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);
inline SdvExtension* VerSdvExt(PDEVICE_OBJECT device) { return static_cast<SdvExtension*>(device->DeviceExtension); }

}  // namespace ntio::verifier::test

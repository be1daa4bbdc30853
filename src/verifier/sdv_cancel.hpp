// The cancel-field SDV rules as run-time monitors (sdv_rules.cpp): IrpCancelField and StartIoCancel,
// for drivers verified with the additional DDI compliance checks. Their hook in the device queue
// insert comes from lifetime_rules.cpp; their check at dispatch exit from sdv_dispatch_exit.
#pragma once

#include <ntifs.h>

namespace ntio::verifier {

// KeInsert(ByKey)DeviceQueue linked the entry (the queue's spin lock is held: no report here, the
// finding waits for the dispatch's exit).
void sdv_device_queue_insert(PKDEVICE_QUEUE_ENTRY entry) noexcept;

// NT deviation: Static Driver Verifier rules have no Driver Verifier subcode; ntio reports these two
// as 0xC4 with parameter 1 from the IrpProcessing range of the DDI compliance ids (0x41xxx, where
// Learn lists IoSetCompletionExCompleteIrp as 0x4100F), P2 the rule's condition string, P3 the IRP,
// P4 the cancel routine (IrpCancelField) or the device (StartIoCancel).
inline constexpr ULONG_PTR kDdiIrpCancelField = 0x00041020;
inline constexpr ULONG_PTR kDdiStartIoCancel = 0x00041021;
// StartIoRecursion (P3 the device) and IoAllocateForward / IoBuildFsdForward (P3 the IRP, P4 the
// target device): ntio's ids the same way, for the same reason.
inline constexpr ULONG_PTR kDdiStartIoRecursion = 0x00041022;
inline constexpr ULONG_PTR kDdiIoAllocateForward = 0x00041023;
// sdv_irp_rules.cpp, ntio's ids the same way: IoSetCompletionRoutineExCheckDeviceObject (P3 the IRP, P4 the device object passed),
// CancelSpinlockRelease (P3 the thread's cancel spin lock depth, P4 1 for a second acquire and 0 for a
// release without acquire), WithinCriticalRegion (P3 the ERESOURCE, P4 0), CompletionRoutineRegistered
// (P3 the IRP, P4 the device whose dispatch returned), ExclusiveResourceAccess (P3 the ERESOURCE, P4 the
// device whose dispatch returned owning it).
inline constexpr ULONG_PTR kDdiCompletionExDeviceObject = 0x00041024;
inline constexpr ULONG_PTR kDdiCancelSpinlockRelease = 0x00041025;
inline constexpr ULONG_PTR kDdiWithinCriticalRegion = 0x00041026;
inline constexpr ULONG_PTR kDdiCompletionRoutineRegistered = 0x00041027;
inline constexpr ULONG_PTR kDdiExclusiveResourceAccess = 0x00041028;

}  // namespace ntio::verifier

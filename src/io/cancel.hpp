// Calling a driver's cancel routine, for every path that does (IoCancelIrp, the cancel of a file's or
// thread's IRPs, IoStartPacket's already-cancelled packet), with the check NT makes when it returns.
#pragma once

#include "io/ddk.hpp"

namespace ntio::io {

// Calls `routine` for `irp` as IoCancelIrp does: the caller holds the cancel spin lock, acquired at
// `irql`, and has already taken the routine out of the IRP. The routine releases the lock; returning
// with it still held is DRIVER_RETURNED_HOLDING_CANCEL_LOCK (0x11B, P1 = IRP, P2 = routine).
void call_cancel_routine(PDRIVER_CANCEL routine, PDEVICE_OBJECT device, PIRP irp, KIRQL irql);

}  // namespace ntio::io

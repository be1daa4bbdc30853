// The I/O manager's one-second device timers (IoInitializeTimer, io_timer.cpp): what device deletion
// needs of them.
#pragma once

#include <wdm.h>

namespace ntio::io {

// IoDeleteDevice: the timer routine is not called again once this returns (a call already running
// on a DPC thread may still finish). IRQL <= APC_LEVEL.
void stop_device_timer(PDEVICE_OBJECT device) noexcept;
// The device object's memory goes: its timer goes with it, once no call of its routine is running
// (at the end of that call when the routine itself dropped the last reference). Any IRQL.
void delete_device_timer(PDEVICE_OBJECT device) noexcept;

}  // namespace ntio::io

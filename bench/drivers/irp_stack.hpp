// A device stack for the IRP gates: a null driver at the bottom (completes every IRP at once) under
// up to three pass-through filters (copy the location, set a completion routine, call down), written
// the way WDK drivers are, and the originator's loop (IoAllocateIrp, IoCallDriver, completion
// routine returning STATUS_MORE_PROCESSING_REQUIRED, IoFreeIrp).
#pragma once

#include <wdm.h>

namespace ntio::bench {

struct IrpStack {
    PDEVICE_OBJECT top = nullptr;          // top of the stack
    PDEVICE_OBJECT devices[4] = {};        // [0] null device, [1..filters] filters
    PDRIVER_OBJECT drivers[2] = {};        // null driver, filter driver (referenced)
    int filters = 0;
};

// Loads the two drivers and builds a stack with `filters` filters (0..3); stacks of different
// depths or `instance` numbers coexist.
IrpStack build_irp_stack(int filters, int instance = 0);
void destroy_irp_stack(IrpStack& stack);

// One synchronous IRP round trip through `stack`: allocate, send a read, complete, free.
ULONG_PTR irp_round_trip(const IrpStack& stack);

}  // namespace ntio::bench

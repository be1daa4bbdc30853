// _KPROCESS: the kernel half of a process. Only its waitable header lives in ke: a process is a
// dispatcher object signalled for good when it terminates. ob derives _EPROCESS from it.
#pragma once

#include <wdm.h>

struct _KPROCESS {
    DISPATCHER_HEADER Header{};  // Type ProcessObject; SignalState 1 once terminated
};

namespace ntio::ke {

// Makes `process` a non-signalled ProcessObject. Any IRQL; before the object is shared.
void initialize_process(_KPROCESS* process) noexcept;

}  // namespace ntio::ke

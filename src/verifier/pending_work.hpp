// What the verifier's unload check (unload_rules.cpp) enumerates outside the ke engines: executive
// work items queued and not yet started (recorded by ex/work_queue.cpp while the verifier is active)
// and the driver routine behind an IO_WORKITEM (io/io_work_item.cpp).
#pragma once

#include <wdm.h>

namespace ntio::ex {
// Calls fn for every work item queued while the verifier was active that no worker has taken yet,
// under the record's lock; fn must not queue or run work items.
void for_each_pending_work_item(void (*fn)(PWORK_QUEUE_ITEM item, void* context), void* context);
}  // namespace ntio::ex

namespace ntio::io {
// The driver's routine when item is the executive item of a queued IO_WORKITEM, else nullptr.
PVOID io_work_item_routine(PWORK_QUEUE_ITEM item) noexcept;
}  // namespace ntio::io

/* <ntifs.h> contents: work a file system or filter wants done when the system shuts down. The work
 * item (initialized with ExInitializeWorkItem) runs once, at PASSIVE_LEVEL, when the system starts
 * shutting down, before applications end and drivers unload; items run one after the other, the
 * most recently queued first. STATUS_SYSTEM_SHUTDOWN once shutdown has begun (the item is not
 * queued).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-poqueueshutdownworkitem */
#ifndef NTIO_DDK_PO_SHUTDOWN_H
#define NTIO_DDK_PO_SHUTDOWN_H

#include "ex.h"

NTIO_BEGIN_DECLS

NTKERNELAPI NTSTATUS NTAPI PoQueueShutdownWorkItem(_Inout_ PWORK_QUEUE_ITEM WorkItem);

NTIO_END_DECLS

#endif

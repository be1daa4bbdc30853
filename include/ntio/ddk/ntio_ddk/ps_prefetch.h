/* <ntddk.h> contents: whether the current thread is prefetching (reading pages ahead on behalf of
 * the prefetcher), a per-thread flag file systems and filters may consult to treat such reads
 * differently. A thread starts not prefetching. PASSIVE_LEVEL.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-pssetcurrentthreadprefetching
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-psiscurrentthreadprefetching */
#ifndef NTIO_DDK_PS_PREFETCH_H
#define NTIO_DDK_PS_PREFETCH_H

#include "basetypes.h"

NTIO_BEGIN_DECLS

/* Sets the flag; returns the value it had. */
NTKERNELAPI BOOLEAN NTAPI PsSetCurrentThreadPrefetching(_In_ BOOLEAN Prefetching);
NTKERNELAPI BOOLEAN NTAPI PsIsCurrentThreadPrefetching(VOID);

NTIO_END_DECLS

#endif

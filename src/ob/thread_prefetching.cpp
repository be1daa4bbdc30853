// PsSetCurrentThreadPrefetching and PsIsCurrentThreadPrefetching: a per-thread flag saying the
// thread reads ahead on behalf of the prefetcher, for file systems and filters to consult.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-pssetcurrentthreadprefetching
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-psiscurrentthreadprefetching
// ntio has no prefetcher of its own: the flag is whatever the thread's own code set.
#include <ntddk.h>

#include "ob/process.hpp"

extern "C" {

// Returns the value the flag had before. A host thread that is no ntio thread (no System alive)
// has no flag: it reads FALSE and setting it does nothing.
BOOLEAN NTAPI PsSetCurrentThreadPrefetching(BOOLEAN Prefetching) {
    PETHREAD thread = PsGetCurrentThread();
    if (!thread) return FALSE;
    const bool previous = thread->m_prefetching;
    thread->m_prefetching = Prefetching != FALSE;
    return previous ? TRUE : FALSE;
}

BOOLEAN NTAPI PsIsCurrentThreadPrefetching(VOID) {
    PETHREAD thread = PsGetCurrentThread();
    return thread && thread->m_prefetching ? TRUE : FALSE;
}

}  // extern "C"

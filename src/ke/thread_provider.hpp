// The contract between ke and ob for thread objects. Threads are objects (handles, waits on
// termination), and objects are created only by the object manager, so ke asks ob for the storage
// of every KTHREAD it needs: adopted host threads, DPC and worker threads, PsCreateSystemThread.
// Until ob registers a provider (ke unit tests), ke uses a plain heap provider.
#pragma once

#include <wdm.h>

struct _KTHREAD;

namespace ntio::ke {

class ThreadProvider {
public:
    virtual ~ThreadProvider() = default;
    // Returns a zero-initialised, constructed thread object (a _KTHREAD, or ob's _ETHREAD that
    // derives from it) in `process`, holding one reference that belongs to the running thread
    // itself. Null when the process is terminating or memory is short.
    virtual _KTHREAD* allocate_thread(PEPROCESS process) = 0;
    // Drops the running thread's own reference once it has terminated and been signalled.
    virtual void release_thread(_KTHREAD* thread) = 0;
    // The System process: DPC threads, worker threads and PsCreateSystemThread(NULL process).
    virtual PEPROCESS system_process() = 0;
    // The process a host thread joins when it first calls ntio (the application's process:
    // its threads run with PreviousMode UserMode in Nt* services).
    virtual PEPROCESS host_thread_process() = 0;
};

}  // namespace ntio::ke

// BindIoCompletionCallback and the I/O callback pool behind it: one completion port per System
// (process) that every bound file is associated with, key = the callback, and a pool of Win32 worker
// threads dequeuing from it that call callback(error, bytes, overlapped) per packet. The pool starts
// with one worker at the first binding and grows while packets find every worker busy; it lives until
// the System shuts down (as Windows' pool lives until the process ends), when closing its port
// releases the workers.
#include <algorithm>
#include <map>
#include <memory>
#include <mutex>

#include "win32/io_overlapped.hpp"
#include "ke/kernel.hpp"
#include "ntio/system.hpp"

using namespace ntio;

namespace ntio::win32 {
NTSTATUS associate_completion_port(HANDLE file, HANDLE port, ULONG_PTR key);
}  // namespace ntio::win32

namespace {

struct CallbackPool {
    HANDLE port = nullptr;
    unsigned max_workers = 2;
    std::mutex lock;
    unsigned workers = 0;  // started and not yet exited
    unsigned idle = 0;     // blocked (or about to block) in the port
};

// The pools of the live Systems. A pool is removed when its System shuts down; its workers keep it
// alive (shared ownership) until the last one has returned.
struct Pools {
    std::mutex lock;
    std::map<System*, std::shared_ptr<CallbackPool>> by_system;
};

Pools& pools() {
    static Pools* p = new Pools();  // never destroyed: Systems may shut down during static destruction
    return *p;
}

DWORD WINAPI worker_main(LPVOID parameter);

// Starts one more worker unless the pool is at its maximum. False when none was started.
bool start_worker(const std::shared_ptr<CallbackPool>& pool) {
    {
        std::lock_guard guard(pool->lock);
        if (pool->workers >= pool->max_workers) return false;
        ++pool->workers;
        ++pool->idle;
    }
    auto* owned = new std::shared_ptr<CallbackPool>(pool);
    HANDLE thread = CreateThread(nullptr, 0, worker_main, owned, 0, nullptr);
    if (!thread) {
        delete owned;
        std::lock_guard guard(pool->lock);
        --pool->workers;
        --pool->idle;
        return false;
    }
    (void)CloseHandle(thread);
    return true;
}

DWORD WINAPI worker_main(LPVOID parameter) {
    std::shared_ptr<CallbackPool> pool = std::move(*static_cast<std::shared_ptr<CallbackPool>*>(parameter));
    delete static_cast<std::shared_ptr<CallbackPool>*>(parameter);
    for (;;) {
        DWORD bytes = 0;
        ULONG_PTR key = 0;
        LPOVERLAPPED ov = nullptr;
        const BOOL ok = GetQueuedCompletionStatus(pool->port, &bytes, &key, &ov, INFINITE);
        if (!ov) break;  // the port was closed: the System is shutting down
        bool grow = false;
        {
            std::lock_guard guard(pool->lock);
            --pool->idle;
            grow = pool->idle == 0;
        }
        // Every worker is now busy: one more waits for the next packet, so a callback that blocks
        // does not hold up the other bound files.
        if (grow) (void)start_worker(pool);
        // NT fact F13: the callback gets the request's Win32 error, bytes and OVERLAPPED.
        const DWORD error = ok ? ERROR_SUCCESS : GetLastError();
        reinterpret_cast<LPOVERLAPPED_COMPLETION_ROUTINE>(key)(error, bytes, ov);
        std::lock_guard guard(pool->lock);
        ++pool->idle;
    }
    std::lock_guard guard(pool->lock);
    --pool->workers;
    --pool->idle;
    return 0;
}

// System shutdown: forget the pool and close its port, which wakes every worker with nothing
// (closing a port's last handle releases its waiters), so their threads end before the kernel joins
// them.
void close_pool(void* context) {
    auto* system = static_cast<System*>(context);
    std::shared_ptr<CallbackPool> pool;
    {
        Pools& p = pools();
        std::lock_guard guard(p.lock);
        auto it = p.by_system.find(system);
        if (it == p.by_system.end()) return;
        pool = std::move(it->second);
        p.by_system.erase(it);
    }
    (void)NtClose(pool->port);
}

// The calling thread's System's pool, created with its first worker on first use.
std::shared_ptr<CallbackPool> pool_of(System& system, NTSTATUS& status) {
    Pools& p = pools();
    std::lock_guard guard(p.lock);
    auto it = p.by_system.find(&system);
    if (it != p.by_system.end()) return it->second;
    auto pool = std::make_shared<CallbackPool>();
    // Concurrency 0: as many running callbacks as processors; twice that many workers so that
    // callbacks that block leave others to run.
    status = NtCreateIoCompletion(&pool->port, IO_COMPLETION_ALL_ACCESS, nullptr, 0);
    if (!NT_SUCCESS(status)) return nullptr;
    pool->max_workers = std::max(2u, 2 * system.kernel().processor_count());
    if (!start_worker(pool)) {
        (void)NtClose(pool->port);
        status = STATUS_INSUFFICIENT_RESOURCES;
        return nullptr;
    }
    p.by_system.emplace(&system, pool);
    system.at_shutdown(close_pool, &system);
    return pool;
}

}  // namespace

extern "C" {

BOOL WINAPI BindIoCompletionCallback(HANDLE FileHandle, LPOVERLAPPED_COMPLETION_ROUTINE Function, ULONG Flags) {
    System& system = win32::ensure_system();
    if (Flags || !Function) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    NTSTATUS status = STATUS_SUCCESS;
    std::shared_ptr<CallbackPool> pool = pool_of(system, status);
    // NT fact F13: a synchronous handle or a second binding is refused by the association itself.
    if (pool) status = win32::associate_completion_port(FileHandle, pool->port, reinterpret_cast<ULONG_PTR>(Function));
    return win32::succeeded(status);
}

}  // extern "C"

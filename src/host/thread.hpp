// Host thread start and join (pthreads). The kernel's thread objects sit on top of these.
#pragma once

#include <pthread.h>

#include <wdm.h>

namespace ntio::host {

class Thread {
public:
    using Entry = void (*)(void* context);
    Thread() = default;
    Thread(const Thread&) = delete;
    Thread& operator=(const Thread&) = delete;
    ~Thread();  // joins if still joinable

    // STATUS_INSUFFICIENT_RESOURCES (or the errno's status) when the host refuses a thread.
    NTSTATUS start(Entry entry, void* context) noexcept;
    void join() noexcept;
    bool joinable() const noexcept { return m_started; }

    // Ends the calling host thread now (unwinding its stack).
    [[noreturn]] static void exit_current();  // not noexcept: the exit unwinds

private:
    pthread_t m_thread{};
    bool m_started = false;
};

}  // namespace ntio::host

// Host thread start and join (pthreads). The kernel's thread objects sit on top of these.
#pragma once

#include <pthread.h>

#include <cstddef>
#include <cstdint>

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

// Starts a detached thread (nobody joins it) with a `stack_bytes` stack; false when the host refuses.
bool start_detached_thread(Thread::Entry entry, void* context, std::size_t stack_bytes) noexcept;

// Runs `routine` in the child process after a fork, on its one thread.
bool on_fork_in_child(void (*routine)()) noexcept;

// The calling thread's stack, lowest to highest address; false when the host cannot say.
bool current_thread_stack(std::uintptr_t& low, std::uintptr_t& high) noexcept;

// The calling thread's id as the host's tools show it (Linux's tid).
std::uint32_t current_thread_id() noexcept;

// Names the calling thread for the host's tools, cut to the 15 bytes Linux keeps.
void set_current_thread_name(const char* name) noexcept;

// The calling thread's CPU-time clock (a clockid_t another thread may read); false when the host has
// none.
bool current_thread_cpu_clock(int& clock) noexcept;
// The CPU time the thread of `clock` has used, in ns; false once that thread has ended.
bool thread_cpu_time_ns(int clock, std::uint64_t& ns) noexcept;

// A per-thread value whose routine runs when its thread ends, after every C++ thread_local
// destructor of that thread (so a thread's own rundown can still use what the value holds).
class LateThreadExit {
public:
    using Routine = void (*)(void* value);
    explicit LateThreadExit(Routine routine) noexcept;
    void set(void* value) noexcept;  // for the calling thread; null runs nothing

private:
    pthread_key_t m_key{};
};

}  // namespace ntio::host

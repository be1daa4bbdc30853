// The timer engine of one Kernel: armed KTIMERs sorted by due time (interrupt time) in a list
// threaded through KTIMER.TimerListEntry, and one host thread that expires them: it signals the
// timer, queues its DPC and re-arms periodic timers.
#pragma once

#include <atomic>
#include <cstdint>

#include <wdm.h>
#include "host/thread.hpp"

namespace ntio::ke {

class Kernel;

class TimerEngine {
public:
    explicit TimerEngine(Kernel& kernel);
    TimerEngine(const TimerEngine&) = delete;
    TimerEngine& operator=(const TimerEngine&) = delete;

    void start();
    void stop();  // disarms every timer still queued here
    // KeSetTimerEx on this kernel: TRUE if the timer was already armed.
    BOOLEAN set(PKTIMER timer, LARGE_INTEGER due_time, LONG period, PKDPC dpc, unsigned processor);
    static BOOLEAN cancel(PKTIMER timer);
    // Calls fn for every timer armed on this engine, under the timer lock (the verifier's unload
    // check); fn must not call back into the kernel.
    void for_each_armed(void (*fn)(PKTIMER timer, void* context), void* context);

private:
    static void thread_main(void* self);
    void run();
    void insert_sorted_locked(PKTIMER timer);

    Kernel& m_kernel;
    LIST_ENTRY m_timers;
    bool m_stop = false;
    std::atomic<std::uint32_t> m_wake_word{0};
    host::Thread m_thread;
};

}  // namespace ntio::ke

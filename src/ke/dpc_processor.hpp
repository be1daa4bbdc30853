// One emulated processor's DPC queue and the DPC thread (a KTHREAD at DISPATCH_LEVEL in the System
// process) that drains it in FIFO order (high-importance DPCs go to the front).
#pragma once

#include <atomic>
#include <cstdint>

#include <wdm.h>
#include "ke/dispatcher.hpp"

namespace ntio::ke {

class Kernel;

class DpcProcessor {
public:
    DpcProcessor(Kernel& kernel, unsigned number) : m_kernel(kernel), m_number(number) {}
    DpcProcessor(const DpcProcessor&) = delete;
    DpcProcessor& operator=(const DpcProcessor&) = delete;

    void start();
    void request_stop();  // the thread exits after draining; Kernel::stop joins it
    // FALSE if the DPC is already queued (on any processor).
    BOOLEAN insert(PRKDPC dpc, PVOID arg1, PVOID arg2);
    BOOLEAN remove(PRKDPC dpc);
    // Calls fn for every DPC queued here and not yet started, under the queue lock (the verifier's
    // unload check); fn must not call back into the kernel.
    void for_each_queued(void (*fn)(PRKDPC dpc, void* context), void* context);
    unsigned number() const noexcept { return m_number; }

private:
    static void thread_main(PVOID self);
    void run();

    Kernel& m_kernel;
    unsigned m_number;
    DispatcherLock m_lock;                    // guards the queue and m_sleeping
    PSINGLE_LIST_ENTRY m_head = nullptr;
    PSINGLE_LIST_ENTRY m_tail = nullptr;
    bool m_sleeping = false;
    bool m_stop = false;
    std::atomic<std::uint32_t> m_wake_word{0};
};

}  // namespace ntio::ke

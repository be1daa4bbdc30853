// Interrupt races: raisers assert a shared vector without pause (some at PASSIVE_LEVEL, some at
// DISPATCH_LEVEL) while the test thread connects and disconnects interrupt objects on it, soft
// disconnects them, or synchronizes with their ISR. Invariants: see each test; all hold under
// ThreadSanitizer.
#include <memory>
#include <thread>

#include "interrupt_test_driver.hpp"

namespace ntio::interrupt_test {
namespace {

using InterruptStress = InterruptTest;

constexpr ULONG kVector = 0x81;  // DIRQL 8
constexpr int kRaisers = 2;

// Raisers assert kVector until stopped; every other one does it from DISPATCH_LEVEL.
class Raisers {
public:
    Raisers() {
        for (int i = 0; i < kRaisers; ++i) {
            m_threads.emplace_back([this, i] {
                while (!m_stop.load(std::memory_order_relaxed)) {
                    KIRQL old = PASSIVE_LEVEL;
                    if (i % 2) KeRaiseIrql(DISPATCH_LEVEL, &old);
                    const NTSTATUS s = NtioRaiseInterrupt(kVector);
                    if (i % 2) KeLowerIrql(old);
                    if (s != STATUS_SUCCESS && s != STATUS_UNSUCCESSFUL && s != STATUS_NOT_FOUND) m_bad.fetch_add(1);
                    m_raised.fetch_add(1, std::memory_order_relaxed);
                }
            });
        }
    }
    ~Raisers() { stop(); }
    void stop() {
        m_stop = true;
        for (std::thread& t : m_threads)
            if (t.joinable()) t.join();
    }
    // Waits until `n` more interrupts were raised.
    void wait_raised(long n) const {
        const long target = m_raised.load() + n;
        while (m_raised.load() < target) std::this_thread::yield();
    }
    int bad() const { return m_bad.load(); }

private:
    std::vector<std::thread> m_threads;
    std::atomic<bool> m_stop{false};
    std::atomic<long> m_raised{0};
    std::atomic<int> m_bad{0};
};

struct IsrContext {
    std::atomic<int> in_isr{0};
    std::atomic<long> calls{0};
};

BOOLEAN NTAPI counting_isr(PKINTERRUPT, PVOID context) {
    auto* c = static_cast<IsrContext*>(context);
    c->in_isr.fetch_add(1);
    for (int i = 0; i < 50; ++i) std::atomic_signal_fence(std::memory_order_seq_cst);  // a little work
    c->calls.fetch_add(1);
    c->in_isr.fetch_sub(1);
    return FALSE;  // let every ISR of the shared vector see each interrupt
}

// Invariant: IoDisconnectInterrupt returns only once no call of the ISR is in flight (in_isr is 0 when
// it returns) and the ISR is never called after it returned (its call count, read when disconnect
// returned, never grows), while the vector keeps being raised and another interrupt object (the
// anchor) stays connected to it.
TEST_F(InterruptStress, DisconnectWaitsForIsrsInFlightAndNoIsrRunsAfterIt) {
    constexpr int kRounds = 200;
    const KAFFINITY all = KeQueryActiveProcessors();
    IsrContext anchor_context;
    PKINTERRUPT anchor = nullptr;
    ASSERT_EQ(IoConnectInterrupt(&anchor, counting_isr, &anchor_context, nullptr, kVector, 8, 8, LevelSensitive, TRUE,
                                 all, FALSE),
              STATUS_SUCCESS);
    std::vector<std::unique_ptr<IsrContext>> contexts;
    std::vector<long> calls_at_disconnect;
    int in_flight_at_return = 0;
    {
        Raisers raisers;
        for (int round = 0; round < kRounds; ++round) {
            contexts.push_back(std::make_unique<IsrContext>());
            IsrContext* c = contexts.back().get();
            PKINTERRUPT interrupt = nullptr;
            // Some rounds use their own spin lock, some the one the system allocates.
            ASSERT_EQ(IoConnectInterrupt(&interrupt, counting_isr, c, nullptr, kVector, 8, 8 + round % 3, LevelSensitive,
                                         TRUE, all, FALSE),
                      STATUS_SUCCESS);
            raisers.wait_raised(round % 5);
            IoDisconnectInterrupt(interrupt);
            if (c->in_isr.load() != 0) ++in_flight_at_return;
            calls_at_disconnect.push_back(c->calls.load());
        }
        raisers.wait_raised(100);
        raisers.stop();
        EXPECT_EQ(raisers.bad(), 0);
    }
    EXPECT_EQ(in_flight_at_return, 0);
    long late = 0;
    long total = 0;
    for (std::size_t i = 0; i < contexts.size(); ++i) {
        late += contexts[i]->calls.load() - calls_at_disconnect[i];
        total += contexts[i]->calls.load();
    }
    EXPECT_EQ(late, 0);
    EXPECT_GT(total, 0);  // the objects were called while connected: the race was run
    EXPECT_GT(anchor_context.calls.load(), 0);
    IoDisconnectInterrupt(anchor);
}

// Invariant: after IoReportInterruptInactive returns, the ISR is not called (its count does not grow)
// until IoReportInterruptActive; no ISR call is in flight when the inactive report returns.
TEST_F(InterruptStress, InactiveReportStopsIsrCallsUntilActiveAgain) {
    constexpr int kRounds = 200;
    const KAFFINITY all = KeQueryActiveProcessors();
    IsrContext c;
    PKINTERRUPT interrupt = nullptr;
    ASSERT_EQ(IoConnectInterrupt(&interrupt, counting_isr, &c, nullptr, kVector, 8, 8, LevelSensitive, TRUE, all, FALSE),
              STATUS_SUCCESS);
    IO_REPORT_INTERRUPT_ACTIVE_STATE_PARAMETERS r;
    r.Version = CONNECT_FULLY_SPECIFIED;
    r.ConnectionContext.InterruptObject = interrupt;
    int in_flight = 0;
    int called_while_inactive = 0;
    {
        Raisers raisers;
        for (int round = 0; round < kRounds; ++round) {
            KIRQL old = PASSIVE_LEVEL;
            if (round % 2) KeRaiseIrql(DISPATCH_LEVEL, &old);
            IoReportInterruptInactive(&r);
            if (round % 2) KeLowerIrql(old);
            if (c.in_isr.load() != 0) ++in_flight;
            const long before = c.calls.load();
            raisers.wait_raised(3);
            if (c.calls.load() != before) ++called_while_inactive;
            IoReportInterruptActive(&r);
            raisers.wait_raised(round % 4);
        }
        raisers.stop();
        EXPECT_EQ(raisers.bad(), 0);
    }
    EXPECT_EQ(in_flight, 0);
    EXPECT_EQ(called_while_inactive, 0);
    EXPECT_GT(c.calls.load(), 0);  // called while active: the race was run
    IoDisconnectInterrupt(interrupt);
}

struct Shared {
    long plain = 0;                 // touched only under the interrupt spin lock
    std::atomic<int> inside{0};
    std::atomic<int> overlaps{0};
    std::atomic<long> isr_calls{0};
    long sync_calls = 0;
};

void enter(Shared* s) {
    if (s->inside.fetch_add(1) != 0) s->overlaps.fetch_add(1);
    ++s->plain;
}

void leave(Shared* s) { s->inside.fetch_sub(1); }

BOOLEAN NTAPI shared_isr(PKINTERRUPT, PVOID context) {
    auto* s = static_cast<Shared*>(context);
    enter(s);
    s->isr_calls.fetch_add(1);
    leave(s);
    return TRUE;
}

BOOLEAN NTAPI synchronized(PVOID context) {
    auto* s = static_cast<Shared*>(context);
    enter(s);
    ++s->sync_calls;
    leave(s);
    return TRUE;
}

// Invariant: the ISR and KeSynchronizeExecution's routine (and code between KeAcquireInterruptSpinLock
// and its release) never run at once: no overlap is seen, and the counter both increment without
// atomics ends at the sum of their calls (ThreadSanitizer would flag a race on it otherwise).
TEST_F(InterruptStress, SynchronizedRoutinesNeverOverlapTheIsr) {
    constexpr int kCalls = 20000;
    Shared s;
    PKINTERRUPT interrupt = nullptr;
    ASSERT_EQ(IoConnectInterrupt(&interrupt, shared_isr, &s, nullptr, kVector, 8, 9, Latched, FALSE,
                                 KeQueryActiveProcessors(), FALSE),
              STATUS_SUCCESS);
    {
        Raisers raisers;
        raisers.wait_raised(10);
        for (int i = 0; i < kCalls || s.isr_calls.load() < 1000; ++i) {
            if (i % 2) {
                ASSERT_TRUE(KeSynchronizeExecution(interrupt, synchronized, &s));
            } else {
                const KIRQL old = KeAcquireInterruptSpinLock(interrupt);
                (void)synchronized(&s);
                KeReleaseInterruptSpinLock(interrupt, old);
            }
        }
        raisers.stop();
        EXPECT_EQ(raisers.bad(), 0);
    }
    IoDisconnectInterrupt(interrupt);
    EXPECT_EQ(s.overlaps.load(), 0);
    EXPECT_GE(s.sync_calls, kCalls);
    EXPECT_GE(s.isr_calls.load(), 1000);
    EXPECT_EQ(s.plain, s.isr_calls.load() + s.sync_calls);
}

}  // namespace
}  // namespace ntio::interrupt_test

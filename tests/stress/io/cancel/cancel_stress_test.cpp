// IoCancelIrp from a system thread racing the driver's own completion of the same parked IRP, through
// a plain cancel routine and through a cancel-safe queue.
//
// Invariant: every IRP completes exactly once, with STATUS_SUCCESS (the driver took it back first) or
// STATUS_CANCELLED (the cancel path got it first): never both, never neither. Each round waits until
// both sides are done before checking, so "never neither" means completions == 1 at that point.
#include <sched.h>

#include <atomic>

#include "cancel_test_driver.hpp"

namespace ntio::io::test {
namespace {

constexpr int kRounds = 5000;

void relax(unsigned& spins) {
    if (++spins % 1024 == 0) sched_yield();
    else __builtin_ia32_pause();
}

// A spread of start offsets (0..255 pauses), so both orders and the tight overlaps
// in between all occur; the canceller also needs time just to notice the new round.
unsigned delay_for(int round, unsigned side) {
    unsigned x = static_cast<unsigned>(round) * 2654435761u + side * 40503u;
    x ^= x >> 13;
    unsigned d = (x >> 7) & 0xFF;
    // Every other round the canceller starts late, so the driver wins those unless it is preempted.
    return side && (round & 1) ? d + 4096 : d;
}

struct Race {
    std::atomic<int> round{0};  // the round the canceller should run
    std::atomic<int> armed{0};  // the last round the canceller has seen (both sides start from here)
    std::atomic<int> done{0};   // the last round whose IoCancelIrp has returned
    std::atomic<bool> stop{false};
    std::atomic<PIRP> irp{nullptr};
};

VOID NTAPI Canceller(PVOID Context) {
    auto* race = static_cast<Race*>(Context);
    for (int seen = 0;;) {
        unsigned spins = 0;
        while (race->round.load() <= seen && !race->stop.load()) relax(spins);
        if (race->stop.load()) break;
        ++seen;
        race->armed.store(seen);
        // Vary where in the driver's take-and-complete the cancel lands.
        for (unsigned i = 0, n = delay_for(seen, 1); i < n; ++i) __builtin_ia32_pause();
        (void)IoCancelIrp(race->irp.load());
        race->done.store(seen);
    }
    PsTerminateSystemThread(STATUS_SUCCESS);
}

class CancelStress : public CancelTest {
protected:
    void start_canceller() {
        m_objects_before = object_count();
        HANDLE handle;
        ASSERT_EQ(PsCreateSystemThread(&handle, THREAD_ALL_ACCESS, nullptr, nullptr, nullptr, Canceller, &m_race),
                  STATUS_SUCCESS);
        ASSERT_EQ(ObReferenceObjectByHandle(handle, THREAD_ALL_ACCESS, nullptr, KernelMode,
                                            reinterpret_cast<PVOID*>(&m_thread), nullptr),
                  STATUS_SUCCESS);
        ZwClose(handle);
    }
    void stop_canceller() {
        m_race.stop.store(true);
        KeWaitForSingleObject(m_thread, Executive, KernelMode, FALSE, nullptr);
        ObDereferenceObject(m_thread);
        settle_objects(m_objects_before);
    }

    // One round: park, let the canceller go, try to take the IRP back and complete it, wait for the
    // canceller, check the invariant. take() returns the IRP if the driver won it.
    template <typename Take>
    void run(ParkMode mode, Take take) {
        int successes = 0, cancels = 0;
        for (int round = 1; round <= kRounds; ++round) {
            Outcome outcome;
            PIRP irp = make_read(mode, outcome);
            ASSERT_EQ(send(irp), STATUS_PENDING);
            m_race.irp.store(irp);
            m_race.round.store(round);
            unsigned spins = 0;
            while (m_race.armed.load() < round) relax(spins);
            for (unsigned i = 0, n = delay_for(round, 0); i < n; ++i) __builtin_ia32_pause();
            if (PIRP mine = take()) {
                ASSERT_EQ(mine, irp);
                DriverCompleteRead(mine, STATUS_SUCCESS, 4);
            }
            spins = 0;
            while (m_race.done.load() < round) relax(spins);
            ASSERT_EQ(outcome.completions.load(), 1) << "round " << round;
            NTSTATUS status = outcome.status.load();
            ASSERT_TRUE(status == STATUS_SUCCESS || status == STATUS_CANCELLED) << "round " << round;
            (status == STATUS_SUCCESS ? successes : cancels)++;
            ASSERT_TRUE(irp->Cancel);
            ASSERT_EQ(irp->CancelRoutine, nullptr);
            IoFreeIrp(irp);
        }
        RecordProperty("completed_by_driver", successes);
        RecordProperty("completed_by_cancel", cancels);
    }

    Race m_race;
    PETHREAD m_thread = nullptr;
    std::size_t m_objects_before = 0;
};

TEST_F(CancelStress, cancel_routine_versus_driver_completion_completes_each_irp_once) {
    load();
    start_canceller();
    run(kParkCancelable, [&] { return DriverTakeParked(device()); });
    stop_canceller();
}

TEST_F(CancelStress, csq_cancel_versus_remove_next_completes_each_irp_once) {
    load();
    start_canceller();
    run(kParkCsq, [&] { return IoCsqRemoveNextIrp(&ext()->Csq, nullptr); });
    stop_canceller();
    EXPECT_TRUE(IsListEmpty(&ext()->CsqQueue));
}

}  // namespace
}  // namespace ntio::io::test

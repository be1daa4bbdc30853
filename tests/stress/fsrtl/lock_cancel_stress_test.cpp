// A waiting lock IRP that FsRtl grants (the holder unlocks) or ends (its own file object's
// IRP_MN_UNLOCK_ALL) while a system thread cancels it.
//
// Invariant: every waiting lock IRP completes exactly once, with the status of whichever side got it
// first (STATUS_SUCCESS for a grant, STATUS_RANGE_NOT_LOCKED for the unlock-all, STATUS_CANCELLED for
// the cancel): never two, never none. And the lock is held afterwards exactly when the IRP completed
// with STATUS_SUCCESS: a cancelled or ended request never leaves a lock behind.
#include <sched.h>

#include <atomic>

#include "support/system_fixture.hpp"

#include <ntifs.h>

namespace ntio::fsrtl::test {
namespace {

constexpr int kRounds = 3000;

FILE_LOCK g_lock;

NTSTATUS NTAPI fs_dispatch(PDEVICE_OBJECT, PIRP irp) { return FsRtlProcessFileLock(&g_lock, irp, nullptr); }

struct Outcome {
    std::atomic<int> completions{0};
    std::atomic<NTSTATUS> status{STATUS_PENDING};
};

NTSTATUS NTAPI count_completion(PDEVICE_OBJECT, PIRP irp, PVOID context) {
    auto* outcome = static_cast<Outcome*>(context);
    outcome->status.store(irp->IoStatus.Status);
    outcome->completions.fetch_add(1);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

void relax(unsigned& spins) {
    if (++spins % 1024 == 0) sched_yield();
    else __builtin_ia32_pause();
}

// Independent start delays for the two sides, so both orders and close overlaps occur. The
// resolving side gets the wider spread: IoCancelIrp takes longer to reach FsRtl than an unlock does.
unsigned delay_for(int round, unsigned side) {
    unsigned x = static_cast<unsigned>(round) * 2654435761u + side * 40503u;
    x ^= x >> 13;
    x *= 0x5bd1e995u;
    x ^= x >> 15;
    return side ? (x & 0x7FF) : (x & 0x3FFF);
}

struct Race {
    std::atomic<int> round{0};
    std::atomic<int> armed{0};  // the canceller has seen the round's IRP
    std::atomic<int> go{0};     // both sides start their delay from here
    std::atomic<int> done{0};
    std::atomic<bool> stop{false};
    std::atomic<PIRP> irp{nullptr};
};

VOID NTAPI canceller(PVOID context) {
    auto* race = static_cast<Race*>(context);
    for (int seen = 0;;) {
        unsigned spins = 0;
        while (race->round.load() <= seen && !race->stop.load()) relax(spins);
        if (race->stop.load()) break;
        ++seen;
        race->armed.store(seen);
        spins = 0;
        while (race->go.load() < seen) relax(spins);
        for (unsigned i = 0, n = delay_for(seen, 1); i < n; ++i) __builtin_ia32_pause();
        (void)IoCancelIrp(race->irp.load());
        race->done.store(seen);
    }
    PsTerminateSystemThread(STATUS_SUCCESS);
}

class LockCancelStress : public ntio::test::SystemTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        for (auto& f : m_driver.MajorFunction) f = fs_dispatch;
        m_device.Type = IO_TYPE_DEVICE;
        m_device.DriverObject = &m_driver;
        m_device.StackSize = 1;
        FsRtlInitializeFileLock(&g_lock, nullptr, nullptr);
        HANDLE handle;
        ASSERT_EQ(PsCreateSystemThread(&handle, THREAD_ALL_ACCESS, nullptr, nullptr, nullptr, canceller, &m_race),
                  STATUS_SUCCESS);
        ASSERT_EQ(ObReferenceObjectByHandle(handle, THREAD_ALL_ACCESS, nullptr, KernelMode,
                                            reinterpret_cast<PVOID*>(&m_thread), nullptr),
                  STATUS_SUCCESS);
        ZwClose(handle);
    }
    void TearDown() override {
        m_race.stop.store(true);
        if (m_thread) {
            KeWaitForSingleObject(m_thread, Executive, KernelMode, FALSE, nullptr);
            ObDereferenceObject(m_thread);
        }
        FsRtlUninitializeFileLock(&g_lock);
        SystemTest::TearDown();
    }

    // One round per iteration: the holder takes [0, 1) exclusively, the waiter's lock IRP parks behind
    // it, then `resolve` (the grant or the end) races the canceller.
    template <typename Resolve>
    void run(Resolve resolve, NTSTATUS resolved_status) {
        LARGE_INTEGER offset{}, length;
        length.QuadPart = 1;
        int by_resolve = 0, by_cancel = 0;
        for (int round = 1; round <= kRounds; ++round) {
            IO_STATUS_BLOCK iosb{};
            ASSERT_TRUE(FsRtlFastLock(&g_lock, &m_holder, &offset, &length, nullptr, 0, TRUE, TRUE, &iosb, nullptr, FALSE));
            ASSERT_EQ(iosb.Status, STATUS_SUCCESS) << "round " << round;
            Outcome outcome;
            PIRP irp = IoAllocateIrp(1, FALSE);
            PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
            sp->MajorFunction = IRP_MJ_LOCK_CONTROL;
            sp->MinorFunction = IRP_MN_LOCK;
            sp->Flags = SL_EXCLUSIVE_LOCK;
            sp->FileObject = &m_waiter;
            sp->Parameters.LockControl.Length = &length;
            IoSetCompletionRoutine(irp, count_completion, &outcome, TRUE, TRUE, TRUE);
            ASSERT_EQ(IoCallDriver(&m_device, irp), STATUS_PENDING) << "round " << round;
            m_race.irp.store(irp);
            m_race.round.store(round);
            unsigned spins = 0;
            while (m_race.armed.load() < round) relax(spins);
            m_race.go.store(round);
            for (unsigned i = 0, n = delay_for(round, 0); i < n; ++i) __builtin_ia32_pause();
            resolve();
            spins = 0;
            while (m_race.done.load() < round) relax(spins);
            ASSERT_EQ(outcome.completions.load(), 1) << "round " << round;
            const NTSTATUS status = outcome.status.load();
            ASSERT_TRUE(status == resolved_status || status == STATUS_CANCELLED) << "round " << round << " " << status;
            (status == STATUS_CANCELLED ? by_cancel : by_resolve)++;
            // The waiter holds the range exactly when it was granted; then nobody else does.
            const NTSTATUS unlocked =
                FsRtlFastUnlockSingle(&g_lock, &m_waiter, &offset, &length, nullptr, 0, nullptr, FALSE);
            ASSERT_EQ(unlocked, status == STATUS_SUCCESS ? STATUS_SUCCESS : STATUS_RANGE_NOT_LOCKED) << "round " << round;
            (void)FsRtlFastUnlockSingle(&g_lock, &m_holder, &offset, &length, nullptr, 0, nullptr, FALSE);
            ASSERT_FALSE(FsRtlAreThereCurrentOrInProgressFileLocks(&g_lock)) << "round " << round;
            IoFreeIrp(irp);
        }
        RecordProperty("resolved", by_resolve);
        RecordProperty("cancelled", by_cancel);
    }

    DRIVER_OBJECT m_driver{};
    DEVICE_OBJECT m_device{};
    FILE_OBJECT m_holder{};
    FILE_OBJECT m_waiter{};
    Race m_race;
    PETHREAD m_thread = nullptr;
};

// The holder unlocks (granting the waiter) while the canceller cancels it.
TEST_F(LockCancelStress, grant_versus_cancel_completes_each_waiting_lock_once)
{
    run([&] {
        LARGE_INTEGER offset{}, length;
        length.QuadPart = 1;
        ASSERT_EQ(FsRtlFastUnlockSingle(&g_lock, &m_holder, &offset, &length, nullptr, 0, nullptr, FALSE), STATUS_SUCCESS);
    }, STATUS_SUCCESS);
}

// The waiter's own cleanup (IRP_MN_UNLOCK_ALL) ends it while the canceller cancels it.
TEST_F(LockCancelStress, unlock_all_versus_cancel_completes_each_waiting_lock_once)
{
    run([&] { (void)FsRtlFastUnlockAll(&g_lock, &m_waiter, nullptr, nullptr); }, STATUS_RANGE_NOT_LOCKED);
}

}  // namespace
}  // namespace ntio::fsrtl::test

// Interrupt objects through the public surface: a WDM driver connects its device's interrupt in
// IRP_MN_START_DEVICE and the simulated hardware asserts it (NtioRaiseInterrupt); the ISR runs at
// its DIRQL with the interrupt spin lock held and its DPC (IoRequestDpc) completes the request;
// KeSynchronizeExecution and the interrupt spin lock exclude the ISR; shared vectors; message-signaled
// interrupts and their fallback; soft and hard disconnection; parameter and IRQL checks.
// Facts cite the Learn pages of the routines (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/).
#include <cstring>
#include <thread>

#include "interrupt_test_driver.hpp"

#include "support/bugcheck_catcher.hpp"

namespace ntio::interrupt_test {
namespace {

using ntio::test::BugCheck;
using ntio::test::catch_bugcheck;

constexpr ULONG kLine = 0x51;       // DIRQL 5
constexpr ULONG kOtherLine = 0x63;  // DIRQL 6

LARGE_INTEGER ms(LONGLONG n) {
    LARGE_INTEGER t;
    t.QuadPart = -n * 10000;
    return t;
}

// START fails with the connect's status (the driver completes it with that): the device is left
// failed with it as its problem, and goes without IRPs.
void expect_start_fails_with(NTSTATUS status) {
    EXPECT_FALSE(start_device());
    EXPECT_EQ(state().connect_status.load(), status);
    UNICODE_STRING name = instance_name();
    NTIO_PNP_DEVICE_STATE s = NtioPnpDeviceNotFound;
    NTSTATUS problem = STATUS_SUCCESS;
    EXPECT_EQ(NtioPnpQueryDevice(&name, &s, &problem), STATUS_SUCCESS);
    EXPECT_EQ(s, NtioPnpDeviceFailed);
    EXPECT_EQ(problem, status);
    EXPECT_EQ(remove_device(), STATUS_SUCCESS);
}

// ---- The driver's interrupt, end to end ----

// The WDM pattern: START connects (CONNECT_LINE_BASED), a read is pended and handed to the device
// under the interrupt spin lock (KeSynchronizeExecution), the device interrupts, the ISR acknowledges
// it at the line's DIRQL on the raising thread and requests its DPC, the DPC runs at DISPATCH_LEVEL on
// a DPC thread with the IRP the ISR passed and completes the read.
TEST_F(InterruptTest, LineBasedIsrRequestsItsDpcWhichCompletesTheRead) {
    ASSERT_EQ(assign(kLine), STATUS_SUCCESS);
    Driver driver;
    ASSERT_TRUE(start_device());
    State& s = state();
    EXPECT_EQ(s.connect_status.load(), STATUS_SUCCESS);
    EXPECT_EQ(s.connect_version.load(), ULONG{CONNECT_LINE_BASED});
    EXPECT_NE(s.connection.load(), nullptr);

    PendingRead read;
    send_read(read);
    ASSERT_EQ(read.sent, STATUS_PENDING);
    s.hardware.data = 0x5A;
    EXPECT_EQ(hardware_interrupt(kLine), STATUS_SUCCESS);
    LARGE_INTEGER timeout = ms(10000);
    ASSERT_EQ(KeWaitForSingleObject(&read.done, Executive, KernelMode, FALSE, &timeout), STATUS_SUCCESS);
    EXPECT_EQ(read.iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(read.iosb.Information, sizeof read.buffer);
    for (UCHAR b : read.buffer) EXPECT_EQ(b, 0x5A);

    Observed& o = s.observed;
    EXPECT_EQ(o.isr_calls.load(), 1);
    EXPECT_EQ(o.isr_claims.load(), 1);
    EXPECT_EQ(o.isr_irql.load(), KIRQL{5});  // the line's DIRQL (0x51 >> 4)
    EXPECT_EQ(o.isr_thread.load(), KeGetCurrentThread());
    KeFlushQueuedDpcs();
    EXPECT_EQ(o.dpc_calls.load(), 1);
    EXPECT_EQ(o.dpc_irql.load(), KIRQL{DISPATCH_LEVEL});
    EXPECT_TRUE(o.dpc_executing.load());
    EXPECT_EQ(o.dpc_irp.load(), read.irp);
    EXPECT_NE(o.dpc_thread.load(), KeGetCurrentThread());
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    ASSERT_EQ(remove_device(), STATUS_SUCCESS);
}

// An ISR that finds its device idle returns FALSE: the interrupt is reported unclaimed and no DPC is
// requested. A vector nothing is connected to reports STATUS_NOT_FOUND.
TEST_F(InterruptTest, UnclaimedAndUnconnectedInterruptsAreReported) {
    ASSERT_EQ(assign(kLine), STATUS_SUCCESS);
    Driver driver;
    ASSERT_TRUE(start_device());
    EXPECT_EQ(hardware_interrupt(kLine, 0), STATUS_UNSUCCESSFUL);
    EXPECT_EQ(state().observed.isr_calls.load(), 1);
    EXPECT_EQ(state().observed.isr_claims.load(), 0);
    KeFlushQueuedDpcs();
    EXPECT_EQ(state().observed.dpc_calls.load(), 0);
    EXPECT_EQ(NtioRaiseInterrupt(kOtherLine), STATUS_NOT_FOUND);
    EXPECT_EQ(NtioRaiseInterrupt(0x100), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(state().observed.isr_calls.load(), 1);
    ASSERT_EQ(remove_device(), STATUS_SUCCESS);
}

// CONNECT_FULLY_SPECIFIED with the driver's own spin lock: the ISR runs at SynchronizeIrql (above the
// line's Irql here) with that lock held.
TEST_F(InterruptTest, FullySpecifiedIsrRunsAtSynchronizeIrqlHoldingTheDriversLock) {
    ASSERT_EQ(assign(kLine), STATUS_SUCCESS);
    State& s = state();
    s.connect = Connect::fully_specified;
    s.synchronize_irql = 8;
    Driver driver;
    ASSERT_TRUE(start_device());
    EXPECT_EQ(s.connect_version.load(), ULONG{CONNECT_FULLY_SPECIFIED});
    EXPECT_EQ(hardware_interrupt(kLine), STATUS_SUCCESS);
    EXPECT_EQ(s.observed.isr_irql.load(), KIRQL{8});
    EXPECT_TRUE(s.observed.isr_lock_held.load());
    ASSERT_EQ(remove_device(), STATUS_SUCCESS);
}

// "When a driver receives an IRP_MN_START_DEVICE request, the driver receives raw and translated
// hardware resources ... To connect its interrupt, the driver uses the resources at
// AllocatedResourcesTranslated.List.PartialResourceList.PartialDescriptors[]" (IoConnectInterrupt
// remarks). The translated descriptor holds the vector and its DIRQL; IoConnectInterrupt with them
// connects, with the raw ones (the bus's line number) it fails.
TEST_F(InterruptTest, StartDeviceCarriesTheInterruptResourcesIoConnectInterruptTakes) {
    ASSERT_EQ(assign(kLine, 0, Latched, FALSE), STATUS_SUCCESS);
    State& s = state();
    s.connect = Connect::legacy;
    Driver driver;
    ASSERT_TRUE(start_device());
    ASSERT_TRUE(s.had_resources.load());
    EXPECT_EQ(s.raw_count, 1u);
    EXPECT_EQ(s.translated_count, 1u);
    EXPECT_EQ(s.translated.Type, CmResourceTypeInterrupt);
    EXPECT_EQ(s.translated.ShareDisposition, CmResourceShareDeviceExclusive);
    EXPECT_EQ(s.translated.Flags, CM_RESOURCE_INTERRUPT_LATCHED);
    EXPECT_EQ(s.translated.u.Interrupt.Vector, kLine);
    EXPECT_EQ(s.translated.u.Interrupt.Level, 5u);
    EXPECT_EQ(s.translated.u.Interrupt.Affinity, KeQueryActiveProcessors());
    EXPECT_EQ(s.raw.Type, CmResourceTypeInterrupt);
    EXPECT_EQ(s.raw.u.Interrupt.Vector, s.raw.u.Interrupt.Level);
    EXPECT_NE(s.raw.u.Interrupt.Vector, kLine);
    EXPECT_EQ(s.connect_status.load(), STATUS_SUCCESS);
    EXPECT_EQ(hardware_interrupt(kLine), STATUS_SUCCESS);
    EXPECT_EQ(s.observed.isr_irql.load(), KIRQL{5});
    ASSERT_EQ(remove_device(), STATUS_SUCCESS);
}

TEST_F(InterruptTest, ConnectingWithTheRawResourceFails) {
    ASSERT_EQ(assign(kLine), STATUS_SUCCESS);
    state().connect = Connect::legacy_raw;
    Driver driver;
    expect_start_fails_with(STATUS_INVALID_PARAMETER);
}

// A device with messages gets one descriptor per message, flagged CM_RESOURCE_INTERRUPT_MESSAGE.
TEST_F(InterruptTest, StartDeviceListsEachMessage) {
    ASSERT_EQ(assign(0x70, 4), STATUS_SUCCESS);
    State& s = state();
    s.connect = Connect::none;
    Driver driver;
    ASSERT_TRUE(start_device());
    ASSERT_TRUE(s.had_resources.load());
    EXPECT_EQ(s.raw_count, 4u);
    EXPECT_EQ(s.translated_count, 4u);
    EXPECT_EQ(s.raw.Flags, CM_RESOURCE_INTERRUPT_MESSAGE | CM_RESOURCE_INTERRUPT_LATCHED);
    EXPECT_EQ(s.raw.u.MessageInterrupt.Raw.MessageCount, 4u);
    EXPECT_EQ(s.raw.u.MessageInterrupt.Raw.Vector, CM_RESOURCE_INTERRUPT_MESSAGE_TOKEN);
    EXPECT_EQ(s.translated.u.MessageInterrupt.Translated.Vector, 0x70u);
    EXPECT_EQ(s.translated.u.MessageInterrupt.Translated.Level, 7u);
    ASSERT_EQ(remove_device(), STATUS_SUCCESS);
}

// A device without interrupts assigned starts with no resource lists, as before.
TEST_F(InterruptTest, StartDeviceWithoutInterruptsHasNoResources) {
    state().connect = Connect::none;
    Driver driver;
    ASSERT_TRUE(start_device());
    EXPECT_FALSE(state().had_resources.load());
    EXPECT_EQ(state().raw_count, 0u);
    ASSERT_EQ(remove_device(), STATUS_SUCCESS);
}

// After REMOVE disconnected the interrupt (IoDisconnectInterruptEx), the vector is free again.
TEST_F(InterruptTest, RemoveDisconnectsAndTheIsrIsNotCalledAgain) {
    ASSERT_EQ(assign(kLine), STATUS_SUCCESS);
    Driver driver;
    ASSERT_TRUE(start_device());
    EXPECT_EQ(hardware_interrupt(kLine), STATUS_SUCCESS);
    ASSERT_EQ(remove_device(), STATUS_SUCCESS);
    EXPECT_EQ(hardware_interrupt(kLine), STATUS_NOT_FOUND);
    EXPECT_EQ(state().observed.isr_calls.load(), 1);
    KeFlushQueuedDpcs();
}

// ---- Message-signaled interrupts ----

struct MessageRecord {
    std::atomic<int> calls{0};
    std::atomic<ULONG> message{0xFFFFFFFF};
    std::atomic<KIRQL> irql{0};
    std::atomic<PKINTERRUPT> interrupt{nullptr};
};

// CONNECT_MESSAGE_BASED on a device with three messages: the table lists them (vector, DIRQL, latched,
// their interrupt objects), every ISR runs at UnifiedIrql (the highest message DIRQL) with its
// MessageID, and Version stays CONNECT_MESSAGE_BASED.
TEST_F(InterruptTest, MessageBasedConnectionGivesATableAndRunsEachMessage) {
    ASSERT_EQ(assign(0x5E, 3), STATUS_SUCCESS);  // vectors 0x5E, 0x5F, 0x60: DIRQL 5, 5, 6
    State& s = state();
    s.connect = Connect::message_based;
    Driver driver;
    ASSERT_TRUE(start_device());
    ASSERT_EQ(s.connect_version.load(), ULONG{CONNECT_MESSAGE_BASED});
    auto* table = static_cast<PIO_INTERRUPT_MESSAGE_INFO>(s.connection.load());
    ASSERT_NE(table, nullptr);
    EXPECT_EQ(table->MessageCount, 3u);
    EXPECT_EQ(table->UnifiedIrql, KIRQL{6});
    for (ULONG i = 0; i < 3; ++i) {
        const IO_INTERRUPT_MESSAGE_INFO_ENTRY& e = table->MessageInfo[i];
        EXPECT_EQ(e.Vector, 0x5E + i);
        EXPECT_EQ(e.Irql, KIRQL((0x5E + i) >> 4));
        EXPECT_EQ(e.Mode, Latched);
        EXPECT_NE(e.InterruptObject, nullptr);
    }
    UNICODE_STRING name = instance_name();
    s.hardware.status = 1;
    EXPECT_EQ(NtioRaiseMessageInterrupt(&name, 2), STATUS_SUCCESS);
    EXPECT_EQ(s.observed.isr_message.load(), 2u);
    EXPECT_EQ(s.observed.isr_irql.load(), KIRQL{6});
    s.hardware.status = 1;
    EXPECT_EQ(NtioRaiseInterrupt(0x5E), STATUS_SUCCESS);  // message 0's vector
    EXPECT_EQ(s.observed.isr_message.load(), 0u);
    EXPECT_EQ(NtioRaiseMessageInterrupt(&name, 3), STATUS_INVALID_PARAMETER_2);
    EXPECT_TRUE(s.observed.isr_lock_held.load());  // the driver's lock, shared by the messages
    // A read synchronizes with message 0 and completes through the DPC as with a line (once the DPC
    // the interrupts above requested has run: a DPC still queued is not queued again).
    KeFlushQueuedDpcs();
    PendingRead read;
    send_read(read);
    ASSERT_EQ(read.sent, STATUS_PENDING);
    s.hardware.status = 1;
    EXPECT_EQ(NtioRaiseMessageInterrupt(&name, 1), STATUS_SUCCESS);
    LARGE_INTEGER timeout = ms(10000);
    ASSERT_EQ(KeWaitForSingleObject(&read.done, Executive, KernelMode, FALSE, &timeout), STATUS_SUCCESS);
    EXPECT_EQ(read.iosb.Status, STATUS_SUCCESS);
    ASSERT_EQ(remove_device(), STATUS_SUCCESS);
    EXPECT_EQ(NtioRaiseMessageInterrupt(&name, 0), STATUS_NOT_FOUND);  // disconnected
}

// "If the device has line-based interrupts, but no message-signaled interrupts, the system will instead
// register the [fallback] routine to service the line-based interrupts ... IoConnectInterruptEx updates
// Parameters->Version to CONNECT_LINE_BASED if it registered the fallback routine."
// (Using the CONNECT_MESSAGE_BASED Version of IoConnectInterruptEx)
TEST_F(InterruptTest, MessageBasedOnALineOnlyDeviceRegistersTheFallbackAsLineBased) {
    ASSERT_EQ(assign(kLine), STATUS_SUCCESS);
    State& s = state();
    s.connect = Connect::message_based;
    Driver driver;
    ASSERT_TRUE(start_device());
    EXPECT_EQ(s.connect_status.load(), STATUS_SUCCESS);
    EXPECT_EQ(s.connect_version.load(), ULONG{CONNECT_LINE_BASED});
    EXPECT_EQ(hardware_interrupt(kLine), STATUS_SUCCESS);
    EXPECT_EQ(s.observed.isr_message.load(), 0xFFFFFFFFu);  // the line ISR, not the message ISR
    EXPECT_EQ(s.observed.isr_irql.load(), KIRQL{5});
    UNICODE_STRING name = instance_name();
    EXPECT_EQ(NtioRaiseMessageInterrupt(&name, 0), STATUS_NOT_FOUND);
    ASSERT_EQ(remove_device(), STATUS_SUCCESS);
}

// Without a fallback routine a line-only device has nothing to connect: STATUS_NOT_FOUND ("the
// specified device has no interrupts"), and START fails with it.
TEST_F(InterruptTest, MessageBasedWithoutFallbackOnALineOnlyDeviceIsNotFound) {
    ASSERT_EQ(assign(kLine), STATUS_SUCCESS);
    state().connect = Connect::message_no_fallback;
    Driver driver;
    expect_start_fails_with(STATUS_NOT_FOUND);
}

// "STATUS_INVALID_DEVICE_REQUEST: ... Parameters->Version = CONNECT_LINE_BASED, and the system has
// assigned multiple interrupt messages to the device."
TEST_F(InterruptTest, LineBasedOnADeviceAssignedMessagesIsAnInvalidDeviceRequest) {
    ASSERT_EQ(assign(0x70, 2), STATUS_SUCCESS);
    Driver driver;
    expect_start_fails_with(STATUS_INVALID_DEVICE_REQUEST);
}

// "STATUS_NOT_FOUND: ... the specified device has no interrupts".
TEST_F(InterruptTest, LineBasedOnADeviceWithoutInterruptsIsNotFound) {
    Driver driver;
    expect_start_fails_with(STATUS_NOT_FOUND);
}

// ---- KeSynchronizeExecution and the interrupt spin lock ----

struct Exclusion {
    PKINTERRUPT interrupt = nullptr;
    std::atomic<int> inside{0};       // 1 while the synchronized routine or the ISR runs
    std::atomic<bool> overlap{false};
    std::atomic<bool> in_routine{false};
    std::atomic<bool> release{false};
    std::atomic<int> isr_calls{0};
    std::atomic<KIRQL> routine_irql{0};
};

BOOLEAN NTAPI exclusion_isr(PKINTERRUPT, PVOID context) {
    auto* e = static_cast<Exclusion*>(context);
    if (e->inside.fetch_add(1) != 0) e->overlap = true;
    e->isr_calls.fetch_add(1);
    e->inside.fetch_sub(1);
    return TRUE;
}

BOOLEAN NTAPI held_routine(PVOID context) {
    auto* e = static_cast<Exclusion*>(context);
    e->routine_irql = KeGetCurrentIrql();
    if (e->inside.fetch_add(1) != 0) e->overlap = true;
    e->in_routine = true;
    while (!e->release.load()) std::this_thread::yield();
    e->inside.fetch_sub(1);
    return TRUE;
}

// "The IRQL is raised to the SynchronizeIrql value ... Access to SynchronizeContext is synchronized
// with the assigned ISR by acquiring the associated interrupt object spin lock": an interrupt raised
// while the routine runs is delivered only after it returned.
TEST_F(InterruptTest, KeSynchronizeExecutionHoldsTheIsrOffUntilItsRoutineReturns) {
    Exclusion e;
    ASSERT_EQ(IoConnectInterrupt(&e.interrupt, exclusion_isr, &e, nullptr, kLine, 5, 7, LevelSensitive, FALSE,
                                 KeQueryActiveProcessors(), FALSE),
              STATUS_SUCCESS);
    std::atomic<NTSTATUS> raised{STATUS_PENDING};
    std::thread synchronizer([&] { (void)KeSynchronizeExecution(e.interrupt, held_routine, &e); });
    while (!e.in_routine.load()) std::this_thread::yield();
    std::thread device([&] { raised = NtioRaiseInterrupt(kLine); });
    LARGE_INTEGER delay = ms(50);
    (void)KeDelayExecutionThread(KernelMode, FALSE, &delay);
    EXPECT_EQ(e.isr_calls.load(), 0);  // held off by the routine
    EXPECT_EQ(raised.load(), STATUS_PENDING);
    e.release = true;
    synchronizer.join();
    device.join();
    EXPECT_EQ(raised.load(), STATUS_SUCCESS);
    EXPECT_EQ(e.isr_calls.load(), 1);
    EXPECT_FALSE(e.overlap.load());
    EXPECT_EQ(e.routine_irql.load(), KIRQL{7});
    IoDisconnectInterrupt(e.interrupt);
}

// KeAcquireInterruptSpinLock raises to SynchronizeIrql and returns the previous IRQL; the ISR waits
// for the release.
TEST_F(InterruptTest, InterruptSpinLockRaisesToSynchronizeIrqlAndExcludesTheIsr) {
    Exclusion e;
    ASSERT_EQ(IoConnectInterrupt(&e.interrupt, exclusion_isr, &e, nullptr, kLine, 5, 5, Latched, TRUE,
                                 KeQueryActiveProcessors(), FALSE),
              STATUS_SUCCESS);
    KIRQL dispatch;
    KeRaiseIrql(DISPATCH_LEVEL, &dispatch);
    const KIRQL old = KeAcquireInterruptSpinLock(e.interrupt);
    EXPECT_EQ(old, KIRQL{DISPATCH_LEVEL});
    EXPECT_EQ(KeGetCurrentIrql(), KIRQL{5});
    std::atomic<NTSTATUS> raised{STATUS_PENDING};
    std::thread device([&] { raised = NtioRaiseInterrupt(kLine); });
    for (int i = 0; i < 1000; ++i) std::this_thread::yield();
    EXPECT_EQ(e.isr_calls.load(), 0);
    KeReleaseInterruptSpinLock(e.interrupt, old);
    EXPECT_EQ(KeGetCurrentIrql(), KIRQL{DISPATCH_LEVEL});
    KeLowerIrql(dispatch);
    device.join();
    EXPECT_EQ(raised.load(), STATUS_SUCCESS);
    EXPECT_EQ(e.isr_calls.load(), 1);
    IoDisconnectInterrupt(e.interrupt);
}

// ---- Shared vectors ----

struct SharedIsr {
    const char* name;
    BOOLEAN claim;
    std::vector<const char*>* order;
    std::mutex* lock;
};

BOOLEAN NTAPI shared_isr(PKINTERRUPT, PVOID context) {
    auto* isr = static_cast<SharedIsr*>(context);
    std::lock_guard guard(*isr->lock);
    isr->order->push_back(isr->name);
    return isr->claim;
}

struct SharedVector {
    std::vector<const char*> order;
    std::mutex lock;
    SharedIsr a{"a", FALSE, &order, &lock};
    SharedIsr b{"b", FALSE, &order, &lock};
    PKINTERRUPT ia = nullptr;
    PKINTERRUPT ib = nullptr;

    NTSTATUS connect(KINTERRUPT_MODE mode) {
        NTSTATUS s = IoConnectInterrupt(&ia, shared_isr, &a, nullptr, kLine, 5, 5, mode, TRUE,
                                        KeQueryActiveProcessors(), FALSE);
        if (!NT_SUCCESS(s)) return s;
        return IoConnectInterrupt(&ib, shared_isr, &b, nullptr, kLine, 5, 5, mode, TRUE, KeQueryActiveProcessors(),
                                  FALSE);
    }
    std::vector<const char*> take() {
        std::vector<const char*> out;
        out.swap(order);
        return out;
    }
    ~SharedVector() {
        if (ia) IoDisconnectInterrupt(ia);
        if (ib) IoDisconnectInterrupt(ib);
    }
};

using Order = std::vector<const char*>;

// A level-sensitive shared vector: the ISRs are called in connection order until one claims the
// interrupt.
TEST_F(InterruptTest, SharedLevelSensitiveVectorCallsIsrsInOrderUntilOneClaims) {
    SharedVector v;
    ASSERT_EQ(v.connect(LevelSensitive), STATUS_SUCCESS);
    v.b.claim = TRUE;
    EXPECT_EQ(NtioRaiseInterrupt(kLine), STATUS_SUCCESS);
    EXPECT_EQ(v.take(), (Order{"a", "b"}));
    v.a.claim = TRUE;
    EXPECT_EQ(NtioRaiseInterrupt(kLine), STATUS_SUCCESS);
    EXPECT_EQ(v.take(), (Order{"a"}));
    v.a.claim = v.b.claim = FALSE;
    EXPECT_EQ(NtioRaiseInterrupt(kLine), STATUS_UNSUCCESSFUL);
    EXPECT_EQ(v.take(), (Order{"a", "b"}));
}

// A latched shared vector: every ISR of the chain is called, claimed or not.
TEST_F(InterruptTest, SharedLatchedVectorCallsEveryIsr) {
    SharedVector v;
    ASSERT_EQ(v.connect(Latched), STATUS_SUCCESS);
    v.a.claim = TRUE;
    EXPECT_EQ(NtioRaiseInterrupt(kLine), STATUS_SUCCESS);
    EXPECT_EQ(v.take(), (Order{"a", "b"}));
}

// A vector takes a second interrupt object only when both connections share it with the same mode;
// otherwise IoConnectInterrupt fails with STATUS_INVALID_PARAMETER.
TEST_F(InterruptTest, AVectorConnectedExclusivelyIsNotShared) {
    Exclusion e1, e2;
    const KAFFINITY all = KeQueryActiveProcessors();
    ASSERT_EQ(IoConnectInterrupt(&e1.interrupt, exclusion_isr, &e1, nullptr, kLine, 5, 5, LevelSensitive, FALSE, all,
                                 FALSE),
              STATUS_SUCCESS);
    EXPECT_EQ(IoConnectInterrupt(&e2.interrupt, exclusion_isr, &e2, nullptr, kLine, 5, 5, LevelSensitive, TRUE, all,
                                 FALSE),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(e2.interrupt, nullptr);
    IoDisconnectInterrupt(e1.interrupt);
    ASSERT_EQ(IoConnectInterrupt(&e1.interrupt, exclusion_isr, &e1, nullptr, kLine, 5, 5, LevelSensitive, TRUE, all,
                                 FALSE),
              STATUS_SUCCESS);
    EXPECT_EQ(IoConnectInterrupt(&e2.interrupt, exclusion_isr, &e2, nullptr, kLine, 5, 5, LevelSensitive, FALSE, all,
                                 FALSE),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoConnectInterrupt(&e2.interrupt, exclusion_isr, &e2, nullptr, kLine, 5, 5, Latched, TRUE, all, FALSE),
              STATUS_INVALID_PARAMETER);
    // The failed attempts left the first connection alone.
    EXPECT_EQ(NtioRaiseInterrupt(kLine), STATUS_SUCCESS);
    EXPECT_EQ(e1.isr_calls.load(), 1);
    EXPECT_EQ(e2.isr_calls.load(), 0);
    IoDisconnectInterrupt(e1.interrupt);
}

// ---- Parameters ----

TEST_F(InterruptTest, IoConnectInterruptRefusesInconsistentParameters) {
    Exclusion e;
    const KAFFINITY all = KeQueryActiveProcessors();
    auto connect = [&](ULONG vector, KIRQL irql, KIRQL sync, KAFFINITY mask) {
        e.interrupt = reinterpret_cast<PKINTERRUPT>(1);
        NTSTATUS s = IoConnectInterrupt(&e.interrupt, exclusion_isr, &e, nullptr, vector, irql, sync, LevelSensitive,
                                        FALSE, mask, FALSE);
        if (NT_SUCCESS(s)) {
            IoDisconnectInterrupt(e.interrupt);
        } else {
            EXPECT_EQ(e.interrupt, nullptr);  // "assume failure": the pointer is cleared
        }
        return s;
    };
    EXPECT_EQ(connect(kLine, 5, 5, all), STATUS_SUCCESS);
    // "STATUS_INVALID_PARAMETER: No processors were specified."
    EXPECT_EQ(connect(kLine, 5, 5, 0), STATUS_INVALID_PARAMETER);
    const KAFFINITY absent = ~all;  // processors the system does not have
    if (absent) {
        EXPECT_EQ(connect(kLine, 5, 5, absent & (~absent + 1)), STATUS_INVALID_PARAMETER);
    }
    // SynchronizeIrql is the highest Irql of the ISR's interrupts: never below Irql.
    EXPECT_EQ(connect(kLine, 5, 4, all), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(connect(kLine, 5, HIGH_LEVEL + 1, all), STATUS_INVALID_PARAMETER);
    // The vector's DIRQL (translated resources: Level = Vector >> 4); a raw resource's values fail.
    EXPECT_EQ(connect(kLine, 6, 6, all), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(connect(10, 10, 10, all), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(connect(0xD1, 13, 13, all), STATUS_INVALID_PARAMETER);  // the clock's range
}

TEST_F(InterruptTest, IoConnectInterruptExRefusesBadVersionsAndParameters) {
    ASSERT_EQ(assign(kLine), STATUS_SUCCESS);
    State& s = state();
    s.connect = Connect::none;
    Driver driver;
    ASSERT_TRUE(start_device());
    PDEVICE_OBJECT pdo = s.pdo.load();
    Exclusion e;
    IO_CONNECT_INTERRUPT_PARAMETERS p;
    RtlZeroMemory(&p, sizeof p);
    // "STATUS_INVALID_PARAMETER_1: ... Parameters->Version must be one of CONNECT_LINE_BASED,
    // CONNECT_MESSAGE_BASED, or CONNECT_FULLY_SPECIFIED."
    p.Version = 0;
    EXPECT_EQ(IoConnectInterruptEx(&p), STATUS_INVALID_PARAMETER_1);
    p.Version = 0x5;  // CONNECT_MESSAGE_BASED_PASSIVE: Windows 8, not modelled
    EXPECT_EQ(IoConnectInterruptEx(&p), STATUS_INVALID_PARAMETER_1);
    // "STATUS_INVALID_PARAMETER: ... when the caller specified NULL for the device's device object."
    p.Version = CONNECT_LINE_BASED;
    p.LineBased.InterruptObject = &e.interrupt;
    p.LineBased.ServiceRoutine = exclusion_isr;
    EXPECT_EQ(IoConnectInterruptEx(&p), STATUS_INVALID_PARAMETER);
    // A device object that is not a PDO has no interrupts assigned.
    p.LineBased.PhysicalDeviceObject = s.fdo.load();
    EXPECT_EQ(IoConnectInterruptEx(&p), STATUS_INVALID_PARAMETER);
    // "STATUS_INVALID_PARAMETER_10: ... when Parameters->FullySpecified.ProcessorEnableMask does not
    // have any bits set."
    RtlZeroMemory(&p, sizeof p);
    p.Version = CONNECT_FULLY_SPECIFIED;
    p.FullySpecified.PhysicalDeviceObject = pdo;
    p.FullySpecified.InterruptObject = &e.interrupt;
    p.FullySpecified.ServiceRoutine = exclusion_isr;
    p.FullySpecified.ServiceContext = &e;
    p.FullySpecified.Vector = kOtherLine;
    p.FullySpecified.Irql = 6;
    p.FullySpecified.SynchronizeIrql = 6;
    EXPECT_EQ(IoConnectInterruptEx(&p), STATUS_INVALID_PARAMETER_10);
    p.FullySpecified.ProcessorEnableMask = KeQueryActiveProcessors();
    p.FullySpecified.SynchronizeIrql = 5;
    EXPECT_EQ(IoConnectInterruptEx(&p), STATUS_INVALID_PARAMETER);
    p.FullySpecified.SynchronizeIrql = 6;
    // CONNECT_FULLY_SPECIFIED_GROUP: the system has group 0 only.
    p.Version = CONNECT_FULLY_SPECIFIED_GROUP;
    p.FullySpecified.Group = 1;
    EXPECT_EQ(IoConnectInterruptEx(&p), STATUS_INVALID_PARAMETER);
    p.FullySpecified.Group = 0;
    ASSERT_EQ(IoConnectInterruptEx(&p), STATUS_SUCCESS);
    EXPECT_EQ(p.Version, ULONG{CONNECT_FULLY_SPECIFIED_GROUP});
    EXPECT_EQ(NtioRaiseInterrupt(kOtherLine), STATUS_SUCCESS);
    EXPECT_EQ(e.isr_calls.load(), 1);
    IO_DISCONNECT_INTERRUPT_PARAMETERS d;
    d.Version = CONNECT_FULLY_SPECIFIED_GROUP;
    d.ConnectionContext.InterruptObject = e.interrupt;
    IoDisconnectInterruptEx(&d);
    EXPECT_EQ(NtioRaiseInterrupt(kOtherLine), STATUS_NOT_FOUND);
    // CONNECT_CURRENT_VERSION is the highest version ntio knows.
    EXPECT_EQ(CONNECT_CURRENT_VERSION, CONNECT_FULLY_SPECIFIED_GROUP);
    ASSERT_EQ(remove_device(), STATUS_SUCCESS);
}

TEST_F(InterruptTest, NtioSetDeviceInterruptsRefusesVectorsOutsideTheDeviceRange) {
    EXPECT_EQ(assign(0x2F), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(assign(0xC0), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(assign(0xBE, 3), STATUS_INVALID_PARAMETER);  // the last message would be 0xC0
    EXPECT_EQ(assign(0x30, 2049), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(assign(0xBF), STATUS_SUCCESS);
    UNICODE_STRING name = instance_name();
    EXPECT_EQ(NtioSetDeviceInterrupts(&name, nullptr), STATUS_SUCCESS);
}

// ---- Soft connection ----

// "IoReportInterruptInactive disables calls to the ISR ... IoReportInterruptActive soft-connects these
// interrupts to enable calls to the ISR." Repeating either changes nothing.
TEST_F(InterruptTest, InactiveIsrIsNotCalledUntilReportedActive) {
    ASSERT_EQ(assign(kLine), STATUS_SUCCESS);
    Driver driver;
    ASSERT_TRUE(start_device());
    State& s = state();
    IO_REPORT_INTERRUPT_ACTIVE_STATE_PARAMETERS r;
    r.Version = s.connect_version.load();
    r.ConnectionContext.Generic = s.connection.load();
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);  // callable at IRQL <= DISPATCH_LEVEL
    IoReportInterruptInactive(&r);
    IoReportInterruptInactive(&r);
    KeLowerIrql(old);
    EXPECT_EQ(hardware_interrupt(kLine), STATUS_NOT_FOUND);
    EXPECT_EQ(s.observed.isr_calls.load(), 0);
    IoReportInterruptActive(&r);
    IoReportInterruptActive(&r);
    EXPECT_EQ(NtioRaiseInterrupt(kLine), STATUS_SUCCESS);  // the status register is still set
    EXPECT_EQ(s.observed.isr_calls.load(), 1);
    ASSERT_EQ(remove_device(), STATUS_SUCCESS);
}

// ---- IRQL rules and misuse ----

// IoConnectInterrupt and IoDisconnectInterrupt(Ex) run at PASSIVE_LEVEL (pageable code): ntio stops a
// call at DISPATCH_LEVEL or above with IRQL_NOT_LESS_OR_EQUAL, the fault of paged code there.
TEST_F(InterruptTest, ConnectAndDisconnectAtDispatchLevelBugcheck) {
    Exclusion e;
    const KAFFINITY all = KeQueryActiveProcessors();
    std::optional<BugCheck> bc = catch_bugcheck([&] {
        KIRQL old;
        KeRaiseIrql(DISPATCH_LEVEL, &old);
        (void)IoConnectInterrupt(&e.interrupt, exclusion_isr, &e, nullptr, kLine, 5, 5, LevelSensitive, FALSE, all,
                                 FALSE);
    });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, ULONG{IRQL_NOT_LESS_OR_EQUAL});
    EXPECT_EQ(bc->p2, ULONG_PTR{DISPATCH_LEVEL});
    KeLowerIrql(PASSIVE_LEVEL);
    ASSERT_EQ(IoConnectInterrupt(&e.interrupt, exclusion_isr, &e, nullptr, kLine, 5, 5, LevelSensitive, FALSE, all,
                                 FALSE),
              STATUS_SUCCESS);
    bc = catch_bugcheck([&] {
        KIRQL old;
        KeRaiseIrql(DISPATCH_LEVEL, &old);
        IoDisconnectInterrupt(e.interrupt);
    });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, ULONG{IRQL_NOT_LESS_OR_EQUAL});
    KeLowerIrql(PASSIVE_LEVEL);
    IoDisconnectInterrupt(e.interrupt);
}

// A disconnected interrupt object is gone: disconnecting it again is the double free Windows stops on.
TEST_F(InterruptTest, DisconnectingTwiceBugchecksAsADoubleFree) {
    Exclusion e;
    ASSERT_EQ(IoConnectInterrupt(&e.interrupt, exclusion_isr, &e, nullptr, kLine, 5, 5, LevelSensitive, FALSE,
                                 KeQueryActiveProcessors(), FALSE),
              STATUS_SUCCESS);
    IoDisconnectInterrupt(e.interrupt);
    std::optional<BugCheck> bc = catch_bugcheck([&] { IoDisconnectInterrupt(e.interrupt); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, ULONG{BAD_POOL_CALLER});
    EXPECT_EQ(bc->p1, ULONG_PTR{0x07});
}

// Interrupts are raised at IRQL <= DISPATCH_LEVEL (below every DIRQL, so never from an ISR).
TEST_F(InterruptTest, RaisingAboveDispatchLevelBugchecks) {
    std::optional<BugCheck> bc = catch_bugcheck([&] {
        KIRQL old;
        KeRaiseIrql(5, &old);
        (void)NtioRaiseInterrupt(kLine);
    });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, ULONG{IRQL_NOT_LESS_OR_EQUAL});
    EXPECT_EQ(bc->p2, ULONG_PTR{5});
    KeLowerIrql(PASSIVE_LEVEL);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetaffinityinterrupt
// The processors the interrupt was connected for, as a group affinity of group 0.
BOOLEAN NTAPI unclaimed_isr(PKINTERRUPT, PVOID) { return FALSE; }

TEST_F(InterruptTest, IoGetAffinityInterruptReportsTheConnectedProcessors) {
    PKINTERRUPT interrupt = nullptr;
    const KAFFINITY processors = KeQueryActiveProcessors();
    const KAFFINITY first = processors & (~processors + 1);  // the lowest active processor alone
    ASSERT_EQ(IoConnectInterrupt(&interrupt, unclaimed_isr, nullptr, nullptr, kLine, 5, 5, Latched, TRUE, first, FALSE),
              STATUS_SUCCESS);
    GROUP_AFFINITY affinity;
    std::memset(&affinity, 0xCC, sizeof affinity);
    ASSERT_EQ(IoGetAffinityInterrupt(interrupt, &affinity), STATUS_SUCCESS);
    EXPECT_EQ(affinity.Mask, first);
    EXPECT_EQ(affinity.Group, 0);
    EXPECT_EQ(affinity.Reserved[0], 0);
    EXPECT_EQ(IoGetAffinityInterrupt(interrupt, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoGetAffinityInterrupt(nullptr, &affinity), STATUS_INVALID_PARAMETER);
    IoDisconnectInterrupt(interrupt);
}

}  // namespace
}  // namespace ntio::interrupt_test

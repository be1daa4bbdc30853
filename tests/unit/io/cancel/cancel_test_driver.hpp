// "CancelTest": a WDM test driver for the cancellation suites. Its IRP_MJ_READ dispatch parks each
// read the way the stack location's Parameters.Read.Key asks (plain list, cancelable list, cancel-safe
// queue, StartIo, timer), and its "hardware" side (DriverTake*, DriverComplete*) is what the tests
// call to finish parked requests. A small fixture loads it with NtioCreateDriver and sends
// IoAllocateIrp IRPs whose originator completion routine records each completion and keeps the IRP.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <functional>

#include "support/bugcheck_catcher.hpp"
#include "support/driver_fixture.hpp"

#include <wdm.h>
#include <ntio/ntio.h>

namespace ntio::io::test {

// Parameters.Read.Key of a read: how the dispatch parks it.
enum ParkMode : ULONG {
    kParkPlain = 1,       // list, no cancel routine
    kParkCancelable = 2,  // list + cancel routine, NT fact C7 pattern
    kParkCsq = 3,         // IoCsqInsertIrp
    kParkCsqEx = 4,       // IoCsqInsertIrpEx (S13 "current request" variant)
    kParkStartIo = 5,     // IoStartPacket with a cancel routine
    kParkTimer = 6,       // cancel routine + KTIMER/DPC completion (S19)
    kParkCsqContext = 7,  // IoCsqInsertIrp with the extension's IO_CSQ_IRP_CONTEXT
};
// For kParkStartIo, Parameters.Read.ByteOffset.LowPart != 0 is the IoStartPacket key.

struct DeviceExtension {
    KSPIN_LOCK QueueLock;
    LIST_ENTRY Queue;  // kParkPlain / kParkCancelable / kParkTimer, through Tail.Overlay.ListEntry

    IO_CSQ Csq;  // kParkCsq, kParkCsqEx
    KSPIN_LOCK CsqLock;
    LIST_ENTRY CsqQueue;
    PIRP CurrentRequest;  // S13: the request in progress; CsqInsertIrpEx fails when there is none
    LONG CsqInsertCalls;
    LONG CsqCanceledCompletions;
    IO_CSQ_IRP_CONTEXT Context;  // kParkCsqContext

    LONG CancelRoutineCalls;
    BOOLEAN CancelSawCancelFlag;        // inside a cancel routine: Irp->Cancel
    BOOLEAN CancelSawNullRoutine;       // inside a cancel routine: Irp->CancelRoutine == NULL
    KIRQL CancelIrqlInRoutine;          // KeGetCurrentIrql() inside the routine
    PDEVICE_OBJECT CancelDeviceArg;     // DeviceObject the routine got

    PIRP StartIoOrder[32];  // kParkStartIo: the IRPs in the order StartIo saw them
    LONG StartIoCount;
    KIRQL StartIoIrql;
    BOOLEAN CompleteInStartIo;  // StartIo completes at once and calls IoStartNextPacket itself
    LONG StartIoDepth;
    LONG StartIoMaxDepth;

    KTIMER Timer;  // kParkTimer
    KDPC TimerDpc;

    KSEMAPHORE WorkSemaphore;  // S12 worker thread
    PETHREAD Worker;
    volatile LONG StopWorker;
    LONG WorkerRetries;
};

// Runs inside the kParkCancelable dispatch between IoSetCancelRoutine and the Irp->Cancel check.
extern std::function<void(PIRP)> g_between_set_and_check;

NTSTATUS NTAPI CancelTestDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);
// Variant whose cancel-safe queue is set up with IoCsqInitializeEx (S13).
NTSTATUS NTAPI CancelTestExDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);
// Variant whose driver also runs the S12 worker thread on its cancel-safe queue.
NTSTATUS NTAPI CancelTestWorkerDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

inline DeviceExtension* ext_of(PDEVICE_OBJECT d) { return static_cast<DeviceExtension*>(d->DeviceExtension); }

// The hardware side. Take* returns a parked IRP the caller now owns (NULL if none could be taken).
PIRP DriverTakeParked(PDEVICE_OBJECT Device);  // kParkPlain / kParkCancelable
void DriverCompleteRead(PIRP Irp, NTSTATUS Status, ULONG_PTR Information);
// kParkStartIo: completes CurrentIrp (if StartIo still owns it) and starts the next packet.
void DriverCompleteCurrentStartIo(PDEVICE_OBJECT Device, NTSTATUS Status);

// The outcome of one IRP as its originator sees it.
struct Outcome {
    std::atomic<int> completions{0};
    std::atomic<NTSTATUS> status{STATUS_PENDING};
    std::atomic<ULONG_PTR> information{0};
    std::atomic<bool> pending_returned{false};
};

class CancelTest : public ntio::test::DriverTest {
protected:
    void SetUp() override;
    void TearDown() override;

    // Loads CancelTest (or another entry point) as \Driver\<name>; its first device is device().
    void load(PDRIVER_INITIALIZE entry = CancelTestDriverEntry, const wchar_t* name = L"CancelTest");
    PDEVICE_OBJECT device() const { return m_driver->DeviceObject; }
    DeviceExtension* ext() const { return ext_of(device()); }

    // A read for device() with the originator's completion routine recording into outcome (which
    // returns STATUS_MORE_PROCESSING_REQUIRED: the test frees the IRP with IoFreeIrp).
    PIRP make_read(ParkMode mode, Outcome& outcome, PFILE_OBJECT file = nullptr);
    NTSTATUS send(PIRP irp) { return IoCallDriver(device(), irp); }

    // A system thread that ended still holds its thread object for a moment after waiters are
    // released (the kernel drops the thread's own reference once the host thread is gone): leak
    // checks wait for the object count to come back to what it was.
    std::size_t object_count();
    void settle_objects(std::size_t expected);
};

// Waits (up to 20 s, in 1 ms sleeps) until the outcome has seen `completions` completions.
inline void wait_for(Outcome& outcome, int completions = 1) {
    for (int i = 0; i < 20000 && outcome.completions.load() < completions; ++i) {
        LARGE_INTEGER ms;
        ms.QuadPart = -10000;
        KeDelayExecutionThread(KernelMode, FALSE, &ms);
    }
    ASSERT_EQ(outcome.completions.load(), completions);
}

}  // namespace ntio::io::test

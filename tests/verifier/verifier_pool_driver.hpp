// "VerPool": a WDM test driver for the special-pool and unload suites. Two devices: Upper's
// IRP_MJ_DEVICE_CONTROL does what the control code asks (send a driver-allocated read to Lower, misuse
// an IRP it allocated, arm a timer, queue a DPC or a work item, leak an MDL); Lower's
// IRP_MJ_READ completes the read, touching it afterwards when Parameters.Read.Key asks.
#pragma once

#include <gtest/gtest.h>

#include <atomic>

#include "support/bugcheck_catcher.hpp"
#include "support/system_fixture.hpp"
#include "verifier_driver_fixture.hpp"

#include <wdm.h>
#include <ntio/ntio.h>
#include <ntio/ntio_verifier.h>

namespace ntio::verifier::test {

inline constexpr ULONG pool_ioctl(ULONG function) {
    return CTL_CODE(FILE_DEVICE_UNKNOWN, function, METHOD_NEITHER, FILE_ANY_ACCESS);
}
// Upper's control codes.
inline constexpr ULONG kIoctlSendReadTouchAfter = pool_ioctl(0xA00);  // Lower reads IoStatus after completing
inline constexpr ULONG kIoctlSendReadLegal = pool_ioctl(0xA01);       // Lower returns a local copy
inline constexpr ULONG kIoctlFillCurrentLocation = pool_ioctl(0xA02); // fills the location past the last (2 locations)
inline constexpr ULONG kIoctlFillNextLocation = pool_ioctl(0xA03);    // fills the next location (legal)
inline constexpr ULONG kIoctlTouchSlack = pool_ioctl(0xA04);          // one byte past a 1-location IRP
inline constexpr ULONG kIoctlArmTimer = pool_ioctl(0xA10);            // KeSetTimer, one hour, with a DPC
inline constexpr ULONG kIoctlQueueDpc = pool_ioctl(0xA11);            // KeInsertQueueDpc on processor 0
inline constexpr ULONG kIoctlQueueWorkItem = pool_ioctl(0xA12);       // IoQueueWorkItem at DISPATCH_LEVEL
inline constexpr ULONG kIoctlStartThread = pool_ioctl(0xA13);         // PsCreateSystemThread, runs until stopped
inline constexpr ULONG kIoctlLeakMdl = pool_ioctl(0xA20);             // IoAllocateMdl, kept
inline constexpr ULONG kIoctlFreeMdl = pool_ioctl(0xA21);             // IoFreeMdl of the kept MDL

// Parameters.Write.Key of a write to Lower: what its KDEVICE_QUEUE does with it.
enum QueueMode : ULONG {
    kQueueHold = 1,               // the queue was idle: the IRP is the one in progress, kept pending
    kQueueCompleteQueued = 2,     // queued behind it, then completed while still queued (0x2A)
    kQueueRemoveThenComplete = 3, // queued, KeRemoveEntryDeviceQueue, then completed (legal)
    kStartIoHold = 4,             // IoStartPacket; the StartIo routine keeps it as the current IRP
    kStartIoCompleteQueued = 5,   // IoStartPacket queues it behind the current one, then completed (0x2A)
};

// What the driver's unload does besides deleting its devices.
struct PoolDriverState {
    std::atomic<bool> cancel_timer_at_unload{false};
    std::atomic<bool> stop_thread_at_unload{false};  // DriverUnload stops its thread and waits for it
    std::atomic<int> dpc_runs{0};
    std::atomic<int> work_item_runs{0};
};
extern PoolDriverState g_pool_state;

NTSTATUS NTAPI VerPoolDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

// Blocks emulated processor 0's DPC thread until released, so that a DPC queued behind it stays
// queued; and the same for one system worker thread.
void BlockDpcProcessor0();
void ReleaseDpcProcessor0();
void BlockWorker();
void ReleaseWorker();
// Stops the driver's system thread (kIoctlStartThread) and waits for it to end, when one runs (the
// driver may be gone: a test's cleanup after its unload was stopped).
void StopDriverThread();
// Frees the MDL a test left leaked on purpose (the driver may be gone).
void FreeLeakedMdl();
// Completes Lower's held write (kQueueHold) and leaves its queue idle.
void ReleaseHeldWrite(PDEVICE_OBJECT Lower);
// Completes Lower's current StartIo IRP (kStartIoHold) and starts the next packet, at DISPATCH_LEVEL.
void FinishCurrentPacket(PDEVICE_OBJECT Lower);

class PoolTest : public VerifiedDriverTest {
protected:
    void SetUp() override;
    void TearDown() override;
    // Loads VerPool and verifies it with flags (0: not verified).
    void load(ULONG flags = NTIO_VERIFIER_STANDARD_FLAGS) { load_driver(L"VerPool", VerPoolDriverEntry, flags); }
    PDEVICE_OBJECT upper() const;
    PDEVICE_OBJECT lower() const;
    // A write to Lower (an IRP of the test, kept by its completion routine: free it with IoFreeIrp).
    PIRP send_write(ULONG mode, NTSTATUS* final_status);
    // Sends an IOCTL to Upper (an IRP of the test, not of the driver) and returns its final status.
    NTSTATUS ioctl(ULONG code) { return send_ioctl(upper(), code); }
    // Expects the bugcheck code from body and returns it (leak checks off: the body was cut short).
    ntio::test::BugCheck expect_bugcheck(const std::function<void()>& body, ULONG code) {
        return expect_stop(body, code);
    }
};

}  // namespace ntio::verifier::test

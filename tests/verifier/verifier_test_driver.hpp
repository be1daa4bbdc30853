// "VerBuggy" and "VerFilter": WDM test drivers for the verifier suites. VerBuggy's IRP_MJ_READ does
// what Parameters.Read.Key asks (a bug, or the legal pattern next to it); its METHOD_BUFFERED IOCTLs
// write 4 bytes and report what the control code asks. VerFilter sits on VerBuggy's device and forwards reads the way
// Parameters.Read.ByteOffset.LowPart asks. The fixture loads them and sends IoAllocateIrp reads.
#pragma once

#include <gtest/gtest.h>

#include <atomic>

#include "support/bugcheck_catcher.hpp"
#include "support/system_fixture.hpp"

#include <wdm.h>
#include <ntio/ntio.h>

namespace ntio::verifier::test {

// Parameters.Read.Key of a read: what VerBuggy's dispatch does.
enum BuggyMode : ULONG {
    kCompleteOk = 1,              // complete STATUS_SUCCESS, return it
    kPendWithoutMark = 2,         // park, return STATUS_PENDING without IoMarkIrpPending (0x23D)
    kMarkAndPark = 3,             // IoMarkIrpPending, park, return STATUS_PENDING (legal)
    kMarkCompleteReturnOk = 4,    // mark, complete, return STATUS_SUCCESS (0x23E)
    kMarkCompleteReturnPending = 5,  // mark, complete, return STATUS_PENDING (legal, spec 5.3)
    kReturnWithoutComplete = 6,   // return STATUS_SUCCESS, IRP untouched (0x226)
    kStatusMismatch = 7,          // complete with STATUS_SUCCESS, return STATUS_UNSUCCESSFUL (0x224, P4)
    kCompleteWithCancelRoutine = 8,  // IoSetCancelRoutine, then complete (0xC9 0x07)
    kCompletePendingStatus = 9,   // complete with IoStatus.Status = STATUS_PENDING (0xC9 0x06)
    kSpinLockHeld = 10,           // KeAcquireSpinLock, complete, return with it held (0xC4 SpinLock)
    kSpinLockReleased = 11,       // the same, released before returning (legal)
    kCancelLockHeld = 12,         // IoAcquireCancelSpinLock without release (0xC4 SpinLock)
    kCompleteTwice = 13,          // complete, complete again (0x44)
    kCsqPend = 14,                // IoCsqInsertIrp, return STATUS_PENDING without marking (legal, B9)
    kDoubleMark = 15,             // IoMarkIrpPending twice, park, STATUS_PENDING (legal)
    kDpcComplete = 16,            // mark, queue a DPC that completes at DISPATCH_LEVEL (legal)
    kCancelableLegal = 17,        // mark, cancel routine, park; the cancel routine releases the cancel
                                  // spin lock first and completes later (legal)
    kRaiseIrql = 18,              // KeRaiseIrql(APC_LEVEL), complete, return raised (0xC9 0x05)
    kReturnIllegalStatus = 19,    // complete, return 0xFFFFFFFF (0x225)
    kCompleteAtHighLevel = 20,    // complete at HIGH_LEVEL, as from an ISR (0xC9 0x0E)
    kCompleteAtDispatchLevel = 21,  // complete at DISPATCH_LEVEL, then lower the IRQL back (legal)
    kRaiseIrqlHigh = 22,          // complete, KeRaiseIrql(HIGH_LEVEL), return raised (0xC9 0x12)
};

// Parameters.Read.ByteOffset.LowPart of a read sent to VerFilter: how it forwards.
enum FilterMode : ULONG {
    kFilterSkip = 1,                // IoSkipCurrentIrpStackLocation (legal)
    kFilterCopyPropagate = 2,       // copy + routine that propagates the pending bit (legal)
    kFilterNoCopy = 3,              // IoSetCompletionRoutine on an untouched next location (0x212)
    kFilterCopyUpperRoutine = 4,    // *next = *current, upper's completion routine included (0x207)
    kFilterCopyNoPropagate = 5,     // copy + routine that ignores PendingReturned (0x228, P4)
    kFilterReturnOtherStatus = 6,   // skip, but return STATUS_SUCCESS whatever the lower returned
    kFilterForwardToNull = 7,       // skip, then IoCallDriver with a NULL lower device (0x204)
    kFilterForwardCancelable = 8,   // set a cancel routine, copy, forward with it still set (0x203)
    kFilterForwardUncancelable = 9,  // the same, the cancel routine cleared before forwarding (legal)
    kFilterResendWhilePending = 10,  // copy, forward; on STATUS_PENDING forward again at once (0x205)
    kFilterResendAfterCompletion = 11,  // forward twice, each time waiting until the lower driver
                                        // completed and the routine took the IRP back; complete (legal)
    kFilterHandCopyKeepingControl = 12,  // mark pending, copy the location by hand with its Control,
                                         // forward, return STATUS_PENDING (0x206)
    kFilterMarkCopyForward = 13,    // mark pending, IoCopyCurrentIrpStackLocationToNext, forward,
                                    // return STATUS_PENDING (legal)
    kFilterMarkSkipForward = 14,    // mark pending, skip, forward, return STATUS_PENDING (legal)
    kFilterCopyRoutineEx = 15,      // copy + IoSetCompletionRoutineEx with the propagating routine,
                                    // forward; if it fails, complete with its status (legal)
    kFilterRaiseIrqlSkip = 16,      // KeRaiseIrql(APC_LEVEL), skip, return IoCallDriver: returns
                                    // raised (0xC9 0x05 naming the filter)
    kFilterCopyNoRoutine = 17,      // IoCopyCurrentIrpStackLocationToNext, no completion routine (0x21C)
    kFilterForwardToBase = 18,      // skip, forward to the bottom of the stack, past the attached-to
                                    // device (0x211)
    kFilterCancelAfterForward = 19,  // copy + propagating routine, forward; on STATUS_PENDING set a
                                     // cancel routine on the IRP the lower driver holds (0x229)
    kFilterSkipReturnPending = 20,  // skip, forward, return STATUS_PENDING whatever the lower returned
                                    // and without IoMarkIrpPending (0x24C)
    kFilterSkipThenSetRoutine = 21,  // skip, then IoSetCompletionRoutine (overwrites the upper driver's
                                     // routine), forward (0x212 at the send)
    kFilterSkipThenComplete = 22,   // skip, then complete instead of forwarding (0x212 at completion)
    kFilterSkipUnwindComplete = 23,  // skip, IoSetNextIrpStackLocation to undo it, complete (legal)
};

// What VerBuggy's IRP_MJ_PNP / IRP_MJ_POWER / IRP_MJ_SYSTEM_CONTROL dispatch does (g_buggy_pnp).
enum BuggyPnpMode : ULONG {
    kPnpCompleteAsIs = 0,  // complete with IoStatus as it came (a bus driver not handling the IRP)
    kPnpFail = 1,          // complete with STATUS_UNSUCCESSFUL
    kPnpSucceed = 2,       // complete with STATUS_SUCCESS
};
// What VerFilter's IRP_MJ_PNP dispatch does before it skips and forwards (g_filter_pnp).
enum FilterPnpMode : ULONG {
    kFilterPnpSkip = 0,            // nothing (the pass-through Learn describes)
    kFilterPnpSetStatus = 1,       // IoStatus.Status = STATUS_SUCCESS
    kFilterPnpSetInformation = 2,  // IoStatus.Information = 1
    kFilterPnpRaiseIrql = 3,       // forward at APC_LEVEL, then lower the IRQL again
};
extern ULONG g_buggy_pnp;
extern ULONG g_filter_pnp;

// VerBuggy's METHOD_BUFFERED IOCTLs: the driver writes 4 bytes of output.
inline constexpr ULONG kIoctlReportWritten = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x900, METHOD_BUFFERED, FILE_ANY_ACCESS);
inline constexpr ULONG kIoctlReportMore = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x901, METHOD_BUFFERED, FILE_ANY_ACCESS);
inline constexpr ULONG kIoctlReportBeyondBuffer = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x902, METHOD_BUFFERED, FILE_ANY_ACCESS);

struct BuggyExtension {
    KSPIN_LOCK QueueLock;
    LIST_ENTRY Queue;
    IO_CSQ Csq;
    KSPIN_LOCK CsqLock;
    LIST_ENTRY CsqQueue;
    KSPIN_LOCK HeldLock;  // kSpinLockHeld
    KDPC Dpc;
    PIRP DpcIrp;
    std::atomic<LONG> DpcDone;
};

struct FilterExtension {
    PDEVICE_OBJECT Lower;
};

NTSTATUS NTAPI VerBuggyDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);
NTSTATUS NTAPI VerFilterDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);
// VerFilter attaches to this device in its DriverEntry.
extern PDEVICE_OBJECT g_filter_target;

// Takes the oldest parked read (kMarkAndPark, kPendWithoutMark, kDoubleMark, kCancelableLegal).
PIRP BuggyTakeParked(PDEVICE_OBJECT Device);
PIRP BuggyTakeCsq(PDEVICE_OBJECT Device);

struct Outcome {
    std::atomic<int> completions{0};
    std::atomic<NTSTATUS> status{0};
};

class VerifierTest : public ntio::test::SystemTest {
protected:
    void SetUp() override;
    void TearDown() override;
    void load_buggy(ULONG flags = NTIO_VERIFIER_STANDARD_FLAGS);
    void load_filter(ULONG flags = NTIO_VERIFIER_STANDARD_FLAGS);
    PDEVICE_OBJECT buggy_device() const { return m_buggy->DeviceObject; }
    BuggyExtension* buggy_ext() const { return static_cast<BuggyExtension*>(buggy_device()->DeviceExtension); }
    PDEVICE_OBJECT filter_device() const { return m_filter->DeviceObject; }
    // A read for target (VerBuggy or VerFilter) whose originator routine records into outcome and
    // keeps the IRP (STATUS_MORE_PROCESSING_REQUIRED); free it with IoFreeIrp.
    PIRP make_read(PDEVICE_OBJECT target, ULONG buggy_mode, Outcome& outcome, ULONG filter_mode = 0);
    // The legal neighbour of a rule: a read through target that the stack completes with
    // STATUS_SUCCESS (the originator's routine run once), with nothing reported.
    void expect_legal_read(PDEVICE_OBJECT target, ULONG buggy_mode, ULONG filter_mode = 0);
    // Sends irp to VerFilter and expects its forward reported as this 0xC9 WDM subcode, with P2 the
    // filter's dispatch routine and P3 the IRP (P4, the target device, is the caller's to check).
    ntio::test::BugCheck expect_forward_report(PIRP irp, ULONG_PTR subcode);
    // Finishes a parked read the way hardware would.
    static void complete_read(PIRP irp, NTSTATUS status);
    // Expects a verifier bugcheck with this code and parameter 1 from body, and returns it.
    ntio::test::BugCheck expect_bugcheck(const std::function<void()>& body, ULONG code, ULONG_PTR p1);
    // Sends irp to target and expects 0xC9 0x05 (the IRQL a dispatch returned at is not the one it was
    // called at: PASSIVE_LEVEL, then APC_LEVEL) naming device `named`; lowers the IRQL again.
    ntio::test::BugCheck expect_irql_change_report(PDEVICE_OBJECT target, PIRP irp, PDEVICE_OBJECT named);
    std::string last_report();

    PDRIVER_OBJECT m_buggy = nullptr;
    PDRIVER_OBJECT m_filter = nullptr;
};

// A pointer as the bugcheck parameter it appears as.
inline ULONG_PTR ptr(const void* p) { return reinterpret_cast<ULONG_PTR>(p); }

// Where VerifyDrivers and VerifyDriverLevel live, under RTL_REGISTRY_CONTROL.
inline constexpr const wchar_t* kMemoryManagement = L"Session Manager\\Memory Management";

}  // namespace ntio::verifier::test

// The series E matrix test driver: \Device\CmpMatrix (link CmpMatrix) answers three IOCTLs, one per
// METHOD_BUFFERED / METHOD_OUT_DIRECT / METHOD_NEITHER, each told by its input (an Instruction) which
// dispatch return status, IoStatus.Status and Information to use, whether to mark the IRP pending,
// and who completes it: the dispatch routine itself, a work item, or a DPC.
#pragma once

#include <atomic>

#include <wdm.h>

namespace ntio::test::completion_matrix {

constexpr ULONG kIoctlBuffered = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x900, METHOD_BUFFERED, FILE_ANY_ACCESS);
constexpr ULONG kIoctlOutDirect = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x901, METHOD_OUT_DIRECT, FILE_ANY_ACCESS);
constexpr ULONG kIoctlNeither = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x902, METHOD_NEITHER, FILE_ANY_ACCESS);

// Who calls IoCompleteRequest. Only a dispatch that marks pending and returns STATUS_PENDING may leave
// the completion to a work item or a DPC (the IRP is no longer the dispatch's once it returns).
enum Completer : ULONG { kDispatch = 0, kWorkItem = 1, kDpc = 2 };

// Input of every matrix IOCTL. The dispatch writes "ghijkl" to the caller's output (6 bytes at least),
// sets IoStatus = {iosb_status, information}, marks pending when `pend`, hands the IRP to the
// completer and returns ret_status.
struct Instruction {
    NTSTATUS ret_status;
    NTSTATUS iosb_status;
    ULONG information;
    ULONG pend;
    ULONG completer;
};

// What the driver observed, read by the tests once the request is over.
struct DriverLog {
    std::atomic<int> completions{0};       // IoCompleteRequest calls that returned (bugchecked ones excluded)
    std::atomic<int> bugchecks{0};         // IoCompleteRequest calls that bugchecked
    std::atomic<ULONG> bugcheck_code{0};   // of the last one
    std::atomic<ULONG_PTR> bugcheck_p1{0};
    std::atomic<ULONG_PTR> bugcheck_p2{0};
    std::atomic<ULONG_PTR> bugcheck_p3{0};
    std::atomic<PIRP> last_irp{nullptr};
    std::atomic<int> deferred_done{0};    // work items and DPCs that finished (after their completion)
    void reset();
};
extern DriverLog g_log;

// The status a bugchecked completion is finished with, so that no IRP is left behind.
constexpr NTSTATUS kAfterBugcheckStatus = STATUS_UNSUCCESSFUL;

NTSTATUS NTAPI matrix_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path);

}  // namespace ntio::test::completion_matrix

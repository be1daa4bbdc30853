// The completion-port suite's test driver: one DO_BUFFERED_IO device, \Device\PortTest (DOS name
// PortTest), whose IOCTL completes with the status and Information the caller asks for, at once or
// after IoMarkIrpPending, or parks the IRP until a second IOCTL finishes the parked IRPs from a work
// item. Reads and writes complete at once with the whole length, or park like the IOCTL.
#pragma once

#include <wdm.h>

namespace ntio::test::ports {

// Input of kIoctlComplete: how to answer.
struct CompleteRequest {
    NTSTATUS status;
    ULONG information;
    ULONG how;  // kAtOnce, kPendAndComplete, kPark
};
constexpr ULONG kAtOnce = 0;           // complete, return the status
constexpr ULONG kPendAndComplete = 1;  // IoMarkIrpPending, complete, return STATUS_PENDING
constexpr ULONG kPark = 2;             // IoMarkIrpPending, park, return STATUS_PENDING

constexpr ULONG kIoctlComplete = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS);
// Input: CompleteRequest (status and Information for every parked IRP; `how` ignored). Completes
// itself at once with success; the parked IRPs are completed from a work item.
constexpr ULONG kIoctlFinishParked = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS);

// Reads and writes park while this is set (set before the request, from the test thread).
void set_park_transfers(bool park);
// IRPs parked now.
LONG parked_count();

NTSTATUS NTAPI port_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path);

}  // namespace ntio::test::ports

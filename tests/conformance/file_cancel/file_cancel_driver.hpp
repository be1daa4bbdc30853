// The FileCancel test driver (a WDM driver as a WDK driver writer writes it) and the fixture that
// loads it. \Device\FileCancel parks IOCTLs and reads with a cancel routine set under the cancel
// spin lock (NT fact C7), counts cancellations, and completes parked requests on request.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <future>  // before wdm.h: its SEH __try replaces the one libstdc++ uses
#include <thread>
#include <vector>

#include "support/driver_fixture.hpp"

#undef __try
#include <wdm.h>
#include <ntio/ntapi.h>
#include <ntio/ntio.h>

namespace ntio::test::file_cancel {

// METHOD_BUFFERED, FILE_ANY_ACCESS.
constexpr ULONG kIoctlPark = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS);
constexpr ULONG kIoctlParkPlain = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS);
constexpr ULONG kIoctlCancelCount = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_BUFFERED, FILE_ANY_ACCESS);
constexpr ULONG kIoctlCompleteOne = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x803, METHOD_BUFFERED, FILE_ANY_ACCESS);
constexpr ULONG kIoctlFlushPlain = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x804, METHOD_BUFFERED, FILE_ANY_ACCESS);
constexpr ULONG kIoctlReleaseHeld = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x805, METHOD_BUFFERED, FILE_ANY_ACCESS);

// What the cancel routine does with the IRP it was given.
enum CancelMode : LONG {
    kCancelInline = 0,    // completes it with STATUS_CANCELLED at once
    kCancelWorkItem = 1,  // completes it from a work item, on a worker thread, later
    kCancelHold = 2,      // keeps it until kIoctlReleaseHeld completes it with STATUS_CANCELLED
    // As kCancelHold, but returns without releasing the cancel spin lock: the driver bug bug check
    // 0x11B (DRIVER_RETURNED_HOLDING_CANCEL_LOCK) reports.
    kCancelHoldKeepingLock = 3,
};

// The driver's counters, read by the tests.
struct DriverCounters {
    std::atomic<LONG> cancel_mode{kCancelInline};
    std::atomic<LONG> work_delay_ms{0};        // kCancelWorkItem: "device time" before completing
    std::atomic<LONG> cancel_routine_calls{0};
    std::atomic<LONG> parked{0};               // requests currently parked (both queues)
    std::atomic<LONG> completed_success{0};
    std::atomic<LONG> completed_cancelled{0};
    std::atomic<LONG> pending_work{0};         // work items queued and not finished
    std::atomic<LONG> cancel_device_null{0};   // cancel routines called without a DeviceObject
    std::atomic<PIRP> last_cancelled{nullptr};  // the IRP the cancel routine saw last

    void reset() {
        cancel_mode = kCancelInline;
        work_delay_ms = 0;
        cancel_routine_calls = 0;
        parked = 0;
        completed_success = 0;
        completed_cancelled = 0;
        pending_work = 0;
        cancel_device_null = 0;
        last_cancelled = nullptr;
    }
};
extern DriverCounters g_counters;

// The driver's cancel routine (given to IoSetCancelRoutine for every parked request).
VOID NTAPI FileCancelRoutine(PDEVICE_OBJECT DeviceObject, PIRP Irp);

NTSTATUS NTAPI file_cancel_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path);

// Loads the driver for each test and unloads it after the requests and work items are gone.
class FileCancelTest : public DriverTest {
protected:
    void SetUp() override;
    void TearDown() override;

    // NtCreateFile of \??\FileCancel, overlapped or synchronous (FILE_SYNCHRONOUS_IO_NONALERT).
    HANDLE open_device(bool synchronous);
    // Waits (bounded, polling) until the driver holds `count` parked requests.
    bool wait_parked(LONG count);
    // The driver's cancel count through a synchronous IOCTL on `file` (NT fact D1).
    ULONG cancel_count(HANDLE file);
    // Completes the oldest parked request with STATUS_SUCCESS; false when none was parked.
    bool complete_one(HANDLE file);

private:
};

}  // namespace ntio::test::file_cancel

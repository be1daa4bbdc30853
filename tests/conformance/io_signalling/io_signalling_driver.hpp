// The IoSignal WDM test driver and the fixture of the signalling suite (APCs, events, file-object
// signalling, lifetime events, queued requests). \Device\IoSignal (DO_BUFFERED_IO, link \??\IoSignal)
// keeps a per-file-object context with a remove lock (NT fact S11), answers the series E matrix, parks
// requests with a cancel routine, runs timer-driven requests (S19, S20) and a blocking FSCTL (D12).
#pragma once

#include <gtest/gtest.h>

#include <atomic>

#include "support/system_fixture.hpp"

#include <windows.h>
#include <winioctl.h>
// The SEH emulation in <wdm.h> takes over the name libstdc++ uses for `try`.
#undef __try
#include <wdm.h>
#include <ntio/ntapi.h>
#include <ntio/ntio.h>

namespace ntio::test::io_signalling {

// Input {ret_status, iosb_status, pend}: complete with Information 3 and iosb_status, optionally after
// IoMarkIrpPending, and return ret_status (the series E matrix).
constexpr ULONG kIoctlMatrix = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x900, METHOD_BUFFERED, FILE_ANY_ACCESS);
// Parks the request with a cancel routine.
constexpr ULONG kIoctlPark = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x901, METHOD_BUFFERED, FILE_ANY_ACCESS);
// Input {status, information}: completes the oldest parked request with them; output ULONG 1/0.
constexpr ULONG kIoctlCompleteOne = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x902, METHOD_BUFFERED, FILE_ANY_ACCESS);
// Surprise removal: every parked request completes with STATUS_DELETE_PENDING and later requests
// fail with it at once.
constexpr ULONG kIoctlSurpriseRemove = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x903, METHOD_BUFFERED, FILE_ANY_ACCESS);
// Output ULONG: how many dispatches this file object's context has seen (including this one).
constexpr ULONG kIoctlFileRequests = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x904, METHOD_BUFFERED, FILE_ANY_ACCESS);
// Holds the remove lock inside the dispatch until release_held() (S11 / M5).
constexpr ULONG kIoctlHold = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x905, METHOD_BUFFERED, FILE_ANY_ACCESS);
// Input TimerRequest: pends the request until a KTIMER's DPC sets the user event and completes it
// (NT facts S17-S20).
constexpr ULONG kIoctlTimer = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x906, METHOD_BUFFERED, FILE_ANY_ACCESS);
// A blocking FSCTL standing in for the pipe listen (NT fact D12): parks with a cancel routine.
constexpr ULONG kFsctlListen = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x907, METHOD_BUFFERED, FILE_ANY_ACCESS);

struct MatrixRequest {
    NTSTATUS ret_status;
    NTSTATUS iosb_status;
    ULONG pend;
};

struct CompleteRequest {
    NTSTATUS status;
    ULONG information;
};

// The S17 input layout: 24 bytes on x64.
struct TimerRequest {
    ULONG Type;
    HANDLE Event;
    LARGE_INTEGER DueTime;
};

// The emulated file the reads see: kFileSize bytes, then STATUS_END_OF_FILE.
constexpr ULONG kFileSize = 10;

// What the driver saw, read by the tests.
struct DriverState {
    std::atomic<bool> park_reads{false};      // reads park instead of completing
    std::atomic<bool> reads_by_work_item{false};  // reads park and a work item completes them with 4 bytes
    std::atomic<LONG> parked{0};              // requests parked now (not counting timer requests)
    std::atomic<LONG> cancel_routine_calls{0};
    std::atomic<LONG> dispatches{0};          // IRPs that reached a dispatch routine (not CREATE/CLOSE)
    std::atomic<LONG> live_contexts{0};       // per-file-object contexts allocated and not freed
    std::atomic<LONG> fs_context_not_null{0}; // IRP_MJ_CREATE found FsContext already set (K3)
    std::atomic<LONG> holding{0};             // dispatches inside kIoctlHold
    std::atomic<LONG> cleanup_waiting{0};     // cleanups inside IoReleaseRemoveLockAndWait
    std::atomic<LONG> cleanup_saw_holders{0}; // cleanups whose wait returned with a holder inside
    std::atomic<LONG> timers_pending{0};      // timer requests queued
    std::atomic<LONG> timer_dpc_completions{0};
    std::atomic<LONG> timer_cleanup_cancels{0};
    std::atomic<LONG> unload_found_queued{0}; // DriverUnload found requests still queued
    std::atomic<LONG> unloaded{0};            // DriverUnload ran (NtioUnloadDriver defers it, as NT does,
                                              // until the last file object of its devices is closed)
    std::atomic<LONG> work_items{0};          // work items queued and not finished
    void reset();
};
extern DriverState g_state;

NTSTATUS NTAPI io_signal_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path);

// Lets kIoctlHold dispatches return.
void release_held();

// Loads the driver for each test, unloads it afterwards and checks nothing stayed queued.
class IoSignalTest : public SystemTest {
protected:
    void SetUp() override;
    void TearDown() override;

    // NtCreateFile of \??\IoSignal: overlapped (0) or with the given FILE_SYNCHRONOUS_IO_* option.
    static HANDLE open_device(ULONG sync_option = 0);
    // Waits (bounded polling) until `count` requests are parked.
    static bool wait_parked(LONG count);
    static bool wait_until(const std::atomic<LONG>& value, LONG expected);
    // Completes the oldest parked request through a synchronous IOCTL on a handle of its own.
    static bool complete_one(NTSTATUS status, ULONG information);
    // Asks for the unload now (the tests of DriverUnload) and waits until DriverUnload ran; TearDown
    // then skips it.
    NTSTATUS unload();

    PDRIVER_OBJECT m_driver = nullptr;
};

}  // namespace ntio::test::io_signalling

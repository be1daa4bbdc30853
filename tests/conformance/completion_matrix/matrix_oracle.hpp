// The expected outcome of every cell of the series E completion-status matrix, one function per
// surface, written from the fact text of nt-behaviour.md (series E, F, G, H; the IDs are cited at each
// rule). The tests compare what ntio does with these; nothing here looks at ntio.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "matrix_driver.hpp"

namespace ntio::test::completion_matrix {

// The matrix axes (E, "Setup of the matrix").
constexpr NTSTATUS kStatuses[] = {
    STATUS_SUCCESS, STATUS_PENDING, STATUS_TIMEOUT, static_cast<NTSTATUS>(0x0eadbeef),
    static_cast<NTSTATUS>(0x4eadbeef), STATUS_BUFFER_OVERFLOW, static_cast<NTSTATUS>(0x8eadbeef),
    STATUS_NOT_IMPLEMENTED, static_cast<NTSTATUS>(0xceadbeef),
};
constexpr ULONG kCodes[] = {kIoctlBuffered, kIoctlOutDirect, kIoctlNeither};
constexpr ULONG kInformation = 3;
constexpr char kPrefill[] = "abcdef";

struct Cell {
    NTSTATUS ret;        // what the dispatch returns
    NTSTATUS iosb;       // Irp->IoStatus.Status at IoCompleteRequest
    bool pend;           // IoMarkIrpPending called
    ULONG code;          // kIoctlBuffered / kIoctlOutDirect / kIoctlNeither
    Completer completer; // kDispatch, or (ret PENDING with pend only) a work item or a DPC
};

inline std::string describe(const Cell& c) {
    static const char* const kMethods[] = {"BUFFERED", "IN_DIRECT", "OUT_DIRECT", "NEITHER"};
    static const char* const kCompleters[] = {"dispatch", "work item", "DPC"};
    char text[128];
    std::snprintf(text, sizeof(text), "cell {ret %#x, IoStatus.Status %#x, pending bit %d, METHOD_%s, completed by %s}",
                  static_cast<unsigned>(c.ret), static_cast<unsigned>(c.iosb), c.pend ? 1 : 0, kMethods[c.code & 3],
                  kCompleters[c.completer]);
    return text;
}

// Every cell: 9 ret x 9 IoStatus.Status x 2 pending bits x 3 methods, without (ret PENDING, no pending
// bit) as in E's setup (a dispatch may not return STATUS_PENDING without marking: 459 cells), plus
// the 9 x 3 (ret PENDING, pending bit) cells again completed from a work item and from a DPC (B1: the
// caller's view must not depend on who completes): 459 + 54 = 513.
inline std::vector<Cell> all_cells() {
    std::vector<Cell> cells;
    for (NTSTATUS ret : kStatuses)
        for (NTSTATUS iosb : kStatuses)
            for (bool pend : {false, true}) {
                if (ret == STATUS_PENDING && !pend) continue;
                for (ULONG code : kCodes) {
                    cells.push_back({ret, iosb, pend, code, kDispatch});
                    if (ret == STATUS_PENDING) {
                        cells.push_back({ret, iosb, pend, code, kWorkItem});
                        cells.push_back({ret, iosb, pend, code, kDpc});
                    }
                }
            }
    return cells;
}
constexpr std::size_t kCellCount = 513;

// IoCompleteRequest with IoStatus.Status == STATUS_PENDING. Windows checks this only under Driver
// Verifier's I/O verification: bugcheck 0xC9 (DRIVER_VERIFIER_IOMANAGER_VIOLATION) with P1 0x06, P2 the
// status, P3 the IRP ("The driver called IoCompleteRequest with a status marked as pending (or equal
// to -1)", https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc9--driver-verifier-iomanager-violation);
// retail Windows completes the IRP (the Wine matrix of series E runs those cells on it).
// NT deviation: ntio always checks (src/io/irp_completion.cpp), so these 57 cells (of 513) are "bugcheck
// 0xC9/0x06", and the driver then completes the IRP with kAfterBugcheckStatus and Information 0: the
// rest of the cell is that completion's own outcome.
inline bool bugchecks(const Cell& c) { return c.iosb == STATUS_PENDING; }

// The cell the caller actually sees (the one the driver finished after a caught bugcheck).
struct Effective {
    NTSTATUS ret;
    NTSTATUS iosb;
    ULONG_PTR information;
    bool pend;
    bool buffered;
};
inline Effective effective(const Cell& c) {
    const bool buffered = (c.code & 3) == METHOD_BUFFERED;
    if (bugchecks(c)) return {c.ret, kAfterBugcheckStatus, 0, c.pend, buffered};
    return {c.ret, c.iosb, kInformation, c.pend, buffered};
}

struct Outcome {
    NTSTATUS status = 0;               // the service's return value
    bool iosb_written = false;         // IOSB = {iosb, information}; else the sentinel stays
    bool event_signalled = false;      // the caller's event (set before the call), when one is passed
    std::optional<bool> file_signalled;// the file object; nullopt where no fact decides
    bool packet = false;               // one completion packet {key, ApcContext, iosb, information}
    bool apc = false;                  // the I/O APC runs once at the next alertable wait
    std::string output;                // the caller's 6-byte output buffer afterwards
};

// E4: METHOD_BUFFERED copies back exactly Information bytes of the system buffer ("ghijkl") iff
// !NT_ERROR(IoStatus.Status); OUT_DIRECT and NEITHER wrote the caller's memory: "ghijkl" always.
inline std::string expected_output(const Effective& e) {
    if (!e.buffered) return "ghijkl";
    if (NT_ERROR(e.iosb)) return kPrefill;
    std::string out = kPrefill;
    for (ULONG_PTR i = 0; i < e.information && i < out.size(); ++i) out[i] = "ghijkl"[i];
    return out;
}

// E5 (and E9, G2, F15): on an asynchronous handle a request is reported (IOSB, event, packet, APC,
// file object) unless it failed without the pending bit.
inline bool reported_async(const Effective& e) { return e.pend || !NT_ERROR(e.iosb); }

// Synchronous handle, NtDeviceIoControlFile without event or APC.
inline Outcome nt_sync(const Cell& c) {
    const Effective e = effective(c);
    Outcome o;
    o.status = e.ret == STATUS_PENDING ? e.iosb : e.ret;  // E1
    o.iosb_written = !NT_ERROR(e.iosb);                   // E2, regardless of the pending bit
    // H1, H5: the handle is signalled when idle and the completion of a request without an event
    // signals the file object. No fact says what a failed request leaves on a synchronous handle.
    if (!NT_ERROR(e.iosb)) o.file_signalled = true;
    o.output = expected_output(e);                        // E4
    return o;
}

// Asynchronous handle, with an event (signalled before the call) or without one.
inline Outcome nt_async(const Cell& c, bool with_event) {
    const Effective e = effective(c);
    Outcome o;
    // E5: the return value is the dispatch's (asserting the alternative where Windows 10 does not turn
    // an NT_WARNING ret_status into STATUS_PENDING).
    o.status = e.ret;
    o.iosb_written = reported_async(e);                   // E5
    o.event_signalled = with_event && reported_async(e);  // E5, E6 (reset at submission)
    // H2: with an event the file object is reset at submission and stays so; H1 without one it is
    // signalled again by the completion; E5: not for a failure without the pending bit.
    o.file_signalled = !with_event && reported_async(e);
    o.output = expected_output(e);
    return o;
}

struct PortSetup {
    bool with_event = true;
    bool skip_on_success = false;       // FILE_SKIP_COMPLETION_PORT_ON_SUCCESS
    bool skip_event_on_handle = false;  // FILE_SKIP_SET_EVENT_ON_HANDLE
};

// Asynchronous handle bound to a port, request with a non-NULL ApcContext and no APC routine.
inline Outcome nt_port(const Cell& c, const PortSetup& setup) {
    const Effective e = effective(c);
    Outcome o = nt_async(c, setup.with_event);
    // E5, E7, F15: a packet for every reported request. E8 (Windows 8 and later): with
    // FILE_SKIP_COMPLETION_PORT_ON_SUCCESS a request completed without the pending bit and with an
    // NT_SUCCESS status gives none (NT_WARNING still does).
    o.packet = reported_async(e) && !(setup.skip_on_success && !e.pend && NT_SUCCESS(e.iosb));
    // H3: with FILE_SKIP_SET_EVENT_ON_HANDLE completions never signal the file object.
    if (setup.skip_event_on_handle) o.file_signalled = false;
    return o;
}

// Asynchronous handle, APC routine with context, no event (E9, G1, G2).
inline Outcome nt_apc(const Cell& c) {
    const Effective e = effective(c);
    Outcome o = nt_async(c, false);
    o.apc = reported_async(e);
    return o;
}

// Win32 DeviceIoControl. The last error is RtlNtStatusToDosError(*error_from) (ERROR_IO_PENDING for
// STATUS_PENDING), or untouched when error_from is empty.
struct Win32Outcome {
    bool result = false;
    std::optional<NTSTATUS> error_from;
    bool bytes_untouched = false;       // *lpBytesReturned keeps its sentinel
    std::optional<ULONG> bytes;         // else this value, when a fact decides it
    Outcome nt;                         // IOSB (the OVERLAPPED's Internal fields), event, packet, output
};

// Synchronous handle, no OVERLAPPED (E3 over E1, E2, E4).
inline Win32Outcome win32_sync(const Cell& c) {
    const Effective e = effective(c);
    Win32Outcome w;
    w.nt = nt_sync(c);
    const NTSTATUS s = w.nt.status;
    w.result = NT_SUCCESS(s);                        // E3
    if (!w.result) w.error_from = s;                 // E3: untouched on success
    if (NT_ERROR(s)) w.bytes_untouched = true;       // E3
    else if (!NT_ERROR(e.iosb)) w.bytes = static_cast<ULONG>(e.information);
    // E3: "garbage" when the call succeeds with an error in the IOSB: not checked.
    return w;
}

enum class Win32Async { event, port, port_skip_on_success, port_low_bit_event };

// Overlapped handle, OVERLAPPED with an event signalled before the call; bound to a port for the
// port variants. DeviceIoControl returns FALSE with ERROR_IO_PENDING for a pending request and FALSE
// with the mapped error for a failure ("If the operation fails or is pending, the return value is
// zero", https://learn.microsoft.com/windows/win32/api/ioapiset/nf-ioapiset-deviceiocontrol); the NT
// status it maps is the NT call's, E5. H7: Internal is STATUS_PENDING before the NT call and stays so
// when the IOSB is not written. E7: the packet's value is the OVERLAPPED. F14: an hEvent with the low
// bit set means ApcContext NULL, so no packet, and the (masked) event is still set.
inline Win32Outcome win32_overlapped(const Cell& c, Win32Async kind) {
    const Effective e = effective(c);
    Win32Outcome w;
    PortSetup setup;
    setup.skip_on_success = kind == Win32Async::port_skip_on_success;
    w.nt = kind == Win32Async::event ? nt_async(c, true) : nt_port(c, setup);
    if (kind == Win32Async::port_low_bit_event) w.nt.packet = false;
    const NTSTATUS s = w.nt.status;
    w.result = NT_SUCCESS(s) && s != STATUS_PENDING;
    if (!w.result) w.error_from = s;
    if (w.result && w.nt.iosb_written) w.bytes = static_cast<ULONG>(e.information);
    return w;
}

}  // namespace ntio::test::completion_matrix

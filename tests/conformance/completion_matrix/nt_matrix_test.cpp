// The series E completion-status matrix through NtDeviceIoControlFile (issue 4, Tests): every cell of
// matrix_oracle.hpp on a synchronous handle, and on asynchronous handles with an event, without one,
// bound to a port (plain, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, FILE_SKIP_SET_EVENT_ON_HANDLE) and with
// an APC routine; checking the return value, IOSB, event, file object, packet, APC, output buffer
// and the bugcheck of IoStatus.Status == STATUS_PENDING. NT facts E1, E2, E4-E9, F15, G1, G2, H1-H3.
#include <cstring>
#include <functional>

#include "conformance/nt/nt_test_support.hpp"
#include "support/driver_fixture.hpp"
#include "matrix_check.hpp"
#include <ntio/ntio.h>

namespace ntio::test::completion_matrix {
namespace {

constexpr IO_STATUS_BLOCK kSentinel{{static_cast<NTSTATUS>(0xdeadf00d)}, 0x5555};

// What this thread's I/O APCs saw (G1: (ApcContext, IOSB*, 0)).
struct ApcLog {
    int calls = 0;
    PVOID context = nullptr;
    PIO_STATUS_BLOCK iosb = nullptr;
    ULONG reserved = 0xffffffff;
};
thread_local ApcLog t_apc;

VOID NTAPI record_apc(PVOID context, PIO_STATUS_BLOCK iosb, ULONG reserved) {
    ++t_apc.calls;
    t_apc.context = context;
    t_apc.iosb = iosb;
    t_apc.reserved = reserved;
}

struct Surface {
    const char* name;
    bool async = true;
    bool event = false;
    bool apc = false;
    bool port = false;
    ULONG notification_modes = 0;  // FileIoCompletionNotificationInformation flags
    std::function<Outcome(const Cell&)> oracle;
};

class CompletionMatrixNt : public DriverTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        ASSERT_EQ(create_driver(L"CmpMatrix", matrix_driver_entry), STATUS_SUCCESS);
    }

    static HANDLE open_device(bool async) {
        ObjectName name(L"\\??\\CmpMatrix");
        IO_STATUS_BLOCK iosb{};
        HANDLE h = nullptr;
        EXPECT_EQ(NtCreateFile(&h, FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE, name.get(), &iosb, nullptr, 0,
                               FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, async ? 0 : FILE_SYNCHRONOUS_IO_NONALERT,
                               nullptr, 0),
                  STATUS_SUCCESS);
        return h;
    }

    // The file object's signal state, read without waiting (a wait would consume it).
    static bool file_signalled(HANDLE h) {
        PVOID object = nullptr;
        if (ObReferenceObjectByHandle(h, 0, *IoFileObjectType, KernelMode, &object, nullptr) != STATUS_SUCCESS)
            return false;
        const LONG state = KeReadStateEvent(&static_cast<PFILE_OBJECT>(object)->Event);
        ObDereferenceObject(object);
        return state != 0;
    }

    void run(const Surface& surface) {
        Handle file(open_device(surface.async));
        Handle event(surface.event ? make_event(NotificationEvent, FALSE) : nullptr);
        Handle port;
        if (surface.port) {
            ASSERT_EQ(NtCreateIoCompletion(port.out(), IO_COMPLETION_ALL_ACCESS, nullptr, 0), STATUS_SUCCESS);
            FILE_COMPLETION_INFORMATION info{port, reinterpret_cast<PVOID>(kKey)};
            IO_STATUS_BLOCK iosb{};
            ASSERT_EQ(NtSetInformationFile(file, &iosb, &info, sizeof(info), FileCompletionInformation), STATUS_SUCCESS);
            if (surface.notification_modes) {
                FILE_IO_COMPLETION_NOTIFICATION_INFORMATION modes{surface.notification_modes};
                ASSERT_EQ(NtSetInformationFile(file, &iosb, &modes, sizeof(modes), FileIoCompletionNotificationInformation),
                          STATUS_SUCCESS);
            }
        }
        SurfaceReport report(surface.name);
        ULONG_PTR index = 0;
        for (const Cell& cell : all_cells()) {
            ++index;
            CellCheck check;
            run_cell(surface, cell, index, file, event, port, check);
            report.add(cell, check);
        }
    }

    void run_cell(const Surface& surface, const Cell& cell, ULONG_PTR index, HANDLE file, HANDLE event, HANDLE port,
                  CellCheck& check) {
        const Outcome o = surface.oracle(cell);
        Instruction instruction{cell.ret, cell.iosb, kInformation, cell.pend ? 1u : 0u, cell.completer};
        char out[6];
        std::memcpy(out, kPrefill, sizeof(out));
        IO_STATUS_BLOCK iosb = kSentinel;
        if (event) (void)NtSetEvent(event, nullptr);  // E6: the call must reset it
        const int bugchecks_before = g_log.bugchecks.load();
        const int deferred_before = g_log.deferred_done.load();
        t_apc = ApcLog{};
        PVOID context = surface.apc || surface.port ? reinterpret_cast<PVOID>(index) : nullptr;

        const NTSTATUS status = NtDeviceIoControlFile(file, event, surface.apc ? record_apc : nullptr, context, &iosb,
                                                      cell.code, &instruction, sizeof(instruction), out, sizeof(out));
        if (cell.completer != kDispatch)
            check.expect_true(wait_deferred(deferred_before + 1), "the work item or DPC never finished");

        check.expect(status == o.status, "return value", o.status, status);
        const bool bugchecked = g_log.bugchecks.load() != bugchecks_before;
        check.expect(bugchecked == bugchecks(cell), "bugcheck raised", bugchecks(cell), bugchecked);
        if (bugchecked && bugchecks(cell)) {
            check.expect(g_log.bugcheck_code == DRIVER_VERIFIER_IOMANAGER_VIOLATION, "bugcheck code", 0xC9,
                         g_log.bugcheck_code.load());
            check.expect(g_log.bugcheck_p1 == 0x06, "bugcheck P1", 0x06, g_log.bugcheck_p1.load());
            check.expect(g_log.bugcheck_p2 == static_cast<ULONG>(STATUS_PENDING), "bugcheck P2", STATUS_PENDING,
                         g_log.bugcheck_p2.load());
            check.expect(g_log.bugcheck_p3 == reinterpret_cast<ULONG_PTR>(g_log.last_irp.load()), "bugcheck P3 (IRP)",
                         g_log.last_irp.load(), g_log.bugcheck_p3.load());
        }
        const Effective e = effective(cell);
        if (o.iosb_written) {
            check.expect(iosb.Status == e.iosb, "IOSB.Status", e.iosb, iosb.Status);
            check.expect(iosb.Information == e.information, "IOSB.Information", e.information, iosb.Information);
        } else {
            check.expect(iosb.Status == kSentinel.Status && iosb.Information == kSentinel.Information,
                         "IOSB untouched (Status, Information)", kSentinel.Status, iosb.Status);
        }
        if (event) {
            const bool signalled = event_state(event) != 0;
            check.expect(signalled == o.event_signalled, "event signalled", o.event_signalled, signalled);
        }
        if (o.file_signalled) {
            const bool signalled = file_signalled(file);
            check.expect(signalled == *o.file_signalled, "file object signalled", *o.file_signalled, signalled);
        }
        if (surface.apc) {
            check.expect(t_apc.calls == 0, "APC runs only in an alertable wait (G1): calls before the wait", 0,
                         t_apc.calls);
            LARGE_INTEGER zero = zero_timeout();
            const NTSTATUS wait = NtDelayExecution(TRUE, &zero);
            const NTSTATUS expected_wait = o.apc ? STATUS_USER_APC : STATUS_SUCCESS;
            check.expect(wait == expected_wait, "alertable wait (E9)", expected_wait, wait);
            check.expect(t_apc.calls == (o.apc ? 1 : 0), "APC calls", o.apc ? 1 : 0, t_apc.calls);
            if (o.apc && t_apc.calls == 1) {
                check.expect(t_apc.context == context, "APC context", context, t_apc.context);
                check.expect(t_apc.iosb == &iosb, "APC IOSB pointer", &iosb, t_apc.iosb);
                check.expect(t_apc.reserved == 0, "APC reserved argument", 0, t_apc.reserved);
            }
        }
        if (port) {
            PVOID key = nullptr, value = nullptr;
            IO_STATUS_BLOCK packet = kSentinel;
            LARGE_INTEGER zero = zero_timeout();
            const NTSTATUS removed = NtRemoveIoCompletion(port, &key, &value, &packet, &zero);
            const NTSTATUS expected_remove = o.packet ? STATUS_SUCCESS : STATUS_TIMEOUT;
            check.expect(removed == expected_remove, "packet present (NtRemoveIoCompletion)", expected_remove, removed);
            if (o.packet && removed == STATUS_SUCCESS) {  // E7
                check.expect(key == reinterpret_cast<PVOID>(kKey), "packet key", kKey, key);
                check.expect(value == context, "packet value (ApcContext)", context, value);
                check.expect(packet.Status == e.iosb, "packet status", e.iosb, packet.Status);
                check.expect(packet.Information == e.information, "packet information", e.information,
                             packet.Information);
                zero = zero_timeout();
                const NTSTATUS again = NtRemoveIoCompletion(port, &key, &value, &packet, &zero);
                check.expect(again == STATUS_TIMEOUT, "exactly one packet", STATUS_TIMEOUT, again);
            }
        }
        const std::string output(out, sizeof(out));
        check.expect(output == o.output, "output buffer (E4)", o.output, output);
    }
};

// NT facts E1, E2, E4; H1 (file object signalled by a successful completion).
TEST_F(CompletionMatrixNt, synchronous_handle_follows_the_status_matrix) {
    run({"sync handle", false, false, false, false, 0, nt_sync});
}

// NT facts E4, E5, E6, H2.
TEST_F(CompletionMatrixNt, asynchronous_handle_with_event_follows_the_status_matrix) {
    run({"async handle + event", true, true, false, false, 0, [](const Cell& c) { return nt_async(c, true); }});
}

// NT facts E4, E5, H1 (the file object is reset at submission and signalled by a reported completion).
TEST_F(CompletionMatrixNt, asynchronous_handle_without_event_signals_the_file_object) {
    run({"async handle, no event", true, false, false, false, 0, [](const Cell& c) { return nt_async(c, false); }});
}

// NT facts E5, E7, F15, H2: one packet {key, ApcContext, IOSB} for every reported request.
TEST_F(CompletionMatrixNt, port_receives_a_packet_for_every_reported_request) {
    run({"async handle + event + port", true, true, false, true, 0,
         [](const Cell& c) { return nt_port(c, PortSetup{}); }});
}

// NT facts E8 (Windows 8 and later: NT_WARNING without the pending bit still queues a packet), F12.
TEST_F(CompletionMatrixNt, skip_completion_port_on_success_drops_only_unpended_successes) {
    PortSetup setup;
    setup.skip_on_success = true;
    run({"async handle + event + port, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS", true, true, false, true,
         FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, [setup](const Cell& c) { return nt_port(c, setup); }});
}

// NT facts H3 (the file object is never signalled), E5, E7 (packets are still queued).
TEST_F(CompletionMatrixNt, skip_set_event_on_handle_keeps_the_file_object_unsignalled) {
    PortSetup setup;
    setup.with_event = false;
    setup.skip_event_on_handle = true;
    run({"async handle + port, no event, FILE_SKIP_SET_EVENT_ON_HANDLE", true, false, false, true,
         FILE_SKIP_SET_EVENT_ON_HANDLE, [setup](const Cell& c) { return nt_port(c, setup); }});
}

// NT facts E9, G1, G2, H1: the APC runs once at the next alertable wait, except for a failure
// without the pending bit.
TEST_F(CompletionMatrixNt, apc_routine_runs_for_every_reported_request) {
    run({"async handle + APC", true, false, true, false, 0, nt_apc});
}

}  // namespace
}  // namespace ntio::test::completion_matrix

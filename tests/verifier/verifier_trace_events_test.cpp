// The trace event kinds of verifier-and-inspector.md 7.2 beyond call / return / complete: alloc,
// set_completion, mark_pending, cancel_request, cancel_routine, apc_deliver, iocp_post, free; how the
// exports show them; the timestamps (a clock read per thread per tick of the log's clock, the other
// times derived between the thread's reads); and the per-device IRP log (spec 4, class 11) behind `!verifier 0x100 <device>`.
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "inspect/kd_commands.hpp"
#include "verifier/state.hpp"
#include "verifier/trace_tool.hpp"
#include "verifier_test_driver.hpp"

#include <ntio/ntapi.h>
#include <ntio/ntio_verifier.h>

namespace ntio::verifier::test {
namespace {

using nlohmann::json;
using ntio::test::expect_no_bugcheck;

std::string hex_address(const void* p) {
    char text[32];
    std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(p)));
    return text;
}

// The recorded events of one IRP (by address, from its last alloc or top-level call on), in order.
std::vector<json> events_of(const std::string& records, const void* irp) {
    std::vector<json> out;
    const std::string address = hex_address(irp);
    std::size_t start = 0;
    while (start < records.size()) {
        std::size_t end = records.find('\n', start);
        if (end == std::string::npos) end = records.size();
        json e = json::parse(records.substr(start, end - start), nullptr, false);
        start = end + 1;
        if (e.is_discarded() || e.value("irp_addr", std::string()) != address) continue;
        if (e["event"] == "alloc") out.clear();
        out.push_back(std::move(e));
    }
    return out;
}

// The recorded events of the IRP life with this id, in order.
std::vector<json> events_of_id(const std::string& records, std::uint64_t id) {
    std::vector<json> out;
    std::size_t start = 0;
    while (start < records.size()) {
        std::size_t end = records.find('\n', start);
        if (end == std::string::npos) end = records.size();
        json e = json::parse(records.substr(start, end - start), nullptr, false);
        start = end + 1;
        if (!e.is_discarded() && e.value("irp_id", std::uint64_t{0}) == id) out.push_back(std::move(e));
    }
    return out;
}

std::vector<json> of_kind(const std::vector<json>& events, const char* kind) {
    std::vector<json> out;
    for (const json& e : events)
        if (e["event"] == kind) out.push_back(e);
    return out;
}

// "VerTraceEvt": a device opened through the NT services; creates, closes and writes complete at once
// (a write reports its whole length).
NTSTATUS NTAPI EvtComplete(PDEVICE_OBJECT, PIRP Irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = sp->MajorFunction == IRP_MJ_WRITE ? sp->Parameters.Write.Length : 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

VOID NTAPI EvtUnload(PDRIVER_OBJECT DriverObject) {
    while (DriverObject->DeviceObject) IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS NTAPI EvtDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    DriverObject->MajorFunction[IRP_MJ_CREATE] = EvtComplete;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = EvtComplete;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = EvtComplete;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = EvtComplete;
    DriverObject->DriverUnload = EvtUnload;
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\VerTraceEvt");
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(DriverObject, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (NT_SUCCESS(status)) device->Flags &= ~DO_DEVICE_INITIALIZING;
    return status;
}

int g_apc_calls = 0;
VOID NTAPI CountApc(PVOID, PIO_STATUS_BLOCK, ULONG) { ++g_apc_calls; }

class TraceEventsTest : public VerifierTest {
protected:
    void TearDown() override {
        set_trace_recording(false);
        if (m_evt) {
            (void)NtioVerifierSetFlags(m_evt, 0);
            (void)NtioUnloadDriver(m_evt);
            ObDereferenceObject(m_evt);
        }
        VerifierTest::TearDown();
    }
    void load_evt(ULONG flags) {
        UNICODE_STRING name = RTL_CONSTANT_STRING(L"VerTraceEvt");
        ASSERT_EQ(NtioCreateDriver(&name, EvtDriverEntry, &m_evt), STATUS_SUCCESS);
        ASSERT_EQ(NtioVerifierSetFlags(m_evt, flags), STATUS_SUCCESS);
    }
    static HANDLE open_evt() {
        UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\VerTraceEvt");
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
        IO_STATUS_BLOCK iosb{};
        HANDLE h = nullptr;
        EXPECT_EQ(NtCreateFile(&h, FILE_WRITE_DATA | SYNCHRONIZE, &oa, &iosb, nullptr, 0, FILE_SHARE_READ | FILE_SHARE_WRITE,
                               FILE_OPEN, 0, nullptr, 0),
                  STATUS_SUCCESS);
        return h;
    }
    // A read through VerFilter (copy, routine that propagates the pending bit) that VerBuggy marks
    // and parks, completed later, with tracing on for it: its recorded events.
    std::vector<json> traced_pended_read(Outcome& outcome) {
        set_trace_recording(true);
        PIRP irp = make_read(filter_device(), kMarkAndPark, outcome, kFilterCopyPropagate);
        EXPECT_EQ(IoCallDriver(filter_device(), irp), STATUS_PENDING);
        complete_read(BuggyTakeParked(buggy_device()), STATUS_SUCCESS);
        EXPECT_EQ(outcome.completions.load(), 1);
        IoFreeIrp(irp);
        set_trace_recording(false);
        return events_of(recorded_trace(), irp);
    }
    PDRIVER_OBJECT m_evt = nullptr;
};

// IoSetCompletionRoutine and IoMarkIrpPending are inline in the DDK: the routine each caller set is
// recorded at its IoCallDriver, the mark at the dispatch's STATUS_PENDING return. A read through a
// filter that copies its location and sets a routine, to a driver that marks, parks and returns
// STATUS_PENDING, then completed later.
TEST_F(TraceEventsTest, pended_read_through_a_filter_records_alloc_set_completion_mark_pending_and_free) {
    load_buggy(0);
    load_filter(0);
    Outcome outcome;
    const std::vector<json> events = traced_pended_read(outcome);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.front()["event"], "alloc");
    EXPECT_EQ(events.back()["event"], "free");
    // One routine per location: the originator's on the filter's location (2), the filter's on
    // VerBuggy's (1), each recorded just before the call that hands the location over.
    const std::vector<json> sets = of_kind(events, "set_completion");
    ASSERT_EQ(sets.size(), 2u);
    EXPECT_EQ(sets[0]["location"], 2);
    EXPECT_EQ(sets[1]["location"], 1);
    for (const json& set : sets) {
        EXPECT_NE(set["routine"], "0x0");
        EXPECT_EQ(set["flags"], "0xe0");  // SL_INVOKE_ON_SUCCESS | SL_INVOKE_ON_ERROR | SL_INVOKE_ON_CANCEL
        EXPECT_TRUE(set["invoke_on_cancel"].get<bool>());
    }
    EXPECT_EQ(sets[0]["context"], hex_address(&outcome));
    const std::vector<json> calls = of_kind(events, "call");
    ASSERT_EQ(calls.size(), 2u);
    // One IRP life, one id: from IoAllocateIrp to IoFreeIrp.
    for (const json& e : events) EXPECT_EQ(e["irp_id"], events.front()["irp_id"]) << e.dump();
    EXPECT_LT(sets[0]["seq"].get<std::uint64_t>(), calls[0]["seq"].get<std::uint64_t>());
    EXPECT_LT(sets[1]["seq"].get<std::uint64_t>(), calls[1]["seq"].get<std::uint64_t>());
    // Both dispatches returned STATUS_PENDING (the filter passes its lower driver's status up):
    // VerBuggy's location first, then the filter's.
    const std::vector<json> marks = of_kind(events, "mark_pending");
    ASSERT_EQ(marks.size(), 2u);
    EXPECT_EQ(marks[0]["location"], 1);
    EXPECT_EQ(marks[1]["location"], 2);
    EXPECT_EQ(marks[0]["uniq_match_id"], calls[1]["uniq_match_id"]);

    std::string chrome, error;
    ASSERT_TRUE(export_chrome_json(recorded_trace(), chrome, error)) << error;
    EXPECT_NE(chrome.find("\"IoSetCompletionRoutine\""), std::string::npos);
    EXPECT_NE(chrome.find("\"IoMarkIrpPending\""), std::string::npos);
}

// A filter that skips its location forwards with the upper driver's routine still in place: no
// second set_completion, and a synchronous completion marks nothing pending.
TEST_F(TraceEventsTest, skipped_location_records_no_new_completion_routine) {
    set_trace_recording(true);
    load_buggy(0);
    load_filter(0);
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kCompleteOk, outcome, kFilterSkip);
    EXPECT_EQ(IoCallDriver(filter_device(), irp), STATUS_SUCCESS);
    EXPECT_EQ(outcome.completions.load(), 1);
    IoFreeIrp(irp);
    set_trace_recording(false);
    const std::vector<json> events = events_of(recorded_trace(), irp);
    EXPECT_EQ(of_kind(events, "call").size(), 2u);
    ASSERT_EQ(of_kind(events, "set_completion").size(), 1u);
    EXPECT_EQ(of_kind(events, "set_completion")[0]["context"], hex_address(&outcome));
    EXPECT_TRUE(of_kind(events, "mark_pending").empty());
    // The skipped forward is at the top location again, and still the same IRP life: one id, and
    // in the export one flow, started by the first call and stepped by the forward.
    for (const json& e : events) EXPECT_EQ(e["irp_id"], events.front()["irp_id"]) << e.dump();
    std::string chrome, error;
    ASSERT_TRUE(export_chrome_json(recorded_trace(), chrome, error)) << error;
    const json trace = json::parse(chrome, nullptr, false);
    ASSERT_FALSE(trace.is_discarded());
    const json& slices = trace.is_object() ? trace["traceEvents"] : trace;
    std::map<std::string, int> flow;
    for (const json& t : slices)
        if (t.value("cat", std::string()) == "irp" && t.value("name", std::string()) == "IoCallDriver" &&
            t["id"] == events.front()["irp_id"])
            ++flow[t["ph"].get<std::string>()];
    EXPECT_EQ(flow["s"], 1);
    EXPECT_EQ(flow["t"], 1);
}

// A filter whose dispatch ends in `return IoCallDriver(...)` (a tail call in an optimized driver)
// returns at the instant the lower dispatch does: both returns are read back, innermost first, each
// paired with its call and with the status returned, and a STATUS_PENDING return marks both levels.
TEST_F(TraceEventsTest, a_forward_by_tail_call_returns_with_the_lower_call) {
    set_trace_recording(true);
    load_buggy(0);
    load_filter(0);
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kCompleteOk, outcome, kFilterSkip);
    EXPECT_EQ(IoCallDriver(filter_device(), irp), STATUS_SUCCESS);
    Outcome parked_outcome;
    PIRP parked = make_read(filter_device(), kMarkAndPark, parked_outcome, kFilterSkip);
    EXPECT_EQ(IoCallDriver(filter_device(), parked), STATUS_PENDING);
    EXPECT_EQ(BuggyTakeParked(buggy_device()), parked);
    complete_read(parked, STATUS_SUCCESS);
    EXPECT_EQ(parked_outcome.completions.load(), 1);
    IoFreeIrp(irp);
    IoFreeIrp(parked);
    set_trace_recording(false);
    const std::string records = recorded_trace();
    for (const auto& [request, status] : {std::pair{irp, "0x00000000"}, std::pair{parked, "0x00000103"}}) {
        const std::vector<json> events = events_of(records, request);
        const std::vector<json> calls = of_kind(events, "call");
        const std::vector<json> returns = of_kind(events, "return");
        ASSERT_EQ(calls.size(), 2u);
        ASSERT_EQ(returns.size(), 2u);
        EXPECT_EQ(returns[0]["driver"], "\\Driver\\VerBuggy");
        EXPECT_EQ(returns[1]["driver"], "\\Driver\\VerFilter");
        EXPECT_EQ(returns[0]["uniq_match_id"], calls[1]["uniq_match_id"]);
        EXPECT_EQ(returns[1]["uniq_match_id"], calls[0]["uniq_match_id"]);
        EXPECT_EQ(returns[0]["location"], calls[1]["location"]);
        EXPECT_EQ(returns[1]["location"], calls[0]["location"]);
        for (const json& r : returns) EXPECT_EQ(r["status"], status) << r.dump();
        EXPECT_EQ(of_kind(events, "mark_pending").size(), request == parked ? 2u : 0u);
        EXPECT_LT(returns[0]["seq"].get<std::uint64_t>(), returns[1]["seq"].get<std::uint64_t>());
    }
}

// A call with no next stack location bugchecks 0x35 (P1 = the IRP) after its call record, which
// has the call's location and nothing from a stack location: the routine in the current one was
// not set for this call.
NTSTATUS NTAPI StopCompletion(PDEVICE_OBJECT, PIRP, PVOID);  // below

TEST_F(TraceEventsTest, a_call_without_a_next_location_is_recorded_before_its_bugcheck) {
    set_trace_recording(true);
    load_buggy(0);
    Outcome outcome;
    PIRP irp = IoAllocateIrp(1, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ;
    IoSetCompletionRoutine(irp, StopCompletion, &outcome, TRUE, TRUE, TRUE);
    IoSetNextIrpStackLocation(irp);  // the only location is now the current one
    // On a thread of its own: the call never returns, and its ring keeps a call without a return.
    std::thread caller([&] {
        expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, NO_MORE_IRP_STACK_LOCATIONS,
                        reinterpret_cast<ULONG_PTR>(irp));
    });
    caller.join();
    set_trace_recording(false);
    const std::vector<json> events = events_of(recorded_trace(), irp);
    const std::vector<json> calls = of_kind(events, "call");
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0]["location"], 1);
    EXPECT_TRUE(of_kind(events, "set_completion").empty());
    IoSkipCurrentIrpStackLocation(irp);
    IoFreeIrp(irp);
}

// A bugcheck caught in IoCallDriver leaves its call without a return on the thread's ring. An IRP
// initialized again in the same memory (IoInitializeIrp: a new life, same address) and sent to the
// same location from that thread is a new call with its own completion routine, not a forward of
// the call that was left: whether the IRP left was completed first (0x44 inside the dispatch) or
// not (0x35 before it).
TEST_F(TraceEventsTest, a_call_left_by_a_caught_bugcheck_does_not_swallow_the_next_irps_completion_routine) {
    set_trace_recording(true);
    load_buggy();
    const CCHAR stacks = buggy_device()->StackSize;
    const USHORT size = IoSizeOfIrp(stacks);
    std::vector<std::uint64_t> memory((size + 7) / 8);
    auto irp = reinterpret_cast<PIRP>(memory.data());
    auto prepare_read = [&](ULONG mode) {
        IoInitializeIrp(irp, size, stacks);
        PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
        sp->MajorFunction = IRP_MJ_READ;
        sp->Parameters.Read.Length = 4;
        sp->Parameters.Read.Key = mode;
        IoSetCompletionRoutine(irp, StopCompletion, buggy_device(), TRUE, TRUE, TRUE);
    };
    const auto p1 = reinterpret_cast<ULONG_PTR>(irp);
    const std::function<void()> leave[] = {
        // The second IoCompleteRequest bugchecks inside VerBuggy's dispatch.
        [&] {
            prepare_read(kCompleteTwice);
            expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, MULTIPLE_IRP_COMPLETE_REQUESTS, p1);
        },
        // No location left for the call: 0x35 after its call record, before any dispatch.
        [&] {
            prepare_read(kCompleteOk);
            IoSetNextIrpStackLocation(irp);
            expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, NO_MORE_IRP_STACK_LOCATIONS, p1);
        },
    };
    for (const auto& leave_a_call : leave) {
        leave_a_call();  // on this thread
        const std::vector<json> left = events_of(recorded_trace(), irp);
        ASSERT_EQ(of_kind(left, "call").size(), 1u);
        EXPECT_TRUE(of_kind(left, "return").empty());
        prepare_read(kCompleteOk);
        EXPECT_EQ(IoCallDriver(buggy_device(), irp), STATUS_SUCCESS);
        const std::vector<json> events = events_of(recorded_trace(), irp);
        ASSERT_FALSE(events.empty());
        EXPECT_EQ(events.front()["event"], "alloc");
        const std::vector<json> sets = of_kind(events, "set_completion");
        ASSERT_EQ(sets.size(), 1u);
        EXPECT_EQ(sets[0]["routine"], hex_address(reinterpret_cast<const void*>(StopCompletion)));
        EXPECT_EQ(sets[0]["location"], 1);
        ASSERT_EQ(of_kind(events, "call").size(), 1u);
        ASSERT_EQ(of_kind(events, "return").size(), 1u);
        EXPECT_EQ(of_kind(events, "return")[0]["uniq_match_id"], of_kind(events, "call")[0]["uniq_match_id"]);
        for (const json& e : events) EXPECT_EQ(e["irp_id"], events.front()["irp_id"]) << e.dump();
        EXPECT_NE(events.front()["irp_id"], left.front()["irp_id"]);
    }
    set_trace_recording(false);
}

// An originator whose completion routine sends its IRP again, from inside the completing dispatch
// (the call of that dispatch is still open on the thread, at the same location): the second call is
// a new request with its own completion routine, not a forward, and each return pairs with its call.
struct Resend {
    PDEVICE_OBJECT device;
    int completions = 0;
};

NTSTATUS NTAPI ResendOnce(PDEVICE_OBJECT, PIRP Irp, PVOID Context) {
    auto* resend = static_cast<Resend*>(Context);
    if (++resend->completions == 1) {
        PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(Irp);
        sp->MajorFunction = IRP_MJ_READ;
        sp->Parameters.Read.Length = 4;
        sp->Parameters.Read.Key = kCompleteOk;
        IoSetCompletionRoutine(Irp, ResendOnce, resend, TRUE, TRUE, TRUE);
        (void)IoCallDriver(resend->device, Irp);
    }
    return STATUS_MORE_PROCESSING_REQUIRED;
}

TEST_F(TraceEventsTest, an_irp_sent_again_from_its_completion_routine_is_a_new_call_not_a_forward) {
    set_trace_recording(true);
    load_buggy(0);
    Resend resend{buggy_device()};
    PIRP irp = IoAllocateIrp(buggy_device()->StackSize, FALSE);
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = IRP_MJ_READ;
    sp->Parameters.Read.Length = 4;
    sp->Parameters.Read.Key = kCompleteOk;
    IoSetCompletionRoutine(irp, ResendOnce, &resend, TRUE, TRUE, TRUE);
    EXPECT_EQ(IoCallDriver(buggy_device(), irp), STATUS_SUCCESS);
    EXPECT_EQ(resend.completions, 2);
    IoFreeIrp(irp);
    set_trace_recording(false);
    const std::vector<json> events = events_of(recorded_trace(), irp);
    const std::vector<json> calls = of_kind(events, "call");
    const std::vector<json> sets = of_kind(events, "set_completion");
    const std::vector<json> returns = of_kind(events, "return");
    ASSERT_EQ(calls.size(), 2u);
    ASSERT_EQ(sets.size(), 2u);
    ASSERT_EQ(returns.size(), 2u);
    for (const json& set : sets) EXPECT_EQ(set["routine"], hex_address(reinterpret_cast<const void*>(ResendOnce)));
    EXPECT_LT(sets[1]["seq"].get<std::uint64_t>(), calls[1]["seq"].get<std::uint64_t>());
    EXPECT_GT(sets[1]["seq"].get<std::uint64_t>(), calls[0]["seq"].get<std::uint64_t>());
    // The inner (second) call returns first.
    EXPECT_EQ(returns[0]["uniq_match_id"], calls[1]["uniq_match_id"]);
    EXPECT_EQ(returns[1]["uniq_match_id"], calls[0]["uniq_match_id"]);
}

// While tracing is the only thing the verifier does, IoCallDriver and the completion routines take a
// shorter path than for verified drivers (gate V3); both must record the same events.
TEST_F(TraceEventsTest, a_stack_records_the_same_events_whether_its_drivers_are_verified_or_not) {
    load_buggy(0);
    load_filter(0);
    Outcome first, second;
    const std::vector<json> unverified = traced_pended_read(first);
    ASSERT_EQ(NtioVerifierSetFlags(m_buggy, NTIO_VERIFIER_IO_CHECKING), STATUS_SUCCESS);
    ASSERT_EQ(NtioVerifierSetFlags(m_filter, NTIO_VERIFIER_IO_CHECKING), STATUS_SUCCESS);
    const std::vector<json> verified = traced_pended_read(second);
    ASSERT_EQ(of_kind(unverified, "call").size(), 2u);
    ASSERT_EQ(of_kind(unverified, "completion_routine").size(), 2u);
    ASSERT_EQ(unverified.size(), verified.size());
    for (std::size_t i = 0; i < unverified.size(); ++i) {
        const json& a = unverified[i];
        const json& b = verified[i];
        EXPECT_EQ(a["event"], b["event"]) << i;
        for (const char* field : {"location", "major", "status", "result", "routine", "device", "pending", "information"})
            EXPECT_EQ(a.value(field, json()), b.value(field, json())) << a["event"] << " " << field;
    }
}

// A driver verified while tracing is on is checked from its next call on, and stops being checked
// when its flags are cleared (the tracing-only path is chosen per call).
TEST_F(TraceEventsTest, a_driver_verified_while_tracing_is_checked_from_its_next_call) {
    set_trace_recording(true);
    load_buggy(0);
    Outcome unchecked;
    PIRP irp = make_read(buggy_device(), kPendWithoutMark, unchecked);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(buggy_device(), irp), STATUS_PENDING); });
    EXPECT_EQ(BuggyTakeParked(buggy_device()), irp);
    IoFreeIrp(irp);

    ASSERT_EQ(NtioVerifierSetFlags(m_buggy, NTIO_VERIFIER_IO_CHECKING), STATUS_SUCCESS);
    Outcome checked;
    irp = make_read(buggy_device(), kPendWithoutMark, checked);
    expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x23D);
    EXPECT_EQ(BuggyTakeParked(buggy_device()), irp);
    IoFreeIrp(irp);

    ASSERT_EQ(NtioVerifierSetFlags(m_buggy, 0), STATUS_SUCCESS);
    Outcome again;
    irp = make_read(buggy_device(), kPendWithoutMark, again);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(buggy_device(), irp), STATUS_PENDING); });
    EXPECT_EQ(BuggyTakeParked(buggy_device()), irp);
    IoFreeIrp(irp);
    set_trace_recording(false);
    EXPECT_EQ(of_kind(events_of(recorded_trace(), irp), "call").size(), 1u);
}

// IoCancelIrp of a parked cancelable IRP: the request, then the cancel routine it runs (which
// completes the IRP with STATUS_CANCELLED).
TEST_F(TraceEventsTest, cancel_records_the_request_then_the_cancel_routine) {
    set_trace_recording(true);
    load_buggy(0);
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kCancelableLegal, outcome);
    EXPECT_EQ(IoCallDriver(buggy_device(), irp), STATUS_PENDING);
    EXPECT_TRUE(IoCancelIrp(irp));
    EXPECT_EQ(outcome.completions.load(), 1);
    EXPECT_EQ(outcome.status.load(), STATUS_CANCELLED);
    IoFreeIrp(irp);
    set_trace_recording(false);
    const std::vector<json> events = events_of(recorded_trace(), irp);
    const std::vector<json> requests = of_kind(events, "cancel_request");
    const std::vector<json> routines = of_kind(events, "cancel_routine");
    ASSERT_EQ(requests.size(), 1u);
    ASSERT_EQ(routines.size(), 1u);
    EXPECT_NE(routines[0]["routine"], "0x0");
    EXPECT_EQ(routines[0]["routine"], requests[0]["routine"]);
    EXPECT_LT(requests[0]["seq"].get<std::uint64_t>(), routines[0]["seq"].get<std::uint64_t>());
    const std::vector<json> completes = of_kind(events, "complete");
    ASSERT_EQ(completes.size(), 1u);
    EXPECT_EQ(completes[0]["status"], "0xc0000120");
    EXPECT_LT(routines[0]["seq"].get<std::uint64_t>(), completes[0]["seq"].get<std::uint64_t>());
    std::string chrome, error;
    ASSERT_TRUE(export_chrome_json(recorded_trace(), chrome, error)) << error;
    EXPECT_NE(chrome.find("\"cancel routine "), std::string::npos);
}

// The final stage's deliveries: a write with an APC routine on an asynchronous handle queues the
// user APC (apc_deliver when it runs, in this thread), a write on a handle bound to a completion
// port posts a packet (iocp_post). The exports draw an arrow from the completion to the delivery
// and ProcMon's Detail names it.
TEST_F(TraceEventsTest, apc_delivery_and_port_post_are_recorded_and_exported) {
    load_evt(0);
    HANDLE file = open_evt();
    ASSERT_NE(file, nullptr);
    set_trace_recording(true);
    char data[16] = "trace";
    IO_STATUS_BLOCK iosb{};
    LARGE_INTEGER offset{};
    g_apc_calls = 0;
    ASSERT_EQ(NtWriteFile(file, nullptr, CountApc, nullptr, &iosb, data, sizeof data, &offset, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(g_apc_calls, 0);
    EXPECT_EQ(NtTestAlert(), STATUS_SUCCESS);
    EXPECT_EQ(g_apc_calls, 1);

    HANDLE port = nullptr;
    ASSERT_EQ(NtCreateIoCompletion(&port, IO_COMPLETION_ALL_ACCESS, nullptr, 0), STATUS_SUCCESS);
    FILE_COMPLETION_INFORMATION info{port, reinterpret_cast<PVOID>(0x4B4559)};
    ASSERT_EQ(NtSetInformationFile(file, &iosb, &info, sizeof info, FileCompletionInformation), STATUS_SUCCESS);
    ASSERT_EQ(NtWriteFile(file, nullptr, nullptr, reinterpret_cast<PVOID>(0x1234), &iosb, data, 8, &offset, nullptr),
              STATUS_SUCCESS);
    PVOID key = nullptr;
    PVOID context = nullptr;
    IO_STATUS_BLOCK packet{};
    LARGE_INTEGER zero{};
    ASSERT_EQ(NtRemoveIoCompletion(port, &key, &context, &packet, &zero), STATUS_SUCCESS);
    EXPECT_EQ(context, reinterpret_cast<PVOID>(0x1234));
    set_trace_recording(false);
    EXPECT_EQ(NtClose(file), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(port), STATUS_SUCCESS);

    const std::string records = recorded_trace();
    json apc, post;
    std::size_t start = 0;
    while (start < records.size()) {
        std::size_t end = records.find('\n', start);
        if (end == std::string::npos) end = records.size();
        json e = json::parse(records.substr(start, end - start), nullptr, false);
        start = end + 1;
        if (e.is_discarded()) continue;
        if (e["event"] == "apc_deliver") apc = e;
        if (e["event"] == "iocp_post") post = e;
    }
    ASSERT_TRUE(apc.is_object()) << records;
    ASSERT_TRUE(post.is_object()) << records;
    EXPECT_EQ(apc["routine"], hex_address(reinterpret_cast<const void*>(&CountApc)));
    EXPECT_EQ(apc["status"], "0x00000000");
    EXPECT_EQ(apc["information"], sizeof data);
    EXPECT_EQ(post["key"], "0x4b4559");
    EXPECT_EQ(post["information"], 8);
    // Each follows its IRP's IoCompleteRequest.
    for (const json* delivery : {&apc, &post}) {
        const std::vector<json> events = events_of_id(records, (*delivery)["irp_id"].get<std::uint64_t>());
        const std::vector<json> completes = of_kind(events, "complete");
        ASSERT_FALSE(completes.empty());
        EXPECT_LT(completes.back()["seq"].get<std::uint64_t>(), (*delivery)["seq"].get<std::uint64_t>());
    }

    std::string chrome, csv, error;
    ASSERT_TRUE(export_chrome_json(records, chrome, error)) << error;
    EXPECT_NE(chrome.find("\"user APC (I/O completion)\""), std::string::npos);
    EXPECT_NE(chrome.find("\"completion port post\""), std::string::npos);
    EXPECT_NE(chrome.find("\"cat\": \"delivery\""), std::string::npos);
    ASSERT_TRUE(export_procmon_csv(records, csv, error)) << error;
    EXPECT_NE(csv.find("\"WriteFile\""), std::string::npos) << csv;
    EXPECT_NE(csv.find("Completion: APC"), std::string::npos) << csv;
    EXPECT_NE(csv.find("Completion: Port"), std::string::npos) << csv;
}

// Every record of the trace, in order (seq).
std::vector<json> all_records(const std::string& records) {
    std::vector<json> out;
    std::size_t start = 0;
    while (start < records.size()) {
        std::size_t end = records.find('\n', start);
        if (end == std::string::npos) end = records.size();
        json e = json::parse(records.substr(start, end - start), nullptr, false);
        start = end + 1;
        if (!e.is_discarded()) out.push_back(std::move(e));
    }
    return out;
}

bool derived(const json& e) { return e.value("ts_derived", false); }

// The timestamp guarantee of the IRP log: along seq, times never go back; on each thread, an event
// whose time was derived lies between the clock reads of that thread around it.
void expect_times_within_clock_reads(const std::vector<json>& records) {
    std::map<unsigned, std::vector<const json*>> threads;
    std::uint64_t last = 0;
    for (const json& e : records) {
        const std::uint64_t ts = e["ts_ns"].get<std::uint64_t>();
        EXPECT_GE(ts, last) << e.dump();
        last = ts;
        threads[e.value("tid", 0u)].push_back(&e);
    }
    for (const auto& [tid, events] : threads) {
        std::uint64_t before = 0;
        for (std::size_t i = 0; i < events.size(); ++i) {
            const std::uint64_t ts = (*events[i])["ts_ns"].get<std::uint64_t>();
            if (!derived(*events[i])) {
                before = ts;
                continue;
            }
            EXPECT_GE(ts, before) << events[i]->dump();
            for (std::size_t j = i + 1; j < events.size(); ++j) {
                if (derived(*events[j])) continue;
                EXPECT_LE(ts, (*events[j])["ts_ns"].get<std::uint64_t>()) << events[i]->dump();
                break;
            }
        }
    }
}

// Waits (at most 10 s) until the IRP log's clock has done more ticks than `tick`; returns the ticks
// done.
std::uint64_t wait_for_tick_after(std::uint64_t tick) {
    for (int i = 0; i < 10000 && log_clock_tick() <= tick; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return log_clock_tick();
}

// Turning tracing on makes each thread's next event read the clock; until the log's clock ticks
// again, the thread's other events (allocations, calls, completions, completion routines, returns,
// frees) get derived times, marked so, between that read and the thread's next one. Returns are
// named after their calls when the log is read, and one IRP life keeps one id.
TEST_F(TraceEventsTest, requests_read_the_clock_once_per_tick_and_derive_the_rest) {
    load_buggy(0);
    load_filter(0);
    std::vector<PIRP> irps;
    std::uint64_t ticks = 0;
    std::uint32_t tid = static_cast<std::uint32_t>(::syscall(SYS_gettid));
    // A tick during the loop allows one more read; retried until a run sees none (or a few did).
    for (int attempt = 0; attempt < 5; ++attempt) {
        const std::uint64_t tick_before = log_clock_tick();
        set_trace_recording(true);
        irps.clear();
        for (int i = 0; i < 3; ++i) {
            Outcome outcome;
            PIRP irp = make_read(filter_device(), kCompleteOk, outcome, kFilterCopyPropagate);
            EXPECT_EQ(IoCallDriver(filter_device(), irp), STATUS_SUCCESS);
            IoFreeIrp(irp);
            irps.push_back(irp);
        }
        set_trace_recording(false);
        // Ticks begun by the end (a clock read a tick caused comes after its start); the restamp of
        // set_trace_recording is one.
        ticks = log_clock_ticks_begun() - tick_before - 1;
        if (ticks == 0) break;
    }

    const std::string records = recorded_trace();
    std::vector<json> mine;
    for (json& e : all_records(records))
        if (e.value("tid", 0u) == tid) mine.push_back(std::move(e));
    // The last run's events: from its first allocation (the third last) on.
    std::size_t first = mine.size();
    for (std::size_t i = mine.size(), allocs = 0; i-- > 0 && allocs < 3;)
        if (mine[i]["event"] == "alloc") {
            first = i;
            ++allocs;
        }
    ASSERT_LT(first, mine.size());
    EXPECT_EQ(mine[first]["irp_addr"], hex_address(irps.front()));
    EXPECT_FALSE(derived(mine[first])) << mine[first].dump();
    std::size_t reads = 0;
    for (std::size_t i = first; i < mine.size(); ++i)
        if (!derived(mine[i])) ++reads;
    EXPECT_LE(reads, 1 + ticks);

    const std::vector<json> events = events_of(records, irps.back());
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.front()["event"], "alloc");
    EXPECT_EQ(events.back()["event"], "free");
    const std::vector<json> calls = of_kind(events, "call");
    ASSERT_EQ(calls.size(), 2u);
    EXPECT_EQ(calls[0]["location"], calls[0]["stack_count"]);
    for (const json& e : events) EXPECT_EQ(e["irp_id"], events.front()["irp_id"]) << e.dump();
    const std::vector<json> returns = of_kind(events, "return");
    ASSERT_EQ(returns.size(), 2u);
    EXPECT_EQ(returns[0]["driver"], "\\Driver\\VerBuggy");
    EXPECT_EQ(returns[1]["driver"], "\\Driver\\VerFilter");
    expect_times_within_clock_reads(all_records(records));

    std::string chrome, error;
    ASSERT_TRUE(export_chrome_json(records, chrome, error)) << error;
    EXPECT_NE(chrome.find("\"ts_derived\": true"), std::string::npos);
}

// The i-th of a series of return events with no call before them (as after a dispatch left by a
// longjmp): made-up IRP addresses from `base`.
void record_lone_return(std::uintptr_t base, std::uint64_t i) {
    LogFields fields;
    fields.location = 1;
    log_event(LogKind::Return, reinterpret_cast<PIRP>(base + i * 16), fields);
}

// A thread's first event after the log's clock ticks reads the clock, whatever the event: here
// only returns (as after a dispatch left by a longjmp), so no derived time strays further than a
// tick from a read.
TEST_F(TraceEventsTest, the_first_event_after_a_tick_reads_the_clock) {
    set_trace_recording(true);
    std::uint32_t tid = 0;
    std::uint64_t ticks_during_first = 0;
    std::uint64_t ticks_during_second = 0;
    std::thread recorder([&] {
        tid = static_cast<std::uint32_t>(::syscall(SYS_gettid));
        auto record = [](std::uint64_t i) { record_lone_return(0x1000, i); };
        std::uint64_t tick = log_clock_tick();
        for (std::uint64_t i = 0; i < 150; ++i) record(i);
        ticks_during_first = log_clock_ticks_begun() - tick;
        // A whole tick after the first run's last event (one in progress then may have been read
        // for by that event already).
        tick = wait_for_tick_after(log_clock_ticks_begun());
        for (std::uint64_t i = 150; i < 300; ++i) record(i);
        ticks_during_second = log_clock_ticks_begun() - tick;
    });
    recorder.join();
    set_trace_recording(false);
    std::vector<json> mine;
    for (json& e : all_records(recorded_trace()))
        if (e.value("tid", 0u) == tid) mine.push_back(std::move(e));
    ASSERT_EQ(mine.size(), 300u);
    EXPECT_FALSE(derived(mine[0])) << mine[0].dump();    // the thread's first event
    EXPECT_FALSE(derived(mine[150])) << mine[150].dump();  // the first after a tick
    std::size_t reads = 0;
    for (const json& e : mine)
        if (!derived(e)) ++reads;
    EXPECT_GE(reads, 2u);
    EXPECT_LE(reads, 2u + ticks_during_first + ticks_during_second);
    expect_times_within_clock_reads(mine);
}

// "VerTraceNames": devices created and deleted by the test itself; writes complete at once.
NTSTATUS NTAPI NamesDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    DriverObject->MajorFunction[IRP_MJ_WRITE] = EvtComplete;
    DriverObject->DriverUnload = EvtUnload;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI StopCompletion(PDEVICE_OBJECT, PIRP, PVOID) { return STATUS_MORE_PROCESSING_REQUIRED; }

// The log's clock does not tick for ever: once no thread has read the clock for 100 ticks, the
// ticker stops (the tick stays put), and the next event reads the clock itself and starts it again.
TEST_F(TraceEventsTest, the_log_clock_stops_when_idle_and_the_next_event_restarts_it) {
    set_trace_recording(true);
    std::uint32_t tid = 0;
    std::uint64_t stopped_at = 0;
    bool stopped = false;
    bool restarted = false;
    std::thread recorder([&] {
        tid = static_cast<std::uint32_t>(::syscall(SYS_gettid));
        auto record = [](std::uint64_t i) { record_lone_return(0x2000, i); };
        record(0);  // starts the ticker (or finds it running)
        // Idle: the tick stops moving within a few hundred milliseconds (10 s at most here); it
        // must stay put over two polls 50 ms apart (a ticker merely not scheduled for a while
        // would not hold still that long).
        std::uint64_t tick = log_clock_tick();
        for (int i = 0, still = 0; i < 200 && !stopped; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            const std::uint64_t now = log_clock_tick();
            still = now == tick ? still + 1 : 0;
            stopped = still == 2;
            tick = now;
        }
        stopped_at = tick;
        record(1);  // reads the clock and restarts the ticker
        restarted = wait_for_tick_after(stopped_at) != stopped_at;
    });
    recorder.join();
    set_trace_recording(false);
    EXPECT_TRUE(stopped);
    EXPECT_TRUE(restarted);
    std::vector<json> mine;
    for (json& e : all_records(recorded_trace()))
        if (e.value("tid", 0u) == tid) mine.push_back(std::move(e));
    ASSERT_EQ(mine.size(), 2u);
    EXPECT_FALSE(derived(mine[1])) << mine[1].dump();
}

// A child forked while the log's clock runs has no ticker thread of its own: its first event reads
// the clock and starts one, so the child's tick moves on too (it would stand still for ever, and
// every later event of the child take a derived time, if the parent's "running" state were kept).
TEST_F(TraceEventsTest, a_forked_child_starts_its_own_log_clock) {
    set_trace_recording(true);
    record_lone_return(0x3000, 0);  // the ticker runs in this process
    const std::uint64_t before = log_clock_tick();
    EXPECT_NE(wait_for_tick_after(before), before);
    const pid_t child = fork();
    ASSERT_NE(child, -1);
    if (child == 0) {
        const std::uint64_t at_fork = log_clock_tick();
        record_lone_return(0x3000, 1);
        _exit(wait_for_tick_after(at_fork) != at_fork && wait_for_tick_after(at_fork + 1) > at_fork + 1 ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    set_trace_recording(false);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "the child's log clock did not tick";
}

// One traced write of `length` bytes at `offset` to `device`; the events of its IRP's life.
std::vector<json> traced_write(PDEVICE_OBJECT device, ULONG length, LONGLONG offset) {
    PIRP irp = IoAllocateIrp(device->StackSize, FALSE);
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = IRP_MJ_WRITE;
    sp->Parameters.Write.Length = length;
    sp->Parameters.Write.ByteOffset.QuadPart = offset;
    IoSetCompletionRoutine(irp, StopCompletion, device, TRUE, TRUE, TRUE);
    EXPECT_EQ(IoCallDriver(device, irp), STATUS_SUCCESS);
    IoFreeIrp(irp);
    return events_of(recorded_trace(), irp);
}

// A call record names the device it went to, its length, offset and the completion routine set for
// it, whether the device's names were looked up for this call or kept from an earlier one; a device
// deleted and another created in its place (often at the same address) is named after the new one.
TEST_F(TraceEventsTest, call_records_name_each_device_object_across_delete_and_recreate) {
    UNICODE_STRING service = RTL_CONSTANT_STRING(L"VerTraceNames");
    PDRIVER_OBJECT driver = nullptr;
    ASSERT_EQ(NtioCreateDriver(&service, NamesDriverEntry, &driver), STATUS_SUCCESS);
    set_trace_recording(true);
    const wchar_t* const names[] = {L"\\Device\\VerTraceNamesA", L"\\Device\\VerTraceNamesB"};
    const char* const expected[] = {"\\Device\\VerTraceNamesA", "\\Device\\VerTraceNamesB"};
    for (int d = 0; d < 2; ++d) {
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, names[d]);
        PDEVICE_OBJECT device = nullptr;
        ASSERT_EQ(IoCreateDevice(driver, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device), STATUS_SUCCESS);
        device->Flags &= ~DO_DEVICE_INITIALIZING;
        for (int trip = 0; trip < 2; ++trip) {
            const LONGLONG offset = trip == 0 ? 4096 * (d + 1) : 0;
            const std::vector<json> events = traced_write(device, 512u + static_cast<ULONG>(d), offset);
            const std::vector<json> calls = of_kind(events, "call");
            ASSERT_EQ(calls.size(), 1u) << d << " " << trip;
            EXPECT_EQ(calls[0]["device"], hex_address(device));
            EXPECT_EQ(calls[0]["device_name"], expected[d]) << calls[0].dump();
            EXPECT_EQ(calls[0]["driver"], "\\Driver\\VerTraceNames");
            EXPECT_EQ(calls[0]["major"], IRP_MJ_WRITE);
            EXPECT_EQ(calls[0]["length"], 512u + static_cast<unsigned>(d));
            EXPECT_EQ(calls[0]["offset"], static_cast<std::uint64_t>(offset));
            const std::vector<json> sets = of_kind(events, "set_completion");
            ASSERT_EQ(sets.size(), 1u);
            EXPECT_EQ(sets[0]["routine"], hex_address(reinterpret_cast<const void*>(StopCompletion)));
            EXPECT_EQ(sets[0]["context"], hex_address(device));
            EXPECT_EQ(sets[0]["flags"], "0xe0");
            const std::vector<json> returns = of_kind(events, "return");
            ASSERT_EQ(returns.size(), 1u);
            EXPECT_EQ(returns[0]["driver"], "\\Driver\\VerTraceNames");
            EXPECT_EQ(returns[0]["uniq_match_id"], calls[0]["uniq_match_id"]);
        }
        IoDeleteDevice(device);
    }
    set_trace_recording(false);
    ASSERT_EQ(NtioUnloadDriver(driver), STATUS_SUCCESS);
    ObDereferenceObject(driver);
}

// IRP logging (spec 4, class 11): the last 20 IRPs sent to each device of a driver with the flag are
// kept per device, so they survive traffic elsewhere that overwrites the per-thread rings.
TEST_F(TraceEventsTest, irp_logging_keeps_the_last_20_irps_per_device_for_bang_verifier_0x100) {
    load_buggy(NTIO_VERIFIER_IRP_LOGGING);
    for (int i = 0; i < 25; ++i) {
        Outcome outcome;
        PIRP irp = make_read(buggy_device(), kCompleteOk, outcome);
        EXPECT_EQ(IoCallDriver(buggy_device(), irp), STATUS_SUCCESS);
        IoFreeIrp(irp);
    }
    // Other traffic: logged round trips (several events each) until this thread's ring no longer
    // holds VerBuggy's calls (about 1800; bounded; the whole log is read every 250 from 1500 on).
    load_evt(NTIO_VERIFIER_IRP_LOGGING);
    PDEVICE_OBJECT evt = m_evt->DeviceObject;
    const std::string address = hex_address(buggy_device());
    // This thread's records only: rings of threads that have exited keep their records, and a
    // device of an earlier test may have had the same address.
    const auto tid = static_cast<std::uint32_t>(::syscall(SYS_gettid));
    auto ring_holds_buggy = [&] {
        for (const json& e : all_records(recorded_trace()))
            if (e.value("tid", 0u) == tid && e.value("device", std::string()) == address) return true;
        return false;
    };
    int evt_irps = 0;
    for (int i = 0; i < 20000; ++i) {
        if (i >= 1500 && i % 250 == 0 && !ring_holds_buggy()) break;
        ++evt_irps;
        PIRP irp = IoAllocateIrp(evt->StackSize, FALSE);
        PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
        sp->MajorFunction = IRP_MJ_WRITE;
        sp->Parameters.Write.Length = 1;
        IoSetCompletionRoutine(irp, [](PDEVICE_OBJECT, PIRP, PVOID) -> NTSTATUS { return STATUS_MORE_PROCESSING_REQUIRED; },
                               nullptr, TRUE, TRUE, TRUE);
        EXPECT_EQ(IoCallDriver(evt, irp), STATUS_SUCCESS);
        IoFreeIrp(irp);
    }
    EXPECT_FALSE(ring_holds_buggy())
        << "this thread's ring still holds VerBuggy's calls: the test does not show the per-device log";

    std::string out;
    ASSERT_EQ(ntio::inspect::run_kd_command(system(), "!verifier 0x100 " + address, out), 0) << out;
    EXPECT_NE(out.find("IRP log for device"), std::string::npos) << out;
    EXPECT_NE(out.find("(\\Driver\\VerBuggy), last 20 of 25 IRPs"), std::string::npos) << out;
    std::size_t reads = 0;
    for (std::size_t at = out.find("IRP_MJ_READ"); at != std::string::npos; at = out.find("IRP_MJ_READ", at + 1)) ++reads;
    EXPECT_EQ(reads, 20u) << out;
    // The summary form lists both logged devices; a bad argument is refused.
    ASSERT_EQ(ntio::inspect::run_kd_command(system(), "!verifier 0x100", out), 0) << out;
    EXPECT_NE(out.find("Devices with an IRP log"), std::string::npos) << out;
    EXPECT_NE(out.find("\\Device\\VerTraceEvt (\\Driver\\VerTraceEvt), " + std::to_string(evt_irps) + " IRPs"),
              std::string::npos)
        << out;
    EXPECT_NE(ntio::inspect::run_kd_command(system(), "!verifier 0x100 zz", out), 0);
}

// A thread's ring goes back when it exits and the next thread to record takes it over: the old
// records keep their thread's id and the new ones get the new thread's (records carry no id; the
// ring's owner records say whose they are). The IRP ids tell the ring (its number above bit 40).
TEST_F(TraceEventsTest, records_keep_their_thread_when_an_exited_threads_ring_is_taken_over) {
    load_buggy(0);
    load_filter(0);
    set_trace_recording(true);
    struct Run {
        PIRP irp = nullptr;
        std::uint32_t tid = 0;
    };
    auto round_trip = [&](Run& run) {
        run.tid = static_cast<std::uint32_t>(::syscall(SYS_gettid));
        Outcome outcome;
        run.irp = make_read(filter_device(), kCompleteOk, outcome, kFilterCopyPropagate);
        EXPECT_EQ(IoCallDriver(filter_device(), run.irp), STATUS_SUCCESS);
        IoFreeIrp(run.irp);
    };
    Run first, second;
    std::thread(round_trip, std::ref(first)).join();
    std::thread(round_trip, std::ref(second)).join();
    set_trace_recording(false);
    const std::string records = recorded_trace();
    const std::vector<json> a = events_of(records, first.irp);
    const std::vector<json> b = events_of(records, second.irp);
    ASSERT_FALSE(b.empty());
    ASSERT_EQ(b.front()["event"], "alloc");
    ASSERT_EQ(b.back()["event"], "free");
    for (const json& e : b) EXPECT_EQ(e["tid"], second.tid) << e.dump();
    if (first.irp != second.irp) {
        ASSERT_FALSE(a.empty());
        for (const json& e : a) EXPECT_EQ(e["tid"], first.tid) << e.dump();
    }
    // Nothing else recorded in between, so the second thread took the first one's ring.
    std::vector<json> all = all_records(records);
    std::vector<std::uint64_t> rings;
    for (const json& e : all) {
        const auto tid = e.value("tid", 0u);
        if (tid == first.tid || tid == second.tid) rings.push_back(e["irp_id"].get<std::uint64_t>() >> 40);
    }
    ASSERT_FALSE(rings.empty());
    for (std::uint64_t ring : rings) EXPECT_EQ(ring, rings.front());
    std::size_t of_first = 0;
    for (const json& e : all) of_first += e.value("tid", 0u) == first.tid;
    EXPECT_GE(of_first, 6u);  // alloc, 2 calls, 2 returns, complete, ... of the first thread's IRP
}

}  // namespace
}  // namespace ntio::verifier::test

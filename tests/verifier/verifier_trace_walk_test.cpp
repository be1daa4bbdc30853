// IoCompleteRequest while tracing is the only thing the verifier does takes a walk of its own that
// records each completion routine in place (gate V3). A driver verified while such a walk runs is
// checked from its next completion routine on, as it is from its next call (the tracing-only path
// is chosen per routine); a stack nobody verifies is never checked.
//
// The stack: VerWalkTop's device over two of VerWalkLow's. Each forwarding layer copies its location
// and sets a routine: the top one's calls PsGetVersion at APC_LEVEL (IrqlPsPassive, 0xC4 0x2001C,
// when its driver's DDI calls are checked), the middle one's can turn that checking on; the bottom
// device completes reads at once.
#include <cstdio>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "verifier/state.hpp"
#include "verifier/trace_tool.hpp"
#include "verifier_test_driver.hpp"

#include <ntio/ntio_verifier.h>

namespace ntio::verifier::test {
namespace {

using ntio::test::expect_no_bugcheck;

struct WalkExtension {
    PDEVICE_OBJECT Lower;
};

PDRIVER_OBJECT g_walk_top = nullptr;
bool g_verify_top_in_walk = false;
int g_top_routine_runs = 0;

NTSTATUS NTAPI TopRoutine(PDEVICE_OBJECT, PIRP Irp, PVOID) {
    ++g_top_routine_runs;
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    ULONG major = 0, minor = 0, build = 0;
    (void)PsGetVersion(&major, &minor, &build, nullptr);
    KeLowerIrql(old);
    if (Irp->PendingReturned) IoMarkIrpPending(Irp);
    return STATUS_CONTINUE_COMPLETION;
}

NTSTATUS NTAPI MiddleRoutine(PDEVICE_OBJECT, PIRP Irp, PVOID) {
    if (g_verify_top_in_walk) (void)NtioVerifierSetFlags(g_walk_top, NTIO_VERIFIER_FORCE_IRQL_CHECKING);
    if (Irp->PendingReturned) IoMarkIrpPending(Irp);
    return STATUS_CONTINUE_COMPLETION;
}

NTSTATUS forward_with(PDEVICE_OBJECT DeviceObject, PIRP Irp, PIO_COMPLETION_ROUTINE Routine) {
    auto* ext = static_cast<WalkExtension*>(DeviceObject->DeviceExtension);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, Routine, nullptr, TRUE, TRUE, TRUE);
    return IoCallDriver(ext->Lower, Irp);
}

// Set by a test: the top layer's forward is the first event after a tick of the log's clock (so its
// call record takes the recording's out-of-line form).
bool g_tick_before_top_forward = false;

NTSTATUS NTAPI TopRead(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    if (g_tick_before_top_forward) restamp_all_threads();
    return forward_with(DeviceObject, Irp, TopRoutine);
}

NTSTATUS NTAPI LowRead(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    if (static_cast<WalkExtension*>(DeviceObject->DeviceExtension)->Lower)
        return forward_with(DeviceObject, Irp, MiddleRoutine);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = IoGetCurrentIrpStackLocation(Irp)->Parameters.Read.Length;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

VOID NTAPI WalkUnload(PDRIVER_OBJECT DriverObject) {
    while (PDEVICE_OBJECT device = DriverObject->DeviceObject) {
        auto* ext = static_cast<WalkExtension*>(device->DeviceExtension);
        if (ext->Lower) IoDetachDevice(ext->Lower);
        IoDeleteDevice(device);
    }
}

// A device of this driver with WalkExtension, attached over `below` when there is one.
PDEVICE_OBJECT add_device(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT below) {
    PDEVICE_OBJECT device = nullptr;
    if (!NT_SUCCESS(IoCreateDevice(DriverObject, sizeof(WalkExtension), nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &device)))
        return nullptr;
    auto* ext = static_cast<WalkExtension*>(device->DeviceExtension);
    ext->Lower = below ? IoAttachDeviceToDeviceStack(device, below) : nullptr;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return device;
}

PDEVICE_OBJECT g_walk_middle = nullptr;

NTSTATUS NTAPI LowDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    DriverObject->MajorFunction[IRP_MJ_READ] = LowRead;
    DriverObject->DriverUnload = WalkUnload;
    PDEVICE_OBJECT bottom = add_device(DriverObject, nullptr);
    g_walk_middle = bottom ? add_device(DriverObject, bottom) : nullptr;
    return g_walk_middle ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
}

NTSTATUS NTAPI TopDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    DriverObject->MajorFunction[IRP_MJ_READ] = TopRead;
    DriverObject->DriverUnload = WalkUnload;
    return add_device(DriverObject, g_walk_middle) ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
}

NTSTATUS NTAPI KeepIrp(PDEVICE_OBJECT, PIRP, PVOID Context) {
    *static_cast<bool*>(Context) = true;
    return STATUS_MORE_PROCESSING_REQUIRED;
}

class TraceWalkTest : public VerifierTest {
protected:
    void SetUp() override {
        VerifierTest::SetUp();
        g_verify_top_in_walk = false;
        g_tick_before_top_forward = false;
        g_top_routine_runs = 0;
        UNICODE_STRING low = RTL_CONSTANT_STRING(L"VerWalkLow");
        UNICODE_STRING top = RTL_CONSTANT_STRING(L"VerWalkTop");
        ASSERT_EQ(NtioCreateDriver(&low, LowDriverEntry, &m_low), STATUS_SUCCESS);
        ASSERT_EQ(NtioCreateDriver(&top, TopDriverEntry, &g_walk_top), STATUS_SUCCESS);
    }
    void TearDown() override {
        set_trace_recording(false);
        if (KeGetCurrentIrql() != PASSIVE_LEVEL) KeLowerIrql(PASSIVE_LEVEL);
        for (PDRIVER_OBJECT* driver : {&g_walk_top, &m_low}) {
            if (!*driver) continue;
            (void)NtioVerifierSetFlags(*driver, 0);
            (void)NtioUnloadDriver(*driver);
            ObDereferenceObject(*driver);
            *driver = nullptr;
        }
        VerifierTest::TearDown();
    }
    // A read of the top device whose originator routine keeps the IRP (free it with IoFreeIrp).
    PIRP top_read(bool& completed) {
        PDEVICE_OBJECT top = g_walk_top->DeviceObject;
        PIRP irp = IoAllocateIrp(top->StackSize, FALSE);
        PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
        next->MajorFunction = IRP_MJ_READ;
        next->Parameters.Read.Length = 512;
        IoSetCompletionRoutine(irp, KeepIrp, &completed, TRUE, TRUE, TRUE);
        return irp;
    }
    PDRIVER_OBJECT m_low = nullptr;
};

TEST_F(TraceWalkTest, a_traced_completion_through_unverified_drivers_is_not_checked) {
    set_trace_recording(true);
    bool completed = false;
    PIRP irp = top_read(completed);
    expect_no_bugcheck([&] { EXPECT_EQ(IoCallDriver(g_walk_top->DeviceObject, irp), STATUS_SUCCESS); });
    EXPECT_TRUE(completed);
    EXPECT_EQ(g_top_routine_runs, 1);
    IoFreeIrp(irp);
}

TEST_F(TraceWalkTest, a_driver_verified_during_a_traced_completion_is_checked_from_its_next_routine) {
    set_trace_recording(true);
    g_verify_top_in_walk = true;
    bool completed = false;
    PIRP irp = top_read(completed);
    expect_bugcheck([&] { (void)IoCallDriver(g_walk_top->DeviceObject, irp); }, DRIVER_VERIFIER_DETECTED_VIOLATION,
                    0x2001C);
    EXPECT_EQ(g_top_routine_runs, 1);
    EXPECT_FALSE(completed);
    (void)NtioVerifierSetFlags(g_walk_top, 0);
    KeLowerIrql(PASSIVE_LEVEL);
    IoFreeIrp(irp);
}

// Every call of a read through the three layers returns once, with its call's match id, when the
// middle layer's call record is the first event after a tick: that record is written out of line and
// its dispatch called from there, not through the chain's trampoline, so the bottom layer's call,
// although a tail call, is framed and writes its own return; the outermost call's return counts no
// chained call of the middle layer's.
TEST_F(TraceWalkTest, calls_chained_into_a_call_recorded_out_of_line_return_with_it) {
    set_trace_recording(true);
    g_tick_before_top_forward = true;
    bool completed = false;
    PIRP irp = top_read(completed);
    EXPECT_EQ(IoCallDriver(g_walk_top->DeviceObject, irp), STATUS_SUCCESS);
    EXPECT_TRUE(completed);
    IoFreeIrp(irp);
    set_trace_recording(false);
    char address[32];
    std::snprintf(address, sizeof address, "0x%llx", static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(irp)));
    const std::string records = recorded_trace();
    std::vector<nlohmann::json> calls;
    std::map<std::uint64_t, int> returns;  // match id -> returns
    std::size_t start = 0;
    while (start < records.size()) {
        std::size_t end = records.find('\n', start);
        if (end == std::string::npos) end = records.size();
        nlohmann::json e = nlohmann::json::parse(records.substr(start, end - start), nullptr, false);
        start = end + 1;
        if (e.is_discarded() || e.value("irp_addr", std::string()) != address) continue;
        if (e["event"] == "alloc") {
            calls.clear();
            returns.clear();
        } else if (e["event"] == "call") {
            calls.push_back(e);
        } else if (e["event"] == "return") {
            ++returns[e.value("uniq_match_id", std::uint64_t{0})];
            EXPECT_EQ(e["status"], "0x00000000") << e.dump();
        }
    }
    ASSERT_EQ(calls.size(), 3u);
    std::size_t matched = 0;
    for (const nlohmann::json& call : calls) {
        const auto it = returns.find(call.value("uniq_match_id", std::uint64_t{0}));
        EXPECT_TRUE(it != returns.end() && it->second == 1) << call.dump();
        if (it != returns.end()) matched += static_cast<std::size_t>(it->second);
    }
    EXPECT_EQ(matched, 3u);
    std::size_t all = 0;
    for (const auto& [id, count] : returns) all += static_cast<std::size_t>(count);
    EXPECT_EQ(all, 3u);  // no return without its call
}

}  // namespace
}  // namespace ntio::verifier::test

// Gates V1-V3 (issue 6: what the verifier and IRP tracing cost on gate A1's round trip): V1 the
// verifier's hook sites while it is off, V2 Level 1 verification of the stack's drivers, V3 IRP tracing,
// each against the same round trip without it, in the same binary, interleaved in pairs.
//
// The stack is A1's (a null driver under three pass-through filters, the originator's IoAllocateIrp /
// IoCallDriver / completion routine returning STATUS_MORE_PROCESSING_REQUIRED / IoFreeIrp), built here
// with one difference: each filter passes its device as the completion context, as WDK filters
// usually do. A1's filters pass NULL, and three devices of one driver then set the same routine and
// context at every level, which the verifier's 0xC9 0x207 check (upper routine copied into the next
// location) reports.
#include <atomic>
#include <cstdio>
#include <string>

#include "drivers/images.hpp"
#include "gates/gates.hpp"
#include "host/static_branch.hpp"
#include "verifier/trace_tool.hpp"
#include "verifier/verifier.hpp"

#include <ntio/ntio.h>
#include <ntio/ntio_verifier.h>

namespace ntio::bench {
namespace {

// ---- V1's hook sequence ----

// Counts the model sites taken (never, while the verifier is off; reported after the run). A count,
// not a call: a call on the taken path would make the drivers' dispatch routines keep a frame the
// runtime's sites do not cost (their taken paths are tail calls or sit in functions that have a
// frame anyway), and V1 would measure that frame instead of the sites.
std::atomic<unsigned long> g_model_taken{0};

// What every hook site of the runtime on A1's path executes while the verifier is off: a static
// branch (host/static_branch.hpp), the 5-byte no-op its key's sync leaves there, or where the process
// cannot rewrite its code, the compiled jump to a relaxed load of the flag and a branch. The sites
// here are the same kind of site, of a key and a flag of this file's, false as the runtime's is
// whenever V1 runs (checked first), and synced as the runtime syncs its own.
std::atomic<bool> g_model_active{false};
NTIO_DEFINE_STATIC_BRANCH(model_hooks_on, ntio_sb_bench_v1, g_model_active)
template <bool kHooks>
inline void hook() {
    if constexpr (kHooks) {
        if (model_hooks_on()) [[unlikely]] g_model_taken.fetch_add(1, std::memory_order_relaxed);
    }
}

// The hook sites one A1 round trip passes while nothing is verified, read off the runtime's code
// (each is `if (ntio::verifier::hooks_on()) [[unlikely]] ...`): IoAllocateIrp 1 (everything the
// verifier does at an allocation is behind it; src/io/irp_allocation.cpp), IofCallDriver 4 (one per
// layer; src/io/irp_call.cpp), IofCompleteRequest 1 at entry (the walk's completion routines then
// run through the hook or not as the entry found it; src/io/irp_completion.cpp), IoFreeIrp 1. The
// final stage does not run (the originator's routine stops the walk) and the round trip allocates no
// pool. V1's hooked stack passes the same number again, from its drivers: 2 per filter dispatch and
// 1 in the null driver.
constexpr int kA1HookSites = 7;

// ---- The stack ----

VOID StackUnload(PDRIVER_OBJECT DriverObject) { UNREFERENCED_PARAMETER(DriverObject); }

template <bool kHooks>
NTSTATUS NullDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    UNREFERENCED_PARAMETER(DeviceObject);
    hook<kHooks>();
    PIO_STACK_LOCATION irpSp = IoGetCurrentIrpStackLocation(Irp);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = irpSp->Parameters.Read.Length;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

template <bool kHooks>
NTSTATUS NullDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = StackUnload;
    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; ++i) DriverObject->MajorFunction[i] = NullDispatch<kHooks>;
    return STATUS_SUCCESS;
}

struct FilterExtension {
    PDEVICE_OBJECT Lower;
};

template <bool kHooks>
NTSTATUS FilterCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context) {
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Context);
    if (Irp->PendingReturned) IoMarkIrpPending(Irp);
    return STATUS_CONTINUE_COMPLETION;
}

template <bool kHooks>
NTSTATUS FilterDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    auto* extension = static_cast<FilterExtension*>(DeviceObject->DeviceExtension);
    hook<kHooks>();
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, FilterCompletion<kHooks>, DeviceObject, TRUE, TRUE, TRUE);
    hook<kHooks>();
    return IoCallDriver(extension->Lower, Irp);
}

template <bool kHooks>
NTSTATUS FilterDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = StackUnload;
    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; ++i) DriverObject->MajorFunction[i] = FilterDispatch<kHooks>;
    return STATUS_SUCCESS;
}

template <bool kHooks>
NTSTATUS OriginatorCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context) {
    UNREFERENCED_PARAMETER(DeviceObject);
    *static_cast<ULONG_PTR*>(Context) = Irp->IoStatus.Information;
    return STATUS_MORE_PROCESSING_REQUIRED;
}

struct Stack {
    PDEVICE_OBJECT top = nullptr;
    PDEVICE_OBJECT devices[4] = {};  // [0] null device, [1..3] filters
    PDRIVER_OBJECT drivers[2] = {};  // null driver, filter driver
    ULONG_PTR (*round_trip)(const Stack&) = nullptr;
};

template <bool kHooks>
ULONG_PTR round_trip(const Stack& stack) {
    ULONG_PTR information = 0;
    PIRP irp = IoAllocateIrp(stack.top->StackSize, FALSE);
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    next->MajorFunction = IRP_MJ_READ;
    next->Parameters.Read.Length = 4096;
    IoSetCompletionRoutine(irp, OriginatorCompletion<kHooks>, &information, TRUE, TRUE, TRUE);
    (void)IoCallDriver(stack.top, irp);
    IoFreeIrp(irp);
    return information;
}

template <bool kHooks>
Stack build_stack(const char* tag) {
    Stack stack;
    stack.round_trip = round_trip<kHooks>;
    const std::string suffix(tag);
    const std::u16string null_service = u"BenchVNull" + std::u16string(suffix.begin(), suffix.end());
    const std::u16string filter_service = u"BenchVFilter" + std::u16string(suffix.begin(), suffix.end());
    UNICODE_STRING null_name = unicode(null_service);
    UNICODE_STRING filter_name = unicode(filter_service);
    if (!NT_SUCCESS(NtioCreateDriver(&null_name, NullDriverEntry<kHooks>, &stack.drivers[0])) ||
        !NT_SUCCESS(NtioCreateDriver(&filter_name, FilterDriverEntry<kHooks>, &stack.drivers[1])))
        KeBugCheckEx(0xBE7C0021, 0, 0, 0, 0);
    if (!NT_SUCCESS(IoCreateDevice(stack.drivers[0], 0, nullptr, FILE_DEVICE_NULL, 0, FALSE, &stack.devices[0])))
        KeBugCheckEx(0xBE7C0022, 0, 0, 0, 0);
    stack.devices[0]->Flags &= ~DO_DEVICE_INITIALIZING;
    stack.top = stack.devices[0];
    for (int i = 1; i <= 3; ++i) {
        if (!NT_SUCCESS(IoCreateDevice(stack.drivers[1], sizeof(FilterExtension), nullptr, FILE_DEVICE_NULL, 0, FALSE,
                                       &stack.devices[i])))
            KeBugCheckEx(0xBE7C0023, 0, 0, 0, 0);
        auto* extension = static_cast<FilterExtension*>(stack.devices[i]->DeviceExtension);
        extension->Lower = IoAttachDeviceToDeviceStack(stack.devices[i], stack.top);
        stack.devices[i]->Flags &= ~DO_DEVICE_INITIALIZING;
        stack.top = stack.devices[i];
    }
    return stack;
}

// V1's hooked phase runs on the plain phase's stack, its drivers' dispatch routines (and with them
// the completion routines they set) and the originator swapped for the hooked ones: the two phases
// then differ only in their code, not in where their devices, extensions and IRPs lie (two stacks
// measured 0.96-1.16 against each other from one run to the next, with the same code).
template <bool kHooks>
void use_hooks(Stack& stack) {
    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; ++i) {
        stack.drivers[0]->MajorFunction[i] = NullDispatch<kHooks>;
        stack.drivers[1]->MajorFunction[i] = FilterDispatch<kHooks>;
    }
    stack.round_trip = round_trip<kHooks>;
}

void destroy_stack(Stack& stack) {
    for (int i = 3; i >= 1; --i) {
        auto* extension = static_cast<FilterExtension*>(stack.devices[i]->DeviceExtension);
        IoDetachDevice(extension->Lower);
        IoDeleteDevice(stack.devices[i]);
    }
    IoDeleteDevice(stack.devices[0]);
    for (PDRIVER_OBJECT& driver : stack.drivers) {
        (void)NtioVerifierSetFlags(driver, 0);
        NtioUnloadDriver(driver);
        ObDereferenceObject(driver);
        driver = nullptr;
    }
}

double a1_phase(const Stack& stack, double min_ns) {
    auto trip = stack.round_trip;
    return time_loop(min_ns, [&stack, trip] { keep(trip(stack)); });
}

void verify(const Stack& stack, ULONG flags, bool with_null_driver) {
    if (!NT_SUCCESS(NtioVerifierSetFlags(stack.drivers[1], flags))) KeBugCheckEx(0xBE7C0024, flags, 0, 0, 0);
    if (with_null_driver && !NT_SUCCESS(NtioVerifierSetFlags(stack.drivers[0], flags)))
        KeBugCheckEx(0xBE7C0025, flags, 0, 0, 0);
}

NTIO_STATIC_BRANCH_KEY(g_model_key, ntio_sb_bench_v1, g_model_active);

// V1.isolated: the kA1HookSites sequences alone, back to back (no other work to overlap with).
[[gnu::noinline]] void isolated_hooks() {
    for (int site = 0; site < kA1HookSites; ++site) {
        hook<true>();
        asm volatile("" ::: "memory");  // one site per turn, as A1's sites are in different functions
    }
}

}  // namespace

GateResults gate_v1_verifier_off(const GateOptions& options) {
    static const char kDescription[] =
        "verifier off: A1 with its 7 off-state hook sites doubled (7 more in its drivers) / A1";
    static const char kIsolated[] = "the 7 off-state hook sites of A1 timed alone / A1 (upper bound)";
    if (ntio::verifier::active_now())
        return {skipped_gate("V1", kDescription, 1.02, "the verifier or tracing is on in this process"),
                skipped_gate("V1.isolated", kIsolated, 0.02, "the verifier or tracing is on in this process")};
    (void)ntio::host::sync_static_branch(g_model_key);
    Stack plain = build_stack<false>("V1");
    auto hooked_phase = [&plain](double min_ns) {
        use_hooks<true>(plain);
        const double ns = a1_phase(plain, min_ns);
        use_hooks<false>(plain);
        return ns;
    };
    GateResult result = run_gate(
        "V1", kDescription, hooked_phase, [&plain](double min_ns) { return a1_phase(plain, min_ns); }, 1.02,
        options);
    note("the ratio - 1 is the cost of one more set of A1's hook sites (alloc 1, call 4, complete 1, free 1), "
         "i.e. of the sites A1 has (static branches: a no-op each while the verifier is off, when the process "
         "can rewrite its code)");
    GateResult isolated = run_gate(
        "V1.isolated", kIsolated, [](double min_ns) { return time_loop(min_ns, [] { isolated_hooks(); }); },
        [&plain](double min_ns) { return a1_phase(plain, min_ns); }, 0.02, options);
    isolated.informational = true;
    if (const unsigned long taken = g_model_taken.load(std::memory_order_relaxed))
        std::fprintf(stderr, "V1: the model's hook sites were taken %lu times (its key was on)\n", taken);
    destroy_stack(plain);
    return {result, isolated};
}

GateResults gate_v2_verifier_level1(const GateOptions& options) {
    Stack stack = build_stack<false>("V2");
    auto plain = [&stack](double min_ns) { return a1_phase(stack, min_ns); };
    // Both drivers: with the filters verified over an unverified null driver, Level 2 reports the null
    // driver's completion as the filter's (0xC9 0x209), so the whole stack is verified.
    auto with_flags = [&stack](ULONG flags) {
        return [&stack, flags](double min_ns) {
            verify(stack, flags, true);
            const double ns = a1_phase(stack, min_ns);
            verify(stack, 0, true);
            return ns;
        };
    };
    // Issue 6's Level 1: parameter validation, special pool for the drivers' IRPs (the originator's
    // IRP is not theirs, so it stays in normal pool), the DDIs' IRQL rules, and Level 1 I/O
    // verification (what IoVerifierLevel = 1 selects).
    constexpr ULONG kLevel1 = NTIO_VERIFIER_SPECIAL_POOL | NTIO_VERIFIER_FORCE_IRQL_CHECKING |
                              NTIO_VERIFIER_IO_CHECKING | NTIO_VERIFIER_IO_LEVEL1_ONLY;
    GateResult result = run_gate("V2", "A1 with its drivers under Level 1 verification (flags 0x40000013) / unverified",
                                 with_flags(kLevel1), plain, 1.3, options);
    // Informational: I/O verification with Level 2 (per-IRP tracking, the WDM DRIVER ERROR rules), as
    // Windows XP and later run it, and Driver Verifier's standard flag set (Level 2 included).
    GateResult level2 = run_gate("V2.level2", "A1 with both drivers under I/O verification Levels 1 and 2 (flag 0x10) / unverified",
                                 with_flags(NTIO_VERIFIER_IO_CHECKING), plain, 1.3, options);
    level2.informational = true;
    GateResult all = run_gate("V2.standard", "A1 with both drivers verified with the standard flags / unverified",
                              with_flags(NTIO_VERIFIER_STANDARD_FLAGS), plain, 1.3, options);
    all.informational = true;
    destroy_stack(stack);
    return {result, level2, all};
}

GateResult gate_v3_tracing(const GateOptions& options) {
    static const char kDescription[] = "A1 with IRP tracing on (every event recorded) / tracing off";
    if (ntio::verifier::tracing_now())
        return skipped_gate("V3", kDescription, 2.0, "tracing is on for the whole process (NTIO_TRACE)");
    Stack stack = build_stack<false>("V3");
    auto plain = [&stack](double min_ns) { return a1_phase(stack, min_ns); };
    auto traced = [&stack](double min_ns) {
        ntio::verifier::set_trace_recording(true);
        const double ns = a1_phase(stack, min_ns);
        ntio::verifier::set_trace_recording(false);
        return ns;
    };
    GateResult result = run_gate("V3", kDescription, traced, plain, 2.0, options);
    destroy_stack(stack);
    return result;
}

}  // namespace ntio::bench

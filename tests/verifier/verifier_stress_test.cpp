// The rest of the I/O verifier: pool tracking at unload (0xC4 0x62), the IRP log and the trace
// exporters, and the stress modes (low-resources simulation, forced pending I/O).
#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <string>

#include "ex/pool.hpp"
#include "verifier/trace_tool.hpp"
#include "verifier_test_driver.hpp"

#include <ntio/ntio_verifier.h>

namespace ntio::verifier::test {
namespace {

constexpr ULONG kLeakTag = 'kaeL';
PVOID g_leaked = nullptr;
std::atomic<int> g_alloc_failures{0};

// "VerLeaky": its reads allocate pool; Key 1 keeps the block (a leak at unload), Key 2 frees it.
NTSTATUS NTAPI LeakyRead(PDEVICE_OBJECT, PIRP Irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    PVOID block = ExAllocatePoolWithTag(NonPagedPoolNx, 64, kLeakTag);
    NTSTATUS status = STATUS_SUCCESS;
    if (!block) {
        g_alloc_failures.fetch_add(1);
        status = STATUS_INSUFFICIENT_RESOURCES;
    } else if (sp->Parameters.Read.Key == 1) {
        g_leaked = block;
    } else {
        ExFreePoolWithTag(block, kLeakTag);
    }
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

VOID NTAPI LeakyUnload(PDRIVER_OBJECT DriverObject) {
    while (DriverObject->DeviceObject) IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS NTAPI LeakyDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    DriverObject->MajorFunction[IRP_MJ_READ] = LeakyRead;
    DriverObject->DriverUnload = LeakyUnload;
    PDEVICE_OBJECT device = nullptr;
    return IoCreateDevice(DriverObject, 0, nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
}

class VerifierStressTest : public VerifierTest {
protected:
    void load_leaky(ULONG flags) {
        UNICODE_STRING name = RTL_CONSTANT_STRING(L"VerLeaky");
        ASSERT_EQ(NtioCreateDriver(&name, LeakyDriverEntry, &m_leaky), STATUS_SUCCESS);
        ASSERT_EQ(NtioVerifierSetFlags(m_leaky, flags), STATUS_SUCCESS);
    }
    NTSTATUS read_leaky(ULONG key) {
        PDEVICE_OBJECT device = m_leaky->DeviceObject;
        PIRP irp = IoAllocateIrp(device->StackSize, FALSE);
        IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ;
        IoGetNextIrpStackLocation(irp)->Parameters.Read.Key = key;
        Outcome outcome;
        IoSetCompletionRoutine(irp, Record, &outcome, TRUE, TRUE, TRUE);
        const NTSTATUS status = IoCallDriver(device, irp);
        for (int i = 0; i < 1000000 && outcome.completions.load() == 0; ++i) sched_yield();
        EXPECT_EQ(outcome.completions.load(), 1);
        IoFreeIrp(irp);
        return status;
    }
    static NTSTATUS NTAPI Record(PDEVICE_OBJECT, PIRP Irp, PVOID Context) {
        auto* outcome = static_cast<Outcome*>(Context);
        outcome->status.store(Irp->IoStatus.Status);
        outcome->completions.fetch_add(1);
        return STATUS_MORE_PROCESSING_REQUIRED;
    }
    void TearDown() override {
        if (m_leaky) {
            (void)NtioVerifierSetFlags(m_leaky, 0);
            (void)NtioUnloadDriver(m_leaky);
            ObDereferenceObject(m_leaky);
        }
        if (g_leaked) ExFreePoolWithTag(g_leaked, kLeakTag);
        g_leaked = nullptr;
        NTIO_VERIFIER_STRESS defaults{1, 100, 1000, 50};
        (void)NtioVerifierSetStress(&defaults);
        set_trace_recording(false);
        VerifierTest::TearDown();
    }
    PDRIVER_OBJECT m_leaky = nullptr;
};

// Pool Tracking: a block the driver allocated in its dispatch routine and never freed is reported
// when its DriverUnload returns (0xC4, P1 0x62, P4 the number of allocations).
TEST_F(VerifierStressTest, pool_leaked_at_unload_is_0xC4_0x62) {
    load_leaky(NTIO_VERIFIER_POOL_TRACKING | NTIO_VERIFIER_IO_CHECKING);
    EXPECT_EQ(read_leaky(1), STATUS_SUCCESS);
    ASSERT_NE(g_leaked, nullptr);
    ntio::test::BugCheck bc = expect_bugcheck([&] { (void)NtioUnloadDriver(m_leaky); },
                                              DRIVER_VERIFIER_DETECTED_VIOLATION, 0x62);
    EXPECT_EQ(bc.p4, 1u);
    EXPECT_NE(last_report().find("without freeing 1 pool allocation"), std::string::npos);
}

TEST_F(VerifierStressTest, pool_freed_before_unload_is_not_a_leak) {
    load_leaky(NTIO_VERIFIER_POOL_TRACKING | NTIO_VERIFIER_IO_CHECKING);
    EXPECT_EQ(read_leaky(2), STATUS_SUCCESS);
    ntio::test::expect_no_bugcheck([&] { (void)NtioUnloadDriver(m_leaky); });
}

// Low-resources simulation: with the rate at 1000/1000 every allocation of the driver's dispatch
// fails, and the verifier counts it; a driver without the flag allocates normally.
TEST_F(VerifierStressTest, low_resources_simulation_fails_the_drivers_allocations) {
    NTIO_VERIFIER_STRESS stress{42, 1000, 1000, 0};
    ASSERT_EQ(NtioVerifierSetStress(&stress), STATUS_SUCCESS);
    ULONG64 before = 0;
    NtioVerifierStressCounters(&before, nullptr, nullptr);
    load_leaky(NTIO_VERIFIER_IO_CHECKING | NTIO_VERIFIER_RANDOM_LOW_RESOURCES);
    g_alloc_failures = 0;
    EXPECT_EQ(read_leaky(2), STATUS_INSUFFICIENT_RESOURCES);
    EXPECT_EQ(g_alloc_failures.load(), 1);
    ULONG64 after = 0;
    NtioVerifierStressCounters(&after, nullptr, nullptr);
    EXPECT_GT(after, before);
    ASSERT_EQ(NtioVerifierSetFlags(m_leaky, NTIO_VERIFIER_IO_CHECKING), STATUS_SUCCESS);
    EXPECT_EQ(read_leaky(2), STATUS_SUCCESS);
}

// IoSetCompletionRoutineEx when its context cannot be allocated (low-resources simulation on the
// filter): STATUS_INSUFFICIENT_RESOURCES, no routine set, nothing allocated and no device reference
// kept (the fixture's leak check); the filter fails the read with that status. Without the
// simulation the context it allocates is gone once the IRP has completed.
TEST_F(VerifierStressTest, completion_routine_ex_that_fails_for_low_resources_leaves_nothing_behind) {
    constexpr ULONG kCompletionExTag = 'xEoI';  // the tag IoSetCompletionRoutineEx allocates with
    NTIO_VERIFIER_STRESS stress{42, 1000, 1000, 0};
    ASSERT_EQ(NtioVerifierSetStress(&stress), STATUS_SUCCESS);
    load_buggy(NTIO_VERIFIER_IO_CHECKING);
    load_filter(NTIO_VERIFIER_IO_CHECKING | NTIO_VERIFIER_RANDOM_LOW_RESOURCES);
    const ntio::ex::PoolTagUsage before = ntio::ex::pool_usage(kCompletionExTag);
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kCompleteOk, outcome, kFilterCopyRoutineEx);
    EXPECT_EQ(IoCallDriver(filter_device(), irp), STATUS_INSUFFICIENT_RESOURCES);
    EXPECT_EQ(outcome.completions.load(), 1);
    EXPECT_EQ(outcome.status.load(), STATUS_INSUFFICIENT_RESOURCES);
    IoFreeIrp(irp);
    EXPECT_EQ(ntio::ex::pool_usage(kCompletionExTag).allocations, before.allocations);

    ASSERT_EQ(NtioVerifierSetFlags(m_filter, NTIO_VERIFIER_IO_CHECKING), STATUS_SUCCESS);
    expect_legal_read(filter_device(), kCompleteOk, kFilterCopyRoutineEx);
    const ntio::ex::PoolTagUsage after = ntio::ex::pool_usage(kCompletionExTag);
    EXPECT_EQ(after.allocations, before.allocations + 1);
    EXPECT_EQ(after.blocks_outstanding(), before.blocks_outstanding());
}

// Force pending: the dispatch completes synchronously, yet the caller sees STATUS_PENDING and its
// completion routine runs (with PendingReturned) from the forced asynchronous completion.
TEST_F(VerifierStressTest, force_pending_makes_a_synchronous_completion_look_pending) {
    load_leaky(NTIO_VERIFIER_IO_CHECKING | NTIO_VERIFIER_FORCE_PENDING);
    EXPECT_EQ(read_leaky(2), STATUS_PENDING);
    ASSERT_EQ(NtioVerifierSetFlags(m_leaky, NTIO_VERIFIER_IO_CHECKING), STATUS_SUCCESS);
    EXPECT_EQ(read_leaky(2), STATUS_SUCCESS);
}

// The IRP log (spec 7.2) of a filter over a driver, and its exports (spec 7.3, 7.4).
TEST_F(VerifierStressTest, irp_log_records_the_stack_and_exports_to_chrome_json_and_procmon_csv) {
    load_buggy(NTIO_VERIFIER_STANDARD_FLAGS | NTIO_VERIFIER_IRP_LOGGING);
    load_filter(NTIO_VERIFIER_STANDARD_FLAGS | NTIO_VERIFIER_IRP_LOGGING);
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kCompleteOk, outcome, kFilterCopyPropagate);
    EXPECT_EQ(IoCallDriver(filter_device(), irp), STATUS_SUCCESS);
    EXPECT_EQ(outcome.completions.load(), 1);
    IoFreeIrp(irp);
    const std::string records = recorded_trace();
    EXPECT_NE(records.find("\"event\":\"call\""), std::string::npos);
    EXPECT_NE(records.find("\\\\Driver\\\\VerFilter"), std::string::npos);
    EXPECT_NE(records.find("\\\\Driver\\\\VerBuggy"), std::string::npos);
    EXPECT_NE(records.find("\"event\":\"completion_routine\""), std::string::npos);
    std::string chrome, csv, error;
    ASSERT_TRUE(export_chrome_json(records, chrome, error)) << error;
    EXPECT_NE(chrome.find("\"ph\": \"b\""), std::string::npos);
    EXPECT_NE(chrome.find("\"ph\": \"X\""), std::string::npos);
    ASSERT_TRUE(export_procmon_csv(records, csv, error)) << error;
    EXPECT_EQ(csv.rfind("\"Time of Day\",\"Process Name\",\"PID\",\"Operation\",\"Path\",\"Result\",\"Detail\"", 0), 0u);
    EXPECT_NE(csv.find("\"ReadFile\""), std::string::npos);
    EXPECT_FALSE(export_chrome_json("not json\n", chrome, error));
}

// Delay fuzzing perturbs the synchronization points of a driver with the flag, and I/O still
// completes as before.
TEST_F(VerifierStressTest, delay_fuzzing_inserts_delays_and_io_still_completes) {
    NTIO_VERIFIER_STRESS stress{7, 0, 1000, 20};
    ASSERT_EQ(NtioVerifierSetStress(&stress), STATUS_SUCCESS);
    load_leaky(NTIO_VERIFIER_IO_CHECKING | NTIO_VERIFIER_SYNC_DELAY_FUZZING);
    ULONG64 before = 0, after = 0;
    NtioVerifierStressCounters(nullptr, nullptr, &before);
    for (int i = 0; i < 50; ++i) EXPECT_EQ(read_leaky(2), STATUS_SUCCESS);
    NtioVerifierStressCounters(nullptr, nullptr, &after);
    EXPECT_GT(after, before);
}

// Force pending under a filter: the filter's completion routine sees PendingReturned and propagates
// it (the legal pattern), the filter returns STATUS_PENDING, and the originator's routine runs once.
TEST_F(VerifierStressTest, force_pending_under_a_filter_runs_the_asynchronous_completion_path) {
    load_buggy(NTIO_VERIFIER_IO_CHECKING | NTIO_VERIFIER_FORCE_PENDING);
    load_filter(NTIO_VERIFIER_IO_CHECKING);
    Outcome outcome;
    PIRP irp = make_read(filter_device(), kCompleteOk, outcome, kFilterCopyPropagate);
    EXPECT_EQ(IoCallDriver(filter_device(), irp), STATUS_PENDING);
    for (int i = 0; i < 1000000 && outcome.completions.load() == 0; ++i) sched_yield();
    EXPECT_EQ(outcome.completions.load(), 1);
    EXPECT_EQ(outcome.status.load(), STATUS_SUCCESS);
    IoFreeIrp(irp);
}

// A recorded run (what NTIO_TRACE records) of three filters over a driver, exported: the IRP is one
// async slice, each layer's dispatch an X slice, the layers joined by flow steps.
TEST_F(VerifierStressTest, trace_of_a_three_filter_stack_exports_one_slice_per_layer) {
    set_trace_recording(true);
    load_buggy(0);
    PDRIVER_OBJECT filters[3] = {};
    const wchar_t* names[3] = {L"VerTraceF1", L"VerTraceF2", L"VerTraceF3"};
    g_filter_target = buggy_device();
    for (int i = 0; i < 3; ++i) {
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, names[i]);
        ASSERT_EQ(NtioCreateDriver(&name, VerFilterDriverEntry, &filters[i]), STATUS_SUCCESS);
    }
    PDEVICE_OBJECT top = filters[2]->DeviceObject;
    Outcome outcome;
    PIRP irp = make_read(top, kCompleteOk, outcome, kFilterCopyPropagate);
    EXPECT_EQ(IoCallDriver(top, irp), STATUS_SUCCESS);
    EXPECT_EQ(outcome.completions.load(), 1);
    IoFreeIrp(irp);
    set_trace_recording(false);
    const std::string records = recorded_trace();
    std::string chrome, csv, error;
    ASSERT_TRUE(export_chrome_json(records, chrome, error)) << error;
    for (const char* driver : {"\\\\Driver\\\\VerTraceF1 IRP_MJ_READ", "\\\\Driver\\\\VerTraceF2 IRP_MJ_READ",
                               "\\\\Driver\\\\VerTraceF3 IRP_MJ_READ", "\\\\Driver\\\\VerBuggy IRP_MJ_READ"})
        EXPECT_NE(chrome.find(driver), std::string::npos) << driver;
    EXPECT_NE(chrome.find("\"ph\": \"s\""), std::string::npos);
    EXPECT_NE(chrome.find("\"ph\": \"t\""), std::string::npos);
    EXPECT_NE(chrome.find("\"ph\": \"f\""), std::string::npos);
    ASSERT_TRUE(export_procmon_csv(records, csv, error)) << error;
    EXPECT_NE(csv.find("\"ReadFile\""), std::string::npos);
    EXPECT_NE(csv.find("\"SUCCESS\""), std::string::npos);
    for (int i = 2; i >= 0; --i) {
        (void)NtioUnloadDriver(filters[i]);
        ObDereferenceObject(filters[i]);
    }
}

std::string read_file(const std::string& path) {
    std::string text;
    if (FILE* f = std::fopen(path.c_str(), "rb")) {
        char buffer[4096];
        std::size_t n;
        while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text.append(buffer, n);
        std::fclose(f);
    }
    return text;
}

// NTIO_TRACE=file end to end: a process (this binary, running the three-filter test) records and
// writes its trace at exit; `ntio trace export` (trace_main) converts it.
TEST(VerifierTrace, ntio_trace_records_a_process_and_trace_main_exports_it) {
    char dir[] = "/tmp/ntio-trace-test-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    const std::string trace = std::string(dir) + "/run.jsonl";
    const std::string chrome = std::string(dir) + "/run.json";
    const std::string csv = std::string(dir) + "/run.csv";
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::setenv("NTIO_TRACE", trace.c_str(), 1);
        const int null_fd = ::open("/dev/null", O_WRONLY);
        ::dup2(null_fd, STDOUT_FILENO);
        ::dup2(null_fd, STDERR_FILENO);
        ::execl("/proc/self/exe", "ntio_verifier_tests",
                "--gtest_filter=VerifierStressTest.trace_of_a_three_filter_stack_exports_one_slice_per_layer",
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
    const std::string records = read_file(trace);
    EXPECT_NE(records.find("\"event\":\"call\""), std::string::npos);

    std::string args[] = {"trace", "export", "--chrome-json", trace, chrome};
    char* argv[5];
    for (int i = 0; i < 5; ++i) argv[i] = args[i].data();
    EXPECT_EQ(trace_main(5, argv), 0);
    EXPECT_NE(read_file(chrome).find("VerTraceF2 IRP_MJ_READ"), std::string::npos);
    args[2] = "--procmon-csv";
    args[4] = csv;
    for (int i = 0; i < 5; ++i) argv[i] = args[i].data();
    EXPECT_EQ(trace_main(5, argv), 0);
    EXPECT_NE(read_file(csv).find("\"ReadFile\""), std::string::npos);
    args[2] = "--xml";
    argv[2] = args[2].data();
    EXPECT_EQ(trace_main(5, argv), 2);
    std::remove(trace.c_str());
    std::remove(chrome.c_str());
    std::remove(csv.c_str());
    ::rmdir(dir);
}

}  // namespace
}  // namespace ntio::verifier::test

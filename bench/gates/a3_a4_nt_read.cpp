// Gates A3 and A4: the I/O services end to end. A3: NtReadFile on a synchronous handle
// (FILE_SYNCHRONOUS_IO_NONALERT) to the 3-filter null stack against one system call (gate <= 1.5x).
// A4: asynchronous reads on a handle bound to a completion port: the null driver pends, the same
// thread completes the batch, packets come back through NtRemoveIoCompletionEx(..., 64) without
// blocking; per I/O against A3's figure from the same run (gate <= 1.5x). A4.port: the port's own
// post + dequeue (NtSetIoCompletion, NtRemoveIoCompletionEx in batches) against asio_post on one
// thread (gate <= 1.5x).
#include <cstdio>

#include "baselines/baselines.hpp"
#include "drivers/file_stack.hpp"
#include "gates/gates.hpp"
#include "gates/port_reads.hpp"

#include <ntio/ntapi.h>

namespace ntio::bench {
namespace {

constexpr ULONG kLength = 4096;
constexpr ULONG kBatch = 64;  // reads in flight per A4 round, and packets per dequeue
alignas(64) char g_buffer[kLength];

HANDLE create_port() {
    HANDLE port = nullptr;
    NTSTATUS status = NtCreateIoCompletion(&port, IO_COMPLETION_ALL_ACCESS, nullptr, 1);
    require(status == STATUS_SUCCESS, "NtCreateIoCompletion", status);
    return port;
}

// One synchronous read; returns the bytes read.
ULONG_PTR sync_read(HANDLE file) {
    IO_STATUS_BLOCK iosb;
    NTSTATUS status = NtReadFile(file, nullptr, nullptr, nullptr, &iosb, g_buffer, kLength, nullptr, nullptr);
    if (status != STATUS_SUCCESS) require(false, "synchronous NtReadFile", status);
    return iosb.Information;
}

}  // namespace

GateResult gate_a3_nt_read_file(const GateOptions& options) {
    FileStack stack = build_file_stack(ReadMode::kComplete);
    HANDLE file = open_file_stack(stack, true);
    require(sync_read(file) == kLength, "synchronous NtReadFile moved the wrong byte count");
    auto ntio_phase = [file](double min_ns) { return time_loop(min_ns, [file] { keep(sync_read(file)); }); };
    GateResult result = run_gate("A3", "NtReadFile, sync handle -> 3 filters -> null driver / syscall(getppid)",
                                 ntio_phase, syscall_getppid, 1.5, options);
    (void)NtClose(file);
    destroy_file_stack(stack);
    return result;
}

GateResult gate_a4_port_read(const GateOptions& options) {
    FileStack sync_stack = build_file_stack(ReadMode::kComplete);
    HANDLE sync_file = open_file_stack(sync_stack, true);
    PortReads reads;
    require(reads.round() == kBatch * kLength, "asynchronous reads reported the wrong byte count");
    for (const IO_STATUS_BLOCK& iosb : reads.iosb)
        require(iosb.Status == STATUS_SUCCESS && iosb.Information == kLength, "asynchronous read IOSB", iosb.Status);
    auto ntio_phase = [&reads](double min_ns) {
        return time_loop(min_ns, [&reads] { keep(reads.round()); }, 1) / kBatch;
    };
    auto a3_phase = [sync_file](double min_ns) {
        return time_loop(min_ns, [sync_file] { keep(sync_read(sync_file)); });
    };
    GateResult result = run_gate("A4",
                                 "async read via port, driver pends, same thread completes 64, "
                                 "NtRemoveIoCompletionEx(64) non-blocking / A3 NtReadFile (same run)",
                                 ntio_phase, a3_phase, 1.5, options);
    (void)NtClose(sync_file);
    destroy_file_stack(sync_stack);
    return result;
}

GateResult gate_a4_port_post_dequeue(const GateOptions& options) {
    HANDLE port = create_port();
    FILE_IO_COMPLETION_INFORMATION entries[kBatch];
    auto ntio_phase = [port, &entries](double min_ns) {
        return time_loop(min_ns, [port, &entries] {
            for (ULONG i = 0; i < kBatch; ++i) {
                NTSTATUS status = NtSetIoCompletion(port, nullptr, &entries[i], STATUS_SUCCESS, i);
                if (status != STATUS_SUCCESS) require(false, "NtSetIoCompletion", status);
            }
            LARGE_INTEGER zero{};
            for (ULONG got = 0; got < kBatch;) {
                ULONG n = 0;
                NTSTATUS status = NtRemoveIoCompletionEx(port, entries, kBatch, &n, &zero, FALSE);
                if (status != STATUS_SUCCESS) require(false, "NtRemoveIoCompletionEx", status);
                got += n;
            }
            keep(entries[kBatch - 1].IoStatusBlock.Information);
        }, 1) / kBatch;
    };
    GateResult result = run_gate("A4.port",
                                 "port alone: 64x NtSetIoCompletion + NtRemoveIoCompletionEx(64), same thread "
                                 "/ asio post+run same thread",
                                 ntio_phase, asio_post_same_thread, 1.5, options);
    (void)NtClose(port);
    return result;
}

}  // namespace ntio::bench

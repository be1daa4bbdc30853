// Asynchronous reads through a completion port on the 3-filter null stack (gates A4, A6, D1.port):
// a round issues 64 reads that pend, completes them in one batch as the driver's DPC would, and
// dequeues the 64 packets with non-blocking NtRemoveIoCompletionEx(..., 64).
#pragma once

#include "drivers/file_stack.hpp"

#include <ntio/ntapi.h>

namespace ntio::bench {

struct PortReads {
    static constexpr ULONG kLength = 4096;
    static constexpr ULONG kBatch = 64;  // reads in flight per round, and packets per dequeue

    FileStack stack;
    HANDLE file = nullptr;
    HANDLE port = nullptr;
    IO_STATUS_BLOCK iosb[kBatch];
    FILE_IO_COMPLETION_INFORMATION entries[kBatch];
    alignas(64) char buffer[kLength];

    // Builds the kPark stack (`instance` tells concurrent stacks apart), opens it asynchronously
    // and binds a new port to the handle.
    explicit PortReads(int instance = 0) {
        stack = build_file_stack(ReadMode::kPark, 1, 0, instance);
        file = open_file_stack(stack, false);
        NTSTATUS status = NtCreateIoCompletion(&port, IO_COMPLETION_ALL_ACCESS, nullptr, 1);
        require(status == STATUS_SUCCESS, "NtCreateIoCompletion", status);
        FILE_COMPLETION_INFORMATION info{port, this};
        IO_STATUS_BLOCK bind{};
        status = NtSetInformationFile(file, &bind, &info, sizeof(info), FileCompletionInformation);
        require(status == STATUS_SUCCESS, "NtSetInformationFile(FileCompletionInformation)", status);
    }
    ~PortReads() {
        (void)NtClose(port);
        (void)NtClose(file);
        destroy_file_stack(stack);
    }
    PortReads(const PortReads&) = delete;
    PortReads& operator=(const PortReads&) = delete;

    // Dequeues `count` packets without blocking; returns the bytes they report.
    ULONG_PTR drain(ULONG count) {
        ULONG_PTR bytes = 0;
        LARGE_INTEGER zero{};
        for (ULONG got = 0; got < count;) {
            ULONG n = 0;
            NTSTATUS status = NtRemoveIoCompletionEx(port, entries, kBatch, &n, &zero, FALSE);
            if (status != STATUS_SUCCESS) require(false, "NtRemoveIoCompletionEx", status);
            for (ULONG i = 0; i < n; ++i) bytes += entries[i].IoStatusBlock.Information;
            got += n;
        }
        return bytes;
    }
    // kBatch reads that pend, completed by the driver in one batch, dequeued in batches of 64.
    ULONG_PTR round() {
        LARGE_INTEGER offset{};
        for (ULONG i = 0; i < kBatch; ++i) {
            NTSTATUS status = NtReadFile(file, nullptr, nullptr, &iosb[i], &iosb[i], buffer, kLength, &offset, nullptr);
            if (status != STATUS_PENDING) require(false, "asynchronous NtReadFile did not pend", status);
        }
        if (complete_parked(stack) != kBatch) require(false, "parked reads missing");
        return drain(kBatch);
    }
};

}  // namespace ntio::bench

// Shared helpers of the named-pipe suites: creating a server instance with NtCreateNamedPipeFile,
// opening a client with NtCreateFile, the FSCTLs, and an APC that counts its calls. npfs.sys is
// started by every System from the default hive, as NT starts Npfs.
#pragma once

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

#include "conformance/nt/nt_test_support.hpp"
#include "support/io_status.hpp"

#include <ntifs.h>

namespace ntio::test::pipes {

inline constexpr const wchar_t* kPipe = L"\\Device\\NamedPipe\\ntio_pipe_test";

struct ServerOptions {
    ULONG type = FILE_PIPE_BYTE_STREAM_TYPE;
    ULONG read_mode = FILE_PIPE_BYTE_STREAM_MODE;
    ULONG completion = FILE_PIPE_QUEUE_OPERATION;
    ULONG max_instances = 4;
    ULONG inbound_quota = 4096;
    ULONG outbound_quota = 4096;
    ULONG disposition = FILE_OPEN_IF;
    bool overlapped = true;
    ACCESS_MASK access = GENERIC_READ | GENERIC_WRITE;
    ULONG share = FILE_SHARE_READ | FILE_SHARE_WRITE;  // the direction: what clients may do
};

inline NTSTATUS create_server(HANDLE* server, const ServerOptions& options = {}, const wchar_t* name = kPipe) {
    ObjectName object(name);
    IO_STATUS_BLOCK iosb{};
    LARGE_INTEGER timeout = relative_ms(50);
    return NtCreateNamedPipeFile(server, options.access | SYNCHRONIZE, object.get(), &iosb, options.share,
                                 options.disposition,
                                 options.overlapped ? 0 : FILE_SYNCHRONOUS_IO_NONALERT, options.type, options.read_mode,
                                 options.completion, options.max_instances, options.inbound_quota,
                                 options.outbound_quota, &timeout);
}

inline NTSTATUS open_client(HANDLE* client, bool overlapped = true, const wchar_t* name = kPipe,
                            ACCESS_MASK access = GENERIC_READ | GENERIC_WRITE) {
    ObjectName object(name);
    IO_STATUS_BLOCK iosb{};
    return NtCreateFile(client, access | SYNCHRONIZE, object.get(), &iosb, nullptr, 0,
                        FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, overlapped ? 0 : FILE_SYNCHRONOUS_IO_NONALERT,
                        nullptr, 0);
}

inline NTSTATUS fsctl(HANDLE h, ULONG code, IO_STATUS_BLOCK* iosb, HANDLE event = nullptr,
                      PIO_APC_ROUTINE apc = nullptr, PVOID context = nullptr, PVOID in = nullptr, ULONG in_length = 0,
                      PVOID out = nullptr, ULONG out_length = 0) {
    return NtFsControlFile(h, event, apc, context, iosb, code, in, in_length, out, out_length);
}

inline NTSTATUS read(HANDLE h, void* buffer, ULONG length, IO_STATUS_BLOCK* iosb, HANDLE event = nullptr,
                     PIO_APC_ROUTINE apc = nullptr, PVOID context = nullptr) {
    return NtReadFile(h, event, apc, context, iosb, buffer, length, nullptr, nullptr);
}

inline NTSTATUS write(HANDLE h, const void* buffer, ULONG length, IO_STATUS_BLOCK* iosb, HANDLE event = nullptr,
                      PIO_APC_ROUTINE apc = nullptr, PVOID context = nullptr) {
    return NtWriteFile(h, event, apc, context, iosb, const_cast<void*>(buffer), length, nullptr, nullptr);
}

// FSCTL_PIPE_PEEK with room for `data` bytes after the header.
struct Peek {
    FILE_PIPE_PEEK_BUFFER header;
    char data[256];
};

inline NTSTATUS peek(HANDLE h, Peek& out, ULONG data = 64, IO_STATUS_BLOCK* iosb_out = nullptr) {
    IO_STATUS_BLOCK iosb{};
    std::memset(&out, 0, sizeof(out));
    NTSTATUS status = fsctl(h, FSCTL_PIPE_PEEK, &iosb, nullptr, nullptr, nullptr, nullptr, 0, &out,
                            FIELD_OFFSET(FILE_PIPE_PEEK_BUFFER, Data) + data);
    if (iosb_out) *iosb_out = iosb;
    return status;
}

inline FILE_PIPE_LOCAL_INFORMATION local_information(HANDLE h) {
    FILE_PIPE_LOCAL_INFORMATION info{};
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(NtQueryInformationFile(h, &iosb, &info, sizeof(info), FilePipeLocalInformation), STATUS_SUCCESS);
    return info;
}

inline NTSTATUS set_pipe_mode(HANDLE h, ULONG read_mode, ULONG completion = FILE_PIPE_QUEUE_OPERATION) {
    FILE_PIPE_INFORMATION info{read_mode, completion};
    IO_STATUS_BLOCK iosb{};
    return NtSetInformationFile(h, &iosb, &info, sizeof(info), FilePipeInformation);
}

// An APC routine counting its calls in the ULONG its context points to.
inline VOID NTAPI count_apc(PVOID context, PIO_STATUS_BLOCK, ULONG) { ++*static_cast<ULONG*>(context); }

// Runs the APCs queued to this thread (an alertable wait of zero).
inline NTSTATUS run_apcs() {
    LARGE_INTEGER zero = zero_timeout();
    return NtDelayExecution(TRUE, &zero);
}

// Waits up to 10 s for `h` (an event or a file) to be signalled.
inline NTSTATUS wait_for(HANDLE h) {
    LARGE_INTEGER timeout = relative_ms(10000);
    return NtWaitForSingleObject(h, FALSE, &timeout);
}

inline void wait_until(const std::function<bool()>& done) {
    for (int i = 0; i < 10000 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ASSERT_TRUE(done());
}

// A server instance and a client connected to it.
struct Connected {
    Handle server;
    Handle client;
};

inline void connect(Connected& pipe, const ServerOptions& options = {}, bool client_overlapped = true) {
    ASSERT_EQ(create_server(pipe.server.out(), options), STATUS_SUCCESS);
    ASSERT_EQ(open_client(pipe.client.out(), client_overlapped), STATUS_SUCCESS);
}

using PipeTest = SystemTest;

}  // namespace ntio::test::pipes

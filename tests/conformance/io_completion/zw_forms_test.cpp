// The Zw forms of the completion-port, cancellation, scatter/gather, named-pipe and mailslot
// services, called the way a driver calls them (kernel handles, kernel buffers): each gives what its
// Nt service gives.
#include <ntifs.h>

#include "port_test_support.hpp"
#include "support/io_status.hpp"

namespace ntio::test::ports {
namespace {
using ntio::test::kUntouched;


HANDLE zw_port(ULONG concurrency) {
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, nullptr, OBJ_KERNEL_HANDLE, nullptr, nullptr);
    HANDLE port = nullptr;
    EXPECT_EQ(ZwCreateIoCompletion(&port, IO_COMPLETION_ALL_ACCESS, &oa, concurrency), STATUS_SUCCESS);
    return port;
}

// NT facts F8, F9 through the Zw forms.
TEST_F(PortTest, zw_port_services_round_trip_packets_on_a_kernel_handle) {
    HANDLE port = zw_port(1);
    ASSERT_NE(port, nullptr);
    EXPECT_EQ(ZwSetIoCompletion(port, ptr(1), ptr(2), STATUS_BUFFER_OVERFLOW, 0x123456789ULL), STATUS_SUCCESS);
    EXPECT_EQ(ZwSetIoCompletion(port, ptr(3), ptr(4), STATUS_SUCCESS, 5), STATUS_SUCCESS);
    IO_COMPLETION_BASIC_INFORMATION info{-1};
    ULONG returned = 0;
    EXPECT_EQ(ZwQueryIoCompletion(port, IoCompletionBasicInformation, &info, sizeof(info), &returned), STATUS_SUCCESS);
    EXPECT_EQ(info.Depth, 2);
    EXPECT_EQ(returned, sizeof(info));

    PVOID key = nullptr, value = nullptr;
    IO_STATUS_BLOCK iosb = kUntouched;
    LARGE_INTEGER zero = zero_timeout();
    EXPECT_EQ(ZwRemoveIoCompletion(port, &key, &value, &iosb, &zero), STATUS_SUCCESS);
    EXPECT_EQ(key, ptr(1));
    EXPECT_EQ(value, ptr(2));
    EXPECT_EQ(iosb.Status, STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(iosb.Information, 0x123456789ULL);

    FILE_IO_COMPLETION_INFORMATION entries[4] = {};
    ULONG removed = 0;
    EXPECT_EQ(ZwRemoveIoCompletionEx(port, entries, 4, &removed, &zero, FALSE), STATUS_SUCCESS);
    ASSERT_EQ(removed, 1u);
    EXPECT_EQ(entries[0].KeyContext, ptr(3));
    EXPECT_EQ(entries[0].ApcContext, ptr(4));
    EXPECT_EQ(entries[0].IoStatusBlock.Information, 5u);
    EXPECT_EQ(ZwRemoveIoCompletion(port, &key, &value, &iosb, &zero), STATUS_TIMEOUT);
    EXPECT_EQ(ZwClose(port), STATUS_SUCCESS);
}

// A kernel-mode caller's handle is not access-checked (ObReferenceObjectByHandle with KernelMode):
// through the Zw forms a query-only handle may post and remove, which the Nt forms refuse.
TEST_F(PortTest, zw_open_io_completion_opens_a_named_port_and_skips_access_checks) {
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\BaseNamedObjects\\ZwFormsPort");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    HANDLE created = nullptr;
    ASSERT_EQ(ZwCreateIoCompletion(&created, IO_COMPLETION_ALL_ACCESS, &oa, 0), STATUS_SUCCESS);
    HANDLE query_only = nullptr;
    ASSERT_EQ(ZwOpenIoCompletion(&query_only, IO_COMPLETION_QUERY_STATE, &oa), STATUS_SUCCESS);
    EXPECT_EQ(ZwSetIoCompletion(query_only, ptr(7), ptr(8), STATUS_SUCCESS, 0), STATUS_SUCCESS);
    PVOID key = nullptr, value = nullptr;
    IO_STATUS_BLOCK iosb = kUntouched;
    LARGE_INTEGER zero = zero_timeout();
    EXPECT_EQ(ZwRemoveIoCompletion(query_only, &key, &value, &iosb, &zero), STATUS_SUCCESS);
    EXPECT_EQ(key, ptr(7));
    EXPECT_EQ(value, ptr(8));
    UNICODE_STRING missing_name;
    RtlInitUnicodeString(&missing_name, L"\\BaseNamedObjects\\ZwFormsMissing");
    OBJECT_ATTRIBUTES missing;
    InitializeObjectAttributes(&missing, &missing_name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    HANDLE none = nullptr;
    EXPECT_EQ(ZwOpenIoCompletion(&none, IO_COMPLETION_ALL_ACCESS, &missing), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(ZwClose(query_only), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(created), STATUS_SUCCESS);
}

// NT facts D4, D5: ZwCancelIoFileEx marks the parked request cancelled (a second call finds nothing
// left to cancel), and it completes to the port with STATUS_CANCELLED; ZwCancelIoFile succeeds with
// nothing left; ZwCancelSynchronousIoFile on a thread blocked in nothing gives STATUS_NOT_FOUND.
TEST_F(PortTest, zw_cancel_forms_cancel_like_their_nt_services) {
    Handle port(make_port());
    Handle file(open_device(true));
    ASSERT_EQ(bind(file, port, ptr(0x42)), STATUS_SUCCESS);
    IO_STATUS_BLOCK request = kUntouched;
    ASSERT_EQ(ioctl(file, STATUS_SUCCESS, 0, kPark, ptr(0x99), &request), STATUS_PENDING);

    IO_STATUS_BLOCK result = kUntouched;
    EXPECT_EQ(ZwCancelIoFileEx(file, &request, &result), STATUS_SUCCESS);
    EXPECT_EQ(ZwCancelIoFileEx(file, &request, &result), STATUS_NOT_FOUND);  // already cancelled
    // The test driver parks without a cancel routine: it completes the cancelled request itself.
    finish_parked(STATUS_CANCELLED, 0);
    Packet packet;
    ASSERT_EQ(remove(port, packet), STATUS_SUCCESS);
    EXPECT_EQ(packet.value, ptr(0x99));
    EXPECT_EQ(packet.iosb.Status, STATUS_CANCELLED);

    result = kUntouched;
    EXPECT_EQ(ZwCancelIoFile(file, &result), STATUS_SUCCESS);
    EXPECT_EQ(result.Status, STATUS_SUCCESS);

    HANDLE thread = nullptr;
    ASSERT_EQ(ZwDuplicateObject(NtCurrentProcess(), NtCurrentThread(), NtCurrentProcess(), &thread, 0,
                                OBJ_KERNEL_HANDLE, DUPLICATE_SAME_ACCESS),
              STATUS_SUCCESS);
    result = kUntouched;
    EXPECT_EQ(ZwCancelSynchronousIoFile(thread, nullptr, &result), STATUS_NOT_FOUND);
    EXPECT_EQ(result.Status, STATUS_NOT_FOUND);
    EXPECT_EQ(ZwClose(thread), STATUS_SUCCESS);
}

// Scatter/gather needs a handle opened without intermediate buffering (FILE_NO_INTERMEDIATE_BUFFERING):
// the Zw forms reject a buffered handle with the status the Nt forms give.
TEST_F(PortTest, zw_scatter_gather_check_the_handle_like_the_nt_forms) {
    Handle file(open_device(true));
    alignas(4096) static char page[4096];
    FILE_SEGMENT_ELEMENT segments[2] = {};
    segments[0].Buffer = page;
    LARGE_INTEGER offset{};
    IO_STATUS_BLOCK nt_iosb = kUntouched, zw_iosb = kUntouched;
    const NTSTATUS nt_read = NtReadFileScatter(file, nullptr, nullptr, nullptr, &nt_iosb, segments, 4096, &offset, nullptr);
    EXPECT_EQ(nt_read, STATUS_INVALID_PARAMETER);
    EXPECT_EQ(ZwReadFileScatter(file, nullptr, nullptr, nullptr, &zw_iosb, segments, 4096, &offset, nullptr), nt_read);
    const NTSTATUS nt_write =
        NtWriteFileGather(file, nullptr, nullptr, nullptr, &nt_iosb, segments, 4096, &offset, nullptr);
    EXPECT_EQ(ZwWriteFileGather(file, nullptr, nullptr, nullptr, &zw_iosb, segments, 4096, &offset, nullptr), nt_write);
}

// The Zw creates of pipes and mailslots give what the Nt creates give.
TEST_F(PortTest, zw_pipe_and_mailslot_creates_give_the_nt_status) {
    // The pipe file system (npfs.sys, started from the default hive) creates the pipe both ways; each
    // create makes the pipe anew, the handle of the one before having closed it.
    UNICODE_STRING pipe_name;
    RtlInitUnicodeString(&pipe_name, L"\\Device\\NamedPipe\\zw_forms");
    OBJECT_ATTRIBUTES pipe;
    InitializeObjectAttributes(&pipe, &pipe_name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    OBJECT_ATTRIBUTES kernel_pipe;
    InitializeObjectAttributes(&kernel_pipe, &pipe_name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    HANDLE handle = nullptr;
    IO_STATUS_BLOCK iosb = kUntouched;
    LARGE_INTEGER timeout;
    timeout.QuadPart = -500000;
    const NTSTATUS nt_pipe =
        NtCreateNamedPipeFile(&handle, GENERIC_READ | SYNCHRONIZE, &pipe, &iosb, FILE_SHARE_READ | FILE_SHARE_WRITE,
                              FILE_CREATE, 0, FILE_PIPE_MESSAGE_TYPE, FILE_PIPE_MESSAGE_MODE, FILE_PIPE_QUEUE_OPERATION,
                              1, 4096, 4096, &timeout);
    EXPECT_EQ(nt_pipe, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, static_cast<ULONG_PTR>(FILE_CREATED));
    if (NT_SUCCESS(nt_pipe)) {
        EXPECT_EQ(NtClose(handle), STATUS_SUCCESS);
    }
    EXPECT_EQ(ZwCreateNamedPipeFile(&handle, GENERIC_READ | SYNCHRONIZE, &kernel_pipe, &iosb,
                                    FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_CREATE, 0, FILE_PIPE_MESSAGE_TYPE,
                                    FILE_PIPE_MESSAGE_MODE, FILE_PIPE_QUEUE_OPERATION, 1, 4096, 4096, &timeout),
              nt_pipe);
    if (NT_SUCCESS(nt_pipe)) {
        EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
    }
    // The mailslot file system (msfs.sys, started from the default hive) likewise.
    UNICODE_STRING slot_name;
    RtlInitUnicodeString(&slot_name, L"\\Device\\Mailslot\\zw_forms");
    OBJECT_ATTRIBUTES slot;
    InitializeObjectAttributes(&slot, &slot_name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    OBJECT_ATTRIBUTES kernel_slot;
    InitializeObjectAttributes(&kernel_slot, &slot_name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    iosb = kUntouched;
    const NTSTATUS nt_slot = NtCreateMailslotFile(&handle, GENERIC_READ | SYNCHRONIZE, &slot, &iosb, 0, 0, 0, nullptr);
    EXPECT_EQ(nt_slot, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, static_cast<ULONG_PTR>(FILE_CREATED));
    if (NT_SUCCESS(nt_slot)) {
        EXPECT_EQ(NtClose(handle), STATUS_SUCCESS);
    }
    EXPECT_EQ(ZwCreateMailslotFile(&handle, GENERIC_READ | SYNCHRONIZE, &kernel_slot, &iosb, 0, 0, 0, nullptr),
              nt_slot);
    if (NT_SUCCESS(nt_slot)) {
        EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
    }
}

}  // namespace
}  // namespace ntio::test::ports

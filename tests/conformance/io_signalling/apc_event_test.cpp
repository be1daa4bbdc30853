// Who is told about a completion, and when, through the NT services and kernel32 against the IoSignal
// driver: the APC variant of the status matrix (NT fact E9), requests that queue no APC (G2), APCs on
// synchronous handles (G4, D12), and file-object versus event signalling (H1, H2, H3, H5).
#include <future>
#include <thread>

#include "lifetime_support.hpp"

namespace ntio::test::io_signalling {
namespace {

IO_STATUS_BLOCK filled() {
    IO_STATUS_BLOCK iosb{};
    iosb.Status = kFill;
    iosb.Information = kFillInformation;
    return iosb;
}

// What the I/O APCs of this thread saw (NT fact G1: (ApcContext, IOSB*, 0)).
struct ApcLog {
    int calls = 0;
    PVOID context = nullptr;
    PIO_STATUS_BLOCK iosb = nullptr;
    ULONG reserved = 0xffffffff;
};
thread_local ApcLog t_apc;

VOID NTAPI record_io_apc(PVOID context, PIO_STATUS_BLOCK iosb, ULONG reserved) {
    ++t_apc.calls;
    t_apc.context = context;
    t_apc.iosb = iosb;
    t_apc.reserved = reserved;
}

thread_local int t_user_apcs = 0;
VOID NTAPI count_user_apc(ULONG_PTR) { ++t_user_apcs; }

PVOID ctx(ULONG_PTR v) { return reinterpret_cast<PVOID>(v); }

// A handle's state without waiting: STATUS_SUCCESS when signalled, else STATUS_TIMEOUT.
NTSTATUS poll_handle(HANDLE h) {
    LARGE_INTEGER zero;
    zero.QuadPart = 0;
    return NtWaitForSingleObject(h, FALSE, &zero);
}

// The file object's signal state as a driver reads it (KeReadStateEvent on FileObject->Event, the
// object NT waits on for a file handle): STATUS_SUCCESS when signalled, else STATUS_TIMEOUT. The H
// facts are stated for waits on the handle; file_handles_are_waitable checks that both views agree.
NTSTATUS poll(HANDLE h) {
    PVOID object = nullptr;
    EXPECT_EQ(ObReferenceObjectByHandle(h, SYNCHRONIZE, *IoFileObjectType, KernelMode, &object, nullptr),
              STATUS_SUCCESS);
    if (!object) return STATUS_INVALID_HANDLE;
    const LONG state = KeReadStateEvent(&static_cast<PFILE_OBJECT>(object)->Event);
    ObDereferenceObject(object);
    return state ? STATUS_SUCCESS : STATUS_TIMEOUT;
}

NTSTATUS read_at(HANDLE file, IO_STATUS_BLOCK* iosb, void* buffer, ULONG length, LONGLONG offset,
                 HANDLE event = nullptr, PIO_APC_ROUTINE apc = nullptr, PVOID context = nullptr) {
    LARGE_INTEGER at;
    at.QuadPart = offset;
    return NtReadFile(file, event, apc, context, iosb, buffer, length, &at, nullptr);
}

// A request that completes at once with success and no event: afterwards the file is idle and,
// having completed a request, signalled (NT fact H1).
void complete_a_request(HANDLE file) {
    MatrixRequest request{STATUS_SUCCESS, STATUS_SUCCESS, 0};
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(NtDeviceIoControlFile(file, nullptr, nullptr, nullptr, &iosb, kIoctlMatrix, &request, sizeof(request),
                                    nullptr, 0),
              STATUS_SUCCESS);
}

const NTSTATUS kStatuses[] = {
    STATUS_SUCCESS, STATUS_PENDING, STATUS_TIMEOUT, static_cast<NTSTATUS>(0x0eadbeef),
    static_cast<NTSTATUS>(0x4eadbeef), STATUS_BUFFER_OVERFLOW, static_cast<NTSTATUS>(0x8eadbeef),
    STATUS_NOT_IMPLEMENTED, static_cast<NTSTATUS>(0xceadbeef),
};

// NT facts E9, G1, G2: async handle, no event, an APC routine with context 456. The call returns the
// dispatch's value; the APC runs once, at SleepEx(0, TRUE), with (456, &iosb, 0) and the final IOSB,
// except for a non-pending NT_ERROR, where nothing is written and no APC is queued.
TEST_F(IoSignalTest, apc_matrix_runs_the_apc_once_unless_the_request_failed_synchronously) {
    HANDLE h = open_device();
    int executed = 0;
    for (NTSTATUS ret : kStatuses) {
        for (NTSTATUS iosb_status : kStatuses) {
            for (ULONG pend : {0u, 1u}) {
                if (ret == STATUS_PENDING && !pend) continue;
                // Completing with IoStatus.Status STATUS_PENDING is a verifier bugcheck in ntio (0xC9/6),
                // the same exclusion as the E3 matrix in tests/conformance/win32_io.
                if (iosb_status == STATUS_PENDING) continue;
                SCOPED_TRACE(testing::Message() << std::hex << "ret " << ret << " iosb " << iosb_status << " pend "
                                                << pend);
                t_apc = ApcLog{};
                MatrixRequest request{ret, iosb_status, pend};
                IO_STATUS_BLOCK iosb = filled();
                char out[6] = {'a', 'b', 'c', 'd', 'e', 'f'};
                const NTSTATUS result = NtDeviceIoControlFile(h, nullptr, record_io_apc, ctx(456), &iosb, kIoctlMatrix,
                                                              &request, sizeof(request), out, sizeof(out));
                EXPECT_EQ(result, ret);
                EXPECT_EQ(t_apc.calls, 0) << "never at completion time (G1)";
                if (!pend && NT_ERROR(iosb_status)) {
                    EXPECT_TRUE(untouched(iosb));
                    EXPECT_EQ(SleepEx(0, TRUE), 0u);
                    EXPECT_EQ(t_apc.calls, 0);
                } else {
                    EXPECT_EQ(iosb.Status, iosb_status);
                    EXPECT_EQ(iosb.Information, 3u);
                    EXPECT_EQ(SleepEx(0, TRUE), static_cast<DWORD>(WAIT_IO_COMPLETION));
                    EXPECT_EQ(t_apc.calls, 1);
                    EXPECT_EQ(t_apc.context, ctx(456));
                    EXPECT_EQ(t_apc.iosb, &iosb);
                    EXPECT_EQ(t_apc.reserved, 0u);
                    EXPECT_EQ(SleepEx(0, TRUE), 0u) << "exactly once";
                }
                ++executed;
            }
        }
    }
    EXPECT_EQ(executed, 9 * 8 * 2 - 8);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// NT fact G2: an invalid file handle, a closed event handle or a handle that is no event fail the
// call before any IRP exists: no APC, IOSB untouched, the driver never sees the request.
TEST_F(IoSignalTest, invalid_file_or_event_handles_queue_no_apc) {
    HANDLE h = open_device();
    HANDLE closed_event = make_event(NotificationEvent, FALSE);
    ASSERT_EQ(NtClose(closed_event), STATUS_SUCCESS);
    HANDLE bogus = reinterpret_cast<HANDLE>(static_cast<ULONG_PTR>(0xdeadbee0));
    MatrixRequest request{STATUS_SUCCESS, STATUS_SUCCESS, 0};
    char buffer[4];
    t_apc = ApcLog{};
    const LONG dispatches = g_state.dispatches.load();

    IO_STATUS_BLOCK iosb = filled();
    EXPECT_EQ(NtDeviceIoControlFile(bogus, nullptr, record_io_apc, ctx(1), &iosb, kIoctlMatrix, &request,
                                    sizeof(request), nullptr, 0),
              STATUS_INVALID_HANDLE);
    EXPECT_EQ(NtDeviceIoControlFile(h, closed_event, record_io_apc, ctx(2), &iosb, kIoctlMatrix, &request,
                                    sizeof(request), nullptr, 0),
              STATUS_INVALID_HANDLE);
    EXPECT_EQ(NtDeviceIoControlFile(h, h, record_io_apc, ctx(3), &iosb, kIoctlMatrix, &request, sizeof(request),
                                    nullptr, 0),
              STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(read_at(bogus, &iosb, buffer, sizeof(buffer), 0, nullptr, record_io_apc, ctx(4)), STATUS_INVALID_HANDLE);
    EXPECT_EQ(read_at(h, &iosb, buffer, sizeof(buffer), 0, closed_event, record_io_apc, ctx(5)), STATUS_INVALID_HANDLE);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_EQ(g_state.dispatches.load(), dispatches);

    // A synchronous NT_ERROR from the driver queues none either.
    MatrixRequest failing{STATUS_NOT_IMPLEMENTED, STATUS_NOT_IMPLEMENTED, 0};
    EXPECT_EQ(NtDeviceIoControlFile(h, nullptr, record_io_apc, ctx(6), &iosb, kIoctlMatrix, &failing, sizeof(failing),
                                    nullptr, 0),
              STATUS_NOT_IMPLEMENTED);
    EXPECT_EQ(g_state.dispatches.load(), dispatches + 1);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_EQ(SleepEx(0, TRUE), 0u);
    EXPECT_EQ(t_apc.calls, 0);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// NT fact G4, the part a device shows: on a synchronous handle the IRP path queues the APC of a
// write (and of a read) that succeeded; it runs at the next alertable wait, not during the call. A
// read that fails at end of file queues none. (NTFS answers cached reads through fast I/O, which
// queues no APC; this device has no fast I/O.)
TEST_F(IoSignalTest, synchronous_handle_queues_the_apc_of_a_successful_irp_and_none_at_end_of_file) {
    HANDLE h = open_device(FILE_SYNCHRONOUS_IO_NONALERT);
    t_apc = ApcLog{};
    IO_STATUS_BLOCK iosb = filled();
    char data[4] = {'a', 'b', 'c', 'd'};
    EXPECT_EQ(NtWriteFile(h, nullptr, record_io_apc, ctx(11), &iosb, data, sizeof(data), nullptr, nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 4u);
    EXPECT_EQ(t_apc.calls, 0);
    EXPECT_EQ(SleepEx(0, TRUE), static_cast<DWORD>(WAIT_IO_COMPLETION));
    EXPECT_EQ(t_apc.calls, 1);
    EXPECT_EQ(t_apc.context, ctx(11));
    EXPECT_EQ(t_apc.iosb, &iosb);

    t_apc = ApcLog{};
    char buffer[4];
    iosb = filled();
    EXPECT_EQ(read_at(h, &iosb, buffer, sizeof(buffer), 2, nullptr, record_io_apc, ctx(12)), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 4u);
    EXPECT_EQ(std::string(buffer, 4), "2345");
    EXPECT_EQ(SleepEx(0, TRUE), static_cast<DWORD>(WAIT_IO_COMPLETION));
    EXPECT_EQ(t_apc.calls, 1);
    EXPECT_EQ(t_apc.context, ctx(12));

    t_apc = ApcLog{};
    iosb = filled();
    EXPECT_EQ(read_at(h, &iosb, buffer, sizeof(buffer), kFileSize, nullptr, record_io_apc, ctx(13)),
              STATUS_END_OF_FILE);
    EXPECT_TRUE(untouched(iosb)) << "a synchronous handle never sees an error IOSB (E2)";
    EXPECT_EQ(SleepEx(0, TRUE), 0u);
    EXPECT_EQ(t_apc.calls, 0);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// NT facts H1, H5 through the handle: a file handle is a waitable object (a wait on it waits on the
// file object's Event, NT's DefaultObject of the File type).
TEST_F(IoSignalTest, file_handles_are_waitable) {
    g_state.park_reads = true;
    HANDLE h = open_device();
    complete_a_request(h);
    EXPECT_EQ(poll_handle(h), STATUS_SUCCESS) << "idle file";
    IO_STATUS_BLOCK iosb = filled();
    char buffer[4];
    ASSERT_EQ(read_at(h, &iosb, buffer, sizeof(buffer), 0), STATUS_PENDING);
    EXPECT_EQ(poll_handle(h), STATUS_TIMEOUT) << "reset at submission";
    ASSERT_TRUE(complete_one(STATUS_SUCCESS, 4));
    EXPECT_EQ(poll_handle(h), STATUS_SUCCESS) << "signalled at completion";
    EXPECT_EQ(WaitForSingleObject(h, 0), static_cast<DWORD>(WAIT_OBJECT_0));
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// NT fact H1: a file that has just been opened is idle, so signalled (NT's IopParseDevice gives the
// create IRP the file object's Event as its UserEvent, which the create's completion sets).
TEST_F(IoSignalTest, a_freshly_opened_file_is_signalled) {
    HANDLE async_file = open_device();
    HANDLE sync_file = open_device(FILE_SYNCHRONOUS_IO_NONALERT);
    EXPECT_EQ(poll(async_file), STATUS_SUCCESS);
    EXPECT_EQ(poll(sync_file), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(sync_file), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(async_file), STATUS_SUCCESS);
}

// NT fact H1: an idle file is signalled; an async request without an event resets it and its
// completion signals it again.
TEST_F(IoSignalTest, request_without_event_resets_the_file_and_completion_signals_it) {
    g_state.park_reads = true;
    HANDLE h = open_device();
    complete_a_request(h);
    EXPECT_EQ(poll(h), STATUS_SUCCESS) << "idle file";
    IO_STATUS_BLOCK iosb = filled();
    char buffer[4];
    ASSERT_EQ(read_at(h, &iosb, buffer, sizeof(buffer), 0), STATUS_PENDING);
    EXPECT_EQ(poll(h), STATUS_TIMEOUT) << "reset at submission";
    ASSERT_TRUE(complete_one(STATUS_SUCCESS, 4));
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 4u);
    EXPECT_EQ(poll(h), STATUS_SUCCESS) << "signalled at completion";
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// NT fact H2: with an event, completion signals only the event; the file stays reset.
TEST_F(IoSignalTest, request_with_event_signals_only_the_event) {
    g_state.park_reads = true;
    HANDLE h = open_device();
    HANDLE event = make_event(NotificationEvent, FALSE);
    complete_a_request(h);
    EXPECT_EQ(poll(h), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb = filled();
    char buffer[4];
    ASSERT_EQ(read_at(h, &iosb, buffer, sizeof(buffer), 0, event), STATUS_PENDING);
    EXPECT_EQ(poll(h), STATUS_TIMEOUT);
    EXPECT_EQ(event_state(event), 0);
    ASSERT_TRUE(complete_one(STATUS_SUCCESS, 4));
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(event_state(event), 1);
    EXPECT_EQ(poll(h), STATUS_TIMEOUT) << "the file object is not signalled";
    EXPECT_EQ(NtClose(event), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// NT fact H3: FILE_SKIP_SET_EVENT_ON_HANDLE keeps completions from signalling the file object; the
// packet is still queued to the bound port.
TEST_F(IoSignalTest, skip_set_event_on_handle_never_signals_the_file_but_still_posts) {
    g_state.park_reads = true;
    HANDLE h = open_device();
    HANDLE port = nullptr;
    ASSERT_EQ(NtCreateIoCompletion(&port, IO_COMPLETION_ALL_ACCESS, nullptr, 0), STATUS_SUCCESS);
    IO_STATUS_BLOCK set_iosb{};
    FILE_COMPLETION_INFORMATION bind{port, ctx(0x77)};
    ASSERT_EQ(NtSetInformationFile(h, &set_iosb, &bind, sizeof(bind), FileCompletionInformation), STATUS_SUCCESS);
    FILE_IO_COMPLETION_NOTIFICATION_INFORMATION modes{FILE_SKIP_SET_EVENT_ON_HANDLE};
    ASSERT_EQ(NtSetInformationFile(h, &set_iosb, &modes, sizeof(modes), FileIoCompletionNotificationInformation),
              STATUS_SUCCESS);

    for (int round = 0; round < 2; ++round) {
        SCOPED_TRACE(round);
        IO_STATUS_BLOCK iosb = filled();
        char buffer[4];
        ASSERT_EQ(read_at(h, &iosb, buffer, sizeof(buffer), 0, nullptr, nullptr, ctx(0x88)), STATUS_PENDING);
        EXPECT_EQ(poll(h), STATUS_TIMEOUT);
        ASSERT_TRUE(complete_one(STATUS_SUCCESS, 4));
        EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
        EXPECT_EQ(poll(h), STATUS_TIMEOUT) << "completion did not signal the file";
        PVOID key = nullptr, value = nullptr;
        IO_STATUS_BLOCK packet = filled();
        LARGE_INTEGER timeout;
        timeout.QuadPart = -10000LL * 10000;  // 10 s: a missing packet fails instead of hanging
        ASSERT_EQ(NtRemoveIoCompletion(port, &key, &value, &packet, &timeout), STATUS_SUCCESS);
        EXPECT_EQ(key, ctx(0x77));
        EXPECT_EQ(value, ctx(0x88));
        EXPECT_EQ(packet.Status, STATUS_SUCCESS);
        EXPECT_EQ(packet.Information, 4u);
    }
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(port), STATUS_SUCCESS);
}

// NT fact H5: while a thread is blocked in a synchronous read, the file handle is not signalled
// (a second thread can see that the reader has entered the read).
TEST_F(IoSignalTest, synchronous_request_in_progress_makes_the_file_non_signalled) {
    g_state.park_reads = true;
    HANDLE h = open_device(FILE_SYNCHRONOUS_IO_NONALERT);
    complete_a_request(h);
    EXPECT_EQ(poll(h), STATUS_SUCCESS) << "idle file";
    IO_STATUS_BLOCK iosb = filled();
    auto reader = std::async(std::launch::async, [&] {
        char buffer[4];
        return NtReadFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer), nullptr, nullptr);
    });
    ASSERT_TRUE(wait_parked(1));
    EXPECT_EQ(poll(h), STATUS_TIMEOUT) << "a synchronous read is in progress";
    ASSERT_TRUE(complete_one(STATUS_SUCCESS, 4));
    EXPECT_EQ(reader.get(), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 4u);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// NT fact D12, alertable handle: a user APC queued before a blocking FSCTL interrupts it. The call
// returns STATUS_CANCELLED (the request was cancelled, NT's IopCancelAlertedRequest), the user APC
// ran, the I/O APC never runs. The watchdog below cancels the request after 5 s so that a
// regression fails instead of hanging.
TEST_F(IoSignalTest, alertable_synchronous_fsctl_is_cancelled_by_a_pending_user_apc) {
    HANDLE h = open_device(FILE_SYNCHRONOUS_IO_ALERT);
    HANDLE event = make_event(NotificationEvent, FALSE);
    t_apc = ApcLog{};
    t_user_apcs = 0;
    ASSERT_NE(QueueUserAPC(count_user_apc, GetCurrentThread(), 0), 0u);
    std::atomic<bool> returned{false};
    std::thread watchdog([&] {
        for (int i = 0; i < 5000 && !returned.load(); ++i) Sleep(1);
        if (returned.load()) return;
        IO_STATUS_BLOCK io{};
        ADD_FAILURE() << "the FSCTL was not cancelled by the alert";
        (void)NtCancelIoFileEx(h, nullptr, &io);
    });
    IO_STATUS_BLOCK iosb = filled();
    const NTSTATUS status =
        NtFsControlFile(h, event, record_io_apc, ctx(21), &iosb, kFsctlListen, nullptr, 0, nullptr, 0);
    returned = true;
    watchdog.join();
    EXPECT_EQ(status, STATUS_CANCELLED);
    EXPECT_EQ(t_user_apcs, 1) << "the user APC ran";
    EXPECT_TRUE(untouched(iosb) || (iosb.Status == STATUS_CANCELLED && iosb.Information == 0));
    EXPECT_EQ(g_state.cancel_routine_calls.load(), 1);
    EXPECT_EQ(g_state.parked.load(), 0);
    EXPECT_EQ(SleepEx(0, TRUE), 0u);
    EXPECT_EQ(t_apc.calls, 0) << "the I/O APC does not run";
    EXPECT_EQ(NtClose(event), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// NT fact D12, non-alertable handle: the queued user APC does not interrupt the FSCTL, which
// completes with STATUS_SUCCESS when the "client" arrives; the I/O APC and the user APC both run at
// the next alertable wait.
TEST_F(IoSignalTest, non_alertable_synchronous_fsctl_is_not_interrupted_and_both_apcs_run_later) {
    HANDLE h = open_device(FILE_SYNCHRONOUS_IO_NONALERT);
    HANDLE event = make_event(NotificationEvent, FALSE);
    t_apc = ApcLog{};
    t_user_apcs = 0;
    ASSERT_NE(QueueUserAPC(count_user_apc, GetCurrentThread(), 0), 0u);
    auto client = std::async(std::launch::async, [] { return wait_parked(1) && complete_one(STATUS_SUCCESS, 0); });
    IO_STATUS_BLOCK iosb = filled();
    EXPECT_EQ(NtFsControlFile(h, event, record_io_apc, ctx(22), &iosb, kFsctlListen, nullptr, 0, nullptr, 0),
              STATUS_SUCCESS);
    EXPECT_TRUE(client.get());
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(event_state(event), 1);
    EXPECT_EQ(t_user_apcs, 0);
    EXPECT_EQ(t_apc.calls, 0);
    EXPECT_EQ(SleepEx(0, TRUE), static_cast<DWORD>(WAIT_IO_COMPLETION));
    EXPECT_EQ(t_user_apcs, 1);
    EXPECT_EQ(t_apc.calls, 1);
    EXPECT_EQ(t_apc.context, ctx(22));
    EXPECT_EQ(NtClose(event), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test::io_signalling

// The queued-request patterns real WDM drivers use, seen from the application: a per-file-object
// context with a remove lock (NT fact S11), overlapped ReadFileEx loops from several threads on one
// handle (S15) and timer-driven requests that CLEANUP and DriverUnload must find finished (S20).
#include <future>
#include <thread>
#include <vector>

#include "conformance/nt/nt_test_support.hpp"
#include "io_signalling_driver.hpp"

namespace ntio::test::io_signalling {
namespace {

ULONG file_requests(HANDLE file) {
    ULONG count = 0xffffffff;
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(NtDeviceIoControlFile(file, nullptr, nullptr, nullptr, &iosb, kIoctlFileRequests, nullptr, 0, &count,
                                    sizeof(count)),
              STATUS_SUCCESS);
    return count;
}

// NT facts S11, K3: each file object gets its own context at IRP_MJ_CREATE (FsContext is NULL on
// entry), every handle to that file object reaches the same context, and IRP_MJ_CLOSE frees it.
TEST_F(IoSignalTest, each_file_object_has_its_own_context_from_create_to_close) {
    HANDLE a = open_device();
    HANDLE b = open_device(FILE_SYNCHRONOUS_IO_NONALERT);
    HANDLE a_copy = nullptr;
    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), a, NtCurrentProcess(), &a_copy, 0, 0, DUPLICATE_SAME_ACCESS),
              STATUS_SUCCESS);
    EXPECT_EQ(g_state.live_contexts.load(), 2);
    EXPECT_EQ(file_requests(a), 1u);
    EXPECT_EQ(file_requests(a_copy), 2u) << "a duplicate handle reaches the same file object";
    EXPECT_EQ(file_requests(b), 1u) << "another open has its own context";
    EXPECT_EQ(file_requests(a), 3u);
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
    EXPECT_EQ(g_state.live_contexts.load(), 2) << "the duplicate keeps the file object";
    EXPECT_EQ(NtClose(a_copy), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(b), STATUS_SUCCESS);
    EXPECT_EQ(g_state.live_contexts.load(), 0);
    EXPECT_EQ(g_state.fs_context_not_null.load(), 0);
}

// NT facts S11, M5: CLEANUP acquires the file's remove lock and waits with IoReleaseRemoveLockAndWait
// until no dispatch holds it; only then does it drain. A dispatch still inside the driver when the
// last handle closes therefore holds the close until it returns.
TEST_F(IoSignalTest, cleanup_waits_for_dispatches_holding_the_remove_lock) {
    g_state.park_reads = true;
    HANDLE h = open_device();
    IO_STATUS_BLOCK parked_iosb{};
    char buffer[4];
    LARGE_INTEGER offset;
    offset.QuadPart = 0;
    ASSERT_EQ(NtReadFile(h, nullptr, nullptr, nullptr, &parked_iosb, buffer, sizeof(buffer), &offset, nullptr),
              STATUS_PENDING);
    auto holder = std::async(std::launch::async, [h] {
        IO_STATUS_BLOCK iosb{};
        return NtDeviceIoControlFile(h, nullptr, nullptr, nullptr, &iosb, kIoctlHold, nullptr, 0, nullptr, 0);
    });
    ASSERT_TRUE(wait_until(g_state.holding, 1));
    std::atomic<bool> closed{false};
    auto closer = std::async(std::launch::async, [h, &closed] {
        const NTSTATUS status = NtClose(h);
        closed = true;
        return status;
    });
    ASSERT_TRUE(wait_until(g_state.cleanup_waiting, 1));
    Sleep(20);  // give a broken remove lock the chance to let the cleanup through
    EXPECT_FALSE(closed.load()) << "cleanup must wait for the holder";
    EXPECT_EQ(g_state.parked.load(), 1) << "nothing drained yet";
    release_held();
    EXPECT_EQ(holder.get(), STATUS_SUCCESS);
    EXPECT_EQ(closer.get(), STATUS_SUCCESS);
    EXPECT_EQ(g_state.cleanup_saw_holders.load(), 0);
    EXPECT_EQ(g_state.parked.load(), 0);
    EXPECT_EQ(parked_iosb.Status, STATUS_CANCELLED);
    EXPECT_EQ(g_state.live_contexts.load(), 0);
}

struct Reader {
    OVERLAPPED ov{};
    DWORD thread_id = 0;
    int completions = 0;
    int wrong_thread = 0;
    int wrong_result = 0;
    char buffer[4];
};

VOID WINAPI reader_done(DWORD error, DWORD bytes, LPOVERLAPPED ov) {
    Reader* reader = CONTAINING_RECORD(ov, Reader, ov);
    if (GetCurrentThreadId() != reader->thread_id) ++reader->wrong_thread;
    if (error != 0 || bytes != 4 || std::string(reader->buffer, 4) != "wxyz") ++reader->wrong_result;
    ++reader->completions;
}

// NT facts S15, G6. Invariant: every ReadFileEx issued by a thread completes exactly once, through
// its routine, inside that same thread's SleepEx(INFINITE, TRUE), with 4 bytes; the completions
// happen on the driver's work-item thread, never in the readers.
TEST_F(IoSignalTest, overlapped_readers_on_one_handle_each_get_their_routine_in_their_own_wait) {
    g_state.reads_by_work_item = true;
    HANDLE h = CreateFileW(L"\\\\.\\IoSignal", GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                           FILE_FLAG_OVERLAPPED, nullptr);
    ASSERT_NE(h, INVALID_HANDLE_VALUE);
    constexpr int kThreads = 8;
    constexpr int kIterations = 250;
    std::vector<Reader> readers(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([h, reader = &readers[t]] {
            reader->thread_id = GetCurrentThreadId();
            for (int i = 0; i < kIterations; ++i) {
                reader->ov = OVERLAPPED{};
                reader->ov.Offset = 0;
                const int before = reader->completions;
                if (!ReadFileEx(h, reader->buffer, sizeof(reader->buffer), &reader->ov, reader_done)) {
                    ++reader->wrong_result;
                    return;
                }
                if (SleepEx(INFINITE, TRUE) != WAIT_IO_COMPLETION || reader->completions != before + 1) {
                    ++reader->wrong_result;
                    return;
                }
            }
        });
    }
    for (std::thread& thread : threads) thread.join();
    for (const Reader& reader : readers) {
        EXPECT_EQ(reader.completions, kIterations);
        EXPECT_EQ(reader.wrong_thread, 0);
        EXPECT_EQ(reader.wrong_result, 0);
    }
    EXPECT_TRUE(CloseHandle(h));
}

NTSTATUS start_timer(HANDLE file, HANDLE io_event, IO_STATUS_BLOCK* iosb, HANDLE user_event, LONGLONG due_ms) {
    TimerRequest request{};
    request.Type = 1;
    request.Event = user_event;
    request.DueTime.QuadPart = -10000LL * due_ms;
    return NtDeviceIoControlFile(file, io_event, nullptr, nullptr, iosb, kIoctlTimer, &request, sizeof(request),
                                 nullptr, 0);
}

// NT facts S17-S20: a timer request's DPC sets the user event and completes it; CLEANUP of a file
// object cancels that file object's timer requests (STATUS_CANCELLED, user event untouched, its
// reference dropped: the fixture's leak check sees the events go), leaves other files' alone, and
// DriverUnload then finds the queue empty. A short input is rejected by the driver.
TEST_F(IoSignalTest, cleanup_cancels_the_closing_files_timer_requests_before_unload) {
    HANDLE a = open_device();
    HANDLE b = open_device();
    auto event = [] { return make_event(NotificationEvent, FALSE); };
    HANDLE user_a = event(), user_b = event(), user_short = event();
    HANDLE io[4] = {event(), event(), event(), event()};
    IO_STATUS_BLOCK iosb[4]{};

    TimerRequest short_request{};
    IO_STATUS_BLOCK rejected{};
    EXPECT_EQ(NtDeviceIoControlFile(a, nullptr, nullptr, nullptr, &rejected, kIoctlTimer, &short_request,
                                    sizeof(short_request) - 1, nullptr, 0),
              STATUS_INVALID_PARAMETER);
    static_assert(sizeof(TimerRequest) == 24, "the S17 input is 24 bytes on x64");

    ASSERT_EQ(start_timer(a, io[0], &iosb[0], user_a, 60000), STATUS_PENDING);
    ASSERT_EQ(start_timer(a, io[1], &iosb[1], user_a, 60000), STATUS_PENDING);
    ASSERT_EQ(start_timer(b, io[2], &iosb[2], user_b, 60000), STATUS_PENDING);
    ASSERT_EQ(start_timer(b, io[3], &iosb[3], user_short, 1), STATUS_PENDING);
    LARGE_INTEGER ten_seconds;
    ten_seconds.QuadPart = -10000LL * 10000;
    ASSERT_EQ(NtWaitForSingleObject(io[3], FALSE, &ten_seconds), STATUS_SUCCESS);
    EXPECT_EQ(iosb[3].Status, STATUS_SUCCESS);
    EXPECT_EQ(event_state(user_short), 1) << "the DPC set the user event (S18)";
    EXPECT_EQ(g_state.timer_dpc_completions.load(), 1);
    EXPECT_EQ(g_state.timers_pending.load(), 3);

    ASSERT_EQ(NtClose(a), STATUS_SUCCESS);
    EXPECT_EQ(g_state.timer_cleanup_cancels.load(), 2);
    for (int i : {0, 1}) {
        EXPECT_EQ(iosb[i].Status, STATUS_CANCELLED);
        EXPECT_EQ(iosb[i].Information, 0u);
        EXPECT_EQ(event_state(io[i]), 1);
    }
    EXPECT_EQ(event_state(user_a), 0);
    EXPECT_EQ(event_state(io[2]), 0) << "the other file's request is still pending";
    EXPECT_EQ(g_state.timers_pending.load(), 1);

    ASSERT_EQ(NtClose(b), STATUS_SUCCESS);
    EXPECT_EQ(iosb[2].Status, STATUS_CANCELLED);
    EXPECT_EQ(event_state(user_b), 0);
    EXPECT_EQ(g_state.timers_pending.load(), 0);
    EXPECT_EQ(unload(), STATUS_SUCCESS);
    EXPECT_EQ(g_state.unload_found_queued.load(), 0);
    EXPECT_EQ(g_state.live_contexts.load(), 0);
    for (HANDLE e : {user_a, user_b, user_short, io[0], io[1], io[2], io[3]}) EXPECT_EQ(NtClose(e), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test::io_signalling

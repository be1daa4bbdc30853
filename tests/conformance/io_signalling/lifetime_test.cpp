// Requests that outlive their handle or their process, and a device that goes away under them: NT
// facts D9 (last handle of one process closed while another process keeps the file), D10 (process
// exit with a read pending on a handle moved into that process) and D11 (surprise removal).
// Processes are set up through the object manager (ntio has no process-creation service yet); the
// behaviour under test goes through NtDuplicateObject / DuplicateHandle, the I/O services and the
// completion-port services.
#include <thread>

#include "io_signalling_driver.hpp"
#include "ntio/system.hpp"
#include "ob/object_manager.hpp"

namespace ntio::test::io_signalling {
namespace {

constexpr NTSTATUS kFill = static_cast<NTSTATUS>(0xdeadf00d);
constexpr ULONG_PTR kFillInformation = 0x5555;

IO_STATUS_BLOCK filled() {
    IO_STATUS_BLOCK iosb{};
    iosb.Status = kFill;
    iosb.Information = kFillInformation;
    return iosb;
}
bool untouched(const IO_STATUS_BLOCK& iosb) { return iosb.Status == kFill && iosb.Information == kFillInformation; }

PVOID ctx(ULONG_PTR v) { return reinterpret_cast<PVOID>(v); }

LONG event_state(HANDLE h) {
    EVENT_BASIC_INFORMATION info{};
    EXPECT_EQ(NtQueryEvent(h, EventBasicInformation, &info, sizeof(info), nullptr), STATUS_SUCCESS);
    return info.EventState;
}

LONG port_depth(HANDLE port) {
    IO_COMPLETION_BASIC_INFORMATION info{-1};
    EXPECT_EQ(NtQueryIoCompletion(port, IoCompletionBasicInformation, &info, sizeof(info), nullptr), STATUS_SUCCESS);
    return info.Depth;
}

// A second process and a handle to it in the test's process.
class OtherProcess {
public:
    explicit OtherProcess(System& system) : m_objects(system.objects()) {
        EXPECT_EQ(m_objects.create_process(nullptr, u"other", &m_process), STATUS_SUCCESS);
        if (m_process) {
            EXPECT_EQ(ObOpenObjectByPointer(m_process, 0, nullptr, PROCESS_ALL_ACCESS, *PsProcessType, KernelMode,
                                            &m_handle),
                      STATUS_SUCCESS);
        }
    }
    ~OtherProcess() {
        terminate();
        if (m_handle) (void)NtClose(m_handle);
        if (m_process) ObDereferenceObject(m_process);
    }
    HANDLE handle() const { return m_handle; }
    // Process exit: its threads are gone (the tests' threads of that process end first) and every
    // handle it holds is closed.
    void terminate() {
        if (m_process) m_objects.terminate_process(m_process, STATUS_SUCCESS);
    }

private:
    ob::ObjectManager& m_objects;
    PEPROCESS m_process = nullptr;
    HANDLE m_handle = nullptr;
};

class LifetimeTest : public IoSignalTest {
protected:
    // A duplicate of `file` in `other` (the source stays open).
    static HANDLE share_with(HANDLE file, const OtherProcess& other) {
        HANDLE copy = nullptr;
        EXPECT_EQ(NtDuplicateObject(NtCurrentProcess(), file, other.handle(), &copy, 0, 0, DUPLICATE_SAME_ACCESS),
                  STATUS_SUCCESS);
        return copy;
    }
    static HANDLE make_port() {
        HANDLE port = nullptr;
        EXPECT_EQ(NtCreateIoCompletion(&port, IO_COMPLETION_ALL_ACCESS, nullptr, 0), STATUS_SUCCESS);
        return port;
    }
    static void bind(HANDLE file, HANDLE port, PVOID key) {
        FILE_COMPLETION_INFORMATION info{port, key};
        IO_STATUS_BLOCK iosb{};
        EXPECT_EQ(NtSetInformationFile(file, &iosb, &info, sizeof(info), FileCompletionInformation), STATUS_SUCCESS);
    }
    static NTSTATUS read_async(HANDLE file, IO_STATUS_BLOCK* iosb, void* buffer, HANDLE event, PVOID context) {
        LARGE_INTEGER offset;
        offset.QuadPart = 0;
        return NtReadFile(file, event, nullptr, context, iosb, buffer, 4, &offset, nullptr);
    }
};

// NT fact D9, the port case: the issuing process closes its last handle while another process keeps
// the file open. The request (completion context, no event) is cancelled and its STATUS_CANCELLED
// packet queued; the caller's IOSB is written only when the packet is removed.
// Disabled: ntio treats this close like D8 (another handle to the file object is still open, so
// nothing is cancelled; src/io/file_object.cpp file_close sends cleanup only for the last handle
// system-wide and nothing cancels the closing process's requests), and the final stage writes the
// IOSB at completion, not at NtRemoveIoCompletion (src/io/irp_final_stage.cpp).
TEST_F(LifetimeTest, DISABLED_closing_the_last_handle_in_a_process_cancels_to_the_port_and_defers_the_iosb) {
    g_state.park_reads = true;
    OtherProcess other(system());
    HANDLE h = open_device();
    (void)share_with(h, other);
    HANDLE port = make_port();
    bind(h, port, ctx(0x99));
    IO_STATUS_BLOCK iosb = filled();
    char buffer[4];
    ASSERT_EQ(read_async(h, &iosb, buffer, nullptr, ctx(0x42)), STATUS_PENDING);
    ASSERT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(port_depth(port), 1) << "a STATUS_CANCELLED packet is queued";
    EXPECT_TRUE(untouched(iosb)) << "the IOSB waits for the packet's removal";
    PVOID key = nullptr, value = nullptr;
    IO_STATUS_BLOCK packet = filled();
    LARGE_INTEGER timeout;
    timeout.QuadPart = -10000LL * 1000;
    EXPECT_EQ(NtRemoveIoCompletion(port, &key, &value, &packet, &timeout), STATUS_SUCCESS);
    EXPECT_EQ(key, ctx(0x99));
    EXPECT_EQ(value, ctx(0x42));
    EXPECT_EQ(packet.Status, STATUS_CANCELLED);
    EXPECT_EQ(packet.Information, 0u);
    EXPECT_EQ(iosb.Status, STATUS_CANCELLED);
    EXPECT_EQ(iosb.Information, 0u);
    other.terminate();
    EXPECT_EQ(NtClose(port), STATUS_SUCCESS);
}

// NT fact D9, the other cases: with an event, or without a completion context, closing the issuing
// process's last handle while another process keeps the file changes nothing the caller can see:
// no packet, event not set, IOSB untouched. The request ends when the other process lets go (C6).
TEST_F(LifetimeTest, closing_the_last_handle_in_a_process_shows_nothing_without_a_port_packet) {
    g_state.park_reads = true;
    OtherProcess other(system());
    HANDLE with_port = open_device();
    HANDLE without_port = open_device();
    (void)share_with(with_port, other);
    (void)share_with(without_port, other);
    HANDLE port = make_port();
    bind(with_port, port, ctx(0x99));
    HANDLE event1 = nullptr, event2 = nullptr;
    ASSERT_EQ(NtCreateEvent(&event1, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_SUCCESS);
    ASSERT_EQ(NtCreateEvent(&event2, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_SUCCESS);
    IO_STATUS_BLOCK a = filled(), b = filled(), c = filled();
    char buffer[4];
    ASSERT_EQ(read_async(with_port, &a, buffer, event1, ctx(0x42)), STATUS_PENDING);  // event given
    ASSERT_EQ(read_async(without_port, &b, buffer, event2, nullptr), STATUS_PENDING);
    ASSERT_EQ(read_async(without_port, &c, buffer, nullptr, ctx(0x43)), STATUS_PENDING);  // no completion context
    ASSERT_EQ(NtClose(with_port), STATUS_SUCCESS);
    ASSERT_EQ(NtClose(without_port), STATUS_SUCCESS);
    EXPECT_EQ(port_depth(port), 0);
    EXPECT_EQ(event_state(event1), 0);
    EXPECT_EQ(event_state(event2), 0);
    EXPECT_TRUE(untouched(a));
    EXPECT_TRUE(untouched(b));
    EXPECT_TRUE(untouched(c));

    // The other process's exit closes the last handles; CLEANUP cancels what is still parked.
    other.terminate();
    EXPECT_EQ(g_state.parked.load(), 0);
    EXPECT_EQ(a.Status, STATUS_CANCELLED);
    EXPECT_EQ(event_state(event1), 1);
    EXPECT_EQ(NtClose(event1), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(event2), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(port), STATUS_SUCCESS);
}

struct ChildRead {
    HANDLE file = nullptr;
    OVERLAPPED ov{};
    char buffer[4];
    BOOL result = TRUE;
    DWORD error = 0;
};

// A thread of the other process: issues the overlapped read on the handle moved into that process
// and ends, as ExitProcess ends every thread.
VOID NTAPI child_read(PVOID context) {
    auto* read = static_cast<ChildRead*>(context);
    read->result = ReadFile(read->file, read->buffer, sizeof(read->buffer), nullptr, &read->ov);
    read->error = GetLastError();
}

// NT fact D10: process exit with an async read pending on a handle moved into that process
// (DUPLICATE_CLOSE_SOURCE): the request is cancelled and the packet still reaches the file's port:
// GetQueuedCompletionStatus returns FALSE, ERROR_OPERATION_ABORTED, 0 bytes, key 123.
TEST_F(LifetimeTest, process_exit_cancels_a_moved_handles_read_and_still_posts_the_packet) {
    g_state.park_reads = true;
    OtherProcess other(system());
    HANDLE h = CreateFileW(L"\\\\.\\IoSignal", GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                           FILE_FLAG_OVERLAPPED, nullptr);
    ASSERT_NE(h, INVALID_HANDLE_VALUE);
    HANDLE port = CreateIoCompletionPort(h, nullptr, 123, 0);
    ASSERT_NE(port, nullptr);
    ChildRead read;
    ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), h, other.handle(), &read.file, 0, FALSE,
                                DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE));
    EXPECT_EQ(NtClose(h), STATUS_INVALID_HANDLE) << "the source handle was moved";

    HANDLE thread = nullptr;
    ASSERT_EQ(PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, nullptr, other.handle(), nullptr, child_read, &read),
              STATUS_SUCCESS);
    EXPECT_EQ(WaitForSingleObject(thread, 10000), static_cast<DWORD>(WAIT_OBJECT_0));
    EXPECT_EQ(NtClose(thread), STATUS_SUCCESS);
    EXPECT_FALSE(read.result);
    EXPECT_EQ(read.error, static_cast<DWORD>(ERROR_IO_PENDING));
    other.terminate();

    DWORD bytes = 77;
    ULONG_PTR key = 0;
    LPOVERLAPPED ov = nullptr;
    SetLastError(0);
    EXPECT_FALSE(GetQueuedCompletionStatus(port, &bytes, &key, &ov, 10000));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_OPERATION_ABORTED));
    EXPECT_EQ(bytes, 0u);
    EXPECT_EQ(key, 123u);
    EXPECT_EQ(ov, &read.ov);
    EXPECT_FALSE(GetQueuedCompletionStatus(port, &bytes, &key, &ov, 0)) << "exactly one packet";
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(WAIT_TIMEOUT));
    EXPECT_TRUE(CloseHandle(port));
}

// NT fact D11: a pending IOCTL that the driver completes with STATUS_DELETE_PENDING during surprise
// removal reports FALSE / ERROR_ACCESS_DENIED with 0 bytes; so does every later request.
TEST_F(LifetimeTest, ioctl_completed_delete_pending_by_surprise_removal_is_access_denied) {
    HANDLE h = CreateFileW(L"\\\\.\\IoSignal", GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                           FILE_FLAG_OVERLAPPED, nullptr);
    ASSERT_NE(h, INVALID_HANDLE_VALUE);
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    OVERLAPPED ov{};
    ov.hEvent = event;
    DWORD bytes = 77;
    EXPECT_FALSE(DeviceIoControl(h, kIoctlPark, nullptr, 0, nullptr, 0, &bytes, &ov));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
    ASSERT_TRUE(wait_parked(1));

    HANDLE control = CreateFileW(L"\\\\.\\IoSignal", GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
    ASSERT_NE(control, INVALID_HANDLE_VALUE);
    ASSERT_TRUE(DeviceIoControl(control, kIoctlSurpriseRemove, nullptr, 0, nullptr, 0, &bytes, nullptr));

    bytes = 77;
    SetLastError(0);
    EXPECT_FALSE(GetOverlappedResult(h, &ov, &bytes, TRUE));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    EXPECT_EQ(bytes, 0u);
    EXPECT_EQ(static_cast<NTSTATUS>(ov.Internal), STATUS_DELETE_PENDING);

    EXPECT_FALSE(DeviceIoControl(control, kIoctlPark, nullptr, 0, nullptr, 0, &bytes, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    EXPECT_TRUE(CloseHandle(control));
    EXPECT_TRUE(CloseHandle(event));
    EXPECT_TRUE(CloseHandle(h));
}

}  // namespace
}  // namespace ntio::test::io_signalling

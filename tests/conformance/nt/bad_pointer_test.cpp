// Bad caller pointers from user mode end in STATUS_ACCESS_VIOLATION (or STATUS_DATATYPE_MISALIGNMENT
// for a misaligned one), never a crash, and the service changes nothing.
#include "nt_test_support.hpp"

namespace ntio::test {
namespace {

TEST_F(NtTest, unwritable_handle_output_creates_nothing) {
    BadMemory bad;
    EXPECT_EQ(NtCreateEvent(nullptr, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtCreateEvent(bad.no_access<HANDLE>(), EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtCreateEvent(bad.read_only<HANDLE>(), EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtCreateSemaphore(bad.read_only<HANDLE>(), SEMAPHORE_ALL_ACCESS, nullptr, 0, 1),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtCreateMutant(bad.no_access<HANDLE>(), MUTANT_ALL_ACCESS, nullptr, FALSE), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtCreateDirectoryObject(bad.no_access<HANDLE>(), DIRECTORY_ALL_ACCESS, nullptr), STATUS_ACCESS_VIOLATION);
    auto* misaligned = reinterpret_cast<PHANDLE>(reinterpret_cast<char*>(bad.read_only<char>()) + 1);
    EXPECT_EQ(NtCreateEvent(misaligned, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE),
              STATUS_DATATYPE_MISALIGNMENT);
}

TEST_F(NtTest, unreadable_attributes_and_names_are_access_violation) {
    BadMemory bad;
    HANDLE h = nullptr;
    EXPECT_EQ(NtCreateEvent(&h, EVENT_ALL_ACCESS, bad.no_access<OBJECT_ATTRIBUTES>(), NotificationEvent, FALSE),
              STATUS_ACCESS_VIOLATION);
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, bad.no_access<UNICODE_STRING>(), 0, nullptr, nullptr);
    EXPECT_EQ(NtCreateEvent(&h, EVENT_ALL_ACCESS, &attributes, NotificationEvent, FALSE), STATUS_ACCESS_VIOLATION);
    UNICODE_STRING name{16, 16, bad.no_access<WCHAR>()};
    InitializeObjectAttributes(&attributes, &name, 0, nullptr, nullptr);
    EXPECT_EQ(NtCreateEvent(&h, EVENT_ALL_ACCESS, &attributes, NotificationEvent, FALSE), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtOpenEvent(&h, EVENT_ALL_ACCESS, &attributes), STATUS_ACCESS_VIOLATION);
    InitializeObjectAttributes(&attributes, nullptr, 0, nullptr, bad.no_access<void>());
    EXPECT_EQ(NtCreateEvent(&h, EVENT_ALL_ACCESS, &attributes, NotificationEvent, FALSE), STATUS_ACCESS_VIOLATION);
}

TEST_F(NtTest, bad_output_pointers_leave_the_object_unchanged) {
    BadMemory bad;
    Handle ev(make_event(NotificationEvent, FALSE));
    EXPECT_EQ(NtSetEvent(ev, bad.read_only<LONG>()), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(event_state(ev), 0);
    EXPECT_EQ(NtQueryEvent(ev, EventBasicInformation, bad.no_access<void>(), sizeof(EVENT_BASIC_INFORMATION), nullptr),
              STATUS_ACCESS_VIOLATION);
    EVENT_BASIC_INFORMATION info{};
    EXPECT_EQ(NtQueryEvent(ev, EventBasicInformation, &info, sizeof(info), bad.read_only<ULONG>()),
              STATUS_ACCESS_VIOLATION);
    Handle sem;
    ASSERT_EQ(NtCreateSemaphore(sem.out(), SEMAPHORE_ALL_ACCESS, nullptr, 0, 2), STATUS_SUCCESS);
    EXPECT_EQ(NtReleaseSemaphore(sem, 1, bad.no_access<LONG>()), STATUS_ACCESS_VIOLATION);
    SEMAPHORE_BASIC_INFORMATION sem_info{};
    ASSERT_EQ(NtQuerySemaphore(sem, SemaphoreBasicInformation, &sem_info, sizeof(sem_info), nullptr), STATUS_SUCCESS);
    EXPECT_EQ(sem_info.CurrentCount, 0);
    OBJECT_BASIC_INFORMATION basic{};
    EXPECT_EQ(NtQueryObject(ev, ObjectBasicInformation, bad.read_only<void>(), sizeof(basic), nullptr),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryObject(ev, ObjectTypeInformation, bad.no_access<void>(), 512, nullptr), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryObject(ev, ObjectBasicInformation, &basic, sizeof(basic), bad.read_only<ULONG>()),
              STATUS_ACCESS_VIOLATION);
    HANDLE dup = nullptr;
    EXPECT_EQ(NtDuplicateObject(NtCurrentProcess(), ev, NtCurrentProcess(), bad.read_only<HANDLE>(), 0, 0,
                                DUPLICATE_SAME_ACCESS),
              STATUS_ACCESS_VIOLATION);
    (void)dup;
    OBJECT_BASIC_INFORMATION after{};
    ASSERT_EQ(NtQueryObject(ev, ObjectBasicInformation, &after, sizeof(after), nullptr), STATUS_SUCCESS);
    EXPECT_EQ(after.HandleCount, 1u) << "a failed duplicate creates no handle";
}

TEST_F(NtTest, bad_wait_arguments_are_access_violation) {
    BadMemory bad;
    Handle ev(make_event(NotificationEvent, TRUE));
    EXPECT_EQ(NtWaitForSingleObject(ev, FALSE, bad.no_access<LARGE_INTEGER>()), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtWaitForMultipleObjects(2, bad.no_access<HANDLE>(), WaitAny, FALSE, nullptr), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtDelayExecution(FALSE, nullptr), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtDelayExecution(FALSE, bad.no_access<LARGE_INTEGER>()), STATUS_ACCESS_VIOLATION);
    ULONG context = 0;
    Handle dir;
    ASSERT_EQ(NtCreateDirectoryObject(dir.out(), DIRECTORY_ALL_ACCESS, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(NtQueryDirectoryObject(dir, bad.no_access<void>(), 256, TRUE, TRUE, &context, nullptr),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryDirectoryObject(dir, nullptr, 0, TRUE, TRUE, bad.read_only<ULONG>(), nullptr),
              STATUS_ACCESS_VIOLATION);
    UNICODE_STRING target;
    RtlInitUnicodeString(&target, L"\\BaseNamedObjects");
    Handle link;
    ASSERT_EQ(NtCreateSymbolicLinkObject(link.out(), SYMBOLIC_LINK_ALL_ACCESS, nullptr, &target), STATUS_SUCCESS);
    UNICODE_STRING out{0, 64, bad.no_access<WCHAR>()};
    EXPECT_EQ(NtQuerySymbolicLinkObject(link, &out, nullptr), STATUS_ACCESS_VIOLATION);
}

// A timeout the caller cannot read is STATUS_ACCESS_VIOLATION before anything waits; a port's
// packet stays queued when the timeout or an output of NtRemoveIoCompletion is bad (an IOSB whose
// second half is read-only included: nothing is removed that the caller cannot receive).
TEST_F(NtTest, unreadable_timeouts_and_unwritable_port_outputs_lose_nothing) {
    BadMemory bad;
    HANDLE event = make_event(NotificationEvent, FALSE);
    EXPECT_EQ(NtWaitForSingleObject(event, FALSE, bad.no_access<LARGE_INTEGER>()), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtDelayExecution(FALSE, bad.no_access<LARGE_INTEGER>()), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtClose(event), STATUS_SUCCESS);

    HANDLE port = nullptr;
    ASSERT_EQ(NtCreateIoCompletion(&port, IO_COMPLETION_ALL_ACCESS, nullptr, 1), STATUS_SUCCESS);
    ASSERT_EQ(NtSetIoCompletion(port, reinterpret_cast<PVOID>(0x11), reinterpret_cast<PVOID>(0x22), STATUS_SUCCESS, 7),
              STATUS_SUCCESS);
    PVOID key = nullptr;
    PVOID apc = nullptr;
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(NtRemoveIoCompletion(port, &key, &apc, &iosb, bad.no_access<LARGE_INTEGER>()), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtRemoveIoCompletion(port, bad.read_only<PVOID>(), &apc, &iosb, nullptr), STATUS_ACCESS_VIOLATION);
    IO_STATUS_BLOCK* straddling = bad.straddling<IO_STATUS_BLOCK>(8);
    std::memset(straddling, 0x5a, 8);
    EXPECT_EQ(NtRemoveIoCompletion(port, &key, &apc, straddling, nullptr), STATUS_ACCESS_VIOLATION);
    const unsigned char* head = reinterpret_cast<const unsigned char*>(straddling);
    EXPECT_TRUE(std::all_of(head, head + 8, [](unsigned char c) { return c == 0x5a; }));
    EXPECT_EQ(key, nullptr);
    IO_COMPLETION_BASIC_INFORMATION info{-1};
    ASSERT_EQ(NtQueryIoCompletion(port, IoCompletionBasicInformation, &info, sizeof(info), nullptr), STATUS_SUCCESS);
    EXPECT_EQ(info.Depth, 1);
    // The packet is intact for a caller with good pointers, its IOSB at the very end of a page.
    IO_STATUS_BLOCK* page_end = bad.straddling<IO_STATUS_BLOCK>(0) - 1;
    LARGE_INTEGER zero{};
    ASSERT_EQ(NtRemoveIoCompletion(port, &key, &apc, page_end, &zero), STATUS_SUCCESS);
    EXPECT_EQ(key, reinterpret_cast<PVOID>(0x11));
    EXPECT_EQ(apc, reinterpret_cast<PVOID>(0x22));
    EXPECT_EQ(page_end->Status, STATUS_SUCCESS);
    EXPECT_EQ(page_end->Information, 7u);
    EXPECT_EQ(NtClose(port), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test

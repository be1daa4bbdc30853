// Handle rules through NtClose and NtDuplicateObject: invalid and closed handles, protect from
// close, duplicates (same access, less access, DUPLICATE_CLOSE_SOURCE, between two processes) and
// kernel handles seen from user mode.
#include "nt_test_support.hpp"

#include "ntio/system.hpp"
#include "ob/object_manager.hpp"

namespace ntio::test {
namespace {

TEST_F(NtTest, closing_invalid_and_closed_handles_is_invalid_handle) {
    EXPECT_EQ(NtClose(nullptr), STATUS_INVALID_HANDLE);
    EXPECT_EQ(NtClose(reinterpret_cast<HANDLE>(0x4000)), STATUS_INVALID_HANDLE);
    HANDLE h = make_event(NotificationEvent, FALSE);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_INVALID_HANDLE);
    EXPECT_EQ(NtSetEvent(h, nullptr), STATUS_INVALID_HANDLE);
}

TEST_F(NtTest, protected_handle_cannot_be_closed_until_unprotected) {
    Handle ev(make_event(NotificationEvent, FALSE));
    OBJECT_HANDLE_FLAG_INFORMATION flags{FALSE, TRUE};
    ASSERT_EQ(NtSetInformationObject(ev, ObjectHandleFlagInformation, &flags, sizeof(flags)), STATUS_SUCCESS);
    OBJECT_HANDLE_FLAG_INFORMATION seen{};
    ULONG length = 0;
    ASSERT_EQ(NtQueryObject(ev, ObjectHandleFlagInformation, &seen, sizeof(seen), &length), STATUS_SUCCESS);
    EXPECT_TRUE(seen.ProtectFromClose);
    EXPECT_FALSE(seen.Inherit);
    EXPECT_EQ(NtClose(ev), STATUS_HANDLE_NOT_CLOSABLE);
    EXPECT_EQ(NtSetEvent(ev, nullptr), STATUS_SUCCESS) << "the handle survived";
    flags.ProtectFromClose = FALSE;
    ASSERT_EQ(NtSetInformationObject(ev, ObjectHandleFlagInformation, &flags, sizeof(flags)), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(ev.release()), STATUS_SUCCESS);
    EXPECT_EQ(NtSetInformationObject(nullptr, ObjectHandleFlagInformation, &flags, sizeof(flags)),
              STATUS_INVALID_HANDLE);
    EXPECT_EQ(NtSetInformationObject(ev, ObjectHandleFlagInformation, &flags, 1), STATUS_INFO_LENGTH_MISMATCH);
}

TEST_F(NtTest, duplicate_with_same_or_less_access) {
    Handle ev(make_event(NotificationEvent, FALSE));
    Handle same;
    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), ev, NtCurrentProcess(), same.out(), 0, 0, DUPLICATE_SAME_ACCESS),
              STATUS_SUCCESS);
    EXPECT_NE(same.get(), ev.get());
    EXPECT_EQ(NtSetEvent(same, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(event_state(ev), 1);

    Handle query_only;
    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), ev, NtCurrentProcess(), query_only.out(), EVENT_QUERY_STATE, 0, 0),
              STATUS_SUCCESS);
    EXPECT_EQ(NtResetEvent(query_only, nullptr), STATUS_ACCESS_DENIED);
    EXPECT_EQ(event_state(query_only), 1);
    HANDLE h = nullptr;
    EXPECT_EQ(NtDuplicateObject(NtCurrentProcess(), nullptr, NtCurrentProcess(), &h, 0, 0, DUPLICATE_SAME_ACCESS),
              STATUS_INVALID_HANDLE);
}

TEST_F(NtTest, duplicate_close_source_closes_the_source_handle) {
    HANDLE source = make_event(NotificationEvent, TRUE);
    Handle target;
    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), source, NtCurrentProcess(), target.out(), 0, 0,
                                DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE),
              STATUS_SUCCESS);
    EXPECT_EQ(NtClose(source), STATUS_INVALID_HANDLE);
    EXPECT_EQ(event_state(target), 1);
    // Without a target process the source is just closed.
    HANDLE only_close = make_event(NotificationEvent, FALSE);
    EXPECT_EQ(NtDuplicateObject(NtCurrentProcess(), only_close, nullptr, nullptr, 0, 0, DUPLICATE_CLOSE_SOURCE),
              STATUS_SUCCESS);
    EXPECT_EQ(NtClose(only_close), STATUS_INVALID_HANDLE);
}

TEST_F(NtTest, duplicate_between_two_processes) {
    // Setup only: a second process through the object manager (no NtCreateProcess yet) and a handle
    // to it through the DDI; everything checked goes through the Nt* services.
    PEPROCESS other = nullptr;
    ASSERT_EQ(system().objects().create_process(nullptr, u"other.exe", &other), STATUS_SUCCESS);
    Handle process;
    ASSERT_EQ(ObOpenObjectByPointer(other, 0, nullptr, PROCESS_ALL_ACCESS, *PsProcessType, KernelMode, process.out()),
              STATUS_SUCCESS);

    Handle ev(make_event(NotificationEvent, FALSE));
    HANDLE in_other = nullptr;
    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), ev, process, &in_other, 0, 0, DUPLICATE_SAME_ACCESS),
              STATUS_SUCCESS);
    ASSERT_NE(in_other, nullptr);
    OBJECT_BASIC_INFORMATION info{};
    ASSERT_EQ(NtQueryObject(ev, ObjectBasicInformation, &info, sizeof(info), nullptr), STATUS_SUCCESS);
    EXPECT_EQ(info.HandleCount, 2u) << "the other process holds the second handle";
    // Bring it back, closing the other process's handle.
    Handle back;
    ASSERT_EQ(NtDuplicateObject(process, in_other, NtCurrentProcess(), back.out(), 0, 0,
                                DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE),
              STATUS_SUCCESS);
    EXPECT_EQ(NtSetEvent(back, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(event_state(ev), 1);
    HANDLE again = nullptr;
    EXPECT_EQ(NtDuplicateObject(process, in_other, NtCurrentProcess(), &again, 0, 0, DUPLICATE_SAME_ACCESS),
              STATUS_INVALID_HANDLE);
    // A process handle without PROCESS_DUP_HANDLE cannot be used.
    Handle weak;
    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), process, NtCurrentProcess(), weak.out(), SYNCHRONIZE, 0, 0),
              STATUS_SUCCESS);
    EXPECT_EQ(NtDuplicateObject(NtCurrentProcess(), ev, weak, &again, 0, 0, DUPLICATE_SAME_ACCESS),
              STATUS_ACCESS_DENIED);

    system().objects().terminate_process(other, STATUS_SUCCESS);
    ObDereferenceObject(other);
}

TEST_F(NtTest, kernel_handles_are_invalid_from_user_mode) {
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, nullptr, OBJ_KERNEL_HANDLE, nullptr, nullptr);
    HANDLE h = nullptr;
    ASSERT_EQ(ZwCreateEvent(&h, EVENT_ALL_ACCESS, &attributes, NotificationEvent, FALSE), STATUS_SUCCESS);
    Handle kernel(h, true);
    EXPECT_EQ(NtSetEvent(kernel, nullptr), STATUS_INVALID_HANDLE);
    EXPECT_EQ(NtClose(kernel), STATUS_INVALID_HANDLE);
    LONG previous = -1;
    EXPECT_EQ(ZwSetEvent(kernel, &previous), STATUS_SUCCESS);
    EXPECT_EQ(previous, 0);
    LARGE_INTEGER zero = zero_timeout();
    EXPECT_EQ(ZwWaitForSingleObject(kernel, FALSE, &zero), STATUS_SUCCESS);
    // A user caller asking for a kernel handle gets an ordinary one.
    Handle user;
    ASSERT_EQ(NtCreateEvent(user.out(), EVENT_ALL_ACCESS, &attributes, NotificationEvent, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(NtSetEvent(user, nullptr), STATUS_SUCCESS);
}

TEST_F(NtTest, make_permanent_needs_the_privilege_and_keeps_the_name) {
    ObjectName name(L"\\BaseNamedObjects\\ntio-nt-permanent");
    HANDLE h = nullptr;
    ASSERT_EQ(NtCreateEvent(&h, EVENT_ALL_ACCESS, name.get(), NotificationEvent, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(NtMakePermanentObject(h), STATUS_PRIVILEGE_NOT_HELD);
    ASSERT_EQ(ZwMakePermanentObject(h), STATUS_SUCCESS);
    ASSERT_EQ(NtClose(h), STATUS_SUCCESS);
    // The name survived the last handle.
    ASSERT_EQ(NtOpenEvent(&h, EVENT_ALL_ACCESS, name.get()), STATUS_SUCCESS);
    OBJECT_BASIC_INFORMATION info{};
    ASSERT_EQ(NtQueryObject(h, ObjectBasicInformation, &info, sizeof(info), nullptr), STATUS_SUCCESS);
    EXPECT_EQ(info.Attributes & OBJ_PERMANENT, static_cast<ULONG>(OBJ_PERMANENT));
    Handle no_delete;
    ASSERT_EQ(NtOpenEvent(no_delete.out(), EVENT_QUERY_STATE, name.get()), STATUS_SUCCESS);
    EXPECT_EQ(NtMakeTemporaryObject(no_delete), STATUS_ACCESS_DENIED);
    no_delete.reset();
    EXPECT_EQ(NtMakeTemporaryObject(h), STATUS_SUCCESS);
    ASSERT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(NtOpenEvent(&h, EVENT_ALL_ACCESS, name.get()), STATUS_OBJECT_NAME_NOT_FOUND);
}

}  // namespace
}  // namespace ntio::test

// NtQueryObject: basic information (counts, access, attributes), names and type names with their
// size rules, and handle flags; NT fact H9 for the counts seen through ZwQueryObject.
#include <string>

#include "nt_test_support.hpp"

namespace ntio::test {
namespace {

OBJECT_BASIC_INFORMATION basic(HANDLE h, bool kernel = false) {
    OBJECT_BASIC_INFORMATION info{};
    ULONG length = 0;
    NTSTATUS status = kernel ? ZwQueryObject(h, ObjectBasicInformation, &info, sizeof(info), &length)
                             : NtQueryObject(h, ObjectBasicInformation, &info, sizeof(info), &length);
    EXPECT_EQ(status, STATUS_SUCCESS);
    EXPECT_EQ(length, sizeof(info));
    return info;
}

TEST_F(NtTest, basic_information_reports_access_attributes_and_counts) {
    Handle ev(make_event(NotificationEvent, FALSE, EVENT_QUERY_STATE | SYNCHRONIZE));
    OBJECT_BASIC_INFORMATION info = basic(ev);
    EXPECT_EQ(info.GrantedAccess, static_cast<ACCESS_MASK>(EVENT_QUERY_STATE | SYNCHRONIZE));
    EXPECT_EQ(info.HandleCount, 1u);
    EXPECT_GE(info.PointerCount, 1u);
    EXPECT_EQ(info.Attributes & OBJ_INHERIT, 0u);
    Handle second;
    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), ev, NtCurrentProcess(), second.out(), 0, OBJ_INHERIT,
                                DUPLICATE_SAME_ACCESS),
              STATUS_SUCCESS);
    EXPECT_EQ(basic(ev).HandleCount, 2u);
    EXPECT_EQ(basic(second).Attributes & OBJ_INHERIT, static_cast<ULONG>(OBJ_INHERIT));
    second.reset();
    EXPECT_EQ(basic(ev).HandleCount, 1u);

    OBJECT_BASIC_INFORMATION small{};
    ULONG length = 0;
    EXPECT_EQ(NtQueryObject(ev, ObjectBasicInformation, &small, sizeof(small) - 8, &length),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtQueryObject(ev, static_cast<OBJECT_INFORMATION_CLASS>(77), &small, sizeof(small), &length),
              STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(NtQueryObject(nullptr, ObjectBasicInformation, &small, sizeof(small), &length), STATUS_INVALID_HANDLE);
}

TEST_F(NtTest, kernel_event_counts_match_nt) {
    // NT fact H9 (the unnamed reference point): one kernel handle; the query holds a reference too.
    HANDLE h = nullptr;
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, nullptr, OBJ_KERNEL_HANDLE, nullptr, nullptr);
    ASSERT_EQ(ZwCreateEvent(&h, EVENT_ALL_ACCESS, &attributes, NotificationEvent, FALSE), STATUS_SUCCESS);
    Handle event(h, true);
    OBJECT_BASIC_INFORMATION info = basic(event, true);
    EXPECT_EQ(info.PointerCount, 2u);
    EXPECT_EQ(info.HandleCount, 1u);
}

TEST_F(NtTest, io_create_notification_event_returns_a_signalled_shared_event) {
    // NT fact H9: signalled event + kernel handle; named: PointerCount 3 / HandleCount 1; the same
    // name again opens the same object (4 / 2); a SynchronizationEvent with the name of an existing
    // NotificationEvent returns the existing NotificationEvent.
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\BaseNamedObjects\\ntio-nt-io-event");
    HANDLE first_handle = nullptr;
    PKEVENT first = IoCreateNotificationEvent(&name, &first_handle);
    ASSERT_NE(first, nullptr);
    Handle first_owner(first_handle, true);
    EXPECT_EQ(KeReadStateEvent(first), 1);
    OBJECT_BASIC_INFORMATION info = basic(first_handle, true);
    EXPECT_EQ(info.PointerCount, 3u);
    EXPECT_EQ(info.HandleCount, 1u);
    // Kernel handles are not usable from user mode.
    EXPECT_EQ(NtSetEvent(first_handle, nullptr), STATUS_INVALID_HANDLE);

    KeResetEvent(first);
    HANDLE second_handle = nullptr;
    PKEVENT second = IoCreateSynchronizationEvent(&name, &second_handle);
    Handle second_owner(second_handle, true);
    EXPECT_EQ(second, first);
    EXPECT_NE(second_handle, first_handle);
    EXPECT_EQ(second->Header.Type, EventNotificationObject);
    info = basic(second_handle, true);
    EXPECT_EQ(info.PointerCount, 4u);
    EXPECT_EQ(info.HandleCount, 2u);
}

TEST_F(NtTest, name_information_of_named_and_unnamed_objects) {
    ObjectName name(L"\\BaseNamedObjects\\ntio-nt-named");
    Handle ev;
    ASSERT_EQ(NtCreateEvent(ev.out(), EVENT_ALL_ACCESS, name.get(), NotificationEvent, FALSE), STATUS_SUCCESS);
    alignas(8) unsigned char buffer[512];
    auto* info = reinterpret_cast<POBJECT_NAME_INFORMATION>(buffer);
    ULONG length = 0;
    const ULONG expected = sizeof(OBJECT_NAME_INFORMATION) + name.name().Length + sizeof(WCHAR);
    EXPECT_EQ(NtQueryObject(ev, ObjectNameInformation, buffer, 0, &length), STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(length, expected);
    EXPECT_EQ(NtQueryObject(ev, ObjectNameInformation, buffer, sizeof(OBJECT_NAME_INFORMATION), &length),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(length, expected);
    EXPECT_EQ(NtQueryObject(ev, ObjectNameInformation, buffer, expected - sizeof(WCHAR), &length),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(length, expected);
    length = 0;
    ASSERT_EQ(NtQueryObject(ev, ObjectNameInformation, buffer, sizeof(buffer), &length), STATUS_SUCCESS);
    EXPECT_EQ(length, expected);
    EXPECT_EQ(text(info->Name), u"\\BaseNamedObjects\\ntio-nt-named");
    EXPECT_EQ(reinterpret_cast<unsigned char*>(info->Name.Buffer), buffer + sizeof(OBJECT_NAME_INFORMATION));
    EXPECT_EQ(info->Name.Buffer[info->Name.Length / 2], 0);

    Handle unnamed(make_event(NotificationEvent, FALSE));
    ASSERT_EQ(NtQueryObject(unnamed, ObjectNameInformation, buffer, sizeof(buffer), &length), STATUS_SUCCESS);
    EXPECT_EQ(length, sizeof(OBJECT_NAME_INFORMATION));
    EXPECT_EQ(info->Name.Length, 0);
    EXPECT_EQ(info->Name.Buffer, nullptr);
}

TEST_F(NtTest, type_information_names_the_type) {
    alignas(8) unsigned char buffer[512];
    auto* info = reinterpret_cast<POBJECT_TYPE_INFORMATION>(buffer);
    ULONG length = 0;
    Handle ev(make_event(NotificationEvent, FALSE));
    EXPECT_EQ(NtQueryObject(ev, ObjectTypeInformation, buffer, 0, &length), STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_GE(length, sizeof(OBJECT_TYPE_INFORMATION) + sizeof(u"Event"));
    const ULONG needed = length;
    EXPECT_EQ(NtQueryObject(ev, ObjectTypeInformation, buffer, needed - 1, &length), STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(length, needed);
    ASSERT_EQ(NtQueryObject(ev, ObjectTypeInformation, buffer, sizeof(buffer), &length), STATUS_SUCCESS);
    EXPECT_EQ(length, needed);
    EXPECT_EQ(text(info->TypeName), u"Event");
    EXPECT_GE(info->TotalNumberOfObjects, 1u);
    EXPECT_EQ(info->ValidAccessMask & EVENT_ALL_ACCESS, static_cast<ULONG>(EVENT_ALL_ACCESS));

    Handle dir;
    ASSERT_EQ(NtCreateDirectoryObject(dir.out(), DIRECTORY_ALL_ACCESS, nullptr), STATUS_SUCCESS);
    ASSERT_EQ(NtQueryObject(dir, ObjectTypeInformation, buffer, sizeof(buffer), &length), STATUS_SUCCESS);
    EXPECT_EQ(text(info->TypeName), u"Directory");
    UNICODE_STRING target;
    RtlInitUnicodeString(&target, L"\\BaseNamedObjects");
    Handle link;
    ASSERT_EQ(NtCreateSymbolicLinkObject(link.out(), SYMBOLIC_LINK_ALL_ACCESS, nullptr, &target), STATUS_SUCCESS);
    ASSERT_EQ(NtQueryObject(link, ObjectTypeInformation, buffer, sizeof(buffer), &length), STATUS_SUCCESS);
    EXPECT_EQ(text(info->TypeName), u"SymbolicLink");
    Handle sem;
    ASSERT_EQ(NtCreateSemaphore(sem.out(), SEMAPHORE_ALL_ACCESS, nullptr, 0, 1), STATUS_SUCCESS);
    ASSERT_EQ(NtQueryObject(sem, ObjectTypeInformation, buffer, sizeof(buffer), &length), STATUS_SUCCESS);
    EXPECT_EQ(text(info->TypeName), u"Semaphore");
    Handle mutant;
    ASSERT_EQ(NtCreateMutant(mutant.out(), MUTANT_ALL_ACCESS, nullptr, FALSE), STATUS_SUCCESS);
    ASSERT_EQ(NtQueryObject(mutant, ObjectTypeInformation, buffer, sizeof(buffer), &length), STATUS_SUCCESS);
    EXPECT_EQ(text(info->TypeName), u"Mutant");
}

}  // namespace
}  // namespace ntio::test

// Directories and symbolic links through the Nt* services: create, open, enumerate (single entry,
// restart, context, buffer rules), link targets and the name errors of the namespace.
#include <algorithm>
#include <string>
#include <vector>

#include "nt_test_support.hpp"

namespace ntio::test {
namespace {

// A private directory under \BaseNamedObjects holding events "a", "b" and a directory "c".
class DirectoryTest : public NtTest {
protected:
    void SetUp() override {
        NtTest::SetUp();
        ObjectName name(L"\\BaseNamedObjects\\ntio-nt-dir");
        ASSERT_EQ(NtCreateDirectoryObject(m_dir.out(), DIRECTORY_ALL_ACCESS, name.get()), STATUS_SUCCESS);
        ObjectName a(L"a", 0, m_dir);
        ASSERT_EQ(NtCreateEvent(m_a.out(), EVENT_ALL_ACCESS, a.get(), NotificationEvent, FALSE), STATUS_SUCCESS);
        ObjectName b(L"b", 0, m_dir);
        ASSERT_EQ(NtCreateEvent(m_b.out(), EVENT_ALL_ACCESS, b.get(), NotificationEvent, FALSE), STATUS_SUCCESS);
        ObjectName c(L"c", 0, m_dir);
        ASSERT_EQ(NtCreateDirectoryObject(m_c.out(), DIRECTORY_ALL_ACCESS, c.get()), STATUS_SUCCESS);
    }
    void TearDown() override {
        m_c.reset();
        m_b.reset();
        m_a.reset();
        m_dir.reset();
        NtTest::TearDown();
    }
    // Size of a single-entry result for name/type lengths in characters.
    static ULONG single_size(size_t name, size_t type) {
        return 2 * sizeof(OBJECT_DIRECTORY_INFORMATION) + (name + 1 + type + 1) * sizeof(WCHAR);
    }
    Handle m_dir, m_a, m_b, m_c;
};

TEST_F(DirectoryTest, single_entries_walk_the_directory_with_the_context) {
    alignas(8) unsigned char buffer[512];
    auto* info = reinterpret_cast<POBJECT_DIRECTORY_INFORMATION>(buffer);
    ULONG context = 99, length = 0;
    std::vector<std::u16string> names, types;
    NTSTATUS status = NtQueryDirectoryObject(m_dir, buffer, sizeof(buffer), TRUE, TRUE, &context, &length);
    while (status == STATUS_SUCCESS) {
        names.push_back(text(info->Name));
        types.push_back(text(info->TypeName));
        EXPECT_EQ(length, single_size(info->Name.Length / 2, info->TypeName.Length / 2));
        EXPECT_EQ(info[1].Name.Buffer, nullptr) << "the array ends with a zeroed entry";
        EXPECT_EQ(context, names.size());
        status = NtQueryDirectoryObject(m_dir, buffer, sizeof(buffer), TRUE, FALSE, &context, &length);
    }
    EXPECT_EQ(status, STATUS_NO_MORE_ENTRIES);
    std::vector<std::u16string> sorted = names;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(sorted, (std::vector<std::u16string>{u"a", u"b", u"c"}));
    for (size_t i = 0; i < names.size(); ++i)
        EXPECT_EQ(types[i], names[i] == u"c" ? u"Directory" : u"Event");
    // RestartScan starts over whatever the context says.
    EXPECT_EQ(NtQueryDirectoryObject(m_dir, buffer, sizeof(buffer), TRUE, TRUE, &context, &length), STATUS_SUCCESS);
    EXPECT_EQ(context, 1u);
}

TEST_F(DirectoryTest, buffer_rules_of_query_directory) {
    alignas(8) unsigned char buffer[512];
    ULONG context = 0, length = 0;
    const ULONG one = single_size(1, 5);  // "a"/"b" + "Event", or "c" + 9 chars is larger
    EXPECT_EQ(NtQueryDirectoryObject(m_dir, buffer, 0, TRUE, TRUE, &context, &length), STATUS_BUFFER_TOO_SMALL);
    EXPECT_GE(length, one);
    EXPECT_EQ(context, 0u) << "a failed query does not move the context";
    const ULONG needed = length;
    EXPECT_EQ(NtQueryDirectoryObject(m_dir, buffer, needed - 1, TRUE, TRUE, &context, &length),
              STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(length, needed);
    EXPECT_EQ(NtQueryDirectoryObject(m_dir, buffer, needed, TRUE, TRUE, &context, &length), STATUS_SUCCESS);
    EXPECT_EQ(length, needed);
    // All at once.
    EXPECT_EQ(NtQueryDirectoryObject(m_dir, buffer, sizeof(buffer), FALSE, TRUE, &context, &length), STATUS_SUCCESS);
    EXPECT_EQ(context, 3u);
    auto* info = reinterpret_cast<POBJECT_DIRECTORY_INFORMATION>(buffer);
    EXPECT_NE(info[2].Name.Buffer, nullptr);
    EXPECT_EQ(info[3].Name.Buffer, nullptr);
    EXPECT_EQ(NtQueryDirectoryObject(m_dir, buffer, sizeof(buffer), FALSE, FALSE, &context, &length),
              STATUS_NO_MORE_ENTRIES);
    // Room for one entry only: the first comes back with STATUS_MORE_ENTRIES.
    EXPECT_EQ(NtQueryDirectoryObject(m_dir, buffer, needed, FALSE, TRUE, &context, &length), STATUS_MORE_ENTRIES);
    EXPECT_EQ(context, 1u);
}

TEST_F(DirectoryTest, query_directory_needs_directory_query_access_and_a_directory) {
    ObjectName name(L"\\BaseNamedObjects\\ntio-nt-dir");
    Handle traverse_only;
    ASSERT_EQ(NtOpenDirectoryObject(traverse_only.out(), DIRECTORY_TRAVERSE, name.get()), STATUS_SUCCESS);
    alignas(8) unsigned char buffer[256];
    ULONG context = 0;
    EXPECT_EQ(NtQueryDirectoryObject(traverse_only, buffer, sizeof(buffer), TRUE, TRUE, &context, nullptr),
              STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtQueryDirectoryObject(m_a, buffer, sizeof(buffer), TRUE, TRUE, &context, nullptr),
              STATUS_OBJECT_TYPE_MISMATCH);
}

TEST_F(NtTest, empty_directory_has_no_entries) {
    Handle dir;
    ASSERT_EQ(NtCreateDirectoryObject(dir.out(), DIRECTORY_ALL_ACCESS, nullptr), STATUS_SUCCESS);
    alignas(8) unsigned char buffer[256];
    ULONG context = 0;
    EXPECT_EQ(NtQueryDirectoryObject(dir, buffer, sizeof(buffer), FALSE, TRUE, &context, nullptr),
              STATUS_NO_MORE_ENTRIES);
}

TEST_F(NtTest, namespace_name_errors) {
    HANDLE h = nullptr;
    ObjectName relative(L"BaseNamedObjects");
    EXPECT_EQ(NtOpenDirectoryObject(&h, DIRECTORY_QUERY, relative.get()), STATUS_OBJECT_PATH_SYNTAX_BAD);
    ObjectName trailing(L"\\BaseNamedObjects\\");
    EXPECT_EQ(NtOpenDirectoryObject(&h, DIRECTORY_QUERY, trailing.get()), STATUS_OBJECT_NAME_INVALID);
    ObjectName doubled(L"\\BaseNamedObjects\\\\x");
    EXPECT_EQ(NtCreateDirectoryObject(&h, DIRECTORY_QUERY, doubled.get()), STATUS_OBJECT_NAME_INVALID);
    ObjectName missing_path(L"\\BaseNamedObjects\\ntio-nope\\x");
    EXPECT_EQ(NtOpenEvent(&h, EVENT_ALL_ACCESS, missing_path.get()), STATUS_OBJECT_PATH_NOT_FOUND);
    ObjectName missing_leaf(L"\\BaseNamedObjects\\ntio-nope");
    EXPECT_EQ(NtOpenEvent(&h, EVENT_ALL_ACCESS, missing_leaf.get()), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(NtOpenDirectoryObject(&h, DIRECTORY_QUERY, nullptr), STATUS_INVALID_PARAMETER);
    ObjectName root(L"\\");
    Handle opened;
    EXPECT_EQ(NtOpenDirectoryObject(opened.out(), DIRECTORY_QUERY, root.get()), STATUS_SUCCESS);
    EXPECT_EQ(NtCreateDirectoryObject(&h, DIRECTORY_QUERY, root.get()), STATUS_OBJECT_NAME_COLLISION);
}

TEST_F(NtTest, bad_object_attributes_are_invalid_parameter) {
    ObjectName name(L"\\BaseNamedObjects\\ntio-nt-bad");
    HANDLE h = nullptr;
    name.get()->Length = sizeof(OBJECT_ATTRIBUTES) - 1;
    EXPECT_EQ(NtCreateEvent(&h, EVENT_ALL_ACCESS, name.get(), NotificationEvent, FALSE), STATUS_INVALID_PARAMETER);
    name.get()->Length = sizeof(OBJECT_ATTRIBUTES);
    name.get()->Attributes = 0x80000000;
    EXPECT_EQ(NtCreateEvent(&h, EVENT_ALL_ACCESS, name.get(), NotificationEvent, FALSE), STATUS_INVALID_PARAMETER);
    name.get()->Attributes = 0;
    name.name().Length = 3;  // half a character
    EXPECT_EQ(NtCreateEvent(&h, EVENT_ALL_ACCESS, name.get(), NotificationEvent, FALSE), STATUS_OBJECT_NAME_INVALID);
}

TEST_F(NtTest, symbolic_link_target_is_queried_with_its_nul) {
    ObjectName dir_name(L"\\BaseNamedObjects\\ntio-nt-target");
    Handle dir;
    ASSERT_EQ(NtCreateDirectoryObject(dir.out(), DIRECTORY_ALL_ACCESS, dir_name.get()), STATUS_SUCCESS);
    UNICODE_STRING target;
    RtlInitUnicodeString(&target, L"\\BaseNamedObjects\\ntio-nt-target");
    ObjectName link_name(L"\\BaseNamedObjects\\ntio-nt-link");
    Handle link;
    ASSERT_EQ(NtCreateSymbolicLinkObject(link.out(), SYMBOLIC_LINK_ALL_ACCESS, link_name.get(), &target),
              STATUS_SUCCESS);

    WCHAR chars[128];
    UNICODE_STRING out{0, sizeof(chars), chars};
    ULONG returned = 0;
    ASSERT_EQ(NtQuerySymbolicLinkObject(link, &out, &returned), STATUS_SUCCESS);
    EXPECT_EQ(text(out), text(target));
    EXPECT_EQ(returned, target.Length + sizeof(WCHAR));
    EXPECT_EQ(chars[target.Length / 2], 0);

    out.MaximumLength = target.Length;  // no room for the NUL
    returned = 0;
    EXPECT_EQ(NtQuerySymbolicLinkObject(link, &out, &returned), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(returned, target.Length + sizeof(WCHAR));
    out.MaximumLength = 0;
    EXPECT_EQ(NtQuerySymbolicLinkObject(link, &out, &returned), STATUS_BUFFER_TOO_SMALL);
    out.MaximumLength = static_cast<USHORT>(target.Length + sizeof(WCHAR));
    EXPECT_EQ(NtQuerySymbolicLinkObject(link, &out, &returned), STATUS_SUCCESS);

    // Names resolve through the link; OBJ_OPENLINK-free opens of the link name reach the target.
    ObjectName via_link(L"\\BaseNamedObjects\\ntio-nt-link\\ev");
    Handle ev;
    ASSERT_EQ(NtCreateEvent(ev.out(), EVENT_ALL_ACCESS, via_link.get(), NotificationEvent, FALSE), STATUS_SUCCESS);
    ObjectName direct(L"ev", 0, dir);
    Handle same;
    EXPECT_EQ(NtOpenEvent(same.out(), EVENT_ALL_ACCESS, direct.get()), STATUS_SUCCESS);
    Handle reopened;
    EXPECT_EQ(NtOpenSymbolicLinkObject(reopened.out(), SYMBOLIC_LINK_QUERY, link_name.get()), STATUS_SUCCESS);

    Handle query_denied;
    ASSERT_EQ(NtOpenSymbolicLinkObject(query_denied.out(), DELETE, link_name.get()), STATUS_SUCCESS);
    EXPECT_EQ(NtQuerySymbolicLinkObject(query_denied, &out, &returned), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtQuerySymbolicLinkObject(dir, &out, &returned), STATUS_OBJECT_TYPE_MISMATCH);
}

TEST_F(NtTest, symbolic_link_bad_targets) {
    HANDLE h = nullptr;
    ObjectName name(L"\\BaseNamedObjects\\ntio-nt-badlink");
    EXPECT_EQ(NtCreateSymbolicLinkObject(&h, SYMBOLIC_LINK_ALL_ACCESS, name.get(), nullptr), STATUS_ACCESS_VIOLATION);
    UNICODE_STRING empty{0, 0, nullptr};
    EXPECT_EQ(NtCreateSymbolicLinkObject(&h, SYMBOLIC_LINK_ALL_ACCESS, name.get(), &empty), STATUS_INVALID_PARAMETER);
    UNICODE_STRING target;
    RtlInitUnicodeString(&target, L"\\Somewhere");
    Handle unnamed;
    EXPECT_EQ(NtCreateSymbolicLinkObject(unnamed.out(), SYMBOLIC_LINK_ALL_ACCESS, nullptr, &target), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test

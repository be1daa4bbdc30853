// The namespace: boot directories and links, name validation statuses, case sensitivity, relative
// opens, OBJ_OPENIF, symbolic links (\DosDevices, \?? falling back to \GLOBAL??, OBJ_OPENLINK,
// loops and the reparse limit), names reported by ObQueryNameString (NT fact K10), listings.
#include "unit/ob/ob_test_support.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace ntio::ob::test {
namespace {

class NamespaceTest : public ObTest {
protected:
    NTSTATUS make_link(std::u16string_view name, std::u16string_view target, HANDLE* h)
    {
        Attributes oa(name, OBJ_CASE_INSENSITIVE);
        return om().create_symbolic_link(oa.ref(), SYMBOLIC_LINK_ALL_ACCESS, target, KernelMode, h);
    }
    NTSTATUS make_directory(std::u16string_view name, HANDLE* h, ULONG attributes = 0, HANDLE root = nullptr)
    {
        Attributes oa(name, attributes, root);
        return om().create_directory(oa.ref(), DIRECTORY_ALL_ACCESS, KernelMode, h);
    }
    void* object_of(HANDLE h)
    {
        void* body = nullptr;
        EXPECT_EQ(om().reference_object_by_handle(h, 0, nullptr, KernelMode, &body, nullptr), STATUS_SUCCESS);
        if (body) ObDereferenceObject(body);
        return body;
    }
    void close(HANDLE h) { EXPECT_EQ(om().close_handle(h, KernelMode), STATUS_SUCCESS); }
};

TEST_F(NamespaceTest, BootDirectoriesAndLinksExist)
{
    std::vector<DirectoryEntryInfo> entries;
    ASSERT_EQ(om().enumerate_directory(om().root_directory(), entries), STATUS_SUCCESS);
    auto has = [&](std::u16string_view name, std::u16string_view type) {
        return std::any_of(entries.begin(), entries.end(),
                           [&](const DirectoryEntryInfo& e) { return e.name == name && e.type_name == type; });
    };
    for (auto name : {u"Device", u"Driver", u"FileSystem", u"ObjectTypes", u"??", u"GLOBAL??", u"BaseNamedObjects",
                      u"KernelObjects"})
        EXPECT_TRUE(has(name, u"Directory"));
    EXPECT_TRUE(has(u"DosDevices", u"SymbolicLink"));

    HANDLE types = nullptr;
    ASSERT_EQ(open_by_name(om(), u"\\ObjectTypes", 0, *ObDirectoryObjectType, &types), STATUS_SUCCESS);
    ASSERT_EQ(om().enumerate_directory(object_of(types), entries), STATUS_SUCCESS);
    for (auto name : {u"Type", u"Directory", u"SymbolicLink", u"Process", u"Thread", u"Event", u"Semaphore",
                      u"Mutant", u"Timer"})
        EXPECT_TRUE(has(name, u"Type"));
    close(types);
}

TEST_F(NamespaceTest, BadNamesGetTheNtStatuses)
{
    HANDLE h = nullptr;
    HANDLE ev = nullptr;
    ASSERT_EQ(create_event(om(), u"\\BaseNamedObjects\\ObEv", 0, &ev), STATUS_SUCCESS);
    POBJECT_TYPE event = *ExEventObjectType;
    EXPECT_EQ(open_by_name(om(), u"BaseNamedObjects\\ObEv", 0, event, &h), STATUS_OBJECT_PATH_SYNTAX_BAD);
    EXPECT_EQ(open_by_name(om(), u"", 0, event, &h), STATUS_OBJECT_PATH_SYNTAX_BAD);
    EXPECT_EQ(open_by_name(om(), u"\\BaseNamedObjects\\\\ObEv", 0, event, &h), STATUS_OBJECT_NAME_INVALID);
    EXPECT_EQ(open_by_name(om(), u"\\BaseNamedObjects\\ObEv\\", 0, event, &h), STATUS_OBJECT_NAME_INVALID);
    EXPECT_EQ(open_by_name(om(), u"\\NoSuchDirectory\\ObEv", 0, event, &h), STATUS_OBJECT_PATH_NOT_FOUND);
    EXPECT_EQ(open_by_name(om(), u"\\BaseNamedObjects\\NoSuchEvent\\", 0, event, &h), STATUS_OBJECT_PATH_NOT_FOUND);
    EXPECT_EQ(open_by_name(om(), u"\\BaseNamedObjects\\NoSuchEvent", 0, event, &h), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(open_by_name(om(), u"\\BaseNamedObjects\\ObEv\\below", 0, event, &h), STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(open_by_name(om(), u"\\BaseNamedObjects\\ObEv", 0, *ExSemaphoreObjectType, &h),
              STATUS_OBJECT_TYPE_MISMATCH);
    HANDLE dir = nullptr;
    ASSERT_EQ(open_by_name(om(), u"\\BaseNamedObjects", 0, *ObDirectoryObjectType, &dir), STATUS_SUCCESS);
    EXPECT_EQ(open_by_name(om(), u"\\ObEv", 0, event, &h, UserMode, dir), STATUS_OBJECT_PATH_SYNTAX_BAD);
    EXPECT_EQ(open_by_name(om(), u"ObEv", 0, event, &h, UserMode, reinterpret_cast<HANDLE>(0x7770)),
              STATUS_INVALID_HANDLE);
    // Creating: an existing name collides; an odd byte length is not a name.
    EXPECT_EQ(create_event(om(), u"\\BaseNamedObjects\\ObEv", 0, &h), STATUS_OBJECT_NAME_COLLISION);
    EXPECT_EQ(create_event(om(), u"\\Missing\\ObEv", 0, &h), STATUS_OBJECT_PATH_NOT_FOUND);
    Attributes odd(u"\\BaseNamedObjects\\Odd", 0);
    odd.get()->ObjectName->Length = 3;
    EXPECT_EQ(om().open_object_by_name(odd.ref(), event, UserMode, GENERIC_READ, nullptr, &h),
              STATUS_OBJECT_NAME_INVALID);
    odd.get()->ObjectName->Length = 6;
    odd.get()->Attributes = 0x80000000u;
    EXPECT_EQ(om().open_object_by_name(odd.ref(), event, UserMode, GENERIC_READ, nullptr, &h),
              STATUS_INVALID_PARAMETER);
    close(dir);
    close(ev);
}

TEST_F(NamespaceTest, OpenIfOpensTheExistingObject)
{
    HANDLE h1 = nullptr;
    HANDLE h2 = nullptr;
    ASSERT_EQ(create_event(om(), u"\\BaseNamedObjects\\ObOpenIf", OBJ_OPENIF, &h1), STATUS_SUCCESS);
    std::size_t objects = om().object_count();
    ASSERT_EQ(create_event(om(), u"\\BaseNamedObjects\\ObOpenIf", OBJ_OPENIF, &h2), STATUS_OBJECT_NAME_EXISTS);
    EXPECT_NE(h1, h2);
    EXPECT_EQ(object_of(h1), object_of(h2));
    EXPECT_EQ(om().object_count(), objects);
    HANDLE dir = nullptr;
    ASSERT_EQ(make_directory(u"\\BaseNamedObjects\\ObDir", &dir), STATUS_SUCCESS);
    HANDLE h3 = nullptr;
    EXPECT_EQ(create_event(om(), u"\\BaseNamedObjects\\ObDir", OBJ_OPENIF, &h3), STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(om().object_count(), objects + 1);
    close(dir);
    close(h1);
    close(h2);
}

TEST_F(NamespaceTest, CaseSensitivityFollowsTheFlagAndTheType)
{
    HANDLE ev = nullptr;
    ASSERT_EQ(create_event(om(), u"\\BaseNamedObjects\\MixedCase", 0, &ev), STATUS_SUCCESS);
    HANDLE h = nullptr;
    EXPECT_EQ(open_by_name(om(), u"\\BaseNamedObjects\\mixedcase", 0, *ExEventObjectType, &h),
              STATUS_OBJECT_NAME_NOT_FOUND);
    ASSERT_EQ(open_by_name(om(), u"\\BASENAMEDOBJECTS\\mixedcase", OBJ_CASE_INSENSITIVE, *ExEventObjectType, &h),
              STATUS_SUCCESS);
    close(h);
    // A case-sensitive create may add a name differing only in case.
    HANDLE other = nullptr;
    ASSERT_EQ(create_event(om(), u"\\BaseNamedObjects\\MIXEDCASE", 0, &other), STATUS_SUCCESS);
    EXPECT_NE(object_of(other), object_of(ev));
    EXPECT_EQ(create_event(om(), u"\\BaseNamedObjects\\mixedCASE", OBJ_CASE_INSENSITIVE, &h),
              STATUS_OBJECT_NAME_COLLISION);
    // Directories are a case-insensitive type: no flag needed.
    ASSERT_EQ(open_by_name(om(), u"\\basenamedobjects", 0, *ObDirectoryObjectType, &h), STATUS_SUCCESS);
    close(h);
    close(other);
    close(ev);
}

TEST_F(NamespaceTest, RelativeNamesUseTheRootDirectory)
{
    HANDLE dir = nullptr;
    ASSERT_EQ(open_by_name(om(), u"\\BaseNamedObjects", 0, *ObDirectoryObjectType, &dir, KernelMode, nullptr,
                           DIRECTORY_ALL_ACCESS),
              STATUS_SUCCESS);
    HANDLE ev = nullptr;
    ASSERT_EQ(create_event(om(), u"Relative", 0, &ev, UserMode, dir), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open_by_name(om(), u"\\BaseNamedObjects\\Relative", 0, *ExEventObjectType, &h), STATUS_SUCCESS);
    EXPECT_EQ(object_of(h), object_of(ev));
    close(h);
    // An empty name relative to a directory is the directory itself.
    ASSERT_EQ(open_by_name(om(), u"", 0, *ObDirectoryObjectType, &h, UserMode, dir), STATUS_SUCCESS);
    EXPECT_EQ(object_of(h), object_of(dir));
    close(h);
    close(ev);
    close(dir);
}

TEST_F(NamespaceTest, SymbolicLinksResolve)
{
    HANDLE ev = nullptr;
    ASSERT_EQ(create_event(om(), u"\\BaseNamedObjects\\Target", 0, &ev), STATUS_SUCCESS);
    HANDLE dir_link = nullptr;
    HANDLE ev_link = nullptr;
    HANDLE global_link = nullptr;
    ASSERT_EQ(make_link(u"\\??\\ObNamed", u"\\BaseNamedObjects", &dir_link), STATUS_SUCCESS);
    ASSERT_EQ(make_link(u"\\??\\ObEvLink", u"\\BaseNamedObjects\\Target", &ev_link), STATUS_SUCCESS);
    ASSERT_EQ(make_link(u"\\GLOBAL??\\ObGlobalOnly", u"\\BaseNamedObjects\\Target", &global_link), STATUS_SUCCESS);
    void* target = object_of(ev);
    for (auto name : {u"\\??\\ObNamed\\Target", u"\\??\\ObEvLink", u"\\DosDevices\\ObEvLink", u"\\??\\ObGlobalOnly",
                      u"\\GLOBAL??\\GLOBALROOT\\BaseNamedObjects\\Target", u"\\??\\Global\\ObGlobalOnly"}) {
        HANDLE h = nullptr;
        ASSERT_EQ(open_by_name(om(), name, OBJ_CASE_INSENSITIVE, *ExEventObjectType, &h), STATUS_SUCCESS);
        EXPECT_EQ(object_of(h), target);
        close(h);
    }
    // OBJ_OPENLINK (or asking for a SymbolicLink) opens the link itself.
    HANDLE h = nullptr;
    ASSERT_EQ(open_by_name(om(), u"\\??\\ObEvLink", OBJ_OPENLINK, nullptr, &h), STATUS_SUCCESS);
    EXPECT_EQ(ObGetObjectType(object_of(h)), *ObSymbolicLinkObjectType);
    std::u16string link_target;
    EXPECT_EQ(om().query_symbolic_link(object_of(h), link_target), STATUS_SUCCESS);
    EXPECT_EQ(link_target, u"\\BaseNamedObjects\\Target");
    close(h);
    ASSERT_EQ(open_by_name(om(), u"\\??\\ObEvLink", 0, *ObSymbolicLinkObjectType, &h), STATUS_SUCCESS);
    EXPECT_EQ(object_of(h), object_of(ev_link));
    close(h);
    close(global_link);
    close(ev_link);
    close(dir_link);
    close(ev);
}

TEST_F(NamespaceTest, LinkLoopsAndLongChainsStopAtTheReparseLimit)
{
    HANDLE a = nullptr;
    HANDLE b = nullptr;
    ASSERT_EQ(make_link(u"\\??\\ObLoopA", u"\\??\\ObLoopB", &a), STATUS_SUCCESS);
    ASSERT_EQ(make_link(u"\\??\\ObLoopB", u"\\??\\ObLoopA", &b), STATUS_SUCCESS);
    HANDLE h = nullptr;
    EXPECT_EQ(open_by_name(om(), u"\\??\\ObLoopA", 0, *ExEventObjectType, &h), STATUS_OBJECT_NAME_NOT_FOUND);
    close(a);
    close(b);

    // A chain of n links needs n reparses; OBJ_MAX_REPARSE_ATTEMPTS (32) allows 31.
    HANDLE ev = nullptr;
    ASSERT_EQ(create_event(om(), u"\\BaseNamedObjects\\ChainEnd", 0, &ev), STATUS_SUCCESS);
    std::vector<HANDLE> links;
    auto link_name = [](int i) { return u"\\??\\ObChain" + std::u16string(1, char16_t(u'A' + i / 26)) +
                                        std::u16string(1, char16_t(u'a' + i % 26)); };
    for (int i = 0; i < 32; ++i) {
        HANDLE l = nullptr;
        std::u16string target = i == 0 ? std::u16string(u"\\BaseNamedObjects\\ChainEnd") : link_name(i - 1);
        ASSERT_EQ(make_link(link_name(i), target, &l), STATUS_SUCCESS);
        links.push_back(l);
    }
    ASSERT_EQ(open_by_name(om(), link_name(30), OBJ_CASE_INSENSITIVE, *ExEventObjectType, &h), STATUS_SUCCESS);
    close(h);
    EXPECT_EQ(open_by_name(om(), link_name(31), OBJ_CASE_INSENSITIVE, *ExEventObjectType, &h),
              STATUS_OBJECT_NAME_NOT_FOUND);
    for (HANDLE l : links) close(l);
    close(ev);
}

// NT fact K10: a zero-length buffer gets STATUS_INFO_LENGTH_MISMATCH and the size needed,
// sizeof(OBJECT_NAME_INFORMATION) + the name + its NUL; MaximumLength counts the NUL.
TEST_F(NamespaceTest, QueryNameStringReportsTheFullPath)
{
    HANDLE ev = nullptr;
    ASSERT_EQ(create_event(om(), u"\\BaseNamedObjects\\ObNamed", 0, &ev), STATUS_SUCCESS);
    void* object = object_of(ev);
    const std::u16string expected = u"\\BaseNamedObjects\\ObNamed";
    const ULONG required = sizeof(OBJECT_NAME_INFORMATION) + ULONG(expected.size() * 2) + 2;
    ULONG length = 0;
    EXPECT_EQ(ObQueryNameString(object, nullptr, 0, &length), STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(length, required);
    alignas(8) unsigned char buffer[256];
    auto* info = reinterpret_cast<POBJECT_NAME_INFORMATION>(buffer);
    EXPECT_EQ(ObQueryNameString(object, info, required - 2, &length), STATUS_INFO_LENGTH_MISMATCH);
    ASSERT_EQ(ObQueryNameString(object, info, sizeof(buffer), &length), STATUS_SUCCESS);
    EXPECT_EQ(length, required);
    EXPECT_EQ(info->Name.Length, expected.size() * 2);
    EXPECT_EQ(info->Name.MaximumLength, expected.size() * 2 + 2);
    EXPECT_EQ(std::u16string(reinterpret_cast<char16_t*>(info->Name.Buffer), expected.size()), expected);
    EXPECT_EQ(info->Name.Buffer[expected.size()], 0);

    HANDLE unnamed = nullptr;
    ASSERT_EQ(create_event(om(), u"", 0, &unnamed), STATUS_SUCCESS);
    ASSERT_EQ(ObQueryNameString(object_of(unnamed), info, sizeof(buffer), &length), STATUS_SUCCESS);
    EXPECT_EQ(length, sizeof(OBJECT_NAME_INFORMATION));
    EXPECT_EQ(info->Name.Length, 0);
    close(unnamed);
    close(ev);
}

TEST_F(NamespaceTest, TemporaryDirectoryOutlivesItsNameWhileChildrenLive)
{
    std::size_t objects = om().object_count();
    HANDLE dir = nullptr;
    ASSERT_EQ(make_directory(u"\\BaseNamedObjects\\ObSub", &dir), STATUS_SUCCESS);
    HANDLE ev = nullptr;
    ASSERT_EQ(create_event(om(), u"\\BaseNamedObjects\\ObSub\\Child", 0, &ev), STATUS_SUCCESS);
    close(dir);
    HANDLE h = nullptr;
    EXPECT_EQ(open_by_name(om(), u"\\BaseNamedObjects\\ObSub", 0, *ObDirectoryObjectType, &h),
              STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(om().object_count(), objects + 2);  // the child holds its directory
    close(ev);
    EXPECT_EQ(om().object_count(), objects);
}

TEST_F(NamespaceTest, DumpShowsTheTreeWithLinkTargets)
{
    std::string dump;
    om().dump_namespace(dump);
    EXPECT_NE(dump.find("\\ (Directory)\n"), std::string::npos);
    EXPECT_NE(dump.find("  DosDevices (SymbolicLink) -> \\??\n"), std::string::npos);
    EXPECT_NE(dump.find("    Event (Type)\n"), std::string::npos);
    EXPECT_NE(dump.find("  BaseNamedObjects (Directory)\n"), std::string::npos);
}

}  // namespace
}  // namespace ntio::ob::test

// fastfat.sys file name tunneling (Microsoft KB 172190): a name removed from a directory, by delete
// or by rename, leaves its short/long name pair and creation time behind for a while; a file that
// takes the name soon after, by create or by rename, gets them back. The registry's
// MaximumTunnelEntries (0 turns tunneling off) and MaximumTunnelEntryAgeInSeconds bound it.
#include "fastfat_driver_support.hpp"

#include <utility>

namespace ntio::test::drivers {
namespace {

constexpr LONGLONG kTunnelTestTime = 126000000000000000LL;  // 2000-04-15, an even number of seconds

class FastFatTunnelTest : public FastFatTest {
protected:
    void SetUp() override {
        FastFatTest::SetUp();
        if (IsSkipped()) return;
        format({16, 16384, 4, 512, ""});
        // A long age limit, so that no test depends on how fast it runs.
        remount_with(L"MaximumTunnelEntryAgeInSeconds", 3600);
    }

    // Sets a tunnel limit; the volume reads the limits when it mounts.
    void remount_with(const wchar_t* value, ULONG data) {
        ASSERT_EQ(RtlWriteRegistryValue(RTL_REGISTRY_CONTROL, L"FileSystem", const_cast<PWSTR>(value), REG_DWORD, &data,
                                        sizeof(data)),
                  STATUS_SUCCESS);
        unmount();
        load_disk();
        load_fs();
    }

    LONGLONG creation_of(const std::string& name) {
        HANDLE h = nullptr;
        EXPECT_EQ(create(name, &h, FILE_OPEN, FILE_READ_ATTRIBUTES), STATUS_SUCCESS) << name;
        FILE_BASIC_INFORMATION basic{};
        IO_STATUS_BLOCK iosb{};
        EXPECT_EQ(NtQueryInformationFile(h, &iosb, &basic, sizeof(basic), FileBasicInformation), STATUS_SUCCESS);
        EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
        return basic.CreationTime.QuadPart;
    }

    void set_creation(const std::string& name, LONGLONG time) {
        HANDLE h = nullptr;
        ASSERT_EQ(create(name, &h, FILE_OPEN, FILE_WRITE_ATTRIBUTES), STATUS_SUCCESS) << name;
        FILE_BASIC_INFORMATION basic{};
        basic.CreationTime.QuadPart = time;
        IO_STATUS_BLOCK iosb{};
        EXPECT_EQ(NtSetInformationFile(h, &iosb, &basic, sizeof(basic), FileBasicInformation), STATUS_SUCCESS);
        EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    }

    void delete_file(const std::string& name) {
        HANDLE h = nullptr;
        ASSERT_EQ(create(name, &h, FILE_OPEN, DELETE), STATUS_SUCCESS) << name;
        FILE_DISPOSITION_INFORMATION disposition{TRUE};
        IO_STATUS_BLOCK iosb{};
        EXPECT_EQ(NtSetInformationFile(h, &iosb, &disposition, sizeof(disposition), FileDispositionInformation),
                  STATUS_SUCCESS);
        EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    }

    // Renames the file open as `h` to `to` in the same directory.
    static NTSTATUS rename_open(HANDLE h, const std::string& to, bool replace = false) {
        std::u16string target = u16(to);
        std::vector<uint8_t> buffer(sizeof(FILE_RENAME_INFORMATION) + target.size() * sizeof(WCHAR));
        auto* info = reinterpret_cast<PFILE_RENAME_INFORMATION>(buffer.data());
        info->ReplaceIfExists = replace;
        info->RootDirectory = nullptr;
        info->FileNameLength = ULONG(target.size() * sizeof(WCHAR));
        std::memcpy(info->FileName, target.data(), info->FileNameLength);
        IO_STATUS_BLOCK iosb{};
        return NtSetInformationFile(h, &iosb, info, ULONG(buffer.size()), FileRenameInformation);
    }
    // Renames `from` (a path on the volume) to `to` in the same directory.
    NTSTATUS rename_file(const std::string& from, const std::string& to, bool replace = false) {
        HANDLE h = nullptr;
        NTSTATUS status = create(from, &h, FILE_OPEN, DELETE);
        if (!NT_SUCCESS(status)) return status;
        status = rename_open(h, to, replace);
        EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
        return status;
    }

    // The root's entries as (name, short name) from FileBothDirectoryInformation; the short name is
    // empty for a name that is already 8.3.
    std::vector<std::pair<std::string, std::string>> root_names() {
        std::vector<std::pair<std::string, std::string>> names;
        HANDLE h = nullptr;
        EXPECT_EQ(create("\\", &h, FILE_OPEN, FILE_LIST_DIRECTORY, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
        if (!h) return names;
        alignas(8) UCHAR buffer[4096];
        for (;;) {
            IO_STATUS_BLOCK iosb{};
            NTSTATUS status = NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer),
                                                   FileBothDirectoryInformation, FALSE, nullptr, FALSE);
            if (status != STATUS_SUCCESS) {
                EXPECT_EQ(status, STATUS_NO_MORE_FILES);
                break;
            }
            for (size_t at = 0;;) {
                auto* entry = reinterpret_cast<PFILE_BOTH_DIR_INFORMATION>(buffer + at);
                names.emplace_back(fat::narrow(entry->FileName, entry->FileNameLength / sizeof(WCHAR)),
                                   fat::narrow(entry->ShortName, entry->ShortNameLength / sizeof(WCHAR)));
                if (!entry->NextEntryOffset) break;
                at += entry->NextEntryOffset;
            }
        }
        EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
        return names;
    }

    std::string short_name_of(const std::string& name) {
        for (const auto& [long_name, short_name] : root_names())
            if (long_name == name) return short_name;
        ADD_FAILURE() << name << " is not listed";
        return {};
    }

    // Two files whose generated short names are LONGFI~1.TXT and LONGFI~2.TXT.
    void make_two_long_names() {
        put_file("\\Long File A.txt", {1});
        put_file("\\Long File B.txt", {2});
        ASSERT_EQ(short_name_of("Long File A.txt"), "LONGFI~1.TXT");
        ASSERT_EQ(short_name_of("Long File B.txt"), "LONGFI~2.TXT");
    }
};

TEST_F(FastFatTunnelTest, a_file_renamed_onto_a_name_renamed_away_takes_its_creation_time) {
    put_file("\\Report.txt", {1});
    set_creation("\\Report.txt", kTunnelTestTime);
    put_file("\\draft.tmp", {2});
    ASSERT_NE(creation_of("\\draft.tmp"), kTunnelTestTime);
    ASSERT_EQ(rename_file("\\Report.txt", "Report.bak"), STATUS_SUCCESS);
    EXPECT_EQ(creation_of("\\Report.bak"), kTunnelTestTime) << "the renamed file keeps its own";
    ASSERT_EQ(rename_file("\\draft.tmp", "Report.txt"), STATUS_SUCCESS);
    EXPECT_EQ(creation_of("\\Report.txt"), kTunnelTestTime);
    // A name nothing left keeps the file's own time.
    put_file("\\other.tmp", {3});
    ASSERT_EQ(rename_file("\\other.tmp", "Other.txt"), STATUS_SUCCESS);
    EXPECT_NE(creation_of("\\Other.txt"), kTunnelTestTime);
    unmount();
    expect_fsck_clean();
}

TEST_F(FastFatTunnelTest, a_file_renamed_over_another_takes_its_names_and_creation_time) {
    make_two_long_names();
    set_creation("\\Long File B.txt", kTunnelTestTime);
    delete_file("\\Long File A.txt");  // a fresh short name for B would now be LONGFI~1.TXT
    put_file("\\save.tmp", {9});
    ASSERT_EQ(rename_file("\\save.tmp", "Long File B.txt", true), STATUS_SUCCESS);
    EXPECT_EQ(creation_of("\\Long File B.txt"), kTunnelTestTime);
    EXPECT_EQ(short_name_of("Long File B.txt"), "LONGFI~2.TXT");
    EXPECT_EQ(get_file("\\Long File B.txt"), std::vector<uint8_t>{9});
    unmount();
    expect_fsck_clean();
}

TEST_F(FastFatTunnelTest, a_short_name_comes_back_after_delete_and_create) {
    make_two_long_names();
    delete_file("\\Long File A.txt");
    delete_file("\\Long File B.txt");
    // Generated afresh, B would get LONGFI~1.TXT, the lowest free tail.
    put_file("\\long file b.TXT", {3});
    EXPECT_EQ(short_name_of("long file b.TXT"), "LONGFI~2.TXT");
    put_file("\\Long File C.txt", {4});
    EXPECT_EQ(short_name_of("Long File C.txt"), "LONGFI~1.TXT") << "a name nothing left is generated";
    unmount();
    expect_fsck_clean();
}

TEST_F(FastFatTunnelTest, a_short_name_comes_back_after_rename_away_and_create) {
    make_two_long_names();
    ASSERT_EQ(rename_file("\\Long File A.txt", "a.txt"), STATUS_SUCCESS);
    ASSERT_EQ(rename_file("\\Long File B.txt", "b.txt"), STATUS_SUCCESS);
    put_file("\\Long File B.txt", {3});
    EXPECT_EQ(short_name_of("Long File B.txt"), "LONGFI~2.TXT");
    unmount();
    expect_fsck_clean();
}

TEST_F(FastFatTunnelTest, a_tunneled_short_name_another_file_took_is_not_reused) {
    make_two_long_names();
    delete_file("\\Long File B.txt");
    put_file("\\Long File C.txt", {3});
    ASSERT_EQ(short_name_of("Long File C.txt"), "LONGFI~2.TXT");
    put_file("\\Long File B.txt", {4});
    EXPECT_EQ(short_name_of("Long File B.txt"), "LONGFI~3.TXT");
    unmount();
    expect_fsck_clean();
}

// A program that sees only 8.3 names saves by deleting LONGFI~1.TXT and creating it again, or by
// renaming its temporary file onto it: the file keeps its long name.
TEST_F(FastFatTunnelTest, a_file_made_under_a_removed_short_name_gets_the_long_name_back) {
    make_two_long_names();
    set_creation("\\Long File A.txt", kTunnelTestTime);
    delete_file("\\LONGFI~1.TXT");
    put_file("\\LONGFI~1.TXT", {5});
    EXPECT_EQ(short_name_of("Long File A.txt"), "LONGFI~1.TXT");
    EXPECT_EQ(creation_of("\\Long File A.txt"), kTunnelTestTime);
    EXPECT_EQ(get_file("\\Long File A.txt"), std::vector<uint8_t>{5});

    delete_file("\\LONGFI~2.TXT");
    put_file("\\TEMP.TMP", {6});
    ASSERT_EQ(rename_file("\\TEMP.TMP", "LONGFI~2.TXT"), STATUS_SUCCESS);
    EXPECT_EQ(short_name_of("Long File B.txt"), "LONGFI~2.TXT");
    EXPECT_EQ(get_file("\\Long File B.txt"), std::vector<uint8_t>{6});
    // Deleted by its long name, the entry is found by that name only.
    put_file("\\Long File C.txt", {7});
    ASSERT_EQ(short_name_of("Long File C.txt"), "LONGFI~3.TXT");
    delete_file("\\Long File C.txt");
    put_file("\\LONGFI~3.TXT", {8});
    EXPECT_EQ(short_name_of("LONGFI~3.TXT"), "");
    unmount();
    expect_fsck_clean();
}

// A removal is keyed by the name the removing open uses, as it names the file now: an open made
// by the short name deletes the file after another open renamed it, so the file's new short name is
// the one that tunnels; a rename through an open makes the open use the name it gave.
TEST_F(FastFatTunnelTest, a_removal_is_keyed_by_the_name_its_open_uses_after_renames) {
    constexpr ULONG kShareAll = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
    make_two_long_names();
    set_creation("\\Long File A.txt", kTunnelTestTime);
    HANDLE by_short = nullptr;
    ASSERT_EQ(create("\\LONGFI~1.TXT", &by_short, FILE_OPEN, DELETE, 0, kShareAll), STATUS_SUCCESS);
    HANDLE other = nullptr;
    ASSERT_EQ(create("\\Long File A.txt", &other, FILE_OPEN, DELETE, 0, kShareAll), STATUS_SUCCESS);
    ASSERT_EQ(rename_open(other, "Quite Another Name.txt"), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(other), STATUS_SUCCESS);
    ASSERT_EQ(short_name_of("Quite Another Name.txt"), "QUITEA~1.TXT");
    FILE_DISPOSITION_INFORMATION disposition{TRUE};
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(NtSetInformationFile(by_short, &iosb, &disposition, sizeof(disposition), FileDispositionInformation),
              STATUS_SUCCESS);
    EXPECT_EQ(NtClose(by_short), STATUS_SUCCESS);
    // Tunneled under the short name it had when it went: a file made under that name gets the
    // long name and the creation time back.
    put_file("\\QUITEA~1.TXT", {5});
    EXPECT_EQ(short_name_of("Quite Another Name.txt"), "QUITEA~1.TXT");
    EXPECT_EQ(creation_of("\\Quite Another Name.txt"), kTunnelTestTime);

    // Open B by its short name, rename it through that open to a long name: the open now uses the
    // long name, and its delete tunnels under that.
    set_creation("\\Long File B.txt", kTunnelTestTime + 20000000);
    HANDLE renamer = nullptr;
    ASSERT_EQ(create("\\LONGFI~2.TXT", &renamer, FILE_OPEN, DELETE, 0, kShareAll), STATUS_SUCCESS);
    ASSERT_EQ(rename_open(renamer, "Yet Another Long Name.txt"), STATUS_SUCCESS);
    ASSERT_EQ(NtSetInformationFile(renamer, &iosb, &disposition, sizeof(disposition), FileDispositionInformation),
              STATUS_SUCCESS);
    EXPECT_EQ(NtClose(renamer), STATUS_SUCCESS);
    put_file("\\Yet Another Long Name.txt", {6});
    EXPECT_EQ(creation_of("\\Yet Another Long Name.txt"), kTunnelTestTime + 20000000);
    unmount();
    expect_fsck_clean();
}

TEST_F(FastFatTunnelTest, no_tunneling_when_the_registry_allows_no_entries) {
    remount_with(L"MaximumTunnelEntries", 0);
    make_two_long_names();
    set_creation("\\Long File B.txt", kTunnelTestTime);
    delete_file("\\Long File A.txt");
    delete_file("\\Long File B.txt");
    put_file("\\Long File B.txt", {3});
    EXPECT_NE(creation_of("\\Long File B.txt"), kTunnelTestTime);
    EXPECT_EQ(short_name_of("Long File B.txt"), "LONGFI~1.TXT");
    unmount();
    expect_fsck_clean();
}

// An age limit of 0 seconds: every entry is too old by the time a name is added again.
TEST_F(FastFatTunnelTest, an_entry_older_than_the_age_limit_is_not_used) {
    remount_with(L"MaximumTunnelEntryAgeInSeconds", 0);
    make_two_long_names();
    set_creation("\\Long File B.txt", kTunnelTestTime);
    delete_file("\\Long File A.txt");
    ASSERT_EQ(rename_file("\\Long File B.txt", "b.txt"), STATUS_SUCCESS);
    put_file("\\Long File B.txt", {3});
    EXPECT_NE(creation_of("\\Long File B.txt"), kTunnelTestTime);
    EXPECT_EQ(short_name_of("Long File B.txt"), "LONGFI~1.TXT");
    unmount();
    expect_fsck_clean();
}

}  // namespace
}  // namespace ntio::test::drivers

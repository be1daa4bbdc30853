// fastfat.sys directories: NtQueryDirectoryFile with each class the driver answers, masks matched
// against long and short names, restart, single entry, a buffer too small for the first entry, and
// change notification through NtNotifyChangeDirectoryFile for creates, writes, renames and deletes.
#include "fastfat_driver_support.hpp"

#include <algorithm>

namespace ntio::test::drivers {
namespace {

class FastFatDirectoryTest : public FastFatTest {
protected:
    void SetUp() override {
        FastFatTest::SetUp();
        if (IsSkipped()) return;
        format({32, 40000, 1, 512, ""});
        HANDLE h = nullptr;
        ASSERT_EQ(create("\\dir", &h, FILE_CREATE, FILE_LIST_DIRECTORY, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
        EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
        put_file("\\dir\\alpha.txt", fat::pattern(100, 1));
        put_file("\\dir\\Beta Long Name.doc", fat::pattern(3000, 2));
        put_file("\\dir\\gamma.txt", {});
        ASSERT_EQ(create("\\dir\\subdir", &h, FILE_CREATE, FILE_LIST_DIRECTORY, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
        EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    }

    static std::vector<std::string> sorted(std::vector<std::string> names) {
        std::sort(names.begin(), names.end());
        return names;
    }
};

TEST_F(FastFatDirectoryTest, lists_with_masks_on_long_and_short_names) {
    EXPECT_EQ(sorted(list("\\dir")),
              (std::vector<std::string>{".", "..", "Beta Long Name.doc", "alpha.txt", "gamma.txt", "subdir"}));
    EXPECT_EQ(sorted(list("\\dir", "*.txt")), (std::vector<std::string>{"alpha.txt", "gamma.txt"}));
    EXPECT_EQ(sorted(list("\\dir", "BETA*")), (std::vector<std::string>{"Beta Long Name.doc"}));
    // The short name matches too (FastFat matches both).
    EXPECT_EQ(sorted(list("\\dir", "BETALO~1.DOC")), (std::vector<std::string>{"Beta Long Name.doc"}));
    EXPECT_EQ(sorted(list("\\dir", "?lpha.*")), (std::vector<std::string>{"alpha.txt"}));
    // The root has no "." or "..".
    EXPECT_EQ(sorted(list("\\")), (std::vector<std::string>{"dir"}));
}

TEST_F(FastFatDirectoryTest, classes_restart_single_entry_and_small_buffers) {
    HANDLE h = nullptr;
    ASSERT_EQ(create("\\dir", &h, FILE_OPEN, FILE_LIST_DIRECTORY, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
    alignas(8) UCHAR buffer[2048];
    IO_STATUS_BLOCK iosb{};
    std::u16string mask16 = u"beta*";
    UNICODE_STRING mask = unicode(mask16);

    ASSERT_EQ(NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer),
                                   FileIdBothDirectoryInformation, TRUE, &mask, TRUE),
              STATUS_SUCCESS);
    auto* both = reinterpret_cast<PFILE_ID_BOTH_DIR_INFORMATION>(buffer);
    EXPECT_EQ(both->NextEntryOffset, 0u);
    EXPECT_EQ(fat::narrow(both->FileName, both->FileNameLength / 2), "Beta Long Name.doc");
    EXPECT_EQ(fat::narrow(both->ShortName, both->ShortNameLength / 2), "BETALO~1.DOC");
    EXPECT_EQ(both->EndOfFile.QuadPart, 3000);
    EXPECT_EQ(both->AllocationSize.QuadPart, 3072);
    EXPECT_EQ(both->FileAttributes, ULONG(FILE_ATTRIBUTE_ARCHIVE));
    EXPECT_NE(both->FileId.QuadPart, 0);
    EXPECT_EQ(iosb.Information, FIELD_OFFSET(FILE_ID_BOTH_DIR_INFORMATION, FileName) + both->FileNameLength);
    // The mask stays the first query's: nothing more matches.
    EXPECT_EQ(NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer),
                                   FileIdBothDirectoryInformation, TRUE, nullptr, FALSE),
              STATUS_NO_MORE_FILES);
    // A restart with a new mask.
    std::u16string all16 = u"*";
    UNICODE_STRING all = unicode(all16);
    std::vector<std::string> names;
    for (BOOLEAN restart = TRUE;; restart = FALSE) {
        NTSTATUS status = NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer),
                                               FileNamesInformation, TRUE, restart ? &all : nullptr, restart);
        if (status == STATUS_NO_MORE_FILES) break;
        ASSERT_EQ(status, STATUS_SUCCESS);
        auto* entry = reinterpret_cast<PFILE_NAMES_INFORMATION>(buffer);
        EXPECT_EQ(entry->NextEntryOffset, 0u);
        names.push_back(fat::narrow(entry->FileName, entry->FileNameLength / 2));
    }
    EXPECT_EQ(sorted(names),
              (std::vector<std::string>{".", "..", "Beta Long Name.doc", "alpha.txt", "gamma.txt", "subdir"}));

    // Every class answers the restart with the same first entry (".").
    for (FILE_INFORMATION_CLASS c : {FileDirectoryInformation, FileFullDirectoryInformation,
                                     FileBothDirectoryInformation, FileIdFullDirectoryInformation}) {
        ASSERT_EQ(NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer), c, FALSE, nullptr,
                                       TRUE),
                  STATUS_SUCCESS)
            << c;
        auto* entry = reinterpret_cast<PFILE_DIRECTORY_INFORMATION>(buffer);
        EXPECT_EQ(entry->FileAttributes & FILE_ATTRIBUTE_DIRECTORY, ULONG(FILE_ATTRIBUTE_DIRECTORY)) << c;
        EXPECT_NE(entry->NextEntryOffset, 0u) << c;
        EXPECT_EQ(entry->NextEntryOffset % 8, 0u) << c;
    }
    // A buffer too small for the first entry's name: STATUS_BUFFER_OVERFLOW.
    ASSERT_EQ(NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(FILE_DIRECTORY_INFORMATION),
                                   FileDirectoryInformation, FALSE, &mask, TRUE),
              STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(iosb.Information, sizeof(FILE_DIRECTORY_INFORMATION));
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);

    // A first query that matches nothing is "no such file".
    ASSERT_EQ(create("\\dir", &h, FILE_OPEN, FILE_LIST_DIRECTORY, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
    std::u16string none16 = u"*.none";
    UNICODE_STRING none = unicode(none16);
    EXPECT_EQ(NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer),
                                   FileDirectoryInformation, FALSE, &none, FALSE),
              STATUS_NO_SUCH_FILE);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    // A file is no directory to list.
    ASSERT_EQ(create("\\dir\\alpha.txt", &h, FILE_OPEN, FILE_LIST_DIRECTORY), STATUS_SUCCESS);
    EXPECT_EQ(NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer),
                                   FileDirectoryInformation, FALSE, nullptr, FALSE),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

struct Change {
    ULONG action;
    std::string name;
    bool operator==(const Change& other) const { return action == other.action && name == other.name; }
};

std::ostream& operator<<(std::ostream& os, const Change& c) { return os << c.action << ":" << c.name; }

std::vector<Change> parse_changes(const UCHAR* buffer, ULONG_PTR length) {
    std::vector<Change> changes;
    for (ULONG at = 0; at < length;) {
        auto* record = reinterpret_cast<const FILE_NOTIFY_INFORMATION*>(buffer + at);
        changes.push_back({record->Action, fat::narrow(record->FileName, record->FileNameLength / 2)});
        if (!record->NextEntryOffset) break;
        at += record->NextEntryOffset;
    }
    return changes;
}

TEST_F(FastFatDirectoryTest, change_notification_reports_what_the_driver_changes) {
    // An asynchronous handle: the request stays pending while the test makes the changes.
    HANDLE dir = nullptr;
    std::u16string path = path_of("\\dir");
    UNICODE_STRING dir_name = unicode(path);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &dir_name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    IO_STATUS_BLOCK open_iosb{};
    ASSERT_EQ(NtCreateFile(&dir, FILE_LIST_DIRECTORY, &oa, &open_iosb, nullptr, 0,
                           FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, FILE_OPEN, FILE_DIRECTORY_FILE,
                           nullptr, 0),
              STATUS_SUCCESS);
    HANDLE event = nullptr;
    ASSERT_EQ(NtCreateEvent(&event, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_SUCCESS);
    alignas(8) UCHAR buffer[4096];
    IO_STATUS_BLOCK iosb{};
    const ULONG filter = FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_DIR_NAME | FILE_NOTIFY_CHANGE_SIZE;
    // The first request sets up the watch; changes made while none is pending are buffered.
    ASSERT_EQ(NtNotifyChangeDirectoryFile(dir, event, nullptr, nullptr, &iosb, buffer, sizeof(buffer), filter, FALSE),
              STATUS_PENDING);
    put_file("\\dir\\new.txt", {1, 2, 3});
    ASSERT_EQ(NtWaitForSingleObject(event, FALSE, nullptr), STATUS_SUCCESS);
    ASSERT_EQ(iosb.Status, STATUS_SUCCESS);
    std::vector<Change> changes = parse_changes(buffer, iosb.Information);
    ASSERT_FALSE(changes.empty());
    EXPECT_EQ(changes.front(), (Change{FILE_ACTION_ADDED, "new.txt"}));

    HANDLE h = nullptr;
    ASSERT_EQ(create("\\dir\\new.txt", &h, FILE_OPEN, DELETE), STATUS_SUCCESS);
    std::u16string target = u"renamed.txt";
    std::vector<uint8_t> info(sizeof(FILE_RENAME_INFORMATION) + target.size() * 2);
    auto* rename = reinterpret_cast<PFILE_RENAME_INFORMATION>(info.data());
    rename->FileNameLength = ULONG(target.size() * 2);
    std::memcpy(rename->FileName, target.data(), rename->FileNameLength);
    IO_STATUS_BLOCK set_iosb{};
    ASSERT_EQ(NtSetInformationFile(h, &set_iosb, rename, ULONG(info.size()), FileRenameInformation), STATUS_SUCCESS);
    FILE_DISPOSITION_INFORMATION disposition{TRUE};
    ASSERT_EQ(NtSetInformationFile(h, &set_iosb, &disposition, sizeof(disposition), FileDispositionInformation),
              STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    // What happened since the last request was buffered and comes back at once.
    ASSERT_EQ(NtResetEvent(event, nullptr), STATUS_SUCCESS);
    NTSTATUS status =
        NtNotifyChangeDirectoryFile(dir, event, nullptr, nullptr, &iosb, buffer, sizeof(buffer), filter, FALSE);
    if (status == STATUS_PENDING) {
        ASSERT_EQ(NtWaitForSingleObject(event, FALSE, nullptr), STATUS_SUCCESS);
        status = iosb.Status;
    }
    ASSERT_EQ(status, STATUS_SUCCESS);
    changes = parse_changes(buffer, iosb.Information);
    std::vector<Change> names;
    for (const Change& c : changes) {
        if (c.action != FILE_ACTION_MODIFIED) names.push_back(c);
    }
    EXPECT_EQ(names, (std::vector<Change>{{FILE_ACTION_RENAMED_OLD_NAME, "new.txt"},
                                          {FILE_ACTION_RENAMED_NEW_NAME, "renamed.txt"},
                                          {FILE_ACTION_REMOVED, "renamed.txt"}}));

    // The cleanup of the watching handle ends a pending request with STATUS_NOTIFY_CLEANUP.
    ASSERT_EQ(NtResetEvent(event, nullptr), STATUS_SUCCESS);
    ASSERT_EQ(NtNotifyChangeDirectoryFile(dir, event, nullptr, nullptr, &iosb, buffer, sizeof(buffer), filter, FALSE),
              STATUS_PENDING);
    EXPECT_EQ(NtClose(dir), STATUS_SUCCESS);
    ASSERT_EQ(NtWaitForSingleObject(event, FALSE, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_NOTIFY_CLEANUP);
    EXPECT_EQ(NtClose(event), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test::drivers

// Hive files: every committed change survives a new System on the same file and a kill -9 of the
// writing process; volatile keys do not; the default hive fills a new file; a corrupt, foreign or
// empty file refuses the boot with a status and a message naming it, and is left byte-identical.
#include "conformance/registry/registry_test_support.hpp"
#include "ntio_test_config.h"  // NTIO_REGISTRY_CRASH_WRITER

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>

extern char** environ;

namespace ntio::test {
namespace {

class HiveDirectory {
public:
    HiveDirectory() {
        char pattern[] = "/tmp/ntio-hive-XXXXXX";
        const char* dir = mkdtemp(pattern);
        EXPECT_NE(dir, nullptr);
        if (dir) m_path = dir;
    }
    ~HiveDirectory() {
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) ::unlink((file() + suffix).c_str());
        ::rmdir(m_path.c_str());
    }
    std::string file() const { return m_path + "/system.hive"; }

private:
    std::string m_path;
};

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
}

BootOptions options_for(const std::string& hive) {
    BootOptions options;
    options.hive_path = hive;
    return options;
}

NTSTATUS zw_open(HANDLE* key, const wchar_t* name) {
    ObjectName oa(name);
    return ZwOpenKey(key, KEY_ALL_ACCESS, oa.get());
}

// Boots on `hive` expecting a refusal: returns the status and checks the message names the file.
NTSTATUS refused_boot(const std::string& hive) {
    try {
        System system(options_for(hive));
    } catch (const BootError& error) {
        EXPECT_NE(std::string(error.what()).find(hive), std::string::npos) << error.what();
        return static_cast<NTSTATUS>(error.status());
    }
    ADD_FAILURE() << "the System booted on a bad hive";
    return STATUS_SUCCESS;
}

// NtRenameKey commits the new name (and NtSetInformationKey the write time) to the hive file.
TEST(HivePersistence, RenameAndWriteTimeSurviveANewSystemOnTheSameFile) {
    HiveDirectory dir;
    {
        System system(options_for(dir.file()));
        HANDLE key = nullptr, child = nullptr;
        ASSERT_EQ(zw_create_key(&key, L"\\REGISTRY\\MACHINE\\SOFTWARE\\BeforeRename"), STATUS_SUCCESS);
        ASSERT_EQ(set_dword(key, L"V", 5), STATUS_SUCCESS);
        ASSERT_EQ(zw_create_key(&child, L"Child", key), STATUS_SUCCESS);
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, L"AfterRename");
        ASSERT_EQ(ZwRenameKey(key, &name), STATUS_SUCCESS);
        KEY_WRITE_TIME_INFORMATION time{};
        time.LastWriteTime.QuadPart = 0x01D9000000000007LL;
        ASSERT_EQ(ZwSetInformationKey(child, KeyWriteTimeInformation, &time, sizeof(time)), STATUS_SUCCESS);
        for (HANDLE h : {key, child}) ASSERT_EQ(ZwClose(h), STATUS_SUCCESS);
    }
    System system(options_for(dir.file()));
    HANDLE key = nullptr, child = nullptr, old = nullptr;
    EXPECT_EQ(zw_open(&old, L"\\REGISTRY\\MACHINE\\SOFTWARE\\BeforeRename"), STATUS_OBJECT_NAME_NOT_FOUND);
    ASSERT_EQ(zw_open(&key, L"\\REGISTRY\\MACHINE\\SOFTWARE\\AfterRename"), STATUS_SUCCESS);
    EXPECT_EQ(read_dword(key, L"V"), 5u);
    ASSERT_EQ(zw_open(&child, L"\\REGISTRY\\MACHINE\\SOFTWARE\\AfterRename\\Child"), STATUS_SUCCESS);
    KEY_BASIC_INFORMATION info[8];
    ULONG result = 0;
    ASSERT_EQ(ZwQueryKey(child, KeyBasicInformation, info, sizeof(info), &result), STATUS_SUCCESS);
    EXPECT_EQ(info[0].LastWriteTime.QuadPart, 0x01D9000000000007LL);
    for (HANDLE h : {key, child}) ASSERT_EQ(ZwClose(h), STATUS_SUCCESS);
}

TEST(HivePersistence, CommittedChangesSurviveANewSystemOnTheSameFile) {
    HiveDirectory dir;
    const ULONGLONG qword = 0x0102030405060708ull;
    const wchar_t multi[] = L"a\0bc\0";
    {
        System system(options_for(dir.file()));
        HANDLE key = nullptr, child = nullptr, volatile_key = nullptr;
        ASSERT_EQ(zw_create_key(&key, L"\\REGISTRY\\MACHINE\\SOFTWARE\\Persist"), STATUS_SUCCESS);
        ASSERT_EQ(set_dword(key, L"Dword", 77), STATUS_SUCCESS);
        ASSERT_EQ(set_value(key, L"Qword", REG_QWORD, &qword, sizeof(qword)), STATUS_SUCCESS);
        ASSERT_EQ(set_value(key, L"Multi", REG_MULTI_SZ, multi, sizeof(multi)), STATUS_SUCCESS);
        ASSERT_EQ(set_dword(key, L"Gone", 1), STATUS_SUCCESS);
        UNICODE_STRING gone;
        RtlInitUnicodeString(&gone, L"Gone");
        ASSERT_EQ(ZwDeleteValueKey(key, &gone), STATUS_SUCCESS);
        ASSERT_EQ(zw_create_key(&child, L"Child", key), STATUS_SUCCESS);
        ASSERT_EQ(zw_create_key(&volatile_key, L"Volatile", key, REG_OPTION_VOLATILE), STATUS_SUCCESS);
        HANDLE doomed = nullptr;
        ASSERT_EQ(zw_create_key(&doomed, L"Doomed", key), STATUS_SUCCESS);
        ASSERT_EQ(ZwDeleteKey(doomed), STATUS_SUCCESS);
        for (HANDLE h : {key, child, volatile_key, doomed}) ASSERT_EQ(ZwClose(h), STATUS_SUCCESS);
    }
    System system(options_for(dir.file()));
    HANDLE key = nullptr, child = nullptr;
    ASSERT_EQ(zw_open(&key, L"\\REGISTRY\\MACHINE\\SOFTWARE\\Persist"), STATUS_SUCCESS);
    EXPECT_EQ(read_dword(key, L"Dword"), 77u);
    ULONG type = 0;
    std::vector<unsigned char> data;
    ASSERT_EQ(read_value(key, L"Qword", type, data), STATUS_SUCCESS);
    EXPECT_EQ(type, ULONG{REG_QWORD});
    EXPECT_EQ(data.size(), sizeof(qword));
    EXPECT_EQ(std::memcmp(data.data(), &qword, sizeof(qword)), 0);
    ASSERT_EQ(read_value(key, L"Multi", type, data), STATUS_SUCCESS);
    EXPECT_EQ(type, ULONG{REG_MULTI_SZ});
    EXPECT_EQ(data.size(), sizeof(multi));
    EXPECT_EQ(read_value(key, L"Gone", type, data), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(zw_open(&child, L"\\REGISTRY\\MACHINE\\SOFTWARE\\Persist\\Child"), STATUS_SUCCESS);
    HANDLE missing = nullptr;
    EXPECT_EQ(zw_open(&missing, L"\\REGISTRY\\MACHINE\\SOFTWARE\\Persist\\Volatile"), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(zw_open(&missing, L"\\REGISTRY\\MACHINE\\SOFTWARE\\Persist\\Doomed"), STATUS_OBJECT_NAME_NOT_FOUND);
    // Value order is kept.
    alignas(8) unsigned char buffer[128];
    ULONG result = 0;
    ASSERT_EQ(NtEnumerateValueKey(key, 0, KeyValueBasicInformation, buffer, sizeof(buffer), &result), STATUS_SUCCESS);
    EXPECT_EQ(std::memcmp(reinterpret_cast<KEY_VALUE_BASIC_INFORMATION*>(buffer)->Name, L"Dword", 10), 0);
    for (HANDLE h : {key, child}) EXPECT_EQ(ZwClose(h), STATUS_SUCCESS);
}

TEST(HivePersistence, ANewHiveFileStartsFromTheDefaultHiveAndKeepsTheLink) {
    HiveDirectory dir;
    { System system(options_for(dir.file())); }
    struct stat st{};
    ASSERT_EQ(::stat(dir.file().c_str(), &st), 0);
    System system(options_for(dir.file()));
    HANDLE key = nullptr;
    ASSERT_EQ(zw_open(&key, L"\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Memory Management"),
              STATUS_SUCCESS);
    EXPECT_EQ(key_path(key), u"\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001\\Control\\Session Manager\\Memory Management");
    EXPECT_EQ(ZwClose(key), STATUS_SUCCESS);
}

TEST(HivePersistence, SecurityAndClassOfAKeyArePersisted) {
    HiveDirectory dir;
    {
        System system(options_for(dir.file()));
        HANDLE key = nullptr;
        UNICODE_STRING class_name;
        RtlInitUnicodeString(&class_name, L"Kept");
        ObjectName oa(L"\\REGISTRY\\MACHINE\\SOFTWARE\\Classy");
        ASSERT_EQ(ZwCreateKey(&key, KEY_ALL_ACCESS, oa.get(), 0, &class_name, 0, nullptr), STATUS_SUCCESS);
        ASSERT_EQ(ZwClose(key), STATUS_SUCCESS);
    }
    System system(options_for(dir.file()));
    HANDLE key = nullptr;
    ASSERT_EQ(open_key(&key, L"\\REGISTRY\\MACHINE\\SOFTWARE\\Classy", KEY_READ), STATUS_SUCCESS);
    HANDLE denied = nullptr;
    // Inherited from HKLM\SOFTWARE: the application still may not write.
    EXPECT_EQ(open_key(&denied, L"\\REGISTRY\\MACHINE\\SOFTWARE\\Classy", KEY_SET_VALUE), STATUS_ACCESS_DENIED);
    alignas(8) unsigned char buffer[128];
    ULONG result = 0;
    ASSERT_EQ(NtQueryKey(key, KeyFullInformation, buffer, sizeof(buffer), &result), STATUS_SUCCESS);
    auto* full = reinterpret_cast<KEY_FULL_INFORMATION*>(buffer);
    EXPECT_EQ(full->ClassLength, 8u);
    EXPECT_EQ(std::memcmp(full->Class, L"Kept", 8), 0);
    EXPECT_EQ(NtClose(key), STATUS_SUCCESS);
}

TEST(HivePersistence, AGarbageFileIsRefusedAndLeftUnchanged) {
    HiveDirectory dir;
    std::string garbage(8192, '\0');
    for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 131 + 7) & 0xFF);
    write_file(dir.file(), garbage);
    EXPECT_EQ(refused_boot(dir.file()), STATUS_NOT_REGISTRY_FILE);
    EXPECT_EQ(read_file(dir.file()), garbage);
}

TEST(HivePersistence, AnEmptyFileIsRefusedAndLeftUnchanged) {
    HiveDirectory dir;
    write_file(dir.file(), "");
    EXPECT_EQ(refused_boot(dir.file()), STATUS_NOT_REGISTRY_FILE);
    EXPECT_EQ(read_file(dir.file()), "");
}

TEST(HivePersistence, AnotherApplicationsSqliteDatabaseIsRefusedAndLeftUnchanged) {
    HiveDirectory dir;
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir.file().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE notes(id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes(text) VALUES('x');",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    const std::string before = read_file(dir.file());
    EXPECT_EQ(refused_boot(dir.file()), STATUS_NOT_REGISTRY_FILE);
    EXPECT_EQ(read_file(dir.file()), before);
}

TEST(HivePersistence, ADamagedHiveIsRefusedAndLeftUnchanged) {
    HiveDirectory dir;
    { System system(options_for(dir.file())); }
    std::string bytes = read_file(dir.file());
    ASSERT_GT(bytes.size(), 8192u);
    // Keep the database header (page 1), wreck every page after it.
    for (std::size_t i = 4096; i < bytes.size(); ++i) bytes[i] = static_cast<char>(0xA5 ^ (i & 0x3F));
    write_file(dir.file(), bytes);
    const NTSTATUS status = refused_boot(dir.file());
    EXPECT_TRUE(status == STATUS_REGISTRY_CORRUPT || status == STATUS_NOT_REGISTRY_FILE) << std::hex << status;
    EXPECT_EQ(read_file(dir.file()), bytes);
}

TEST(HivePersistence, AHiveInUseByAnotherSystemIsRefused) {
    HiveDirectory dir;
    System owner(options_for(dir.file()));
    EXPECT_EQ(refused_boot(dir.file()), STATUS_SHARING_VIOLATION);
}

// Runs the crash writer on `hive` (with `mode`, or none), reads `count` indexes it reports, then
// kills it with SIGKILL. The indexes reported.
std::set<unsigned long> run_and_kill_writer(std::string hive, const char* mode, std::size_t count) {
    std::set<unsigned long> reported;
    int pipe_fds[2];
    EXPECT_EQ(pipe(pipe_fds), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
    char* args[] = {const_cast<char*>(NTIO_REGISTRY_CRASH_WRITER), hive.data(), const_cast<char*>(mode), nullptr};
    pid_t child = 0;
    EXPECT_EQ(posix_spawn(&child, NTIO_REGISTRY_CRASH_WRITER, &actions, nullptr, args, environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_fds[1]);
    FILE* in = fdopen(pipe_fds[0], "r");
    EXPECT_NE(in, nullptr);
    if (!in) return reported;
    unsigned long index = 0;
    while (reported.size() < count && fscanf(in, "%lu", &index) == 1) reported.insert(index);
    kill(child, SIGKILL);
    int wstatus = 0;
    EXPECT_EQ(waitpid(child, &wstatus, 0), child);
    fclose(in);
    EXPECT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL);
    return reported;
}

// A transaction's values reach the hive file together: after a kill -9 of a writer committing one
// transaction after another (a<i> and b<i> each), every reported commit is whole in the file, and no
// transaction is there in part (one in flight is wholly there or wholly absent).
TEST(HivePersistence, TransactedCommitsAreWholeAfterKillDashNine) {
    HiveDirectory dir;
    constexpr std::size_t kReported = 100;
    const std::set<unsigned long> reported = run_and_kill_writer(dir.file(), "transacted", kReported);
    ASSERT_EQ(reported.size(), kReported);
    System system(options_for(dir.file()));
    HANDLE key = nullptr;
    ASSERT_EQ(zw_open(&key, L"\\REGISTRY\\MACHINE\\SOFTWARE\\CrashTest"), STATUS_SUCCESS);
    const unsigned long last = *reported.rbegin();
    for (unsigned long i = 0; i <= last + 2; ++i) {
        std::u16string a = u"a", b = u"b";
        for (char c : std::to_string(i)) {
            a.push_back(static_cast<char16_t>(c));
            b.push_back(static_cast<char16_t>(c));
        }
        ULONG type = 0;
        std::vector<unsigned char> data;
        const bool has_a = read_value(key, wide(a), type, data) == STATUS_SUCCESS;
        const bool has_b = read_value(key, wide(b), type, data) == STATUS_SUCCESS;
        EXPECT_EQ(has_a, has_b) << "transaction " << i << " is in the file in part";
        if (reported.count(i)) {
            EXPECT_TRUE(has_a) << "reported commit " << i << " is missing";
        }
    }
    EXPECT_EQ(ZwClose(key), STATUS_SUCCESS);
}

// Every value the writer reported as set (NtSetValueKey returned success) is in the hive after a
// kill -9 of the writer at an arbitrary point.
TEST(HivePersistence, CommittedValuesSurviveKillDashNine) {
    HiveDirectory dir;
    int pipe_fds[2];
    ASSERT_EQ(pipe(pipe_fds), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
    std::string hive = dir.file();
    char* args[] = {const_cast<char*>(NTIO_REGISTRY_CRASH_WRITER), hive.data(), nullptr};
    pid_t child = 0;
    ASSERT_EQ(posix_spawn(&child, NTIO_REGISTRY_CRASH_WRITER, &actions, nullptr, args, environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_fds[1]);

    constexpr unsigned long kReported = 300;
    std::set<unsigned long> reported;
    FILE* in = fdopen(pipe_fds[0], "r");
    ASSERT_NE(in, nullptr);
    unsigned long index = 0;
    while (reported.size() < kReported && fscanf(in, "%lu", &index) == 1) reported.insert(index);
    kill(child, SIGKILL);
    int wstatus = 0;
    ASSERT_EQ(waitpid(child, &wstatus, 0), child);
    fclose(in);
    EXPECT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL);
    ASSERT_EQ(reported.size(), kReported);

    System system(options_for(hive));
    HANDLE key = nullptr;
    ASSERT_EQ(zw_open(&key, L"\\REGISTRY\\MACHINE\\SOFTWARE\\CrashTest"), STATUS_SUCCESS);
    for (unsigned long i : reported) {
        std::u16string name = u"v";
        for (char c : std::to_string(i)) name.push_back(static_cast<char16_t>(c));
        EXPECT_EQ(read_dword(key, wide(name)), i);
    }
    EXPECT_EQ(ZwClose(key), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test

// HiveStore: the SQLite file behind a hive. Every committed change of a non-volatile key is one
// transaction (WAL journal), so it survives a kill -9 of the process; NtFlushKey checkpoints and syncs.
// A file that is not an ntio hive, or a damaged one, is refused before anything is written to it.
#pragma once

#include "config/key_node.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace ntio::config {

class HiveStore {
public:
    // Opens `path`: an existing file is first checked through a read-only connection (a SQLite
    // database whose application_id is ntio's, a known schema version, passing quick_check) and
    // refused with STATUS_NOT_REGISTRY_FILE or STATUS_REGISTRY_CORRUPT and a message naming the file;
    // a missing file is created empty (*created = true). The store then holds the file exclusively
    // until it is destroyed: a file another System holds is STATUS_SHARING_VIOLATION. PASSIVE_LEVEL.
    static NTSTATUS open(const std::string& path, std::unique_ptr<HiveStore>& out, bool& created,
                         std::string& message);
    ~HiveStore();
    HiveStore(const HiveStore&) = delete;
    HiveStore& operator=(const HiveStore&) = delete;

    const std::string& path() const noexcept { return m_path; }

    // Reads the whole tree. STATUS_REGISTRY_CORRUPT (with a message) when rows do not form one tree
    // under a REGISTRY root or hold malformed data.
    NTSTATUS load(NodeRef& root, std::string& message);

    // Changes: each its own transaction unless inside begin()/commit(). Failures are
    // STATUS_REGISTRY_IO_FAILED and leave the file as it was.
    NTSTATUS insert_key(KeyNode& node, std::int64_t parent_id);   // assigns node.id
    NTSTATUS delete_key(std::int64_t id);                         // the key and its values
    NTSTATUS set_value(std::int64_t key_id, const KeyValue& value, std::int64_t last_write);
    NTSTATUS delete_value(std::int64_t key_id, std::u16string_view value_name, std::int64_t last_write);
    NTSTATUS touch_key(std::int64_t key_id, std::int64_t last_write);
    NTSTATUS rename_key(std::int64_t key_id, std::u16string_view name);
    // Groups the following changes into one transaction until the matching commit(); nests.
    NTSTATUS begin();
    NTSTATUS commit();
    void rollback() noexcept;
    // Makes every committed change durable on disk (checkpoint + fsync).
    NTSTATUS flush();

private:
    explicit HiveStore(std::string path) : m_path(std::move(path)) {}
    NTSTATUS exec(const char* sql) noexcept;
    NTSTATUS prepare_all();
    template <class Fn>
    NTSTATUS in_transaction(Fn&& fn);

    std::string m_path;
    sqlite3* m_db = nullptr;
    int m_depth = 0;  // begin() nesting
    sqlite3_stmt* m_insert_key = nullptr;
    sqlite3_stmt* m_delete_key = nullptr;
    sqlite3_stmt* m_delete_key_values = nullptr;
    sqlite3_stmt* m_set_value = nullptr;
    sqlite3_stmt* m_delete_value = nullptr;
    sqlite3_stmt* m_touch_key = nullptr;
    sqlite3_stmt* m_rename_key = nullptr;
};

}  // namespace ntio::config

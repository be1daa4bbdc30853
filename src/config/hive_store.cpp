// The SQLite hive file: validation before use, schema, whole-tree load and one transaction per change.
// Names and data are stored as UTF-16LE blobs exactly as the services received them.
#include "config/hive_store.hpp"

#include <filesystem>

#include <sqlite3.h>

#include <unordered_map>

namespace ntio::config {
namespace {

// PRAGMA application_id of an ntio hive ("ntio") and the schema version in PRAGMA user_version.
constexpr int kApplicationId = 0x6E74696F;
constexpr int kSchemaVersion = 1;

constexpr const char* kSchema =
    "CREATE TABLE ntio_keys(id INTEGER PRIMARY KEY, parent INTEGER NOT NULL, name BLOB NOT NULL,"
    " class BLOB NOT NULL, last_write INTEGER NOT NULL, flags INTEGER NOT NULL, security BLOB);"
    "CREATE TABLE ntio_values(key_id INTEGER NOT NULL, upname BLOB NOT NULL, name BLOB NOT NULL,"
    " seq INTEGER NOT NULL, type INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY(key_id, upname));";

std::string in_quotes(const std::string& path) { return "hive file '" + path + "'"; }

int pragma_int(sqlite3* db, const char* sql, int* rc)
{
    sqlite3_stmt* stmt = nullptr;
    int value = 0;
    *rc = sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
    if (*rc == SQLITE_OK) {
        *rc = sqlite3_step(stmt);
        if (*rc == SQLITE_ROW) {
            value = sqlite3_column_int(stmt, 0);
            *rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(stmt);
    return value;
}

// Checks an existing file through a read-only connection, so a foreign or damaged file is never
// written (a read-write connection could checkpoint a foreign WAL into it on close).
NTSTATUS validate_existing(const std::string& path, std::string& message)
{
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    if (rc != SQLITE_OK) {
        message = "ntio: cannot open " + in_quotes(path) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return STATUS_CANNOT_LOAD_REGISTRY_FILE;
    }
    NTSTATUS status = STATUS_SUCCESS;
    const int app_id = pragma_int(db, "PRAGMA application_id", &rc);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        message = "ntio: " + in_quotes(path) + " is in use by another ntio System";
        status = STATUS_SHARING_VIOLATION;
    } else if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT) {
        message = "ntio: " + in_quotes(path) + " is not an ntio registry hive (not a SQLite database); it was left unchanged";
        status = STATUS_NOT_REGISTRY_FILE;
    } else if (rc != SQLITE_OK) {
        message = "ntio: cannot read " + in_quotes(path) + ": " + sqlite3_errmsg(db);
        status = STATUS_CANNOT_LOAD_REGISTRY_FILE;
    } else if (app_id != kApplicationId) {
        message = "ntio: " + in_quotes(path) + " is a SQLite database but not an ntio registry hive; it was left unchanged";
        status = STATUS_NOT_REGISTRY_FILE;
    } else {
        const int version = pragma_int(db, "PRAGMA user_version", &rc);
        if (rc != SQLITE_OK || version != kSchemaVersion) {
            message = "ntio: " + in_quotes(path) + " has hive schema version " + std::to_string(version) +
                      ", this ntio reads version " + std::to_string(kSchemaVersion) + "; it was left unchanged";
            status = STATUS_NOT_REGISTRY_FILE;
        } else {
            sqlite3_stmt* stmt = nullptr;
            std::string verdict;
            rc = sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &stmt, nullptr);
            if (rc == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
                const unsigned char* text = sqlite3_column_text(stmt, 0);
                verdict = text ? reinterpret_cast<const char*>(text) : "";
            } else {
                verdict = sqlite3_errmsg(db);
            }
            sqlite3_finalize(stmt);
            if (verdict != "ok") {
                message = "ntio: " + in_quotes(path) + " is a damaged registry hive (" + verdict + "); it was left unchanged";
                status = STATUS_REGISTRY_CORRUPT;
            }
        }
    }
    sqlite3_close(db);
    return status;
}

void bind_text16(sqlite3_stmt* stmt, int index, std::u16string_view text)
{
    sqlite3_bind_blob(stmt, index, text.empty() ? "" : static_cast<const void*>(text.data()),
                      static_cast<int>(text.size() * sizeof(char16_t)), SQLITE_TRANSIENT);
}

std::u16string column_text16(sqlite3_stmt* stmt, int column, bool* ok)
{
    const int bytes = sqlite3_column_bytes(stmt, column);
    const void* data = sqlite3_column_blob(stmt, column);
    if (bytes % 2) *ok = false;
    std::u16string out(static_cast<std::size_t>(bytes) / 2, u'\0');
    if (bytes >= 2 && data) std::memcpy(out.data(), data, out.size() * sizeof(char16_t));
    return out;
}

// Resets a cached statement whatever happens to the step.
struct StatementReset {
    sqlite3_stmt* stmt;
    ~StatementReset()
    {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
    }
};

}  // namespace

NTSTATUS HiveStore::open(const std::string& path, std::unique_ptr<HiveStore>& out, bool& created, std::string& message)
{
    created = false;
    std::error_code error;
    const std::filesystem::file_status st = std::filesystem::status(path, error);
    const bool exists = std::filesystem::exists(st);
    if (exists) {
        if (!std::filesystem::is_regular_file(st)) {
            message = "ntio: " + in_quotes(path) + " is not a regular file";
            return STATUS_CANNOT_LOAD_REGISTRY_FILE;
        }
        NTSTATUS status = validate_existing(path, message);
        if (!NT_SUCCESS(status)) return status;
    }
    std::unique_ptr<HiveStore> store(new HiveStore(path));
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (exists ? 0 : SQLITE_OPEN_CREATE);
    int rc = sqlite3_open_v2(path.c_str(), &store->m_db, flags, nullptr);
    if (rc != SQLITE_OK) {
        message = "ntio: cannot open " + in_quotes(path) + " for writing: " +
                  (store->m_db ? sqlite3_errmsg(store->m_db) : sqlite3_errstr(rc));
        return STATUS_CANNOT_LOAD_REGISTRY_FILE;
    }
    // WAL: a commit is one append to the log; NORMAL syncs at checkpoints, which a process crash
    // cannot lose (the kernel holds the written pages). NtFlushKey forces the sync. The System owns
    // the file while it runs (exclusive lock, taken now): a second System would fork the tree.
    NTSTATUS status = store->exec("PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
    if (NT_SUCCESS(status) && !NT_SUCCESS(store->exec("BEGIN IMMEDIATE; COMMIT;"))) {
        message = "ntio: " + in_quotes(path) + " is in use by another ntio System";
        return STATUS_SHARING_VIOLATION;
    }
    if (NT_SUCCESS(status) && !exists) {
        std::string schema = "BEGIN IMMEDIATE;" + std::string(kSchema) + "PRAGMA application_id=" +
                             std::to_string(kApplicationId) + "; PRAGMA user_version=" +
                             std::to_string(kSchemaVersion) + "; COMMIT;";
        status = store->exec(schema.c_str());
        created = NT_SUCCESS(status);
    }
    if (NT_SUCCESS(status)) status = store->prepare_all();
    if (!NT_SUCCESS(status)) {
        message = "ntio: cannot initialise " + in_quotes(path) + ": " + sqlite3_errmsg(store->m_db);
        return status;
    }
    out = std::move(store);
    return STATUS_SUCCESS;
}

HiveStore::~HiveStore()
{
    for (sqlite3_stmt* stmt :
         {m_insert_key, m_delete_key, m_delete_key_values, m_set_value, m_delete_value, m_touch_key, m_rename_key})
        sqlite3_finalize(stmt);
    sqlite3_close(m_db);
}

NTSTATUS HiveStore::exec(const char* sql) noexcept
{
    return sqlite3_exec(m_db, sql, nullptr, nullptr, nullptr) == SQLITE_OK ? STATUS_SUCCESS : STATUS_REGISTRY_IO_FAILED;
}

NTSTATUS HiveStore::prepare_all()
{
    struct Item {
        sqlite3_stmt** stmt;
        const char* sql;
    };
    const Item items[] = {
        {&m_insert_key,
         "INSERT INTO ntio_keys(parent, name, class, last_write, flags, security) VALUES(?1, ?2, ?3, ?4, ?5, ?6)"},
        {&m_delete_key, "DELETE FROM ntio_keys WHERE id = ?1"},
        {&m_delete_key_values, "DELETE FROM ntio_values WHERE key_id = ?1"},
        {&m_set_value,
         "INSERT OR REPLACE INTO ntio_values(key_id, upname, name, seq, type, data) VALUES(?1, ?2, ?3, ?4, ?5, ?6)"},
        {&m_delete_value, "DELETE FROM ntio_values WHERE key_id = ?1 AND upname = ?2"},
        {&m_touch_key, "UPDATE ntio_keys SET last_write = ?2 WHERE id = ?1"},
        {&m_rename_key, "UPDATE ntio_keys SET name = ?2 WHERE id = ?1"},
    };
    for (const Item& item : items)
        if (sqlite3_prepare_v3(m_db, item.sql, -1, SQLITE_PREPARE_PERSISTENT, item.stmt, nullptr) != SQLITE_OK)
            return STATUS_REGISTRY_IO_FAILED;
    return STATUS_SUCCESS;
}

template <class Fn>
NTSTATUS HiveStore::in_transaction(Fn&& fn)
{
    NTSTATUS status = begin();
    if (!NT_SUCCESS(status)) return status;
    status = fn();
    if (!NT_SUCCESS(status)) {
        rollback();
        return status;
    }
    return commit();
}

NTSTATUS HiveStore::begin()
{
    if (m_depth > 0) {
        ++m_depth;
        return STATUS_SUCCESS;
    }
    NTSTATUS status = exec("BEGIN IMMEDIATE");
    if (NT_SUCCESS(status)) m_depth = 1;
    return status;
}

NTSTATUS HiveStore::commit()
{
    if (m_depth == 0) return STATUS_SUCCESS;
    if (--m_depth > 0) return STATUS_SUCCESS;
    NTSTATUS status = exec("COMMIT");
    if (!NT_SUCCESS(status)) exec("ROLLBACK");
    return status;
}

// Only the outermost level rolls back; a nested failure leaves the decision to the outer commit
// (the tree already shows the nested changes that succeeded).
void HiveStore::rollback() noexcept
{
    if (m_depth == 0) return;
    if (--m_depth > 0) return;
    exec("ROLLBACK");
}

NTSTATUS HiveStore::insert_key(KeyNode& node, std::int64_t parent_id)
{
    return in_transaction([&]() -> NTSTATUS {
        StatementReset reset{m_insert_key};
        sqlite3_bind_int64(m_insert_key, 1, parent_id);
        bind_text16(m_insert_key, 2, node.name);
        bind_text16(m_insert_key, 3, node.class_name);
        sqlite3_bind_int64(m_insert_key, 4, node.last_write);
        sqlite3_bind_int64(m_insert_key, 5, node.flags & kKeyLink);
        if (node.security.empty())
            sqlite3_bind_null(m_insert_key, 6);
        else
            sqlite3_bind_blob(m_insert_key, 6, node.security.get(), static_cast<int>(node.security.length()),
                              SQLITE_TRANSIENT);
        if (sqlite3_step(m_insert_key) != SQLITE_DONE) return STATUS_REGISTRY_IO_FAILED;
        node.id = sqlite3_last_insert_rowid(m_db);
        return STATUS_SUCCESS;
    });
}

NTSTATUS HiveStore::delete_key(std::int64_t id)
{
    return in_transaction([&]() -> NTSTATUS {
        {
            StatementReset reset{m_delete_key_values};
            sqlite3_bind_int64(m_delete_key_values, 1, id);
            if (sqlite3_step(m_delete_key_values) != SQLITE_DONE) return STATUS_REGISTRY_IO_FAILED;
        }
        StatementReset reset{m_delete_key};
        sqlite3_bind_int64(m_delete_key, 1, id);
        return sqlite3_step(m_delete_key) == SQLITE_DONE ? STATUS_SUCCESS : STATUS_REGISTRY_IO_FAILED;
    });
}

NTSTATUS HiveStore::touch_key(std::int64_t key_id, std::int64_t last_write)
{
    return in_transaction([&]() -> NTSTATUS {
        StatementReset reset{m_touch_key};
        sqlite3_bind_int64(m_touch_key, 1, key_id);
        sqlite3_bind_int64(m_touch_key, 2, last_write);
        return sqlite3_step(m_touch_key) == SQLITE_DONE ? STATUS_SUCCESS : STATUS_REGISTRY_IO_FAILED;
    });
}

NTSTATUS HiveStore::rename_key(std::int64_t key_id, std::u16string_view name)
{
    return in_transaction([&]() -> NTSTATUS {
        StatementReset reset{m_rename_key};
        sqlite3_bind_int64(m_rename_key, 1, key_id);
        bind_text16(m_rename_key, 2, name);
        return sqlite3_step(m_rename_key) == SQLITE_DONE ? STATUS_SUCCESS : STATUS_REGISTRY_IO_FAILED;
    });
}

NTSTATUS HiveStore::set_value(std::int64_t key_id, const KeyValue& value, std::int64_t last_write)
{
    return in_transaction([&]() -> NTSTATUS {
        {
            StatementReset reset{m_set_value};
            sqlite3_bind_int64(m_set_value, 1, key_id);
            bind_text16(m_set_value, 2, upcase(value.name));
            bind_text16(m_set_value, 3, value.name);
            sqlite3_bind_int64(m_set_value, 4, value.sequence);
            sqlite3_bind_int64(m_set_value, 5, value.type);
            sqlite3_bind_blob(m_set_value, 6, value.data.empty() ? "" : static_cast<const void*>(value.data.data()),
                              static_cast<int>(value.data.size()), SQLITE_TRANSIENT);
            if (sqlite3_step(m_set_value) != SQLITE_DONE) return STATUS_REGISTRY_IO_FAILED;
        }
        StatementReset reset{m_touch_key};
        sqlite3_bind_int64(m_touch_key, 1, key_id);
        sqlite3_bind_int64(m_touch_key, 2, last_write);
        return sqlite3_step(m_touch_key) == SQLITE_DONE ? STATUS_SUCCESS : STATUS_REGISTRY_IO_FAILED;
    });
}

NTSTATUS HiveStore::delete_value(std::int64_t key_id, std::u16string_view value_name, std::int64_t last_write)
{
    return in_transaction([&]() -> NTSTATUS {
        {
            StatementReset reset{m_delete_value};
            sqlite3_bind_int64(m_delete_value, 1, key_id);
            bind_text16(m_delete_value, 2, upcase(value_name));
            if (sqlite3_step(m_delete_value) != SQLITE_DONE) return STATUS_REGISTRY_IO_FAILED;
        }
        StatementReset reset{m_touch_key};
        sqlite3_bind_int64(m_touch_key, 1, key_id);
        sqlite3_bind_int64(m_touch_key, 2, last_write);
        return sqlite3_step(m_touch_key) == SQLITE_DONE ? STATUS_SUCCESS : STATUS_REGISTRY_IO_FAILED;
    });
}

NTSTATUS HiveStore::flush()
{
    int log = 0, checkpointed = 0;
    if (sqlite3_wal_checkpoint_v2(m_db, nullptr, SQLITE_CHECKPOINT_FULL, &log, &checkpointed) != SQLITE_OK)
        return STATUS_REGISTRY_IO_FAILED;
    return STATUS_SUCCESS;
}

NTSTATUS HiveStore::load(NodeRef& root, std::string& message)
{
    auto corrupt = [&](const std::string& why) {
        message = "ntio: " + in_quotes(m_path) + " is a damaged registry hive (" + why + "); it was left unchanged";
        return STATUS_REGISTRY_CORRUPT;
    };
    std::unordered_map<std::int64_t, NodeRef> nodes;
    root.reset();
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(m_db, "SELECT id, parent, name, class, last_write, flags, security FROM ntio_keys ORDER BY id",
                           -1, &stmt, nullptr) != SQLITE_OK)
        return corrupt(sqlite3_errmsg(m_db));
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        bool ok = true;
        auto node = std::make_shared<KeyNode>();
        node->id = sqlite3_column_int64(stmt, 0);
        const std::int64_t parent = sqlite3_column_int64(stmt, 1);
        node->name = column_text16(stmt, 2, &ok);
        node->class_name = column_text16(stmt, 3, &ok);
        node->last_write = sqlite3_column_int64(stmt, 4);
        node->flags = static_cast<ULONG>(sqlite3_column_int64(stmt, 5)) & kKeyLink;
        if (sqlite3_column_type(stmt, 6) != SQLITE_NULL) {
            const void* sd = sqlite3_column_blob(stmt, 6);
            const int sd_length = sqlite3_column_bytes(stmt, 6);
            if (!sd || !NT_SUCCESS(se::SecurityDescriptor::capture_relative(sd, static_cast<std::size_t>(sd_length),
                                                                             node->security)))
                ok = false;
        }
        if (!ok || node->name.empty() || node->name.size() > kMaxKeyNameChars) {
            sqlite3_finalize(stmt);
            return corrupt("key row " + std::to_string(node->id) + " is malformed");
        }
        if (parent == 0) {
            if (root) {
                sqlite3_finalize(stmt);
                return corrupt("more than one root key");
            }
            root = node;
        } else {
            // A child is always inserted after its parent, so its row id is larger: this also rules out cycles.
            auto it = parent >= node->id ? nodes.end() : nodes.find(parent);
            if (it == nodes.end()) {
                sqlite3_finalize(stmt);
                return corrupt("key row " + std::to_string(node->id) + " has no parent");
            }
            auto [slot, inserted] = it->second->children.emplace(upcase(node->name), node);
            if (!inserted) {
                sqlite3_finalize(stmt);
                return corrupt("duplicate key name in row " + std::to_string(node->id));
            }
            node->parent = it->second.get();
        }
        nodes.emplace(node->id, node);
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) return corrupt(sqlite3_errmsg(m_db));
    if (!root) return STATUS_SUCCESS;  // a new, empty hive

    if (sqlite3_prepare_v2(m_db, "SELECT key_id, name, seq, type, data FROM ntio_values ORDER BY key_id, seq", -1,
                           &stmt, nullptr) != SQLITE_OK)
        return corrupt(sqlite3_errmsg(m_db));
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        bool ok = true;
        auto it = nodes.find(sqlite3_column_int64(stmt, 0));
        KeyValue value;
        value.name = column_text16(stmt, 1, &ok);
        value.sequence = sqlite3_column_int64(stmt, 2);
        value.type = static_cast<ULONG>(sqlite3_column_int64(stmt, 3));
        const int bytes = sqlite3_column_bytes(stmt, 4);
        const auto* data = static_cast<const unsigned char*>(sqlite3_column_blob(stmt, 4));
        if (bytes > 0 && data) value.data.assign(data, data + bytes);
        if (!ok || it == nodes.end() || it->second->find_value(value.name)) {
            sqlite3_finalize(stmt);
            return corrupt("a value row is malformed or belongs to no key");
        }
        it->second->values.push_back(std::move(value));
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) return corrupt(sqlite3_errmsg(m_db));
    return STATUS_SUCCESS;
}

}  // namespace ntio::config

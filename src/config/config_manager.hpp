// ConfigManager: the configuration manager of one System. Owns the key tree (\REGISTRY, MACHINE,
// USER and below), the hive store that persists its non-volatile keys, and the operations the
// Nt*Key services, the Key object type and the .reg import/export run on it. One reader/writer lock
// guards the whole tree; a change is committed to the store before the tree shows it.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "config/key_node.hpp"
#include "config/key_notify.hpp"
#include "config/key_transaction.hpp"
#include "config/registry_callbacks.hpp"

namespace ntio::ob { class ObjectManager; }
namespace ntio::se { class Token; }

namespace ntio::config {

class HiveStore;
struct KeyBody;

// What NtCreateKey asks for when the last component is missing.
struct CreateKeyRequest {
    ULONG options = 0;                              // REG_OPTION_*
    std::u16string class_name;
    const se::SecurityDescriptor* security = nullptr;  // null: a copy of the parent's
};

class ConfigManager {
public:
    // Builds the tree. `hive_path` empty: an in-memory hive from the embedded default .reg. Else the
    // file (created and filled from the default .reg when missing). A refused file returns its
    // status and a one-line message naming it. PASSIVE_LEVEL.
    static NTSTATUS create(const std::string& hive_path, std::unique_ptr<ConfigManager>& out, std::string& message);
    ~ConfigManager();
    ConfigManager(const ConfigManager&) = delete;
    ConfigManager& operator=(const ConfigManager&) = delete;

    // Enters \REGISTRY in the object namespace (after the object manager booted).
    NTSTATUS start(ob::ObjectManager& objects);

    const std::string& hive_path() const noexcept { return m_hive_path; }
    NodeRef root() const { return m_root; }

    // ---- Names ----
    // Walks `remaining` ("" or "\A\B") below `start`. Without `create` the key must exist; with it a
    // missing last component is created (*disposition says which). A link key met before the end, or
    // at the end without `open_link`, gives STATUS_REPARSE with the new absolute name in *reparse.
    // `token` (null for kernel callers) must hold KEY_CREATE_SUB_KEY on the parent of a created key.
    // `tx` (null outside a transaction) walks the tree as that transaction sees it and creates the
    // key in it.
    NTSTATUS resolve(const NodeRef& start, std::u16string_view remaining, const CreateKeyRequest* create,
                     bool open_link, const se::Token* token, NodeRef& out, ULONG* disposition,
                     std::u16string* reparse, TxContext* tx = nullptr);
    // Absolute names ("\REGISTRY\MACHINE\..."), links followed. create_path creates every missing
    // component with `options`.
    NTSTATUS open_path(std::u16string_view path, NodeRef& out);
    NTSTATUS create_path(std::u16string_view path, ULONG options, NodeRef& out, ULONG* disposition = nullptr);
    // "\REGISTRY\MACHINE\SOFTWARE" (STATUS_KEY_DELETED once deleted).
    NTSTATUS full_path(const KeyNode& node, std::u16string& out) const;

    // ---- Values and keys (each an NT service's core; the node comes from an open handle) ----
    // `tx` is the transaction the handle is bound to (null: none). In a transaction the change is
    // kept in it until the outcome (STATUS_TRANSACTIONAL_CONFLICT when another transaction holds the
    // key, STATUS_TRANSACTION_NOT_ACTIVE once it is over); outside one, a change to a key a
    // transaction holds first rolls that transaction back.
    NTSTATUS set_value(KeyNode& node, std::u16string_view name, ULONG type, const void* data, ULONG size,
                       TxContext* tx = nullptr);
    NTSTATUS delete_value(KeyNode& node, std::u16string_view name, TxContext* tx = nullptr);
    // STATUS_CANNOT_DELETE with subkeys or for a hive root; the node is marked deleted.
    NTSTATUS delete_key(KeyNode& node, TxContext* tx = nullptr);
    // The key and everything below it (.reg "[-key]").
    NTSTATUS delete_tree(KeyNode& node);
    NTSTATUS flush();
    // NtRenameKey: `new_name` is one name component. STATUS_ACCESS_DENIED for a hive root,
    // STATUS_CANNOT_DELETE when a sibling already has the name. `token` (null for kernel callers)
    // needs KEY_CREATE_SUB_KEY on the parent and DELETE on every key of the renamed subtree.
    NTSTATUS rename_key(KeyNode& node, std::u16string_view new_name, const se::Token* token);
    // NtSetInformationKey(KeyWriteTimeInformation): the key's LastWriteTime becomes `time`.
    NTSTATUS set_last_write(KeyNode& node, std::int64_t time);
    // The hive a key lives in: the key right below MACHINE or USER that holds it (SOFTWARE, SYSTEM,
    // a user's key), or the root for \REGISTRY, MACHINE and USER themselves. Null once deleted.
    const KeyNode* hive_of(const KeyNode& node) const;

    // Information classes: `out` receives the bytes to copy to the caller (at most `length`),
    // *result_length the size of the whole answer. STATUS_BUFFER_TOO_SMALL when `length` cannot hold
    // the fixed part (nothing written), STATUS_BUFFER_OVERFLOW when it holds only the fixed part.
    // A `tx` reads the key as that transaction sees it; others read what is committed.
    NTSTATUS query_key(KeyNode& node, KEY_INFORMATION_CLASS info_class, ULONG length, std::vector<unsigned char>& out,
                       ULONG& result_length, TxContext* tx = nullptr);
    NTSTATUS enumerate_key(KeyNode& node, ULONG index, KEY_INFORMATION_CLASS info_class, ULONG length,
                           std::vector<unsigned char>& out, ULONG& result_length, TxContext* tx = nullptr);
    NTSTATUS query_value(KeyNode& node, std::u16string_view name, KEY_VALUE_INFORMATION_CLASS info_class,
                         ULONG length, std::vector<unsigned char>& out, ULONG& result_length,
                         TxContext* tx = nullptr);
    NTSTATUS enumerate_value(KeyNode& node, ULONG index, KEY_VALUE_INFORMATION_CLASS info_class, ULONG length,
                             std::vector<unsigned char>& out, ULONG& result_length, TxContext* tx = nullptr);
    // NtQueryMultipleValueKey's read: the values named, in the order given, taken at one instant.
    // STATUS_OBJECT_NAME_NOT_FOUND when any is missing.
    NTSTATUS query_values(KeyNode& node, const std::vector<std::u16string>& names, std::vector<KeyValue>& out,
                          TxContext* tx = nullptr);

    // ---- Transactions (key_transaction.cpp) ----
    // The registry's context in `transaction`, made and enlisted (the registry is a resource manager
    // of the KTM) on first use. STATUS_TRANSACTION_NOT_ACTIVE once commit or rollback has begun.
    NTSTATUS bind_transaction(PKTRANSACTION transaction, TxRef& out);

    // Whether a key below `top` is open (a node a Key object holds is referenced beyond the tree).
    bool keys_open_below(const KeyNode& top) const;

    // Runs `fn` with the tree locked for reading (export, inspection).
    template <class Fn>
    void read_locked(Fn&& fn) const
    {
        std::shared_lock lock(m_lock);
        fn();
    }
    // Groups the changes `fn` makes into one store transaction (imports); `fn` returns a status.
    NTSTATUS batch(const std::function<NTSTATUS()>& fn);

    std::size_t key_count() const;

    // The CmRegisterCallback(Ex) registrations of this System.
    RegistryCallbacks& callbacks() noexcept { return m_callbacks; }

    // ---- Loaded hives (NtLoadKey, NtUnloadKey; loaded_hives.cpp) ----
    // Where a loaded hive's text goes back: the file NtLoadKey opened, held until the unload.
    class HiveFile {
    public:
        virtual ~HiveFile() = default;
        virtual NTSTATUS write(const std::string& text) = 0;
    };
    // Mounts `name` (one component) below `parent` (MACHINE or USER) as a hive filled from `text`,
    // what a save wrote (empty: an empty hive). Its keys never go to the system store: the whole
    // hive is written back to `file` by flush_hive and unload_hive. STATUS_OBJECT_NAME_COLLISION when
    // `parent` has such a key; STATUS_REGISTRY_CORRUPT (with `message`) for text that is not a saved
    // key, leaving nothing behind. PASSIVE_LEVEL.
    NTSTATUS load_hive(KeyNode& parent, std::u16string_view name, std::string_view text,
                       std::unique_ptr<HiveFile> file, std::string& message, NodeRef& out);
    // Writes the loaded hive rooted at `root` back, then removes it (its keys read as deleted).
    // STATUS_INVALID_PARAMETER when `root` is not a loaded hive's root; STATUS_CANNOT_DELETE while a
    // key of the hive is open, unless `force`. `root` is the caller's only reference besides the tree's.
    NTSTATUS unload_hive(NodeRef root, bool force);
    // Runs `fn` on the file of the loaded hive rooted at `root`, with the hive list locked (no load,
    // unload or write-back meanwhile). STATUS_INVALID_PARAMETER when `root` is no loaded hive's root.
    NTSTATUS with_hive_file(const KeyNode& root, const std::function<NTSTATUS(HiveFile&)>& fn);
    // Writes back the loaded hive holding `node`; nothing to do for other keys.
    NTSTATUS flush_hive(const KeyNode& node);
    // Every loaded hive written back and removed (system shutdown).
    void unload_all_hives() noexcept;
    // True the first time: the caller arranges for unload_all_hives at shutdown.
    bool claim_hive_shutdown() noexcept { return !m_hive_shutdown_claimed.exchange(true); }

    // ---- Change notification (key_notify.cpp) ----
    // Arms `post` on the key object's notify block, made with `filter` (REG_NOTIFY_CHANGE_*) and
    // `watch_tree` by the object's first request; later requests keep the first ones (Learn,
    // RegNotifyChangeKeyValue: other parameters "will be ignored"). STATUS_PENDING when armed;
    // STATUS_KEY_DELETED for a deleted key, STATUS_NOTIFY_CLEANUP once the object's last handle closed.
    // `counted` false: a second block for a request armed (and counted) on another key too
    // (NtNotifyChangeMultipleKeys' subordinate key); it completes once, through either.
    NTSTATUS arm_notify(KeyBody& key, ULONG filter, bool watch_tree, const PostRef& post, bool counted = true);
    // A request armed only uncounted, whose counted arming failed: it never completes.
    void retire_uncounted_post(const PostRef& post);
    // The key object's last handle closed (or the object goes): its armed requests complete with
    // STATUS_NOTIFY_CLEANUP and the block is retired. PASSIVE_LEVEL, no registry lock held.
    void close_notify(KeyBody& key);

private:
    // The tree's exclusive lock; notifications a change collected run after it is released.
    class WriteLock {
    public:
        explicit WriteLock(ConfigManager& manager) : m_manager(manager), m_lock(manager.m_lock) {}
        ~WriteLock();
        WriteLock(const WriteLock&) = delete;
        WriteLock& operator=(const WriteLock&) = delete;

    private:
        ConfigManager& m_manager;
        std::unique_lock<std::shared_mutex> m_lock;
    };

    ConfigManager() = default;
    // A change of `node` (REG_NOTIFY_CHANGE_* bits): the requests it satisfies move to the pending
    // list, delivered when the WriteLock goes. One branch while nothing is armed.
    void report_locked(const KeyNode& node, ULONG change)
    {
        if (m_notify_armed.load(std::memory_order_relaxed) == 0) [[likely]]
            return;
        report_armed_locked(node, change);
    }
    void report_armed_locked(const KeyNode& node, ULONG change);
    void report_deleted_locked(const KeyNode& node);
    void take_posts_locked(NotifyBlock& block, NTSTATUS status, NotifyDeliveries::Items& out);
    static void thread_rundown_notify(_KTHREAD* thread, void* context);
    NTSTATUS boot(const std::string& hive_path, std::string& message);
    NTSTATUS create_child_locked(KeyNode& parent, std::u16string_view name, const CreateKeyRequest& request,
                                 NodeRef& out);
    // `blocked` (outside a transaction): the transaction holding the name the walk would have created
    // (STATUS_RETRY; the caller rolls that transaction back and walks again).
    NTSTATUS resolve_locked(const NodeRef& start, std::u16string_view remaining, const CreateKeyRequest* create,
                            bool open_link, bool create_all, const se::Token* token, NodeRef& out,
                            ULONG* disposition, std::u16string* reparse, TxContext* tx = nullptr,
                            PKTRANSACTION* blocked = nullptr);

    // ---- Transactions (key_transaction.cpp) ----
    // The transaction a change outside any transaction must roll back first: the holder of `node`,
    // and with `existence` (the key itself goes or is renamed) also a holder of a subkey name below it
    // or of its own name in its parent. Null when none.
    TxContext* holder_locked(const KeyNode& node, bool existence) const;
    // The holder of subkey name `upname` below `parent`, or a transaction that deletes `parent`.
    TxContext* name_holder_locked(const KeyNode& parent, const std::u16string& upname) const;
    // Rolls `victim` back (a reference the caller passes on); the caller holds no lock.
    static void roll_back(PKTRANSACTION victim);
    // Runs `fn` under the exclusive lock once no transaction holds `node` (holder_locked).
    template <class Fn>
    NTSTATUS untransacted(const KeyNode& node, bool existence, Fn&& fn)
    {
        for (;;) {
            PKTRANSACTION victim = nullptr;
            {
                WriteLock lock(*this);
                TxContext* holder = holder_locked(node, existence);
                if (!holder) return fn();
                victim = holder->transaction;
                ObReferenceObject(victim);
            }
            roll_back(victim);
        }
    }
    // The key as `tx` sees it (values, subkeys, deletion); `tx` null: a plain copy.
    KeyNode view_locked(const KeyNode& node, const TxContext* tx) const;
    KeyNode* child_locked(const KeyNode& parent, std::u16string_view name, const TxContext* tx) const;
    NTSTATUS tx_usable_locked(const KeyNode& node, const TxContext& tx) const;
    NTSTATUS tx_lock_locked(KeyNode& node, TxContext& tx);
    NTSTATUS tx_lock_name_locked(KeyNode& parent, const std::u16string& upname, TxContext& tx);
    NTSTATUS tx_create_child_locked(KeyNode& parent, std::u16string_view name, const CreateKeyRequest& request,
                                    TxContext& tx, NodeRef& out);
    NTSTATUS tx_set_value(KeyNode& node, KeyValue value, TxContext& tx);
    NTSTATUS tx_delete_value(KeyNode& node, std::u16string_view name, TxContext& tx);
    NTSTATUS tx_delete_key(KeyNode& node, TxContext& tx);
    // The outcome, from the registry's enlistment: apply (one store transaction, then the tree) or
    // discard, then unlock the keys and forget the context.
    static NTSTATUS NTAPI tx_notification(PKENLISTMENT enlistment, PVOID rm_key, PVOID key, ULONG notification,
                                          PLARGE_INTEGER clock, ULONG argument_length, PVOID argument);
    NTSTATUS tx_apply_locked(TxContext& tx);
    void tx_finish_locked(TxContext& tx, bool committed);
    void tx_forget(TxContext& tx);
    NTSTATUS path_operation(std::u16string_view path, const CreateKeyRequest* create, bool create_all, NodeRef& out,
                            ULONG* disposition);
    NTSTATUS full_path_locked(const KeyNode& node, std::u16string& out) const;
    NTSTATUS delete_tree_locked(KeyNode& node);
    NTSTATUS set_value_locked(KeyNode& node, std::u16string_view name, ULONG type, const void* data, ULONG size);
    NTSTATUS delete_value_locked(KeyNode& node, std::u16string_view name);
    NTSTATUS rename_key_locked(KeyNode& node, std::u16string_view new_name, const se::Token* token);
    NTSTATUS set_last_write_locked(KeyNode& node, std::int64_t time);
    void unlink_locked(KeyNode& node);
    bool is_hive_root_locked(const KeyNode& node) const noexcept;
    NTSTATUS make_link_locked(std::u16string_view link_path, std::u16string_view target);
    NTSTATUS make_user_key_locked();

    mutable std::shared_mutex m_lock;
    std::string m_hive_path;
    std::unique_ptr<HiveStore> m_store;
    NodeRef m_root;
    void* m_registry_object = nullptr;  // the \REGISTRY Key object (named, permanent)
    std::int64_t m_next_sequence = 1;   // value order across the tree
    RegistryCallbacks m_callbacks;

    // Loaded hives: their roots and files. Lock order: this one, then the tree lock.
    struct LoadedHive {
        NodeRef root;
        std::unique_ptr<HiveFile> file;
    };
    std::mutex m_hives_lock;
    std::vector<LoadedHive> m_hives;
    std::atomic<bool> m_hive_shutdown_claimed{false};
    NTSTATUS write_back_locked(const LoadedHive& hive);

    // Change notification: lock order is the tree lock, then this one.
    std::mutex m_notify_lock;
    std::vector<NotifyBlock*> m_notify_blocks;
    std::atomic<std::size_t> m_notify_armed{0};   // requests armed and not completed

    // Transactions: the live contexts and the registry's resource manager (with its volatile TM),
    // kept while any context lives. Lock order: this one, then the tree lock.
    std::mutex m_tx_lock;
    std::map<PKTRANSACTION, TxRef> m_transactions;
    PKRESOURCEMANAGER m_tx_rm = nullptr;
    NotifyDeliveries::Items m_pending_notify;     // under the exclusive tree lock
};

// The embedded default system hive (default_hive.reg).
std::string_view default_hive_text() noexcept;

}  // namespace ntio::config

// Transacted registry keys, the transaction's side: what its bound handles read (the key tree seen
// through its own uncommitted changes) and the changes they make, each recorded in its context and
// holding the key or subkey name it touches until the outcome (config/key_transaction.cpp applies or
// drops them).
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regopenkeytransactedw
#include "config/config_manager.hpp"

#include <algorithm>

#include "host/clock.hpp"

namespace ntio::config {
namespace {

std::int64_t now() noexcept { return host::system_time(); }

bool active(const TxContext& tx) noexcept { return !tx.finished && TmIsTransactionActive(tx.transaction); }

}  // namespace

// ---- The transaction's view -----------------------------------------------------------------------

KeyNode ConfigManager::view_locked(const KeyNode& node, const TxContext* tx) const
{
    KeyNode view;
    view.name = node.name;
    view.parent = node.parent;
    view.values = node.values;
    view.children = node.children;
    view.class_name = node.class_name;
    view.last_write = node.last_write;
    view.flags = node.flags;
    view.deleted = node.deleted;
    view.id = node.id;
    view.security = node.security;
    if (!tx) return view;
    for (auto child = view.children.begin(); child != view.children.end();) {
        auto seen = tx->keys.find(child->second.get());
        if (seen != tx->keys.end() && seen->second.deleted)
            child = view.children.erase(child);
        else
            ++child;
    }
    auto it = tx->keys.find(&node);
    if (it == tx->keys.end()) return view;
    const TxKeyView& changed = it->second;
    if (changed.deleted) view.deleted = true;
    if (changed.last_write) view.last_write = changed.last_write;
    for (const auto& entry : changed.values) {
        const std::u16string& upname = entry.first;
        const std::optional<KeyValue>& value = entry.second;
        auto existing = std::find_if(view.values.begin(), view.values.end(),
                                     [&](const KeyValue& v) { return names_equal(v.name, upname); });
        if (!value) {
            if (existing != view.values.end()) view.values.erase(existing);
        } else if (existing != view.values.end()) {
            *existing = *value;
        } else {
            auto at = std::upper_bound(view.values.begin(), view.values.end(), value->sequence,
                                       [](std::int64_t sequence, const KeyValue& v) { return sequence < v.sequence; });
            view.values.insert(at, *value);
        }
    }
    for (const auto& [upname, child] : changed.created) view.children.emplace(upname, child);
    return view;
}

KeyNode* ConfigManager::child_locked(const KeyNode& parent, std::u16string_view name, const TxContext* tx) const
{
    const std::u16string upname = upcase(name);
    if (tx) {
        auto changed = tx->keys.find(&parent);
        if (changed != tx->keys.end())
            if (auto created = changed->second.created.find(upname); created != changed->second.created.end())
                return created->second.get();
    }
    auto it = parent.children.find(upname);
    if (it == parent.children.end()) return nullptr;
    if (tx) {
        auto seen = tx->keys.find(it->second.get());
        if (seen != tx->keys.end() && seen->second.deleted) return nullptr;
    }
    return it->second.get();
}

// NT deviation: a handle whose transaction has committed or rolled back fails every operation with
// STATUS_TRANSACTION_NOT_ACTIVE (Learn says only that the key must be opened again in an active
// transaction for further transacted operations).
NTSTATUS ConfigManager::tx_usable_locked(const KeyNode& node, const TxContext& tx) const
{
    if (tx.finished) return STATUS_TRANSACTION_NOT_ACTIVE;
    if (node.deleted) return STATUS_KEY_DELETED;
    auto seen = tx.keys.find(&node);
    if (seen != tx.keys.end() && seen->second.deleted) return STATUS_KEY_DELETED;
    return STATUS_SUCCESS;
}

// A key another transaction holds: STATUS_TRANSACTIONAL_CONFLICT ("The function attempted to use a
// name that is reserved for use by another transaction", ERROR_TRANSACTIONAL_CONFLICT).
NTSTATUS ConfigManager::tx_lock_locked(KeyNode& node, TxContext& tx)
{
    if (node.tx_owner && node.tx_owner != &tx) return STATUS_TRANSACTIONAL_CONFLICT;
    if (!node.tx_owner) {
        node.tx_owner = &tx;
        tx.locked.push_back(node.shared_from_this());
    }
    return STATUS_SUCCESS;
}

// A subkey name below `parent` this transaction creates or deletes.
NTSTATUS ConfigManager::tx_lock_name_locked(KeyNode& parent, const std::u16string& upname, TxContext& tx)
{
    auto it = parent.tx_names.find(upname);
    if (it != parent.tx_names.end()) return it->second == &tx ? STATUS_SUCCESS : STATUS_TRANSACTIONAL_CONFLICT;
    parent.tx_names.emplace(upname, &tx);
    tx.locked_names.emplace_back(parent.shared_from_this(), upname);
    return STATUS_SUCCESS;
}

// ---- Changes in a transaction ---------------------------------------------------------------------

NTSTATUS ConfigManager::tx_create_child_locked(KeyNode& parent, std::u16string_view name,
                                               const CreateKeyRequest& request, TxContext& tx, NodeRef& out)
{
    NTSTATUS status = tx_usable_locked(parent, tx);
    if (!NT_SUCCESS(status)) return status;
    if (!active(tx)) return STATUS_TRANSACTION_NOT_ACTIVE;
    // NT deviation: a link key cannot be created in a transaction (its target would be followed
    // outside it); Learn gives no status, ntio answers STATUS_INVALID_PARAMETER.
    if (request.options & REG_OPTION_CREATE_LINK) return STATUS_INVALID_PARAMETER;
    const bool is_volatile = (request.options & REG_OPTION_VOLATILE) != 0;
    if (parent.is_volatile() && !is_volatile) return STATUS_CHILD_MUST_BE_VOLATILE;
    // The new name is held, and the parent must not be going in another transaction.
    if (TxContext* holder = name_holder_locked(parent, upcase(name)); holder && holder != &tx)
        return STATUS_TRANSACTIONAL_CONFLICT;
    status = tx_lock_name_locked(parent, upcase(name), tx);
    if (!NT_SUCCESS(status)) return status;
    auto node = std::make_shared<KeyNode>();
    node->name = std::u16string(name);
    node->class_name = request.class_name;
    node->last_write = now();
    node->flags = (is_volatile ? ULONG{kKeyVolatile} : 0) | (parent.flags & kKeyLoaded);
    node->security = request.security ? *request.security : parent.security;
    node->parent = &parent;
    node->tx_owner = &tx;
    node->tx_created = true;
    tx.locked.push_back(node);
    TxKeyView& changed = tx.keys[&parent];
    changed.created.emplace(upcase(name), node);
    changed.last_write = node->last_write;
    tx.ops.push_back({TxOp::Kind::CreateKey, node, {}, node->last_write});
    out = std::move(node);
    return STATUS_SUCCESS;
}

NTSTATUS ConfigManager::tx_set_value(KeyNode& node, KeyValue value, TxContext& tx)
{
    WriteLock lock(*this);
    NTSTATUS status = tx_usable_locked(node, tx);
    if (!NT_SUCCESS(status)) return status;
    if (!active(tx)) return STATUS_TRANSACTION_NOT_ACTIVE;
    status = tx_lock_locked(node, tx);
    if (!NT_SUCCESS(status)) return status;
    const KeyNode view = view_locked(node, &tx);
    if (const KeyValue* existing = const_cast<KeyNode&>(view).find_value(value.name)) {
        value.name = existing->name;
        value.sequence = existing->sequence;
    } else {
        value.sequence = m_next_sequence++;
    }
    const std::int64_t time = now();
    TxKeyView& changed = tx.keys[&node];
    changed.values[upcase(value.name)] = value;
    changed.last_write = time;
    tx.ops.push_back({TxOp::Kind::SetValue, node.shared_from_this(), std::move(value), time});
    return STATUS_SUCCESS;
}

NTSTATUS ConfigManager::tx_delete_value(KeyNode& node, std::u16string_view name, TxContext& tx)
{
    WriteLock lock(*this);
    NTSTATUS status = tx_usable_locked(node, tx);
    if (!NT_SUCCESS(status)) return status;
    if (!active(tx)) return STATUS_TRANSACTION_NOT_ACTIVE;
    KeyNode view = view_locked(node, &tx);
    const KeyValue* existing = view.find_value(name);
    if (!existing) return STATUS_OBJECT_NAME_NOT_FOUND;
    status = tx_lock_locked(node, tx);
    if (!NT_SUCCESS(status)) return status;
    const std::int64_t time = now();
    TxKeyView& changed = tx.keys[&node];
    changed.values[upcase(name)] = std::nullopt;
    changed.last_write = time;
    TxOp op{TxOp::Kind::DeleteValue, node.shared_from_this(), {}, time};
    op.value.name = existing->name;
    tx.ops.push_back(std::move(op));
    return STATUS_SUCCESS;
}

NTSTATUS ConfigManager::tx_delete_key(KeyNode& node, TxContext& tx)
{
    WriteLock lock(*this);
    NTSTATUS status = tx_usable_locked(node, tx);
    if (!NT_SUCCESS(status)) return status;
    if (!active(tx)) return STATUS_TRANSACTION_NOT_ACTIVE;
    if (node.flags & kKeyNoDelete) return STATUS_CANNOT_DELETE;
    if (!view_locked(node, &tx).children.empty()) return STATUS_CANNOT_DELETE;
    // Another transaction creating a subkey of it, holding the key, or holding its name: a conflict.
    for (const auto& name_lock : node.tx_names)
        if (name_lock.second != &tx) return STATUS_TRANSACTIONAL_CONFLICT;
    status = tx_lock_locked(node, tx);
    if (NT_SUCCESS(status) && node.parent) status = tx_lock_name_locked(*node.parent, upcase(node.name), tx);
    if (!NT_SUCCESS(status)) return status;
    const std::int64_t time = now();
    tx.keys[&node].deleted = true;
    if (node.parent) {
        TxKeyView& parent = tx.keys[node.parent];
        parent.created.erase(upcase(node.name));
        parent.last_write = time;
    }
    tx.ops.push_back({TxOp::Kind::DeleteKey, node.shared_from_this(), {}, time});
    return STATUS_SUCCESS;
}

}  // namespace ntio::config

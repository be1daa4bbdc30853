// Transacted registry keys: the registry takes part in KTM transactions as a resource manager. A key
// handle bound to a transaction records its changes in that transaction's context (key_transaction.hpp)
// and locks the keys it changes; the registry's enlistment is told the outcome by the KTM, and a commit
// replays the changes into one store transaction, then into the tree, under the exclusive tree lock.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwcreatekeytransacted
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regopenkeytransactedw
// https://learn.microsoft.com/windows-hardware/drivers/kernel/creating-a-resource-manager
#include "config/config_manager.hpp"

#include <algorithm>
#include <thread>

#include "config/hive_store.hpp"
#include "config/key_object.hpp"
#include "ex/ktm.hpp"
#include "host/clock.hpp"
#include "ob/object_manager.hpp"

namespace ntio::config {
namespace {

std::int64_t now() noexcept { return host::system_time(); }

constexpr NOTIFICATION_MASK kRegistryMask =
    TRANSACTION_NOTIFY_PREPARE | TRANSACTION_NOTIFY_COMMIT | TRANSACTION_NOTIFY_ROLLBACK;

// The registry's volatile TM and its resource manager, held by references only (no handle: a
// resource manager's last handle would disconnect it). The RM holds the TM.
NTSTATUS create_resource_manager(ConfigManager* manager, PTM_RM_NOTIFICATION callback, PKRESOURCEMANAGER& out) {
    PVOID tm_body = nullptr;
    NTSTATUS status = ObCreateObject(KernelMode, *TmTransactionManagerObjectType, nullptr, KernelMode, nullptr,
                                     sizeof(_KTM), 0, 0, &tm_body);
    if (!NT_SUCCESS(status)) return status;
    auto* tm = static_cast<PKTM>(tm_body);
    ex::ktm::init_transaction_manager(tm, TRANSACTION_MANAGER_VOLATILE);
    PVOID rm_body = nullptr;
    status = ObCreateObject(KernelMode, *TmResourceManagerObjectType, nullptr, KernelMode, nullptr,
                            sizeof(_KRESOURCEMANAGER), 0, 0, &rm_body);
    if (!NT_SUCCESS(status)) {
        ObDereferenceObject(tm);
        return status;
    }
    GUID id{};
    (void)ExUuidCreate(&id);
    auto* rm = static_cast<PKRESOURCEMANAGER>(rm_body);
    ex::ktm::init_resource_manager(rm, tm, id, RESOURCE_MANAGER_VOLATILE, u"Registry");
    ObDereferenceObject(tm);
    status = TmEnableCallbacks(rm, callback, manager);
    if (!NT_SUCCESS(status)) {
        ObDereferenceObject(rm);
        return status;
    }
    out = rm;
    return STATUS_SUCCESS;
}

bool active(const TxContext& tx) noexcept { return !tx.finished && TmIsTransactionActive(tx.transaction); }

}  // namespace

NTSTATUS ConfigManager::bind_transaction(PKTRANSACTION transaction, TxRef& out)
{
    std::lock_guard guard(m_tx_lock);
    if (auto it = m_transactions.find(transaction); it != m_transactions.end()) {
        if (!active(*it->second)) return STATUS_TRANSACTION_NOT_ACTIVE;
        out = it->second;
        return STATUS_SUCCESS;
    }
    if (!TmIsTransactionActive(transaction)) return STATUS_TRANSACTION_NOT_ACTIVE;
    if (!m_tx_rm) {
        NTSTATUS status = create_resource_manager(this, tx_notification, m_tx_rm);
        if (!NT_SUCCESS(status)) return status;
    }
    auto context = std::make_shared<TxContext>();
    PVOID body = nullptr;
    NTSTATUS status = ObCreateObject(KernelMode, *TmEnlistmentObjectType, nullptr, KernelMode, nullptr,
                                     sizeof(_KENLISTMENT), 0, 0, &body);
    if (NT_SUCCESS(status)) {
        status = ex::ktm::init_enlistment(static_cast<PKENLISTMENT>(body), m_tx_rm, transaction, 0, kRegistryMask,
                                          context.get());
        if (!NT_SUCCESS(status)) ObDereferenceObject(body);
    }
    if (!NT_SUCCESS(status)) {
        if (m_transactions.empty()) {
            ObDereferenceObject(m_tx_rm);
            m_tx_rm = nullptr;
        }
        return status;
    }
    ObReferenceObject(transaction);
    context->transaction = transaction;
    context->enlistment = static_cast<PKENLISTMENT>(body);
    m_transactions.emplace(transaction, context);
    out = std::move(context);
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI ConfigManager::tx_notification(PKENLISTMENT enlistment, PVOID rm_key, PVOID key, ULONG notification,
                                              PLARGE_INTEGER clock, ULONG, PVOID)
{
    auto* self = static_cast<ConfigManager*>(rm_key);
    auto* tx = static_cast<TxContext*>(key);
    switch (notification) {
    case TRANSACTION_NOTIFY_PREPARE:
        // Nothing can stop the changes from applying but the store, which is written at COMMIT as one
        // store transaction.
        return TmPrepareComplete(enlistment, clock);
    case TRANSACTION_NOTIFY_COMMIT: {
        {
            WriteLock lock(*self);
            // NT deviation: a store failure here cannot fail the commit any more (KTM has decided);
            // the changes are then dropped, as a rollback drops them.
            const bool applied = NT_SUCCESS(self->tx_apply_locked(*tx));
            self->tx_finish_locked(*tx, applied);
        }
        NTSTATUS status = TmCommitComplete(enlistment, clock);
        self->tx_forget(*tx);
        return status;
    }
    case TRANSACTION_NOTIFY_ROLLBACK: {
        {
            WriteLock lock(*self);
            self->tx_finish_locked(*tx, false);
        }
        NTSTATUS status = TmRollbackComplete(enlistment, clock);
        self->tx_forget(*tx);
        return status;
    }
    default:
        return STATUS_SUCCESS;
    }
}

// Store first (every change in one store transaction, so a kill -9 leaves all or none of them), then
// the tree; a store failure leaves both as they were.
NTSTATUS ConfigManager::tx_apply_locked(TxContext& tx)
{
    NTSTATUS status = STATUS_SUCCESS;
    if (m_store) {
        status = m_store->begin();
        if (!NT_SUCCESS(status)) return status;
        for (const TxOp& op : tx.ops) {
            KeyNode& node = *op.node;
            switch (op.kind) {
            case TxOp::Kind::SetValue:
                if (node.id != 0) status = m_store->set_value(node.id, op.value, op.time);
                break;
            case TxOp::Kind::DeleteValue:
                if (node.id != 0) status = m_store->delete_value(node.id, op.value.name, op.time);
                break;
            case TxOp::Kind::CreateKey:
                if (!node.is_volatile() && !(node.flags & kKeyLoaded)) {
                    status = m_store->insert_key(node, node.parent->id);
                    if (NT_SUCCESS(status) && node.parent->id != 0) status = m_store->touch_key(node.parent->id, op.time);
                }
                break;
            case TxOp::Kind::DeleteKey:
                if (node.id != 0) {
                    status = m_store->delete_key(node.id);
                    if (NT_SUCCESS(status) && node.parent && node.parent->id != 0)
                        status = m_store->touch_key(node.parent->id, op.time);
                }
                break;
            }
            if (!NT_SUCCESS(status)) break;
        }
        if (NT_SUCCESS(status)) {
            status = m_store->commit();
        } else {
            m_store->rollback();
        }
        if (!NT_SUCCESS(status)) {
            for (const TxOp& op : tx.ops)
                if (op.kind == TxOp::Kind::CreateKey) op.node->id = 0;
            return status;
        }
    }
    for (TxOp& op : tx.ops) {
        KeyNode& node = *op.node;
        switch (op.kind) {
        case TxOp::Kind::SetValue: {
            KeyValue* existing = node.find_value(op.value.name);
            const bool same = existing && existing->type == op.value.type && existing->data == op.value.data;
            if (existing) {
                existing->type = op.value.type;
                existing->data = std::move(op.value.data);
            } else {
                auto at = std::upper_bound(node.values.begin(), node.values.end(), op.value.sequence,
                                           [](std::int64_t sequence, const KeyValue& v) { return sequence < v.sequence; });
                node.values.insert(at, std::move(op.value));
            }
            node.last_write = op.time;
            if (!same) report_locked(node, REG_NOTIFY_CHANGE_LAST_SET);
            break;
        }
        case TxOp::Kind::DeleteValue: {
            auto it = std::find_if(node.values.begin(), node.values.end(),
                                   [&](const KeyValue& v) { return names_equal(v.name, op.value.name); });
            if (it != node.values.end()) node.values.erase(it);
            node.last_write = op.time;
            report_locked(node, REG_NOTIFY_CHANGE_LAST_SET);
            break;
        }
        case TxOp::Kind::CreateKey:
            node.tx_created = false;
            node.parent->children.emplace(upcase(node.name), op.node);
            node.parent->last_write = op.time;
            report_locked(*node.parent, REG_NOTIFY_CHANGE_NAME);
            break;
        case TxOp::Kind::DeleteKey:
            unlink_locked(node);
            break;
        }
    }
    return STATUS_SUCCESS;
}

void ConfigManager::tx_finish_locked(TxContext& tx, bool committed)
{
    for (const NodeRef& node : tx.locked)
        if (node->tx_owner == &tx) node->tx_owner = nullptr;
    for (const auto& [parent, upname] : tx.locked_names)
        if (auto it = parent->tx_names.find(upname); it != parent->tx_names.end() && it->second == &tx)
            parent->tx_names.erase(it);
    // Keys created in a transaction that did not commit never existed for anyone else.
    if (!committed)
        for (const TxOp& op : tx.ops)
            if (op.kind == TxOp::Kind::CreateKey) op.node->deleted = true;
    tx.finished = true;
    tx.ops.clear();
    tx.keys.clear();
    tx.locked.clear();
    tx.locked_names.clear();
}

void ConfigManager::tx_forget(TxContext& tx)
{
    std::lock_guard guard(m_tx_lock);
    auto it = m_transactions.find(tx.transaction);
    if (it == m_transactions.end() || it->second.get() != &tx) return;
    TxRef keep = std::move(it->second);
    m_transactions.erase(it);
    if (keep->enlistment) ObDereferenceObject(keep->enlistment);
    keep->enlistment = nullptr;
    ObDereferenceObject(keep->transaction);
    if (m_transactions.empty() && m_tx_rm) {
        ObDereferenceObject(m_tx_rm);
        m_tx_rm = nullptr;
    }
}

TxContext* ConfigManager::name_holder_locked(const KeyNode& parent, const std::u16string& upname) const
{
    if (auto it = parent.tx_names.find(upname); it != parent.tx_names.end()) return it->second;
    // A key a transaction created exists for nobody else yet (a plain handle reaches it only through a
    // name relative to a bound handle): a subkey made below it outside the transaction is a change to it.
    if (parent.tx_created) return parent.tx_owner;
    // A transaction deleting the parent: a subkey created there now changes what it deletes.
    if (TxContext* owner = parent.tx_owner) {
        auto seen = owner->keys.find(&parent);
        if (seen != owner->keys.end() && seen->second.deleted) return owner;
    }
    return nullptr;
}

TxContext* ConfigManager::holder_locked(const KeyNode& node, bool existence) const
{
    if (node.tx_owner) return node.tx_owner;
    if (!existence) return nullptr;
    if (!node.tx_names.empty()) return node.tx_names.begin()->second;
    if (node.parent)
        if (auto it = node.parent->tx_names.find(upcase(node.name)); it != node.parent->tx_names.end())
            return it->second;
    return nullptr;
}

void ConfigManager::roll_back(PKTRANSACTION victim)
{
    // A transaction already deciding its outcome unlocks its keys when the outcome is applied: the
    // caller looks again.
    const NTSTATUS status = TmRollbackTransaction(victim, TRUE);
    ObDereferenceObject(victim);
    if (!NT_SUCCESS(status)) std::this_thread::yield();
}

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

extern "C" {

// CmGetBoundTransaction: "a pointer to a transaction object, if the key object that the Object
// parameter specifies is associated with a transaction. Otherwise, the routine returns NULL."
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-cmgetboundtransaction
PVOID NTAPI CmGetBoundTransaction(PLARGE_INTEGER Cookie, PVOID Object)
{
    UNREFERENCED_PARAMETER(Cookie);
    if (!Object || ntio::ob::header_of(Object)->type != &ntio::config::g_key_type) return nullptr;
    return static_cast<ntio::config::KeyBody*>(Object)->transaction;
}

}  // extern "C"

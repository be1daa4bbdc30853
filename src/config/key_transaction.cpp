// Transacted registry keys: the registry takes part in KTM transactions as a resource manager. A key
// handle bound to a transaction records its changes in that transaction's context (key_transaction.hpp)
// and locks the keys it changes; the registry's enlistment is told the outcome by the KTM, and a commit
// replays the changes into one store transaction, then into the tree, under the exclusive tree lock.
// What a transaction's handles read and change is in key_transaction_changes.cpp.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwcreatekeytransacted
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regopenkeytransactedw
// https://learn.microsoft.com/windows-hardware/drivers/kernel/creating-a-resource-manager
#include "config/config_manager.hpp"

#include <algorithm>
#include <thread>

#include "config/hive_store.hpp"
#include "config/key_object.hpp"
#include "ex/ktm.hpp"
#include "ob/object_manager.hpp"

namespace ntio::config {
namespace {

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

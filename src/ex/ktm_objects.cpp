// The four KTM object types (TmTransactionManager, TmResourceManager, TmTransaction, TmEnlistment)
// with the wdm.h generic mappings, their bodies' set-up and teardown, and the GUID lists through
// which NtOpen*/NtEnumerateTransactionObject find them.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/ktm-objects
#include <algorithm>
#include <new>

#include "ex/ktm.hpp"
#include "ex/ktm_engine.hpp"
#include "ob/object_type.hpp"

namespace ntio::ex::ktm {
namespace {

// Live objects of each kind, in creation order; an object leaves its list in its delete procedure.
std::vector<PKTM> g_tms;
std::vector<PKRESOURCEMANAGER> g_rms;
std::vector<PKTRANSACTION> g_transactions;
std::vector<PKENLISTMENT> g_enlistments;

template <class T>
void unlist(std::vector<T*>& list, T* object) {
    std::lock_guard<std::mutex> guard(lock());
    if (!object->listed) return;
    list.erase(std::remove(list.begin(), list.end(), object), list.end());
    object->listed = false;
}

template <class T, class Match>
T* find_referenced(const std::vector<T*>& list, Match&& match) {
    std::lock_guard<std::mutex> guard(lock());
    for (T* object : list)
        if (match(object) && ObReferenceObjectSafe(object)) return object;
    return nullptr;
}

GUID new_guid() {
    GUID id{};
    (void)ExUuidCreate(&id);
    return id;
}

void delete_tm(void* body) {
    auto* tm = static_cast<PKTM>(body);
    unlist(g_tms, tm);
    tm->~_KTM();
}

void delete_rm(void* body) {
    auto* rm = static_cast<PKRESOURCEMANAGER>(body);
    unlist(g_rms, rm);
    if (rm->tm) ObDereferenceObject(rm->tm);
    rm->~_KRESOURCEMANAGER();
}

// The last handle to a resource manager disconnects it (see disconnect_resource_manager).
void close_rm(PEPROCESS, void* body, ACCESS_MASK, ULONG_PTR, ULONG_PTR system_handle_count) {
    if (system_handle_count == 1) disconnect_resource_manager(static_cast<PKRESOURCEMANAGER>(body));
}

void delete_transaction(void* body) {
    auto* tx = static_cast<PKTRANSACTION>(body);
    unlist(g_transactions, tx);
    // A transaction that still held enlistments would still be referenced by them.
    if (tx->tm) ObDereferenceObject(tx->tm);
    tx->~_KTRANSACTION();
}

// "If the last transaction handle is closed before a call to CommitTransaction, the transaction is
// rolled back" (CreateTransaction, ktmw32.h, on Learn). A commit already under way goes on.
void close_transaction(PEPROCESS, void* body, ACCESS_MASK, ULONG_PTR, ULONG_PTR system_handle_count) {
    if (system_handle_count == 1) rollback_if_active(static_cast<PKTRANSACTION>(body));
}

void delete_enlistment(void* body) {
    auto* en = static_cast<PKENLISTMENT>(body);
    unlist(g_enlistments, en);
    if (en->transaction) ObDereferenceObject(en->transaction);
    if (en->resource_manager) ObDereferenceObject(en->resource_manager);
    en->~_KENLISTMENT();
}

void dump_transaction(void* body, std::string& out) {
    static const char* const kNames[] = {"active",     "prepreparing", "preprepared", "preparing",
                                         "prepared",   "committing",   "committed",   "aborted"};
    auto* tx = static_cast<PKTRANSACTION>(body);
    std::lock_guard<std::mutex> guard(lock());
    out += " state=";
    out += kNames[static_cast<int>(tx->state)];
    out += " enlistments=" + std::to_string(tx->enlistments.size());
}

}  // namespace

// Mappings and valid masks: the TRANSACTIONMANAGER_*, RESOURCEMANAGER_*, TRANSACTION_* and
// ENLISTMENT_* GENERIC and ALL_ACCESS values of wdm.h.
_OBJECT_TYPE g_tm_type{
    .name = u"TmTm",
    .generic_mapping = {TRANSACTIONMANAGER_GENERIC_READ, TRANSACTIONMANAGER_GENERIC_WRITE,
                        TRANSACTIONMANAGER_GENERIC_EXECUTE, TRANSACTIONMANAGER_ALL_ACCESS},
    .valid_access_mask = TRANSACTIONMANAGER_ALL_ACCESS,
    .pool_type = NonPagedPool,
    .del = delete_tm,
    .delete_at_passive = true,
};
_OBJECT_TYPE g_rm_type{
    .name = u"TmRm",
    .generic_mapping = {RESOURCEMANAGER_GENERIC_READ, RESOURCEMANAGER_GENERIC_WRITE,
                        RESOURCEMANAGER_GENERIC_EXECUTE, RESOURCEMANAGER_ALL_ACCESS},
    .valid_access_mask = RESOURCEMANAGER_ALL_ACCESS,
    .pool_type = NonPagedPool,
    .close = close_rm,
    .del = delete_rm,
    .delete_at_passive = true,
};
_OBJECT_TYPE g_transaction_type{
    .name = u"TmTx",
    .generic_mapping = {TRANSACTION_GENERIC_READ, TRANSACTION_GENERIC_WRITE, TRANSACTION_GENERIC_EXECUTE,
                        TRANSACTION_ALL_ACCESS},
    .valid_access_mask = TRANSACTION_ALL_ACCESS,
    .pool_type = NonPagedPool,
    .close = close_transaction,
    .del = delete_transaction,
    .dump = dump_transaction,
    .delete_at_passive = true,
};
_OBJECT_TYPE g_enlistment_type{
    .name = u"TmEn",
    .generic_mapping = {ENLISTMENT_GENERIC_READ, ENLISTMENT_GENERIC_WRITE, ENLISTMENT_GENERIC_EXECUTE,
                        ENLISTMENT_ALL_ACCESS},
    .valid_access_mask = ENLISTMENT_ALL_ACCESS,
    .pool_type = NonPagedPool,
    .del = delete_enlistment,
    .delete_at_passive = true,
};

std::mutex& lock() {
    static std::mutex ktm_lock;
    return ktm_lock;
}

void init_transaction_manager(PKTM tm, ULONG create_options) {
    new (tm) _KTM{new_guid(), create_options, 0, true};
    std::lock_guard<std::mutex> guard(lock());
    g_tms.push_back(tm);
}

void init_resource_manager(PKRESOURCEMANAGER rm, PKTM tm, const GUID& id, ULONG create_options,
                           std::u16string description) {
    ObReferenceObject(tm);
    new (rm) _KRESOURCEMANAGER{};
    rm->tm = tm;
    rm->id = id;
    rm->create_options = create_options;
    rm->description = std::move(description);
    KeInitializeEvent(&rm->queue_ready, NotificationEvent, FALSE);
    std::lock_guard<std::mutex> guard(lock());
    rm->listed = true;
    g_rms.push_back(rm);
}

NTSTATUS init_transaction(PKTRANSACTION tx, PKTM tm, const GUID* uow, ULONG create_options, ULONG isolation_level,
                          ULONG isolation_flags, const LARGE_INTEGER* timeout, std::u16string description) {
    new (tx) _KTRANSACTION{};
    KeInitializeEvent(&tx->finished, NotificationEvent, FALSE);
    tx->uow = uow ? *uow : new_guid();
    if (tm) ObReferenceObject(tm);
    tx->tm = tm;
    tx->create_options = create_options;
    tx->isolation_level = isolation_level;
    tx->isolation_flags = isolation_flags;
    tx->timeout.QuadPart = timeout ? timeout->QuadPart : 0;
    tx->description = std::move(description);
    tx->state = TxState::Active;
    std::lock_guard<std::mutex> guard(lock());
    // A unit of work names one transaction (ZwCreateTransaction's Uow parameter).
    for (PKTRANSACTION other : g_transactions)
        if (IsEqualGUID(other->uow, tx->uow)) return STATUS_OBJECT_NAME_COLLISION;
    tx->listed = true;
    g_transactions.push_back(tx);
    return STATUS_SUCCESS;
}

NTSTATUS init_enlistment(PKENLISTMENT en, PKRESOURCEMANAGER rm, PKTRANSACTION tx, ULONG create_options,
                         NOTIFICATION_MASK mask, PVOID key) {
    new (en) _KENLISTMENT{};
    en->id = new_guid();
    en->mask = mask;
    en->create_options = create_options;
    en->key = key;
    en->key_references = 1;
    en->state = EnState::Active;
    std::lock_guard<std::mutex> guard(lock());
    NTSTATUS status = enlist_locked(en, rm, tx);
    if (!NT_SUCCESS(status)) return status;
    en->listed = true;
    g_enlistments.push_back(en);
    return STATUS_SUCCESS;
}

PKTM find_transaction_manager(const GUID& id) {
    return find_referenced(g_tms, [&](PKTM tm) { return IsEqualGUID(tm->id, id); });
}

PKRESOURCEMANAGER find_resource_manager(PKTM tm, const GUID& id) {
    return find_referenced(g_rms, [&](PKRESOURCEMANAGER rm) { return rm->tm == tm && IsEqualGUID(rm->id, id); });
}

PKTRANSACTION find_transaction(PKTM tm, const GUID& uow) {
    return find_referenced(g_transactions,
                           [&](PKTRANSACTION tx) { return (!tm || tx->tm == tm) && IsEqualGUID(tx->uow, uow); });
}

PKENLISTMENT find_enlistment(PKRESOURCEMANAGER rm, const GUID& id) {
    return find_referenced(g_enlistments,
                           [&](PKENLISTMENT en) { return en->resource_manager == rm && IsEqualGUID(en->id, id); });
}

std::vector<PKENLISTMENT> enlistments_of_locked(PKRESOURCEMANAGER rm) {
    std::vector<PKENLISTMENT> found;
    for (PKENLISTMENT en : g_enlistments)
        if (en->resource_manager == rm && ObReferenceObjectSafe(en)) found.push_back(en);
    return found;
}

std::vector<GUID> list_objects(KTMOBJECT_TYPE type, void* root) {
    std::vector<GUID> ids;
    std::lock_guard<std::mutex> guard(lock());
    switch (type) {
    case KTMOBJECT_TRANSACTION_MANAGER:
        for (PKTM tm : g_tms) ids.push_back(tm->id);
        break;
    case KTMOBJECT_RESOURCE_MANAGER:
        for (PKRESOURCEMANAGER rm : g_rms)
            if (!root || rm->tm == root) ids.push_back(rm->id);
        break;
    case KTMOBJECT_TRANSACTION:
        for (PKTRANSACTION tx : g_transactions)
            if (!root || tx->tm == root) ids.push_back(tx->uow);
        break;
    case KTMOBJECT_ENLISTMENT:
        for (PKENLISTMENT en : g_enlistments)
            if (!root || en->resource_manager == root) ids.push_back(en->id);
        break;
    default:
        break;
    }
    return ids;
}

}  // namespace ntio::ex::ktm

namespace {
POBJECT_TYPE g_tm_type_ptr = &ntio::ex::ktm::g_tm_type;
POBJECT_TYPE g_rm_type_ptr = &ntio::ex::ktm::g_rm_type;
POBJECT_TYPE g_transaction_type_ptr = &ntio::ex::ktm::g_transaction_type;
POBJECT_TYPE g_enlistment_type_ptr = &ntio::ex::ktm::g_enlistment_type;
}  // namespace

extern "C" {
POBJECT_TYPE* TmTransactionManagerObjectType = &g_tm_type_ptr;
POBJECT_TYPE* TmResourceManagerObjectType = &g_rm_type_ptr;
POBJECT_TYPE* TmTransactionObjectType = &g_transaction_type_ptr;
POBJECT_TYPE* TmEnlistmentObjectType = &g_enlistment_type_ptr;
}

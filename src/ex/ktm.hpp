// The Kernel Transaction Manager's objects and its two-phase commit engine, shared by the Tm* routines
// (ex/ktm_tm_ddi.cpp) and the Nt* services (nt/ktm_*_services.cpp). All KTM state is guarded by one
// lock; notifications are queued to a resource manager under it, and its callback (TmEnableCallbacks)
// is called after the lock is dropped, so a callback may call the Tm*Complete routines at once.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/using-kernel-transaction-manager
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include <wdm.h>

namespace ntio::ex::ktm {

// A transaction's progress. The superior-driven waits (PrePrepared, Prepared) exist only when a
// superior enlistment drives the phases itself (ZwPrePrepareEnlistment & co.).
enum class TxState { Active, PrePreparing, PrePrepared, Preparing, Prepared, Committing, Committed, Aborted };
// An enlistment's progress: which notification it was sent and whether it answered.
enum class EnState {
    Active, PrePrepareSent, PrePrepared, PrepareSent, Prepared, CommitSent, Committed, RollbackSent, Done,
    ReadOnly
};

struct QueuedNotification {
    PVOID key;
    ULONG notification;
    LONGLONG clock;
};

}  // namespace ntio::ex::ktm

struct _KTM {
    GUID id;
    ULONG create_options;
    LONGLONG virtual_clock;
    bool listed;
};

struct _KRESOURCEMANAGER {
    PKTM tm;  // referenced
    GUID id;
    ULONG create_options;
    std::u16string description;
    PTM_RM_NOTIFICATION callback;
    PVOID rm_key;
    std::deque<ntio::ex::ktm::QueuedNotification> queue;
    KEVENT queue_ready;  // signalled while `queue` is not empty
    bool disconnected;   // its last handle was closed
    bool listed;
};

struct _KTRANSACTION {
    KEVENT finished;  // signalled when the outcome is final and every enlistment has answered
    GUID uow;
    PKTM tm;  // referenced; null for a transaction outside any TM handle
    ULONG create_options;
    ULONG isolation_level;
    ULONG isolation_flags;
    LARGE_INTEGER timeout;
    std::u16string description;
    ntio::ex::ktm::TxState state;
    std::vector<PKENLISTMENT> enlistments;            // referenced until the transaction finishes
    std::vector<TRANSACTION_ENLISTMENT_PAIR> pairs;   // every enlistment it ever had
    PKENLISTMENT superior;                            // one of `enlistments`, or null
    bool listed;
};

struct _KENLISTMENT {
    GUID id;
    PKTRANSACTION transaction;    // referenced
    PKRESOURCEMANAGER resource_manager;  // referenced
    NOTIFICATION_MASK mask;
    ULONG create_options;
    PVOID key;
    LONG key_references;
    ntio::ex::ktm::EnState state;
    std::vector<std::uint8_t> recovery_information;
    bool listed;
};

namespace ntio::ex::ktm {

std::mutex& lock();

// Initialise a body ObCreateObject returned (placement-new of the C++ members). Each also lists the
// object so that it can be found by GUID (NtOpen*, NtEnumerateTransactionObject).
void init_transaction_manager(PKTM tm, ULONG create_options);
void init_resource_manager(PKRESOURCEMANAGER rm, PKTM tm, const GUID& id, ULONG create_options,
                           std::u16string description);
NTSTATUS init_transaction(PKTRANSACTION tx, PKTM tm, const GUID* uow, ULONG create_options, ULONG isolation_level,
                          ULONG isolation_flags, const LARGE_INTEGER* timeout, std::u16string description);
// Validates the options and mask, then enlists `rm` in `tx`; the body is initialised either way (a
// failure leaves it unlisted, for the caller to dereference).
NTSTATUS init_enlistment(PKENLISTMENT en, PKRESOURCEMANAGER rm, PKTRANSACTION tx, ULONG create_options,
                         NOTIFICATION_MASK mask, PVOID key);
// Creates an enlistment object of `rm` in `tx` and a handle to it (TmCreateEnlistment's work; the
// Nt service passes captured attributes and a kernel copy of the handle).
NTSTATUS create_enlistment(PHANDLE handle, KPROCESSOR_MODE mode, ACCESS_MASK access, POBJECT_ATTRIBUTES attributes,
                           PKRESOURCEMANAGER rm, PKTRANSACTION tx, ULONG create_options, NOTIFICATION_MASK mask,
                           PVOID key);
// The checks ZwCreateEnlistment makes before any object exists.
NTSTATUS check_enlistment_request(PKTRANSACTION tx, ULONG create_options, NOTIFICATION_MASK mask);

// Lookups by GUID: a referenced object or null. `tm` narrows the search when given.
PKTM find_transaction_manager(const GUID& id);
PKRESOURCEMANAGER find_resource_manager(PKTM tm, const GUID& id);
PKTRANSACTION find_transaction(PKTM tm, const GUID& uow);
PKENLISTMENT find_enlistment(PKRESOURCEMANAGER rm, const GUID& id);
// The GUIDs of the live objects of one kind, in creation order (below `root`, a TM or RM, if given).
std::vector<GUID> list_objects(KTMOBJECT_TYPE type, void* root);

// The client's side of two-phase commit.
NTSTATUS commit(PKTRANSACTION tx, bool wait);
NTSTATUS rollback(PKTRANSACTION tx, bool wait);

// What a resource manager (subordinate) or a superior enlistment says about its enlistment.
enum class Answer {
    PrePrepareComplete, PrepareComplete, CommitComplete, RollbackComplete, ReadOnly, SinglePhaseReject,
    Rollback, SuperiorPrePrepare, SuperiorPrepare, SuperiorCommit
};
NTSTATUS answer(PKENLISTMENT en, Answer what, const LARGE_INTEGER* clock);

// Takes the next queued notification of `rm` into `out` (its header and argument), waiting up to
// `timeout` (null: forever). `needed` receives the size of the notification waiting.
NTSTATUS get_notification(PKRESOURCEMANAGER rm, PTRANSACTION_NOTIFICATION out, ULONG length,
                          const LARGE_INTEGER* timeout, ULONG* needed);
NTSTATUS enable_callbacks(PKRESOURCEMANAGER rm, PTM_RM_NOTIFICATION callback, PVOID rm_key);

TRANSACTION_BASIC_INFORMATION basic_information(PKTRANSACTION tx);
bool is_active(PKTRANSACTION tx);

}  // namespace ntio::ex::ktm

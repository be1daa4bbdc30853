// The two-phase commit state machine. A commit sends PREPREPARE to the enlistments that asked for it,
// then PREPARE, then COMMIT, each phase starting when every enlistment has answered the one before
// (Tm*Complete); a rollback sends ROLLBACK to the others and decides the outcome at once. With a
// superior enlistment the superior starts each phase itself and is told when one is done.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/handling-commit-operations
// https://learn.microsoft.com/windows-hardware/drivers/kernel/handling-rollback-operations
// https://learn.microsoft.com/windows-hardware/drivers/kernel/transaction-states
#include <algorithm>

#include "ex/ktm.hpp"
#include "ex/ktm_engine.hpp"

namespace ntio::ex::ktm {
namespace {

// Work decided under the lock and done after it: callbacks to call (the enlistment referenced) and
// enlistment references to drop.
struct Deferred {
    struct Call {
        PKENLISTMENT en;
        PTM_RM_NOTIFICATION callback;
        PVOID rm_key;
        PVOID key;
        ULONG notification;
        LONGLONG clock;
    };
    std::vector<Call> calls;
    std::vector<PKENLISTMENT> release;
};

LONGLONG tick_locked(PKTRANSACTION tx) {
    static LONGLONG free_clock = 0;
    return tx->tm ? ++tx->tm->virtual_clock : ++free_clock;
}

// Sends `notification` to `en` if its mask asked for it: to its RM's callback (after the lock) or its
// queue. Returns whether an answer is awaited: not when the mask did not ask for it, nor when the RM is
// disconnected (nobody is left to answer).
bool send_locked(PKENLISTMENT en, ULONG notification, Deferred& deferred) {
    if (!(en->mask & notification)) return false;
    PKRESOURCEMANAGER rm = en->resource_manager;
    if (rm->disconnected) return false;
    const LONGLONG clock = tick_locked(en->transaction);
    if (rm->callback) {
        ObReferenceObject(en);
        deferred.calls.push_back({en, rm->callback, rm->rm_key, en->key, notification, clock});
    } else {
        rm->queue.push_back({en->key, notification, clock});
        KeSetEvent(&rm->queue_ready, IO_NO_INCREMENT, FALSE);
    }
    return true;
}

bool is_subordinate(PKTRANSACTION tx, PKENLISTMENT en) {
    return en != tx->superior && en->state != EnState::ReadOnly && en->state != EnState::Done;
}

bool any_subordinate_in(PKTRANSACTION tx, EnState state) {
    return std::any_of(tx->enlistments.begin(), tx->enlistments.end(),
                       [&](PKENLISTMENT en) { return is_subordinate(tx, en) && en->state == state; });
}

// Moves every subordinate in `from` to `sent` when it asked for `notification`, else to `answered`.
void start_phase_locked(PKTRANSACTION tx, TxState state, EnState from, ULONG notification, EnState sent,
                        EnState answered, Deferred& deferred) {
    tx->state = state;
    for (PKENLISTMENT en : tx->enlistments) {
        if (!is_subordinate(tx, en) || en->state != from) continue;
        en->state = send_locked(en, notification, deferred) ? sent : answered;
    }
}

void finish_locked(PKTRANSACTION tx, TxState outcome, Deferred& deferred) {
    tx->state = outcome;
    tx->superior = nullptr;
    for (PKENLISTMENT en : tx->enlistments) deferred.release.push_back(en);
    tx->enlistments.clear();
    KeSetEvent(&tx->finished, IO_NO_INCREMENT, FALSE);
}

// Runs the phases on as far as the answers allow.
void advance_locked(PKTRANSACTION tx, Deferred& deferred) {
    for (;;) {
        switch (tx->state) {
        case TxState::PrePreparing:
            if (any_subordinate_in(tx, EnState::PrePrepareSent)) return;
            if (tx->superior) {
                tx->state = TxState::PrePrepared;
                (void)send_locked(tx->superior, TRANSACTION_NOTIFY_PREPREPARE_COMPLETE, deferred);
                return;
            }
            start_phase_locked(tx, TxState::Preparing, EnState::PrePrepared, TRANSACTION_NOTIFY_PREPARE,
                               EnState::PrepareSent, EnState::Prepared, deferred);
            continue;
        case TxState::Preparing:
            if (any_subordinate_in(tx, EnState::PrepareSent)) return;
            if (tx->superior) {
                tx->state = TxState::Prepared;
                (void)send_locked(tx->superior, TRANSACTION_NOTIFY_PREPARE_COMPLETE, deferred);
                return;
            }
            start_phase_locked(tx, TxState::Committing, EnState::Prepared, TRANSACTION_NOTIFY_COMMIT,
                               EnState::CommitSent, EnState::Committed, deferred);
            continue;
        case TxState::Committing:
            if (any_subordinate_in(tx, EnState::CommitSent)) return;
            if (PKENLISTMENT superior = tx->superior) {
                superior->state = EnState::Committed;
                (void)send_locked(superior, TRANSACTION_NOTIFY_COMMIT_COMPLETE, deferred);
            }
            finish_locked(tx, TxState::Committed, deferred);
            return;
        default:
            return;
        }
    }
}

NTSTATUS final_state_status(PKTRANSACTION tx) {
    switch (tx->state) {
    case TxState::Committing:
    case TxState::Committed: return STATUS_TRANSACTION_ALREADY_COMMITTED;
    case TxState::Aborted: return STATUS_TRANSACTION_ALREADY_ABORTED;
    default: return STATUS_SUCCESS;
    }
}

// Rolls `tx` back on behalf of `initiator` (null: the client). The outcome is decided at once; the
// others are sent ROLLBACK and answer with RollbackComplete.
NTSTATUS rollback_locked(PKTRANSACTION tx, PKENLISTMENT initiator, Deferred& deferred) {
    if (NTSTATUS status = final_state_status(tx); !NT_SUCCESS(status)) return status;
    for (PKENLISTMENT en : tx->enlistments) {
        if (en == initiator || en->state == EnState::ReadOnly || en->state == EnState::Done) {
            if (en == initiator) en->state = EnState::Done;
            continue;
        }
        en->state = send_locked(en, TRANSACTION_NOTIFY_ROLLBACK, deferred) ? EnState::RollbackSent : EnState::Done;
    }
    finish_locked(tx, TxState::Aborted, deferred);
    return STATUS_SUCCESS;
}

// After the lock: the callbacks in order, then the references.
void run(Deferred& deferred) {
    for (const Deferred::Call& call : deferred.calls) {
        LARGE_INTEGER clock;
        clock.QuadPart = call.clock;
        (void)call.callback(call.en, call.rm_key, call.key, call.notification, &clock, 0, nullptr);
        ObDereferenceObject(call.en);
    }
    for (PKENLISTMENT en : deferred.release) ObDereferenceObject(en);
}

NTSTATUS outcome_status(PKTRANSACTION tx) {
    std::lock_guard<std::mutex> guard(lock());
    switch (tx->state) {
    case TxState::Committed: return STATUS_SUCCESS;
    case TxState::Aborted: return STATUS_TRANSACTION_ABORTED;
    default: return STATUS_PENDING;
    }
}

}  // namespace

NTSTATUS check_enlistment_request(PKTRANSACTION, ULONG create_options, NOTIFICATION_MASK mask) {
    if (create_options & ~ULONG{ENLISTMENT_MAXIMUM_OPTION}) return STATUS_INVALID_PARAMETER;
    if (mask == 0 || (mask & ~ULONG{TRANSACTION_NOTIFY_MASK})) return STATUS_INVALID_PARAMETER;
    // CreateEnlistment (ktmw32.h) on Learn: an RM must always ask for rollback notifications, and one
    // that asks for PREPARE must also ask for COMMIT.
    if (!(mask & TRANSACTION_NOTIFY_ROLLBACK)) return STATUS_INVALID_PARAMETER;
    if ((mask & TRANSACTION_NOTIFY_PREPARE) && !(mask & TRANSACTION_NOTIFY_COMMIT)) return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

NTSTATUS enlist_locked(PKENLISTMENT en, PKRESOURCEMANAGER rm, PKTRANSACTION tx) {
    // "Any attempt to enlist in the preprepare phase or later will fail" (CreateEnlistment remarks).
    if (tx->state != TxState::Active) return STATUS_TRANSACTION_NOT_ACTIVE;
    const bool superior = en->create_options & ENLISTMENT_SUPERIOR;
    if (superior && tx->superior) return STATUS_TRANSACTION_SUPERIOR_EXISTS;
    ObReferenceObject(tx);
    ObReferenceObject(rm);
    en->transaction = tx;
    en->resource_manager = rm;
    ObReferenceObject(en);  // the transaction's, until it finishes
    tx->enlistments.push_back(en);
    tx->pairs.push_back({en->id, rm->id});
    if (superior) tx->superior = en;
    return STATUS_SUCCESS;
}

NTSTATUS commit(PKTRANSACTION tx, bool wait) {
    Deferred deferred;
    {
        std::lock_guard<std::mutex> guard(lock());
        if (tx->superior) return STATUS_TRANSACTION_SUPERIOR_EXISTS;
        if (NTSTATUS status = final_state_status(tx); !NT_SUCCESS(status)) return status;
        if (tx->state != TxState::Active) return STATUS_TRANSACTION_REQUEST_NOT_VALID;
        start_phase_locked(tx, TxState::PrePreparing, EnState::Active, TRANSACTION_NOTIFY_PREPREPARE,
                           EnState::PrePrepareSent, EnState::PrePrepared, deferred);
        advance_locked(tx, deferred);
    }
    run(deferred);
    if (wait) (void)KeWaitForSingleObject(&tx->finished, Executive, KernelMode, FALSE, nullptr);
    return outcome_status(tx);
}

NTSTATUS rollback(PKTRANSACTION tx, bool) {
    Deferred deferred;
    NTSTATUS status;
    {
        std::lock_guard<std::mutex> guard(lock());
        status = rollback_locked(tx, nullptr, deferred);
    }
    run(deferred);
    return status;
}

void rollback_if_active(PKTRANSACTION tx) {
    Deferred deferred;
    {
        std::lock_guard<std::mutex> guard(lock());
        if (tx->state == TxState::Active) (void)rollback_locked(tx, nullptr, deferred);
    }
    run(deferred);
}

NTSTATUS answer(PKENLISTMENT en, Answer what, const LARGE_INTEGER* clock) {
    Deferred deferred;
    NTSTATUS status = STATUS_SUCCESS;
    {
        std::lock_guard<std::mutex> guard(lock());
        PKTRANSACTION tx = en->transaction;
        if (clock && tx->tm && clock->QuadPart > tx->tm->virtual_clock) tx->tm->virtual_clock = clock->QuadPart;
        const bool superior = en->create_options & ENLISTMENT_SUPERIOR;
        auto expect = [&](EnState sent, EnState answered) {
            if (en->state != sent) return STATUS_TRANSACTION_NOT_REQUESTED;
            en->state = answered;
            advance_locked(tx, deferred);
            return STATUS_SUCCESS;
        };
        auto superior_step = [&](TxState from, TxState to, EnState en_from, ULONG notification, EnState sent,
                                 EnState answered) {
            if (!superior) return STATUS_ENLISTMENT_NOT_SUPERIOR;
            if (NTSTATUS final = final_state_status(tx); !NT_SUCCESS(final)) return final;
            if (tx->state != from) return STATUS_TRANSACTION_REQUEST_NOT_VALID;
            start_phase_locked(tx, to, en_from, notification, sent, answered, deferred);
            advance_locked(tx, deferred);
            return STATUS_SUCCESS;
        };
        switch (what) {
        case Answer::PrePrepareComplete: status = expect(EnState::PrePrepareSent, EnState::PrePrepared); break;
        case Answer::PrepareComplete: status = expect(EnState::PrepareSent, EnState::Prepared); break;
        case Answer::CommitComplete: status = expect(EnState::CommitSent, EnState::Committed); break;
        case Answer::RollbackComplete:
            status = en->state == EnState::RollbackSent ? (en->state = EnState::Done, STATUS_SUCCESS)
                                                        : STATUS_TRANSACTION_NOT_REQUESTED;
            break;
        // KTM never sends SINGLE_PHASE_COMMIT (ntio always runs two phases), so nothing can be rejected.
        case Answer::SinglePhaseReject: status = STATUS_TRANSACTION_NOT_REQUESTED; break;
        case Answer::ReadOnly:
            if (NTSTATUS final = final_state_status(tx); !NT_SUCCESS(final)) status = final;
            else if (superior || (en->state != EnState::Active && en->state != EnState::PrePrepareSent &&
                                  en->state != EnState::PrePrepared && en->state != EnState::PrepareSent))
                status = STATUS_TRANSACTION_REQUEST_NOT_VALID;
            else {
                en->state = EnState::ReadOnly;
                advance_locked(tx, deferred);
            }
            break;
        case Answer::Rollback:
            if (NTSTATUS final = final_state_status(tx); !NT_SUCCESS(final)) status = final;
            else if (!superior && (en->state == EnState::Prepared || en->state == EnState::ReadOnly ||
                                   en->state == EnState::Done))
                status = STATUS_TRANSACTION_REQUEST_NOT_VALID;
            else status = rollback_locked(tx, en, deferred);
            break;
        case Answer::SuperiorPrePrepare:
            status = superior_step(TxState::Active, TxState::PrePreparing, EnState::Active,
                                   TRANSACTION_NOTIFY_PREPREPARE, EnState::PrePrepareSent, EnState::PrePrepared);
            break;
        case Answer::SuperiorPrepare:
            status = superior_step(TxState::PrePrepared, TxState::Preparing, EnState::PrePrepared,
                                   TRANSACTION_NOTIFY_PREPARE, EnState::PrepareSent, EnState::Prepared);
            break;
        case Answer::SuperiorCommit:
            status = superior_step(TxState::Prepared, TxState::Committing, EnState::Prepared,
                                   TRANSACTION_NOTIFY_COMMIT, EnState::CommitSent, EnState::Committed);
            break;
        }
    }
    run(deferred);
    return status;
}

void disconnect_resource_manager(PKRESOURCEMANAGER rm) {
    Deferred deferred;
    std::vector<PKENLISTMENT> enlistments;
    {
        std::lock_guard<std::mutex> guard(lock());
        rm->disconnected = true;
        rm->queue.clear();
        KeSetEvent(&rm->queue_ready, IO_NO_INCREMENT, FALSE);  // wakes readers to see it
        enlistments = enlistments_of_locked(rm);
        for (PKENLISTMENT en : enlistments) {
            PKTRANSACTION tx = en->transaction;
            switch (en->state) {
            case EnState::RollbackSent: en->state = EnState::Done; break;
            case EnState::CommitSent:
                en->state = EnState::Committed;
                advance_locked(tx, deferred);
                break;
            case EnState::Committed:
            case EnState::Done:
            case EnState::ReadOnly: break;
            default:
                // Not yet prepared (or a superior that has not committed): the transaction cannot commit.
                if (tx->state != TxState::Committing) (void)rollback_locked(tx, en, deferred);
                break;
            }
        }
    }
    run(deferred);
    for (PKENLISTMENT en : enlistments) ObDereferenceObject(en);
}

NTSTATUS get_notification(PKRESOURCEMANAGER rm, PTRANSACTION_NOTIFICATION out, ULONG length,
                          const LARGE_INTEGER* timeout, ULONG* needed) {
    for (;;) {
        {
            std::lock_guard<std::mutex> guard(lock());
            if (!rm->queue.empty()) {
                *needed = sizeof(TRANSACTION_NOTIFICATION);
                if (length < sizeof(TRANSACTION_NOTIFICATION)) return STATUS_BUFFER_TOO_SMALL;
                const QueuedNotification next = rm->queue.front();
                rm->queue.pop_front();
                if (rm->queue.empty()) KeClearEvent(&rm->queue_ready);
                out->TransactionKey = next.key;
                out->TransactionNotification = next.notification;
                out->TmVirtualClock.QuadPart = next.clock;
                out->ArgumentLength = 0;
                return STATUS_SUCCESS;
            }
            // A reader that raced the RM's last handle close must not wait for ever.
            if (rm->disconnected) return STATUS_RM_DISCONNECTED;
        }
        LARGE_INTEGER wait_for;
        if (timeout) wait_for = *timeout;
        const NTSTATUS status =
            KeWaitForSingleObject(&rm->queue_ready, Executive, KernelMode, FALSE, timeout ? &wait_for : nullptr);
        if (status == STATUS_TIMEOUT) return STATUS_TIMEOUT;
    }
}

NTSTATUS enable_callbacks(PKRESOURCEMANAGER rm, PTM_RM_NOTIFICATION callback, PVOID rm_key) {
    if (!callback) return STATUS_UNSUCCESSFUL;  // TmEnableCallbacks on Learn: a null CallbackRoutine
    std::lock_guard<std::mutex> guard(lock());
    rm->callback = callback;
    rm->rm_key = rm_key;
    return STATUS_SUCCESS;
}

TRANSACTION_BASIC_INFORMATION basic_information(PKTRANSACTION tx) {
    std::lock_guard<std::mutex> guard(lock());
    TRANSACTION_BASIC_INFORMATION info{};
    info.TransactionId = tx->uow;
    switch (tx->state) {
    case TxState::Prepared: info.State = TransactionStateIndoubt; break;
    case TxState::Committing:
    case TxState::Committed: info.State = TransactionStateCommittedNotify; break;
    default: info.State = TransactionStateNormal; break;
    }
    switch (tx->state) {
    case TxState::Committing:
    case TxState::Committed: info.Outcome = TransactionOutcomeCommitted; break;
    case TxState::Aborted: info.Outcome = TransactionOutcomeAborted; break;
    default: info.Outcome = TransactionOutcomeUndetermined; break;
    }
    return info;
}

bool is_active(PKTRANSACTION tx) {
    std::lock_guard<std::mutex> guard(lock());
    return tx->state == TxState::Active;
}

}  // namespace ntio::ex::ktm

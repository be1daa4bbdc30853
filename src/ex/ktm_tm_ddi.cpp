// The pointer-based KTM routines of wdm.h (Tm*): what the Zw* enlistment and transaction services do,
// for a component that holds referenced KTM objects. PASSIVE_LEVEL.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/using-tmxxx-routines
#include "ex/ktm.hpp"

using namespace ntio::ex::ktm;

namespace ntio::ex::ktm {

NTSTATUS create_enlistment(PHANDLE handle, KPROCESSOR_MODE mode, ACCESS_MASK access, POBJECT_ATTRIBUTES attributes,
                           PKRESOURCEMANAGER rm, PKTRANSACTION tx, ULONG create_options, NOTIFICATION_MASK mask,
                           PVOID key) {
    if (!rm || !tx || !handle) return STATUS_INVALID_PARAMETER;
    NTSTATUS status = check_enlistment_request(tx, create_options, mask);
    if (!NT_SUCCESS(status)) return status;
    PVOID body = nullptr;
    status = ObCreateObject(mode, *TmEnlistmentObjectType, attributes, mode, nullptr, sizeof(_KENLISTMENT), 0, 0,
                            &body);
    if (!NT_SUCCESS(status)) return status;
    status = init_enlistment(static_cast<PKENLISTMENT>(body), rm, tx, create_options, mask, key);
    if (!NT_SUCCESS(status)) {
        ObDereferenceObject(body);
        return status;
    }
    return ObInsertObject(body, nullptr, access, 0, nullptr, handle);
}

}  // namespace ntio::ex::ktm

extern "C" {

NTSTATUS NTAPI TmCreateEnlistment(PHANDLE EnlistmentHandle, KPROCESSOR_MODE PreviousMode, ACCESS_MASK DesiredAccess,
                                  POBJECT_ATTRIBUTES ObjectAttributes, PRKRESOURCEMANAGER ResourceManager,
                                  PKTRANSACTION Transaction, ULONG CreateOptions, NOTIFICATION_MASK NotificationMask,
                                  PVOID EnlistmentKey) {
    return create_enlistment(EnlistmentHandle, PreviousMode, DesiredAccess, ObjectAttributes, ResourceManager,
                             Transaction, CreateOptions, NotificationMask, EnlistmentKey);
}

NTSTATUS NTAPI TmCommitTransaction(PKTRANSACTION Transaction, BOOLEAN Wait) { return commit(Transaction, Wait); }
NTSTATUS NTAPI TmRollbackTransaction(PKTRANSACTION Transaction, BOOLEAN Wait) { return rollback(Transaction, Wait); }

VOID NTAPI TmGetTransactionId(PKTRANSACTION Transaction, PUOW TransactionId) {
    *TransactionId = Transaction->uow;  // fixed at creation: no lock needed
}

BOOLEAN NTAPI TmIsTransactionActive(PKTRANSACTION Transaction) { return is_active(Transaction) ? TRUE : FALSE; }

NTSTATUS NTAPI TmPrePrepareEnlistment(PKENLISTMENT Enlistment, PLARGE_INTEGER TmVirtualClock) {
    return answer(Enlistment, Answer::SuperiorPrePrepare, TmVirtualClock);
}
NTSTATUS NTAPI TmPrepareEnlistment(PKENLISTMENT Enlistment, PLARGE_INTEGER TmVirtualClock) {
    return answer(Enlistment, Answer::SuperiorPrepare, TmVirtualClock);
}
NTSTATUS NTAPI TmCommitEnlistment(PKENLISTMENT Enlistment, PLARGE_INTEGER TmVirtualClock) {
    return answer(Enlistment, Answer::SuperiorCommit, TmVirtualClock);
}
NTSTATUS NTAPI TmRollbackEnlistment(PKENLISTMENT Enlistment, PLARGE_INTEGER TmVirtualClock) {
    return answer(Enlistment, Answer::Rollback, TmVirtualClock);
}
NTSTATUS NTAPI TmPrePrepareComplete(PKENLISTMENT Enlistment, PLARGE_INTEGER TmVirtualClock) {
    return answer(Enlistment, Answer::PrePrepareComplete, TmVirtualClock);
}
NTSTATUS NTAPI TmPrepareComplete(PKENLISTMENT Enlistment, PLARGE_INTEGER TmVirtualClock) {
    return answer(Enlistment, Answer::PrepareComplete, TmVirtualClock);
}
NTSTATUS NTAPI TmCommitComplete(PKENLISTMENT Enlistment, PLARGE_INTEGER TmVirtualClock) {
    return answer(Enlistment, Answer::CommitComplete, TmVirtualClock);
}
NTSTATUS NTAPI TmRollbackComplete(PKENLISTMENT Enlistment, PLARGE_INTEGER TmVirtualClock) {
    return answer(Enlistment, Answer::RollbackComplete, TmVirtualClock);
}
NTSTATUS NTAPI TmReadOnlyEnlistment(PKENLISTMENT Enlistment, PLARGE_INTEGER TmVirtualClock) {
    return answer(Enlistment, Answer::ReadOnly, TmVirtualClock);
}
NTSTATUS NTAPI TmSinglePhaseReject(PKENLISTMENT Enlistment, PLARGE_INTEGER TmVirtualClock) {
    return answer(Enlistment, Answer::SinglePhaseReject, TmVirtualClock);
}

// NT deviation: volatile transaction managers only, so there is never a recovery in progress.
NTSTATUS NTAPI TmRecoverEnlistment(PKENLISTMENT, PVOID) { return STATUS_TRANSACTION_NOT_REQUESTED; }
NTSTATUS NTAPI TmRecoverResourceManager(PKRESOURCEMANAGER) { return STATUS_SUCCESS; }
NTSTATUS NTAPI TmRecoverTransactionManager(PKTM, PLARGE_INTEGER) { return STATUS_SUCCESS; }

// Renaming moves a durable TM's log; every TM here is volatile (no log).
NTSTATUS NTAPI TmRenameTransactionManager(PUNICODE_STRING LogFileName, LPGUID ExistingTransactionManagerGuid) {
    if (!LogFileName || !ExistingTransactionManagerGuid) return STATUS_INVALID_PARAMETER;
    PKTM tm = find_transaction_manager(*ExistingTransactionManagerGuid);
    if (!tm) return STATUS_TRANSACTIONMANAGER_NOT_FOUND;
    ObDereferenceObject(tm);
    return STATUS_TM_VOLATILE;
}

NTSTATUS NTAPI TmReferenceEnlistmentKey(PKENLISTMENT Enlistment, PVOID* Key) {
    std::lock_guard<std::mutex> guard(lock());
    ++Enlistment->key_references;
    *Key = Enlistment->key;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI TmDereferenceEnlistmentKey(PKENLISTMENT Enlistment, PBOOLEAN LastReference) {
    std::lock_guard<std::mutex> guard(lock());
    if (Enlistment->key_references <= 0) return STATUS_UNSUCCESSFUL;
    const bool last = --Enlistment->key_references == 0;
    if (LastReference) *LastReference = last ? TRUE : FALSE;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI TmEnableCallbacks(PKRESOURCEMANAGER ResourceManager, PTM_RM_NOTIFICATION CallbackRoutine,
                                 PVOID RMKey) {
    return enable_callbacks(ResourceManager, CallbackRoutine, RMKey);
}

// No propagation request is ever made (no superior transaction manager promotes here), so no cookie
// names one.
NTSTATUS NTAPI TmPropagationComplete(PKRESOURCEMANAGER, ULONG, ULONG, PVOID) {
    return STATUS_TRANSACTION_NOT_REQUESTED;
}
NTSTATUS NTAPI TmPropagationFailed(PKRESOURCEMANAGER, ULONG, NTSTATUS) { return STATUS_TRANSACTION_NOT_REQUESTED; }

}  // extern "C"

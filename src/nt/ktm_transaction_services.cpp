// KTM services for transactions and enlistments: create, open, query, set, commit and roll back a
// transaction; enlist a resource manager and answer its notifications (Nt*Complete, read-only,
// rollback) or, for a superior enlistment, drive the phases (NtPrePrepareEnlistment & co.).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwcreatetransaction
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwcreateenlistment
#include "nt/current_system.hpp"
#include "nt/enum_value.hpp"
#include <ntio/ntapi.h>

#include "ex/ktm.hpp"
#include "nt/ktm_output.hpp"
#include "nt/object_creation.hpp"
#include "nt/object_reference.hpp"

using namespace ntio::nt;
using namespace ntio::nt::ktm;
namespace engine = ntio::ex::ktm;

namespace {

// One enlistment answer: the handle needs the rights of the enlistment's side (subordinate or superior).
NTSTATUS enlistment_answer(HANDLE handle, PLARGE_INTEGER clock_in, engine::Answer what, bool superior_call) {
    const KPROCESSOR_MODE mode = previous_mode();
    LARGE_INTEGER clock;
    PLARGE_INTEGER clock_ptr = nullptr;
    NTSTATUS status = read_clock(mode, clock_in, clock, clock_ptr);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<KENLISTMENT> en;
    status = en.reference(handle, superior_call ? ENLISTMENT_SUPERIOR_RIGHTS : ENLISTMENT_SUBORDINATE_RIGHTS,
                          *TmEnlistmentObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    return engine::answer(en.get(), what, clock_ptr);
}

}  // namespace

extern "C" {

NTSTATUS NTAPI NtCreateTransaction(PHANDLE TransactionHandle, ACCESS_MASK DesiredAccess,
                                   POBJECT_ATTRIBUTES ObjectAttributes, LPGUID Uow, HANDLE TmHandle,
                                   ULONG CreateOptions, ULONG IsolationLevel, ULONG IsolationFlags,
                                   PLARGE_INTEGER Timeout, PUNICODE_STRING Description) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (CreateOptions & ~ULONG{TRANSACTION_MAXIMUM_OPTION}) return STATUS_INVALID_PARAMETER;
    GUID uow;
    NTSTATUS status = STATUS_SUCCESS;
    if (Uow && !NT_SUCCESS(status = read_guid(mode, Uow, uow))) return status;
    LARGE_INTEGER timeout;
    PLARGE_INTEGER timeout_ptr = nullptr;
    if (status = read_clock(mode, Timeout, timeout, timeout_ptr); !NT_SUCCESS(status)) return status;
    std::u16string description;
    if (Description) {
        if (status = capture_string(mode, Description, description); !NT_SUCCESS(status)) return status;
        if (description.size() > MAX_TRANSACTION_DESCRIPTION_LENGTH) return STATUS_INVALID_PARAMETER;
    }
    // "TRANSACTIONMANAGER_QUERY_INFORMATION ... also required for ZwCreateTransaction" (ZwCreateTransactionManager).
    HandleReference<KTM> tm;
    if (TmHandle) {
        status = tm.reference(TmHandle, TRANSACTIONMANAGER_QUERY_INFORMATION, *TmTransactionManagerObjectType, mode);
        if (!NT_SUCCESS(status)) return status;
    }
    return create_object<KTRANSACTION>(TransactionHandle, DesiredAccess, ObjectAttributes, *TmTransactionObjectType,
                                       sizeof(KTRANSACTION), [&](PKTRANSACTION tx) {
                                           return engine::init_transaction(tx, tm.get(), Uow ? &uow : nullptr,
                                                                           CreateOptions, IsolationLevel,
                                                                           IsolationFlags, timeout_ptr,
                                                                           std::move(description));
                                       });
}

NTSTATUS NTAPI NtOpenTransaction(PHANDLE TransactionHandle, ACCESS_MASK DesiredAccess,
                                 POBJECT_ATTRIBUTES ObjectAttributes, LPGUID Uow, HANDLE TmHandle) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (!Uow) return open_object(TransactionHandle, DesiredAccess, ObjectAttributes, *TmTransactionObjectType);
    NTSTATUS status = probe_caller_output(mode, TransactionHandle);
    if (!NT_SUCCESS(status)) return status;
    CapturedObjectAttributes captured;
    if (status = captured.capture(ObjectAttributes, mode); !NT_SUCCESS(status)) return status;
    GUID uow;
    if (status = read_guid(mode, Uow, uow); !NT_SUCCESS(status)) return status;
    HandleReference<KTM> tm;
    if (TmHandle) {
        status = tm.reference(TmHandle, TRANSACTIONMANAGER_QUERY_INFORMATION, *TmTransactionManagerObjectType, mode);
        if (!NT_SUCCESS(status)) return status;
    }
    PKTRANSACTION tx = engine::find_transaction(tm.get(), uow);
    if (!tx) return STATUS_TRANSACTION_NOT_FOUND;
    return open_found(mode, tx, *TmTransactionObjectType, DesiredAccess, captured, TransactionHandle);
}

NTSTATUS NTAPI NtQueryInformationTransaction(HANDLE TransactionHandle, TRANSACTION_INFORMATION_CLASS InformationClass,
                                             PVOID Information, ULONG Length, PULONG ReturnLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    const auto info_class = enum_value(InformationClass);
    if (info_class != TransactionBasicInformation && info_class != TransactionPropertiesInformation &&
        info_class != TransactionEnlistmentInformation && info_class != TransactionSuperiorEnlistmentInformation)
        return STATUS_INVALID_INFO_CLASS;
    NTSTATUS status = probe_query(mode, Information, Length, ReturnLength);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<KTRANSACTION> tx;
    status = tx.reference(TransactionHandle, TRANSACTION_QUERY_INFORMATION, *TmTransactionObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    switch (info_class) {
    case TransactionBasicInformation:
        return put_fixed(mode, Information, Length, ReturnLength, engine::basic_information(tx.get()));
    case TransactionPropertiesInformation: {
        TRANSACTION_PROPERTIES_INFORMATION info{};
        std::u16string description;
        {
            std::lock_guard<std::mutex> guard(engine::lock());
            info.IsolationLevel = tx->isolation_level;
            info.IsolationFlags = tx->isolation_flags;
            info.Timeout = tx->timeout;
            description = tx->description;
        }
        info.Outcome = engine::basic_information(tx.get()).Outcome;
        info.DescriptionLength = static_cast<ULONG>(description.size() * sizeof(char16_t));
        return put_described(mode, Information, Length, ReturnLength, &info,
                             offsetof(TRANSACTION_PROPERTIES_INFORMATION, Description), description);
    }
    case TransactionEnlistmentInformation: {
        std::vector<TRANSACTION_ENLISTMENT_PAIR> pairs;
        {
            std::lock_guard<std::mutex> guard(engine::lock());
            pairs = tx->pairs;
        }
        const ULONG header = offsetof(TRANSACTION_ENLISTMENTS_INFORMATION, EnlistmentPair);
        const ULONG needed = header + static_cast<ULONG>(pairs.size() * sizeof(TRANSACTION_ENLISTMENT_PAIR));
        if (ReturnLength) (void)write_caller(mode, ReturnLength, needed);
        if (Length < header) return STATUS_INFO_LENGTH_MISMATCH;
        if (Length < needed) return STATUS_BUFFER_TOO_SMALL;
        const ULONG count = static_cast<ULONG>(pairs.size());
        status = put(mode, Information, &count, sizeof count);
        if (NT_SUCCESS(status) && count)
            status = put(mode, static_cast<char*>(Information) + header, pairs.data(), needed - header);
        return status;
    }
    default: {
        TRANSACTION_SUPERIOR_ENLISTMENT_INFORMATION info{};
        bool found = false;
        {
            std::lock_guard<std::mutex> guard(engine::lock());
            if (tx->superior) {
                info.SuperiorEnlistmentPair = {tx->superior->id, tx->superior->resource_manager->id};
                found = true;
            }
        }
        if (!found) return STATUS_TRANSACTION_NOT_ENLISTED;
        return put_fixed(mode, Information, Length, ReturnLength, info);
    }
    }
}

NTSTATUS NTAPI NtSetInformationTransaction(HANDLE TransactionHandle, TRANSACTION_INFORMATION_CLASS InformationClass,
                                           PVOID Information, ULONG Length) {
    const KPROCESSOR_MODE mode = previous_mode();
    // SetTransactionInformation (ktmw32.h) sets the timeout and the description: the properties class.
    if (enum_value(InformationClass) != TransactionPropertiesInformation) return STATUS_INVALID_INFO_CLASS;
    const ULONG header = offsetof(TRANSACTION_PROPERTIES_INFORMATION, Description);
    if (Length < header) return STATUS_INFO_LENGTH_MISMATCH;
    TRANSACTION_PROPERTIES_INFORMATION info{};
    NTSTATUS status = mode == KernelMode ? (std::memcpy(&info, Information, header), STATUS_SUCCESS)
                                         : copy_from_user(&info, Information, header, alignof(ULONG));
    if (!NT_SUCCESS(status)) return status;
    if (info.DescriptionLength % sizeof(WCHAR) || info.DescriptionLength > Length - header ||
        info.DescriptionLength > MAX_TRANSACTION_DESCRIPTION_LENGTH * sizeof(WCHAR))
        return STATUS_INVALID_PARAMETER;
    std::u16string description(info.DescriptionLength / sizeof(WCHAR), u'\0');
    if (info.DescriptionLength) {
        const char* from = static_cast<const char*>(Information) + header;
        status = mode == KernelMode ? (std::memcpy(description.data(), from, info.DescriptionLength), STATUS_SUCCESS)
                                    : copy_from_user(description.data(), from, info.DescriptionLength, 1);
        if (!NT_SUCCESS(status)) return status;
    }
    HandleReference<KTRANSACTION> tx;
    status = tx.reference(TransactionHandle, TRANSACTION_SET_INFORMATION, *TmTransactionObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    std::lock_guard<std::mutex> guard(engine::lock());
    tx->timeout = info.Timeout;
    tx->description = std::move(description);
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI NtCommitTransaction(HANDLE TransactionHandle, BOOLEAN Wait) {
    HandleReference<KTRANSACTION> tx;
    NTSTATUS status = tx.reference(TransactionHandle, TRANSACTION_COMMIT, *TmTransactionObjectType, previous_mode());
    if (!NT_SUCCESS(status)) return status;
    return TmCommitTransaction(tx.get(), Wait);
}

NTSTATUS NTAPI NtRollbackTransaction(HANDLE TransactionHandle, BOOLEAN Wait) {
    HandleReference<KTRANSACTION> tx;
    NTSTATUS status = tx.reference(TransactionHandle, TRANSACTION_ROLLBACK, *TmTransactionObjectType, previous_mode());
    if (!NT_SUCCESS(status)) return status;
    return TmRollbackTransaction(tx.get(), Wait);
}

NTSTATUS NTAPI NtCreateEnlistment(PHANDLE EnlistmentHandle, ACCESS_MASK DesiredAccess, HANDLE ResourceManagerHandle,
                                  HANDLE TransactionHandle, POBJECT_ATTRIBUTES ObjectAttributes, ULONG CreateOptions,
                                  NOTIFICATION_MASK NotificationMask, PVOID EnlistmentKey) {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = probe_caller_output(mode, EnlistmentHandle);
    if (!NT_SUCCESS(status)) return status;
    CapturedObjectAttributes captured;
    if (status = captured.capture(ObjectAttributes, mode); !NT_SUCCESS(status)) return status;
    HandleReference<KRESOURCEMANAGER> rm;
    status = rm.reference(ResourceManagerHandle, RESOURCEMANAGER_ENLIST, *TmResourceManagerObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<KTRANSACTION> tx;
    status = tx.reference(TransactionHandle, TRANSACTION_ENLIST, *TmTransactionObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    HANDLE handle = nullptr;
    status = engine::create_enlistment(&handle, mode, DesiredAccess, captured.get(), rm.get(), tx.get(), CreateOptions,
                                       NotificationMask, EnlistmentKey);
    if (NT_SUCCESS(status)) (void)write_caller(mode, EnlistmentHandle, handle);
    return status;
}

NTSTATUS NTAPI NtOpenEnlistment(PHANDLE EnlistmentHandle, ACCESS_MASK DesiredAccess, HANDLE RmHandle,
                                LPGUID EnlistmentGuid, POBJECT_ATTRIBUTES ObjectAttributes) {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = probe_caller_output(mode, EnlistmentHandle);
    if (!NT_SUCCESS(status)) return status;
    CapturedObjectAttributes captured;
    if (status = captured.capture(ObjectAttributes, mode); !NT_SUCCESS(status)) return status;
    GUID id;
    if (status = read_guid(mode, EnlistmentGuid, id); !NT_SUCCESS(status)) return status;
    HandleReference<KRESOURCEMANAGER> rm;
    status = rm.reference(RmHandle, RESOURCEMANAGER_QUERY_INFORMATION, *TmResourceManagerObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    PKENLISTMENT en = engine::find_enlistment(rm.get(), id);
    if (!en) return STATUS_ENLISTMENT_NOT_FOUND;
    return open_found(mode, en, *TmEnlistmentObjectType, DesiredAccess, captured, EnlistmentHandle);
}

NTSTATUS NTAPI NtQueryInformationEnlistment(HANDLE EnlistmentHandle, ENLISTMENT_INFORMATION_CLASS InformationClass,
                                            PVOID Information, ULONG Length, PULONG ReturnLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    const auto info_class = enum_value(InformationClass);
    if (info_class != EnlistmentBasicInformation && info_class != EnlistmentRecoveryInformation)
        return STATUS_INVALID_INFO_CLASS;
    NTSTATUS status = probe_query(mode, Information, Length, ReturnLength);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<KENLISTMENT> en;
    status = en.reference(EnlistmentHandle, ENLISTMENT_QUERY_INFORMATION, *TmEnlistmentObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    if (info_class == EnlistmentBasicInformation) {
        ENLISTMENT_BASIC_INFORMATION info{en->id, en->transaction->uow, en->resource_manager->id};
        return put_fixed(mode, Information, Length, ReturnLength, info);
    }
    std::vector<std::uint8_t> blob;
    {
        std::lock_guard<std::mutex> guard(engine::lock());
        blob = en->recovery_information;
    }
    const ULONG needed = static_cast<ULONG>(blob.size());
    if (ReturnLength) (void)write_caller(mode, ReturnLength, needed);
    if (Length < needed) return STATUS_BUFFER_TOO_SMALL;
    return needed ? put(mode, Information, blob.data(), needed) : STATUS_SUCCESS;
}

NTSTATUS NTAPI NtSetInformationEnlistment(HANDLE EnlistmentHandle, ENLISTMENT_INFORMATION_CLASS InformationClass,
                                          PVOID Information, ULONG Length) {
    const KPROCESSOR_MODE mode = previous_mode();
    // Only the recovery information an RM keeps with its enlistment can be set.
    if (enum_value(InformationClass) != EnlistmentRecoveryInformation) return STATUS_INVALID_INFO_CLASS;
    std::vector<std::uint8_t> blob(Length);
    if (Length) {
        NTSTATUS status = mode == KernelMode ? (std::memcpy(blob.data(), Information, Length), STATUS_SUCCESS)
                                             : copy_from_user(blob.data(), Information, Length, 1);
        if (!NT_SUCCESS(status)) return status;
    }
    HandleReference<KENLISTMENT> en;
    NTSTATUS status = en.reference(EnlistmentHandle, ENLISTMENT_SET_INFORMATION, *TmEnlistmentObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    std::lock_guard<std::mutex> guard(engine::lock());
    en->recovery_information = std::move(blob);
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI NtRecoverEnlistment(HANDLE EnlistmentHandle, PVOID EnlistmentKey) {
    HandleReference<KENLISTMENT> en;
    NTSTATUS status = en.reference(EnlistmentHandle, ENLISTMENT_RECOVER, *TmEnlistmentObjectType, previous_mode());
    if (!NT_SUCCESS(status)) return status;
    return TmRecoverEnlistment(en.get(), EnlistmentKey);
}

NTSTATUS NTAPI NtPrePrepareEnlistment(HANDLE EnlistmentHandle, PLARGE_INTEGER TmVirtualClock) {
    return enlistment_answer(EnlistmentHandle, TmVirtualClock, engine::Answer::SuperiorPrePrepare, true);
}
NTSTATUS NTAPI NtPrepareEnlistment(HANDLE EnlistmentHandle, PLARGE_INTEGER TmVirtualClock) {
    return enlistment_answer(EnlistmentHandle, TmVirtualClock, engine::Answer::SuperiorPrepare, true);
}
NTSTATUS NTAPI NtCommitEnlistment(HANDLE EnlistmentHandle, PLARGE_INTEGER TmVirtualClock) {
    return enlistment_answer(EnlistmentHandle, TmVirtualClock, engine::Answer::SuperiorCommit, true);
}

// A subordinate or a superior may roll back; the handle needs the rights of the enlistment's side.
NTSTATUS NTAPI NtRollbackEnlistment(HANDLE EnlistmentHandle, PLARGE_INTEGER TmVirtualClock) {
    const KPROCESSOR_MODE mode = previous_mode();
    LARGE_INTEGER clock;
    PLARGE_INTEGER clock_ptr = nullptr;
    NTSTATUS status = read_clock(mode, TmVirtualClock, clock, clock_ptr);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<KENLISTMENT> en;
    status = en.reference(EnlistmentHandle, 0, *TmEnlistmentObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    const ACCESS_MASK needed =
        (en->create_options & ENLISTMENT_SUPERIOR) ? ENLISTMENT_SUPERIOR_RIGHTS : ENLISTMENT_SUBORDINATE_RIGHTS;
    if (mode != KernelMode && (en.info().GrantedAccess & needed) != needed) return STATUS_ACCESS_DENIED;
    return engine::answer(en.get(), engine::Answer::Rollback, clock_ptr);
}

NTSTATUS NTAPI NtPrePrepareComplete(HANDLE EnlistmentHandle, PLARGE_INTEGER TmVirtualClock) {
    return enlistment_answer(EnlistmentHandle, TmVirtualClock, engine::Answer::PrePrepareComplete, false);
}
NTSTATUS NTAPI NtPrepareComplete(HANDLE EnlistmentHandle, PLARGE_INTEGER TmVirtualClock) {
    return enlistment_answer(EnlistmentHandle, TmVirtualClock, engine::Answer::PrepareComplete, false);
}
NTSTATUS NTAPI NtCommitComplete(HANDLE EnlistmentHandle, PLARGE_INTEGER TmVirtualClock) {
    return enlistment_answer(EnlistmentHandle, TmVirtualClock, engine::Answer::CommitComplete, false);
}
NTSTATUS NTAPI NtReadOnlyEnlistment(HANDLE EnlistmentHandle, PLARGE_INTEGER TmVirtualClock) {
    return enlistment_answer(EnlistmentHandle, TmVirtualClock, engine::Answer::ReadOnly, false);
}
NTSTATUS NTAPI NtRollbackComplete(HANDLE EnlistmentHandle, PLARGE_INTEGER TmVirtualClock) {
    return enlistment_answer(EnlistmentHandle, TmVirtualClock, engine::Answer::RollbackComplete, false);
}
NTSTATUS NTAPI NtSinglePhaseReject(HANDLE EnlistmentHandle, PLARGE_INTEGER TmVirtualClock) {
    return enlistment_answer(EnlistmentHandle, TmVirtualClock, engine::Answer::SinglePhaseReject, false);
}

}  // extern "C"

// KTM services for transaction managers and resource managers: create, open, query, set, recover,
// enumerate, and NtGetNotificationResourceManager, which hands a resource manager its queued
// transaction notifications.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwcreatetransactionmanager
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwcreateresourcemanager
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwgetnotificationresourcemanager
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

NTSTATUS capture_description(KPROCESSOR_MODE mode, PUNICODE_STRING description, ULONG max_chars,
                             std::u16string& out) {
    if (!description) return STATUS_SUCCESS;
    NTSTATUS status = capture_string(mode, description, out);
    if (NT_SUCCESS(status) && out.size() > max_chars) status = STATUS_INVALID_PARAMETER;
    return status;
}

}  // namespace

extern "C" {

NTSTATUS NTAPI NtCreateTransactionManager(PHANDLE TmHandle, ACCESS_MASK DesiredAccess,
                                          POBJECT_ATTRIBUTES ObjectAttributes, PUNICODE_STRING LogFileName,
                                          ULONG CreateOptions, ULONG CommitStrength) {
    if (CreateOptions & ~ULONG{TRANSACTION_MANAGER_MAXIMUM_OPTION}) return STATUS_INVALID_PARAMETER;
    if (CommitStrength != 0) return STATUS_INVALID_PARAMETER;  // "Reserved; specify zero"
    // NT deviation: no CLFS log, so no durable transaction manager (docs/nt-deviations.md). A volatile
    // one is "LogFileName NULL and CreateOptions TRANSACTION_MANAGER_VOLATILE" (CreateTransactionManager).
    if (LogFileName) return STATUS_NOT_SUPPORTED;
    if (!(CreateOptions & TRANSACTION_MANAGER_VOLATILE)) return STATUS_INVALID_PARAMETER;
    return create_object<KTM>(TmHandle, DesiredAccess, ObjectAttributes, *TmTransactionManagerObjectType,
                              sizeof(KTM), [&](PKTM tm) {
                                  engine::init_transaction_manager(tm, CreateOptions);
                                  return STATUS_SUCCESS;
                              });
}

NTSTATUS NTAPI NtOpenTransactionManager(PHANDLE TmHandle, ACCESS_MASK DesiredAccess,
                                        POBJECT_ATTRIBUTES ObjectAttributes, PUNICODE_STRING LogFileName,
                                        LPGUID TmIdentity, ULONG OpenOptions) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (OpenOptions != 0) return STATUS_INVALID_PARAMETER;
    if (LogFileName) return STATUS_TRANSACTIONMANAGER_NOT_FOUND;  // no TM has a log (see the create)
    if (!TmIdentity) return open_object(TmHandle, DesiredAccess, ObjectAttributes, *TmTransactionManagerObjectType);
    NTSTATUS status = probe_caller_output(mode, TmHandle);
    if (!NT_SUCCESS(status)) return status;
    CapturedObjectAttributes captured;
    if (status = captured.capture(ObjectAttributes, mode); !NT_SUCCESS(status)) return status;
    GUID id;
    if (status = read_guid(mode, TmIdentity, id); !NT_SUCCESS(status)) return status;
    PKTM tm = engine::find_transaction_manager(id);
    if (!tm) return STATUS_TRANSACTIONMANAGER_NOT_FOUND;
    return open_found(mode, tm, *TmTransactionManagerObjectType, DesiredAccess, captured, TmHandle);
}

NTSTATUS NTAPI NtRenameTransactionManager(PUNICODE_STRING LogFileName, LPGUID ExistingTransactionManagerGuid) {
    const KPROCESSOR_MODE mode = previous_mode();
    std::u16string name;
    if (!LogFileName) return STATUS_INVALID_PARAMETER;
    NTSTATUS status = capture_string(mode, LogFileName, name);
    if (!NT_SUCCESS(status)) return status;
    GUID id;
    if (status = read_guid(mode, ExistingTransactionManagerGuid, id); !NT_SUCCESS(status)) return status;
    UNICODE_STRING kernel_name{};
    return TmRenameTransactionManager(&kernel_name, &id);
}

NTSTATUS NTAPI NtRollforwardTransactionManager(HANDLE TransactionManagerHandle, PLARGE_INTEGER TmVirtualClock) {
    const KPROCESSOR_MODE mode = previous_mode();
    LARGE_INTEGER clock;
    PLARGE_INTEGER clock_ptr = nullptr;
    NTSTATUS status = read_clock(mode, TmVirtualClock, clock, clock_ptr);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<KTM> tm;
    status = tm.reference(TransactionManagerHandle, TRANSACTIONMANAGER_RECOVER, *TmTransactionManagerObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    return TmRecoverTransactionManager(tm.get(), clock_ptr);
}

NTSTATUS NTAPI NtRecoverTransactionManager(HANDLE TransactionManagerHandle) {
    HandleReference<KTM> tm;
    NTSTATUS status = tm.reference(TransactionManagerHandle, TRANSACTIONMANAGER_RECOVER,
                                   *TmTransactionManagerObjectType, previous_mode());
    if (!NT_SUCCESS(status)) return status;
    return TmRecoverTransactionManager(tm.get(), nullptr);
}

NTSTATUS NTAPI NtQueryInformationTransactionManager(HANDLE TransactionManagerHandle,
                                                    TRANSACTIONMANAGER_INFORMATION_CLASS InformationClass,
                                                    PVOID Information, ULONG Length, PULONG ReturnLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    const auto info_class = enum_value(InformationClass);
    if (info_class != TransactionManagerBasicInformation && info_class != TransactionManagerLogInformation &&
        info_class != TransactionManagerLogPathInformation && info_class != TransactionManagerRecoveryInformation)
        return STATUS_INVALID_INFO_CLASS;
    NTSTATUS status = probe_query(mode, Information, Length, ReturnLength);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<KTM> tm;
    status = tm.reference(TransactionManagerHandle, TRANSACTIONMANAGER_QUERY_INFORMATION,
                          *TmTransactionManagerObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    switch (info_class) {
    case TransactionManagerBasicInformation: {
        TRANSACTIONMANAGER_BASIC_INFORMATION info{};
        {
            std::lock_guard<std::mutex> guard(engine::lock());
            info.TmIdentity = tm->id;
            info.VirtualClock.QuadPart = tm->virtual_clock;
        }
        return put_fixed(mode, Information, Length, ReturnLength, info);
    }
    case TransactionManagerRecoveryInformation: {
        TRANSACTIONMANAGER_RECOVERY_INFORMATION info{};  // nothing was ever recovered
        return put_fixed(mode, Information, Length, ReturnLength, info);
    }
    default:
        // A volatile TM has no log to describe (ERROR_TM_VOLATILE: the TM does not have a log).
        return STATUS_TM_VOLATILE;
    }
}

NTSTATUS NTAPI NtSetInformationTransactionManager(HANDLE TmHandle,
                                                  TRANSACTIONMANAGER_INFORMATION_CLASS InformationClass, PVOID,
                                                  ULONG) {
    // Learn lists TRANSACTIONMANAGER_SET_INFORMATION as "not used": no class can be set.
    HandleReference<KTM> tm;
    NTSTATUS status = tm.reference(TmHandle, TRANSACTIONMANAGER_SET_INFORMATION, *TmTransactionManagerObjectType,
                                   previous_mode());
    if (!NT_SUCCESS(status)) return status;
    (void)InformationClass;
    return STATUS_INVALID_INFO_CLASS;
}

NTSTATUS NTAPI NtEnumerateTransactionObject(HANDLE RootObjectHandle, KTMOBJECT_TYPE QueryType,
                                            PKTMOBJECT_CURSOR ObjectCursor, ULONG ObjectCursorLength,
                                            PULONG ReturnLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    const auto type = enum_value(QueryType);
    if (type >= KTMOBJECT_INVALID) return STATUS_INVALID_PARAMETER;
    const ULONG header = offsetof(KTMOBJECT_CURSOR, ObjectIds);
    if (ObjectCursorLength < header + sizeof(GUID)) return STATUS_BUFFER_TOO_SMALL;
    if (!ReturnLength) return STATUS_ACCESS_VIOLATION;
    NTSTATUS status = probe_query(mode, ObjectCursor, ObjectCursorLength, ReturnLength);
    if (!NT_SUCCESS(status)) return status;
    GUID last;
    if (status = read_guid(mode, &ObjectCursor->LastQuery, last); !NT_SUCCESS(status)) return status;
    // The root narrows the search: a TM for its RMs and transactions, an RM for its enlistments.
    PVOID root = nullptr;
    if (RootObjectHandle) {
        POBJECT_TYPE root_type = type == KTMOBJECT_ENLISTMENT ? *TmResourceManagerObjectType
                                                                : *TmTransactionManagerObjectType;
        const ACCESS_MASK access = type == KTMOBJECT_ENLISTMENT ? RESOURCEMANAGER_QUERY_INFORMATION
                                                                 : TRANSACTIONMANAGER_QUERY_INFORMATION;
        if (type == KTMOBJECT_TRANSACTION_MANAGER) return STATUS_INVALID_PARAMETER;
        status = ObReferenceObjectByHandle(RootObjectHandle, access, root_type, mode, &root, nullptr);
        if (!NT_SUCCESS(status)) return status;
    }
    std::vector<GUID> ids = engine::list_objects(static_cast<KTMOBJECT_TYPE>(type), root);
    if (root) ObDereferenceObject(root);
    // The cursor continues after the last GUID it returned (a zero GUID starts at the beginning).
    std::size_t start = 0;
    const GUID zero{};
    if (!IsEqualGUID(last, zero)) {
        for (std::size_t i = 0; i < ids.size(); ++i)
            if (IsEqualGUID(ids[i], last)) start = i + 1;
    }
    if (start >= ids.size()) {
        (void)write_caller(mode, ReturnLength, ULONG{0});
        return STATUS_NO_MORE_ENTRIES;
    }
    const std::size_t room = (ObjectCursorLength - header) / sizeof(GUID);
    const std::size_t count = std::min(room, ids.size() - start);
    if (status = put(mode, ObjectCursor->ObjectIds, &ids[start], count * sizeof(GUID)); !NT_SUCCESS(status))
        return status;
    const ULONG count32 = static_cast<ULONG>(count);
    if (status = put(mode, &ObjectCursor->ObjectIdCount, &count32, sizeof count32); !NT_SUCCESS(status)) return status;
    if (status = put(mode, &ObjectCursor->LastQuery, &ids[start + count - 1], sizeof(GUID)); !NT_SUCCESS(status))
        return status;
    (void)write_caller(mode, ReturnLength, static_cast<ULONG>(header + count * sizeof(GUID)));
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI NtCreateResourceManager(PHANDLE ResourceManagerHandle, ACCESS_MASK DesiredAccess, HANDLE TmHandle,
                                       LPGUID RmGuid, POBJECT_ATTRIBUTES ObjectAttributes, ULONG CreateOptions,
                                       PUNICODE_STRING Description) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (CreateOptions & ~ULONG{RESOURCE_MANAGER_MAXIMUM_OPTION}) return STATUS_INVALID_PARAMETER;
    GUID id;
    NTSTATUS status = read_guid(mode, RmGuid, id);
    if (!NT_SUCCESS(status)) return status;
    std::u16string description;
    if (status = capture_description(mode, Description, MAX_RESOURCEMANAGER_DESCRIPTION_LENGTH, description);
        !NT_SUCCESS(status))
        return status;
    HandleReference<KTM> tm;
    status = tm.reference(TmHandle, TRANSACTIONMANAGER_CREATE_RM, *TmTransactionManagerObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    if (PKRESOURCEMANAGER existing = engine::find_resource_manager(tm.get(), id)) {
        ObDereferenceObject(existing);
        return STATUS_OBJECT_NAME_COLLISION;  // one RM per GUID in a TM
    }
    return create_object<KRESOURCEMANAGER>(ResourceManagerHandle, DesiredAccess, ObjectAttributes,
                                           *TmResourceManagerObjectType, sizeof(KRESOURCEMANAGER),
                                           [&](PKRESOURCEMANAGER rm) {
                                               engine::init_resource_manager(rm, tm.get(), id, CreateOptions,
                                                                             std::move(description));
                                               return STATUS_SUCCESS;
                                           });
}

NTSTATUS NTAPI NtOpenResourceManager(PHANDLE ResourceManagerHandle, ACCESS_MASK DesiredAccess, HANDLE TmHandle,
                                     LPGUID ResourceManagerGuid, POBJECT_ATTRIBUTES ObjectAttributes) {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = probe_caller_output(mode, ResourceManagerHandle);
    if (!NT_SUCCESS(status)) return status;
    CapturedObjectAttributes captured;
    if (status = captured.capture(ObjectAttributes, mode); !NT_SUCCESS(status)) return status;
    GUID id;
    if (status = read_guid(mode, ResourceManagerGuid, id); !NT_SUCCESS(status)) return status;
    HandleReference<KTM> tm;
    status = tm.reference(TmHandle, TRANSACTIONMANAGER_QUERY_INFORMATION, *TmTransactionManagerObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    PKRESOURCEMANAGER rm = engine::find_resource_manager(tm.get(), id);
    if (!rm) return STATUS_RESOURCEMANAGER_NOT_FOUND;
    return open_found(mode, rm, *TmResourceManagerObjectType, DesiredAccess, captured, ResourceManagerHandle);
}

NTSTATUS NTAPI NtRecoverResourceManager(HANDLE ResourceManagerHandle) {
    HandleReference<KRESOURCEMANAGER> rm;
    NTSTATUS status = rm.reference(ResourceManagerHandle, RESOURCEMANAGER_RECOVER, *TmResourceManagerObjectType,
                                   previous_mode());
    if (!NT_SUCCESS(status)) return status;
    return TmRecoverResourceManager(rm.get());
}

NTSTATUS NTAPI NtGetNotificationResourceManager(HANDLE ResourceManagerHandle,
                                                PTRANSACTION_NOTIFICATION TransactionNotification,
                                                ULONG NotificationLength, PLARGE_INTEGER Timeout,
                                                PULONG ReturnLength, ULONG Asynchronous, ULONG_PTR) {
    const KPROCESSOR_MODE mode = previous_mode();
    // NT deviation: notifications through a completion port (Asynchronous) are not delivered.
    if (Asynchronous) return STATUS_NOT_SUPPORTED;
    LARGE_INTEGER timeout;
    PLARGE_INTEGER timeout_ptr = nullptr;
    NTSTATUS status = read_clock(mode, Timeout, timeout, timeout_ptr);
    if (!NT_SUCCESS(status)) return status;
    if (status = probe_query(mode, TransactionNotification, NotificationLength, ReturnLength); !NT_SUCCESS(status))
        return status;
    HandleReference<KRESOURCEMANAGER> rm;
    status = rm.reference(ResourceManagerHandle, RESOURCEMANAGER_GET_NOTIFICATION, *TmResourceManagerObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    TRANSACTION_NOTIFICATION notification{};
    ULONG needed = 0;
    status = engine::get_notification(rm.get(), &notification, NotificationLength, timeout_ptr, &needed);
    if (ReturnLength && (NT_SUCCESS(status) || status == STATUS_BUFFER_TOO_SMALL) && status != STATUS_TIMEOUT)
        (void)write_caller(mode, ReturnLength, needed);
    if (status == STATUS_SUCCESS) status = put(mode, TransactionNotification, &notification, sizeof notification);
    return status;
}

NTSTATUS NTAPI NtQueryInformationResourceManager(HANDLE ResourceManagerHandle,
                                                 RESOURCEMANAGER_INFORMATION_CLASS InformationClass,
                                                 PVOID Information, ULONG Length, PULONG ReturnLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (enum_value(InformationClass) != ResourceManagerBasicInformation) return STATUS_INVALID_INFO_CLASS;
    NTSTATUS status = probe_query(mode, Information, Length, ReturnLength);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<KRESOURCEMANAGER> rm;
    status = rm.reference(ResourceManagerHandle, RESOURCEMANAGER_QUERY_INFORMATION, *TmResourceManagerObjectType,
                          mode);
    if (!NT_SUCCESS(status)) return status;
    RESOURCEMANAGER_BASIC_INFORMATION info{};
    info.ResourceManagerId = rm->id;
    info.DescriptionLength = static_cast<ULONG>(rm->description.size() * sizeof(char16_t));
    return put_described(mode, Information, Length, ReturnLength, &info,
                         offsetof(RESOURCEMANAGER_BASIC_INFORMATION, Description), rm->description);
}

NTSTATUS NTAPI NtSetInformationResourceManager(HANDLE ResourceManagerHandle,
                                               RESOURCEMANAGER_INFORMATION_CLASS InformationClass, PVOID, ULONG) {
    HandleReference<KRESOURCEMANAGER> rm;
    NTSTATUS status = rm.reference(ResourceManagerHandle, RESOURCEMANAGER_SET_INFORMATION,
                                   *TmResourceManagerObjectType, previous_mode());
    if (!NT_SUCCESS(status)) return status;
    // NT deviation: binding a completion port (ResourceManagerCompletionInformation) is not supported.
    if (enum_value(InformationClass) == ResourceManagerCompletionInformation) return STATUS_NOT_SUPPORTED;
    return STATUS_INVALID_INFO_CLASS;
}

NTSTATUS NTAPI NtPropagationComplete(HANDLE ResourceManagerHandle, ULONG RequestCookie, ULONG BufferLength,
                                     PVOID Buffer) {
    HandleReference<KRESOURCEMANAGER> rm;
    NTSTATUS status = rm.reference(ResourceManagerHandle, RESOURCEMANAGER_COMPLETE_PROPAGATION,
                                   *TmResourceManagerObjectType, previous_mode());
    if (!NT_SUCCESS(status)) return status;
    return TmPropagationComplete(rm.get(), RequestCookie, BufferLength, Buffer);
}

NTSTATUS NTAPI NtPropagationFailed(HANDLE ResourceManagerHandle, ULONG RequestCookie, NTSTATUS PropStatus) {
    HandleReference<KRESOURCEMANAGER> rm;
    NTSTATUS status = rm.reference(ResourceManagerHandle, RESOURCEMANAGER_COMPLETE_PROPAGATION,
                                   *TmResourceManagerObjectType, previous_mode());
    if (!NT_SUCCESS(status)) return status;
    return TmPropagationFailed(rm.get(), RequestCookie, PropStatus);
}

}  // extern "C"

// The exported Ob* DDIs: thin C wrappers that find the object manager through the object or the
// calling thread's process and call the C++ API.
#include "ob/handle_table.hpp"
#include "ob/object_manager.hpp"

#include <ntifs.h>

#include "ntio/system.hpp"
#include "ex/executive.hpp"
#include "verifier/verifier.hpp"
#include "verifier/handle_tracking.hpp"

using namespace ntio;

namespace {

ob::ObjectManager* current_manager()
{
    if (PEPROCESS process = ob::current_process()) return process->m_manager;
    return nullptr;
}

NTSTATUS capture(PUNICODE_STRING name, std::u16string& out)
{
    if (!name || (name->Length & 1) || name->Length > name->MaximumLength || (name->Length && !name->Buffer))
        return STATUS_OBJECT_NAME_INVALID;
    out.assign(reinterpret_cast<const char16_t*>(name->Buffer), name->Length / sizeof(WCHAR));
    return STATUS_SUCCESS;
}

constexpr ULONG kDeferTag = 'fDbO';

struct DeferredDelete {
    WORK_QUEUE_ITEM item;
    void* object;
};

VOID NTAPI run_deferred_delete(PVOID context)
{
    auto* deferred = static_cast<DeferredDelete*>(context);
    void* object = deferred->object;
    ExFreePoolWithTag(deferred, kDeferTag);
    (void)ObfDereferenceObject(object);
}

}  // namespace

extern "C" {

LONG_PTR FASTCALL ObfReferenceObject(PVOID Object)
{
    NTIO_VERIFY_OBJECT_REFERENCED(Object);
    return ob::header_of(Object)->pointer_count.fetch_add(1, std::memory_order_relaxed) + 1;
}

LONG_PTR FASTCALL ObfDereferenceObject(PVOID Object)
{
    NTIO_VERIFY_OBJECT_DEREFERENCED(Object);
    return ob::dereference(ob::header_of(Object));
}

LONG_PTR FASTCALL ObfReferenceObjectWithTag(PVOID Object, ULONG Tag) { return ObfReferenceObject(Object); }

LONG_PTR FASTCALL ObfDereferenceObjectWithTag(PVOID Object, ULONG Tag) { return ObfDereferenceObject(Object); }

// The last reference goes on a system worker thread, so the delete procedure (IRP_MJ_CLOSE, a
// driver's deferred unload) never runs where the caller is: under its locks, or on a thread its
// driver owns and would wait for.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-obdereferenceobjectdeferdelete
VOID ObDereferenceObjectDeferDelete(PVOID Object)
{
    NTIO_VERIFY_OBJECT_DEREFERENCED(Object);  // a worker then drops the last one: no count is left to take again
    auto& count = ob::header_of(Object)->pointer_count;
    for (LONG_PTR value = count.load(std::memory_order_relaxed); value > 1;) {
        if (count.compare_exchange_weak(value, value - 1, std::memory_order_acq_rel, std::memory_order_relaxed)) return;
    }
    auto* deferred = static_cast<DeferredDelete*>(ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(DeferredDelete), kDeferTag));
    if (!deferred) {
        (void)ObfDereferenceObject(Object);  // no memory for the work item: delete here
        return;
    }
    deferred->object = Object;
    ExInitializeWorkItem(&deferred->item, run_deferred_delete, deferred);
    ob::header_of(Object)->manager->system().executive().queue_work_item(&deferred->item, DelayedWorkQueue);
}

VOID ObDereferenceObjectDeferDeleteWithTag(PVOID Object, ULONG Tag) { ObDereferenceObjectDeferDelete(Object); }

BOOLEAN FASTCALL ObReferenceObjectSafe(PVOID Object)
{
    auto& count = ob::header_of(Object)->pointer_count;
    LONG_PTR value = count.load(std::memory_order_relaxed);
    while (value > 0) {
        if (count.compare_exchange_weak(value, value + 1, std::memory_order_acquire, std::memory_order_relaxed)) {
            NTIO_VERIFY_OBJECT_REFERENCED(Object);
            return TRUE;
        }
    }
    return FALSE;
}

NTSTATUS ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
                                   KPROCESSOR_MODE AccessMode, PVOID* Object,
                                   POBJECT_HANDLE_INFORMATION HandleInformation)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ObPassive);
    PEPROCESS process = ob::current_process();
    if (!process) {
        if (Object) *Object = nullptr;
        return STATUS_INVALID_HANDLE;
    }
    NTSTATUS status = process->m_manager->reference_object_by_handle_in(process, Handle, DesiredAccess, ObjectType,
                                                                        AccessMode, Object, HandleInformation);
    NTIO_VERIFY_OBJECT_REFERENCED(NT_SUCCESS(status) && Object ? *Object : nullptr);
    return status;
}

NTSTATUS ObReferenceObjectByHandleWithTag(HANDLE Handle, ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
                                          KPROCESSOR_MODE AccessMode, ULONG Tag, PVOID* Object,
                                          POBJECT_HANDLE_INFORMATION HandleInformation)
{
    return ObReferenceObjectByHandle(Handle, DesiredAccess, ObjectType, AccessMode, Object, HandleInformation);
}

NTSTATUS ObReferenceObjectByPointer(PVOID Object, ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
                                    KPROCESSOR_MODE AccessMode)
{
    if (!Object) return STATUS_INVALID_PARAMETER;
    if (ObjectType && ob::type_of(Object) != ObjectType) return STATUS_OBJECT_TYPE_MISMATCH;
    ob::reference(ob::header_of(Object));
    NTIO_VERIFY_OBJECT_REFERENCED(Object);
    return STATUS_SUCCESS;
}

NTSTATUS ObReferenceObjectByPointerWithTag(PVOID Object, ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
                                           KPROCESSOR_MODE AccessMode, ULONG Tag)
{
    return ObReferenceObjectByPointer(Object, DesiredAccess, ObjectType, AccessMode);
}

NTSTATUS ObReferenceObjectByName(PUNICODE_STRING ObjectName, ULONG Attributes, PACCESS_STATE AccessState,
                                 ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode,
                                 PVOID ParseContext, PVOID* Object)
{
    if (!Object) return STATUS_INVALID_PARAMETER;
    *Object = nullptr;
    std::u16string name;
    NTSTATUS status = capture(ObjectName, name);
    if (!NT_SUCCESS(status)) return status;
    ob::ObjectManager* manager = current_manager();
    if (!manager) return STATUS_OBJECT_NAME_NOT_FOUND;
    return manager->reference_object_by_name(name, nullptr, Attributes, ObjectType, AccessMode, DesiredAccess,
                                             ParseContext, Object);
}

NTSTATUS ObOpenObjectByName(POBJECT_ATTRIBUTES ObjectAttributes, POBJECT_TYPE ObjectType,
                            KPROCESSOR_MODE AccessMode, PACCESS_STATE AccessState, ACCESS_MASK DesiredAccess,
                            PVOID ParseContext, PHANDLE Handle)
{
    if (!ObjectAttributes || !Handle) return STATUS_INVALID_PARAMETER;
    ob::ObjectManager* manager = current_manager();
    if (!manager) return STATUS_OBJECT_NAME_NOT_FOUND;
    return manager->open_object_by_name(*ObjectAttributes, ObjectType, AccessMode, DesiredAccess, ParseContext,
                                        Handle);
}

NTSTATUS ObOpenObjectByPointer(PVOID Object, ULONG HandleAttributes, PACCESS_STATE PassedAccessState,
                               ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode,
                               PHANDLE Handle)
{
    if (!Object || !Handle) return STATUS_INVALID_PARAMETER;
    return ob::manager_of(Object).open_object_by_pointer(Object, HandleAttributes, DesiredAccess, ObjectType,
                                                         AccessMode, Handle);
}

// ObOpenObjectByPointer; the tag only labels the reference for debugging, which ntio does not trace.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-obopenobjectbypointerwithtag
NTSTATUS NTAPI ObOpenObjectByPointerWithTag(PVOID Object, ULONG HandleAttributes, PACCESS_STATE PassedAccessState,
                                            ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
                                            KPROCESSOR_MODE AccessMode, ULONG Tag, PHANDLE Handle)
{
    (void)Tag;
    return ObOpenObjectByPointer(Object, HandleAttributes, PassedAccessState, DesiredAccess, ObjectType, AccessMode,
                                 Handle);
}

// The object's pointer count now (it may change at once). Learn has no page for this ntifs.h
// routine; a NULL Object answers 0 (ntio's choice).
ULONG NTAPI ObGetObjectPointerCount(PVOID Object)
{
    if (!Object) return 0;
    return static_cast<ULONG>(ob::header_of(Object)->pointer_count.load(std::memory_order_acquire));
}

// Whether closing Handle generates an audit (the handle's generate-on-close flag): ntio writes no
// security audits, so a valid handle of the current process answers FALSE; a bad one is
// STATUS_INVALID_HANDLE. Learn marks the routine reserved and documents nothing more.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-obqueryobjectauditingbyhandle
NTSTATUS NTAPI ObQueryObjectAuditingByHandle(HANDLE Handle, PBOOLEAN GenerateOnClose)
{
    if (!GenerateOnClose) return STATUS_INVALID_PARAMETER;
    PVOID object = nullptr;
    NTSTATUS status = ObReferenceObjectByHandle(Handle, 0, nullptr, KernelMode, &object, nullptr);
    if (!NT_SUCCESS(status)) return status;
    ObDereferenceObject(object);
    *GenerateOnClose = FALSE;
    return STATUS_SUCCESS;
}

NTSTATUS ObQueryNameString(PVOID Object, POBJECT_NAME_INFORMATION ObjectNameInfo, ULONG Length,
                           PULONG ReturnLength)
{
    if (!Object) return STATUS_INVALID_PARAMETER;
    return ob::manager_of(Object).query_name(Object, ObjectNameInfo, Length, ReturnLength, KernelMode);
}

VOID ObMakeTemporaryObject(PVOID Object)
{
    if (Object) ob::manager_of(Object).make_temporary(Object);
}

POBJECT_TYPE ObGetObjectType(PVOID Object) { return Object ? ob::type_of(Object) : nullptr; }

NTSTATUS ObCloseHandle(HANDLE Handle, KPROCESSOR_MODE PreviousMode)
{
    ob::ObjectManager* manager = current_manager();
    if (!manager) return STATUS_INVALID_HANDLE;
    return manager->close_handle(Handle, PreviousMode);
}

NTSTATUS ObGetObjectSecurity(PVOID Object, PSECURITY_DESCRIPTOR* SecurityDescriptor, PBOOLEAN MemoryAllocated)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ObApcLte);
    if (!Object || !SecurityDescriptor || !MemoryAllocated) return STATUS_INVALID_PARAMETER;
    NTSTATUS status = ob::copy_object_security(Object, SecurityDescriptor);
    *MemoryAllocated = *SecurityDescriptor != nullptr;
    return status;
}

VOID ObReleaseObjectSecurity(PSECURITY_DESCRIPTOR SecurityDescriptor, BOOLEAN MemoryAllocated)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ObApcLte);
    if (MemoryAllocated) delete[] static_cast<unsigned char*>(SecurityDescriptor);
}

NTSTATUS ObCreateObject(KPROCESSOR_MODE ProbeMode, POBJECT_TYPE ObjectType, POBJECT_ATTRIBUTES ObjectAttributes,
                        KPROCESSOR_MODE OwnershipMode, PVOID ParseContext, ULONG ObjectBodySize,
                        ULONG PagedPoolCharge, ULONG NonPagedPoolCharge, PVOID* Object)
{
    if (!Object) return STATUS_INVALID_PARAMETER;
    *Object = nullptr;
    ob::ObjectManager* manager = current_manager();
    if (!manager) return STATUS_INVALID_PARAMETER;
    return manager->create_object(ProbeMode, ObjectType, ObjectAttributes, ObjectBodySize, Object);
}

NTSTATUS ObInsertObject(PVOID Object, PACCESS_STATE PassedAccessState, ACCESS_MASK DesiredAccess,
                        ULONG ObjectPointerBias, PVOID* NewObject, PHANDLE Handle)
{
    if (!Object) return STATUS_INVALID_PARAMETER;
    ob::ObjectManager& manager = ob::manager_of(Object);
    void* inserted = nullptr;
    NTSTATUS status = manager.insert_object(Object, DesiredAccess, KernelMode, Handle, &inserted);
    if (!NT_SUCCESS(status)) {
        if (NewObject) *NewObject = nullptr;
        return status;
    }
    for (ULONG i = 0; i < ObjectPointerBias; ++i) ob::reference(ob::header_of(inserted));
    if (NewObject) *NewObject = inserted;
    // With a handle, the creation reference went to the handle as in NT; only the bias stays.
    if (Handle) ob::dereference(ob::header_of(inserted));
    return status;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-obiskernelhandle
// A handle of the kernel's table (OBJ_KERNEL_HANDLE) used from kernel mode; a pseudo handle is
// not one. NT deviation: Learn does not say how the previous mode counts; a kernel-table handle
// seen with a user-mode previous mode is reported as not a kernel handle, the conservative reading
// (a user-mode caller cannot use it).
BOOLEAN NTAPI ObIsKernelHandle(HANDLE Handle)
{
    return ob::is_kernel_handle(Handle) && ExGetPreviousMode() == KernelMode ? TRUE : FALSE;
}

}  // extern "C"

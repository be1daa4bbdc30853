// Handles: creation with the open procedure and per-process counts, reference by handle with the
// type and access checks PreviousMode requires, close (close procedure, name removal, last
// reference), duplication within and between processes, handle attributes and basic information.
#include "ob/object_manager.hpp"
#include "ob/handle_lookup.hpp"
#include "ob/lookup_section.hpp"
#include "ob/object_hold.hpp"
#include "ob/ob_callbacks.hpp"

#include "ke/thread.hpp"
#include "se/access_check.hpp"
#include "se/token.hpp"
#include "verifier/handle_tracking.hpp"

namespace ntio::ob {

namespace {

std::mutex g_exclusive_lock;

}  // namespace

NTSTATUS ObjectManager::access_check(ObjectHeader* header, PEPROCESS process, ACCESS_MASK desired,
                                     KPROCESSOR_MODE mode, ACCESS_MASK* granted)
{
    const GENERIC_MAPPING& mapping = header->type->generic_mapping;
    ACCESS_MASK result;
    if (mode == KernelMode) {
        result = map_generic(desired & ~MAXIMUM_ALLOWED, mapping);
        if (desired & MAXIMUM_ALLOWED) result |= mapping.GenericAll | header->type->valid_access_mask;
    } else {
        // A thread that impersonates opens with its client's token (at least SecurityImpersonation).
        std::shared_ptr<se::Token> token;
        if (process == current_process()) {
            SECURITY_IMPERSONATION_LEVEL level;
            token = se::current_client_token(&level);
            if (token && level < SecurityImpersonation) return STATUS_BAD_IMPERSONATION_LEVEL;
        }
        if (!token) token = process ? process->m_token : nullptr;
        if (!token && m_system_process) token = m_system_process->m_token;
        if (!token) return STATUS_ACCESS_DENIED;
        std::shared_lock lock(m_security_lock);
        PSECURITY_DESCRIPTOR sd = header->security.empty() ? nullptr : header->security.get();
        NTSTATUS status = se::access_check(sd, *token, desired, mapping, &result);
        if (!NT_SUCCESS(status)) return status;
        // The handle holds what was asked (the owner's implicit rights only when asked for).
        if (!(desired & MAXIMUM_ALLOWED)) result &= map_generic(desired, mapping) | ACCESS_SYSTEM_SECURITY;
    }
    *granted = result & (header->type->valid_access_mask | ACCESS_SYSTEM_SECURITY);
    return STATUS_SUCCESS;
}

NTSTATUS ObjectManager::create_handle(PEPROCESS process, ObjectHeader* header, ACCESS_MASK granted, ULONG attributes,
                                      OpenReason reason, KPROCESSOR_MODE mode, HANDLE* handle, PEPROCESS source)
{
    // One predictable branch while no driver registered handle callbacks.
    if (!m_ob_callbacks->empty() && process && handle_callback_type(header->type)) [[unlikely]]
        return filtered_create_handle(process, header, granted, attributes, reason, mode, handle, source);
    return insert_handle(process, header, granted, attributes, reason, mode, handle);
}

NTSTATUS ObjectManager::insert_handle(PEPROCESS process, ObjectHeader* header, ACCESS_MASK granted, ULONG attributes,
                                      OpenReason reason, KPROCESSOR_MODE mode, HANDLE* handle)
{
    if (!process) return STATUS_INVALID_PARAMETER;
    if (process->m_terminating.load(std::memory_order_acquire)) return STATUS_PROCESS_IS_TERMINATING;
    if ((attributes & OBJ_EXCLUSIVE) || header->has_flag(kObjectExclusive)) {
        std::lock_guard<std::mutex> guard(g_exclusive_lock);
        if (attributes & OBJ_EXCLUSIVE) {
            if (attributes & OBJ_INHERIT) return STATUS_INVALID_PARAMETER;
            bool others = header->exclusive_process ? header->exclusive_process != process
                                                    : header->handle_count.load(std::memory_order_acquire) != 0;
            if (others) return STATUS_ACCESS_DENIED;
            header->exclusive_process = process;
            header->flags.fetch_or(kObjectExclusive, std::memory_order_release);
        } else if (header->exclusive_process != process) {
            return STATUS_ACCESS_DENIED;
        }
    }

    reference(header);
    header->handle_count.fetch_add(1, std::memory_order_acq_rel);
    ULONG_PTR process_count = header->process_counts.increment(process);
    if (header->type->open) {
        NTSTATUS status = header->type->open(reason, mode, process, header->body(), granted, process_count);
        if (!NT_SUCCESS(status)) {
            header->process_counts.decrement(process);
            if (header->handle_count.fetch_sub(1, std::memory_order_acq_rel) == 1) delete_name_check(header);
            dereference(header);
            return status;
        }
    }
    m_handles.fetch_add(1, std::memory_order_relaxed);
    m_type_handles[header->type->index].fetch_add(1, std::memory_order_relaxed);
    HandleInfo info{header, granted, attributes & ULONG{OBJ_INHERIT | OBJ_PROTECT_CLOSE}};
    NTSTATUS status = process->m_handle_table.insert(info, handle);
    NTIO_VERIFY_HANDLE_CREATED(process, header->body(), NT_SUCCESS(status) ? *handle : nullptr, mode);
    if (!NT_SUCCESS(status)) {
        handle_removed(process, info);
        *handle = nullptr;
    }
    return status;
}

void ObjectManager::handle_removed(PEPROCESS process, const HandleInfo& info)
{
    ObjectHeader* header = info.object;
    NTIO_VERIFY_HANDLE_REMOVED(process, header->body());
    LONG_PTR system_before = header->handle_count.fetch_sub(1, std::memory_order_acq_rel);
    ULONG_PTR process_before = header->process_counts.decrement(process);
    if (header->type->close)
        header->type->close(process, header->body(), info.granted, process_before,
                            static_cast<ULONG_PTR>(system_before));
    m_type_handles[header->type->index].fetch_sub(1, std::memory_order_relaxed);
    m_handles.fetch_sub(1, std::memory_order_relaxed);
    if (system_before == 1) delete_name_check(header);
    give_holders_references(header);  // services still using the object through this handle
    if (system_before == 1) steal_spare_references(header);  // spares exist only while handles do
    dereference(header);
}

NTSTATUS ObjectManager::reference_object_by_handle(HANDLE handle, ACCESS_MASK desired, _OBJECT_TYPE* type,
                                                   KPROCESSOR_MODE mode, void** object,
                                                   OBJECT_HANDLE_INFORMATION* info)
{
    PEPROCESS process = current_process();
    if (!process || process->m_manager != this) process = m_initial_process;
    return reference_object_by_handle_in(process, handle, desired, type, mode, object, info);
}

NTSTATUS ObjectManager::borrow_object_by_handle(HANDLE handle, ACCESS_MASK desired, _OBJECT_TYPE* type,
                                                KPROCESSOR_MODE mode, void** object, OBJECT_HANDLE_INFORMATION* info)
{
    PEPROCESS process = current_process();
    if (!process || process->m_manager != this) process = m_initial_process;
    return lookup_object_by_handle_in(process, handle, desired, type, mode, false, object, info);
}

// Without take_reference a success leaves the caller inside a lookup section (the pseudo handles
// included, so that every borrower ends it the same way).
NTSTATUS ObjectManager::lookup_object_by_handle_in(PEPROCESS process, HANDLE handle, ACCESS_MASK desired,
                                                   _OBJECT_TYPE* type, KPROCESSOR_MODE mode, bool take_reference,
                                                   void** object, OBJECT_HANDLE_INFORMATION* info)
{
    if (!object) return STATUS_INVALID_PARAMETER;
    *object = nullptr;
    if (is_pseudo_handle(handle)) [[unlikely]] {
        if (handle == NtCurrentProcess()) {
            if (type && type != &g_process_type) return STATUS_OBJECT_TYPE_MISMATCH;
            if (take_reference) reference(header_of(process));
            else enter_lookup();
            *object = process;
            if (info) *info = {0, PROCESS_ALL_ACCESS};
            return STATUS_SUCCESS;
        }
        if (handle == NtCurrentThread()) {
            if (type && type != &g_thread_type) return STATUS_OBJECT_TYPE_MISMATCH;
            _KTHREAD* thread = ke::current_thread();
            if (!thread || thread->m_system != &m_system) return STATUS_INVALID_HANDLE;
            if (take_reference) reference(header_of(thread));
            else enter_lookup();
            *object = thread;
            if (info) *info = {0, THREAD_ALL_ACCESS};
            return STATUS_SUCCESS;
        }
    }
    HandleTable* table = &process->m_handle_table;
    if (is_kernel_handle(handle)) {
        if (mode != KernelMode || !m_system_process) return STATUS_INVALID_HANDLE;
        table = &m_system_process->m_handle_table;
    }
    HandleInfo entry;
    const NTSTATUS status = lookup_handle_entry(*table, handle, desired, type, mode, take_reference, entry);
    if (!NT_SUCCESS(status)) return status;
    *object = entry.object->body();
    if (info) *info = {entry.attributes, entry.granted};
    return STATUS_SUCCESS;
}

NTSTATUS ObjectManager::close_handle(HANDLE handle, KPROCESSOR_MODE mode)
{
    PEPROCESS process = current_process();
    if (!process || process->m_manager != this) process = m_initial_process;
    return close_handle_in(process, handle, mode);
}

NTSTATUS ObjectManager::close_handle_in(PEPROCESS process, HANDLE handle, KPROCESSOR_MODE mode)
{
    if (is_kernel_handle(handle)) {
        if (mode != KernelMode || !m_system_process) return STATUS_INVALID_HANDLE;
        process = m_system_process;
    }
    HandleTable& table = process->m_handle_table;
    HandleInfo entry;
    if (!table.reference(handle, entry)) return STATUS_INVALID_HANDLE;
    _OBJECT_TYPE* type = entry.object->type;
    bool refused = type->okay_to_close && !type->okay_to_close(process, entry.object->body(), handle, mode);
    dereference(entry.object);
    if (refused) return STATUS_HANDLE_NOT_CLOSABLE;
    NTSTATUS status = table.remove(handle, true, entry);
    if (!NT_SUCCESS(status)) return status;
    handle_removed(process, entry);
    return STATUS_SUCCESS;
}

NTSTATUS ObjectManager::duplicate_object(PEPROCESS source_process, HANDLE source_handle, PEPROCESS target_process,
                                         HANDLE* target_handle, ACCESS_MASK desired, ULONG handle_attributes,
                                         ULONG options, KPROCESSOR_MODE mode)
{
    if (!source_process) return STATUS_INVALID_HANDLE;
    if (options & ~(DUPLICATE_CLOSE_SOURCE | DUPLICATE_SAME_ACCESS | DUPLICATE_SAME_ATTRIBUTES))
        return STATUS_INVALID_PARAMETER;
    if (target_handle) *target_handle = nullptr;
    void* body = nullptr;
    OBJECT_HANDLE_INFORMATION source_info{};
    NTSTATUS status =
        reference_object_by_handle_in(source_process, source_handle, 0, nullptr, mode, &body, &source_info);
    if (!NT_SUCCESS(status)) return status;
    ObRef<void> object = ObRef<void>::adopt(body);
    const bool pseudo = is_pseudo_handle(source_handle);

    // DuplicateHandle: "Regardless of any error status returned, the source handle is closed".
    auto close_source = [&] {
        if ((options & DUPLICATE_CLOSE_SOURCE) && !pseudo) (void)close_handle_in(source_process, source_handle, mode);
    };
    if (!target_process) {
        close_source();
        return (options & DUPLICATE_CLOSE_SOURCE) ? STATUS_SUCCESS : STATUS_INVALID_HANDLE;
    }
    if (!target_handle) {
        close_source();
        return STATUS_INVALID_PARAMETER;
    }

    ObjectHeader* header = header_of(body);
    ACCESS_MASK granted;
    if (options & DUPLICATE_SAME_ACCESS) {
        granted = source_info.GrantedAccess;
    } else {
        ACCESS_MASK wanted = map_generic(desired, header->type->generic_mapping);
        if (!(wanted & MAXIMUM_ALLOWED) && !(wanted & ~source_info.GrantedAccess)) {
            granted = wanted;
        } else {
            // More than the source has: the object's security decides for the target's token.
            status = access_check(header, target_process, desired, mode, &granted);
            if (!NT_SUCCESS(status)) {
                close_source();
                return status;
            }
        }
    }
    ULONG attributes = (options & DUPLICATE_SAME_ATTRIBUTES)
                           ? source_info.HandleAttributes
                           : (handle_attributes & (OBJ_INHERIT | OBJ_PROTECT_CLOSE));
    if (handle_attributes & ~(OBJ_VALID_ATTRIBUTES | OBJ_PROTECT_CLOSE)) {
        close_source();
        return STATUS_INVALID_PARAMETER;
    }
    status = create_handle(target_process, header, granted, attributes, OpenReason::Duplicate, mode, target_handle,
                           source_process);
    close_source();
    return status;
}

NTSTATUS ObjectManager::set_handle_attributes(HANDLE handle, bool inherit, bool protect_from_close,
                                              KPROCESSOR_MODE mode)
{
    PEPROCESS process = current_process();
    if (!process || process->m_manager != this) process = m_initial_process;
    if (is_kernel_handle(handle)) {
        if (mode != KernelMode) return STATUS_INVALID_HANDLE;
        process = m_system_process;
    }
    return process->m_handle_table.set_attributes(
        handle, (inherit ? OBJ_INHERIT : 0) | (protect_from_close ? OBJ_PROTECT_CLOSE : 0));
}

NTSTATUS ObjectManager::query_basic(HANDLE handle, KPROCESSOR_MODE mode, BasicInformation& out)
{
    void* body = nullptr;
    OBJECT_HANDLE_INFORMATION info{};
    NTSTATUS status = reference_object_by_handle(handle, 0, nullptr, mode, &body, &info);
    if (!NT_SUCCESS(status)) return status;
    ObjectHeader* h = header_of(body);
    out.attributes = info.HandleAttributes;
    if (h->has_flag(kObjectPermanent)) out.attributes |= OBJ_PERMANENT;
    if (h->has_flag(kObjectExclusive)) out.attributes |= OBJ_EXCLUSIVE;
    out.granted_access = info.GrantedAccess;
    out.handle_count = static_cast<ULONG>(h->handle_count.load(std::memory_order_relaxed));
    // Not counting the reference this query holds.
    out.pointer_count = static_cast<ULONG>(h->pointer_count.load(std::memory_order_relaxed) - 1);
    dereference(h);
    return STATUS_SUCCESS;
}

NTSTATUS ObjectManager::open_object_by_pointer(void* body, ULONG handle_attributes, ACCESS_MASK desired,
                                               _OBJECT_TYPE* type, KPROCESSOR_MODE mode, HANDLE* handle)
{
    if (!body || !handle) return STATUS_INVALID_PARAMETER;
    *handle = nullptr;
    ObjectHeader* header = header_of(body);
    if (type && header->type != type) return STATUS_OBJECT_TYPE_MISMATCH;  // NT fact K9
    if (handle_attributes & ~OBJ_VALID_ATTRIBUTES) return STATUS_INVALID_PARAMETER;
    if (mode != KernelMode) handle_attributes &= ~OBJ_KERNEL_HANDLE;
    PEPROCESS process = (handle_attributes & OBJ_KERNEL_HANDLE) ? m_system_process : current_process();
    if (!process || process->m_manager != this) process = m_initial_process;
    ACCESS_MASK granted = 0;
    NTSTATUS status = access_check(header, process, desired,
                                   (handle_attributes & OBJ_FORCE_ACCESS_CHECK) ? KPROCESSOR_MODE{UserMode} : mode, &granted);
    if (!NT_SUCCESS(status)) return status;
    return create_handle(process, header, granted, handle_attributes & (OBJ_INHERIT | OBJ_EXCLUSIVE),
                         OpenReason::Open, mode, handle);
}

}  // namespace ntio::ob

// NtNotifyChangeKey and NtNotifyChangeMultipleKeys: validate the request, reference the key
// (KEY_NOTIFY) and the event, arm a request on the key object's notify block (config/key_notify.hpp),
// and return STATUS_PENDING or wait for the change.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwnotifychangekey
// https://learn.microsoft.com/windows/win32/api/winternl/nf-winternl-ntnotifychangemultiplekeys
#include "nt/registry_notify.hpp"

#include "nt/current_system.hpp"
#include <ntio/ntapi.h>

#include "config/config_manager.hpp"
#include "config/key_object.hpp"
#include "nt/object_attributes.hpp"
#include "nt/object_reference.hpp"
#include "nt/previous_mode.hpp"
#include "nt/user_memory.hpp"

namespace ntio::nt {

namespace {

// NtNotifyChangeMultipleKeys' subordinate key, opened as the caller (its access to KEY_NOTIFY
// checked) and held by a kernel handle, which the request closes when it completes: a handle in
// the caller's table would let the caller close the watch. Learn: the key must not be in the master
// key's hive. NT deviation: Learn gives no status for one that is; ntio answers
// STATUS_INVALID_PARAMETER.
NTSTATUS open_subordinate(POBJECT_ATTRIBUTES attributes, KPROCESSOR_MODE mode, const config::KeyBody& master,
                          HANDLE* kernel_handle_out, config::KeyBody** body) noexcept {
    HANDLE kernel_handle_value = nullptr;
    HANDLE* const kernel_handle = &kernel_handle_value;
    *body = nullptr;
    if (!attributes) return mode == KernelMode ? STATUS_INVALID_PARAMETER : STATUS_ACCESS_VIOLATION;
    CapturedObjectAttributes captured;
    NTSTATUS status = captured.capture(attributes, mode);
    if (!NT_SUCCESS(status)) return status;
    config::KeyParseContext context;
    HANDLE caller_handle = nullptr;
    status = ObOpenObjectByName(captured.get(), &config::g_key_type, mode, nullptr, KEY_NOTIFY, &context, &caller_handle);
    if (!NT_SUCCESS(status)) return status;
    PVOID object = nullptr;
    status = ObReferenceObjectByHandle(caller_handle, KEY_NOTIFY, &config::g_key_type, mode, &object, nullptr);
    if (NT_SUCCESS(status)) {
        status = ObOpenObjectByPointer(object, OBJ_KERNEL_HANDLE, nullptr, KEY_NOTIFY, &config::g_key_type, KernelMode,
                                       kernel_handle);
        ObDereferenceObject(object);
    }
    (void)ObCloseHandle(caller_handle, mode);
    if (!NT_SUCCESS(status)) return status;
    status = ObReferenceObjectByHandle(*kernel_handle, KEY_NOTIFY, &config::g_key_type, KernelMode, &object, nullptr);
    if (NT_SUCCESS(status)) {
        auto* key = static_cast<config::KeyBody*>(object);
        const config::KeyNode* hive = key->manager->hive_of(*key->node);
        if (!hive || hive == master.manager->hive_of(*master.node)) {
            status = hive ? STATUS_INVALID_PARAMETER : STATUS_KEY_DELETED;
            ObDereferenceObject(object);
        } else {
            *body = key;
        }
    }
    if (!NT_SUCCESS(status)) {
        (void)ObCloseHandle(*kernel_handle, KernelMode);
        return status;
    }
    *kernel_handle_out = kernel_handle_value;
    return status;
}

}  // namespace

NTSTATUS notify_change_key(HANDLE key_handle, HANDLE event_handle, PIO_APC_ROUTINE apc_routine, PVOID apc_context,
                           PIO_STATUS_BLOCK iosb, bool iosb_optional, ULONG filter, BOOLEAN watch_tree, PVOID buffer,
                           ULONG buffer_size, BOOLEAN asynchronous, POBJECT_ATTRIBUTES subordinate) noexcept {
    const KPROCESSOR_MODE mode = previous_mode();
    // The filter bits Windows defines (winnt.h REG_LEGAL_CHANGE_FILTER); any other is refused.
    if (filter & ~ULONG{REG_LEGAL_CHANGE_FILTER}) return STATUS_INVALID_PARAMETER;
    HandleReference<config::KeyBody> key;
    NTSTATUS status = key.reference(key_handle, KEY_NOTIFY, &config::g_key_type, mode);
    if (!NT_SUCCESS(status)) return status;
    if (!iosb && !iosb_optional) return mode == KernelMode ? STATUS_INVALID_PARAMETER : STATUS_ACCESS_VIOLATION;
    if (mode != KernelMode) {
        if (iosb && !NT_SUCCESS(status = probe_caller_output(mode, iosb))) return status;
        // Buffer is reserved; a caller's one is still probed as the output it is declared to be.
        if (buffer_size && !NT_SUCCESS(status = probe_for_write(buffer, buffer_size, 1))) return status;
    }
    // A kernel caller names a WORK_QUEUE_ITEM in ApcRoutine and its queue in ApcContext
    // (https://learn.microsoft.com/previous-versions/windows/hardware/drivers/ff566488(v=vs.85)).
    // NT deviation: a queue type other than the two Learn lists is STATUS_INVALID_PARAMETER.
    const auto queue = static_cast<WORK_QUEUE_TYPE>(reinterpret_cast<ULONG_PTR>(apc_context));
    if (mode == KernelMode && apc_routine && queue != CriticalWorkQueue && queue != DelayedWorkQueue)
        return STATUS_INVALID_PARAMETER;

    auto post = std::make_shared<config::NotifyPost>();
    status = reference_event(event_handle, mode, &post->event);
    if (!NT_SUCCESS(status)) return status;
    if (post->event) KeClearEvent(post->event);
    post->iosb = iosb;
    post->mode = mode;
    post->buffer_given = buffer != nullptr || buffer_size != 0;
    if (mode == KernelMode) {
        post->work_item = reinterpret_cast<PWORK_QUEUE_ITEM>(reinterpret_cast<void*>(apc_routine));
        post->work_queue = queue;
    } else if (apc_routine) {
        post->apc_routine = apc_routine;
        post->apc_context = apc_context;
        post->apc_thread = PsGetCurrentThread();
        ObReferenceObject(post->apc_thread);
    }
    // A user-mode request belongs to its thread unless REG_NOTIFY_THREAD_AGNOSTIC (Learn,
    // RegNotifyChangeKeyValue). NT deviation: a kernel caller's request is never tied to its thread.
    if (mode != KernelMode && !(filter & REG_NOTIFY_THREAD_AGNOSTIC)) post->bound_thread = KeGetCurrentThread();
    post->synchronous = !asynchronous;
    if (post->synchronous) KeInitializeEvent(&post->done, NotificationEvent, FALSE);

    if (subordinate) {
        // Armed on the subordinate first, uncounted: once the master's arming (counted) succeeds,
        // a change to either key completes the request, once.
        config::KeyBody* sub_key = nullptr;
        HANDLE sub_handle = nullptr;
        status = open_subordinate(subordinate, mode, *key.get(), &sub_handle, &sub_key);
        if (!NT_SUCCESS(status)) return status;
        post->subordinate.store(sub_handle);
        status = sub_key->manager->arm_notify(*sub_key, filter, watch_tree != FALSE, post, false);
        ObDereferenceObject(sub_key);
        if (status == STATUS_PENDING) status = key->manager->arm_notify(*key.get(), filter, watch_tree != FALSE, post);
        if (status != STATUS_PENDING) {
            key->manager->retire_uncounted_post(post);
            if (HANDLE left = post->subordinate.exchange(nullptr)) (void)ObCloseHandle(left, KernelMode);
            return status;
        }
    } else {
        status = key->manager->arm_notify(*key.get(), filter, watch_tree != FALSE, post);
        if (status != STATUS_PENDING) return status;
    }
    if (asynchronous) return STATUS_PENDING;
    // NT deviation: the synchronous wait is not alertable (Learn does not say); closing the key
    // handle ends it with STATUS_NOTIFY_CLEANUP.
    (void)KeWaitForSingleObject(&post->done, Executive, KernelMode, FALSE, nullptr);
    return post->final_status;
}

}  // namespace ntio::nt

extern "C" {

NTSTATUS NTAPI NtNotifyChangeKey(HANDLE KeyHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                                 PIO_STATUS_BLOCK IoStatusBlock, ULONG CompletionFilter, BOOLEAN WatchTree,
                                 PVOID Buffer, ULONG BufferSize, BOOLEAN Asynchronous) {
    return ntio::nt::notify_change_key(KeyHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, false,
                                       CompletionFilter, WatchTree, Buffer, BufferSize, Asynchronous);
}

// Learn: Count "must be 1", SubordinateObjects one key in another hive than the master's; the
// request completes for a change to either. Count 0 is NtNotifyChangeKey.
// NT deviation: a larger Count is STATUS_INVALID_PARAMETER (Learn gives no status).
NTSTATUS NTAPI NtNotifyChangeMultipleKeys(HANDLE MasterKeyHandle, ULONG Count, OBJECT_ATTRIBUTES SubordinateObjects[],
                                          HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                                          PIO_STATUS_BLOCK IoStatusBlock, ULONG CompletionFilter, BOOLEAN WatchTree,
                                          PVOID Buffer, ULONG BufferSize, BOOLEAN Asynchronous) {
    if (Count > 1) return STATUS_INVALID_PARAMETER;
    // A NULL array is an unreadable caller pointer (probed as such).
    if (Count == 1 && !SubordinateObjects)
        return ntio::nt::previous_mode() == KernelMode ? STATUS_INVALID_PARAMETER : STATUS_ACCESS_VIOLATION;
    return ntio::nt::notify_change_key(MasterKeyHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, false,
                                       CompletionFilter, WatchTree, Buffer, BufferSize, Asynchronous,
                                       Count == 1 ? SubordinateObjects : nullptr);
}

}  // extern "C"

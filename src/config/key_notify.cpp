// Registry change notification: arming requests on a Key object's notify block, matching a tree
// change against the armed blocks (the key itself, or an ancestor watching its tree), and completing
// requests (IOSB, event, user APC or kernel work item, synchronous waiter) outside the tree lock.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwnotifychangekey
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regnotifychangekeyvalue
#include "config/config_manager.hpp"

#include <utility>

#include "config/key_object.hpp"
#include "ke/kernel.hpp"
#include "ob/object_manager.hpp"
#include "rtl/user_access.hpp"
#include <ntio/system.hpp>

namespace ntio::config {
namespace {

// The user APC of a completed request; freed by its kernel routine in the target thread, or by the
// rundown routine when that thread dies first.
struct NotifyApc {
    KAPC apc;
};

VOID notify_apc_kernel(PKAPC apc, PKNORMAL_ROUTINE*, PVOID*, PVOID*, PVOID*)
{
    delete CONTAINING_RECORD(apc, NotifyApc, apc);
}

VOID notify_apc_rundown(PKAPC apc) { delete CONTAINING_RECORD(apc, NotifyApc, apc); }

}  // namespace

NotifyPost::~NotifyPost()
{
    if (event) ObDereferenceObject(event);
    if (apc_thread) ObDereferenceObject(apc_thread);
}

NotifyDeliveries::~NotifyDeliveries()
{
    for (auto& [post, status] : m_items) complete_notify_post(post, status);
}

void complete_notify_post(const PostRef& post, NTSTATUS status) noexcept
{
    // NT deviation: the Buffer of NtNotifyChangeKey is reserved (Learn: "Specify NULL"); ntio never
    // writes it, and a request that supplied one completes with STATUS_NOTIFY_ENUM_DIR (the change
    // is not described; enumerate the key) rather than STATUS_SUCCESS.
    const NTSTATUS final_status = status == STATUS_SUCCESS && post->buffer_given ? STATUS_NOTIFY_ENUM_DIR : status;
    if (post->iosb) (void)ntio_user_write_iosb(post->iosb, final_status, 0);
    if (post->event) {
        KeSetEvent(post->event, IO_NO_INCREMENT, FALSE);
        ObDereferenceObject(post->event);
        post->event = nullptr;
    }
    if (post->apc_routine && post->apc_thread) {
        if (auto* apc = new (std::nothrow) NotifyApc) {
            KeInitializeApc(&apc->apc, reinterpret_cast<PKTHREAD>(post->apc_thread), OriginalApcEnvironment,
                            notify_apc_kernel, notify_apc_rundown,
                            reinterpret_cast<PKNORMAL_ROUTINE>(reinterpret_cast<void*>(post->apc_routine)),
                            post->mode, post->apc_context);
            if (!KeInsertQueueApc(&apc->apc, post->iosb, nullptr, IO_NO_INCREMENT)) delete apc;
        }
    }
    if (post->apc_thread) {
        ObDereferenceObject(post->apc_thread);
        post->apc_thread = nullptr;
    }
    // Kernel callers: ApcRoutine is the caller's WORK_QUEUE_ITEM and ApcContext its queue type.
    // https://learn.microsoft.com/previous-versions/windows/hardware/drivers/ff566488(v=vs.85)
    if (post->work_item) ExQueueWorkItem(post->work_item, post->work_queue);
    // The subordinate key's handle (NtNotifyChangeMultipleKeys) goes with the request; its close
    // retires that key's notify block, where this request is already completed.
    if (HANDLE subordinate = post->subordinate.exchange(nullptr)) (void)ObCloseHandle(subordinate, KernelMode);
    if (post->synchronous) {
        post->final_status = final_status;
        KeSetEvent(&post->done, IO_NO_INCREMENT, FALSE);
    }
}

ConfigManager::WriteLock::~WriteLock()
{
    NotifyDeliveries deliveries;
    if (!m_manager.m_pending_notify.empty()) [[unlikely]]
        deliveries.take(m_manager.m_pending_notify);
    m_lock.unlock();
}  // deliveries run here, with the tree unlocked

void ConfigManager::take_posts_locked(NotifyBlock& block, NTSTATUS status, NotifyDeliveries::Items& out)
{
    for (PostRef& post : block.posts) {
        if (post->completed) continue;
        post->completed = true;
        m_notify_armed.fetch_sub(1, std::memory_order_relaxed);
        out.emplace_back(std::move(post), status);
    }
    block.posts.clear();
}

void ConfigManager::report_armed_locked(const KeyNode& node, ULONG change)
{
    std::lock_guard guard(m_notify_lock);
    for (NotifyBlock* block : m_notify_blocks) {
        if (block->posts.empty() || !(block->filter & change)) continue;
        bool match = block->node.get() == &node;
        // WatchTree: "notified about changes to all subkeys of the specified key".
        for (const KeyNode* up = node.parent; !match && block->watch_tree && up; up = up->parent)
            match = up == block->node.get();
        if (match) take_posts_locked(*block, STATUS_SUCCESS, m_pending_notify);
    }
}

// A deleted key's own requests complete with STATUS_KEY_DELETED, whatever their filter.
void ConfigManager::report_deleted_locked(const KeyNode& node)
{
    std::lock_guard guard(m_notify_lock);
    for (NotifyBlock* block : m_notify_blocks)
        if (block->node.get() == &node) take_posts_locked(*block, STATUS_KEY_DELETED, m_pending_notify);
}

NTSTATUS ConfigManager::arm_notify(KeyBody& key, ULONG filter, bool watch_tree, const PostRef& post, bool counted)
{
    // The shared tree lock keeps a change (exclusive) from slipping between the check and the arming.
    std::shared_lock tree(m_lock);
    if (key.node->deleted) return STATUS_KEY_DELETED;
    std::lock_guard guard(m_notify_lock);
    if (key.notify_closed) return STATUS_NOTIFY_CLEANUP;
    if (!key.notify) {
        auto block = std::make_unique<NotifyBlock>();
        block->key = &key;
        block->node = key.node;
        block->filter = filter & ~ULONG{REG_NOTIFY_THREAD_AGNOSTIC};
        block->watch_tree = watch_tree;
        m_notify_blocks.push_back(block.get());
        key.notify = std::move(block);
    }
    key.notify->posts.push_back(post);
    if (counted) m_notify_armed.fetch_add(1, std::memory_order_relaxed);
    return STATUS_PENDING;
}

void ConfigManager::retire_uncounted_post(const PostRef& post)
{
    std::lock_guard guard(m_notify_lock);
    post->completed = true;
}

void ConfigManager::close_notify(KeyBody& key)
{
    NotifyDeliveries deliveries;  // runs after the lock below is released
    NotifyDeliveries::Items items;
    std::lock_guard guard(m_notify_lock);
    key.notify_closed = true;
    if (!key.notify) return;
    take_posts_locked(*key.notify, STATUS_NOTIFY_CLEANUP, items);
    deliveries.take(items);
    std::erase(m_notify_blocks, key.notify.get());
    key.notify.reset();
}

// RegNotifyChangeKeyValue: "If the thread that called RegNotifyChangeKeyValue exits, the event is
// signaled" unless REG_NOTIFY_THREAD_AGNOSTIC was given.
// NT deviation: the request completes with STATUS_NOTIFY_CLEANUP (Learn names no status).
void ConfigManager::thread_rundown_notify(_KTHREAD* thread, void* context)
{
    auto* self = static_cast<ConfigManager*>(context);
    if (self->m_notify_armed.load(std::memory_order_acquire) == 0) return;
    NotifyDeliveries deliveries;
    NotifyDeliveries::Items items;
    std::lock_guard guard(self->m_notify_lock);
    for (NotifyBlock* block : self->m_notify_blocks) {
        std::erase_if(block->posts, [&](PostRef& post) {
            if (post->bound_thread != reinterpret_cast<PKTHREAD>(thread) || post->completed) return false;
            post->completed = true;
            self->m_notify_armed.fetch_sub(1, std::memory_order_relaxed);
            items.emplace_back(post, STATUS_NOTIFY_CLEANUP);
            return true;
        });
    }
    deliveries.take(items);
}

}  // namespace ntio::config

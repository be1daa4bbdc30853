// Registry change notification (NtNotifyChangeKey): the notify block a Key object gets on its first
// request (filter and WatchTree stick to it), the armed requests waiting on it (NT's post blocks),
// and the deliveries a tree change collects under the tree lock and runs after releasing it.
#pragma once

#include <atomic>

#include "config/key_node.hpp"

namespace ntio::config {

// One armed request. Shared by the block that lists it and, for a synchronous call, the waiting
// service; completed exactly once (`completed` under the manager's notify lock).
struct NotifyPost {
    PIO_STATUS_BLOCK iosb = nullptr;       // the caller's; null for advapi32's asynchronous form
    PKEVENT event = nullptr;               // referenced; set at completion
    PIO_APC_ROUTINE apc_routine = nullptr; // user APC to the arming thread (thread referenced)
    PVOID apc_context = nullptr;
    PETHREAD apc_thread = nullptr;
    KPROCESSOR_MODE mode = UserMode;
    PWORK_QUEUE_ITEM work_item = nullptr;  // kernel callers: queued at completion
    WORK_QUEUE_TYPE work_queue = DelayedWorkQueue;
    PKTHREAD bound_thread = nullptr;       // completes when this thread exits (not thread-agnostic)
    std::atomic<HANDLE> subordinate{nullptr};  // NtNotifyChangeMultipleKeys: kernel handle, closed at completion
    bool buffer_given = false;
    bool synchronous = false;
    bool completed = false;
    NTSTATUS final_status = STATUS_PENDING;
    KEVENT done{};                         // synchronous: the service waits on it

    ~NotifyPost();
};
using PostRef = std::shared_ptr<NotifyPost>;

struct KeyBody;

// A Key object's notify block: created by its first NtNotifyChangeKey, retired when its last handle
// closes. Guarded by the ConfigManager's notify lock.
struct NotifyBlock {
    KeyBody* key = nullptr;
    NodeRef node;
    ULONG filter = 0;
    bool watch_tree = false;
    std::vector<PostRef> posts;
};

// Completions gathered under the tree lock; the destructor runs them once the lock is released
// (declare it before the lock). Empty (no allocation) while nobody watches.
class NotifyDeliveries {
public:
    NotifyDeliveries() = default;
    NotifyDeliveries(const NotifyDeliveries&) = delete;
    NotifyDeliveries& operator=(const NotifyDeliveries&) = delete;
    ~NotifyDeliveries();
    using Items = std::vector<std::pair<PostRef, NTSTATUS>>;
    void add(PostRef post, NTSTATUS status) { m_items.emplace_back(std::move(post), status); }
    void take(Items& from) { m_items.swap(from); }

private:
    Items m_items;
};

// Writes the IOSB, sets the event, queues the APC or work item and wakes a synchronous waiter.
// PASSIVE_LEVEL, no registry lock held.
void complete_notify_post(const PostRef& post, NTSTATUS status) noexcept;

}  // namespace ntio::config

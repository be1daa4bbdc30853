// The state behind a change-directory notify list: the NOTIFY_SYNC (one lock per list, referenced by
// every request waiting on the list so that a cancel routine can still take it) and one NotifyChange
// per watching file object (its directory, filter, waiting IRPs and the records buffered while no
// request waits). Callers hold the sync's lock while they read or change a list and complete IRPs
// only after releasing it, through a NotifyCompletions.
#pragma once

#include <ntifs.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

struct _REAL_NOTIFY_SYNC {
    // NT's notify sync may be re-entered by the thread that owns it (a fast mutex with an owner and a
    // count); a recursive mutex keeps that.
    std::recursive_mutex lock;
    // One for FsRtlNotifyInitializeSync's caller, one per IRP waiting on a list it guards.
    std::atomic<long> references{1};
};

namespace ntio::fsrtl {

using NotifySync = _REAL_NOTIFY_SYNC;

void release_sync(NotifySync* sync) noexcept;

struct NotifyChange {
    LIST_ENTRY links{};     // in the file system's notify list (first member: the list holds &links)
    PVOID fs_context = nullptr;
    PVOID stream = nullptr;  // FsContext of the watching file object: a NULL-IRP call names it too
    std::u16string directory;
    bool watch_tree = false;
    bool ignore_buffer = false;
    bool deleted = false;    // the directory went: every request completes with STATUS_DELETE_PENDING
    bool overflow = false;   // changes were lost: the next request completes with STATUS_NOTIFY_ENUM_DIR
    ULONG filter = 0;
    PCHECK_FOR_TRAVERSE_ACCESS traverse = nullptr;
    PSECURITY_SUBJECT_CONTEXT subject = nullptr;
    PFILTER_REPORT_CHANGE filter_callback = nullptr;
    LIST_ENTRY irps{};        // waiting requests, through Tail.Overlay.ListEntry
    ULONG buffer_length = 0;  // the last request's buffer: what may wait for the next one
    std::vector<unsigned char> buffer;  // FILE_NOTIFY_INFORMATION records waiting for a request
    ULONG last_record = 0;    // offset of the last record in buffer
};

inline NotifyChange* change_of(PLIST_ENTRY links) noexcept { return CONTAINING_RECORD(links, NotifyChange, links); }

// A request to complete once the sync's lock is released (no IoCompleteRequest under the lock: a
// completion routine above the file system may come back into the list).
struct NotifyCompletion {
    PIRP irp;
    NTSTATUS status;
};

class NotifyCompletions {
public:
    explicit NotifyCompletions(NotifySync* sync) noexcept : m_sync(sync) {}
    NotifyCompletions(const NotifyCompletions&) = delete;
    NotifyCompletions& operator=(const NotifyCompletions&) = delete;
    ~NotifyCompletions();
    void add(PIRP irp, NTSTATUS status) { m_items.push_back({irp, status}); }
    // For an IRP that was waiting on a list: each one holds a reference on the sync.
    void add_waiter(PIRP irp, NTSTATUS status) {
        add(irp, status);
        ++m_waiters;
    }

private:
    NotifySync* m_sync;
    std::vector<NotifyCompletion> m_items;
    int m_waiters = 0;
};

// Takes the first waiting request of `change` that this caller may complete (its cancel routine did
// not run); requests already being cancelled are unlinked and left to their cancel routine.
PIRP take_waiter_locked(NotifyChange& change) noexcept;

// Hands the records buffered in `change` to `irp` (STATUS_SUCCESS with a system buffer the final
// stage copies back), or STATUS_NOTIFY_ENUM_DIR when they do not fit or changes were lost; the buffer
// is empty afterwards. Returns the status to complete with.
NTSTATUS fill_request_locked(NotifyChange& change, PIRP irp) noexcept;

// Appends one record to `change`'s buffer, or marks it overflowed when it does not fit.
void buffer_record_locked(NotifyChange& change, ULONG action, const std::u16string& name);

// Unlinks and frees `change`, completing its waiting requests with `status`.
void destroy_change_locked(NotifyChange* change, NTSTATUS status, NotifyCompletions& completions) noexcept;

// A counted string of either width as UTF-16: full names passed to FsRtl start with a backslash, so
// a second byte of zero says the string is Unicode (NT deviation: NT records the width per list).
std::u16string to_u16(const STRING* name, bool unicode);
bool is_unicode_name(const STRING* name) noexcept;
bool equal_names(const std::u16string& a, std::size_t a_offset, const std::u16string& b, std::size_t length) noexcept;

}  // namespace ntio::fsrtl

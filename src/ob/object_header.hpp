// The header the object manager keeps in front of every object body: pointer and handle counts,
// type, name and directory, flags, security descriptor, per-process handle counts. Bodies start
// right after it, 16-byte aligned, so a body pointer converts to its header by subtraction.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ob/ddk.hpp"

#include "ob/object_type.hpp"
#include "se/security_descriptor.hpp"

namespace ntio::ob {

class ObjectManager;

enum ObjectFlag : ULONG {
    kObjectPermanent = 0x1,      // OBJ_PERMANENT: the name survives the last handle
    kObjectKernelOnly = 0x2,     // created with OBJ_KERNEL_HANDLE (recorded for the inspector)
    kObjectExclusive = 0x4,      // OBJ_EXCLUSIVE: handles only in exclusive_process
    kObjectNamed = 0x8,          // entered in a directory (holds one reference on itself)
    kObjectInserted = 0x10,      // ObInsertObject ran (create_info consumed)
    kObjectDeleting = 0x20,      // pointer count reached 0
};

// What ObCreateObject captured for ObInsertObject.
struct CreateInfo {
    std::u16string name;         // as given (absolute, or relative to root_directory)
    bool has_name = false;
    HANDLE root_directory = nullptr;
    ULONG attributes = 0;
    KPROCESSOR_MODE probe_mode = KernelMode;
    se::SecurityDescriptor security;  // captured caller descriptor (empty: use the default)
};

// Per-process handle counts of one object (NT's handle count database), for the open and close
// procedures. Tiny spin lock: updated only when handles are created or closed.
class ProcessHandleCounts {
public:
    ULONG_PTR increment(PEPROCESS process);
    // Returns the count before the decrement.
    ULONG_PTR decrement(PEPROCESS process);
    ULONG_PTR count(PEPROCESS process);

private:
    void lock() noexcept;
    void unlock() noexcept { m_lock.store(false, std::memory_order_release); }
    std::atomic<bool> m_lock{false};
    PEPROCESS m_first = nullptr;
    ULONG_PTR m_first_count = 0;
    std::vector<std::pair<PEPROCESS, ULONG_PTR>> m_more;
};

struct alignas(16) ObjectHeader {
    // What a handle lookup reads (type, manager, flags) comes first, away from the counts at the
    // end: a thread that borrows an object by handle (NtSetIoCompletion) does not miss on the line
    // another CPU's reference count writes keep pulling away (gates B1, B3).
    _OBJECT_TYPE* type = nullptr;
    ObjectManager* manager = nullptr;
    std::atomic<ULONG> flags{0};
    ULONG body_size = 0;
    // Name: written under the manager's namespace lock (exclusive), read under it (shared).
    void* directory = nullptr;   // body of the parent directory while kObjectNamed
    std::u16string name;         // last path component
    PEPROCESS exclusive_process = nullptr;
    se::SecurityDescriptor security;  // empty = no security (everything granted)
    std::unique_ptr<CreateInfo> create_info;
    ProcessHandleCounts process_counts;
    std::atomic<LONG_PTR> pointer_count{1};
    std::atomic<LONG_PTR> handle_count{0};

    void* body() noexcept { return reinterpret_cast<char*>(this) + sizeof(ObjectHeader); }
    static ObjectHeader* from_body(const void* body) noexcept
    {
        return reinterpret_cast<ObjectHeader*>(const_cast<char*>(static_cast<const char*>(body)) -
                                               sizeof(ObjectHeader));
    }
    bool has_flag(ULONG f) const noexcept { return (flags.load(std::memory_order_acquire) & f) != 0; }
};
static_assert(sizeof(ObjectHeader) % 16 == 0);

// Object bodies start on a cache line: a body may keep the fields other CPUs write (a thread's wait
// state, a port's queue) on lines of their own (gates B1, B3, B4). The header sits right before the
// body, kHeaderOffset bytes into its allocation.
inline constexpr std::size_t kBodyAlignment = 64;
inline constexpr std::size_t kHeaderOffset = (kBodyAlignment - sizeof(ObjectHeader) % kBodyAlignment) % kBodyAlignment;
static_assert((kHeaderOffset + offsetof(ObjectHeader, type)) / kBodyAlignment !=
                  (kHeaderOffset + offsetof(ObjectHeader, pointer_count)) / kBodyAlignment,
              "the type a lookup reads and the counts references write must be on different lines");

inline ObjectHeader* header_of(const void* body) noexcept { return ObjectHeader::from_body(body); }
inline _OBJECT_TYPE* type_of(const void* body) noexcept { return header_of(body)->type; }

// Reference helpers on headers (the DDIs ObfReferenceObject/ObfDereferenceObject use these).
inline void reference(ObjectHeader* h) noexcept { h->pointer_count.fetch_add(1, std::memory_order_relaxed); }
// The count reached `before` - 1 < 1: bugchecks a reference dropped twice, else runs the delete
// procedure and frees the object.
LONG_PTR dereference_last(ObjectHeader* h, LONG_PTR before) noexcept;
// Drops one reference and returns the count left; the last one runs the delete procedure and frees
// the object. Inline: every service and every completion drops one.
inline LONG_PTR dereference(ObjectHeader* h) noexcept {
    const LONG_PTR before = h->pointer_count.fetch_sub(1, std::memory_order_acq_rel);
    if (before > 1) [[likely]] return before - 1;
    return dereference_last(h, before);
}

// RAII owner of one pointer reference on an object body of type T. A T* parameter is borrowed.
template <class T>
class ObRef {
public:
    ObRef() noexcept = default;
    // Adopts a reference the caller already owns.
    static ObRef adopt(T* body) noexcept { ObRef r; r.m_body = body; return r; }
    // Takes a new reference.
    static ObRef share(T* body) noexcept
    {
        if (body) reference(header_of(body));
        return adopt(body);
    }
    ObRef(ObRef&& o) noexcept : m_body(std::exchange(o.m_body, nullptr)) {}
    ObRef& operator=(ObRef&& o) noexcept
    {
        if (this != &o) { reset(); m_body = std::exchange(o.m_body, nullptr); }
        return *this;
    }
    ObRef(const ObRef&) = delete;
    ObRef& operator=(const ObRef&) = delete;
    ~ObRef() { reset(); }

    void reset() noexcept
    {
        if (T* b = std::exchange(m_body, nullptr)) dereference(header_of(b));
    }
    // Hands the reference to the caller.
    T* release() noexcept { return std::exchange(m_body, nullptr); }
    T* get() const noexcept { return m_body; }
    T* operator->() const noexcept { return m_body; }
    explicit operator bool() const noexcept { return m_body != nullptr; }

private:
    T* m_body = nullptr;
};

}  // namespace ntio::ob

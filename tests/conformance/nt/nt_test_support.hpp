// Helpers for the nt conformance tests: object attributes from a literal name, a handle that closes
// itself, memory that faults (for STATUS_ACCESS_VIOLATION tests) and the fixture every suite uses.
#pragma once

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "support/system_fixture.hpp"

// The SEH emulation in <wdm.h> takes over the name libstdc++ uses for `try` (every standard
// header is included above).
#undef __try
#include <ntio/ntapi.h>

namespace ntio::test {

class ObjectName {
public:
    explicit ObjectName(const wchar_t* name, ULONG attributes = OBJ_CASE_INSENSITIVE, HANDLE root = nullptr,
                        PVOID security = nullptr) {
        RtlInitUnicodeString(&m_name, name);
        InitializeObjectAttributes(&m_attributes, &m_name, attributes, root, security);
    }
    POBJECT_ATTRIBUTES get() noexcept { return &m_attributes; }
    UNICODE_STRING& name() noexcept { return m_name; }

private:
    UNICODE_STRING m_name;
    OBJECT_ATTRIBUTES m_attributes;
};

// Owns a user handle for the test's lifetime (closed with NtClose, or ZwClose for kernel handles).
class Handle {
public:
    Handle() = default;
    explicit Handle(HANDLE h, bool kernel = false) : m_handle(h), m_kernel(kernel) {}
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle() { reset(); }
    void reset() {
        if (m_handle) (void)(m_kernel ? ZwClose(m_handle) : NtClose(m_handle));
        m_handle = nullptr;
    }
    HANDLE* out() { reset(); return &m_handle; }
    HANDLE get() const { return m_handle; }
    HANDLE release() { HANDLE h = m_handle; m_handle = nullptr; return h; }
    operator HANDLE() const { return m_handle; }

private:
    HANDLE m_handle = nullptr;
    bool m_kernel = false;
};

// One inaccessible page, one read-only page, and a writable page followed by a read-only one:
// caller pointers into them must fault.
class BadMemory {
public:
    BadMemory() {
        m_size = static_cast<size_t>(sysconf(_SC_PAGESIZE));
        m_none = mmap(nullptr, m_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        m_read_only = mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        m_pair = static_cast<char*>(mmap(nullptr, 2 * m_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
        mprotect(m_pair + m_size, m_size, PROT_READ);
    }
    ~BadMemory() {
        munmap(m_none, m_size);
        munmap(m_read_only, m_size);
        munmap(m_pair, 2 * m_size);
    }
    BadMemory(const BadMemory&) = delete;
    BadMemory& operator=(const BadMemory&) = delete;
    template <class T> T* no_access() const { return static_cast<T*>(m_none); }
    template <class T> T* read_only() const { return static_cast<T*>(m_read_only); }
    // A T whose first `writable` bytes end the writable page and whose rest starts the read-only one.
    template <class T> T* straddling(size_t writable) const {
        return reinterpret_cast<T*>(m_pair + m_size - writable);
    }

private:
    size_t m_size = 0;
    void* m_none = nullptr;
    void* m_read_only = nullptr;
    char* m_pair = nullptr;
};

inline LARGE_INTEGER relative_ms(LONGLONG ms) {
    LARGE_INTEGER t;
    t.QuadPart = -ms * 10000;
    return t;
}
inline LARGE_INTEGER zero_timeout() {
    LARGE_INTEGER t;
    t.QuadPart = 0;
    return t;
}

// Creates an unnamed event in the calling thread's process.
inline HANDLE make_event(EVENT_TYPE type, BOOLEAN state, ACCESS_MASK access = EVENT_ALL_ACCESS) {
    HANDLE h = nullptr;
    EXPECT_EQ(NtCreateEvent(&h, access, nullptr, type, state), STATUS_SUCCESS);
    return h;
}

// A counted string's characters.
inline std::u16string text(const UNICODE_STRING& s) {
    return std::u16string(reinterpret_cast<const char16_t*>(s.Buffer), s.Length / sizeof(WCHAR));
}

inline LONG event_state(HANDLE h) {
    EVENT_BASIC_INFORMATION info{};
    EXPECT_EQ(NtQueryEvent(h, EventBasicInformation, &info, sizeof(info), nullptr), STATUS_SUCCESS);
    return info.EventState;
}

using NtTest = SystemTest;

}  // namespace ntio::test

// Capture of a caller's OBJECT_ATTRIBUTES: the structure, its name and its security descriptor are
// copied into kernel memory (UserMode) and validated, so the object manager never reads caller
// memory and the caller cannot change the name while it is being parsed.
#pragma once

#include <memory>

#include <wdm.h>

namespace ntio::nt {

class CapturedObjectAttributes {
public:
    CapturedObjectAttributes() = default;
    CapturedObjectAttributes(const CapturedObjectAttributes&) = delete;
    CapturedObjectAttributes& operator=(const CapturedObjectAttributes&) = delete;

    // UserMode: probes and copies `attributes` (NULL stays NULL), strips OBJ_KERNEL_HANDLE (user
    // callers cannot create kernel handles). KernelMode: validates in place. Statuses:
    // STATUS_ACCESS_VIOLATION for unreadable memory, STATUS_INVALID_PARAMETER for a bad Length or
    // attribute bits, STATUS_OBJECT_NAME_INVALID for a malformed name, the se statuses for a bad
    // security descriptor.
    [[nodiscard]] NTSTATUS capture(POBJECT_ATTRIBUTES attributes, KPROCESSOR_MODE mode) noexcept;

    // The attributes to hand to ob (kernel memory in UserMode); NULL when the caller passed NULL.
    POBJECT_ATTRIBUTES get() noexcept { return m_result; }
    // The same, with NULL replaced by empty attributes (an unnamed object), for the services that
    // accept a NULL ObjectAttributes.
    OBJECT_ATTRIBUTES& get_or_unnamed() noexcept {
        if (m_result) return *m_result;
        InitializeObjectAttributes(&m_attributes, nullptr, 0, nullptr, nullptr);
        return m_attributes;
    }

private:
    static constexpr USHORT kInlineChars = 128;

    OBJECT_ATTRIBUTES m_attributes{};
    UNICODE_STRING m_name{};
    WCHAR m_inline_name[kInlineChars];
    std::unique_ptr<WCHAR[]> m_heap_name;
    std::unique_ptr<unsigned char[]> m_security;
    POBJECT_ATTRIBUTES m_result = nullptr;
};

}  // namespace ntio::nt

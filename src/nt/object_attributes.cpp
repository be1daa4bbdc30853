// Capture of OBJECT_ATTRIBUTES for the Nt* create/open services (see object_attributes.hpp).
#include "nt/current_system.hpp"
#include "nt/object_attributes.hpp"

#include <new>

#include "nt/user_memory.hpp"

namespace ntio::nt {
namespace {

NTSTATUS validate(const OBJECT_ATTRIBUTES& attributes) noexcept {
    if (attributes.Length != sizeof(OBJECT_ATTRIBUTES)) return STATUS_INVALID_PARAMETER;
    if (attributes.Attributes & ~static_cast<ULONG>(OBJ_VALID_ATTRIBUTES)) return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

// A name needs room for its terminating NUL in a USHORT MaximumLength, and whole characters.
NTSTATUS validate_name(const UNICODE_STRING& name) noexcept {
    if ((name.Length & 1) != 0 || name.Length > 0xFFFC) return STATUS_OBJECT_NAME_INVALID;
    if (name.Length != 0 && name.Buffer == nullptr) return STATUS_OBJECT_NAME_INVALID;
    return STATUS_SUCCESS;
}

// Copies a caller's security descriptor (absolute or self-relative) into a self-relative kernel
// copy. Reading the caller's descriptor may fault, so it happens under __try; the helpers it calls
// hold no resources.
NTSTATUS capture_security(PSECURITY_DESCRIPTOR user, std::unique_ptr<unsigned char[]>& out) noexcept {
    NTSTATUS status = STATUS_SUCCESS;
    ULONG length = 0;
    __try {
        if (!RtlValidSecurityDescriptor(user)) {
            status = STATUS_INVALID_SECURITY_DESCR;
        } else {
            length = RtlLengthSecurityDescriptor(user);
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    if (!NT_SUCCESS(status)) return status;
    if (length == 0) return STATUS_INVALID_SECURITY_DESCR;
    out.reset(new (std::nothrow) unsigned char[length]);
    if (!out) return STATUS_INSUFFICIENT_RESOURCES;
    unsigned char* buffer = out.get();
    __try {
        ULONG size = length;
        status = RtlMakeSelfRelativeSD(user, buffer, &size);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    if (!NT_SUCCESS(status)) out.reset();
    return status;
}

}  // namespace

NTSTATUS CapturedObjectAttributes::capture(POBJECT_ATTRIBUTES attributes, KPROCESSOR_MODE mode) noexcept {
    m_result = nullptr;
    if (attributes == nullptr) return STATUS_SUCCESS;
    if (mode == KernelMode) {
        NTSTATUS status = validate(*attributes);
        if (!NT_SUCCESS(status)) return status;
        if (attributes->ObjectName) {
            status = validate_name(*attributes->ObjectName);
            if (!NT_SUCCESS(status)) return status;
        }
        m_result = attributes;
        return STATUS_SUCCESS;
    }

    NTSTATUS status = copy_from_user(&m_attributes, attributes, sizeof(m_attributes), alignof(OBJECT_ATTRIBUTES));
    if (!NT_SUCCESS(status)) return status;
    status = validate(m_attributes);
    if (!NT_SUCCESS(status)) return status;
    m_attributes.Attributes &= ~static_cast<ULONG>(OBJ_KERNEL_HANDLE);
    m_attributes.SecurityQualityOfService = nullptr;

    if (m_attributes.ObjectName) {
        UNICODE_STRING name;
        status = copy_from_user(&name, m_attributes.ObjectName, sizeof(name), alignof(UNICODE_STRING));
        if (!NT_SUCCESS(status)) return status;
        status = validate_name(name);
        if (!NT_SUCCESS(status)) return status;
        WCHAR* buffer = m_inline_name;
        if (name.Length / sizeof(WCHAR) + 1 > kInlineChars) {
            m_heap_name.reset(new (std::nothrow) WCHAR[name.Length / sizeof(WCHAR) + 1]);
            if (!m_heap_name) return STATUS_INSUFFICIENT_RESOURCES;
            buffer = m_heap_name.get();
        }
        status = copy_from_user(buffer, name.Buffer, name.Length, alignof(WCHAR));
        if (!NT_SUCCESS(status)) return status;
        buffer[name.Length / sizeof(WCHAR)] = 0;
        m_name.Buffer = buffer;
        m_name.Length = name.Length;
        m_name.MaximumLength = static_cast<USHORT>(name.Length + sizeof(WCHAR));
        m_attributes.ObjectName = &m_name;
    }

    if (m_attributes.SecurityDescriptor) {
        status = capture_security(m_attributes.SecurityDescriptor, m_security);
        if (!NT_SUCCESS(status)) return status;
        m_attributes.SecurityDescriptor = m_security.get();
    }
    m_result = &m_attributes;
    return STATUS_SUCCESS;
}

}  // namespace ntio::nt

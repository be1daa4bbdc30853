// Token services: NtOpenProcessToken(Ex), NtOpenThreadToken(Ex), NtDuplicateToken,
// NtImpersonateAnonymousToken, NtQueryInformationToken and NtAllocateLocallyUniqueId, with their Zw
// forms. Token handles refer to ob's Token objects.
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>
#include <ntifs.h>

#include "nt/enum_value.hpp"
#include "nt/object_attributes.hpp"
#include "nt/object_reference.hpp"
#include "nt/previous_mode.hpp"
#include "nt/query_buffer.hpp"
#include "nt/token_capture.hpp"
#include "nt/user_memory.hpp"
#include "ob/token_objects.hpp"
#include "se/token_information.hpp"

using namespace ntio;
using namespace ntio::nt;

namespace ntio::nt {

NTSTATUS open_token_handle(std::shared_ptr<se::Token> token, ACCESS_MASK desired, ULONG attributes,
                           KPROCESSOR_MODE mode, PHANDLE token_handle) {
    HANDLE handle = nullptr;
    NTSTATUS status = ob::open_token(object_manager(), std::move(token), desired, attributes, mode, &handle);
    if (!NT_SUCCESS(status)) return status;
    status = write_caller(mode, token_handle, handle);
    if (!NT_SUCCESS(status)) object_manager().close_handle(handle, KernelMode);
    return status;
}

}  // namespace ntio::nt

namespace {

// The SECURITY_QUALITY_OF_SERVICE a caller's OBJECT_ATTRIBUTES points to, read from the caller's
// memory (object attribute capture does not keep it). *present is false when there is none.
NTSTATUS capture_qos(POBJECT_ATTRIBUTES attributes, KPROCESSOR_MODE mode, SECURITY_QUALITY_OF_SERVICE& qos,
                     bool& present) {
    present = false;
    if (!attributes) return STATUS_SUCCESS;
    OBJECT_ATTRIBUTES copy;
    NTSTATUS status = mode == KernelMode ? (copy = *attributes, STATUS_SUCCESS)
                                         : copy_from_user(&copy, attributes, sizeof(copy), alignof(OBJECT_ATTRIBUTES));
    if (!NT_SUCCESS(status)) return status;
    if (!copy.SecurityQualityOfService) return STATUS_SUCCESS;
    const auto* from = static_cast<const SECURITY_QUALITY_OF_SERVICE*>(copy.SecurityQualityOfService);
    if (mode == KernelMode) {
        qos = *from;
    } else {
        status = copy_from_user(&qos, from, sizeof(qos), sizeof(ULONG));
        if (!NT_SUCCESS(status)) return status;
    }
    present = true;
    return STATUS_SUCCESS;
}

}  // namespace

extern "C" {

// NtOpenProcessTokenEx with no handle attributes.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwopenprocesstoken
NTSTATUS NTAPI NtOpenProcessToken(HANDLE ProcessHandle, ACCESS_MASK DesiredAccess, PHANDLE TokenHandle) {
    return NtOpenProcessTokenEx(ProcessHandle, DesiredAccess, 0, TokenHandle);
}

// NtOpenThreadTokenEx with no handle attributes.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwopenthreadtoken
NTSTATUS NTAPI NtOpenThreadToken(HANDLE ThreadHandle, ACCESS_MASK DesiredAccess, BOOLEAN OpenAsSelf,
                                 PHANDLE TokenHandle) {
    return NtOpenThreadTokenEx(ThreadHandle, DesiredAccess, OpenAsSelf, 0, TokenHandle);
}

// A handle to a new token copied from the one ExistingTokenHandle names (TOKEN_DUPLICATE): a primary
// token, or an impersonation token at the level ObjectAttributes' SecurityQualityOfService gives
// (SecurityAnonymous without one). EffectiveOnly keeps only the enabled privileges and groups.
// DesiredAccess 0 asks for the access the existing handle has. An impersonation level above the
// existing impersonation token's, or a primary token from an impersonation token below
// SecurityImpersonation, is STATUS_BAD_IMPERSONATION_LEVEL; a TokenType that is neither is
// STATUS_INVALID_PARAMETER.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntduplicatetoken
// NT deviation: the new token's object gets the token's default descriptor; a SecurityDescriptor in
// ObjectAttributes is validated but not applied.
NTSTATUS NTAPI NtDuplicateToken(HANDLE ExistingTokenHandle, ACCESS_MASK DesiredAccess,
                                POBJECT_ATTRIBUTES ObjectAttributes, BOOLEAN EffectiveOnly, TOKEN_TYPE TokenType,
                                PHANDLE NewTokenHandle) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (!NewTokenHandle) return STATUS_ACCESS_VIOLATION;
    if (NTSTATUS status = probe_caller_output(mode, NewTokenHandle); !NT_SUCCESS(status)) return status;
    if (TokenType != TokenPrimary && TokenType != TokenImpersonation) return STATUS_INVALID_PARAMETER;
    CapturedObjectAttributes attributes;
    NTSTATUS status = attributes.capture(ObjectAttributes, mode);
    if (!NT_SUCCESS(status)) return status;
    SECURITY_QUALITY_OF_SERVICE qos{};
    bool has_qos = false;
    status = capture_qos(ObjectAttributes, mode, qos, has_qos);
    if (!NT_SUCCESS(status)) return status;
    // The caller's level as the integer it passed: a value outside the enumeration must not be read
    // through the enumeration's type.
    const unsigned long raw_level = has_qos ? ntio::nt::enum_value(qos.ImpersonationLevel) : 0ul;  // SecurityAnonymous
    const bool valid_level = raw_level <= SecurityDelegation;
    if (TokenType == TokenImpersonation && !valid_level) return STATUS_BAD_IMPERSONATION_LEVEL;
    const auto level = valid_level ? static_cast<SECURITY_IMPERSONATION_LEVEL>(raw_level) : SecurityAnonymous;

    HandleReference<se::TokenObjectBody> existing;
    status = existing.reference(ExistingTokenHandle, TOKEN_DUPLICATE, *SeTokenObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    const se::Token& source = *existing->token;
    if (source.type() == TokenImpersonation) {
        if (TokenType == TokenImpersonation && level > source.impersonation_level()) {
            return STATUS_BAD_IMPERSONATION_LEVEL;
        }
        if (TokenType == TokenPrimary && source.impersonation_level() < SecurityImpersonation) {
            return STATUS_BAD_IMPERSONATION_LEVEL;
        }
    }
    const ACCESS_MASK desired = DesiredAccess ? DesiredAccess : existing.info().GrantedAccess;
    const ULONG handle_attributes =
        attributes.get() ? attributes.get()->Attributes & (OBJ_INHERIT | OBJ_KERNEL_HANDLE) : 0;
    return open_token_handle(source.duplicate(TokenType, level, EffectiveOnly != FALSE), desired, handle_attributes,
                             mode, NewTokenHandle);
}

// Makes the thread ThreadHandle names (THREAD_IMPERSONATE) impersonate the anonymous logon.
// https://learn.microsoft.com/windows/win32/api/securitybaseapi/nf-securitybaseapi-impersonateanonymoustoken
// (the Win32 routine over this service; ntifs.h declares NtImpersonateAnonymousToken without a page).
NTSTATUS NTAPI NtImpersonateAnonymousToken(HANDLE ThreadHandle) {
    const KPROCESSOR_MODE mode = previous_mode();
    HandleReference<_ETHREAD> thread;
    NTSTATUS status = thread.reference(ThreadHandle, THREAD_IMPERSONATE, *PsThreadType, mode);
    if (!NT_SUCCESS(status)) return status;
    std::shared_ptr<se::Token> anonymous = se::Token::create_anonymous();
    return PsImpersonateClient(thread.get(), anonymous.get(), FALSE, FALSE, SecurityImpersonation);
}

// A handle to the primary token of the process ProcessHandle names (which needs
// PROCESS_QUERY_LIMITED_INFORMATION), with DesiredAccess checked against the token's descriptor for
// a caller in user mode.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwopenprocesstokenex
NTSTATUS NTAPI NtOpenProcessTokenEx(HANDLE ProcessHandle, ACCESS_MASK DesiredAccess, ULONG HandleAttributes,
                                    PHANDLE TokenHandle) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (!TokenHandle) return STATUS_ACCESS_VIOLATION;
    if (NTSTATUS status = probe_caller_output(mode, TokenHandle); !NT_SUCCESS(status)) return status;
    HandleReference<_EPROCESS> process;
    NTSTATUS status = process.reference(ProcessHandle, PROCESS_QUERY_LIMITED_INFORMATION, *PsProcessType, mode);
    if (!NT_SUCCESS(status)) return status;
    if (!process->m_token) return STATUS_NO_TOKEN;
    return open_token_handle(process->m_token, DesiredAccess, HandleAttributes, mode, TokenHandle);
}

// A handle to the impersonation token of the thread ThreadHandle names (which needs
// THREAD_QUERY_LIMITED_INFORMATION); STATUS_NO_TOKEN when it does not impersonate. With OpenAsSelf
// the access check runs with the caller's process token instead of its own impersonation.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwopenthreadtokenex
NTSTATUS NTAPI NtOpenThreadTokenEx(HANDLE ThreadHandle, ACCESS_MASK DesiredAccess, BOOLEAN OpenAsSelf,
                                   ULONG HandleAttributes, PHANDLE TokenHandle) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (!TokenHandle) return STATUS_ACCESS_VIOLATION;
    if (NTSTATUS status = probe_caller_output(mode, TokenHandle); !NT_SUCCESS(status)) return status;
    HandleReference<_ETHREAD> thread;
    NTSTATUS status = thread.reference(ThreadHandle, THREAD_QUERY_LIMITED_INFORMATION, *PsThreadType, mode);
    if (!NT_SUCCESS(status)) return status;
    std::shared_ptr<se::Token> token;
    {
        std::lock_guard guard(thread->m_impersonation_lock);
        token = thread->m_impersonation_token;
    }
    if (!token) return STATUS_NO_TOKEN;
    SE_IMPERSONATION_STATE saved{};
    PETHREAD self = PsGetCurrentThread();
    const bool set_aside = OpenAsSelf && self && PsDisableImpersonation(self, &saved);
    status = open_token_handle(std::move(token), DesiredAccess, HandleAttributes, mode, TokenHandle);
    if (set_aside) PsRestoreImpersonation(self, &saved);
    return status;
}

// One TOKEN_INFORMATION_CLASS of the token TokenHandle names (TOKEN_QUERY, or TOKEN_QUERY_SOURCE for
// TokenSource) in the caller's buffer; the size it takes always goes to *ReturnLength, and a buffer
// too small for it is STATUS_BUFFER_TOO_SMALL.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwqueryinformationtoken
NTSTATUS NTAPI NtQueryInformationToken(HANDLE TokenHandle, TOKEN_INFORMATION_CLASS TokenInformationClass,
                                       PVOID TokenInformation, ULONG TokenInformationLength, PULONG ReturnLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = probe_variable_query(mode, ReturnLength, TokenInformation, TokenInformationLength);
    if (!NT_SUCCESS(status)) return status;
    const ACCESS_MASK access = TokenInformationClass == TokenSource ? TOKEN_QUERY_SOURCE : TOKEN_QUERY;
    HandleReference<se::TokenObjectBody> object;
    status = object.reference(TokenHandle, access, *SeTokenObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    se::TokenInformation answer;
    status = answer.build(*object->token, TokenInformationClass, false);
    if (!NT_SUCCESS(status)) return status;
    const ULONG needed = answer.length();
    status = write_caller(mode, ReturnLength, needed);
    if (!NT_SUCCESS(status)) return status;
    if (TokenInformationLength < needed || !TokenInformation) return STATUS_BUFFER_TOO_SMALL;
    if (mode == KernelMode) {
        answer.place(TokenInformation, reinterpret_cast<ULONG_PTR>(TokenInformation));
        return STATUS_SUCCESS;
    }
    std::vector<unsigned char> staged(needed);
    answer.place(staged.data(), reinterpret_cast<ULONG_PTR>(TokenInformation));
    return copy_to_user(TokenInformation, staged.data(), needed, sizeof(ULONG));
}

// A new LUID, unique until the system restarts.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwallocatelocallyuniqueid
NTSTATUS NTAPI NtAllocateLocallyUniqueId(PLUID Luid) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (!Luid) return STATUS_ACCESS_VIOLATION;
    if (NTSTATUS status = probe_caller_output(mode, Luid); !NT_SUCCESS(status)) return status;
    return write_caller(mode, Luid, se::allocate_luid());
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwopenprocesstokenex
NTSTATUS NTAPI ZwOpenProcessTokenEx(HANDLE ProcessHandle, ACCESS_MASK DesiredAccess, ULONG HandleAttributes,
                                    PHANDLE TokenHandle) {
    KernelModeCall kernel;
    return NtOpenProcessTokenEx(ProcessHandle, DesiredAccess, HandleAttributes, TokenHandle);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwopenthreadtokenex
NTSTATUS NTAPI ZwOpenThreadTokenEx(HANDLE ThreadHandle, ACCESS_MASK DesiredAccess, BOOLEAN OpenAsSelf,
                                   ULONG HandleAttributes, PHANDLE TokenHandle) {
    KernelModeCall kernel;
    return NtOpenThreadTokenEx(ThreadHandle, DesiredAccess, OpenAsSelf, HandleAttributes, TokenHandle);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwopenprocesstoken
NTSTATUS NTAPI ZwOpenProcessToken(HANDLE ProcessHandle, ACCESS_MASK DesiredAccess, PHANDLE TokenHandle) {
    KernelModeCall kernel;
    return NtOpenProcessToken(ProcessHandle, DesiredAccess, TokenHandle);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwopenthreadtoken
NTSTATUS NTAPI ZwOpenThreadToken(HANDLE ThreadHandle, ACCESS_MASK DesiredAccess, BOOLEAN OpenAsSelf,
                                 PHANDLE TokenHandle) {
    KernelModeCall kernel;
    return NtOpenThreadToken(ThreadHandle, DesiredAccess, OpenAsSelf, TokenHandle);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwduplicatetoken
NTSTATUS NTAPI ZwDuplicateToken(HANDLE ExistingTokenHandle, ACCESS_MASK DesiredAccess,
                                POBJECT_ATTRIBUTES ObjectAttributes, BOOLEAN EffectiveOnly, TOKEN_TYPE TokenType,
                                PHANDLE NewTokenHandle) {
    KernelModeCall kernel;
    return NtDuplicateToken(ExistingTokenHandle, DesiredAccess, ObjectAttributes, EffectiveOnly, TokenType,
                            NewTokenHandle);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwqueryinformationtoken
NTSTATUS NTAPI ZwQueryInformationToken(HANDLE TokenHandle, TOKEN_INFORMATION_CLASS TokenInformationClass,
                                       PVOID TokenInformation, ULONG TokenInformationLength, PULONG ReturnLength) {
    KernelModeCall kernel;
    return NtQueryInformationToken(TokenHandle, TokenInformationClass, TokenInformation, TokenInformationLength,
                                   ReturnLength);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwallocatelocallyuniqueid
NTSTATUS NTAPI ZwAllocateLocallyUniqueId(PLUID Luid) {
    KernelModeCall kernel;
    return NtAllocateLocallyUniqueId(Luid);
}

}  // extern "C"

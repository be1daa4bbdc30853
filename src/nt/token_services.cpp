// Token services: NtOpenProcessTokenEx, NtOpenThreadTokenEx, NtQueryInformationToken and
// NtAllocateLocallyUniqueId, with their Zw forms. Token handles refer to ob's Token objects.
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>
#include <ntifs.h>

#include "nt/object_reference.hpp"
#include "nt/previous_mode.hpp"
#include "nt/query_buffer.hpp"
#include "nt/user_memory.hpp"
#include "ob/token_objects.hpp"
#include "se/token_information.hpp"

using namespace ntio;
using namespace ntio::nt;

namespace {

NTSTATUS open_token_handle(std::shared_ptr<se::Token> token, ACCESS_MASK desired, ULONG attributes,
                           KPROCESSOR_MODE mode, PHANDLE token_handle) {
    HANDLE handle = nullptr;
    NTSTATUS status = ob::open_token(object_manager(), std::move(token), desired, attributes, mode, &handle);
    if (!NT_SUCCESS(status)) return status;
    status = write_caller(mode, token_handle, handle);
    if (!NT_SUCCESS(status)) object_manager().close_handle(handle, KernelMode);
    return status;
}

}  // namespace

extern "C" {

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

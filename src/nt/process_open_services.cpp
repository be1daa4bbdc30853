// NtOpenProcess and NtOpenThread with their Zw forms: a handle to a process or thread found by its
// client id (processes and threads have no names), with the access the caller may be granted on
// the object's security descriptor, as every other open checks it. NtTerminateProcess ends a
// process by handle through the object manager's termination (threads marked, handles closed,
// waiters released).
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>
#include <ntifs.h>

#include "nt/object_attributes.hpp"
#include "nt/object_creation.hpp"
#include "nt/previous_mode.hpp"
#include "nt/object_reference.hpp"
#include "nt/user_memory.hpp"
#include "ob/object_manager.hpp"
#include "ob/process.hpp"

using namespace ntio;
using namespace ntio::nt;

namespace {

// The ACCESS_MASK bits no right is defined for (standard bits 21-23, bits 26-27). A guess: Learn
// says only "the requested access rights are not valid for a process object"; ntio rejects these.
constexpr ACCESS_MASK kUndefinedAccessBits = 0x0CE00000;

// The object a CLIENT_ID names, referenced. Process: its UniqueThread, when set, picks the thread
// whose process is meant, and a UniqueProcess given beside it must be that process's id. Thread:
// UniqueThread names it, and a UniqueProcess given beside it must be its process's id.
NTSTATUS reference_by_cid(const CLIENT_ID& cid, bool want_thread, PVOID* object) {
    *object = nullptr;
    if (cid.UniqueThread) {
        PETHREAD thread = nullptr;
        if (!NT_SUCCESS(PsLookupThreadByThreadId(cid.UniqueThread, &thread))) return STATUS_INVALID_CID;
        if (cid.UniqueProcess && PsGetThreadProcessId(thread) != cid.UniqueProcess) {
            ObDereferenceObject(thread);
            return STATUS_INVALID_CID;
        }
        if (want_thread) {
            *object = thread;
            return STATUS_SUCCESS;
        }
        PEPROCESS process = PsGetThreadProcess(thread);
        ObReferenceObject(process);
        ObDereferenceObject(thread);
        *object = process;
        return STATUS_SUCCESS;
    }
    if (want_thread || !cid.UniqueProcess) return STATUS_INVALID_CID;
    PEPROCESS process = nullptr;
    if (!NT_SUCCESS(PsLookupProcessByProcessId(cid.UniqueProcess, &process))) return STATUS_INVALID_CID;
    *object = process;
    return STATUS_SUCCESS;
}

// The shared path: the output probed, the attributes captured (no name allowed), the client id
// read, the object found, then ob checks the access and creates the handle.
NTSTATUS open_by_client_id(PHANDLE handle_out, ACCESS_MASK access, POBJECT_ATTRIBUTES attributes,
                           PCLIENT_ID client_id, bool want_thread) {
    const KPROCESSOR_MODE mode = previous_mode();
    CapturedObjectAttributes captured;
    NTSTATUS status = begin_open(mode, handle_out, attributes, captured);
    if (!NT_SUCCESS(status)) return status;
    POBJECT_ATTRIBUTES oa = captured.get();
    if ((oa && oa->ObjectName) || client_id == nullptr) return STATUS_INVALID_PARAMETER_MIX;
    if (access & kUndefinedAccessBits) return STATUS_INVALID_PARAMETER;
    CLIENT_ID cid{};
    status = read_caller(mode, static_cast<const CLIENT_ID*>(client_id), cid);
    if (!NT_SUCCESS(status)) return status;
    PVOID object = nullptr;
    status = reference_by_cid(cid, want_thread, &object);
    if (!NT_SUCCESS(status)) return status;
    const ULONG handle_attributes = oa ? oa->Attributes : 0;
    HANDLE handle = nullptr;
    status = ObOpenObjectByPointer(object, handle_attributes, nullptr, access,
                                   want_thread ? *PsThreadType : *PsProcessType, mode, &handle);
    ObDereferenceObject(object);
    if (!NT_SUCCESS(status)) return status;
    (void)write_caller(mode, handle_out, handle);
    return STATUS_SUCCESS;
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ntopenprocess
// STATUS_INVALID_PARAMETER_MIX for a name or a missing client id, STATUS_INVALID_CID for a client
// id no process (or thread of that process) has, STATUS_ACCESS_DENIED when the access cannot be
// granted. A process that terminated can still be opened while its object exists.
NTSTATUS NTAPI NtOpenProcess(PHANDLE ProcessHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                             PCLIENT_ID ClientId) {
    return open_by_client_id(ProcessHandle, DesiredAccess, ObjectAttributes, ClientId, false);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-zwopenprocess
NTSTATUS NTAPI ZwOpenProcess(PHANDLE ProcessHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                             PCLIENT_ID ClientId) {
    KernelModeCall kernel;
    return NtOpenProcess(ProcessHandle, DesiredAccess, ObjectAttributes, ClientId);
}

// https://learn.microsoft.com/windows/win32/devnotes/ntopenthread
// The page gives no statuses; a guess: the same ones as NtOpenProcess (STATUS_INVALID_CID for a
// client id without UniqueThread or naming no thread).
NTSTATUS NTAPI NtOpenThread(PHANDLE ThreadHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                            PCLIENT_ID ClientId) {
    return open_by_client_id(ThreadHandle, DesiredAccess, ObjectAttributes, ClientId, true);
}

NTSTATUS NTAPI ZwOpenThread(PHANDLE ThreadHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                            PCLIENT_ID ClientId) {
    KernelModeCall kernel;
    return NtOpenThread(ThreadHandle, DesiredAccess, ObjectAttributes, ClientId);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-zwterminateprocess
// PROCESS_TERMINATE on the handle; STATUS_PROCESS_IS_TERMINATING once the process has begun to end.
// NT deviation: the caller's own process (and the System process) cannot be ended here: ntio's
// processes live in the host process, whose threads cannot be unwound from under their callers,
// so the call fails with STATUS_ACCESS_DENIED instead of not returning (docs/nt-deviations.md).
NTSTATUS NTAPI NtTerminateProcess(HANDLE ProcessHandle, NTSTATUS ExitStatus) {
    const KPROCESSOR_MODE mode = previous_mode();
    HandleReference<_EPROCESS> process;
    NTSTATUS status = process.reference(ProcessHandle, PROCESS_TERMINATE, *PsProcessType, mode);
    if (!NT_SUCCESS(status)) return status;
    PEPROCESS target = process.get();
    if (target == ob::current_process() || target->m_is_system) return STATUS_ACCESS_DENIED;
    if (target->m_terminating.load(std::memory_order_acquire)) return STATUS_PROCESS_IS_TERMINATING;
    target->m_manager->terminate_process(target, ExitStatus);
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI ZwTerminateProcess(HANDLE ProcessHandle, NTSTATUS ExitStatus) {
    KernelModeCall kernel;
    return NtTerminateProcess(ProcessHandle, ExitStatus);
}

}  // extern "C"

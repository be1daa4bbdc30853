// Handle waits: NtWaitForSingleObject, NtWaitForMultipleObjects, NtSignalAndWaitForSingleObject and
// NtDelayExecution (and NtYieldExecution). The hot path is one handle lookup plus the ke wait: no allocation, no lock of
// our own. Waits run in the caller's PreviousMode, so an alertable UserMode wait returns
// STATUS_USER_APC once the thread's user APCs have run.
#include "nt/current_system.hpp"
#include "nt/enum_value.hpp"
#include <wdm.h>

#include "nt/dispatcher_release.hpp"
#include "nt/object_reference.hpp"
#include "nt/previous_mode.hpp"
#include "nt/user_memory.hpp"
#include "nt/waitable_object.hpp"

using namespace ntio::nt;

namespace {

// Captures an optional caller timeout into `copy`; returns the pointer the wait should use.
NTSTATUS capture_timeout(KPROCESSOR_MODE mode, PLARGE_INTEGER timeout, LARGE_INTEGER& copy,
                         PLARGE_INTEGER& use) noexcept {
    use = nullptr;
    if (timeout == nullptr) return STATUS_SUCCESS;
    NTSTATUS status = read_caller(mode, static_cast<const LARGE_INTEGER*>(timeout), copy);
    if (!NT_SUCCESS(status)) return status;
    use = &copy;
    return STATUS_SUCCESS;
}

// References every handle of a multiple wait and releases them all on scope exit.
class WaitObjects {
public:
    ~WaitObjects() {
        for (ULONG i = 0; i < m_count; ++i) ObDereferenceObject(m_bodies[i]);
    }
    NTSTATUS add(HANDLE handle, KPROCESSOR_MODE mode) noexcept {
        PVOID body = nullptr;
        NTSTATUS status = ObReferenceObjectByHandle(handle, SYNCHRONIZE, nullptr, mode, &body, nullptr);
        if (!NT_SUCCESS(status)) return status;
        m_bodies[m_count] = body;
        m_objects[m_count] = waitable_object(body);
        ++m_count;
        return m_objects[m_count - 1] ? STATUS_SUCCESS : STATUS_OBJECT_TYPE_MISMATCH;
    }
    bool has_duplicates() const noexcept {
        for (ULONG i = 1; i < m_count; ++i)
            for (ULONG j = 0; j < i; ++j)
                if (m_objects[i] == m_objects[j]) return true;
        return false;
    }
    PVOID* objects() noexcept { return m_objects; }
    ULONG count() const noexcept { return m_count; }

private:
    ULONG m_count = 0;
    PVOID m_bodies[MAXIMUM_WAIT_OBJECTS];
    PVOID m_objects[MAXIMUM_WAIT_OBJECTS];
};

// The "signal" half of NtSignalAndWaitForSingleObject: the right each type needs on the handle.
NTSTATUS signal_object(PVOID body, ACCESS_MASK granted, KPROCESSOR_MODE mode) noexcept {
    const POBJECT_TYPE type = ObGetObjectType(body);
    if (type == *ExEventObjectType) {
        if (mode != KernelMode && (granted & EVENT_MODIFY_STATE) == 0) return STATUS_ACCESS_DENIED;
        KeSetEvent(static_cast<PKEVENT>(body), EVENT_INCREMENT, FALSE);
        return STATUS_SUCCESS;
    }
    if (type == *ExSemaphoreObjectType) {
        if (mode != KernelMode && (granted & SEMAPHORE_MODIFY_STATE) == 0) return STATUS_ACCESS_DENIED;
        return release_semaphore(static_cast<PKSEMAPHORE>(body), 1, nullptr);
    }
    if (type == *ExMutantObjectType) return release_mutant(static_cast<PKMUTANT>(body), nullptr);
    return STATUS_OBJECT_TYPE_MISMATCH;
}

}  // namespace

extern "C" {

NTSTATUS NTAPI NtWaitForSingleObject(HANDLE Handle, BOOLEAN Alertable, PLARGE_INTEGER Timeout) {
    const KPROCESSOR_MODE mode = previous_mode();
    LARGE_INTEGER timeout_copy;
    PLARGE_INTEGER timeout = nullptr;
    NTSTATUS status = capture_timeout(mode, Timeout, timeout_copy, timeout);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<void> object;
    status = object.reference(Handle, SYNCHRONIZE, nullptr, mode);
    if (!NT_SUCCESS(status)) return status;
    PVOID wait_object = waitable_object(object.get());
    if (!wait_object) return STATUS_OBJECT_TYPE_MISMATCH;
    return KeWaitForSingleObject(wait_object, UserRequest, mode, Alertable, timeout);
}

NTSTATUS NTAPI NtWaitForMultipleObjects(ULONG Count, HANDLE Handles[], WAIT_TYPE WaitType, BOOLEAN Alertable,
                                        PLARGE_INTEGER Timeout) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (Count == 0 || Count > MAXIMUM_WAIT_OBJECTS) return STATUS_INVALID_PARAMETER_1;
    if (enum_value(WaitType) != WaitAll && enum_value(WaitType) != WaitAny) return STATUS_INVALID_PARAMETER_3;
    HANDLE handles[MAXIMUM_WAIT_OBJECTS];
    NTSTATUS status;
    if (mode == KernelMode) {
        for (ULONG i = 0; i < Count; ++i) handles[i] = Handles[i];
    } else {
        status = copy_from_user(handles, Handles, Count * sizeof(HANDLE), alignof(HANDLE));
        if (!NT_SUCCESS(status)) return status;
    }
    LARGE_INTEGER timeout_copy;
    PLARGE_INTEGER timeout = nullptr;
    status = capture_timeout(mode, Timeout, timeout_copy, timeout);
    if (!NT_SUCCESS(status)) return status;

    WaitObjects objects;
    for (ULONG i = 0; i < Count; ++i) {
        status = objects.add(handles[i], mode);
        if (!NT_SUCCESS(status)) return status;
    }
    // A WaitAll on the same object twice could never be satisfied atomically.
    if (WaitType == WaitAll && objects.has_duplicates()) return STATUS_INVALID_PARAMETER_MIX;
    KWAIT_BLOCK wait_blocks[MAXIMUM_WAIT_OBJECTS];
    return KeWaitForMultipleObjects(Count, objects.objects(), WaitType, UserRequest, mode, Alertable, timeout,
                                    wait_blocks);
}

NTSTATUS NTAPI NtSignalAndWaitForSingleObject(HANDLE SignalHandle, HANDLE WaitHandle, BOOLEAN Alertable,
                                              PLARGE_INTEGER Timeout) {
    const KPROCESSOR_MODE mode = previous_mode();
    LARGE_INTEGER timeout_copy;
    PLARGE_INTEGER timeout = nullptr;
    NTSTATUS status = capture_timeout(mode, Timeout, timeout_copy, timeout);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<void> signal;
    status = signal.reference(SignalHandle, 0, nullptr, mode);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<void> wait;
    status = wait.reference(WaitHandle, SYNCHRONIZE, nullptr, mode);
    if (!NT_SUCCESS(status)) return status;
    PVOID wait_object = waitable_object(wait.get());
    if (!wait_object) return STATUS_OBJECT_TYPE_MISMATCH;
    // NT deviation: NT signals and starts the wait under one dispatcher lock hold; here another
    // thread may run between the two, which no caller can tell from the results.
    status = signal_object(signal.get(), signal.info().GrantedAccess, mode);
    if (!NT_SUCCESS(status)) return status;
    return KeWaitForSingleObject(wait_object, UserRequest, mode, Alertable, timeout);
}

NTSTATUS NTAPI NtDelayExecution(BOOLEAN Alertable, PLARGE_INTEGER DelayInterval) {
    const KPROCESSOR_MODE mode = previous_mode();
    LARGE_INTEGER interval;
    NTSTATUS status = read_caller(mode, static_cast<const LARGE_INTEGER*>(DelayInterval), interval);
    if (!NT_SUCCESS(status)) return status;
    return KeDelayExecutionThread(mode, Alertable, &interval);
}

// Gives the processor up to another ready thread. NT answers STATUS_NO_YIELD_PERFORMED when no
// thread was ready to take it; the host does not say whether sched_yield switched, so ntio always
// answers STATUS_SUCCESS.
NTSTATUS NTAPI NtYieldExecution(VOID) {
    std::this_thread::yield();
    return STATUS_SUCCESS;
}

}  // extern "C"

// Event services: NtCreateEvent/NtOpenEvent/NtSetEvent/NtResetEvent/NtPulseEvent/NtClearEvent/
// NtQueryEvent. The body of an Event object is a KEVENT, so the ke dispatcher does the work.
#include "nt/current_system.hpp"
#include "nt/enum_value.hpp"
#include <wdm.h>

#include "nt/object_creation.hpp"
#include "nt/object_reference.hpp"
#include "nt/query_buffer.hpp"

using namespace ntio::nt;

namespace {

// Shared by the three services that report the previous state.
template <class Change>
NTSTATUS change_event(HANDLE handle, PLONG previous_state, Change&& change) noexcept {
    const KPROCESSOR_MODE mode = previous_mode();
    if (previous_state) {
        NTSTATUS status = probe_caller_output(mode, previous_state);
        if (!NT_SUCCESS(status)) return status;
    }
    HandleReference<KEVENT> event;
    NTSTATUS status = event.reference(handle, EVENT_MODIFY_STATE, *ExEventObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    const LONG previous = change(event.get());
    if (previous_state) (void)write_caller(mode, previous_state, previous);
    return STATUS_SUCCESS;
}

}  // namespace

extern "C" {

NTSTATUS NTAPI NtCreateEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                             EVENT_TYPE EventType, BOOLEAN InitialState) {
    if (enum_value(EventType) > SynchronizationEvent) return STATUS_INVALID_PARAMETER;
    return create_object<KEVENT>(EventHandle, DesiredAccess, ObjectAttributes, *ExEventObjectType, sizeof(KEVENT),
                                 [&](PKEVENT event) {
                                     KeInitializeEvent(event, EventType, InitialState);
                                     return STATUS_SUCCESS;
                                 });
}

NTSTATUS NTAPI NtOpenEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes) {
    return open_object(EventHandle, DesiredAccess, ObjectAttributes, *ExEventObjectType);
}

NTSTATUS NTAPI NtSetEvent(HANDLE EventHandle, PLONG PreviousState) {
    return change_event(EventHandle, PreviousState,
                        [](PKEVENT event) { return KeSetEvent(event, EVENT_INCREMENT, FALSE); });
}

NTSTATUS NTAPI NtResetEvent(HANDLE EventHandle, PLONG PreviousState) {
    return change_event(EventHandle, PreviousState, [](PKEVENT event) { return KeResetEvent(event); });
}

NTSTATUS NTAPI NtPulseEvent(HANDLE EventHandle, PLONG PreviousState) {
    return change_event(EventHandle, PreviousState,
                        [](PKEVENT event) { return KePulseEvent(event, EVENT_INCREMENT, FALSE); });
}

NTSTATUS NTAPI NtClearEvent(HANDLE EventHandle) {
    return change_event(EventHandle, nullptr, [](PKEVENT event) {
        KeClearEvent(event);
        return LONG{0};
    });
}

NTSTATUS NTAPI NtQueryEvent(HANDLE EventHandle, EVENT_INFORMATION_CLASS EventInformationClass,
                            PVOID EventInformation, ULONG EventInformationLength, PULONG ReturnLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = check_fixed_query<EVENT_BASIC_INFORMATION>(
        mode, enum_value(EventInformationClass) == EventBasicInformation, EventInformation, EventInformationLength,
        ReturnLength);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<KEVENT> event;
    status = event.reference(EventHandle, EVENT_QUERY_STATE, *ExEventObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    EVENT_BASIC_INFORMATION info;
    info.EventType = event->Header.Type == EventNotificationObject ? NotificationEvent : SynchronizationEvent;
    info.EventState = KeReadStateEvent(event.get());
    write_fixed_query(mode, EventInformation, ReturnLength, info);
    return STATUS_SUCCESS;
}

}  // extern "C"

// IoCreateNotificationEvent / IoCreateSynchronizationEvent: a named, signalled event shared between
// drivers (and applications) by name, returned with a kernel handle (NT fact H9). An existing event
// of that name is opened whatever its kind.
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>

#include "nt/previous_mode.hpp"
#include "verifier/verifier.hpp"

namespace {

PKEVENT create_named_event(PUNICODE_STRING name, PHANDLE handle_out, EVENT_TYPE type) {
    if (name == nullptr || handle_out == nullptr) return nullptr;
    ntio::nt::KernelModeCall kernel;
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, name, OBJ_OPENIF | OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, nullptr,
                               nullptr);
    HANDLE handle = nullptr;
    NTSTATUS status = NtCreateEvent(&handle, EVENT_ALL_ACCESS, &attributes, type, TRUE);
    if (!NT_SUCCESS(status)) return nullptr;
    PVOID event = nullptr;
    status = ObReferenceObjectByHandle(handle, 0, *ExEventObjectType, KernelMode, &event, nullptr);
    if (!NT_SUCCESS(status)) {
        (void)NtClose(handle);
        return nullptr;
    }
    // The handle keeps the event alive; the caller gets a borrowed pointer, as on NT.
    ObDereferenceObject(event);
    *handle_out = handle;
    return static_cast<PKEVENT>(event);
}

}  // namespace

extern "C" {

PKEVENT NTAPI IoCreateNotificationEvent(PUNICODE_STRING EventName, PHANDLE EventHandle) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive4);
    return create_named_event(EventName, EventHandle, NotificationEvent);
}

PKEVENT NTAPI IoCreateSynchronizationEvent(PUNICODE_STRING EventName, PHANDLE EventHandle) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive4);
    return create_named_event(EventName, EventHandle, SynchronizationEvent);
}

}  // extern "C"

// Executive callback objects: a named object of type Callback holding the routines registered with
// it. ExNotifyCallback calls them outside the object's lock, marking each one busy while it runs, so
// that ExUnregisterCallback can wait until its routine has returned before freeing it.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/callback-objects
#include <new>
#include <string_view>

#include <wdm.h>

#include "ex/callback_objects.hpp"
#include "ob/object_header.hpp"
#include "ob/object_manager.hpp"
#include "ob/object_type.hpp"
#include "verifier/verifier.hpp"

// The body of a Callback object.
struct _CALLBACK_OBJECT {
    KSPIN_LOCK lock;
    LIST_ENTRY registrations;  // CallbackRegistration::link
    ULONG count;
    bool allow_multiple;
};

namespace ntio::ex {
namespace {

struct CallbackRegistration {
    LIST_ENTRY link;
    _CALLBACK_OBJECT* object;
    PCALLBACK_FUNCTION function;
    PVOID context;
    ULONG busy;          // notifications running the routine now (under the object's lock)
    bool unregistering;  // no new call starts; the last busy one signals `idle`
    KEVENT idle;
};

constexpr GENERIC_MAPPING kCallbackMapping = {
    STANDARD_RIGHTS_READ | SYNCHRONIZE,
    STANDARD_RIGHTS_WRITE | SYNCHRONIZE | CALLBACK_MODIFY_STATE,
    STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE,
    CALLBACK_ALL_ACCESS,
};

void callback_delete(void* object) { static_cast<_CALLBACK_OBJECT*>(object)->~_CALLBACK_OBJECT(); }

void callback_dump(void* object, std::string& out) {
    auto* callback = static_cast<_CALLBACK_OBJECT*>(object);
    out += " registrations=" + std::to_string(callback->count);
    if (!callback->allow_multiple) out += " single";
}

_OBJECT_TYPE g_callback_type{
    .name = u"Callback",
    .generic_mapping = kCallbackMapping,
    .valid_access_mask = CALLBACK_ALL_ACCESS,
    .pool_type = NonPagedPool,
    .del = callback_delete,
    .dump = callback_dump,
};

NTSTATUS create_or_open(ob::ObjectManager& manager, const OBJECT_ATTRIBUTES& attributes, bool create,
                        bool allow_multiple, PCALLBACK_OBJECT* out) {
    const UNICODE_STRING& name = *attributes.ObjectName;
    const std::u16string_view path(reinterpret_cast<const char16_t*>(name.Buffer), name.Length / sizeof(WCHAR));
    void* found = nullptr;
    NTSTATUS status = manager.reference_object_by_name(path, attributes.RootDirectory, attributes.Attributes,
                                                       &g_callback_type, KernelMode, 0, nullptr, &found);
    if (NT_SUCCESS(status)) {
        *out = static_cast<PCALLBACK_OBJECT>(found);
        return STATUS_SUCCESS;
    }
    if (!create || status != STATUS_OBJECT_NAME_NOT_FOUND) return status;
    OBJECT_ATTRIBUTES open_if = attributes;
    open_if.Attributes |= OBJ_OPENIF | OBJ_KERNEL_HANDLE;  // a creator that got there first is opened, not refused
    void* body = nullptr;
    status = manager.create_object(KernelMode, &g_callback_type, &open_if, sizeof(_CALLBACK_OBJECT), &body);
    if (!NT_SUCCESS(status)) return status;
    auto* callback = new (body) _CALLBACK_OBJECT{};
    KeInitializeSpinLock(&callback->lock);
    InitializeListHead(&callback->registrations);
    callback->allow_multiple = allow_multiple;
    // Inserted with a kernel handle that is closed at once: a callback object created without
    // OBJ_PERMANENT loses its name with that handle, which is why Learn tells creators to ask for
    // OBJ_PERMANENT; the caller's reference keeps the object itself.
    void* inserted = nullptr;
    HANDLE handle = nullptr;
    status = manager.insert_object(body, CALLBACK_ALL_ACCESS, KernelMode, &handle, &inserted);
    if (!NT_SUCCESS(status)) return status;
    (void)ZwClose(handle);
    *out = static_cast<PCALLBACK_OBJECT>(inserted);
    return STATUS_SUCCESS;  // STATUS_OBJECT_NAME_EXISTS too: the object was opened
}

}  // namespace

void register_callback_type() { ob::register_object_type(g_callback_type); }

void create_standard_callbacks(ob::ObjectManager& manager) {
    for (const wchar_t* name : {L"\\Callback\\SetSystemTime", L"\\Callback\\PowerState", L"\\Callback\\ProcessorAdd"}) {
        UNICODE_STRING path;
        RtlInitUnicodeString(&path, name);
        OBJECT_ATTRIBUTES attributes;
        InitializeObjectAttributes(&attributes, &path, OBJ_CASE_INSENSITIVE | OBJ_PERMANENT | OBJ_KERNEL_HANDLE, nullptr,
                                   nullptr);
        PCALLBACK_OBJECT object = nullptr;
        const NTSTATUS status = create_or_open(manager, attributes, true, true, &object);
        if (!NT_SUCCESS(status)) KeBugCheckEx(PHASE1_INITIALIZATION_FAILED, static_cast<ULONG_PTR>(status), 0, 0, 0);
        ObDereferenceObject(object);  // permanent: the namespace keeps it
    }
}

}  // namespace ntio::ex

using ntio::ex::CallbackRegistration;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-excreatecallback
NTKERNELAPI NTSTATUS NTAPI ExCreateCallback(PCALLBACK_OBJECT* CallbackObject, POBJECT_ATTRIBUTES ObjectAttributes,
                                            BOOLEAN Create, BOOLEAN AllowMultipleCallbacks) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ExPassive);
    if (!CallbackObject) return STATUS_INVALID_PARAMETER;
    *CallbackObject = nullptr;
    // Unnamed callback objects are not allowed (Learn: STATUS_UNSUCCESSFUL).
    if (!ObjectAttributes || !ObjectAttributes->ObjectName || ObjectAttributes->ObjectName->Length == 0 ||
        !ObjectAttributes->ObjectName->Buffer)
        return STATUS_UNSUCCESSFUL;
    PEPROCESS process = ntio::ob::current_process();
    if (!process) return STATUS_UNSUCCESSFUL;
    return ntio::ex::create_or_open(*process->m_manager, *ObjectAttributes, Create != FALSE,
                                    AllowMultipleCallbacks != FALSE, CallbackObject);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exregistercallback
// The registration holds a reference on the object until it is unregistered.
NTKERNELAPI PVOID NTAPI ExRegisterCallback(PCALLBACK_OBJECT CallbackObject, PCALLBACK_FUNCTION CallbackFunction,
                                           PVOID CallbackContext) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ExApcLte2);
    if (!CallbackObject || !CallbackFunction) return nullptr;
    auto* registration = new (std::nothrow) CallbackRegistration{};
    if (!registration) return nullptr;
    registration->object = CallbackObject;
    registration->function = CallbackFunction;
    registration->context = CallbackContext;
    KeInitializeEvent(&registration->idle, NotificationEvent, FALSE);
    KIRQL irql;
    KeAcquireSpinLock(&CallbackObject->lock, &irql);
    if (!CallbackObject->allow_multiple && CallbackObject->count > 0) {
        KeReleaseSpinLock(&CallbackObject->lock, irql);
        delete registration;
        return nullptr;
    }
    ObReferenceObject(CallbackObject);
    InsertTailList(&CallbackObject->registrations, &registration->link);
    ++CallbackObject->count;
    KeReleaseSpinLock(&CallbackObject->lock, irql);
    return registration;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exunregistercallback
NTKERNELAPI VOID NTAPI ExUnregisterCallback(PVOID CbRegistration) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ExApcLte2);
    if (!CbRegistration) return;
    auto* registration = static_cast<CallbackRegistration*>(CbRegistration);
    _CALLBACK_OBJECT* object = registration->object;
    KIRQL irql;
    KeAcquireSpinLock(&object->lock, &irql);
    registration->unregistering = true;
    while (registration->busy > 0) {
        KeReleaseSpinLock(&object->lock, irql);
        KeWaitForSingleObject(&registration->idle, Executive, KernelMode, FALSE, nullptr);
        KeAcquireSpinLock(&object->lock, &irql);
    }
    RemoveEntryList(&registration->link);
    --object->count;
    KeReleaseSpinLock(&object->lock, irql);
    delete registration;
    ObDereferenceObject(object);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exnotifycallback
// A registration stays linked while busy, so the walk can go on from it after the call.
NTKERNELAPI VOID NTAPI ExNotifyCallback(PVOID CallbackObject, PVOID Argument1, PVOID Argument2) {
    if (!CallbackObject) return;
    auto* object = static_cast<_CALLBACK_OBJECT*>(CallbackObject);
    KIRQL irql;
    KeAcquireSpinLock(&object->lock, &irql);
    for (PLIST_ENTRY e = object->registrations.Flink; e != &object->registrations;) {
        auto* registration = CONTAINING_RECORD(e, CallbackRegistration, link);
        if (registration->unregistering) {
            e = e->Flink;
            continue;
        }
        ++registration->busy;
        KeReleaseSpinLock(&object->lock, irql);
        registration->function(registration->context, Argument1, Argument2);
        KeAcquireSpinLock(&object->lock, &irql);
        e = e->Flink;
        if (--registration->busy == 0 && registration->unregistering) KeSetEvent(&registration->idle, IO_NO_INCREMENT, FALSE);
    }
    KeReleaseSpinLock(&object->lock, irql);
}

}  // extern "C"

// CmRegisterCallback(Ex), CmUnRegisterCallback, CmGetCallbackVersion and CmCallbackGetKeyObjectID(Ex):
// the registrations of config/registry_callbacks.hpp, kept by each System's configuration manager.
#include "config/registry_callbacks.hpp"

#include "config/config_manager.hpp"
#include "config/key_object.hpp"
#include "ntio/system.hpp"
#include "ob/object_manager.hpp"
#include "verifier/verifier.hpp"

namespace ntio::config {

NTSTATUS RegistryCallbacks::add(PEX_CALLBACK_FUNCTION function, void* context, std::u16string altitude,
                                bool above_all, LARGE_INTEGER* cookie)
{
    auto registration = std::make_unique<CmRegistration>();
    registration->altitude = std::move(altitude);
    registration->above_all = above_all;
    registration->function = function;
    registration->context = context;
    registration->cookie = m_next_cookie.fetch_add(1, std::memory_order_relaxed);
    const LONGLONG value = registration->cookie;
    const NTSTATUS status = m_list.add(std::move(registration));
    if (NT_SUCCESS(status)) cookie->QuadPart = value;
    return status;
}

NTSTATUS RegistryCallbacks::remove(LONGLONG cookie)
{
    return m_list.remove([&](const CmRegistration& r) { return r.cookie == cookie; }) ? STATUS_SUCCESS
                                                                                       : STATUS_INVALID_PARAMETER;
}

bool RegistryCallbacks::registered(LONGLONG cookie) const
{
    return m_list.contains([&](const CmRegistration& r) { return r.cookie == cookie; });
}

REG_NOTIFY_CLASS RegistryCallbacks::post_class_of(REG_NOTIFY_CLASS pre_class) noexcept
{
    // The first ten pre classes have their post classes fifteen further on; the later ones follow
    // their pre class.
    if (pre_class <= RegNtPreQueryMultipleValueKey) return static_cast<REG_NOTIFY_CLASS>(pre_class + 15);
    if (pre_class == RegNtPreKeyHandleClose) return RegNtPostKeyHandleClose;
    return static_cast<REG_NOTIFY_CLASS>(pre_class + 1);
}

}  // namespace ntio::config

using namespace ntio;

namespace {

config::ConfigManager* current_config()
{
    PEPROCESS process = ob::current_process();
    return process ? &process->m_manager->system().config() : nullptr;
}

// The Object and cookie checks shared by the two CmCallbackGetKeyObjectID variants.
NTSTATUS key_of(PLARGE_INTEGER cookie, PVOID object, config::KeyBody** key)
{
    config::ConfigManager* config = current_config();
    if (!cookie || !object || !config || !config->callbacks().registered(cookie->QuadPart))
        return STATUS_INVALID_PARAMETER;
    if (ob::header_of(object)->type != &config::g_key_type) return STATUS_INVALID_PARAMETER;
    *key = static_cast<config::KeyBody*>(object);
    return STATUS_SUCCESS;
}

}  // namespace

extern "C" {

// Registers a RegistryCallback routine without an altitude (the pre-Vista interface): it sits above
// every altitude, after the earlier such registrations.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-cmregistercallback
NTSTATUS CmRegisterCallback(PEX_CALLBACK_FUNCTION Function, PVOID Context, PLARGE_INTEGER Cookie)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ExApcLte2);
    config::ConfigManager* config = current_config();
    if (!Function || !Cookie || !config) return STATUS_INVALID_PARAMETER;
    return config->callbacks().add(Function, Context, {}, true, Cookie);
}

// Registers a RegistryCallback routine at an altitude; one registration per altitude.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-cmregistercallbackex
// NT deviation: a NULL Driver is accepted (ntio keeps nothing of it).
NTSTATUS CmRegisterCallbackEx(PEX_CALLBACK_FUNCTION Function, PCUNICODE_STRING Altitude, PVOID Driver,
                              PVOID Context, PLARGE_INTEGER Cookie, PVOID Reserved)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ExApcLte2);
    config::ConfigManager* config = current_config();
    if (!Function || !Cookie || !config || !Altitude || Altitude->Length == 0 || (Altitude->Length & 1) ||
        !Altitude->Buffer)
        return STATUS_INVALID_PARAMETER;
    std::u16string altitude(reinterpret_cast<const char16_t*>(Altitude->Buffer), Altitude->Length / sizeof(WCHAR));
    return config->callbacks().add(Function, Context, std::move(altitude), false, Cookie);
}

// Removes a registration; returns once its routine runs no more.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-cmunregistercallback
NTSTATUS CmUnRegisterCallback(LARGE_INTEGER Cookie)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ExApcLte2);
    config::ConfigManager* config = current_config();
    if (!config) return STATUS_INVALID_PARAMETER;
    return config->callbacks().remove(Cookie.QuadPart);
}

// Version 1.1 of the registry callback interface (Windows 7 and later: a failed create or open
// reports a NULL Object in its post-notification).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-cmgetcallbackversion
VOID CmGetCallbackVersion(PULONG Major, PULONG Minor)
{
    if (Major) *Major = 1;
    if (Minor) *Minor = 1;
}

// The key's identifier (the same for every Key object of one key) and its full name, owned by the
// Key object.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-cmcallbackgetkeyobjectid
NTSTATUS CmCallbackGetKeyObjectID(PLARGE_INTEGER Cookie, PVOID Object, PULONG_PTR ObjectID,
                                  PCUNICODE_STRING* ObjectName)
{
    config::KeyBody* key = nullptr;
    NTSTATUS status = key_of(Cookie, Object, &key);
    if (!NT_SUCCESS(status)) return status;
    if (ObjectName) {
        status = config::callback_name(*key, ObjectName);
        if (!NT_SUCCESS(status)) return status;
    }
    if (ObjectID) *ObjectID = reinterpret_cast<ULONG_PTR>(key->node.get());
    return STATUS_SUCCESS;
}

// As CmCallbackGetKeyObjectID, with a copy of the name the caller frees with
// CmCallbackReleaseKeyObjectIDEx. Flags must be 0.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-cmcallbackgetkeyobjectidex
NTSTATUS CmCallbackGetKeyObjectIDEx(PLARGE_INTEGER Cookie, PVOID Object, PULONG_PTR ObjectID,
                                    PCUNICODE_STRING* ObjectName, ULONG Flags)
{
    if (Flags != 0) return STATUS_INVALID_PARAMETER;
    config::KeyBody* key = nullptr;
    NTSTATUS status = key_of(Cookie, Object, &key);
    if (!NT_SUCCESS(status)) return status;
    if (ObjectName) {
        std::u16string name;
        status = key->manager->full_path(*key->node, name);
        if (!NT_SUCCESS(status)) return status;
        const std::size_t bytes = name.size() * sizeof(WCHAR);
        if (bytes > MAXUSHORT) return STATUS_NAME_TOO_LONG;
        auto* copy = static_cast<PUNICODE_STRING>(
            ExAllocatePool2(POOL_FLAG_PAGED, sizeof(UNICODE_STRING) + bytes + sizeof(WCHAR), 'bCmC'));
        if (!copy) return STATUS_INSUFFICIENT_RESOURCES;
        copy->Buffer = reinterpret_cast<PWCH>(copy + 1);
        std::memcpy(copy->Buffer, name.data(), bytes);
        copy->Buffer[name.size()] = 0;
        copy->Length = static_cast<USHORT>(bytes);
        copy->MaximumLength = static_cast<USHORT>(bytes);
        *ObjectName = copy;
    }
    if (ObjectID) *ObjectID = reinterpret_cast<ULONG_PTR>(key->node.get());
    return STATUS_SUCCESS;
}

// Frees a name CmCallbackGetKeyObjectIDEx returned.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-cmcallbackreleasekeyobjectidex
VOID CmCallbackReleaseKeyObjectIDEx(PCUNICODE_STRING ObjectName)
{
    if (ObjectName) ExFreePoolWithTag(const_cast<PUNICODE_STRING>(ObjectName), 'bCmC');
}

}  // extern "C"

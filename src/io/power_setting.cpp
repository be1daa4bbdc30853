// Power setting callbacks: PoRegisterPowerSettingCallback and PoUnregisterPowerSettingCallback. The
// power manager calls a new registration's callback at once with the setting's current value; ntio
// runs on AC power with the display on under the balanced power plan, and these values never change.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-poregisterpowersettingcallback
#include "io/io_manager.hpp"
#include "io/objects.hpp"
#include "io/power_manager.hpp"

#include <algorithm>

namespace ntio::io {
namespace {

// Value formats from the power setting GUID reference,
// https://learn.microsoft.com/windows/win32/power/power-setting-guids: GUID_ACDC_POWER_SOURCE is a
// SYSTEM_POWER_CONDITION (PoAc), GUID_CONSOLE_DISPLAY_STATE and GUID_MONITOR_POWER_ON a DWORD (1: on),
// GUID_POWERSCHEME_PERSONALITY the GUID of the active plan's personality (balanced).
bool current_value(const GUID& setting, ULONG* dword, GUID* guid, ULONG* length) {
    if (IsEqualGUID(setting, GUID_ACDC_POWER_SOURCE)) {
        *dword = PoAc;
        *length = sizeof(ULONG);
        return true;
    }
    if (IsEqualGUID(setting, GUID_CONSOLE_DISPLAY_STATE) || IsEqualGUID(setting, GUID_MONITOR_POWER_ON)) {
        *dword = 1;
        *length = sizeof(ULONG);
        return true;
    }
    if (IsEqualGUID(setting, GUID_POWERSCHEME_PERSONALITY)) {
        *guid = GUID_TYPICAL_POWER_SAVINGS;
        *length = sizeof(GUID);
        return true;
    }
    return false;
}

}  // namespace
}  // namespace ntio::io

using namespace ntio;
using namespace ntio::io;

extern "C" {

// PASSIVE_LEVEL. NT deviation: a setting ntio has no value for (any but the four above) is
// registered but its callback is never called.
NTSTATUS NTAPI PoRegisterPowerSettingCallback(PDEVICE_OBJECT DeviceObject, LPCGUID SettingGuid,
                                              PPOWER_SETTING_CALLBACK Callback, PVOID Context, PVOID* Handle) {
    if (!SettingGuid || !Callback) return STATUS_INVALID_PARAMETER;
    if (DeviceObject && !is_device(DeviceObject)) return STATUS_INVALID_PARAMETER;
    PowerManager* power = DeviceObject ? &power_of(DeviceObject) : current_power();
    if (!power) return STATUS_INVALID_DEVICE_STATE;
    auto record = std::make_unique<PowerSettingRegistration>();
    *record = PowerSettingRegistration{*SettingGuid, Callback, Context, DeviceObject};
    PVOID handle = record.get();
    {
        std::lock_guard guard(power->lock);
        power->settings.push_back(std::move(record));
    }
    if (Handle) *Handle = handle;
    ULONG dword = 0;
    GUID guid{};
    ULONG length = 0;
    if (current_value(*SettingGuid, &dword, &guid, &length)) {
        PVOID value = length == sizeof(GUID) ? static_cast<PVOID>(&guid) : static_cast<PVOID>(&dword);
        (void)Callback(SettingGuid, value, length, Context);
    }
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-pounregisterpowersettingcallback
NTSTATUS NTAPI PoUnregisterPowerSettingCallback(PVOID Handle) {
    if (!Handle) return STATUS_INVALID_PARAMETER;
    PowerManager* power = current_power();
    if (!power) return STATUS_INVALID_PARAMETER;
    std::lock_guard guard(power->lock);
    const auto removed =
        std::erase_if(power->settings, [&](const auto& r) { return static_cast<PVOID>(r.get()) == Handle; });
    return removed ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

}  // extern "C"

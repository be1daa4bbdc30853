// IoOpenDeviceRegistryKey: a PDO's hardware key ("Device Parameters" under its Enum key) and software
// key (its driver key under Control\Class), optionally under the current hardware profile; and the
// path creation it shares with IoOpenDeviceInterfaceRegistryKey.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioopendeviceregistrykey
// https://learn.microsoft.com/windows-hardware/drivers/install/introduction-to-registry-keys-for-drivers
#include <cstring>
#include <string>

#include "io/pnp_manager.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {
namespace {

constexpr std::u16string_view kCurrentControlSet = u"\\Registry\\Machine\\SYSTEM\\CurrentControlSet";
// The current hardware profile's copy of the control set.
constexpr std::u16string_view kCurrentProfile =
    u"\\Registry\\Machine\\SYSTEM\\CurrentControlSet\\Hardware Profiles\\Current\\System\\CurrentControlSet";

UNICODE_STRING counted(std::u16string_view text) {
    return {static_cast<USHORT>(text.size() * sizeof(WCHAR)), static_cast<USHORT>(text.size() * sizeof(WCHAR)),
            reinterpret_cast<PWCH>(const_cast<char16_t*>(text.data()))};
}

HANDLE open_key(std::u16string_view path, ACCESS_MASK access) {
    UNICODE_STRING name = counted(path);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, nullptr, nullptr);
    HANDLE key = nullptr;
    return NT_SUCCESS(ZwOpenKey(&key, access, &oa)) ? key : nullptr;
}

// A REG_SZ value without its terminating NUL; empty when absent, empty or of another type.
std::u16string query_string(HANDLE key, std::u16string_view value) {
    UNICODE_STRING name = counted(value);
    alignas(8) unsigned char buffer[sizeof(KEY_VALUE_PARTIAL_INFORMATION) + 512];
    auto* info = reinterpret_cast<PKEY_VALUE_PARTIAL_INFORMATION>(buffer);
    ULONG length = 0;
    if (!NT_SUCCESS(ZwQueryValueKey(key, &name, KeyValuePartialInformation, info, sizeof buffer, &length)) ||
        info->Type != REG_SZ)
        return {};
    std::u16string text(info->DataLength / sizeof(char16_t), u'\0');
    std::memcpy(text.data(), info->Data, text.size() * sizeof(char16_t));
    while (!text.empty() && text.back() == u'\0') text.pop_back();
    return text;
}

// The device's driver key name, "{class GUID}\NNNN", from its Enum key's Driver value. A device
// with a ClassGUID but no driver key yet gets the next free instance number of its class, as device
// installation assigns one; written back as the Driver value.
// NT deviation (a guess): the kernel does not make software keys on NT, device installation does;
// ntio has no installer, so the key is made on first use. Without either value there is no driver
// key: STATUS_OBJECT_NAME_NOT_FOUND.
NTSTATUS driver_key_name(const PnpNode& node, std::u16string& out) {
    std::u16string enum_path(kCurrentControlSet);
    enum_path += u"\\Enum\\";
    enum_path += pnp_instance_path(node);
    HANDLE instance = open_key(enum_path, KEY_QUERY_VALUE | KEY_SET_VALUE);
    if (!instance) return STATUS_OBJECT_NAME_NOT_FOUND;
    out = query_string(instance, u"Driver");
    NTSTATUS status = STATUS_SUCCESS;
    if (out.empty()) {
        const std::u16string guid = query_string(instance, u"ClassGUID");
        if (guid.empty()) {
            status = STATUS_OBJECT_NAME_NOT_FOUND;
        } else {
            std::u16string class_path(kCurrentControlSet);
            class_path += u"\\Control\\Class\\" + guid;
            HANDLE existing = nullptr;
            ULONG number = 0;
            for (;; ++number) {
                char16_t digits[5];
                for (int i = 3, n = static_cast<int>(number); i >= 0; --i, n /= 10) digits[i] = u'0' + n % 10;
                digits[4] = u'\0';
                out = guid + u"\\" + digits;
                existing = open_key(class_path + u"\\" + digits, KEY_QUERY_VALUE);
                if (!existing) break;
                ZwClose(existing);
                if (number == 9999) {
                    status = STATUS_INSUFFICIENT_RESOURCES;
                    break;
                }
            }
            if (NT_SUCCESS(status)) {
                UNICODE_STRING value = RTL_CONSTANT_STRING(L"Driver");
                status = ZwSetValueKey(instance, &value, 0, REG_SZ, out.data(),
                                       static_cast<ULONG>((out.size() + 1) * sizeof(char16_t)));
            }
        }
    }
    ZwClose(instance);
    return status;
}

}  // namespace

NTSTATUS create_key_path(std::u16string_view path, ACCESS_MASK access, PHANDLE key) {
    *key = nullptr;
    // The keys above the last are created as needed (non-volatile), one level a call.
    for (std::size_t at = path.find(u'\\', 1);; at = path.find(u'\\', at + 1)) {
        const std::u16string_view part = at == std::u16string_view::npos ? path : path.substr(0, at);
        UNICODE_STRING name = counted(part);
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, nullptr, nullptr);
        HANDLE handle = nullptr;
        const bool last = at == std::u16string_view::npos;
        const NTSTATUS status =
            ZwCreateKey(&handle, last ? access : KEY_ALL_ACCESS, &oa, 0, nullptr, REG_OPTION_NON_VOLATILE, nullptr);
        if (last) {
            if (NT_SUCCESS(status)) *key = handle;
            return status;
        }
        if (NT_SUCCESS(status)) ZwClose(handle);
    }
}

}  // namespace ntio::io

using namespace ntio::io;

extern "C" {

// STATUS_INVALID_PARAMETER for a set of flags other than DEVICE or DRIVER, each optionally with
// CURRENT_HWPROFILE, and for a DeviceObject that is not a PDO (Learn's return values). A NULL
// DeviceRegKey is STATUS_INVALID_PARAMETER too (NT would fault). The key is non-volatile and the
// handle a kernel handle.
NTSTATUS NTAPI IoOpenDeviceRegistryKey(PDEVICE_OBJECT DeviceObject, ULONG DevInstKeyType, ACCESS_MASK DesiredAccess,
                                       PHANDLE DeviceRegKey) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    if (!DeviceRegKey) return STATUS_INVALID_PARAMETER;
    *DeviceRegKey = nullptr;
    const ULONG kind = DevInstKeyType & ~static_cast<ULONG>(PLUGPLAY_REGKEY_CURRENT_HWPROFILE);
    if (kind != PLUGPLAY_REGKEY_DEVICE && kind != PLUGPLAY_REGKEY_DRIVER) return STATUS_INVALID_PARAMETER;
    PnpNode* node = DeviceObject ? pnp_node_of(DeviceObject) : nullptr;
    if (!node) return STATUS_INVALID_PARAMETER;
    const bool profile = (DevInstKeyType & PLUGPLAY_REGKEY_CURRENT_HWPROFILE) != 0;
    std::u16string path(profile ? kCurrentProfile : kCurrentControlSet);
    if (kind == PLUGPLAY_REGKEY_DEVICE) {
        // The hardware key drivers get is the instance key's "Device Parameters" subkey (under the
        // profile, the instance key's copy itself).
        path += u"\\Enum\\";
        path += pnp_instance_path(*node);
        if (!profile) path += u"\\Device Parameters";
    } else {
        std::u16string driver;
        if (NTSTATUS status = driver_key_name(*node, driver); !NT_SUCCESS(status)) return status;
        path += u"\\Control\\Class\\" + driver;
    }
    return create_key_path(path, DesiredAccess, DeviceRegKey);
}

}  // extern "C"

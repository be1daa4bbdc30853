// The unified device property store behind IoGet/SetDevicePropertyData and the device interface
// variants: the DEVPROPTYPE rules a value must meet, values kept in memory per owner (a device node
// or an interface) and persistent ones under the owner's registry key.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "io/ddk.hpp"

#include <ntio/ddk/devpropdef.h>

namespace ntio::io {

struct PropertyValue {
    DEVPROPTYPE type = DEVPROP_TYPE_EMPTY;
    std::vector<unsigned char> data;
};

// Whether (Type, Size, Data) is a value of that type: STATUS_SUCCESS, or STATUS_INVALID_PARAMETER.
NTSTATUS property_value_valid(DEVPROPTYPE type, ULONG size, const void* data);

// Who a value belongs to: `memory_id` names it in memory (unique in the process while the owner
// exists), `registry_key` is the absolute path of the owner's key under which persistent values go.
struct PropertyOwner {
    std::u16string memory_id;
    std::u16string registry_key;
};

// The value of (key, lcid): the in-memory one, else the persistent one.
std::optional<PropertyValue> property_read(const PropertyOwner& owner, const DEVPROPKEY& key, LCID lcid);
// Stores a value (persistent: in the registry, and no longer in memory; else in memory only).
NTSTATUS property_write(const PropertyOwner& owner, const DEVPROPKEY& key, LCID lcid, bool persistent,
                        const PropertyValue& value);
// Deletes the value of (key, lcid) from both places; LOCALE_NEUTRAL deletes every locale's
// (IoSetDevicePropertyData remarks).
NTSTATUS property_delete(const PropertyOwner& owner, const DEVPROPKEY& key, LCID lcid);
// The owner goes: its in-memory values go with it.
void property_forget(const std::u16string& memory_id);

// The answer of a Get routine from a value (or its absence): *RequiredSize and *Type set,
// STATUS_BUFFER_TOO_SMALL when Size is short, STATUS_OBJECT_NAME_NOT_FOUND when absent.
NTSTATUS property_answer(const std::optional<PropertyValue>& value, ULONG size, PVOID data, PULONG required_size,
                         PDEVPROPTYPE type);

// "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}", lower case as the interface links spell it.
std::u16string property_guid_text(const GUID& guid);

}  // namespace ntio::io

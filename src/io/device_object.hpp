// Private state of a device object that only the drivers-and-devices area uses, stored after
// DeviceObjectExtension in the device body (the count that decides when a deleted device goes), and
// the helpers the area's files share.
#pragma once

#include "io/objects.hpp"

namespace ntio::io {

struct DeviceExtras {
    // 1 for "not deleted yet", plus one per open file object and one while a device is attached on
    // top of it; the creation reference is dropped when it reaches 0.
    std::atomic<LONG> keep{1};
    // The VPB of a disk, CD-ROM, tape or virtual disk device (device_object.cpp); it lives and
    // goes with the device.
    VPB vpb{};
};

// Drops one "keep" count; the last one releases the creation reference and the device goes once
// nobody else references it.
void release_keep(PDEVICE_OBJECT device);

// Layout of a device body after the DEVICE_OBJECT: [extension][DeviceObjectExtension][DeviceExtras].
inline std::size_t device_align16(std::size_t v) noexcept { return (v + 15) & ~std::size_t{15}; }
inline std::size_t device_doe_offset(std::size_t extension_size) noexcept {
    return device_align16(device_extension_offset() + extension_size);
}
inline std::size_t device_extras_offset(std::size_t extension_size) noexcept {
    return device_align16(device_doe_offset(extension_size) + sizeof(DeviceObjectExtension));
}
inline DeviceExtras* device_extras(PDEVICE_OBJECT d) noexcept {
    return reinterpret_cast<DeviceExtras*>(reinterpret_cast<char*>(d->DeviceObjectExtension) +
                                           device_align16(sizeof(DeviceObjectExtension)));
}

// DEVOBJ_EXTENSION.ExtensionFlags, read and written with atomics (the stack code reads them under
// the database lock, unload and delete set them without it).
inline ULONG device_extension_flags(PDEVICE_OBJECT d) noexcept {
    return __atomic_load_n(&d->DeviceObjectExtension->ExtensionFlags, __ATOMIC_ACQUIRE);
}
inline void device_set_extension_flags(PDEVICE_OBJECT d, ULONG flags) noexcept {
    __atomic_fetch_or(&d->DeviceObjectExtension->ExtensionFlags, flags, __ATOMIC_ACQ_REL);
}

// Removes the symbolic links of the device's enabled interfaces and forgets its registrations
// (IoDeleteDevice; device_interface.cpp).
void device_interfaces_remove(PDEVICE_OBJECT device);

// Stack links (device_stack.cpp): the database lock guarding AttachedDevice / AttachedTo writes.
KIRQL device_database_lock() noexcept;
void device_database_unlock(KIRQL old_irql) noexcept;

// Symbolic links through the object manager (symbolic_links.cpp); used by device interfaces too.
NTSTATUS create_symbolic_link(std::u16string_view link, std::u16string_view target, bool unprotected);
NTSTATUS delete_symbolic_link(std::u16string_view link);

// The UNICODE_STRING's text, validated (odd length, Length > MaximumLength, NULL buffer:
// STATUS_OBJECT_NAME_INVALID; NULL string: STATUS_INVALID_PARAMETER).
NTSTATUS capture_unicode(PCUNICODE_STRING in, std::u16string& out);

}  // namespace ntio::io

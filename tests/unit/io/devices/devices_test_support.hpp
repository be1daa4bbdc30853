// Helpers for the driver and device suites: counted names, loading built-in test drivers with
// NtioCreateDriver, and the DriverUnload / dispatch routines most test drivers share.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include <wdm.h>
#include <ntio/ntio.h>

#include "support/owned_name.hpp"
#include "support/system_fixture.hpp"

namespace ntio::io::test {

using Name = ntio::test::OwnedName;

inline std::u16string text_of(const UNICODE_STRING& s) {
    return std::u16string(reinterpret_cast<const char16_t*>(s.Buffer), s.Length / sizeof(WCHAR));
}

// DriverUnload of a legacy driver: deletes every device it still has.
inline VOID NTAPI delete_all_devices_unload(PDRIVER_OBJECT driver) {
    while (driver->DeviceObject) IoDeleteDevice(driver->DeviceObject);
}

// A dispatch routine that completes with success.
inline NTSTATUS NTAPI complete_success(PDEVICE_OBJECT, PIRP irp) {
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

// DriverEntry of a driver that only sets DriverUnload (the test creates its devices).
inline NTSTATUS NTAPI plain_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    driver->DriverUnload = delete_all_devices_unload;
    return STATUS_SUCCESS;
}

// DriverEntry of a driver that opens: CREATE and CLOSE succeed.
inline NTSTATUS NTAPI openable_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    driver->DriverUnload = delete_all_devices_unload;
    driver->MajorFunction[IRP_MJ_CREATE] = complete_success;
    driver->MajorFunction[IRP_MJ_CLOSE] = complete_success;
    driver->MajorFunction[IRP_MJ_CLEANUP] = complete_success;
    return STATUS_SUCCESS;
}

class DevicesTest : public ntio::test::SystemTest {
protected:
    // Loads a built-in driver; returns it referenced (unload() drops the reference).
    PDRIVER_OBJECT load(std::u16string_view service, PDRIVER_INITIALIZE entry = plain_entry) {
        Name name(service);
        PDRIVER_OBJECT driver = nullptr;
        EXPECT_EQ(NtioCreateDriver(name, entry, &driver), STATUS_SUCCESS);
        return driver;
    }
    void unload(PDRIVER_OBJECT driver) {
        EXPECT_EQ(NtioUnloadDriver(driver), STATUS_SUCCESS);
        ObDereferenceObject(driver);
    }
    PDEVICE_OBJECT create(PDRIVER_OBJECT driver, const char16_t* name = nullptr, ULONG extension = 0) {
        PDEVICE_OBJECT device = nullptr;
        if (name) {
            Name n(name);
            EXPECT_EQ(IoCreateDevice(driver, extension, n, FILE_DEVICE_UNKNOWN, 0, FALSE, &device), STATUS_SUCCESS);
        } else {
            EXPECT_EQ(IoCreateDevice(driver, extension, nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &device),
                      STATUS_SUCCESS);
        }
        return device;
    }
    // ObReferenceObjectByName status for `name` with `type` (dereferences what it finds).
    NTSTATUS lookup(std::u16string_view name, POBJECT_TYPE type, PVOID* found = nullptr, ULONG attributes = OBJ_CASE_INSENSITIVE) {
        Name n(name);
        PVOID object = nullptr;
        NTSTATUS status = ObReferenceObjectByName(n, attributes, nullptr, 0, type, KernelMode, nullptr, &object);
        if (found) *found = object;
        if (object) ObDereferenceObject(object);
        return status;
    }
};

}  // namespace ntio::io::test

// IRP_MJ_SHUTDOWN at System shutdown (IoRegisterShutdownNotification,
// IoRegisterLastChanceShutdownNotification, IoUnregisterShutdownNotification), through a WDK-style
// driver: one IRP per registered device, to the top of its stack, at PASSIVE_LEVEL; the ordinary
// registrations before the file systems are flushed, the last-chance ones after; unregistered and
// deleted devices get none; every IRP comes before DriverUnload.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include <ntifs.h>
#include <ntio/ntio.h>

#include "ntio/system.hpp"

namespace ntio::io::test {
namespace shutdown_notification {

// What the driver saw, in order: "<device>:<major>" for each shutdown IRP, "unload" at the end.
std::vector<std::string> g_seen;

struct Ext {
    const char* name;
    PDEVICE_OBJECT lower;  // for the filter: where it passes requests
};

NTSTATUS NTAPI dispatch(PDEVICE_OBJECT device, PIRP irp) {
    auto* ext = static_cast<Ext*>(device->DeviceExtension);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    if (sp->MajorFunction == IRP_MJ_SHUTDOWN) {
        std::string line = std::string(ext->name) + ":shutdown";
        if (KeGetCurrentIrql() != PASSIVE_LEVEL) line += " above passive";
        if (irp->RequestorMode != KernelMode) line += " user mode";
        g_seen.push_back(line);
    }
    if (ext->lower) {
        IoSkipCurrentIrpStackLocation(irp);
        return IoCallDriver(ext->lower, irp);
    }
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

VOID NTAPI unload(PDRIVER_OBJECT driver) {
    g_seen.push_back("unload");
    while (PDEVICE_OBJECT device = driver->DeviceObject) {
        auto* ext = static_cast<Ext*>(device->DeviceExtension);
        if (ext->lower) IoDetachDevice(ext->lower);
        if (device->DeviceType == FILE_DEVICE_DISK_FILE_SYSTEM) IoUnregisterFileSystem(device);
        IoDeleteDevice(device);
    }
}

PDEVICE_OBJECT make(PDRIVER_OBJECT driver, const char* name, DEVICE_TYPE type = FILE_DEVICE_UNKNOWN) {
    PDEVICE_OBJECT device = nullptr;
    if (!NT_SUCCESS(IoCreateDevice(driver, sizeof(Ext), nullptr, type, 0, FALSE, &device))) return nullptr;
    auto* ext = static_cast<Ext*>(device->DeviceExtension);
    ext->name = name;
    ext->lower = nullptr;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return device;
}

// The flags each registration left, checked by the test after DriverEntry.
ULONG g_registered_flags = 0, g_unregistered_flags = ~0u;

NTSTATUS NTAPI entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    for (auto& major : driver->MajorFunction) major = dispatch;
    driver->DriverUnload = unload;
    PDEVICE_OBJECT first = make(driver, "first");
    PDEVICE_OBJECT second = make(driver, "second");
    PDEVICE_OBJECT filter = make(driver, "filter");
    PDEVICE_OBJECT last = make(driver, "last");
    PDEVICE_OBJECT dropped = make(driver, "dropped");
    PDEVICE_OBJECT deleted = make(driver, "deleted");
    PDEVICE_OBJECT fs = make(driver, "fs", FILE_DEVICE_DISK_FILE_SYSTEM);
    if (!first || !second || !filter || !last || !dropped || !deleted || !fs) return STATUS_INSUFFICIENT_RESOURCES;
    // The filter sits on `first`: the IRP for `first` goes to the top of its stack.
    static_cast<Ext*>(filter->DeviceExtension)->lower = IoAttachDeviceToDeviceStack(filter, first);
    if (IoRegisterShutdownNotification(first) != STATUS_SUCCESS) return STATUS_UNSUCCESSFUL;
    g_registered_flags = first->Flags;
    if (IoRegisterShutdownNotification(second) != STATUS_SUCCESS) return STATUS_UNSUCCESSFUL;
    if (IoRegisterLastChanceShutdownNotification(last) != STATUS_SUCCESS) return STATUS_UNSUCCESSFUL;
    if (IoRegisterShutdownNotification(dropped) != STATUS_SUCCESS) return STATUS_UNSUCCESSFUL;
    IoUnregisterShutdownNotification(dropped);
    g_unregistered_flags = dropped->Flags;
    if (IoRegisterLastChanceShutdownNotification(deleted) != STATUS_SUCCESS) return STATUS_UNSUCCESSFUL;
    IoDeleteDevice(deleted);
    IoRegisterFileSystem(fs);
    return STATUS_SUCCESS;
}

std::size_t index_of(const std::string& line) {
    for (std::size_t i = 0; i < g_seen.size(); ++i)
        if (g_seen[i] == line) return i;
    return g_seen.size();
}

TEST(ShutdownNotificationTest, registered_devices_get_one_irp_each_in_the_documented_phases) {
    g_seen.clear();
    {
        auto system = std::make_unique<System>();
        UNICODE_STRING service = RTL_CONSTANT_STRING(L"ShutdownTest");
        PDRIVER_OBJECT driver = nullptr;
        ASSERT_EQ(NtioCreateDriver(&service, entry, &driver), STATUS_SUCCESS);
        ObDereferenceObject(driver);
        EXPECT_NE(g_registered_flags & DO_SHUTDOWN_REGISTERED, 0u);
        EXPECT_EQ(g_unregistered_flags & DO_SHUTDOWN_REGISTERED, 0u);
        EXPECT_TRUE(g_seen.empty()) << "no IRP_MJ_SHUTDOWN before the System shuts down";
        system.reset();
    }
    // Exactly: filter (top of first's stack) and first, second, fs, last; then the unload.
    ASSERT_EQ(g_seen.size(), 6u) << ::testing::PrintToString(g_seen);
    for (const char* line : {"filter:shutdown", "first:shutdown", "second:shutdown", "fs:shutdown", "last:shutdown"})
        EXPECT_LT(index_of(line), g_seen.size()) << line << " missing from " << ::testing::PrintToString(g_seen);
    EXPECT_EQ(index_of("filter:shutdown") + 1, index_of("first:shutdown"));
    // Before the file systems are flushed, the file systems, then the last-chance devices.
    EXPECT_LT(index_of("first:shutdown"), index_of("fs:shutdown"));
    EXPECT_LT(index_of("second:shutdown"), index_of("fs:shutdown"));
    EXPECT_LT(index_of("fs:shutdown"), index_of("last:shutdown"));
    EXPECT_EQ(g_seen.back(), "unload");
}

TEST(ShutdownNotificationTest, bad_device_pointers_are_refused) {
    auto system = std::make_unique<System>();
    EXPECT_EQ(IoRegisterShutdownNotification(nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoRegisterLastChanceShutdownNotification(nullptr), STATUS_INVALID_PARAMETER);
    IoUnregisterShutdownNotification(nullptr);  // nothing to remove, no crash
}

}  // namespace shutdown_notification
}  // namespace ntio::io::test

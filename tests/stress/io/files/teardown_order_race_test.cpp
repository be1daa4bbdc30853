// Teardown order of file, device and driver. One open file (with an extra reference on its file
// object), one device (with an extra pointer reference, and deleted by its driver on request, as a
// surprise removal would) and one driver (unload requested, then its creator's reference dropped)
// are released in every order, first one after another (all 120 orders), then all at once from
// five threads.
//
// Invariant: whatever the order, the driver sees IRP_MJ_CREATE, IRP_MJ_CLEANUP (when the handle
// closes) and IRP_MJ_CLOSE (when the last file reference goes) exactly once each and in that order;
// DriverUnload runs exactly once, only after the CLOSE (an open file holds the unload back); no IRP
// reaches the driver after DriverUnload; the device is deleted exactly once; every status is
// STATUS_SUCCESS; and when all five releases are done, the file, device and driver objects are
// gone (the object count is back to its value before the load).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "ob/object_manager.hpp"
#include "support/system_fixture.hpp"

#undef __try
#include <ntio/ntapi.h>
#include <ntio/ntio.h>

namespace {

// The driver's global state, as a WDK driver would keep it (drivers have no other context).
std::atomic<PDEVICE_OBJECT> teardown_device{nullptr};  // whoever swaps it to NULL deletes the device
std::atomic<int> g_sequence{0};                  // 1 after CREATE, 2 after CLEANUP, 3 after CLOSE
std::atomic<int> g_unloads{0};
std::atomic<int> g_deletes{0};
std::atomic<int> g_violations{0};

NTSTATUS complete(PIRP irp)
{
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

// Each IRP must find the sequence one step before its own, and the driver still loaded.
NTSTATUS step(PIRP irp, int expected_before)
{
    if (g_unloads.load() != 0) ++g_violations;
    int before = expected_before;
    if (!g_sequence.compare_exchange_strong(before, expected_before + 1)) ++g_violations;
    return complete(irp);
}

NTSTATUS NTAPI teardown_on_create(PDEVICE_OBJECT, PIRP irp) { return step(irp, 0); }
NTSTATUS NTAPI teardown_on_cleanup(PDEVICE_OBJECT, PIRP irp) { return step(irp, 1); }
NTSTATUS NTAPI teardown_on_close(PDEVICE_OBJECT, PIRP irp) { return step(irp, 2); }

void delete_device_once()
{
    if (PDEVICE_OBJECT device = teardown_device.exchange(nullptr)) {
        ++g_deletes;
        IoDeleteDevice(device);
    }
}

VOID NTAPI teardown_on_unload(PDRIVER_OBJECT)
{
    if (g_unloads.fetch_add(1) != 0 || g_sequence.load() != 3) ++g_violations;
    delete_device_once();
}

NTSTATUS NTAPI teardown_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING)
{
    driver->MajorFunction[IRP_MJ_CREATE] = teardown_on_create;
    driver->MajorFunction[IRP_MJ_CLEANUP] = teardown_on_cleanup;
    driver->MajorFunction[IRP_MJ_CLOSE] = teardown_on_close;
    driver->DriverUnload = teardown_on_unload;
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\TeardownOrder");
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(driver, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (NT_SUCCESS(status)) teardown_device.store(device);
    return status;
}

// The five releases, in the order the test chooses.
enum Release { kCloseHandle, kDropFileReference, kDeleteDevice, kDropDeviceReference, kUnloadDriver, kReleases };

struct Held {
    PDRIVER_OBJECT driver = nullptr;
    PDEVICE_OBJECT device = nullptr;  // an extra pointer reference
    HANDLE handle = nullptr;
    PVOID file = nullptr;             // an extra file object reference
};

class TeardownOrder : public ntio::test::SystemTest {
protected:
    std::size_t objects() { return system().objects().object_count(); }

    // Loads the driver and takes the five things the releases let go of.
    bool acquire(Held& held)
    {
        g_sequence = 0;
        g_unloads = 0;
        g_deletes = 0;
        UNICODE_STRING service;
        RtlInitUnicodeString(&service, L"TeardownOrder");
        if (NtioCreateDriver(&service, teardown_driver_entry, &held.driver) != STATUS_SUCCESS) return false;
        held.device = teardown_device.load();
        ObReferenceObject(held.device);
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, L"\\Device\\TeardownOrder");
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
        IO_STATUS_BLOCK iosb{};
        if (NtCreateFile(&held.handle, FILE_READ_DATA | SYNCHRONIZE, &oa, &iosb, nullptr, 0, 0, FILE_OPEN, 0, nullptr,
                         0) != STATUS_SUCCESS)
            return false;
        return ObReferenceObjectByHandle(held.handle, 0, *IoFileObjectType, KernelMode, &held.file, nullptr) ==
               STATUS_SUCCESS;
    }

    static void release(Held& held, Release which, std::atomic<int>& failures)
    {
        switch (which) {
        case kCloseHandle:
            if (NtClose(held.handle) != STATUS_SUCCESS) ++failures;
            break;
        case kDropFileReference:
            ObDereferenceObject(held.file);
            break;
        case kDeleteDevice:
            delete_device_once();
            break;
        case kDropDeviceReference:
            ObDereferenceObject(held.device);
            break;
        case kUnloadDriver:
            if (NtioUnloadDriver(held.driver) != STATUS_SUCCESS) ++failures;
            ObDereferenceObject(held.driver);
            break;
        default:
            ++failures;
        }
    }

    // Checks the invariant once all five releases are done.
    void expect_torn_down(std::size_t objects_before, const char* order)
    {
        SCOPED_TRACE(order);
        // A DriverUnload deferred to a worker may still be finishing: settle, bounded.
        for (int i = 0; i < 2000 && (g_unloads.load() == 0 || objects() > objects_before); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        EXPECT_EQ(g_sequence.load(), 3);
        EXPECT_EQ(g_unloads.load(), 1);
        EXPECT_EQ(g_deletes.load(), 1);
        EXPECT_EQ(g_violations.load(), 0);
        EXPECT_EQ(objects(), objects_before) << "file, device or driver object outlived its last release";
    }
};

TEST_F(TeardownOrder, every_sequential_order_tears_down_once_and_in_order)
{
    std::array<Release, kReleases> order{kCloseHandle, kDropFileReference, kDeleteDevice, kDropDeviceReference,
                                         kUnloadDriver};
    int orders = 0;
    do {
        g_violations = 0;
        const std::size_t before = objects();
        Held held;
        ASSERT_TRUE(acquire(held));
        std::atomic<int> failures{0};
        std::string text;
        for (Release which : order) {
            release(held, which, failures);
            text += static_cast<char>('0' + which);
        }
        EXPECT_EQ(failures.load(), 0);
        expect_torn_down(before, text.c_str());
        ++orders;
        if (HasFailure()) break;
    } while (std::next_permutation(order.begin(), order.end()));
    if (!HasFailure()) {
        EXPECT_EQ(orders, 120);
    }
}

TEST_F(TeardownOrder, concurrent_releases_tear_down_once_and_in_order)
{
    constexpr int kIterations = 2000;
    for (int i = 0; i < kIterations && !HasFailure(); ++i) {
        g_violations = 0;
        const std::size_t before = objects();
        Held held;
        ASSERT_TRUE(acquire(held));
        std::atomic<int> failures{0};
        std::atomic<int> ready{0};
        std::vector<std::thread> threads;
        for (int r = 0; r < kReleases; ++r) {
            threads.emplace_back([&, r] {
                ready.fetch_add(1);
                while (ready.load() < kReleases) std::this_thread::yield();
                release(held, static_cast<Release>(r), failures);
            });
        }
        for (auto& thread : threads) thread.join();
        EXPECT_EQ(failures.load(), 0);
        expect_torn_down(before, "concurrent");
    }
}

}  // namespace

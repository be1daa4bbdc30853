// Many threads open and close one device while handles are duplicated, handed between threads and
// closed there. Invariant: every file object gets exactly one IRP_MJ_CREATE; one that the driver
// opened gets exactly one IRP_MJ_CLEANUP (all its handles close) followed by exactly one
// IRP_MJ_CLOSE; one whose create failed gets neither; nothing leaks (the fixture checks objects,
// handles and IRPs).
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "support/system_fixture.hpp"

#undef __try
#include <ntio/ntapi.h>
#include <ntio/ntio.h>

namespace {

// What the driver keeps per open (FsContext), checked when the CLOSE arrives.
struct OpenCounts {
    std::atomic<int> cleanups{0};
    std::atomic<int> closes{0};
};

std::atomic<long> g_creates{0};
std::atomic<long> g_failed_creates{0};
std::atomic<long> g_closes{0};
std::atomic<long> g_bad_sequences{0};
PDEVICE_OBJECT g_device = nullptr;

NTSTATUS complete(PIRP irp, NTSTATUS status)
{
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

NTSTATUS NTAPI on_create(PDEVICE_OBJECT, PIRP irp)
{
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(irp)->FileObject;
    if (file->FsContext != nullptr) ++g_bad_sequences;
    // Every seventh open fails, so the no-CLOSE-after-failed-create rule races too.
    if (++g_creates % 7 == 0) {
        ++g_failed_creates;
        return complete(irp, STATUS_INSUFFICIENT_RESOURCES);
    }
    file->FsContext = new OpenCounts;
    return complete(irp, STATUS_SUCCESS);
}

NTSTATUS NTAPI on_cleanup(PDEVICE_OBJECT, PIRP irp)
{
    auto* counts = static_cast<OpenCounts*>(IoGetCurrentIrpStackLocation(irp)->FileObject->FsContext);
    if (!counts || counts->closes.load() != 0 || ++counts->cleanups != 1) ++g_bad_sequences;
    return complete(irp, STATUS_SUCCESS);
}

NTSTATUS NTAPI on_close(PDEVICE_OBJECT, PIRP irp)
{
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(irp)->FileObject;
    auto* counts = static_cast<OpenCounts*>(file->FsContext);
    if (!counts || counts->cleanups.load() != 1 || ++counts->closes != 1) ++g_bad_sequences;
    ++g_closes;
    delete counts;
    file->FsContext = nullptr;
    return complete(irp, STATUS_SUCCESS);
}

VOID NTAPI on_unload(PDRIVER_OBJECT)
{
    IoDeleteDevice(g_device);
}

NTSTATUS NTAPI race_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING)
{
    driver->MajorFunction[IRP_MJ_CREATE] = on_create;
    driver->MajorFunction[IRP_MJ_CLEANUP] = on_cleanup;
    driver->MajorFunction[IRP_MJ_CLOSE] = on_close;
    driver->DriverUnload = on_unload;
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\FilesRace");
    return IoCreateDevice(driver, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &g_device);
}

NTSTATUS open_device(HANDLE* handle)
{
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\FilesRace");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    IO_STATUS_BLOCK iosb{};
    return NtCreateFile(handle, FILE_READ_DATA | SYNCHRONIZE, &oa, &iosb, nullptr, 0, 0, FILE_OPEN, 0, nullptr, 0);
}

class FilesRace : public ntio::test::SystemTest {};

TEST_F(FilesRace, opens_duplicates_and_closes_keep_one_create_cleanup_close_per_file)
{
    g_creates = 0;
    g_failed_creates = 0;
    g_closes = 0;
    g_bad_sequences = 0;
    UNICODE_STRING service;
    RtlInitUnicodeString(&service, L"FilesRace");
    PDRIVER_OBJECT driver = nullptr;
    ASSERT_EQ(NtioCreateDriver(&service, race_driver_entry, &driver), STATUS_SUCCESS);

    constexpr int kThreads = 4;
    constexpr int kIterations = 4000;
    std::atomic<HANDLE> handoff{nullptr};  // a duplicate another thread closes
    std::atomic<long> unexpected{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kIterations; ++i) {
                HANDLE h = nullptr;
                NTSTATUS status = open_device(&h);
                if (status == STATUS_INSUFFICIENT_RESOURCES) continue;
                if (status != STATUS_SUCCESS) {
                    ++unexpected;
                    continue;
                }
                HANDLE dup = nullptr;
                if (NtDuplicateObject(NtCurrentProcess(), h, NtCurrentProcess(), &dup, 0, 0, DUPLICATE_SAME_ACCESS) !=
                    STATUS_SUCCESS)
                    ++unexpected;
                if ((i + t) % 2 == 0) {
                    // Hand the duplicate to whichever thread comes next; close what was waiting.
                    HANDLE previous = handoff.exchange(dup);
                    if (previous && NtClose(previous) != STATUS_SUCCESS) ++unexpected;
                } else if (NtClose(dup) != STATUS_SUCCESS) {
                    ++unexpected;
                }
                if (NtClose(h) != STATUS_SUCCESS) ++unexpected;
            }
        });
    }
    for (auto& thread : threads) thread.join();
    if (HANDLE last = handoff.exchange(nullptr)) {
        EXPECT_EQ(NtClose(last), STATUS_SUCCESS);
    }

    EXPECT_EQ(unexpected.load(), 0);
    EXPECT_EQ(g_bad_sequences.load(), 0);
    EXPECT_EQ(g_closes.load(), g_creates.load() - g_failed_creates.load());
    EXPECT_EQ(NtioUnloadDriver(driver), STATUS_SUCCESS);
    ObDereferenceObject(driver);
}

}  // namespace

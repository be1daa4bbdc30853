// Reads through a handle that another thread closes meanwhile, the handle being the file object's
// last: a read in progress keeps its file object (K3: IRP_MJ_CLOSE comes when the last reference
// goes, and the read's is one). Synchronous files: reads go through fast I/O on half of the files
// and through IRP_MJ_READ on the others; overlapped files (the second test): every read is an IRP
// holding a reference of its own; several readers share each handle, so several reads use one
// file object at once (one in the driver, the others waiting for the file lock). IRP reads read
// another file from inside the dispatch, so reads nest on a thread too.
//
// Invariant: every read returns STATUS_SUCCESS (with the file's own data) or STATUS_INVALID_HANDLE
// (its handle was closed before the read looked it up); no read reaches the driver for a file
// object after its IRP_MJ_CLOSE, and IRP_MJ_CLOSE never arrives while a read of its file is in the
// driver; every nested read succeeds; every file opened gets exactly one IRP_MJ_CLOSE, by the time
// its last handle is closed and its reads are done, while the reading threads still run; nothing
// leaks (the fixture checks).
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "support/system_fixture.hpp"

#undef __try
#include <ntio/ntapi.h>
#include <ntio/ntio.h>

namespace read_close_race {
namespace {

constexpr std::uint64_t kLive = 0x4c49564546494c45ull;
constexpr std::uint64_t kClosed = 0xc105edc105edc105ull;
constexpr int kFiles = 3000;
constexpr ULONG kLength = 64;

// Per file object (FsContext): kept until the test ends, so a late read is counted, not a crash.
struct FileContext {
    std::atomic<std::uint64_t> marker{kLive};
    std::atomic<int> reads_inside{0};
    std::atomic<int> closes{0};
    unsigned char fill = 0;
};

std::unique_ptr<FileContext[]> g_contexts;
std::atomic<int> g_opens{0};
std::atomic<long> g_violations{0};
std::atomic<long> g_closes{0};
PDEVICE_OBJECT g_device = nullptr;

NTSTATUS complete(PIRP irp, NTSTATUS status, ULONG_PTR information)
{
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

// A read of the file's context: its bytes, with a yield now and then so that closes land inside.
void read_context(PFILE_OBJECT file, void* buffer, ULONG length)
{
    auto* context = static_cast<FileContext*>(file->FsContext);
    ++context->reads_inside;
    if (context->marker.load() != kLive) ++g_violations;
    std::memset(buffer, context->fill, length);
    if ((reinterpret_cast<std::uintptr_t>(buffer) >> 4) % 3 == 0) std::this_thread::yield();
    if (context->marker.load() != kLive) ++g_violations;
    --context->reads_inside;
}

NTSTATUS NTAPI on_create(PDEVICE_OBJECT, PIRP irp)
{
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(irp)->FileObject;
    const int index = g_opens++;
    if (index >= kFiles) return complete(irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    FileContext& context = g_contexts[index];
    context.fill = static_cast<unsigned char>(1 + index % 251);
    file->FsContext = &context;
    // Odd files read through FastIoRead: the I/O manager tries it only with a PrivateCacheMap.
    if (index % 2) file->PrivateCacheMap = reinterpret_cast<PVOID>(1);
    return complete(irp, STATUS_SUCCESS, 0);
}

HANDLE g_side_file = nullptr;  // opened first and closed last: the nested reads' file
std::atomic<long> g_nested_failures{0};

// IRP reads also read the side file from inside the dispatch, on the reader's thread: a read
// nested in a read of another file object.
NTSTATUS NTAPI on_read(PDEVICE_OBJECT, PIRP irp)
{
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    const ULONG length = sp->Parameters.Read.Length;
    if (g_side_file && sp->FileObject->FsContext != &g_contexts[0]) {  // not when reading the side file
        unsigned char side[8] = {};
        IO_STATUS_BLOCK iosb{};
        LARGE_INTEGER offset{};
        if (ZwReadFile(g_side_file, nullptr, nullptr, nullptr, &iosb, side, sizeof(side), &offset, nullptr) !=
                STATUS_SUCCESS ||
            side[0] != 1)
            ++g_nested_failures;
    }
    read_context(sp->FileObject, irp->AssociatedIrp.SystemBuffer, length);
    return complete(irp, STATUS_SUCCESS, length);
}

BOOLEAN NTAPI on_fast_read(PFILE_OBJECT file, PLARGE_INTEGER, ULONG length, BOOLEAN, ULONG, PVOID buffer,
                           PIO_STATUS_BLOCK status, PDEVICE_OBJECT)
{
    read_context(file, buffer, length);
    status->Status = STATUS_SUCCESS;
    status->Information = length;
    return TRUE;
}

NTSTATUS NTAPI on_close(PDEVICE_OBJECT, PIRP irp)
{
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(irp)->FileObject;
    auto* context = static_cast<FileContext*>(file->FsContext);
    if (context) {
        if (context->reads_inside.load() != 0 || context->marker.exchange(kClosed) != kLive || ++context->closes != 1)
            ++g_violations;
        ++g_closes;
    }
    file->PrivateCacheMap = nullptr;
    return complete(irp, STATUS_SUCCESS, 0);
}

NTSTATUS NTAPI on_other(PDEVICE_OBJECT, PIRP irp) { return complete(irp, STATUS_SUCCESS, 0); }

FAST_IO_DISPATCH g_fast_io = {};

VOID NTAPI on_unload(PDRIVER_OBJECT) { IoDeleteDevice(g_device); }

NTSTATUS NTAPI read_close_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING)
{
    driver->MajorFunction[IRP_MJ_CREATE] = on_create;
    driver->MajorFunction[IRP_MJ_CLEANUP] = on_other;
    driver->MajorFunction[IRP_MJ_CLOSE] = on_close;
    driver->MajorFunction[IRP_MJ_READ] = on_read;
    g_fast_io.SizeOfFastIoDispatch = sizeof(FAST_IO_DISPATCH);
    g_fast_io.FastIoRead = on_fast_read;
    driver->FastIoDispatch = &g_fast_io;
    driver->DriverUnload = on_unload;
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\ReadCloseRace");
    NTSTATUS status = IoCreateDevice(driver, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &g_device);
    if (NT_SUCCESS(status)) {
        g_device->Flags |= DO_BUFFERED_IO;
        g_device->Flags &= ~DO_DEVICE_INITIALIZING;
    }
    return status;
}

// Synchronous (FILE_SYNCHRONOUS_IO_NONALERT) or overlapped: an overlapped file's reads take the IRP
// path, and each IRP keeps the file object with a reference of its own until its final stage.
HANDLE open_file(bool synchronous)
{
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\ReadCloseRace");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    IO_STATUS_BLOCK iosb{};
    HANDLE handle = nullptr;
    NTSTATUS status = NtCreateFile(&handle, FILE_READ_DATA | SYNCHRONIZE, &oa, &iosb, nullptr, 0, FILE_SHARE_READ,
                                   FILE_OPEN, synchronous ? FILE_SYNCHRONOUS_IO_NONALERT : 0, nullptr, 0);
    return NT_SUCCESS(status) ? handle : nullptr;
}

class ReadCloseRace : public ntio::test::SystemTest {
protected:
    void race(bool synchronous);
};

TEST_F(ReadCloseRace, a_read_in_progress_keeps_its_file_object_when_its_last_handle_closes)
{
    race(true);
}

TEST_F(ReadCloseRace, an_overlapped_read_in_progress_keeps_its_file_object_when_its_last_handle_closes)
{
    race(false);
}

void ReadCloseRace::race(bool synchronous)
{
    g_contexts = std::make_unique<FileContext[]>(kFiles);
    g_opens = 0;
    g_violations = 0;
    g_closes = 0;
    UNICODE_STRING service;
    RtlInitUnicodeString(&service, L"ReadCloseRace");
    PDRIVER_OBJECT driver = nullptr;
    ASSERT_EQ(NtioCreateDriver(&service, read_close_driver_entry, &driver), STATUS_SUCCESS);

    g_nested_failures = 0;
    g_side_file = open_file(true);  // file 0 (its fill is 1)
    ASSERT_NE(g_side_file, nullptr);
    std::atomic<HANDLE> current{open_file(synchronous)};
    ASSERT_NE(current.load(), nullptr);
    std::atomic<bool> done{false};
    std::atomic<int> finished{0};
    std::atomic<bool> checked{false};
    std::atomic<long> unexpected{0};
    std::atomic<long> reads{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 3; ++t) {
        readers.emplace_back([&, t] {
            alignas(64) unsigned char buffer[kLength * 4];
            unsigned char* at = buffer + 16 * (t + 1);  // the yield in read_context keys on the address
            while (!done.load()) {
                IO_STATUS_BLOCK iosb{};
                LARGE_INTEGER offset{};
                std::memset(at, 0, kLength);
                NTSTATUS status = NtReadFile(current.load(), nullptr, nullptr, nullptr, &iosb, at, kLength, &offset, nullptr);
                if (status == STATUS_INVALID_HANDLE) continue;
                if (status != STATUS_SUCCESS || iosb.Information != kLength || at[0] == 0 || at[kLength - 1] != at[0])
                    ++unexpected;
                ++reads;
            }
            // Alive, and idle, while the last files close: nothing this thread keeps may delay
            // their IRP_MJ_CLOSE.
            ++finished;
            while (!checked.load()) std::this_thread::yield();
        });
    }
    // Each new file's handle replaces the previous one, which is its file object's only handle.
    for (int i = 2; i < kFiles; ++i) {  // the side file and the first one are open
        HANDLE next = open_file(synchronous);
        if (!next) {
            ++unexpected;
            break;
        }
        HANDLE previous = current.exchange(next);
        if (NtClose(previous) != STATUS_SUCCESS) ++unexpected;
        std::this_thread::yield();
    }
    done = true;
    while (finished.load() != static_cast<int>(readers.size())) std::this_thread::yield();
    EXPECT_EQ(NtClose(current.exchange(nullptr)), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(std::exchange(g_side_file, nullptr)), STATUS_SUCCESS);
    EXPECT_EQ(g_closes.load(), g_opens.load()) << "every file closed while its readers still run";
    checked = true;
    for (auto& reader : readers) reader.join();

    EXPECT_EQ(unexpected.load(), 0);
    EXPECT_EQ(g_violations.load(), 0);
    EXPECT_EQ(g_nested_failures.load(), 0);
    EXPECT_GT(reads.load(), 0);
    EXPECT_EQ(g_closes.load(), g_opens.load());
    EXPECT_EQ(NtioUnloadDriver(driver), STATUS_SUCCESS);
    ObDereferenceObject(driver);
    g_contexts.reset();
}

}  // namespace
}  // namespace read_close_race

// Filter contexts over fastfat.sys, seen by a legacy file system filter written as a WDK filter
// writer would: attached above the FAT volume, it hangs a per-stream context on each stream it sees
// opened (FsRtlInsertPerStreamContext on the FCB's advanced header) and a per-file-object context on
// each file object, looks them up on read and cleanup, removes and frees its file object context at
// IRP_MJ_CLOSE, and counts the free callbacks fastfat's FsRtlTeardownPerStreamContexts makes.
// https://learn.microsoft.com/windows-hardware/drivers/ifs/tracking-per-stream-context-in-a-legacy-file-system-filter-driver
#include "fastfat_driver_support.hpp"

#include <atomic>
#include <chrono>
#include <thread>
#include <mutex>
#include <vector>

namespace ntio::test::drivers {
namespace filter_context_tests {

constexpr ULONG kStreamTag = 'xtCS';
constexpr ULONG kFileObjectTag = 'xtCF';

// The filter's own contexts: each embeds the FsRtl header it is linked by.
struct StreamContext {
    FSRTL_PER_STREAM_CONTEXT header;
    LONG opens;
};
struct FileObjectContext {
    FSRTL_PER_FILEOBJECT_CONTEXT header;
    StreamContext* stream;
};

struct ContextFilter {
    PDEVICE_OBJECT device = nullptr;
    PDEVICE_OBJECT lower = nullptr;
    std::atomic<int> stream_frees{0};
    std::atomic<int> reads_with_context{0};
    std::atomic<int> reads_with_matching_file_object_context{0};
    std::atomic<int> cleanups_with_context{0};
    std::atomic<int> file_object_contexts_freed{0};
    std::atomic<PFILE_OBJECT> last_closed{nullptr};  // the FILE_OBJECT of the last IRP_MJ_CLOSE
    std::atomic<int> close_irql{-1};                 // and the IRQL it came at
    std::mutex lock;
    std::vector<void*> freed;  // the stream contexts the free callback got, in order
};
ContextFilter g_filter;

VOID NTAPI free_stream_context(PVOID buffer) {
    {
        std::lock_guard guard(g_filter.lock);
        g_filter.freed.push_back(buffer);
    }
    ++g_filter.stream_frees;
    ExFreePoolWithTag(buffer, kStreamTag);
}

StreamContext* lookup_stream(PFILE_OBJECT file) {
    if (!FsRtlSupportsPerStreamContexts(file)) return nullptr;
    PFSRTL_PER_STREAM_CONTEXT found =
        FsRtlLookupPerStreamContext(FsRtlGetPerStreamContextPointer(file), g_filter.device, NULL);
    return found ? CONTAINING_RECORD(found, StreamContext, header) : nullptr;
}

// After a successful open: the stream's context (the first open of the stream makes it) and one
// for the file object.
void attach_contexts(PFILE_OBJECT file) {
    if (!FsRtlSupportsPerStreamContexts(file)) return;
    StreamContext* stream = lookup_stream(file);
    if (!stream) {
        stream = static_cast<StreamContext*>(ExAllocatePoolWithTag(PagedPool, sizeof(StreamContext), kStreamTag));
        if (!stream) return;
        RtlZeroMemory(stream, sizeof(*stream));
        FsRtlInitPerStreamContext(&stream->header, g_filter.device, NULL, free_stream_context);
        if (!NT_SUCCESS(FsRtlInsertPerStreamContext(FsRtlGetPerStreamContextPointer(file), &stream->header))) {
            ExFreePoolWithTag(stream, kStreamTag);
            return;
        }
    }
    InterlockedIncrement(&stream->opens);
    auto* object = static_cast<FileObjectContext*>(
        ExAllocatePoolWithTag(PagedPool, sizeof(FileObjectContext), kFileObjectTag));
    if (!object) return;
    FsRtlInitPerFileObjectContext(&object->header, g_filter.device, file);
    object->stream = stream;
    if (!NT_SUCCESS(FsRtlInsertPerFileObjectContext(file, &object->header))) ExFreePoolWithTag(object, kFileObjectTag);
}

NTSTATUS NTAPI filter_dispatch(PDEVICE_OBJECT, PIRP irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    PFILE_OBJECT file = sp->FileObject;
    switch (sp->MajorFunction) {
    case IRP_MJ_CREATE: {
        (void)IoForwardIrpSynchronously(g_filter.lower, irp);
        NTSTATUS status = irp->IoStatus.Status;
        if (NT_SUCCESS(status)) attach_contexts(file);
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        return status;
    }
    case IRP_MJ_READ: {
        // The cache manager's paging reads to fill the cache come through too; count the callers'.
        if (irp->Flags & IRP_PAGING_IO) break;
        StreamContext* stream = lookup_stream(file);
        if (stream) ++g_filter.reads_with_context;
        PFSRTL_PER_FILEOBJECT_CONTEXT found = FsRtlLookupPerFileObjectContext(file, g_filter.device, file);
        if (found && stream && CONTAINING_RECORD(found, FileObjectContext, header)->stream == stream)
            ++g_filter.reads_with_matching_file_object_context;
        break;
    }
    case IRP_MJ_CLEANUP:
        if (lookup_stream(file)) ++g_filter.cleanups_with_context;
        break;
    case IRP_MJ_CLOSE: {
        // The filter's file object context goes here, before the file object does (the stream's
        // context stays: fastfat frees it with the FCB).
        PFSRTL_PER_FILEOBJECT_CONTEXT removed = FsRtlRemovePerFileObjectContext(file, g_filter.device, file);
        if (removed) {
            ExFreePoolWithTag(CONTAINING_RECORD(removed, FileObjectContext, header), kFileObjectTag);
            ++g_filter.file_object_contexts_freed;
        }
        g_filter.close_irql = KeGetCurrentIrql();
        g_filter.last_closed = file;
        break;
    }
    default:
        break;
    }
    IoSkipCurrentIrpStackLocation(irp);
    return IoCallDriver(g_filter.lower, irp);
}

VOID NTAPI filter_unload(PDRIVER_OBJECT) {
    IoDetachDevice(g_filter.lower);
    IoDeleteDevice(g_filter.device);
}

NTSTATUS NTAPI filter_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    for (auto& major : driver->MajorFunction) major = filter_dispatch;
    driver->DriverUnload = filter_unload;
    return IoCreateDevice(driver, 0, nullptr, FILE_DEVICE_DISK_FILE_SYSTEM, 0, FALSE, &g_filter.device);
}

class FastFatFilterContextTest : public FastFatTest {
protected:
    void SetUp() override {
        FastFatTest::SetUp();
        if (IsSkipped()) return;
        g_filter.device = nullptr;
        g_filter.lower = nullptr;
        g_filter.stream_frees = 0;
        g_filter.reads_with_context = 0;
        g_filter.reads_with_matching_file_object_context = 0;
        g_filter.cleanups_with_context = 0;
        g_filter.file_object_contexts_freed = 0;
        g_filter.last_closed = nullptr;
        g_filter.close_irql = -1;
        g_filter.freed.clear();
        format({16, 16384, 4, 512, "CONTEXTS"});
    }

    void TearDown() override {
        if (m_filter) {
            EXPECT_EQ(NtioUnloadDriver(m_filter), STATUS_SUCCESS);
            ObDereferenceObject(m_filter);
            m_filter = nullptr;
        }
        FastFatTest::TearDown();
    }

    // Loads the filter and attaches it above the volume `any_open` is on.
    void attach_filter(HANDLE any_open) {
        UNICODE_STRING service;
        RtlInitUnicodeString(&service, L"FatContextFilter");
        ASSERT_EQ(NtioCreateDriver(&service, filter_entry, &m_filter), STATUS_SUCCESS);
        PFILE_OBJECT file = file_object(any_open);
        PDEVICE_OBJECT volume = file->Vpb->DeviceObject;
        ObDereferenceObject(file);
        ASSERT_EQ(IoAttachDeviceToDeviceStackSafe(g_filter.device, volume, &g_filter.lower), STATUS_SUCCESS);
        g_filter.device->Flags |= g_filter.lower->Flags & (DO_BUFFERED_IO | DO_DIRECT_IO);
        g_filter.device->Flags &= ~DO_DEVICE_INITIALIZING;
    }

    // The file object behind a handle, referenced.
    static PFILE_OBJECT file_object(HANDLE h) {
        PVOID object = nullptr;
        EXPECT_EQ(ObReferenceObjectByHandle(h, 0, *IoFileObjectType, KernelMode, &object, nullptr), STATUS_SUCCESS);
        return static_cast<PFILE_OBJECT>(object);
    }

    // The filter's stream context of the file behind a handle.
    static StreamContext* stream_of(HANDLE h) {
        PFILE_OBJECT file = file_object(h);
        StreamContext* stream = lookup_stream(file);
        ObDereferenceObject(file);
        return stream;
    }

    PDRIVER_OBJECT m_filter = nullptr;
};

// Per-stream contexts live on the FCB: both opens of a file find the one its first open made, a
// second file has its own, reads and cleanups find them, and fastfat frees each exactly once, when
// the FCB goes with the file's last close (its FsRtlTeardownPerStreamContexts). Each file object's
// context is the filter's to free at IRP_MJ_CLOSE.
TEST_F(FastFatFilterContextTest, stream_contexts_are_shared_per_stream_and_freed_once_with_the_fcb) {
    put_file("\\a.txt", std::vector<uint8_t>(1000, 'a'));
    put_file("\\b.txt", std::vector<uint8_t>(500, 'b'));
    HANDLE root = nullptr;
    ASSERT_EQ(create("\\", &root, FILE_OPEN, FILE_LIST_DIRECTORY, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
    attach_filter(root);
    if (HasFatalFailure()) return;

    HANDLE a1 = nullptr;
    HANDLE a2 = nullptr;
    HANDLE b = nullptr;
    ASSERT_EQ(create("\\a.txt", &a1, FILE_OPEN, GENERIC_READ, FILE_NON_DIRECTORY_FILE), STATUS_SUCCESS);
    ASSERT_EQ(create("\\a.txt", &a2, FILE_OPEN, GENERIC_READ, FILE_NON_DIRECTORY_FILE), STATUS_SUCCESS);
    ASSERT_EQ(create("\\b.txt", &b, FILE_OPEN, GENERIC_READ, FILE_NON_DIRECTORY_FILE), STATUS_SUCCESS);

    StreamContext* a_stream = stream_of(a1);
    StreamContext* b_stream = stream_of(b);
    ASSERT_NE(a_stream, nullptr);
    ASSERT_NE(b_stream, nullptr);
    EXPECT_EQ(stream_of(a2), a_stream);
    EXPECT_NE(a_stream, b_stream);
    EXPECT_EQ(a_stream->opens, 2);
    EXPECT_EQ(b_stream->opens, 1);

    // FAT has one stream per file: per-stream contexts, no per-file ones.
    PFILE_OBJECT file = file_object(a1);
    EXPECT_TRUE(FsRtlSupportsPerStreamContexts(file));
    EXPECT_FALSE(FsRtlSupportsPerFileContexts(file));
    EXPECT_EQ(FsRtlGetPerFileContextPointer(file), nullptr);
    ObDereferenceObject(file);

    std::vector<uint8_t> data(100);
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(read_at(a1, data.data(), 100, 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(read_at(b, data.data(), 100, 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(g_filter.reads_with_context, 2);
    EXPECT_EQ(g_filter.reads_with_matching_file_object_context, 2);

    EXPECT_EQ(NtClose(a1), STATUS_SUCCESS);
    EXPECT_EQ(g_filter.stream_frees, 0);  // a2 keeps the FCB
    EXPECT_EQ(NtClose(a2), STATUS_SUCCESS);
    EXPECT_EQ(g_filter.stream_frees, 1);
    EXPECT_EQ(NtClose(b), STATUS_SUCCESS);
    EXPECT_EQ(g_filter.stream_frees, 2);
    {
        std::lock_guard guard(g_filter.lock);
        EXPECT_EQ(g_filter.freed, std::vector<void*>({a_stream, b_stream}));
    }
    EXPECT_EQ(g_filter.cleanups_with_context, 3);
    EXPECT_EQ(g_filter.file_object_contexts_freed, 3);

    // A new open of the file finds a new FCB and makes a new context.
    HANDLE again = nullptr;
    ASSERT_EQ(create("\\a.txt", &again, FILE_OPEN, GENERIC_READ, FILE_NON_DIRECTORY_FILE), STATUS_SUCCESS);
    ASSERT_NE(stream_of(again), nullptr);
    EXPECT_EQ(stream_of(again)->opens, 1);
    EXPECT_EQ(NtClose(again), STATUS_SUCCESS);
    EXPECT_EQ(g_filter.stream_frees, 3);
    EXPECT_EQ(NtClose(root), STATUS_SUCCESS);
}

// A filter that takes its stream context back (FsRtlRemovePerStreamContext) owns it again: the
// FCB's teardown does not call its free callback.
TEST_F(FastFatFilterContextTest, a_removed_stream_context_gets_no_free_callback) {
    put_file("\\r.txt", std::vector<uint8_t>(10, 'r'));
    HANDLE root = nullptr;
    ASSERT_EQ(create("\\", &root, FILE_OPEN, FILE_LIST_DIRECTORY, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
    attach_filter(root);
    if (HasFatalFailure()) return;
    HANDLE h = nullptr;
    ASSERT_EQ(create("\\r.txt", &h, FILE_OPEN, GENERIC_READ, FILE_NON_DIRECTORY_FILE), STATUS_SUCCESS);
    PFILE_OBJECT file = file_object(h);
    PFSRTL_PER_STREAM_CONTEXT removed =
        FsRtlRemovePerStreamContext(FsRtlGetPerStreamContextPointer(file), g_filter.device, NULL);
    ASSERT_NE(removed, nullptr);
    EXPECT_EQ(lookup_stream(file), nullptr);
    EXPECT_EQ(FsRtlRemovePerStreamContext(FsRtlGetPerStreamContextPointer(file), g_filter.device, NULL), nullptr);
    ObDereferenceObject(file);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(g_filter.stream_frees, 0);
    ExFreePoolWithTag(removed, kStreamTag);
    EXPECT_EQ(NtClose(root), STATUS_SUCCESS);
}

// Per-file-object contexts: found through the file object only; one a filter leaves on a file
// object is unlinked when the file object goes (it has no free callback: the filter still owns it).
TEST_F(FastFatFilterContextTest, file_object_contexts_belong_to_one_file_object) {
    put_file("\\o.txt", std::vector<uint8_t>(10, 'o'));
    HANDLE root = nullptr;
    ASSERT_EQ(create("\\", &root, FILE_OPEN, FILE_LIST_DIRECTORY, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
    attach_filter(root);
    if (HasFatalFailure()) return;
    HANDLE h1 = nullptr;
    HANDLE h2 = nullptr;
    ASSERT_EQ(create("\\o.txt", &h1, FILE_OPEN, GENERIC_READ, FILE_NON_DIRECTORY_FILE), STATUS_SUCCESS);
    ASSERT_EQ(create("\\o.txt", &h2, FILE_OPEN, GENERIC_READ, FILE_NON_DIRECTORY_FILE), STATUS_SUCCESS);
    PFILE_OBJECT f1 = file_object(h1);
    PFILE_OBJECT f2 = file_object(h2);
    PFSRTL_PER_FILEOBJECT_CONTEXT c1 = FsRtlLookupPerFileObjectContext(f1, g_filter.device, NULL);
    PFSRTL_PER_FILEOBJECT_CONTEXT c2 = FsRtlLookupPerFileObjectContext(f2, g_filter.device, NULL);
    ASSERT_NE(c1, nullptr);
    ASSERT_NE(c2, nullptr);
    EXPECT_NE(c1, c2);
    EXPECT_EQ(c1->InstanceId, f1);
    EXPECT_EQ(FsRtlLookupPerFileObjectContext(f1, g_filter.device, f2), nullptr);
    EXPECT_EQ(CONTAINING_RECORD(c1, FileObjectContext, header)->stream,
              CONTAINING_RECORD(c2, FileObjectContext, header)->stream);

    // A context of another owner, left on f1 when it goes.
    static int other_owner;
    FSRTL_PER_FILEOBJECT_CONTEXT left{};
    FsRtlInitPerFileObjectContext(&left, &other_owner, NULL);
    EXPECT_EQ(FsRtlInsertPerFileObjectContext(f1, &left), STATUS_SUCCESS);
    EXPECT_EQ(FsRtlLookupPerFileObjectContext(f1, &other_owner, NULL), &left);
    EXPECT_EQ(FsRtlLookupPerFileObjectContext(f2, &other_owner, NULL), nullptr);
    EXPECT_EQ(FsRtlInsertPerFileObjectContext(nullptr, &left), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(FsRtlLookupPerFileObjectContext(nullptr, nullptr, nullptr), nullptr);
    EXPECT_EQ(FsRtlRemovePerFileObjectContext(nullptr, nullptr, nullptr), nullptr);

    ObDereferenceObject(f1);
    ObDereferenceObject(f2);
    EXPECT_EQ(NtClose(h1), STATUS_SUCCESS);
    EXPECT_EQ(g_filter.file_object_contexts_freed, 1);
    EXPECT_EQ(left.Links.Flink, &left.Links);
    EXPECT_EQ(left.Links.Blink, &left.Links);
    EXPECT_EQ(NtClose(h2), STATUS_SUCCESS);
    EXPECT_EQ(g_filter.file_object_contexts_freed, 2);
    EXPECT_EQ(NtClose(root), STATUS_SUCCESS);
}

// The last reference to a file object dropped at DISPATCH_LEVEL (as a completion routine may): the
// deletion waits for a worker, and the close reaches the filter at PASSIVE_LEVEL with the FILE_OBJECT
// the create saw, so the filter finds the context it keyed by that file object and frees it, and a
// context of another owner is unlinked as at any close.
TEST_F(FastFatFilterContextTest, a_close_deferred_from_dispatch_level_finds_its_file_object_context) {
    put_file("\\d.txt", std::vector<uint8_t>(10, 'd'));
    HANDLE root = nullptr;
    ASSERT_EQ(create("\\", &root, FILE_OPEN, FILE_LIST_DIRECTORY, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
    attach_filter(root);
    if (HasFatalFailure()) return;
    HANDLE h = nullptr;
    ASSERT_EQ(create("\\d.txt", &h, FILE_OPEN, GENERIC_READ, FILE_NON_DIRECTORY_FILE), STATUS_SUCCESS);
    PFILE_OBJECT file = file_object(h);
    ASSERT_NE(FsRtlLookupPerFileObjectContext(file, g_filter.device, file), nullptr);
    static int other_owner;
    FSRTL_PER_FILEOBJECT_CONTEXT left{};
    FsRtlInitPerFileObjectContext(&left, &other_owner, file);
    ASSERT_EQ(FsRtlInsertPerFileObjectContext(file, &left), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);  // the cleanup; `file` holds the last reference
    EXPECT_EQ(g_filter.file_object_contexts_freed, 0);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    ObDereferenceObject(file);
    KeLowerIrql(old);
    // Hang guard only: the worker normally runs at once.
    for (int i = 0; i < 10000 && g_filter.last_closed.load() == nullptr; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_EQ(g_filter.last_closed.load(), file);
    EXPECT_EQ(g_filter.close_irql.load(), PASSIVE_LEVEL);
    EXPECT_EQ(g_filter.file_object_contexts_freed, 1);
    EXPECT_EQ(left.Links.Flink, &left.Links);
    EXPECT_EQ(left.Links.Blink, &left.Links);
    EXPECT_EQ(NtClose(root), STATUS_SUCCESS);
}

}  // namespace filter_context_tests
}  // namespace ntio::test::drivers

// FsFilter callbacks (FsRtlRegisterFileSystemFilterCallbacks) around the memory manager's use of
// a cached file: section creation acquires the file for section synchronization, a view's changes
// are written under the modified page writer's acquisition when it is unmapped, and a flush of the
// view under a cache flush's. A legacy filter attached over the cache test file system records
// what its routines see; without routines the file system's main resource is held exclusively
// while the section is created.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlregisterfilesystemfiltercallbacks
#include "cc_test_support.hpp"

#include <mutex>

namespace ntio::cc::test {
namespace {

struct FilterEvent {
    UCHAR operation;
    bool post;
    PDEVICE_OBJECT device;
    PFILE_OBJECT file;
    FS_FILTER_SECTION_SYNC_TYPE sync_type;
    ULONG protection;
    LONGLONG ending_offset;
    PERESOURCE resource;  // mod write: what the acquisition will release / releases
    NTSTATUS status;      // post: the operation's status
    PVOID context;        // post: the context the notification routine returned
};

// The filter's state, shared with the tests.
struct FilterState {
    std::mutex lock;
    std::vector<FilterEvent> events;
    NTSTATUS acquire_answer = STATUS_SUCCESS;  // what PreAcquireForSectionSynchronization returns
    NTSTATUS release_answer = STATUS_SUCCESS;  // what PreReleaseForSectionSynchronization returns
    PDEVICE_OBJECT device = nullptr;
    PDEVICE_OBJECT lower = nullptr;

    std::vector<FilterEvent> take() {
        std::lock_guard guard(lock);
        return std::exchange(events, {});
    }
};
FilterState g_filter;
int g_context_tag;  // the completion context the routines pass

void note(PFS_FILTER_CALLBACK_DATA data, bool post, NTSTATUS status, PVOID context) {
    FilterEvent e{data->Operation, post, data->DeviceObject, data->FileObject, SyncTypeOther, 0, -1, nullptr,
                  status, context};
    if (data->Operation == FS_FILTER_ACQUIRE_FOR_SECTION_SYNCHRONIZATION) {
        e.sync_type = data->Parameters.AcquireForSectionSynchronization.SyncType;
        e.protection = data->Parameters.AcquireForSectionSynchronization.PageProtection;
    } else if (data->Operation == FS_FILTER_ACQUIRE_FOR_MOD_WRITE) {
        e.ending_offset = data->Parameters.AcquireForModifiedPageWriter.EndingOffset->QuadPart;
        if (post) e.resource = *data->Parameters.AcquireForModifiedPageWriter.ResourceToRelease;
    } else if (data->Operation == FS_FILTER_RELEASE_FOR_MOD_WRITE) {
        e.resource = data->Parameters.ReleaseForModifiedPageWriter.ResourceToRelease;
    }
    std::lock_guard guard(g_filter.lock);
    g_filter.events.push_back(e);
}

NTSTATUS NTAPI pre(PFS_FILTER_CALLBACK_DATA data, PVOID* context) {
    note(data, false, STATUS_SUCCESS, nullptr);
    *context = &g_context_tag;
    if (data->Operation == FS_FILTER_ACQUIRE_FOR_SECTION_SYNCHRONIZATION) return g_filter.acquire_answer;
    if (data->Operation == FS_FILTER_RELEASE_FOR_SECTION_SYNCHRONIZATION) return g_filter.release_answer;
    return STATUS_SUCCESS;
}

VOID NTAPI post(PFS_FILTER_CALLBACK_DATA data, NTSTATUS status, PVOID context) { note(data, true, status, context); }

NTSTATUS NTAPI filter_pass(PDEVICE_OBJECT, PIRP irp) {
    IoSkipCurrentIrpStackLocation(irp);
    return IoCallDriver(g_filter.lower, irp);
}

VOID NTAPI filter_unload(PDRIVER_OBJECT) {
    IoDetachDevice(g_filter.lower);
    IoDeleteDevice(g_filter.device);
}

// A legacy file system filter over \Device\CcTestFs, its FsFilter routines registered in DriverEntry.
NTSTATUS NTAPI filter_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    for (auto& major : driver->MajorFunction) major = filter_pass;
    driver->DriverUnload = filter_unload;
    FS_FILTER_CALLBACKS callbacks{};
    callbacks.SizeOfFsFilterCallbacks = sizeof(callbacks);
    callbacks.PreAcquireForSectionSynchronization = pre;
    callbacks.PostAcquireForSectionSynchronization = post;
    callbacks.PreReleaseForSectionSynchronization = pre;
    callbacks.PostReleaseForSectionSynchronization = post;
    callbacks.PreAcquireForModifiedPageWriter = pre;
    callbacks.PostAcquireForModifiedPageWriter = post;
    callbacks.PreReleaseForModifiedPageWriter = pre;
    callbacks.PostReleaseForModifiedPageWriter = post;
    callbacks.PreAcquireForCcFlush = pre;
    callbacks.PostAcquireForCcFlush = post;
    callbacks.PreReleaseForCcFlush = pre;
    callbacks.PostReleaseForCcFlush = post;
    NTSTATUS status = FsRtlRegisterFileSystemFilterCallbacks(driver, &callbacks);
    if (!NT_SUCCESS(status)) return status;
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\CcTestFs");
    PFILE_OBJECT file = nullptr;
    PDEVICE_OBJECT target = nullptr;
    status = IoGetDeviceObjectPointer(&name, FILE_READ_ATTRIBUTES, &file, &target);
    if (!NT_SUCCESS(status)) return status;
    status = IoCreateDevice(driver, 0, nullptr, FILE_DEVICE_DISK_FILE_SYSTEM, 0, FALSE, &g_filter.device);
    if (NT_SUCCESS(status)) {
        status = IoAttachDeviceToDeviceStackSafe(g_filter.device, target, &g_filter.lower);
        if (NT_SUCCESS(status)) {
            g_filter.device->Flags |= g_filter.lower->Flags & (DO_BUFFERED_IO | DO_DIRECT_IO);
            g_filter.device->Flags &= ~DO_DEVICE_INITIALIZING;
        } else {
            IoDeleteDevice(g_filter.device);
        }
    }
    ObDereferenceObject(file);
    return status;
}

class FsFilterCallbackTest : public CcFsTest {
protected:
    void SetUp() override {
        CcFsTest::SetUp();
        g_filter.take();
        g_filter.acquire_answer = STATUS_SUCCESS;
        g_filter.release_answer = STATUS_SUCCESS;
    }
    void TearDown() override {
        if (m_filter) {
            EXPECT_EQ(NtioUnloadDriver(m_filter), STATUS_SUCCESS);
            ObDereferenceObject(m_filter);
        }
        CcFsTest::TearDown();
    }
    void attach_filter() {
        UNICODE_STRING service;
        RtlInitUnicodeString(&service, L"FsFilterTestFilter");
        ASSERT_EQ(NtioCreateDriver(&service, filter_entry, &m_filter), STATUS_SUCCESS);
    }
    static NTSTATUS create_section(HANDLE file, HANDLE* section, LONGLONG maximum = 0, ULONG protection = PAGE_READWRITE) {
        LARGE_INTEGER size;
        size.QuadPart = maximum;
        return NtCreateSection(section, SECTION_ALL_ACCESS, nullptr, maximum ? &size : nullptr, protection, SEC_COMMIT,
                               file);
    }
    static NTSTATUS map(HANDLE section, void** base, SIZE_T* size) {
        *base = nullptr;
        *size = 0;
        return NtMapViewOfSection(section, NtCurrentProcess(), base, 0, 0, nullptr, size, ViewShare, 0, PAGE_READWRITE);
    }
    // The events of one operation, in order.
    static std::vector<FilterEvent> of(const std::vector<FilterEvent>& events, UCHAR acquire, UCHAR release) {
        std::vector<FilterEvent> out;
        for (const FilterEvent& e : events)
            if (e.operation == acquire || e.operation == release) out.push_back(e);
        return out;
    }

    PDRIVER_OBJECT m_filter = nullptr;
};

TEST_F(FsFilterCallbackTest, section_creation_holds_the_main_resource_exclusively_without_routines)
{
    HANDLE h = open(L'a');
    ASSERT_EQ(set_end_of_file(h, 8192), STATUS_SUCCESS);
    HANDLE section = nullptr;
    ASSERT_EQ(create_section(h, &section), STATUS_SUCCESS);
    CcTestFsCounters c = counters(L'a');
    EXPECT_GE(c.standard_queries, 1);
    EXPECT_EQ(c.queries_main_exclusive, c.standard_queries);
    // Released afterwards: a query of the caller's own is not made under it.
    FILE_STANDARD_INFORMATION standard{};
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, &standard, sizeof standard, FileStandardInformation), STATUS_SUCCESS);
    EXPECT_EQ(standard.EndOfFile.QuadPart, 8192);
    CcTestFsCounters after = counters(L'a');
    EXPECT_EQ(after.standard_queries, c.standard_queries + 1);
    EXPECT_EQ(after.queries_main_exclusive, c.queries_main_exclusive);
    EXPECT_EQ(NtClose(section), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(FsFilterCallbackTest, filter_routines_run_around_section_creation)
{
    attach_filter();
    HANDLE h = open(L'a');
    PFILE_OBJECT file = file_object(h);
    HANDLE section = nullptr;
    ASSERT_EQ(create_section(h, &section, 12288), STATUS_SUCCESS);
    const std::vector<FilterEvent> events = of(g_filter.take(), FS_FILTER_ACQUIRE_FOR_SECTION_SYNCHRONIZATION,
                                               FS_FILTER_RELEASE_FOR_SECTION_SYNCHRONIZATION);
    ASSERT_EQ(events.size(), 4u);
    EXPECT_EQ(events[0].operation, FS_FILTER_ACQUIRE_FOR_SECTION_SYNCHRONIZATION);
    EXPECT_FALSE(events[0].post);
    EXPECT_EQ(events[0].sync_type, SyncTypeCreateSection);
    EXPECT_EQ(events[0].protection, static_cast<ULONG>(PAGE_READWRITE));
    EXPECT_EQ(events[0].device, g_filter.device);
    EXPECT_EQ(events[0].file, file);
    EXPECT_EQ(events[1].operation, FS_FILTER_ACQUIRE_FOR_SECTION_SYNCHRONIZATION);
    EXPECT_TRUE(events[1].post);
    EXPECT_EQ(events[1].status, STATUS_SUCCESS);
    EXPECT_EQ(events[1].context, &g_context_tag);
    EXPECT_EQ(events[2].operation, FS_FILTER_RELEASE_FOR_SECTION_SYNCHRONIZATION);
    EXPECT_FALSE(events[2].post);
    EXPECT_EQ(events[3].operation, FS_FILTER_RELEASE_FOR_SECTION_SYNCHRONIZATION);
    EXPECT_TRUE(events[3].post);
    // The file system below still had its main resource taken for it.
    CcTestFsCounters c = counters(L'a');
    EXPECT_GE(c.standard_queries, 1);
    EXPECT_EQ(c.queries_main_exclusive, c.standard_queries);
    ObDereferenceObject(file);
    EXPECT_EQ(NtClose(section), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(FsFilterCallbackTest, a_failing_notification_routine_fails_section_creation)
{
    attach_filter();
    HANDLE h = open(L'a');
    ASSERT_EQ(set_end_of_file(h, 8192), STATUS_SUCCESS);
    g_filter.take();
    const LONG queries = counters(L'a').standard_queries;
    g_filter.acquire_answer = STATUS_ACCESS_DENIED;
    HANDLE section = nullptr;
    EXPECT_EQ(create_section(h, &section), STATUS_ACCESS_DENIED);
    EXPECT_EQ(section, nullptr);
    // Nothing reached the file system and nothing is released: the walk ended at the filter.
    EXPECT_EQ(counters(L'a').standard_queries, queries);
    const std::vector<FilterEvent> events = of(g_filter.take(), FS_FILTER_ACQUIRE_FOR_SECTION_SYNCHRONIZATION,
                                               FS_FILTER_RELEASE_FOR_SECTION_SYNCHRONIZATION);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_FALSE(events[0].post);
    // The next creation, allowed again, works.
    g_filter.acquire_answer = STATUS_SUCCESS;
    ASSERT_EQ(create_section(h, &section), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(section), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(FsFilterCallbackTest, a_routine_that_does_the_acquisition_replaces_the_default)
{
    attach_filter();
    HANDLE h = open(L'a');
    ASSERT_EQ(set_end_of_file(h, 8192), STATUS_SUCCESS);
    const CcTestFsCounters before = counters(L'a');
    g_filter.acquire_answer = STATUS_FSFILTER_OP_COMPLETED_SUCCESSFULLY;
    g_filter.release_answer = STATUS_FSFILTER_OP_COMPLETED_SUCCESSFULLY;
    HANDLE section = nullptr;
    ASSERT_EQ(create_section(h, &section), STATUS_SUCCESS);
    // The file system's resource was not taken (and, at the release, not released: a release of a
    // resource nobody holds would stop the system).
    const CcTestFsCounters after = counters(L'a');
    EXPECT_GT(after.standard_queries, before.standard_queries);
    EXPECT_EQ(after.queries_main_exclusive, before.queries_main_exclusive);
    const std::vector<FilterEvent> events = of(g_filter.take(), FS_FILTER_ACQUIRE_FOR_SECTION_SYNCHRONIZATION,
                                               FS_FILTER_RELEASE_FOR_SECTION_SYNCHRONIZATION);
    // The routine that did the operation gets no completion call of its own.
    ASSERT_EQ(events.size(), 2u);
    EXPECT_FALSE(events[0].post);
    EXPECT_EQ(events[1].operation, FS_FILTER_RELEASE_FOR_SECTION_SYNCHRONIZATION);
    EXPECT_FALSE(events[1].post);
    EXPECT_EQ(NtClose(section), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(FsFilterCallbackTest, an_unmapped_view_is_written_under_the_modified_page_writer_acquisition)
{
    attach_filter();
    HANDLE h = open(L'a');
    // Written data, so the file's valid data covers what the view changes.
    ASSERT_EQ(write(h, 0, 8192, pattern(8192, 1).data()), STATUS_SUCCESS);
    HANDLE section = nullptr;
    ASSERT_EQ(create_section(h, &section), STATUS_SUCCESS);
    void* base = nullptr;
    SIZE_T size = 0;
    ASSERT_EQ(map(section, &base, &size), STATUS_SUCCESS);
    ASSERT_EQ(size, 8192u);
    std::memcpy(static_cast<char*>(base) + 4096, "mapped", 6);
    g_filter.take();
    ASSERT_EQ(NtUnmapViewOfSection(NtCurrentProcess(), base), STATUS_SUCCESS);
    const std::vector<FilterEvent> events =
        of(g_filter.take(), FS_FILTER_ACQUIRE_FOR_MOD_WRITE, FS_FILTER_RELEASE_FOR_MOD_WRITE);
    ASSERT_EQ(events.size(), 4u);
    EXPECT_EQ(events[0].operation, FS_FILTER_ACQUIRE_FOR_MOD_WRITE);
    EXPECT_EQ(events[0].ending_offset, 8192);
    EXPECT_TRUE(events[1].post);
    EXPECT_EQ(events[1].status, STATUS_SUCCESS);
    // Without routines of its own the file system's paging I/O resource is what is held.
    EXPECT_NE(events[1].resource, nullptr);
    EXPECT_EQ(events[2].operation, FS_FILTER_RELEASE_FOR_MOD_WRITE);
    EXPECT_EQ(events[2].resource, events[1].resource);
    EXPECT_TRUE(events[3].post);
    // And the change reached the file.
    EXPECT_EQ(disk(L'a', 4096, 6), std::vector<UCHAR>({'m', 'a', 'p', 'p', 'e', 'd'}));
    char text[6] = {};
    ASSERT_EQ(read(h, 4096, sizeof text, text), STATUS_SUCCESS);
    EXPECT_EQ(std::memcmp(text, "mapped", 6), 0);
    EXPECT_EQ(NtClose(section), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(FsFilterCallbackTest, a_view_flush_acquires_the_file_for_a_cache_flush)
{
    attach_filter();
    HANDLE h = open(L'a');
    ASSERT_EQ(write(h, 0, 4096, pattern(4096, 2).data()), STATUS_SUCCESS);
    HANDLE section = nullptr;
    ASSERT_EQ(create_section(h, &section), STATUS_SUCCESS);
    void* base = nullptr;
    SIZE_T size = 0;
    ASSERT_EQ(map(section, &base, &size), STATUS_SUCCESS);
    std::memcpy(base, "flushed", 7);
    g_filter.take();
    void* flush_base = base;
    SIZE_T flush_size = 0;
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(NtFlushVirtualMemory(NtCurrentProcess(), &flush_base, &flush_size, &iosb), STATUS_SUCCESS);
    const std::vector<FilterEvent> events =
        of(g_filter.take(), FS_FILTER_ACQUIRE_FOR_CC_FLUSH, FS_FILTER_RELEASE_FOR_CC_FLUSH);
    ASSERT_EQ(events.size(), 4u);
    EXPECT_EQ(events[0].operation, FS_FILTER_ACQUIRE_FOR_CC_FLUSH);
    EXPECT_FALSE(events[0].post);
    EXPECT_TRUE(events[1].post);
    EXPECT_EQ(events[2].operation, FS_FILTER_RELEASE_FOR_CC_FLUSH);
    EXPECT_TRUE(events[3].post);
    EXPECT_EQ(disk(L'a', 0, 7), std::vector<UCHAR>({'f', 'l', 'u', 's', 'h', 'e', 'd'}));
    ASSERT_EQ(NtUnmapViewOfSection(NtCurrentProcess(), base), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(section), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(FsFilterCallbackTest, registration_checks_its_parameters)
{
    FS_FILTER_CALLBACKS callbacks{};
    callbacks.SizeOfFsFilterCallbacks = 0;
    EXPECT_EQ(FsRtlRegisterFileSystemFilterCallbacks(m_driver, &callbacks), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(FsRtlRegisterFileSystemFilterCallbacks(m_driver, nullptr), STATUS_INVALID_PARAMETER);
    callbacks.SizeOfFsFilterCallbacks = sizeof(callbacks);
    EXPECT_EQ(FsRtlRegisterFileSystemFilterCallbacks(nullptr, &callbacks), STATUS_INVALID_PARAMETER);
    // A file system registering for itself, with no routines, changes nothing.
    EXPECT_EQ(FsRtlRegisterFileSystemFilterCallbacks(m_driver, &callbacks), STATUS_SUCCESS);
    HANDLE h = open(L'b');
    ASSERT_EQ(set_end_of_file(h, 4096), STATUS_SUCCESS);
    HANDLE section = nullptr;
    ASSERT_EQ(create_section(h, &section), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(section), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::cc::test

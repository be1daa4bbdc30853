// Reads, writes, IOCTLs and FSCTLs through the services: the IRP the driver receives for each
// METHOD_* and device buffering flag, what the caller gets back, fast I/O, the filter case, a
// request finished from a work item, the access and handle checks and bad caller buffers.
#include <sys/mman.h>
#include <unistd.h>

#include <functional>
#include <string>

#include "unit/io/requests/requests_test_driver.hpp"
#include "support/io_status.hpp"

namespace ntio::io::requests_test {
namespace {
using ntio::test::kUntouched;
using ntio::test::untouched;

// An inaccessible page: caller buffers that fault when touched.
class NoAccessPage {
public:
    NoAccessPage() : m_page(mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) {}
    ~NoAccessPage() { munmap(m_page, 4096); }
    NoAccessPage(const NoAccessPage&) = delete;
    NoAccessPage& operator=(const NoAccessPage&) = delete;
    void* get() const { return m_page; }

private:
    void* m_page;
};

NTSTATUS ioctl(HANDLE h, ULONG code, void* in, ULONG in_length, void* out, ULONG out_length, IO_STATUS_BLOCK* iosb,
               HANDLE event = nullptr) {
    return NtDeviceIoControlFile(h, event, nullptr, nullptr, iosb, code, in, in_length, out, out_length);
}

// NT fact S5: the CTL_CODE layout and its published test vectors.
TEST(RequestCodes, ctl_code_matches_the_published_vectors)
{
    EXPECT_EQ(kIoctlInDirect, 0x9C402401u);
    EXPECT_EQ(kIoctlOutDirect, 0x9C402406u);
    EXPECT_EQ(kIoctlBuffered, 0x9C402408u);
    EXPECT_EQ(kIoctlNeither, 0x9C40240Fu);
    EXPECT_EQ(CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS), 0x00222000u);
}

// NT facts J1, S10: METHOD_BUFFERED without input and a 32-byte output gets a system buffer and
// exactly the 24 bytes reported; a 64-byte input with a 10-byte output returns exactly 10.
TEST_F(RequestsTest, buffered_ioctl_returns_exactly_information_bytes)
{
    load();
    PreviousModeScope user(UserMode);
    HANDLE h = open_sync(L"\\??\\ReqBuffered");
    char out[40];
    std::memset(out, 'a', sizeof(out));
    g_state.reply_length = 24;
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(ioctl(h, kIoctlBuffered, nullptr, 0, out, 32, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 24u);
    EXPECT_EQ(std::string(out, 24), std::string(24, 'R'));
    EXPECT_EQ(std::string(out + 24, 16), std::string(16, 'a'));
    std::vector<Record> records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_NE(records[0].system_buffer, nullptr);
    EXPECT_EQ(records[0].input_length, 0u);  // a zero-length input reaches the driver (S10)
    EXPECT_EQ(records[0].output_length, 32u);
    EXPECT_EQ(records[0].major, IRP_MJ_DEVICE_CONTROL);

    char in[64];
    std::memset(in, 'i', sizeof(in));
    std::memset(out, 'a', sizeof(out));
    g_state.reply_length = 64;
    iosb = kUntouched;
    EXPECT_EQ(ioctl(h, kIoctlBuffered, in, 64, out, 10, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 10u);
    EXPECT_EQ(std::string(out, 10), std::string(10, 'R'));
    EXPECT_EQ(out[10], 'a');
    records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].input, std::string(16, 'i'));
    EXPECT_NE(records[0].user_buffer, nullptr);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// NT facts J2, S6, E4: one system buffer holds the input on entry; a driver that writes all 100
// output bytes but reports 38 leaks nothing past byte 38.
TEST_F(RequestsTest, buffered_ioctl_does_not_leak_past_information)
{
    load();
    PreviousModeScope user(UserMode);
    HANDLE h = open_sync(L"\\??\\ReqBuffered");
    char in[8] = {'h', 'e', 'l', 'l', 'o', '!', '!', '!'};
    char out[100];
    std::memset(out, 'a', sizeof(out));
    g_state.reply_length = 38;
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(ioctl(h, kIoctlBuffered, in, sizeof(in), out, sizeof(out), &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 38u);
    EXPECT_EQ(std::string(out, 38), std::string(38, 'R'));
    EXPECT_EQ(std::string(out + 38, 62), std::string(62, 'a'));
    std::vector<Record> records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].input, std::string(in, 8));
    EXPECT_EQ(records[0].user_buffer, out);
    EXPECT_NE(records[0].system_buffer, static_cast<void*>(in));
    EXPECT_TRUE(records[0].flags & IRP_BUFFERED_IO);
    EXPECT_TRUE(records[0].flags & IRP_INPUT_OPERATION);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// NT facts J2, S7: OUT_DIRECT input arrives in the system buffer, the output is an MDL of the
// output length, and every byte the driver writes is visible while Information stays 38.
TEST_F(RequestsTest, out_direct_ioctl_writes_through_the_mdl)
{
    load();
    PreviousModeScope user(UserMode);
    HANDLE h = open_sync(L"\\??\\ReqBuffered");
    char in[4] = {'a', 'b', 'c', 'd'};
    char out[100];
    std::memset(out, 'a', sizeof(out));
    g_state.reply_length = 38;
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(ioctl(h, kIoctlOutDirect, in, sizeof(in), out, sizeof(out), &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 38u);
    EXPECT_EQ(std::string(out, 100), std::string(100, 'R'));
    EXPECT_EQ(std::string(in, 4), "abcd");  // the driver's scribbles on the system buffer stay there
    std::vector<Record> records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].input, "abcd");
    ASSERT_NE(records[0].mdl, nullptr);
    EXPECT_EQ(records[0].mdl_byte_count, 100u);
    EXPECT_NE(records[0].system_buffer, nullptr);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// NT facts J2, S8: IN_DIRECT: the driver reads the caller's output buffer through the MDL and may
// report its full length; system-buffer changes are not copied back.
TEST_F(RequestsTest, in_direct_ioctl_lets_the_driver_read_the_output_buffer)
{
    load();
    PreviousModeScope user(UserMode);
    HANDLE h = open_sync(L"\\??\\ReqBuffered");
    char in[4] = {'w', 'x', 'y', 'z'};
    char out[100];
    std::memset(out, 'o', sizeof(out));
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(ioctl(h, kIoctlInDirect, in, sizeof(in), out, sizeof(out), &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 100u);
    EXPECT_EQ(std::string(out, 100), std::string(100, 'o'));
    EXPECT_EQ(std::string(in, 4), "wxyz");
    std::vector<Record> records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].input, std::string(16, 'o'));
    EXPECT_EQ(records[0].mdl_byte_count, 100u);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// NT facts J2, J3, S9: METHOD_NEITHER hands the raw pointers to a dispatch that runs in the calling
// thread; the driver probes and maps them itself, and a bad input pointer raises into its handler.
TEST_F(RequestsTest, neither_ioctl_passes_raw_pointers_in_the_calling_thread)
{
    load();
    PreviousModeScope user(UserMode);
    HANDLE h = open_sync(L"\\??\\ReqNeither");
    char in[6] = {'n', 'e', 'i', 't', 'h', 'r'};
    char out[16];
    std::memset(out, 'a', sizeof(out));
    g_state.reply_length = 5;
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(ioctl(h, kIoctlNeither, in, sizeof(in), out, sizeof(out), &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 5u);
    EXPECT_EQ(std::string(out, 6), "RRRRRa");
    std::vector<Record> records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].type3, static_cast<void*>(in));
    EXPECT_EQ(records[0].user_buffer, static_cast<void*>(out));
    EXPECT_EQ(records[0].system_buffer, nullptr);
    EXPECT_EQ(records[0].mdl, nullptr);
    EXPECT_TRUE(records[0].on_calling_thread);
    EXPECT_EQ(records[0].thread, PsGetCurrentThread());
    EXPECT_EQ(records[0].input, std::string(in, 6));
    EXPECT_EQ(records[0].requestor, UserMode);

    NoAccessPage bad;
    iosb = kUntouched;
    EXPECT_EQ(ioctl(h, kIoctlNeither, bad.get(), 8, out, sizeof(out), &iosb), STATUS_ACCESS_VIOLATION);
    EXPECT_TRUE(untouched(iosb));  // NT fact E2: an error leaves a sync handle's IOSB alone
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// NT fact A6: with a filter on top of \Device\ReqBuffered, the IRP goes to the top device; the
// named device stays FileObject->DeviceObject; sync handle: no UserEvent, Thread is the caller.
TEST_F(RequestsTest, ioctl_goes_to_the_top_of_the_stack)
{
    g_state.filter = true;
    load();
    PreviousModeScope user(UserMode);
    HANDLE h = open_sync(L"\\??\\ReqBuffered");
    g_state.take();
    IO_STATUS_BLOCK iosb = kUntouched;
    char out[8];
    EXPECT_EQ(ioctl(h, kIoctlBuffered, nullptr, 0, out, sizeof(out), &iosb), STATUS_SUCCESS);
    std::vector<Record> records = g_state.take();
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].device, g_state.filter_device);
    EXPECT_EQ(records[0].stack_device, g_state.filter_device);
    EXPECT_EQ(records[0].file, file_of(h));
    EXPECT_EQ(records[0].file_device, g_state.buffered);
    EXPECT_EQ(records[0].user_event, nullptr);
    EXPECT_EQ(records[0].thread, PsGetCurrentThread());
    EXPECT_TRUE(records[0].requestor_is_current);
    EXPECT_EQ(records[1].device, g_state.buffered);
    EXPECT_EQ(records[1].stack_device, g_state.buffered);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// NT fact L10: a sync IOCTL pended and finished later from IoQueueWorkItem blocks the caller, then
// returns success with 0 bytes.
TEST_F(RequestsTest, sync_ioctl_finished_from_a_work_item_blocks_then_succeeds)
{
    load();
    PreviousModeScope user(UserMode);
    HANDLE h = open_sync(L"\\??\\ReqBuffered");
    g_state.behaviour = Behaviour::work_item;
    char out[8];
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(ioctl(h, kIoctlBuffered, nullptr, 0, out, sizeof(out), &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 0u);
    EXPECT_EQ(g_state.take().size(), 1u);
    drain_work();
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// NT fact J4 and the CTL_CODE access bits: FILE_ANY_ACCESS works on handles with no data access;
// FILE_READ_ACCESS needs FILE_READ_DATA, FILE_WRITE_ACCESS needs FILE_WRITE_DATA. Kernel callers
// are not checked.
TEST_F(RequestsTest, ioctl_access_follows_the_ctl_code)
{
    load();
    PreviousModeScope user(UserMode);
    HANDLE none = nullptr, attributes = nullptr, reader = nullptr, writer = nullptr;
    ASSERT_EQ(open(L"\\??\\ReqBuffered", &none, 0, 0), STATUS_SUCCESS);
    ASSERT_EQ(open(L"\\??\\ReqBuffered", &attributes, FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES, 0), STATUS_SUCCESS);
    ASSERT_EQ(open(L"\\??\\ReqBuffered", &reader, FILE_READ_DATA | SYNCHRONIZE, FILE_SYNCHRONOUS_IO_NONALERT),
              STATUS_SUCCESS);
    ASSERT_EQ(open(L"\\??\\ReqBuffered", &writer, FILE_WRITE_DATA | SYNCHRONIZE, FILE_SYNCHRONOUS_IO_NONALERT),
              STATUS_SUCCESS);
    g_state.take();
    IO_STATUS_BLOCK iosb = kUntouched;
    HANDLE event = create_event(FALSE);
    EXPECT_EQ(ioctl(none, kIoctlBuffered, nullptr, 0, nullptr, 0, &iosb, event), STATUS_SUCCESS);
    EXPECT_EQ(ioctl(attributes, kIoctlBuffered, nullptr, 0, nullptr, 0, &iosb, event), STATUS_SUCCESS);
    EXPECT_EQ(g_state.take().size(), 2u);

    iosb = kUntouched;
    EXPECT_EQ(ioctl(writer, kIoctlReadAccess, nullptr, 0, nullptr, 0, &iosb), STATUS_ACCESS_DENIED);
    EXPECT_EQ(ioctl(reader, kIoctlWriteAccess, nullptr, 0, nullptr, 0, &iosb), STATUS_ACCESS_DENIED);
    EXPECT_EQ(ioctl(none, kIoctlReadAccess, nullptr, 0, nullptr, 0, &iosb, event), STATUS_ACCESS_DENIED);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_TRUE(g_state.take().empty());
    EXPECT_EQ(ioctl(reader, kIoctlReadAccess, nullptr, 0, nullptr, 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(ioctl(writer, kIoctlWriteAccess, nullptr, 0, nullptr, 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(g_state.take().size(), 2u);
    {
        PreviousModeScope kernel(KernelMode);
        EXPECT_EQ(ZwDeviceIoControlFile(writer, nullptr, nullptr, nullptr, &iosb, kIoctlReadAccess, nullptr, 0,
                                        nullptr, 0),
                  STATUS_SUCCESS);
    }
    for (HANDLE h : {none, attributes, reader, writer, event}) EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// Reads need FILE_READ_DATA, writes FILE_WRITE_DATA or FILE_APPEND_DATA.
TEST_F(RequestsTest, read_and_write_need_data_access)
{
    load();
    PreviousModeScope user(UserMode);
    HANDLE reader = open_sync(L"\\??\\ReqBuffered", FILE_READ_DATA | SYNCHRONIZE);
    HANDLE appender = open_sync(L"\\??\\ReqBuffered", FILE_APPEND_DATA | SYNCHRONIZE);
    g_state.take();
    char buffer[8] = {};
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(NtWriteFile(reader, nullptr, nullptr, nullptr, &iosb, buffer, 8, nullptr, nullptr), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtReadFile(appender, nullptr, nullptr, nullptr, &iosb, buffer, 8, nullptr, nullptr), STATUS_ACCESS_DENIED);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_TRUE(g_state.take().empty());
    EXPECT_EQ(NtWriteFile(appender, nullptr, nullptr, nullptr, &iosb, buffer, 8, nullptr, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(NtReadFile(reader, nullptr, nullptr, nullptr, &iosb, buffer, 8, nullptr, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(g_state.take().size(), 2u);
    EXPECT_EQ(NtClose(reader), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(appender), STATUS_SUCCESS);
}

// NT facts H4, I7: bad file handles (garbage, closed, not a file) fail before anything happens and
// leave the event alone; an invalid event handle fails the call with no IRP.
TEST_F(RequestsTest, bad_handles_fail_without_touching_anything)
{
    load();
    PreviousModeScope user(UserMode);
    HANDLE h = open_async(L"\\??\\ReqBuffered");
    HANDLE event = create_event(TRUE);
    HANDLE closed = open_async(L"\\??\\ReqBuffered");
    EXPECT_EQ(NtClose(closed), STATUS_SUCCESS);
    g_state.take();
    char buffer[8] = {};
    LARGE_INTEGER offset{};
    IO_STATUS_BLOCK iosb = kUntouched;
    auto garbage = reinterpret_cast<HANDLE>(static_cast<ULONG_PTR>(0x7770));
    EXPECT_EQ(NtReadFile(garbage, event, nullptr, nullptr, &iosb, buffer, 8, &offset, nullptr), STATUS_INVALID_HANDLE);
    EXPECT_EQ(NtWriteFile(closed, event, nullptr, nullptr, &iosb, buffer, 8, &offset, nullptr), STATUS_INVALID_HANDLE);
    EXPECT_EQ(ioctl(closed, kIoctlBuffered, nullptr, 0, nullptr, 0, &iosb, event), STATUS_INVALID_HANDLE);
    EXPECT_EQ(ioctl(event, kIoctlBuffered, nullptr, 0, nullptr, 0, &iosb, event), STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(NtFsControlFile(garbage, event, nullptr, nullptr, &iosb, 0x90000, nullptr, 0, nullptr, 0),
              STATUS_INVALID_HANDLE);
    EXPECT_TRUE(event_signalled(event));
    EXPECT_TRUE(untouched(iosb));
    EXPECT_EQ(ioctl(h, kIoctlBuffered, nullptr, 0, nullptr, 0, &iosb, garbage), STATUS_INVALID_HANDLE);
    EXPECT_EQ(ioctl(h, kIoctlBuffered, nullptr, 0, nullptr, 0, &iosb, h), STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_TRUE(g_state.take().empty());
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(event), STATUS_SUCCESS);
}

// Bad caller buffers and IOSBs are STATUS_ACCESS_VIOLATION and no IRP reaches the driver, the IOSB
// untouched (NT facts E11, I8). Where the fault is found decides the event: a buffer the service
// probes for writing (a read's, a METHOD_BUFFERED output) faults in the probe, before the event is
// reset, so a pre-set event stays signalled; a buffer the service only range-checks (ProbeForRead:
// a write's, an IOCTL's input) faults in the I/O manager's copy or MDL lock, after the reset (I8:
// "the event is reset" for the write).
TEST_F(RequestsTest, bad_caller_buffers_are_access_violations)
{
    load();
    PreviousModeScope user(UserMode);
    HANDLE buffered = open_sync(L"\\??\\ReqBuffered");
    HANDLE direct = open_sync(L"\\??\\ReqDirect");
    HANDLE event = create_event(TRUE);
    g_state.take();
    NoAccessPage bad;
    char good[16] = {};
    struct Row {
        const char* what;
        bool event_reset;
        std::function<NTSTATUS(IO_STATUS_BLOCK*)> call;
    };
    const Row rows[] = {
        {"read, buffered, NULL", false,
         [&](IO_STATUS_BLOCK* iosb) { return NtReadFile(buffered, event, nullptr, nullptr, iosb, nullptr, 8, nullptr, nullptr); }},
        {"read, direct, no access", false,
         [&](IO_STATUS_BLOCK* iosb) { return NtReadFile(direct, event, nullptr, nullptr, iosb, bad.get(), 8, nullptr, nullptr); }},
        {"write, buffered, NULL", true,
         [&](IO_STATUS_BLOCK* iosb) { return NtWriteFile(buffered, event, nullptr, nullptr, iosb, nullptr, 8, nullptr, nullptr); }},
        {"write, buffered, no access", true,
         [&](IO_STATUS_BLOCK* iosb) { return NtWriteFile(buffered, event, nullptr, nullptr, iosb, bad.get(), 8, nullptr, nullptr); }},
        {"write, direct, NULL", true,
         [&](IO_STATUS_BLOCK* iosb) { return NtWriteFile(direct, event, nullptr, nullptr, iosb, nullptr, 8, nullptr, nullptr); }},
        {"write, direct, no access", true,
         [&](IO_STATUS_BLOCK* iosb) { return NtWriteFile(direct, event, nullptr, nullptr, iosb, bad.get(), 8, nullptr, nullptr); }},
        {"buffered IOCTL input", true,
         [&](IO_STATUS_BLOCK* iosb) { return ioctl(buffered, kIoctlBuffered, bad.get(), 8, good, 8, iosb, event); }},
        {"buffered IOCTL output", false,
         [&](IO_STATUS_BLOCK* iosb) { return ioctl(buffered, kIoctlBuffered, good, 8, bad.get(), 8, iosb, event); }},
        {"OUT_DIRECT IOCTL output", true,
         [&](IO_STATUS_BLOCK* iosb) { return ioctl(buffered, kIoctlOutDirect, good, 8, bad.get(), 8, iosb, event); }},
        {"IN_DIRECT IOCTL input", true,
         [&](IO_STATUS_BLOCK* iosb) { return ioctl(buffered, kIoctlInDirect, bad.get(), 8, good, 8, iosb, event); }},
    };
    for (const Row& row : rows) {
        SCOPED_TRACE(row.what);
        ASSERT_EQ(NtSetEvent(event, nullptr), STATUS_SUCCESS);
        IO_STATUS_BLOCK iosb = kUntouched;
        EXPECT_EQ(row.call(&iosb), STATUS_ACCESS_VIOLATION);
        EXPECT_TRUE(untouched(iosb));
        EXPECT_EQ(event_signalled(event), !row.event_reset);
        EXPECT_TRUE(g_state.take().empty());
    }
    EXPECT_EQ(NtReadFile(buffered, nullptr, nullptr, nullptr, static_cast<PIO_STATUS_BLOCK>(bad.get()), good, 8, nullptr,
                         nullptr),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(ioctl(buffered, kIoctlBuffered, nullptr, 0, nullptr, 0, nullptr), STATUS_ACCESS_VIOLATION);
    // A length that runs past the top of the user range fails ProbeForRead's range check itself,
    // before the event is reset.
    ASSERT_EQ(NtSetEvent(event, nullptr), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(NtWriteFile(buffered, event, nullptr, nullptr, &iosb, reinterpret_cast<void*>(MmUserProbeAddress - 4), 8,
                          nullptr, nullptr),
              STATUS_ACCESS_VIOLATION);
    EXPECT_TRUE(event_signalled(event));
    EXPECT_TRUE(untouched(iosb));
    EXPECT_TRUE(g_state.take().empty());
    for (HANDLE h : {buffered, direct, event}) EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// NT fact I8, the file-system half: a write's buffer is range-checked only, so on a device with
// neither buffering the driver receives the caller's NULL pointer and answers for it. A file system
// reads it inside __try and turns the fault into STATUS_INVALID_USER_BUFFER (as NTFS does for a disk
// file); the event was reset on the way and the IOSB is untouched (an error on a synchronous file).
TEST_F(RequestsTest, neither_write_from_a_null_buffer_reaches_the_driver_after_the_event_reset)
{
    load();
    PreviousModeScope user(UserMode);
    HANDLE neither = open_sync(L"\\??\\ReqNeither");
    HANDLE event = create_event(TRUE);
    g_state.take();
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(NtWriteFile(neither, event, nullptr, nullptr, &iosb, nullptr, 8, nullptr, nullptr),
              STATUS_INVALID_USER_BUFFER);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_FALSE(event_signalled(event));
    const std::vector<Record> seen = g_state.take();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].major, IRP_MJ_WRITE);
    EXPECT_EQ(seen[0].user_buffer, nullptr);
    EXPECT_EQ(seen[0].length, 8u);
    for (HANDLE h : {neither, event}) EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// Reads and writes on the three buffering flavours: DO_BUFFERED_IO copies through a system buffer,
// DO_DIRECT_IO locks an MDL, neither passes the caller's pointer; Key and offset reach the driver.
TEST_F(RequestsTest, read_write_buffering_follows_the_device_flags)
{
    load();
    PreviousModeScope user(UserMode);
    HANDLE buffered = open_async(L"\\??\\ReqBuffered");
    HANDLE direct = open_async(L"\\??\\ReqDirect");
    HANDLE neither = open_async(L"\\??\\ReqNeither");
    g_state.take();
    char data[12];
    std::memcpy(data, "payload-data", 12);
    LARGE_INTEGER offset;
    offset.QuadPart = 4096;
    ULONG key = 77;
    IO_STATUS_BLOCK iosb = kUntouched;
    g_state.rw_information = 12;
    for (HANDLE h : {buffered, direct, neither})
        EXPECT_EQ(NtWriteFile(h, nullptr, nullptr, nullptr, &iosb, data, 12, &offset, &key), STATUS_SUCCESS);
    std::vector<Record> records = g_state.take();
    ASSERT_EQ(records.size(), 3u);
    for (const Record& r : records) {
        EXPECT_EQ(r.major, IRP_MJ_WRITE);
        EXPECT_EQ(r.length, 12u);
        EXPECT_EQ(r.key, 77u);
        EXPECT_EQ(r.offset, 4096);
        EXPECT_EQ(r.input, "payload-data");
        EXPECT_TRUE(r.flags & IRP_WRITE_OPERATION);
    }
    EXPECT_NE(records[0].system_buffer, static_cast<void*>(data));
    EXPECT_TRUE(records[0].flags & IRP_BUFFERED_IO);
    EXPECT_NE(records[1].mdl, nullptr);
    EXPECT_EQ(records[2].user_buffer, static_cast<void*>(data));

    char in[12];
    std::memset(in, 'a', sizeof(in));
    g_state.rw_information = 5;
    EXPECT_EQ(NtReadFile(direct, nullptr, nullptr, nullptr, &iosb, in, 12, &offset, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(std::string(in, 6), "ddddda");
    EXPECT_EQ(iosb.Information, 5u);
    records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_TRUE(records[0].flags & IRP_READ_OPERATION);
    EXPECT_EQ(records[0].mdl_byte_count, 12u);
    for (HANDLE h : {buffered, direct, neither}) EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// NT fact M2: on a non-cached handle (FILE_NO_INTERMEDIATE_BUFFERING) of a device with a sector
// size, a user-mode read or write must be whole sectors at a sector-aligned offset into an aligned
// buffer (else STATUS_INVALID_PARAMETER, nothing sent); one larger than the largest MDL fails with
// STATUS_INSUFFICIENT_RESOURCES. A cached handle takes any length; kernel callers are not checked.
TEST_F(RequestsTest, non_cached_transfers_need_whole_sectors_and_fit_in_an_mdl)
{
    g_state.sector_size = 512;
    load();
    PreviousModeScope user(UserMode);
    HANDLE raw = nullptr;
    ASSERT_EQ(open(L"\\??\\ReqDirect", &raw, FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE,
                   FILE_SYNCHRONOUS_IO_NONALERT | FILE_NO_INTERMEDIATE_BUFFERING),
              STATUS_SUCCESS);
    HANDLE cached = open_sync(L"\\??\\ReqDirect");
    g_state.take();
    alignas(4096) static char buffer[2048];
    LARGE_INTEGER at{};
    IO_STATUS_BLOCK iosb = kUntouched;
    g_state.rw_information = 0;

    EXPECT_EQ(NtReadFile(raw, nullptr, nullptr, nullptr, &iosb, buffer, 513, &at, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtWriteFile(raw, nullptr, nullptr, nullptr, &iosb, buffer, 100, &at, nullptr), STATUS_INVALID_PARAMETER);
    at.QuadPart = 100;
    EXPECT_EQ(NtReadFile(raw, nullptr, nullptr, nullptr, &iosb, buffer, 512, &at, nullptr), STATUS_INVALID_PARAMETER);
    at.QuadPart = 0;
    EXPECT_EQ(NtReadFile(raw, nullptr, nullptr, nullptr, &iosb, buffer + 1, 512, &at, nullptr),
              STATUS_INVALID_PARAMETER);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_TRUE(g_state.take().empty());

    at.QuadPart = 1024;
    EXPECT_EQ(NtReadFile(raw, nullptr, nullptr, nullptr, &iosb, buffer, 1024, &at, nullptr), STATUS_SUCCESS);
    std::vector<Record> records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_TRUE(records[0].flags & IRP_NOCACHE);
    EXPECT_EQ(records[0].mdl_byte_count, 1024u);

    // The largest MDL spans ((0x10000 - sizeof(MDL)) / sizeof(ULONG_PTR)) - 1 pages (NT fact M1);
    // a transfer one page larger cannot be described. Address space only: nothing is touched.
    const std::size_t pages = (0x10000 - sizeof(MDL)) / sizeof(ULONG_PTR);
    const std::size_t big = pages * 4096;
    void* huge = mmap(nullptr, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    ASSERT_NE(huge, MAP_FAILED);
    at.QuadPart = 0;
    EXPECT_EQ(NtReadFile(raw, nullptr, nullptr, nullptr, &iosb, huge, static_cast<ULONG>(big), &at, nullptr),
              STATUS_INSUFFICIENT_RESOURCES);
    EXPECT_TRUE(g_state.take().empty());
    munmap(huge, big);

    // Cached I/O of any length, and kernel-mode callers, are not held to sectors.
    EXPECT_EQ(NtReadFile(cached, nullptr, nullptr, nullptr, &iosb, buffer + 1, 513, &at, nullptr), STATUS_SUCCESS);
    {
        PreviousModeScope kernel(KernelMode);
        EXPECT_EQ(NtReadFile(raw, nullptr, nullptr, nullptr, &iosb, buffer + 1, 513, &at, nullptr), STATUS_SUCCESS);
    }
    EXPECT_EQ(g_state.take().size(), 2u);
    EXPECT_EQ(NtClose(raw), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(cached), STATUS_SUCCESS);
}

// NT facts I3, I4, I5: a sync handle without ByteOffset reads at the file position and advances it
// by the bytes transferred; an explicit offset moves the position too; async handles need an
// offset and no handle takes a negative one other than the two markers.
TEST_F(RequestsTest, sync_reads_use_and_advance_the_file_position)
{
    load();
    PreviousModeScope user(UserMode);
    HANDLE h = open_sync(L"\\??\\ReqBuffered");
    HANDLE async = open_async(L"\\??\\ReqBuffered");
    g_state.take();
    char buffer[16];
    IO_STATUS_BLOCK iosb = kUntouched;
    g_state.rw_information = 10;
    EXPECT_EQ(NtReadFile(h, nullptr, nullptr, nullptr, &iosb, buffer, 16, nullptr, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(NtReadFile(h, nullptr, nullptr, nullptr, &iosb, buffer, 16, nullptr, nullptr), STATUS_SUCCESS);
    LARGE_INTEGER pointer;
    pointer.LowPart = FILE_USE_FILE_POINTER_POSITION;
    pointer.HighPart = -1;
    EXPECT_EQ(NtReadFile(h, nullptr, nullptr, nullptr, &iosb, buffer, 16, &pointer, nullptr), STATUS_SUCCESS);
    LARGE_INTEGER explicit_offset;
    explicit_offset.QuadPart = 100;
    g_state.rw_pend = true;  // the pended path advances the position as well
    EXPECT_EQ(NtReadFile(h, nullptr, nullptr, nullptr, &iosb, buffer, 16, &explicit_offset, nullptr), STATUS_SUCCESS);
    g_state.rw_pend = false;
    EXPECT_EQ(NtReadFile(h, nullptr, nullptr, nullptr, &iosb, buffer, 16, nullptr, nullptr), STATUS_SUCCESS);
    std::vector<Record> records = g_state.take();
    ASSERT_EQ(records.size(), 5u);
    EXPECT_EQ(records[0].offset, 0);
    EXPECT_EQ(records[1].offset, 10);
    EXPECT_EQ(records[2].offset, 20);
    EXPECT_EQ(records[3].offset, 100);
    EXPECT_EQ(records[4].offset, 110);
    EXPECT_EQ(file_of(h)->CurrentByteOffset.QuadPart, 120);

    LARGE_INTEGER negative;
    negative.QuadPart = -5;
    iosb = kUntouched;
    EXPECT_EQ(NtReadFile(h, nullptr, nullptr, nullptr, &iosb, buffer, 16, &negative, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtReadFile(async, nullptr, nullptr, nullptr, &iosb, buffer, 16, nullptr, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtReadFile(async, nullptr, nullptr, nullptr, &iosb, buffer, 16, &pointer, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_TRUE(g_state.take().empty());
    LARGE_INTEGER end_of_file;
    end_of_file.QuadPart = -1;
    EXPECT_EQ(NtWriteFile(async, nullptr, nullptr, nullptr, &iosb, buffer, 16, &end_of_file, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(g_state.take().size(), 1u);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(async), STATUS_SUCCESS);
}

// NT fact E12: on a cached sync file, FastIoRead / FastIoWrite returning TRUE with SUCCESS,
// BUFFER_OVERFLOW or END_OF_FILE is the answer (IOSB, event, no IRP); other statuses and FALSE
// fall back to the IRP with the same Key. The routine gets the caller's buffer and kernel copies
// of offset and IOSB.
TEST_F(RequestsTest, fast_io_read_is_accepted_only_for_its_three_statuses)
{
    g_state.fast_io = true;
    g_state.cached = true;
    load();
    PreviousModeScope user(UserMode);
    HANDLE h = open_sync(L"\\??\\ReqBuffered");
    HANDLE event = create_event(FALSE);
    g_state.take();
    char buffer[16];
    LARGE_INTEGER offset;
    offset.QuadPart = 8;
    ULONG key = 0x55;
    for (NTSTATUS status : {STATUS_SUCCESS, STATUS_BUFFER_OVERFLOW, STATUS_END_OF_FILE}) {
        g_state.fast_result = TRUE;
        g_state.fast_status = status;
        g_state.fast_information = 9;
        IO_STATUS_BLOCK iosb = kUntouched;
        EXPECT_EQ(NtReadFile(h, event, nullptr, nullptr, &iosb, buffer, 16, &offset, &key), status);
        EXPECT_EQ(iosb.Status, status);
        EXPECT_EQ(iosb.Information, 9u);
        EXPECT_TRUE(event_signalled(event));
        EXPECT_EQ(g_state.fast_buffer, static_cast<void*>(buffer));
        EXPECT_NE(g_state.fast_offset, &offset);
        EXPECT_NE(g_state.fast_iosb, &iosb);
        EXPECT_EQ(g_state.fast_key, 0x55u);
        EXPECT_TRUE(g_state.take().empty());
    }
    EXPECT_EQ(g_state.fast_calls.load(), 3);

    for (BOOLEAN result : {TRUE, FALSE}) {
        g_state.fast_result = result;
        g_state.fast_status = STATUS_UNSUCCESSFUL;
        g_state.rw_information = 4;
        IO_STATUS_BLOCK iosb = kUntouched;
        EXPECT_EQ(NtReadFile(h, event, nullptr, nullptr, &iosb, buffer, 16, &offset, &key), STATUS_SUCCESS);
        EXPECT_EQ(iosb.Information, 4u);
        std::vector<Record> records = g_state.take();
        ASSERT_EQ(records.size(), 1u);
        EXPECT_EQ(records[0].key, 0x55u);
    }
    EXPECT_EQ(g_state.fast_calls.load(), 5);

    g_state.fast_result = TRUE;
    g_state.fast_status = STATUS_SUCCESS;
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(NtWriteFile(h, nullptr, nullptr, nullptr, &iosb, buffer, 16, nullptr, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(g_state.fast_calls.load(), 6);
    EXPECT_TRUE(g_state.take().empty());
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(event), STATUS_SUCCESS);
}

// NT facts E10, E12: a non-cached file object never sees FastIoRead; FastIoDeviceControl is tried
// whenever the driver has one, and FALSE falls back to the IRP.
TEST_F(RequestsTest, fast_io_needs_a_cached_file_for_reads_but_not_for_ioctls)
{
    g_state.fast_io = true;
    load();
    PreviousModeScope user(UserMode);
    HANDLE h = open_sync(L"\\??\\ReqBuffered");
    HANDLE async = open_async(L"\\??\\ReqBuffered");
    g_state.take();
    g_state.fast_result = TRUE;
    char buffer[16];
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(NtReadFile(h, nullptr, nullptr, nullptr, &iosb, buffer, 16, nullptr, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(g_state.fast_calls.load(), 0);
    EXPECT_EQ(g_state.take().size(), 1u);

    g_state.fast_information = 2;
    HANDLE event = create_event(FALSE);
    iosb = kUntouched;
    EXPECT_EQ(ioctl(async, kIoctlBuffered, nullptr, 0, buffer, 16, &iosb, event), STATUS_SUCCESS);
    EXPECT_EQ(g_state.fast_calls.load(), 1);
    EXPECT_EQ(g_state.fast_buffer, static_cast<void*>(buffer));
    EXPECT_EQ(iosb.Information, 2u);
    EXPECT_TRUE(event_signalled(event));
    EXPECT_TRUE(g_state.take().empty());

    g_state.fast_result = FALSE;
    EXPECT_EQ(ioctl(h, kIoctlBuffered, nullptr, 0, buffer, 16, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(g_state.fast_calls.load(), 2);
    EXPECT_EQ(g_state.take().size(), 1u);
    for (HANDLE x : {h, async, event}) EXPECT_EQ(NtClose(x), STATUS_SUCCESS);
}

// The Zw forms run as KernelMode: the driver sees RequestorMode KernelMode on a kernel handle.
TEST_F(RequestsTest, zw_forms_are_kernel_mode_requests)
{
    load();
    HANDLE h = nullptr;
    {
        PreviousModeScope kernel(KernelMode);
        UNICODE_STRING text;
        RtlInitUnicodeString(&text, L"\\Device\\ReqBuffered");
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &text, OBJ_KERNEL_HANDLE, nullptr, nullptr);
        IO_STATUS_BLOCK iosb{};
        ASSERT_EQ(ZwCreateFile(&h, FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE, &oa, &iosb, nullptr, 0, 0, FILE_OPEN,
                               FILE_SYNCHRONOUS_IO_NONALERT, nullptr, 0),
                  STATUS_SUCCESS);
    }
    g_state.take();
    PreviousModeScope user(UserMode);
    char buffer[8] = {};
    IO_STATUS_BLOCK iosb = kUntouched;
    g_state.rw_information = 8;
    EXPECT_EQ(ZwReadFile(h, nullptr, nullptr, nullptr, &iosb, buffer, 8, nullptr, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(ZwWriteFile(h, nullptr, nullptr, nullptr, &iosb, buffer, 8, nullptr, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(ZwDeviceIoControlFile(h, nullptr, nullptr, nullptr, &iosb, kIoctlBuffered, buffer, 8, buffer, 8),
              STATUS_SUCCESS);
    g_state.behaviour = Behaviour::matrix;
    EXPECT_EQ(ZwFsControlFile(h, nullptr, nullptr, nullptr, &iosb, 0x90000, nullptr, 0, buffer, 8), STATUS_SUCCESS);
    std::vector<Record> records = g_state.take();
    ASSERT_EQ(records.size(), 4u);
    for (const Record& r : records) EXPECT_EQ(r.requestor, KernelMode);
    EXPECT_EQ(records[3].major, IRP_MJ_FILE_SYSTEM_CONTROL);
    EXPECT_EQ(records[3].minor, IRP_MN_USER_FS_REQUEST);
    // A user-mode caller cannot use the kernel handle.
    EXPECT_EQ(NtReadFile(h, nullptr, nullptr, nullptr, &iosb, buffer, 8, nullptr, nullptr), STATUS_INVALID_HANDLE);
    PreviousModeScope kernel(KernelMode);
    EXPECT_EQ(ZwClose(h), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::io::requests_test

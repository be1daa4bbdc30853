// fastfat.sys on asynchronous handles (opened without FILE_SYNCHRONOUS_IO_*, Win32
// FILE_FLAG_OVERLAPPED): what would block is posted to a worker thread, so the request returns
// STATUS_PENDING / ERROR_IO_PENDING and completes later through the event, a completion port or an
// APC; a read at the end of file completes at once (FastFat's behaviour, not NTFS's NT fact I6); a
// synchronous handle never sees STATUS_PENDING; many requests in flight on several files each
// complete once with the right data; a posted request still waiting for a worker can be cancelled;
// the same under the I/O verifier; and the driver unloads after.
#include "fastfat_async_support.hpp"

namespace ntio::test::drivers {
namespace fastfat_async {

TEST_F(FastFatAsyncTest, nt_reads_and_writes_on_an_asynchronous_handle_pend_when_they_would_block) {
    nt_sequence();
    unmount();
    expect_fsck_clean();
}

TEST_F(FastFatAsyncTest, a_directory_query_on_an_asynchronous_handle_is_posted) {
    put_file("\\listed.txt", {1, 2, 3});
    std::u16string path = path_of("\\");
    UNICODE_STRING object_name = unicode(path);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &object_name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    IO_STATUS_BLOCK iosb{};
    HANDLE dir = nullptr;
    ASSERT_EQ(NtCreateFile(&dir, FILE_LIST_DIRECTORY, &oa, &iosb, nullptr, 0, FILE_SHARE_READ | FILE_SHARE_WRITE,
                           FILE_OPEN, FILE_DIRECTORY_FILE, nullptr, 0),
              STATUS_SUCCESS);
    HANDLE event = make_event();
    std::vector<uint8_t> buffer(1024);
    std::u16string mask16 = u"LISTED.TXT";
    UNICODE_STRING mask = unicode(mask16);
    iosb.Information = 0xDEAD;
    NTSTATUS status = NtQueryDirectoryFile(dir, event, nullptr, nullptr, &iosb, buffer.data(), ULONG(buffer.size()),
                                           FileNamesInformation, TRUE, &mask, TRUE);
    EXPECT_EQ(status, STATUS_PENDING);
    if (status == STATUS_PENDING) {
        EXPECT_EQ(NtWaitForSingleObject(event, FALSE, nullptr), STATUS_SUCCESS);
    }
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    auto* names = reinterpret_cast<PFILE_NAMES_INFORMATION>(buffer.data());
    EXPECT_EQ(iosb.Information, FIELD_OFFSET(FILE_NAMES_INFORMATION, FileName) + names->FileNameLength);
    EXPECT_EQ(fat::narrow(names->FileName, names->FileNameLength / sizeof(WCHAR)), "listed.txt");
    EXPECT_EQ(NtClose(event), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(dir), STATUS_SUCCESS);
}

TEST_F(FastFatAsyncTest, overlapped_reads_complete_through_the_event_a_completion_port_and_an_apc) {
    std::vector<uint8_t> data = fat::pattern(3 * 16384, 31);
    put_file("\\event.bin", data);
    put_file("\\port.bin", data);
    put_file("\\apc.bin", data);
    char buffer[6000];

    // (a) The OVERLAPPED's event.
    HANDLE h = CreateFileW(L"Y:\\event.bin", GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING,
                           FILE_FLAG_OVERLAPPED, nullptr);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    OVERLAPPED overlapped{};
    overlapped.Offset = 10000;
    overlapped.hEvent = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    DWORD done = 0xDEAD;
    EXPECT_FALSE(ReadFile(h, buffer, sizeof(buffer), &done, &overlapped));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_IO_PENDING));
    EXPECT_EQ(WaitForSingleObject(overlapped.hEvent, 30000), WAIT_OBJECT_0);
    ASSERT_TRUE(GetOverlappedResult(h, &overlapped, &done, FALSE)) << GetLastError();
    EXPECT_EQ(done, sizeof(buffer));
    EXPECT_EQ(std::memcmp(buffer, data.data() + 10000, sizeof(buffer)), 0);
    // At the end of file: ERROR_HANDLE_EOF at once (FastFat; NTFS pends first, NT fact I6).
    overlapped.Offset = DWORD(data.size());
    EXPECT_FALSE(ReadFile(h, buffer, sizeof(buffer), &done, &overlapped));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_HANDLE_EOF));
    EXPECT_TRUE(CloseHandle(overlapped.hEvent));
    EXPECT_TRUE(CloseHandle(h));

    // (b) A completion port.
    h = CreateFileW(L"Y:\\port.bin", GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING, FILE_FLAG_OVERLAPPED,
                    nullptr);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    HANDLE port = CreateIoCompletionPort(h, nullptr, 0x5150, 0);
    ASSERT_NE(port, nullptr) << GetLastError();
    overlapped = OVERLAPPED{};
    overlapped.Offset = 20000;
    EXPECT_FALSE(ReadFile(h, buffer, sizeof(buffer), nullptr, &overlapped));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_IO_PENDING));
    DWORD bytes = 0;
    ULONG_PTR key = 0;
    LPOVERLAPPED which = nullptr;
    ASSERT_TRUE(GetQueuedCompletionStatus(port, &bytes, &key, &which, 30000)) << GetLastError();
    EXPECT_EQ(which, &overlapped);
    EXPECT_EQ(key, ULONG_PTR(0x5150));
    EXPECT_EQ(bytes, sizeof(buffer));
    EXPECT_EQ(std::memcmp(buffer, data.data() + 20000, sizeof(buffer)), 0);
    EXPECT_FALSE(GetQueuedCompletionStatus(port, &bytes, &key, &which, 0));
    EXPECT_TRUE(CloseHandle(h));
    EXPECT_TRUE(CloseHandle(port));

    // (c) An APC, delivered in an alertable wait.
    h = CreateFileW(L"Y:\\apc.bin", GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING, FILE_FLAG_OVERLAPPED,
                    nullptr);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    struct Apc {
        OVERLAPPED overlapped{};  // first: the routine gets this address back
        int calls = 0;
        DWORD error = 0xDEAD;
        DWORD bytes = 0;
    } apc;
    apc.overlapped.Offset = 30000;
    ASSERT_TRUE(ReadFileEx(h, buffer, sizeof(buffer), &apc.overlapped,
                           [](DWORD error, DWORD bytes, LPOVERLAPPED overlapped) {
                               auto* self = reinterpret_cast<Apc*>(overlapped);
                               ++self->calls;
                               self->error = error;
                               self->bytes = bytes;
                           }))
        << GetLastError();
    EXPECT_EQ(apc.calls, 0);
    for (int i = 0; i < 300 && apc.calls == 0; ++i) SleepEx(100, TRUE);
    EXPECT_EQ(apc.calls, 1);
    EXPECT_EQ(apc.error, DWORD(ERROR_SUCCESS));
    EXPECT_EQ(apc.bytes, sizeof(buffer));
    EXPECT_EQ(std::memcmp(buffer, data.data() + 30000, sizeof(buffer)), 0);
    EXPECT_EQ(SleepEx(0, TRUE), 0u);
    EXPECT_EQ(apc.calls, 1);
    EXPECT_TRUE(CloseHandle(h));
}

TEST_F(FastFatAsyncTest, an_overlapped_non_cached_write_pends_and_reads_back) {
    put_file("\\direct.bin", fat::pattern(8 * kSector, 41));
    HANDLE h = CreateFileW(L"Y:\\direct.bin", GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                           FILE_FLAG_OVERLAPPED | FILE_FLAG_NO_BUFFERING, nullptr);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    AlignedBuffer sectors = aligned(2 * kSector);
    std::vector<uint8_t> patch = fat::pattern(2 * kSector, 42);
    std::memcpy(sectors.get(), patch.data(), patch.size());
    OVERLAPPED overlapped{};
    overlapped.Offset = 3 * kSector;
    overlapped.hEvent = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    DWORD done = 0;
    EXPECT_FALSE(WriteFile(h, sectors.get(), 2 * kSector, &done, &overlapped));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_IO_PENDING));
    ASSERT_TRUE(GetOverlappedResult(h, &overlapped, &done, TRUE)) << GetLastError();
    EXPECT_EQ(done, 2 * kSector);
    EXPECT_TRUE(CloseHandle(overlapped.hEvent));
    EXPECT_TRUE(CloseHandle(h));
    std::vector<uint8_t> expected = fat::pattern(8 * kSector, 41);
    std::copy(patch.begin(), patch.end(), expected.begin() + 3 * kSector);
    EXPECT_EQ(get_file("\\direct.bin"), expected);
    unmount();
    expect_fsck_clean();
    EXPECT_EQ(fat::mtype(m_image, "direct.bin"), expected);
}

TEST_F(FastFatAsyncTest, many_overlapped_requests_on_several_files_each_complete_once) {
    many_requests_in_flight(4, 24, Told::port);
    many_requests_in_flight(4, 24, Told::apc);
    unmount();
    expect_fsck_clean();
}

// A posted request waits in its volume's cancel-safe queue until a worker takes it; a volume has at
// most two workers, which take the queue in order. With a file held, two posted reads of it take
// both workers (which block on the file), so a third request (another file, not cached: posted)
// waits in the queue: NtCancelIoFile completes it with STATUS_CANCELLED and no bytes, in the IOSB
// and the event, while the two before it complete normally once the file is free. The cancelled
// handle works afterwards.
TEST_F(FastFatAsyncTest, a_posted_request_waiting_for_a_worker_is_cancelled_by_NtCancelIoFile) {
    std::vector<uint8_t> busy_data = fat::pattern(16384, 51);
    std::vector<uint8_t> queued_data = fat::pattern(16384, 52);
    put_file("\\busy.bin", busy_data);
    put_file("\\queued.bin", queued_data);  // closed: not in the cache, so an asynchronous read posts
    HANDLE busy = nullptr;
    HANDLE queued = nullptr;
    ASSERT_EQ(open_async("\\busy.bin", &busy), STATUS_SUCCESS);
    ASSERT_EQ(open_async("\\queued.bin", &queued), STATUS_SUCCESS);

    FileHeld held(busy);
    std::vector<uint8_t> first(1000, 0xEE), second(1000, 0xEE), third(1000, 0xEE);
    auto a = start(busy, false, first.data(), 1000, 0);
    auto b = start(busy, false, second.data(), 1000, 5000);
    EXPECT_EQ(a->returned, STATUS_PENDING);
    EXPECT_EQ(b->returned, STATUS_PENDING);
    auto c = start(queued, false, third.data(), 1000, 2000);
    ASSERT_EQ(c->returned, STATUS_PENDING);

    IO_STATUS_BLOCK cancel_iosb{};
    EXPECT_EQ(NtCancelIoFile(queued, &cancel_iosb), STATUS_SUCCESS);
    ASSERT_TRUE(finish(*c));
    EXPECT_EQ(c->iosb.Status, STATUS_CANCELLED);
    EXPECT_EQ(c->iosb.Information, 0u);
    EXPECT_EQ(third, std::vector<uint8_t>(1000, 0xEE));
    // The two before it still wait for the file (taken by the workers, or about to be).
    EXPECT_EQ(a->iosb.Status, kUntouched);
    EXPECT_EQ(b->iosb.Status, kUntouched);

    held.release();
    ASSERT_TRUE(finish(*a));
    ASSERT_TRUE(finish(*b));
    EXPECT_EQ(a->iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(a->iosb.Information, 1000u);
    EXPECT_TRUE(std::equal(first.begin(), first.end(), busy_data.begin()));
    EXPECT_EQ(b->iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(b->iosb.Information, 1000u);
    EXPECT_TRUE(std::equal(second.begin(), second.end(), busy_data.begin() + 5000));

    // Nothing left of the cancelled request: the handle reads as before.
    Outcome out = transfer(queued, false, third.data(), 1000, 2000);
    EXPECT_EQ(out.status, STATUS_SUCCESS);
    EXPECT_EQ(out.information, 1000u);
    EXPECT_TRUE(std::equal(third.begin(), third.end(), queued_data.begin() + 2000));
    EXPECT_EQ(NtClose(busy), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(queued), STATUS_SUCCESS);
    unmount();
    expect_fsck_clean();
}

class FastFatAsyncVerifiedTest : public FastFatAsyncTest {
protected:
    bool verified() const override { return true; }
};

// The verifier watches the posting: IoMarkIrpPending before STATUS_PENDING, completion on the
// worker, work items freed, nothing of the driver's left queued when it unloads.
TEST_F(FastFatAsyncVerifiedTest, posted_requests_under_the_verifier_are_not_flagged) {
    UNICODE_STRING driver_name = RTL_CONSTANT_STRING(L"\\Driver\\Fastfat");
    PVOID driver = nullptr;
    ASSERT_EQ(ObReferenceObjectByName(&driver_name, OBJ_CASE_INSENSITIVE, nullptr, 0, *IoDriverObjectType, KernelMode,
                                      nullptr, &driver),
              STATUS_SUCCESS);
    EXPECT_EQ(NtioVerifierQueryFlags(static_cast<PDRIVER_OBJECT>(driver)), NTIO_VERIFIER_STANDARD_FLAGS);
    ObDereferenceObject(driver);
    nt_sequence();
    // Through a port too: the packets a completion on the driver's worker takes are the port's,
    // not the driver's (its unload's leak check must not report them).
    many_requests_in_flight(3, 8, Told::port);
    many_requests_in_flight(3, 8, Told::apc);
    // Nothing pending: the driver unloads.
    unlink();
    unmount();
    expect_fsck_clean();
}

}  // namespace fastfat_async
}  // namespace ntio::test::drivers

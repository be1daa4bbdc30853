// The fixture of fastfat.sys's asynchronous-handle tests (fastfat_async_driver_test.cpp) and their
// stress test (fastfat_async_stress_test.cpp): a FAT volume on the RAM disk linked at Y:, opens of
// asynchronous file objects, and many overlapped requests in flight on several files.
#pragma once

#include "fastfat_driver_support.hpp"

#include <windows.h>

#include <cstdlib>
#include <map>
#include <memory>

namespace ntio::test::drivers {
namespace fastfat_async {

constexpr ULONG kSector = 512;

// Sector-aligned (page-aligned) buffers for non-cached transfers.
struct AlignedFree {
    void operator()(uint8_t* p) const { std::free(p); }
};
using AlignedBuffer = std::unique_ptr<uint8_t[], AlignedFree>;
inline AlignedBuffer aligned(size_t size) {
    return AlignedBuffer(static_cast<uint8_t*>(std::aligned_alloc(4096, (size + 4095) / 4096 * 4096)));
}

class FastFatAsyncTest : public FastFatTest {
protected:
    void SetUp() override {
        FastFatTest::SetUp();
        if (IsSkipped()) return;
        mount(verified());
    }
    virtual bool verified() const { return false; }
    void TearDown() override {
        unlink();
        FastFatTest::TearDown();
    }

    void mount(bool verified) {
        format({16, 16384, 4, kSector, "ASYNC"}, verified);
        UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\??\\Y:");
        UNICODE_STRING target = RTL_CONSTANT_STRING(L"\\Device\\Ramdisk0");
        ASSERT_EQ(IoCreateSymbolicLink(&link, &target), STATUS_SUCCESS);
        m_linked = true;
    }
    void unlink() {
        if (!m_linked) return;
        UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\??\\Y:");
        EXPECT_EQ(IoDeleteSymbolicLink(&link), STATUS_SUCCESS);
        m_linked = false;
    }
    bool m_linked = false;

    // NtCreateFile without FILE_SYNCHRONOUS_IO_*: an asynchronous file object.
    NTSTATUS open_async(const std::string& name, HANDLE* h, ULONG options = 0, ULONG disposition = FILE_OPEN) {
        std::u16string path = path_of(name);
        UNICODE_STRING object_name = unicode(path);
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &object_name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
        IO_STATUS_BLOCK iosb{};
        *h = nullptr;
        return NtCreateFile(h, GENERIC_READ | GENERIC_WRITE, &oa, &iosb, nullptr, FILE_ATTRIBUTE_NORMAL,
                            FILE_SHARE_READ | FILE_SHARE_WRITE, disposition, options | FILE_NON_DIRECTORY_FILE,
                            nullptr, 0);
    }

    static HANDLE make_event() {
        HANDLE event = nullptr;
        EXPECT_EQ(NtCreateEvent(&event, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_SUCCESS);
        return event;
    }

    // An overlapped transfer on an asynchronous handle: the service's status, then the request's
    // final status and byte count once its event is signalled.
    struct Outcome {
        NTSTATUS returned;
        NTSTATUS status;
        ULONG_PTR information;
    };
    static Outcome transfer(HANDLE h, bool write, void* buffer, ULONG length, LONGLONG offset) {
        HANDLE event = make_event();
        IO_STATUS_BLOCK iosb;
        iosb.Status = STATUS_PENDING - 1;
        iosb.Information = 0xDEAD;
        LARGE_INTEGER where;
        where.QuadPart = offset;
        Outcome out{};
        out.returned = write ? NtWriteFile(h, event, nullptr, nullptr, &iosb, buffer, length, &where, nullptr)
                             : NtReadFile(h, event, nullptr, nullptr, &iosb, buffer, length, &where, nullptr);
        if (out.returned == STATUS_PENDING) {
            EXPECT_EQ(NtWaitForSingleObject(event, FALSE, nullptr), STATUS_SUCCESS);
        }
        out.status = iosb.Status;
        out.information = iosb.Information;
        EXPECT_EQ(NtClose(event), STATUS_SUCCESS);
        return out;
    }

    // Holds an open file's FCB (the FsContext's FSRTL_COMMON_FCB_HEADER Resource) exclusive, as
    // FsRtlAcquireFileExclusive does for the memory manager: the file system's requests on that file
    // wait for it, so on an asynchronous handle they are posted and their workers block.
    class FileHeld {
    public:
        explicit FileHeld(HANDLE h) {
            EXPECT_EQ(ObReferenceObjectByHandle(h, 0, *IoFileObjectType, KernelMode, reinterpret_cast<PVOID*>(&m_file),
                                                nullptr),
                      STATUS_SUCCESS);
            if (!m_file) return;
            KeEnterCriticalRegion();
            ExAcquireResourceExclusiveLite(header()->Resource, TRUE);
        }
        ~FileHeld() { release(); }
        void release() {
            if (!m_file) return;
            ExReleaseResourceLite(header()->Resource);
            KeLeaveCriticalRegion();
            ObDereferenceObject(m_file);
            m_file = nullptr;
        }

    private:
        PFSRTL_COMMON_FCB_HEADER header() const { return static_cast<PFSRTL_COMMON_FCB_HEADER>(m_file->FsContext); }
        PFILE_OBJECT m_file = nullptr;
    };

    // An overlapped transfer started and not waited for: its event and IOSB (status preset to a
    // value no request leaves, so a request still in flight shows).
    static constexpr NTSTATUS kUntouched = STATUS_PENDING - 1;
    struct InFlight {
        NTSTATUS returned = 0;
        HANDLE event = nullptr;
        IO_STATUS_BLOCK iosb{};
    };
    static std::unique_ptr<InFlight> start(HANDLE h, bool write, void* buffer, ULONG length, LONGLONG offset) {
        auto op = std::make_unique<InFlight>();
        op->event = make_event();
        op->iosb.Status = kUntouched;
        op->iosb.Information = 0xDEAD;
        LARGE_INTEGER where;
        where.QuadPart = offset;
        op->returned = write ? NtWriteFile(h, op->event, nullptr, nullptr, &op->iosb, buffer, length, &where, nullptr)
                             : NtReadFile(h, op->event, nullptr, nullptr, &op->iosb, buffer, length, &where, nullptr);
        return op;
    }
    // Waits for it (at most timeout_ms); TRUE when it completed.
    static bool finish(InFlight& op, int timeout_ms = 30000) {
        LARGE_INTEGER timeout;
        timeout.QuadPart = -10000LL * timeout_ms;
        const bool done = NtWaitForSingleObject(op.event, FALSE, &timeout) == STATUS_SUCCESS;
        if (done) {
            EXPECT_EQ(NtClose(op.event), STATUS_SUCCESS);
        }
        return done;
    }

    // Many overlapped reads and writes in flight at once on several files, cached and not, told
    // through one completion port or through APCs (WriteFileEx / ReadFileEx): every one completes
    // exactly once with its byte count, and the data is right. Reads take the second half of each
    // file (written before), writes the first.
    enum class Told { port, apc };
    struct Op {
        OVERLAPPED overlapped{};  // first: an APC's routine gets this address back
        AlignedBuffer buffer;
        int file = 0;
        bool write = false;
        ULONG offset = 0;
        int completions = 0;
        DWORD error = 0;
        DWORD bytes = 0;
    };
    static VOID WINAPI op_done(DWORD error, DWORD bytes, LPOVERLAPPED overlapped) {
        auto* op = reinterpret_cast<Op*>(overlapped);
        ++op->completions;
        op->error = error;
        op->bytes = bytes;
    }
    void many_requests_in_flight(int files, int per_file, Told told) {
        constexpr ULONG kChunk = 4096;
        const ULONG half = kChunk * ULONG(per_file);
        std::vector<std::vector<uint8_t>> contents;
        for (int f = 0; f < files; ++f) {
            contents.push_back(fat::pattern(2 * half, 100 + f));
            put_file("\\many" + std::to_string(f) + ".bin", contents.back());
        }
        HANDLE port = nullptr;
        if (told == Told::port) {
            port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 0);
            ASSERT_NE(port, nullptr);
        }
        std::vector<HANDLE> handles;
        for (int f = 0; f < files; ++f) {
            std::u16string name = u"Y:\\many" + u16(std::to_string(f)) + u".bin";
            // Every other file non-cached.
            DWORD flags = FILE_FLAG_OVERLAPPED | (f % 2 ? FILE_FLAG_NO_BUFFERING : 0);
            HANDLE h = CreateFileW(reinterpret_cast<LPCWSTR>(name.c_str()), GENERIC_READ | GENERIC_WRITE,
                                   FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr, OPEN_EXISTING, flags, nullptr);
            ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
            if (port) {
                ASSERT_EQ(CreateIoCompletionPort(h, port, ULONG_PTR(f + 1), 0), port);
            }
            handles.push_back(h);
        }
        std::vector<std::unique_ptr<Op>> ops;
        for (int i = 0; i < per_file; ++i) {
            for (int f = 0; f < files; ++f) {
                for (bool write : {true, false}) {
                    auto op = std::make_unique<Op>();
                    op->file = f;
                    op->write = write;
                    op->offset = (write ? 0 : half) + ULONG(i) * kChunk;
                    op->buffer = aligned(kChunk);
                    if (write) {
                        std::vector<uint8_t> data = fat::pattern(kChunk, 1000 + f * per_file + i);
                        std::memcpy(op->buffer.get(), data.data(), kChunk);
                        std::memcpy(contents[f].data() + op->offset, data.data(), kChunk);
                    } else {
                        std::memset(op->buffer.get(), 0xEE, kChunk);
                    }
                    op->overlapped.Offset = op->offset;
                    if (told == Told::apc) {
                        BOOL queued = write ? WriteFileEx(handles[f], op->buffer.get(), kChunk, &op->overlapped, op_done)
                                            : ReadFileEx(handles[f], op->buffer.get(), kChunk, &op->overlapped, op_done);
                        EXPECT_TRUE(queued) << GetLastError();
                    } else {
                        BOOL done = write ? WriteFile(handles[f], op->buffer.get(), kChunk, nullptr, &op->overlapped)
                                          : ReadFile(handles[f], op->buffer.get(), kChunk, nullptr, &op->overlapped);
                        if (!done) {
                            EXPECT_EQ(GetLastError(), DWORD(ERROR_IO_PENDING));
                        }
                        // Non-cached transfers need the disk: always posted.
                        if (f % 2) {
                            EXPECT_FALSE(done);
                        }
                    }
                    ops.push_back(std::move(op));
                }
            }
        }
        if (told == Told::port) {
            std::map<LPOVERLAPPED, Op*> by_overlapped;
            for (auto& op : ops) by_overlapped[&op->overlapped] = op.get();
            for (size_t n = 0; n < ops.size(); ++n) {
                DWORD bytes = 0;
                ULONG_PTR key = 0;
                LPOVERLAPPED overlapped = nullptr;
                ASSERT_TRUE(GetQueuedCompletionStatus(port, &bytes, &key, &overlapped, 30000)) << GetLastError();
                auto it = by_overlapped.find(overlapped);
                ASSERT_NE(it, by_overlapped.end());
                EXPECT_EQ(key, ULONG_PTR(it->second->file + 1));
                op_done(ERROR_SUCCESS, bytes, overlapped);
            }
            // Nothing completes twice.
            DWORD bytes = 0;
            ULONG_PTR key = 0;
            LPOVERLAPPED overlapped = nullptr;
            EXPECT_FALSE(GetQueuedCompletionStatus(port, &bytes, &key, &overlapped, 0));
        } else {
            auto all_told = [&] {
                for (auto& op : ops) {
                    if (!op->completions) return false;
                }
                return true;
            };
            for (int i = 0; i < 300 && !all_told(); ++i) SleepEx(100, TRUE);
            // Nothing completes twice.
            SleepEx(0, TRUE);
        }
        for (auto& op : ops) {
            EXPECT_EQ(op->completions, 1);
            EXPECT_EQ(op->error, DWORD(ERROR_SUCCESS));
            EXPECT_EQ(op->bytes, kChunk);
            if (!op->write) {
                EXPECT_EQ(std::memcmp(op->buffer.get(), contents[op->file].data() + op->offset, kChunk), 0)
                    << "file " << op->file << " offset " << op->offset;
            }
        }
        for (HANDLE h : handles) EXPECT_TRUE(CloseHandle(h));
        if (port) {
            EXPECT_TRUE(CloseHandle(port));
        }
        for (int f = 0; f < files; ++f) EXPECT_EQ(get_file("\\many" + std::to_string(f) + ".bin"), contents[f]) << f;
    }

    // Reads and writes on asynchronous handles, cached and non-cached, through the Nt services.
    void nt_sequence() {
        std::vector<uint8_t> data = fat::pattern(65536, 7);
        put_file("\\cold.bin", data);  // closed: its cache map went with its last handle
        HANDLE h = nullptr;
        ASSERT_EQ(open_async("\\cold.bin", &h), STATUS_SUCCESS);
        std::vector<uint8_t> back(8192, 0xEE);
        // Not in the cache: CcCopyRead without waiting refuses, the read is posted.
        Outcome out = transfer(h, false, back.data(), ULONG(back.size()), 4096);
        EXPECT_EQ(out.returned, STATUS_PENDING);
        EXPECT_EQ(out.status, STATUS_SUCCESS);
        EXPECT_EQ(out.information, back.size());
        EXPECT_TRUE(std::equal(back.begin(), back.end(), data.begin() + 4096));
        // FastFat checks the end of file once it holds the FCB: STATUS_END_OF_FILE at once.
        out = transfer(h, false, back.data(), 16, LONGLONG(data.size()));
        EXPECT_EQ(out.returned, STATUS_END_OF_FILE);
        // A short read at the end (perhaps resident now, perhaps not): the bytes up to the end.
        out = transfer(h, false, back.data(), ULONG(back.size()), LONGLONG(data.size()) - 100);
        EXPECT_TRUE(out.returned == STATUS_PENDING || out.returned == STATUS_SUCCESS) << std::hex << out.returned;
        EXPECT_EQ(out.status, STATUS_SUCCESS);
        EXPECT_EQ(out.information, 100u);
        EXPECT_TRUE(std::equal(back.begin(), back.begin() + 100, data.end() - 100));
        // An extending write allocates on the disk: posted; the data is there read back synchronously.
        std::vector<uint8_t> more = fat::pattern(5000, 8);
        out = transfer(h, true, more.data(), ULONG(more.size()), LONGLONG(data.size()));
        EXPECT_EQ(out.returned, STATUS_PENDING);
        EXPECT_EQ(out.status, STATUS_SUCCESS);
        EXPECT_EQ(out.information, more.size());
        data.insert(data.end(), more.begin(), more.end());
        EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
        EXPECT_EQ(get_file("\\cold.bin"), data);

        // Non-cached: the transfer needs the disk, so it is posted.
        ASSERT_EQ(open_async("\\cold.bin", &h, FILE_NO_INTERMEDIATE_BUFFERING), STATUS_SUCCESS);
        AlignedBuffer sectors = aligned(4 * kSector);
        std::memset(sectors.get(), 0xEE, 4 * kSector);
        out = transfer(h, false, sectors.get(), 4 * kSector, 2 * kSector);
        EXPECT_EQ(out.returned, STATUS_PENDING);
        EXPECT_EQ(out.status, STATUS_SUCCESS);
        EXPECT_EQ(out.information, 4 * kSector);
        EXPECT_EQ(std::memcmp(sectors.get(), data.data() + 2 * kSector, 4 * kSector), 0);
        std::vector<uint8_t> patch = fat::pattern(2 * kSector, 9);
        std::memcpy(sectors.get(), patch.data(), patch.size());
        out = transfer(h, true, sectors.get(), 2 * kSector, 8 * kSector);
        EXPECT_EQ(out.returned, STATUS_PENDING);
        EXPECT_EQ(out.status, STATUS_SUCCESS);
        EXPECT_EQ(out.information, 2 * kSector);
        std::copy(patch.begin(), patch.end(), data.begin() + 8 * kSector);
        EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
        EXPECT_EQ(get_file("\\cold.bin"), data);

        // A synchronous handle: the services wait, STATUS_PENDING never comes back.
        ASSERT_EQ(create("\\cold.bin", &h, FILE_OPEN, GENERIC_READ, FILE_NON_DIRECTORY_FILE), STATUS_SUCCESS);
        IO_STATUS_BLOCK iosb{};
        EXPECT_EQ(read_at(h, back.data(), ULONG(back.size()), 100, &iosb), STATUS_SUCCESS);
        EXPECT_EQ(iosb.Information, back.size());
        EXPECT_TRUE(std::equal(back.begin(), back.end(), data.begin() + 100));
        EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    }
};

}  // namespace fastfat_async
}  // namespace ntio::test::drivers

// The fixture of the oplock conformance suites: a FAT volume on ramdisk.sys served by fastfat.sys,
// asynchronous opens of one file (oplock requests stay pending, so they need handles without
// FILE_SYNCHRONOUS_IO_*), and NtFsControlFile requests whose outcome is read once their event is set.
#pragma once

#include "fastfat/fastfat_driver_support.hpp"

#include <winioctl.h>

#include <memory>
#include <string>

namespace ntio::test::oplocks {

using ntio::test::drivers::FastFatTest;

// The Windows 7 caching levels, short.
inline constexpr ULONG R = OPLOCK_LEVEL_CACHE_READ;
inline constexpr ULONG H = OPLOCK_LEVEL_CACHE_HANDLE;
inline constexpr ULONG W = OPLOCK_LEVEL_CACHE_WRITE;

// One NtFsControlFile request: what the service returned, then the final IOSB once its event is set.
struct Fsctl {
    HANDLE event = nullptr;
    IO_STATUS_BLOCK iosb{};
    NTSTATUS returned = STATUS_UNSUCCESSFUL;
    REQUEST_OPLOCK_INPUT_BUFFER input{};
    REQUEST_OPLOCK_OUTPUT_BUFFER output{};

    Fsctl() { EXPECT_EQ(NtCreateEvent(&event, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_SUCCESS); }
    ~Fsctl() { (void)NtClose(event); }
    Fsctl(const Fsctl&) = delete;
    Fsctl& operator=(const Fsctl&) = delete;

    bool done() const {
        LARGE_INTEGER zero{};
        return NtWaitForSingleObject(event, FALSE, &zero) == STATUS_SUCCESS;
    }
    // Waits for the request to complete and returns its final status.
    NTSTATUS wait() const {
        EXPECT_EQ(NtWaitForSingleObject(event, FALSE, nullptr), STATUS_SUCCESS);
        return iosb.Status;
    }
};

class OplockFatTest : public FastFatTest {
protected:
    void SetUp() override {
        FastFatTest::SetUp();
        if (IsSkipped()) return;
        format({16, 16384, 4, 512, "OPLOCK"});
        put_file("\\file.bin", std::vector<uint8_t>(4096, 0x5A));
    }

    // An asynchronous open of \file.bin.
    NTSTATUS open(HANDLE* h, ACCESS_MASK access = GENERIC_READ | GENERIC_WRITE, ULONG options = 0,
                  ULONG disposition = FILE_OPEN, const std::string& name = "\\file.bin",
                  ULONG share = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE) {
        std::u16string path = path_of(name);
        UNICODE_STRING object_name = drivers::unicode(path);
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &object_name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
        IO_STATUS_BLOCK iosb{};
        *h = nullptr;
        return NtCreateFile(h, access | SYNCHRONIZE, &oa, &iosb, nullptr, FILE_ATTRIBUTE_NORMAL,
                            share, disposition,
                            options | FILE_NON_DIRECTORY_FILE, nullptr, 0);
    }

    // A legacy oplock FSCTL (no buffers) on `h`.
    static std::unique_ptr<Fsctl> legacy(HANDLE h, ULONG code) {
        auto f = std::make_unique<Fsctl>();
        f->returned = NtFsControlFile(h, f->event, nullptr, nullptr, &f->iosb, code, nullptr, 0, nullptr, 0);
        return f;
    }
    // FSCTL_REQUEST_OPLOCK with REQUEST_OPLOCK_INPUT_BUFFER / REQUEST_OPLOCK_OUTPUT_BUFFER.
    static std::unique_ptr<Fsctl> win7(HANDLE h, ULONG level, ULONG flags) {
        auto f = std::make_unique<Fsctl>();
        f->input.StructureVersion = REQUEST_OPLOCK_CURRENT_VERSION;
        f->input.StructureLength = sizeof(f->input);
        f->input.RequestedOplockLevel = level;
        f->input.Flags = flags;
        f->returned = NtFsControlFile(h, f->event, nullptr, nullptr, &f->iosb, FSCTL_REQUEST_OPLOCK, &f->input,
                                      sizeof(f->input), &f->output, sizeof(f->output));
        return f;
    }

    static NTSTATUS write_one(HANDLE h, LONGLONG offset) {
        auto f = std::make_unique<Fsctl>();
        char byte = 1;
        LARGE_INTEGER where;
        where.QuadPart = offset;
        NTSTATUS status = NtWriteFile(h, f->event, nullptr, nullptr, &f->iosb, &byte, 1, &where, nullptr);
        if (status == STATUS_PENDING) status = f->wait();
        return status;
    }
    static NTSTATUS read_one(HANDLE h, LONGLONG offset) {
        auto f = std::make_unique<Fsctl>();
        char byte = 0;
        LARGE_INTEGER where;
        where.QuadPart = offset;
        NTSTATUS status = NtReadFile(h, f->event, nullptr, nullptr, &f->iosb, &byte, 1, &where, nullptr);
        if (status == STATUS_PENDING) status = f->wait();
        return status;
    }
};

}  // namespace ntio::test::oplocks

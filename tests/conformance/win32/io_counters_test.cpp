// GetProcessIoCounters (NtQueryInformationProcess ProcessIoCounters): the process's reads, writes and
// other requests, and the bytes each moved, counted on a host file through C:, with the errors for
// bad handles, rights and buffers.
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-getprocessiocounters
// https://learn.microsoft.com/windows/win32/api/winnt/ns-winnt-io_counters
#include "support/host_directory.hpp"
#include "win32_test_support.hpp"

#include <ntio/ntapi.h>

namespace ntio::test {
namespace {

class IoCountersTest : public Win32Test {
protected:
    void SetUp() override {
        Win32Test::SetUp();
        ASSERT_FALSE(m_dir.path().empty());
    }
    // C:\tmp\ntio-io-...\<name>
    std::u16string path(const char* name) const {
        std::u16string out = u"C:";
        for (char c : m_dir.path() + name) out.push_back(c == '/' ? u'\\' : static_cast<char16_t>(c));
        return out;
    }
    static LPCWSTR w(const std::u16string& s) { return reinterpret_cast<LPCWSTR>(s.c_str()); }
    static IO_COUNTERS now() {
        IO_COUNTERS counters{};
        EXPECT_TRUE(GetProcessIoCounters(GetCurrentProcess(), &counters)) << GetLastError();
        return counters;
    }
    HostDirectory m_dir{"ntio-io-"};
};

TEST_F(IoCountersTest, reads_and_writes_count_their_calls_and_bytes) {
    Win32Handle file(CreateFileW(w(path("\\a.bin")), GENERIC_READ | GENERIC_WRITE, 0, nullptr, CREATE_NEW,
                                 FILE_ATTRIBUTE_NORMAL, nullptr));
    ASSERT_NE(file.get(), INVALID_HANDLE_VALUE) << GetLastError();
    const IO_COUNTERS before = now();

    char data[100] = {};
    DWORD done = 0;
    ASSERT_TRUE(WriteFile(file, data, sizeof data, &done, nullptr));
    ASSERT_TRUE(SetFilePointer(file, 0, nullptr, FILE_BEGIN) == 0);
    char buffer[64];
    ASSERT_TRUE(ReadFile(file, buffer, 40, &done, nullptr));
    ASSERT_EQ(done, 40u);
    ASSERT_TRUE(ReadFile(file, buffer, 64, &done, nullptr));
    ASSERT_EQ(done, 60u) << "what is left of the file";

    const IO_COUNTERS after = now();
    EXPECT_EQ(after.ReadOperationCount - before.ReadOperationCount, 2u);
    EXPECT_EQ(after.ReadTransferCount - before.ReadTransferCount, 100u);
    EXPECT_EQ(after.WriteOperationCount - before.WriteOperationCount, 1u);
    EXPECT_EQ(after.WriteTransferCount - before.WriteTransferCount, 100u);
}

// "Other" operations: requests that are neither reads nor writes, with the bytes they report.
TEST_F(IoCountersTest, queries_and_flushes_are_other_operations) {
    Win32Handle file(CreateFileW(w(path("\\b.bin")), GENERIC_READ | GENERIC_WRITE, 0, nullptr, CREATE_NEW,
                                 FILE_ATTRIBUTE_NORMAL, nullptr));
    ASSERT_NE(file.get(), INVALID_HANDLE_VALUE) << GetLastError();
    const IO_COUNTERS before = now();
    ASSERT_TRUE(FlushFileBuffers(file));
    IO_STATUS_BLOCK iosb{};
    FILE_STANDARD_INFORMATION standard{};
    ASSERT_EQ(NtQueryInformationFile(file, &iosb, &standard, sizeof standard, FileStandardInformation), STATUS_SUCCESS);
    const IO_COUNTERS after = now();
    EXPECT_EQ(after.OtherOperationCount - before.OtherOperationCount, 2u);
    EXPECT_EQ(after.OtherTransferCount - before.OtherTransferCount, iosb.Information);
    EXPECT_EQ(after.ReadOperationCount, before.ReadOperationCount);
    EXPECT_EQ(after.WriteOperationCount, before.WriteOperationCount);
}

// A read the I/O manager refuses before it takes it (the handle cannot read) is no operation.
TEST_F(IoCountersTest, a_request_refused_at_the_handle_is_not_counted) {
    Win32Handle file(CreateFileW(w(path("\\c.bin")), GENERIC_WRITE, 0, nullptr, CREATE_NEW, FILE_ATTRIBUTE_NORMAL,
                                 nullptr));
    ASSERT_NE(file.get(), INVALID_HANDLE_VALUE) << GetLastError();
    const IO_COUNTERS before = now();
    char buffer[8];
    DWORD done = 0;
    EXPECT_FALSE(ReadFile(file, buffer, sizeof buffer, &done, nullptr));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_ACCESS_DENIED));
    const IO_COUNTERS after = now();
    EXPECT_EQ(after.ReadOperationCount, before.ReadOperationCount);
    EXPECT_EQ(after.ReadTransferCount, before.ReadTransferCount);
}

struct WriterJob {
    HANDLE file;
    DWORD bytes;
};
DWORD WINAPI write_and_exit(LPVOID parameter) {
    auto* job = static_cast<WriterJob*>(parameter);
    char data[256] = {};
    DWORD done = 0;
    return WriteFile(job->file, data, job->bytes, &done, nullptr) && done == job->bytes ? 0 : 1;
}

// The process's figures are its threads', those that have ended included.
TEST_F(IoCountersTest, an_ended_threads_io_stays_in_the_process_figures) {
    Win32Handle file(CreateFileW(w(path("\\d.bin")), GENERIC_WRITE, 0, nullptr, CREATE_NEW, FILE_ATTRIBUTE_NORMAL,
                                 nullptr));
    ASSERT_NE(file.get(), INVALID_HANDLE_VALUE) << GetLastError();
    const IO_COUNTERS before = now();
    WriterJob job{file.get(), 77};
    {
        Win32Handle thread(CreateThread(nullptr, 0, write_and_exit, &job, 0, nullptr));
        ASSERT_NE(thread.get(), nullptr);
        ASSERT_EQ(WaitForSingleObject(thread, INFINITE), WAIT_OBJECT_0);
        DWORD code = 1;
        ASSERT_TRUE(GetExitCodeThread(thread, &code));
        ASSERT_EQ(code, 0u);
    }
    const IO_COUNTERS after = now();
    EXPECT_EQ(after.WriteOperationCount - before.WriteOperationCount, 1u);
    EXPECT_EQ(after.WriteTransferCount - before.WriteTransferCount, 77u);
}

TEST_F(IoCountersTest, bad_handles_rights_and_buffers_fail) {
    IO_COUNTERS counters{};
    EXPECT_FALSE(GetProcessIoCounters(GetCurrentProcess(), nullptr));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_NOACCESS));
    EXPECT_FALSE(GetProcessIoCounters(nullptr, &counters));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
    EXPECT_FALSE(GetProcessIoCounters(GetCurrentThread(), &counters));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));

    // PROCESS_QUERY_LIMITED_INFORMATION is enough; a handle without either query right is not.
    HANDLE limited = nullptr;
    ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), GetCurrentProcess(), GetCurrentProcess(), &limited,
                                PROCESS_QUERY_LIMITED_INFORMATION, FALSE, 0));
    EXPECT_TRUE(GetProcessIoCounters(limited, &counters)) << GetLastError();
    EXPECT_TRUE(CloseHandle(limited));
    HANDLE synchronize = nullptr;
    ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), GetCurrentProcess(), GetCurrentProcess(), &synchronize, SYNCHRONIZE,
                                FALSE, 0));
    EXPECT_FALSE(GetProcessIoCounters(synchronize, &counters));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_ACCESS_DENIED));
    EXPECT_TRUE(CloseHandle(synchronize));

    // The class's length is IO_COUNTERS' exactly.
    ULONG length = 0;
    EXPECT_EQ(NtQueryInformationProcess(NtCurrentProcess(), ProcessIoCounters, &counters, sizeof counters - 8, &length),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtQueryInformationProcess(NtCurrentProcess(), ProcessIoCounters, &counters, sizeof counters, &length),
              STATUS_SUCCESS);
    EXPECT_EQ(length, sizeof(IO_COUNTERS));
}

}  // namespace
}  // namespace ntio::test

// Shared pieces of the byte-range lock suites: a FILE_LOCK as a file system keeps one in its FCB,
// owners made of stand-in file objects and processes (FsRtl compares them, never dereferences
// them), and one-line lock and check helpers over the FsRtl routines.
#pragma once

#include <gtest/gtest.h>

#include "support/system_fixture.hpp"

#include <ntifs.h>

namespace ntio::fsrtl::test {

struct Owner {
    PFILE_OBJECT file;
    PEPROCESS process;
    ULONG key;
};

class FileLockTest : public ntio::test::SystemTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        FsRtlInitializeFileLock(&m_lock, nullptr, nullptr);
    }
    void TearDown() override {
        FsRtlUninitializeFileLock(&m_lock);
        SystemTest::TearDown();
    }

    // FsRtlFastLock with FailImmediately: the status it reports (TRUE is always returned then).
    NTSTATUS lock(const Owner& o, LONGLONG offset, LONGLONG length, bool exclusive) {
        LARGE_INTEGER off, len;
        off.QuadPart = offset;
        len.QuadPart = length;
        IO_STATUS_BLOCK iosb{};
        EXPECT_TRUE(FsRtlFastLock(&m_lock, o.file, &off, &len, o.process, o.key, TRUE, exclusive ? TRUE : FALSE, &iosb,
                                  nullptr, FALSE));
        return iosb.Status;
    }
    NTSTATUS unlock(const Owner& o, LONGLONG offset, LONGLONG length) {
        LARGE_INTEGER off, len;
        off.QuadPart = offset;
        len.QuadPart = length;
        return FsRtlFastUnlockSingle(&m_lock, o.file, &off, &len, o.process, o.key, nullptr, FALSE);
    }
    bool can_read(const Owner& o, LONGLONG offset, LONGLONG length) {
        LARGE_INTEGER off, len;
        off.QuadPart = offset;
        len.QuadPart = length;
        return FsRtlFastCheckLockForRead(&m_lock, &off, &len, o.key, o.file, o.process) != FALSE;
    }
    bool can_write(const Owner& o, LONGLONG offset, LONGLONG length) {
        LARGE_INTEGER off, len;
        off.QuadPart = offset;
        len.QuadPart = length;
        return FsRtlFastCheckLockForWrite(&m_lock, &off, &len, o.key, o.file, o.process) != FALSE;
    }

    FILE_LOCK m_lock{};
    FILE_OBJECT m_file_a{};
    FILE_OBJECT m_file_b{};
    PEPROCESS m_process_1 = reinterpret_cast<PEPROCESS>(0x1000);
    PEPROCESS m_process_2 = reinterpret_cast<PEPROCESS>(0x2000);
    Owner a{&m_file_a, m_process_1, 0};
    Owner a_key7{&m_file_a, m_process_1, 7};
    Owner a_other_process{&m_file_a, m_process_2, 0};
    Owner b{&m_file_b, m_process_1, 0};
};

}  // namespace ntio::fsrtl::test

// The W32Fs WDM test driver and the fixture of the Win32 file-call suite. \Device\W32Fs (link \??\W32Fs)
// is a tiny in-memory file system answering create, information, volume, lock, flush and directory
// requests the way a file system does; \Device\W32FsChar, W32FsPipe and W32FsOther are plain devices of
// other types for GetFileType.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include <windows.h>
#include <wdm.h>
#include <ntio/ntio.h>

#include "support/driver_fixture.hpp"

namespace ntio::test::win32_files {

// The volume the driver reports (FileFsVolumeInformation) and its cluster size (allocation sizes are
// rounded up to it).
constexpr ULONG kVolumeSerial = 0x5EED1234;
constexpr LONGLONG kClusterSize = 4096;
// FileFsAttributeInformation: the file system "W32FSFS" with these attributes and component length.
constexpr ULONG kFileSystemAttributes = 0x00000006;  // FILE_CASE_PRESERVED_NAMES | FILE_UNICODE_ON_DISK
constexpr ULONG kMaximumComponentLength = 200;
// FileFsSizeInformation: 1024 units of 8 sectors of 512 bytes, 512 of them free.
constexpr ULONG kTotalUnits = 1024;
constexpr ULONG kFreeUnits = 512;
constexpr ULONG kSectorsPerUnit = 8;
constexpr ULONG kBytesPerSector = 512;

// Fixed times of the initial tree: each node's CreationTime is kTimeBase + its index, LastAccessTime
// + 0x100, LastWriteTime + 0x200, ChangeTime + 0x300.
constexpr LONGLONG kTimeBase = 0x01D5000000000000LL;

// The initial tree (index: path, size):
//   0 "\"                           directory
//   1 "\dir"                        directory
//   2 "\dir\alpha.txt"              10 bytes, archive
//   3 "\dir\beta.txt"               5000 bytes, archive
//   4 "\dir\gamma.log"              0 bytes, archive | hidden
//   5 "\dir\sub"                    directory
//   6 "\dir\sub\delta.txt"          7 bytes
//   7 "\empty"                      directory, no entries
//   8 "\huge.bin"                   0x1FFFFFFFF bytes (low part 0xFFFFFFFF)
//   9 "\readonly.txt"               3 bytes, read-only
//  10 "\file.bin"                   100 bytes
//  11 "\dir\longfilename.text"      1 byte, short name LONGFI~1.TEX
// A node's file index (FileInternalInformation) is (index << 32) | (0x100 + index).
constexpr int kNodeDir = 1;
constexpr int kNodeAlpha = 2;
constexpr int kNodeHuge = 8;
constexpr int kNodeFileBin = 10;

struct DriverState {
    std::atomic<LONG> notify_parked{0};  // IRP_MN_NOTIFY_CHANGE_DIRECTORY requests waiting for a change
    std::atomic<LONG> lock_waiters{0};   // IRP_MN_LOCK requests waiting for a conflicting lock to go
    std::atomic<LONG> flushes{0};
    std::atomic<LONG> cancelled{0};
    std::atomic<LONG> query_directory_count{0};
    std::atomic<int> last_directory_class{0};
    std::atomic<UCHAR> last_directory_flags{0};
    std::string last_directory_pattern;  // ASCII of Parameters.QueryDirectory.FileName (empty: none)
    std::atomic<UCHAR> last_flush_minor{0xFF};
    void reset();
};
extern DriverState g_state;

// ASCII view of a 16-bit string (gtest prints wchar_t as 32-bit).
std::string narrow(const WCHAR* text, std::size_t length);
inline std::string narrow(const WCHAR* text) {
    std::size_t n = 0;
    while (text[n]) ++n;
    return narrow(text, n);
}

NTSTATUS NTAPI w32fs_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path);

class Win32FilesTest : public DriverTest {
protected:
    void SetUp() override;
    void TearDown() override;
    // CreateFileW(L"\\\\.\\W32Fs" + path) with OPEN_EXISTING; directories need backup semantics.
    HANDLE open(const wchar_t* path, DWORD access, DWORD flags = 0,
                DWORD share = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE);
    HANDLE open_directory(const wchar_t* path, bool overlapped);
    // Bounded polling for a driver counter to reach `value`.
    static bool wait_for(const std::atomic<LONG>& counter, LONG value);

private:
};

}  // namespace ntio::test::win32_files

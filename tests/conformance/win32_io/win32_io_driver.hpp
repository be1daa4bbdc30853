// The W32Io WDM test driver and the fixture of the Win32 I/O conformance suite. \Device\W32Io
// (DO_BUFFERED_IO, link \??\W32Io) emulates a 10-byte file "0123456789" with an end of file, answers
// the series E matrix on a METHOD_BUFFERED IOCTL, and parks requests with a cancel routine on demand.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include <windows.h>
#include <winioctl.h>
#include <wdm.h>
#include <ntio/ntio.h>

#include "support/driver_fixture.hpp"

namespace ntio::test::win32_io {

constexpr ULONG kIoctlMatrix = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS);
constexpr ULONG kIoctlPark = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS);
constexpr ULONG kIoctlCompleteOne = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_BUFFERED, FILE_ANY_ACCESS);
constexpr ULONG kIoctlCancelCount = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x803, METHOD_BUFFERED, FILE_ANY_ACCESS);
constexpr char kFileData[] = "0123456789";
constexpr ULONG kFileSize = 10;

struct DriverState {
    // Series E matrix.
    std::atomic<NTSTATUS> ret_status{STATUS_SUCCESS};
    std::atomic<NTSTATUS> iosb_status{STATUS_SUCCESS};
    std::atomic<bool> pend{false};
    // Reads and writes park instead of completing.
    std::atomic<bool> park_reads{false};
    std::atomic<LONG> parked{0};
    std::atomic<LONG> cancelled{0};
    // Completion status of parked requests finished by kIoctlCompleteOne, and their Information.
    std::atomic<NTSTATUS> complete_status{STATUS_SUCCESS};
    std::atomic<ULONG> complete_information{0};
    std::atomic<LONGLONG> last_write_offset{0};  // Parameters.Write.ByteOffset of the last write
    std::string last_create_name;  // FileObject->FileName of the last IRP_MJ_CREATE (ASCII)
    // The major function and control code of the last IRP_MJ_DEVICE_CONTROL or _FILE_SYSTEM_CONTROL.
    std::atomic<UCHAR> last_control_major{0};
    std::atomic<ULONG> last_control_code{0};
    void reset();
};
extern DriverState g_state;

// ASCII view of a 16-bit string (std::wstring and gtest's wchar_t printing assume a 32-bit wchar_t).
std::string narrow(const WCHAR* text, std::size_t length);
inline std::string narrow(const WCHAR* text) {
    std::size_t n = 0;
    while (text[n]) ++n;
    return narrow(text, n);
}

NTSTATUS NTAPI w32io_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path);

class Win32IoTest : public DriverTest {
protected:
    void SetUp() override;
    void TearDown() override;
    // CreateFileW(L"\\\\.\\W32Io"), overlapped or not.
    HANDLE open_device(bool overlapped);
    // Waits (bounded polling) until `count` requests are parked.
    bool wait_parked(LONG count);
    // Completes the oldest parked request through a synchronous IOCTL on a fresh handle.
    bool complete_one();

private:
};

}  // namespace ntio::test::win32_io

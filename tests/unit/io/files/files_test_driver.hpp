// The recording test driver of the file-object suite: a WDM-style driver whose dispatch routines
// record every IRP they receive (major code, file object, FsContext, process, create parameters)
// and complete it, plus helpers to load it, open names and read the records.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/driver_fixture.hpp"

#undef __try
#include <ntio/ntapi.h>
#include <ntio/ntio.h>
#include <wdmsec.h>

namespace ntio::io::files_test {

struct Record {
    UCHAR major = 0;
    PDEVICE_OBJECT device = nullptr;
    PFILE_OBJECT file = nullptr;
    PVOID fs_context = nullptr;   // at entry
    PEPROCESS process = nullptr;
    std::u16string name;          // FileObject->FileName at create
    bool name_buffer_null = false;
    ULONG options = 0;            // Parameters.Create.Options
    USHORT share = 0;
    USHORT attributes = 0;
    UCHAR sl_flags = 0;
    ULONG fo_flags = 0;
    ACCESS_MASK desired = 0;
    bool access_state = false;
    KPROCESSOR_MODE requestor = KernelMode;
    PETHREAD thread = nullptr;
    CSHORT type = 0;
    CSHORT size = 0;
};

// State shared with the driver's dispatch routines (drivers have no context of their own).
struct DriverState {
    std::mutex lock;
    std::vector<Record> records;
    std::atomic<NTSTATUS> create_status{STATUS_SUCCESS};
    std::atomic<ULONG_PTR> create_information{FILE_OPENED};
    std::atomic<bool> pend_creates{false};
    std::atomic<bool> exclusive{false};
    std::atomic<ULONG> characteristics{0};
    std::atomic<ULONG> device_type{FILE_DEVICE_UNKNOWN};  // FILE_DEVICE_DISK: a device with a VPB
    const wchar_t* sddl = nullptr;     // create the device with IoCreateDeviceSecure and this SDDL
    std::atomic<bool> filter{false};   // attach a pass-through filter above the device
    std::atomic<bool> filter_cancels_create{false};  // the filter fails successful creates (IoCancelFileOpen)
    std::atomic<long> live_contexts{0};
    PDEVICE_OBJECT device = nullptr;
    PDEVICE_OBJECT filter_device = nullptr;

    void reset();
    std::vector<Record> take();
    std::size_t count(UCHAR major);
};
extern DriverState g_state;

// DriverEntry of the full driver (CREATE, CLEANUP, CLOSE, QUERY_INFORMATION) and of the minimal one
// (CREATE and CLOSE only, NT fact S3). Both create \Device\FilesTest and \DosDevices\FilesTest.
NTSTATUS NTAPI full_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path);
NTSTATUS NTAPI minimal_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path);

class FilesTest : public ntio::test::DriverTest {
protected:
    void SetUp() override;
    void TearDown() override;

    // Loads a driver (g_state configures it); fails the test on error.
    void load(PDRIVER_INITIALIZE entry = full_driver_entry);

    // NtCreateFile in the current previous mode (UserMode for the test's own thread, an application
    // thread, unless the test changed it).
    NTSTATUS open(const wchar_t* name, HANDLE* handle, ACCESS_MASK access = FILE_READ_DATA | SYNCHRONIZE,
                  ULONG disposition = FILE_OPEN, ULONG options = 0, ULONG share = 0, IO_STATUS_BLOCK* iosb = nullptr,
                  ULONG attributes = OBJ_CASE_INSENSITIVE);
    PFILE_OBJECT file_of(HANDLE handle);   // borrowed (the handle keeps it)
};

}  // namespace ntio::io::files_test

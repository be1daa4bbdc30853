// The file-operation suite's test driver: \Device\FoNeither (no buffering flags), \Device\FoBuffered
// (DO_BUFFERED_IO) and \Device\FoDisk (DO_DIRECT_IO, 512-byte sectors), each with a \?? link. Its
// dispatch routines record the stack location they receive and complete with the status the test
// asks for, or mark the IRP pending and park it for the test to complete.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "support/driver_fixture.hpp"

#undef __try
#include <wdm.h>
#include <ntio/ntapi.h>
#include <ntio/ntio.h>

namespace ntio::file_operations_test {

struct Record {
    UCHAR major = 0;
    UCHAR minor = 0;
    UCHAR flags = 0;
    UCHAR control = 0;
    ULONG irp_flags = 0;
    KPROCESSOR_MODE requestor = KernelMode;
    PFILE_OBJECT file = nullptr;
    BOOLEAN lock_operation = FALSE;
    // IRP_MJ_LOCK_CONTROL
    LONGLONG lock_length = -1;
    ULONG key = 0;
    LONGLONG offset = 0;
    // IRP_MJ_DIRECTORY_CONTROL
    ULONG length = 0;
    std::u16string file_name;
    bool has_file_name = false;
    FILE_INFORMATION_CLASS information_class = FileDirectoryInformation;
    ULONG completion_filter = 0;
    PVOID user_buffer = nullptr;
    PVOID system_buffer = nullptr;
    PMDL mdl = nullptr;
    std::string mdl_data;  // the first bytes an MDL described (write / gather)
    // IRP_MJ_CREATE*
    ACCESS_MASK desired_access = 0;
    ULONG create_options = 0;
    USHORT share_access = 0;
    NAMED_PIPE_CREATE_PARAMETERS pipe{};
    MAILSLOT_CREATE_PARAMETERS mailslot{};
};

struct DriverState {
    std::mutex lock;
    std::vector<Record> records;  // every IRP but creates, cleanups and closes
    std::vector<Record> creates;  // IRP_MJ_CREATE, _CREATE_NAMED_PIPE, _CREATE_MAILSLOT
    int cleanup_close = 0;        // IRP_MJ_CLEANUP and IRP_MJ_CLOSE seen
    std::vector<PIRP> parked;
    std::atomic<NTSTATUS> status{STATUS_SUCCESS};
    std::atomic<ULONG> information{0};
    std::atomic<bool> pend{false};
    std::atomic<char> fill{'D'};  // what a read or directory query writes
    PDEVICE_OBJECT neither = nullptr;
    PDEVICE_OBJECT buffered = nullptr;
    PDEVICE_OBJECT disk = nullptr;

    void reset();
    std::vector<Record> take();
    // Completes every parked IRP with `status` and `information`.
    void complete_parked(NTSTATUS status, ULONG_PTR information);
};
extern DriverState g_state;

NTSTATUS NTAPI file_operations_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path);

class FileOperationsTest : public ntio::test::DriverTest {
protected:
    void SetUp() override;
    void TearDown() override;
    NTSTATUS open(const wchar_t* name, HANDLE* handle, ACCESS_MASK access, ULONG options);
    HANDLE create_event();
    bool signalled(HANDLE event);

    KPROCESSOR_MODE m_saved_mode = KernelMode;
};

}  // namespace ntio::file_operations_test

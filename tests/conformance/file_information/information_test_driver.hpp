// The information suite's WDK-style test driver: \Device\InfoDev (DO_BUFFERED_IO, link
// \DosDevices\InfoDev) and \Device\InfoRaw (neither buffered nor direct, link \DosDevices\InfoRaw).
// Every information, volume, flush, EA and quota IRP is recorded as the driver sees it, then
// completed with the status, data and Information the test asks for, at once or after pending it
// and finishing from a work item.
#pragma once

#include "conformance/nt/nt_test_support.hpp"  // standard headers, the fixture, <ntio/ntapi.h>
#include "support/driver_fixture.hpp"

#include <ntio/ntio.h>

namespace ntio::test::info {

struct Record {
    UCHAR major = 0;
    UCHAR minor = 0;
    UCHAR stack_flags = 0;
    ULONG irp_flags = 0;
    PFILE_OBJECT file = nullptr;
    PVOID system_buffer = nullptr;
    PVOID user_buffer = nullptr;
    PMDL mdl = nullptr;
    KPROCESSOR_MODE requestor = KernelMode;
    bool synchronous_api = false;
    decltype(IO_STACK_LOCATION::Parameters) parameters{};
    std::string input;                  // first bytes of the system buffer on entry
    std::string ea_list;                // the QueryEa EaList as the driver read it
    bool ea_list_is_kernel_copy = false;
    std::string start_sid;              // QueryQuota StartSid bytes
};

struct DriverState {
    std::mutex lock;
    std::vector<Record> records;
    std::atomic<NTSTATUS> status{STATUS_SUCCESS};
    std::atomic<ULONG> information{0};
    std::atomic<bool> pend{false};      // IoMarkIrpPending, finish from a work item
    std::atomic<int> pending_work{0};
    std::string reply;                  // written to the output (system buffer, MDL or UserBuffer)
    PVOID user_ea_list = nullptr;       // what the test passed, to tell a copy from the original
    PDEVICE_OBJECT device = nullptr;
    PDEVICE_OBJECT raw = nullptr;
    std::atomic<ULONG> alignment{FILE_BYTE_ALIGNMENT};

    void reset();
    std::vector<Record> take();
};
extern DriverState g_state;

NTSTATUS NTAPI information_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path);

class InformationTest : public ntio::test::DriverTest {
protected:
    void SetUp() override;
    void TearDown() override;

    NTSTATUS open(const wchar_t* name, HANDLE* handle, ACCESS_MASK access, ULONG options);
    HANDLE open_sync(const wchar_t* name = L"\\??\\InfoDev\\file",
                     ACCESS_MASK access = FILE_ALL_ACCESS);
    HANDLE open_async(const wchar_t* name = L"\\??\\InfoDev\\file", ACCESS_MASK access = FILE_ALL_ACCESS);
    void close(HANDLE handle) { EXPECT_EQ(NtClose(handle), STATUS_SUCCESS); }
    void drain_work();
    // Records of IRPs other than create / cleanup / close.
    std::vector<Record> requests();

    std::size_t m_objects_at_setup = 0;
    std::size_t m_handles_at_setup = 0;
    std::size_t objects_but_threads();
};

// An IOSB whose contents tell whether anyone wrote it.
inline IO_STATUS_BLOCK untouched_iosb() {
    IO_STATUS_BLOCK iosb;
    iosb.Status = static_cast<NTSTATUS>(0xdeadbeef);
    iosb.Information = 0xdeadbeef;
    return iosb;
}
inline bool is_untouched(const IO_STATUS_BLOCK& iosb) {
    return iosb.Status == static_cast<NTSTATUS>(0xdeadbeef) && iosb.Information == 0xdeadbeef;
}

}  // namespace ntio::test::info

// The test driver of the request suite: three devices (\Device\ReqBuffered with DO_BUFFERED_IO,
// \Device\ReqDirect with DO_DIRECT_IO, \Device\ReqNeither with neither), an optional filter on
// top of ReqBuffered, optional fast I/O routines, and dispatch routines that record what they see
// and answer the way the test asks (echo, the series E matrix, pend and finish from a work item).
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "support/driver_fixture.hpp"

#include <wdm.h>
#include <ntio/ntapi.h>
#include <ntio/ntio.h>

namespace ntio::io::requests_test {

// NT fact S5 test vectors: device type 0x9C40, FILE_ANY_ACCESS, functions 0x900-0x903.
constexpr ULONG kIoctlInDirect = CTL_CODE(0x9C40, 0x900, METHOD_IN_DIRECT, FILE_ANY_ACCESS);
constexpr ULONG kIoctlOutDirect = CTL_CODE(0x9C40, 0x901, METHOD_OUT_DIRECT, FILE_ANY_ACCESS);
constexpr ULONG kIoctlBuffered = CTL_CODE(0x9C40, 0x902, METHOD_BUFFERED, FILE_ANY_ACCESS);
constexpr ULONG kIoctlNeither = CTL_CODE(0x9C40, 0x903, METHOD_NEITHER, FILE_ANY_ACCESS);
constexpr ULONG kIoctlReadAccess = CTL_CODE(0x9C40, 0x910, METHOD_BUFFERED, FILE_READ_ACCESS);
constexpr ULONG kIoctlWriteAccess = CTL_CODE(0x9C40, 0x911, METHOD_BUFFERED, FILE_WRITE_ACCESS);

enum class Behaviour {
    echo,       // METHOD_*-specific reply of reply_length bytes ('R'), see the driver
    matrix,     // series E: write "ghijkl", Information 3, iosb_status, pend bit, return ret_status
    work_item,  // NT fact L10: pend, finish from IoQueueWorkItem with success and 0 bytes
    counted,    // complete at once with success and 0 bytes, counting the requests in the dispatch
};

// What a dispatch routine saw.
struct Record {
    UCHAR major = 0;
    UCHAR minor = 0;
    PDEVICE_OBJECT device = nullptr;         // the routine's DeviceObject argument
    PDEVICE_OBJECT stack_device = nullptr;   // IoGetCurrentIrpStackLocation(irp)->DeviceObject
    PFILE_OBJECT file = nullptr;
    PDEVICE_OBJECT file_device = nullptr;    // FileObject->DeviceObject
    PKEVENT user_event = nullptr;
    PETHREAD thread = nullptr;
    bool on_calling_thread = false;
    bool requestor_is_current = false;       // IoGetRequestorProcess == IoGetCurrentProcess
    KPROCESSOR_MODE requestor = KernelMode;
    ULONG flags = 0;
    PVOID system_buffer = nullptr;
    PVOID user_buffer = nullptr;
    PMDL mdl = nullptr;
    ULONG mdl_byte_count = 0;
    PVOID type3 = nullptr;
    ULONG code = 0;
    ULONG input_length = 0;
    ULONG output_length = 0;
    ULONG length = 0;                        // read / write
    ULONG key = 0;
    LONGLONG offset = 0;
    std::string input;                       // first bytes of the input as the driver read it
};

struct DriverState {
    std::mutex lock;
    std::vector<Record> records;
    std::atomic<Behaviour> behaviour{Behaviour::echo};
    std::atomic<ULONG> reply_length{0};
    // Series E matrix.
    std::atomic<NTSTATUS> ret_status{STATUS_SUCCESS};
    std::atomic<NTSTATUS> iosb_status{STATUS_SUCCESS};
    std::atomic<bool> pend{false};
    // Reads and writes: status and Information, pended or not.
    std::atomic<NTSTATUS> rw_status{STATUS_SUCCESS};
    std::atomic<ULONG> rw_information{0};
    std::atomic<bool> rw_pend{false};
    // Fast I/O.
    std::atomic<bool> fast_io{false};        // DriverEntry installs FAST_IO_DISPATCH
    std::atomic<bool> cached{false};         // IRP_MJ_CREATE sets PrivateCacheMap
    std::atomic<BOOLEAN> fast_result{FALSE};
    std::atomic<NTSTATUS> fast_status{STATUS_SUCCESS};
    std::atomic<ULONG> fast_information{0};
    std::atomic<int> fast_calls{0};
    PVOID fast_buffer = nullptr;
    PLARGE_INTEGER fast_offset = nullptr;
    PIO_STATUS_BLOCK fast_iosb = nullptr;
    ULONG fast_key = 0;
    // Topology.
    std::atomic<bool> filter{false};
    std::atomic<ULONG> sector_size{0};       // ReqDirect acts as a disk: SectorSize, aligned buffers
    PDEVICE_OBJECT buffered = nullptr;
    PDEVICE_OBJECT direct = nullptr;
    PDEVICE_OBJECT neither = nullptr;
    PDEVICE_OBJECT filter_device = nullptr;
    std::atomic<int> pending_work{0};
    std::atomic<int> in_flight{0};           // work-item IRPs between dispatch and completion (counted: in the dispatch)
    std::atomic<int> max_in_flight{0};

    void reset();
    std::vector<Record> take();
};
extern DriverState g_state;

NTSTATUS NTAPI requests_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path);

class RequestsTest : public ntio::test::DriverTest {
protected:
    void SetUp() override;
    void TearDown() override;

    void load();
    // NtCreateFile in the current previous mode.
    NTSTATUS open(const wchar_t* name, HANDLE* handle, ACCESS_MASK access, ULONG options);
    HANDLE open_sync(const wchar_t* name, ACCESS_MASK access = FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE);
    HANDLE open_async(const wchar_t* name, ACCESS_MASK access = FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE);
    HANDLE create_event(BOOLEAN signalled);
    bool event_signalled(HANDLE event);
    PFILE_OBJECT file_of(HANDLE handle);  // borrowed
    // Waits until the driver finished every work item it queued.
    void drain_work();

    // Live objects other than threads: the system's work queue may add a worker thread under load,
    // which lives until shutdown and is no leak of the test's.
    std::size_t objects_but_threads();

    std::size_t m_objects_at_setup = 0;
    std::size_t m_handles_at_setup = 0;
};

// Runs the enclosing scope with the given PreviousMode.
class PreviousModeScope {
public:
    explicit PreviousModeScope(KPROCESSOR_MODE mode);
    ~PreviousModeScope();
    PreviousModeScope(const PreviousModeScope&) = delete;
    PreviousModeScope& operator=(const PreviousModeScope&) = delete;

private:
    KPROCESSOR_MODE m_saved;
};

}  // namespace ntio::io::requests_test

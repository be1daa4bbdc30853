// A small in-test "file system" over FsRtl's oplock package: one file whose FCB keeps an OPLOCK, a
// hand-made device whose dispatch sends the oplock FSCTLs to FsRtlOplockFsctrl and checks the oplock
// for create, read, write, set information, lock control and cleanup, the way a file system does.
// Requests are IRPs the test builds, keeps after completion (a completion routine returns
// STATUS_MORE_PROCESSING_REQUIRED) and frees at teardown.
#pragma once

#include <gtest/gtest.h>

#include "support/system_fixture.hpp"

#include <ntifs.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

namespace ntio::fsrtl::oplock_test {

// The Windows 7 caching levels, short.
inline constexpr ULONG R = OPLOCK_LEVEL_CACHE_READ;
inline constexpr ULONG H = OPLOCK_LEVEL_CACHE_HANDLE;
inline constexpr ULONG W = OPLOCK_LEVEL_CACHE_WRITE;

// One request sent to the test file system.
struct Request {
    PIRP irp = nullptr;
    std::atomic<int> completions{0};
    IO_STATUS_BLOCK iosb{};
    NTSTATUS returned = STATUS_UNSUCCESSFUL;
    union {
        REQUEST_OPLOCK_INPUT_BUFFER input;
        REQUEST_OPLOCK_OUTPUT_BUFFER output;
    } buffer{};
    IO_SECURITY_CONTEXT security{};
    bool completed() const { return completions.load() != 0; }
};

// The file system's state: the OPLOCK, the handle count FsRtlOplockFsctrl is told, and whether
// breaking operations hand their IRP to the package (a CompletionRoutine) or block.
struct TestFs {
    OPLOCK oplock = nullptr;
    ULONG open_count = 1;
    bool post = true;
    std::atomic<int> posted_back{0};  // operations the package gave back through the CompletionRoutine
    // A layered file system: the FSCTLs go to FsRtlUpperOplockFsctrl with this state of its oplock in
    // the file system below (kNotLayered: FsRtlOplockFsctrl).
    static constexpr ULONG kNotLayered = ~0u;
    ULONG lower_state = kNotLayered;
};

class OplockFsTest : public ntio::test::SystemTest {
protected:
    void SetUp() override;
    void TearDown() override;

    // An IRP of `major` on `file`, sent through the device.
    Request& send(PFILE_OBJECT file, UCHAR major, ULONG code_or_class = 0, ULONG create_options = 0);
    Request& fsctl(PFILE_OBJECT file, ULONG code) { return send(file, IRP_MJ_FILE_SYSTEM_CONTROL, code); }
    Request& win7(PFILE_OBJECT file, ULONG level, ULONG flags, USHORT version = REQUEST_OPLOCK_CURRENT_VERSION,
                  ULONG input_length = sizeof(REQUEST_OPLOCK_INPUT_BUFFER));
    // Builds a request without sending it, for a test that sends it from another thread.
    Request& prepare(PFILE_OBJECT file, UCHAR major, ULONG code_or_class = 0, ULONG create_options = 0);
    void dispatch(Request& r);

    TestFs m_fs;
    DRIVER_OBJECT m_driver{};
    DEVICE_OBJECT m_device{};
    FILE_OBJECT m_a{};
    FILE_OBJECT m_b{};
    FILE_OBJECT m_c{};
    std::mutex m_requests_lock;
    std::vector<std::unique_ptr<Request>> m_requests;
};

}  // namespace ntio::fsrtl::oplock_test

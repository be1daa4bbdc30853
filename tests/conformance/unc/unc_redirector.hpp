// The UncRedir WDM test driver: three network redirectors in one driver. "Alpha" and "Beta" are
// Vista-model providers (unnamed devices registered with FsRtlRegisterUncProviderEx as
// \Device\AlphaRedir and \Device\BetaRedir) answering IOCTL_REDIR_QUERY_PATH_EX; "Legacy" is a named
// device, \Device\LegacyRedir, registered with FsRtlRegisterUncProvider and answering
// IOCTL_REDIR_QUERY_PATH. Each claims the "\server\share" prefix of the servers it knows, answers the
// server "denied" with STATUS_BAD_NETWORK_NAME, declines the rest with STATUS_BAD_NETWORK_PATH, and
// serves creates (a last component "missing" is STATUS_OBJECT_NAME_NOT_FOUND), reads (its letter then
// the name it was opened by), cleanups and closes.
#pragma once

#include <atomic>
#include <string>

#include <windows.h>
#include <ntifs.h>
#include <ntio/ntio.h>

#include "support/driver_fixture.hpp"

namespace ntio::test::unc {

struct Redirector {
    const wchar_t* redir_name = nullptr;  // the name it registers with
    char letter = 0;                      // first byte of what its reads return
    const char16_t* servers[3] = {};      // the servers it claims (case-insensitive)
    PDEVICE_OBJECT device = nullptr;
    HANDLE mup = nullptr;  // its MUP handle while registered
    std::atomic<int> queries{0};
    std::atomic<int> creates{0};
    std::atomic<int> cleanups{0};
    std::atomic<int> closes{0};
    std::u16string last_query;   // the path of the last query it got
    std::u16string last_create;  // FileObject->FileName of the last create it got
    PDEVICE_OBJECT last_create_file_device = nullptr;  // that file object's DeviceObject
    KPROCESSOR_MODE last_query_mode = UserMode;
    ULONG last_query_input_length = 0;
};

struct DriverState {
    Redirector alpha;
    Redirector beta;
    Redirector legacy;
    FAST_MUTEX lock;  // guards each Redirector's last_* fields (requests may come from several threads)
    void reset();
};
extern DriverState g_state;

NTSTATUS NTAPI UncRedirDriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path);

// The name `text` as a std::u16string (wchar_t literals are 16-bit here).
inline std::u16string u16(const wchar_t* text) { return reinterpret_cast<const char16_t*>(text); }

class UncTest : public ntio::test::DriverTest {
protected:
    void SetUp() override {
        DriverTest::SetUp();
        g_state.reset();
        ASSERT_EQ(create_driver(L"UncRedir", UncRedirDriverEntry), STATUS_SUCCESS);
    }
    // ZwCreateFile of `path` for reading, synchronous.
    static NTSTATUS open(const wchar_t* path, HANDLE* handle);
    // ZwReadFile of up to `capacity` bytes at offset 0: the bytes read (empty on failure).
    static std::string read(HANDLE handle, ULONG capacity = 64);
};

}  // namespace ntio::test::unc

// InspectTest: boots a System, loads InspectLower with the InspectFilter stack above it, opens
// \Device\InspectLower and lets a test park IOCTLs in known states, then finishes and unloads
// everything so that the leak checks pass.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "inspect/dump.hpp"
#include "inspect/kd_commands.hpp"
#include "inspect/kd_format.hpp"
#include "inspect/kd_server.hpp"
#include "inspect/kd_tool.hpp"
#include "inspect/snapshot.hpp"
#include "support/system_fixture.hpp"

#include "ob/object_manager.hpp"
#include "io/irp.hpp"

#undef __try
#include <ntio/ntapi.h>
#include <ntio/ntio.h>

#include "inspect_test_drivers.hpp"

namespace ntio::inspect::test {

inline std::string ptr(const volatile void* p) { return kd::ptr(reinterpret_cast<Addr>(p)); }
inline std::string ptr(Addr a) { return kd::ptr(a); }

// The lines of a command's output.
inline std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

inline bool has_line(const std::string& text, const std::string& line) {
    for (const std::string& l : lines_of(text))
        if (l == line) return true;
    return false;
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class InspectTest : public ntio::test::SystemTest {
protected:
    struct Request {
        HANDLE event = nullptr;
        IO_STATUS_BLOCK iosb{};
        ULONG in = 0x1234;
        ULONG out = 0;
    };

    void SetUp() override {
        SystemTest::SetUp();
        load(L"InspectLower", InspectLowerDriverEntry, &m_lower);
        load(L"InspectFilter", InspectFilterDriverEntry, &m_filter);
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, L"\\Device\\InspectLower");
        OBJECT_ATTRIBUTES attributes;
        InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
        IO_STATUS_BLOCK iosb;
        ASSERT_EQ(NtCreateFile(&m_file, GENERIC_READ | GENERIC_WRITE, &attributes, &iosb, nullptr, 0,
                               FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, 0, nullptr, 0),
                  STATUS_SUCCESS);
    }

    void TearDown() override {
        // Finish whatever a test left parked, then wait for each request.
        while (InspectLowerCompleteParked(lower_device(), STATUS_SUCCESS)) {}
        while (lower_device() && lower_device()->CurrentIrp) InspectLowerFinishStartIo(lower_device(), STATUS_SUCCESS);
        for (Request* r : m_requests) {
            EXPECT_EQ(NtWaitForSingleObject(r->event, FALSE, nullptr), STATUS_SUCCESS);
            NtClose(r->event);
            delete r;
        }
        m_requests.clear();
        if (m_file) NtClose(m_file);
        unload(m_filter);
        unload(m_lower);
        SystemTest::TearDown();
    }

    void load(const wchar_t* service, PDRIVER_INITIALIZE entry, PDRIVER_OBJECT* driver) {
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, service);
        ASSERT_EQ(NtioCreateDriver(&name, entry, driver), STATUS_SUCCESS);
    }

    void unload(PDRIVER_OBJECT& driver) {
        if (!driver) return;
        EXPECT_EQ(NtioUnloadDriver(driver), STATUS_SUCCESS);
        ObDereferenceObject(driver);
        driver = nullptr;
    }

    // Sends an IOCTL that the lower driver parks; returns the request (the IRP is in flight).
    Request& send(ULONG code) {
        auto* r = new Request();
        EXPECT_EQ(NtCreateEvent(&r->event, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_SUCCESS);
        NTSTATUS status = NtDeviceIoControlFile(m_file, r->event, nullptr, nullptr, &r->iosb, code, &r->in,
                                                sizeof r->in, &r->out, sizeof r->out);
        EXPECT_EQ(status, STATUS_PENDING);
        m_requests.push_back(r);
        return *r;
    }

    // The IRPs parked in the lower driver's own queue, oldest first (read the driver's way).
    std::vector<PIRP> parked() {
        auto* ext = static_cast<PINSPECT_LOWER_EXTENSION>(lower_device()->DeviceExtension);
        std::vector<PIRP> irps;
        KIRQL irql;
        KeAcquireSpinLock(&ext->QueueLock, &irql);
        for (PLIST_ENTRY e = ext->Queue.Flink; e != &ext->Queue; e = e->Flink)
            irps.push_back(CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry));
        KeReleaseSpinLock(&ext->QueueLock, irql);
        return irps;
    }

    std::string run(const std::string& line, int expected_status = 0) {
        std::string out;
        EXPECT_EQ(run_kd_command(system(), line, out), expected_status) << line << "\n" << out;
        return out;
    }

    PDEVICE_OBJECT lower_device() const { return m_lower ? m_lower->DeviceObject : nullptr; }
    PDEVICE_OBJECT filter_device() const { return m_filter ? m_filter->DeviceObject : nullptr; }

    PDRIVER_OBJECT m_lower = nullptr;
    PDRIVER_OBJECT m_filter = nullptr;
    HANDLE m_file = nullptr;
    std::vector<Request*> m_requests;
};

}  // namespace ntio::inspect::test

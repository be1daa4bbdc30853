// Shared helpers of the completion-port suites: the fixture that loads the port test driver, opening
// it synchronously or asynchronously, binding a handle to a port, one IOCTL with a chosen answer,
// and waiting until threads are blocked in a port.
#pragma once

#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "conformance/nt/nt_test_support.hpp"
#include "support/driver_fixture.hpp"
#include "port_test_driver.hpp"
#include "ke/dispatcher.hpp"
#include <ntio/ntio.h>

namespace ntio::test::ports {

struct Packet {
    PVOID key = reinterpret_cast<PVOID>(0x5555);
    PVOID value = reinterpret_cast<PVOID>(0x5555);
    IO_STATUS_BLOCK iosb{{static_cast<NTSTATUS>(0xdeadbeef)}, 0x5555};
};

class PortTest : public DriverTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        ASSERT_EQ(create_driver(L"PortTest", port_driver_entry), STATUS_SUCCESS);
    }

    static HANDLE open_device(bool async) {
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, L"\\??\\PortTest");
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
        IO_STATUS_BLOCK iosb{};
        HANDLE h = nullptr;
        EXPECT_EQ(NtCreateFile(&h, FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE, &oa, &iosb, nullptr, 0,
                               FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, async ? 0 : FILE_SYNCHRONOUS_IO_NONALERT,
                               nullptr, 0),
                  STATUS_SUCCESS);
        return h;
    }

    static HANDLE make_port(ULONG concurrency = 0) {
        HANDLE h = nullptr;
        EXPECT_EQ(NtCreateIoCompletion(&h, IO_COMPLETION_ALL_ACCESS, nullptr, concurrency), STATUS_SUCCESS);
        return h;
    }

    static NTSTATUS bind(HANDLE file, HANDLE port, PVOID key, FILE_INFORMATION_CLASS cls = FileCompletionInformation) {
        FILE_COMPLETION_INFORMATION info{port, key};
        IO_STATUS_BLOCK iosb{{static_cast<NTSTATUS>(0xdeadbeef)}, 0x5555};
        return NtSetInformationFile(file, &iosb, &info, sizeof(info), cls);
    }

    static NTSTATUS ioctl(HANDLE file, NTSTATUS status, ULONG information, ULONG how, PVOID context,
                          IO_STATUS_BLOCK* iosb, HANDLE event = nullptr, PIO_APC_ROUTINE apc = nullptr) {
        CompleteRequest request{status, information, how};
        return NtDeviceIoControlFile(file, event, apc, context, iosb, kIoctlComplete, &request, sizeof(request),
                                     nullptr, 0);
    }

    // Completes the parked IRPs from the driver's work item, through a handle of its own.
    static void finish_parked(NTSTATUS status, ULONG information) {
        Handle control(open_device(false));
        CompleteRequest request{status, information, 0};
        IO_STATUS_BLOCK iosb{};
        EXPECT_EQ(NtDeviceIoControlFile(control, nullptr, nullptr, nullptr, &iosb, kIoctlFinishParked, &request,
                                        sizeof(request), nullptr, 0),
                  STATUS_SUCCESS);
    }

    // Waits at most 10 s for a packet (a missing packet fails the test instead of hanging it).
    static NTSTATUS remove(HANDLE port, Packet& packet, LONGLONG timeout_ms = 10000) {
        LARGE_INTEGER timeout = relative_ms(timeout_ms);
        return NtRemoveIoCompletion(port, &packet.key, &packet.value, &packet.iosb, &timeout);
    }

    static LONG depth(HANDLE port) {
        IO_COMPLETION_BASIC_INFORMATION info{-1};
        EXPECT_EQ(NtQueryIoCompletion(port, IoCompletionBasicInformation, &info, sizeof(info), nullptr), STATUS_SUCCESS);
        return info.Depth;
    }

    // Threads blocked in the port's dequeue wait (the port body is a KQUEUE; its header's wait list
    // holds them), counted under the dispatcher lock that guards that list: a progress probe for
    // the tests, safe while waiters come and go.
    static int waiters(HANDLE port) {
        PVOID object = nullptr;
        if (ObReferenceObjectByHandle(port, 0, nullptr, KernelMode, &object, nullptr) != STATUS_SUCCESS) return -1;
        auto* queue = static_cast<PKQUEUE>(object);
        int n = 0;
        {
            ke::DispatcherGuard guard;
            PLIST_ENTRY head = &queue->Header.WaitListHead;
            for (PLIST_ENTRY e = head->Flink; e != head; e = e->Flink)
                if (CONTAINING_RECORD(e, KWAIT_BLOCK, WaitListEntry)->WaitType == WaitDequeue) ++n;
        }
        ObDereferenceObject(object);
        return n;
    }

    static void wait_until(const std::function<bool()>& done) {
        for (int i = 0; i < 10000 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        ASSERT_TRUE(done());
    }
};

// A packet's key or context from a number.
inline PVOID ptr(ULONG_PTR v) { return reinterpret_cast<PVOID>(v); }

}  // namespace ntio::test::ports

// Helpers of the lifetime tests (NT facts D9, D10): a second process, the fill pattern of IOSBs
// that must stay untouched, and a fixture that shares a file with that process and binds it to a port.
#pragma once

#include "conformance/nt/nt_test_support.hpp"
#include "io_signalling_driver.hpp"
#include "ntio/system.hpp"
#include "ob/object_manager.hpp"

namespace ntio::test::io_signalling {

constexpr NTSTATUS kFill = static_cast<NTSTATUS>(0xdeadf00d);
constexpr ULONG_PTR kFillInformation = 0x5555;

inline IO_STATUS_BLOCK filled() {
    IO_STATUS_BLOCK iosb{};
    iosb.Status = kFill;
    iosb.Information = kFillInformation;
    return iosb;
}
inline bool untouched(const IO_STATUS_BLOCK& iosb) { return iosb.Status == kFill && iosb.Information == kFillInformation; }

inline PVOID ctx(ULONG_PTR v) { return reinterpret_cast<PVOID>(v); }

inline LONG port_depth(HANDLE port) {
    IO_COMPLETION_BASIC_INFORMATION info{-1};
    EXPECT_EQ(NtQueryIoCompletion(port, IoCompletionBasicInformation, &info, sizeof(info), nullptr), STATUS_SUCCESS);
    return info.Depth;
}

// A second process and a handle to it in the test's process.
class OtherProcess {
public:
    explicit OtherProcess(System& system) : m_objects(system.objects()) {
        EXPECT_EQ(m_objects.create_process(nullptr, u"other", &m_process), STATUS_SUCCESS);
        if (m_process) {
            EXPECT_EQ(ObOpenObjectByPointer(m_process, 0, nullptr, PROCESS_ALL_ACCESS, *PsProcessType, KernelMode,
                                            &m_handle),
                      STATUS_SUCCESS);
        }
    }
    ~OtherProcess() {
        terminate();
        if (m_handle) (void)NtClose(m_handle);
        if (m_process) ObDereferenceObject(m_process);
    }
    HANDLE handle() const { return m_handle; }
    // Process exit: its threads are gone (the tests' threads of that process end first) and every
    // handle it holds is closed.
    void terminate() {
        if (m_process) m_objects.terminate_process(m_process, STATUS_SUCCESS);
    }

private:
    ob::ObjectManager& m_objects;
    PEPROCESS m_process = nullptr;
    HANDLE m_handle = nullptr;
};

class LifetimeTest : public IoSignalTest {
protected:
    // A duplicate of `file` in `other` (the source stays open).
    static HANDLE share_with(HANDLE file, const OtherProcess& other) {
        HANDLE copy = nullptr;
        EXPECT_EQ(NtDuplicateObject(NtCurrentProcess(), file, other.handle(), &copy, 0, 0, DUPLICATE_SAME_ACCESS),
                  STATUS_SUCCESS);
        return copy;
    }
    static HANDLE make_port() {
        HANDLE port = nullptr;
        EXPECT_EQ(NtCreateIoCompletion(&port, IO_COMPLETION_ALL_ACCESS, nullptr, 0), STATUS_SUCCESS);
        return port;
    }
    static void bind(HANDLE file, HANDLE port, PVOID key) {
        FILE_COMPLETION_INFORMATION info{port, key};
        IO_STATUS_BLOCK iosb{};
        EXPECT_EQ(NtSetInformationFile(file, &iosb, &info, sizeof(info), FileCompletionInformation), STATUS_SUCCESS);
    }
    // Closes `copy` in `other` (DuplicateHandle with DUPLICATE_CLOSE_SOURCE and no target).
    static NTSTATUS close_in(const OtherProcess& other, HANDLE copy) {
        return NtDuplicateObject(other.handle(), copy, nullptr, nullptr, 0, 0, DUPLICATE_CLOSE_SOURCE);
    }
    // NtRemoveIoCompletion with a 10 s bound (a missing packet fails the test instead of hanging it).
    static NTSTATUS remove_packet(HANDLE port, PVOID* key, PVOID* value, IO_STATUS_BLOCK* packet) {
        LARGE_INTEGER timeout;
        timeout.QuadPart = -10000LL * 10000;
        return NtRemoveIoCompletion(port, key, value, packet, &timeout);
    }
    static NTSTATUS read_async(HANDLE file, IO_STATUS_BLOCK* iosb, void* buffer, HANDLE event, PVOID context) {
        LARGE_INTEGER offset;
        offset.QuadPart = 0;
        return NtReadFile(file, event, nullptr, context, iosb, buffer, 4, &offset, nullptr);
    }
};

}  // namespace ntio::test::io_signalling

// RegNotifyChangeKeyValue: asynchronous with an event, synchronous, the key closed under a request,
// and the parameter rules. (An asynchronous request on a predefined key keeps that root open for the
// life of the process, which the fixture's leak check would report, so it is not tested here.)
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regnotifychangekeyvalue
#include "conformance/win32_registry/registry_test_support.hpp"

#include <atomic>
#include <thread>

namespace ntio::test {
namespace {

using RegNotifyTest = RegistryTest;

constexpr DWORD kValueChanges = REG_NOTIFY_CHANGE_LAST_SET;

bool signaled(HANDLE event) { return WaitForSingleObject(event, 0) == WAIT_OBJECT_0; }

// "If fAsynchronous is TRUE, the function returns immediately and changes are reported by signaling
// this event."
TEST_F(RegNotifyTest, AsynchronousCallSignalsTheEventOnAChange) {
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    ASSERT_NE(event, nullptr);
    Key key;
    ASSERT_EQ(RegOpenKeyExW(scratch(), nullptr, 0, KEY_NOTIFY, key.out()), ERROR_SUCCESS);
    ASSERT_EQ(RegNotifyChangeKeyValue(key, FALSE, kValueChanges, event, TRUE), ERROR_SUCCESS);
    EXPECT_FALSE(signaled(event));
    DWORD one = 1;
    set(scratch(), L"V", REG_DWORD, &one, sizeof(one));
    EXPECT_TRUE(signaled(event));
    // "This function detects a single change": the next one needs another call.
    ASSERT_TRUE(ResetEvent(event));
    DWORD two = 2;
    set(scratch(), L"V", REG_DWORD, &two, sizeof(two));
    EXPECT_FALSE(signaled(event));
    key.reset();
    CloseHandle(event);
}

// "If the specified key is closed, the event is signaled."
TEST_F(RegNotifyTest, ClosingTheKeySignalsTheEvent) {
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    Key key;
    ASSERT_EQ(RegOpenKeyExW(scratch(), nullptr, 0, KEY_NOTIFY, key.out()), ERROR_SUCCESS);
    ASSERT_EQ(RegNotifyChangeKeyValue(key, TRUE, REG_NOTIFY_CHANGE_NAME, event, TRUE), ERROR_SUCCESS);
    EXPECT_FALSE(signaled(event));
    key.reset();
    EXPECT_TRUE(signaled(event));
    CloseHandle(event);
}

// bWatchSubtree TRUE "reports changes in the specified key and its subkeys".
TEST_F(RegNotifyTest, WatchSubtreeSeesASubkeysValues) {
    Key child;
    ASSERT_EQ(RegCreateKeyExW(scratch(), L"Child", 0, nullptr, 0, KEY_ALL_ACCESS, nullptr, child.out(), nullptr),
              ERROR_SUCCESS);
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    Key key;
    ASSERT_EQ(RegOpenKeyExW(scratch(), nullptr, 0, KEY_NOTIFY, key.out()), ERROR_SUCCESS);
    ASSERT_EQ(RegNotifyChangeKeyValue(key, TRUE, kValueChanges, event, TRUE), ERROR_SUCCESS);
    DWORD one = 1;
    set(child, L"V", REG_DWORD, &one, sizeof(one));
    EXPECT_TRUE(signaled(event));
    key.reset();
    CloseHandle(event);
}

// fAsynchronous FALSE: "the function does not return until a change has occurred"; hEvent is ignored.
TEST_F(RegNotifyTest, SynchronousCallReturnsAfterTheChange) {
    std::atomic<bool> returned{false};
    std::thread writer([&] {
        DWORD n = 0;
        while (!returned.load()) {
            ++n;
            (void)RegSetValueExW(scratch(), L"Tick", 0, REG_DWORD, reinterpret_cast<const BYTE*>(&n), sizeof(n));
        }
    });
    const LSTATUS status = RegNotifyChangeKeyValue(scratch(), FALSE, kValueChanges, nullptr, FALSE);
    returned = true;
    writer.join();
    EXPECT_EQ(status, ERROR_SUCCESS);
}

TEST_F(RegNotifyTest, ParameterRules) {
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    // "If hEvent does not specify a valid event, the fAsynchronous parameter cannot be TRUE."
    EXPECT_EQ(RegNotifyChangeKeyValue(scratch(), FALSE, kValueChanges, nullptr, TRUE), ERROR_INVALID_PARAMETER);
    // "The key must have been opened with the KEY_NOTIFY access right."
    Key reader;
    ASSERT_EQ(RegOpenKeyExW(scratch(), nullptr, 0, KEY_QUERY_VALUE, reader.out()), ERROR_SUCCESS);
    EXPECT_EQ(RegNotifyChangeKeyValue(reader, FALSE, kValueChanges, event, TRUE), ERROR_ACCESS_DENIED);
    EXPECT_EQ(RegNotifyChangeKeyValue(nullptr, FALSE, kValueChanges, event, TRUE), ERROR_INVALID_HANDLE);
    EXPECT_EQ(RegNotifyChangeKeyValue(scratch(), FALSE, 0x40, event, TRUE), ERROR_INVALID_PARAMETER);
    EXPECT_FALSE(signaled(event));
    CloseHandle(event);
}

}  // namespace
}  // namespace ntio::test

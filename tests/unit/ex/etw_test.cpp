// The ETW kernel provider API as a driver calls it: registration hands out a handle that writes
// accept and unregistration takes back; nothing is ever enabled (no sessions), so the enable
// callback never runs; bad handles and arguments get the documented statuses. The activity ID is
// per thread and really kept.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-etwregister
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-etwwrite
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-etwactivityidcontrol
#include <gtest/gtest.h>

#include <cstring>
#include <thread>

#include <wdm.h>

namespace etw_test {

const GUID kProvider = {0x1c2d3e4f, 0x1111, 0x2222, {0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa}};

int g_enable_calls = 0;

VOID NTAPI enable_callback(LPCGUID, ULONG, UCHAR, ULONGLONG, ULONGLONG, PEVENT_FILTER_DESCRIPTOR, PVOID) {
    ++g_enable_calls;
}

bool same(const GUID& a, const GUID& b) { return std::memcmp(&a, &b, sizeof(GUID)) == 0; }

TEST(EtwProviderTest, register_write_unregister) {
    g_enable_calls = 0;
    REGHANDLE handle = 0;
    ASSERT_EQ(EtwRegister(&kProvider, enable_callback, nullptr, &handle), STATUS_SUCCESS);
    EXPECT_NE(handle, 0u);

    EVENT_DESCRIPTOR event;
    EventDescCreate(&event, 7, 1, 0, 4 /* informational */, 2, 0, 0x10);
    EXPECT_EQ(event.Id, 7);
    EXPECT_EQ(event.Level, 4);
    EXPECT_EQ(event.Task, 2);
    EXPECT_EQ(event.Keyword, 0x10u);
    EXPECT_FALSE(EtwEventEnabled(handle, &event));
    EXPECT_FALSE(EtwProviderEnabled(handle, 4, 0x10));

    ULONG value = 42;
    EVENT_DATA_DESCRIPTOR data[2];
    EventDataDescCreate(&data[0], &value, sizeof value);
    EventDataDescCreate(&data[1], L"text", sizeof(L"text"));
    EXPECT_EQ(data[0].Ptr, reinterpret_cast<ULONGLONG>(&value));
    EXPECT_EQ(data[0].Size, sizeof value);
    EXPECT_EQ(data[0].Reserved, 0u);
    EXPECT_EQ(EtwWrite(handle, &event, nullptr, 2, data), STATUS_SUCCESS);
    GUID activity{};
    ASSERT_EQ(EtwActivityIdControl(EVENT_ACTIVITY_CTRL_CREATE_ID, &activity), STATUS_SUCCESS);
    EXPECT_EQ(EtwWriteEx(handle, &event, 0, 0, &activity, nullptr, 2, data), STATUS_SUCCESS);
    EXPECT_EQ(EtwWriteTransfer(handle, &event, &activity, &activity, 0, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(EtwWriteString(handle, 4, 0x10, nullptr, L"hello"), STATUS_SUCCESS);
    EXPECT_EQ(EtwSetInformation(handle, EventProviderSetTraits, (PVOID) "\x04\x00\x01\x00", 4), STATUS_SUCCESS);
    BOOLEAN use = TRUE;
    EXPECT_EQ(EtwSetInformation(handle, EventProviderUseDescriptorType, &use, sizeof use), STATUS_SUCCESS);

    ASSERT_EQ(EtwUnregister(handle), STATUS_SUCCESS);
    EXPECT_EQ(g_enable_calls, 0) << "no session exists to enable the provider";
    // The handle is gone: writes and a second unregister are refused.
    EXPECT_EQ(EtwWrite(handle, &event, nullptr, 0, nullptr), STATUS_INVALID_HANDLE);
    EXPECT_EQ(EtwUnregister(handle), STATUS_INVALID_HANDLE);
}

TEST(EtwProviderTest, bad_arguments_get_the_documented_statuses) {
    REGHANDLE handle = 123;
    EXPECT_EQ(EtwRegister(&kProvider, nullptr, nullptr, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(EtwRegister(nullptr, nullptr, nullptr, &handle), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(handle, 0u);

    EVENT_DESCRIPTOR event;
    EventDescCreate(&event, 1, 0, 0, 4, 0, 0, 0);
    EXPECT_EQ(EtwWrite(0, &event, nullptr, 0, nullptr), STATUS_INVALID_HANDLE);
    EXPECT_EQ(EtwWriteString(0, 4, 0, nullptr, L"x"), STATUS_INVALID_HANDLE);
    EXPECT_EQ(EtwSetInformation(0, EventProviderSetTraits, nullptr, 0), STATUS_INVALID_HANDLE);
    EXPECT_EQ(EtwUnregister(0), STATUS_INVALID_HANDLE);

    ASSERT_EQ(EtwRegister(&kProvider, nullptr, nullptr, &handle), STATUS_SUCCESS);
    static EVENT_DATA_DESCRIPTOR many[MAX_EVENT_DATA_DESCRIPTORS + 1];
    EXPECT_EQ(EtwWrite(handle, &event, nullptr, MAX_EVENT_DATA_DESCRIPTORS, many), STATUS_SUCCESS);
    EXPECT_EQ(EtwWrite(handle, &event, nullptr, MAX_EVENT_DATA_DESCRIPTORS + 1, many), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(EtwSetInformation(handle, EventProviderSetTraits, (PVOID) "\x09\x00", 2), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(EtwSetInformation(handle, MaxEventInfo, nullptr, 0), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(EtwUnregister(handle), STATUS_SUCCESS);
}

TEST(EtwActivityIdControlTest, get_set_create_and_swap_the_threads_activity_id) {
    const GUID null_id{};
    GUID id;
    std::memset(&id, 0xAB, sizeof id);
    ASSERT_EQ(EtwActivityIdControl(EVENT_ACTIVITY_CTRL_SET_ID, &id), STATUS_SUCCESS);
    GUID read{};
    ASSERT_EQ(EtwActivityIdControl(EVENT_ACTIVITY_CTRL_GET_ID, &read), STATUS_SUCCESS);
    EXPECT_TRUE(same(read, id));

    // Created IDs are unique and leave the thread's ID alone.
    GUID a{}, b{};
    ASSERT_EQ(EtwActivityIdControl(EVENT_ACTIVITY_CTRL_CREATE_ID, &a), STATUS_SUCCESS);
    ASSERT_EQ(EtwActivityIdControl(EVENT_ACTIVITY_CTRL_CREATE_ID, &b), STATUS_SUCCESS);
    EXPECT_FALSE(same(a, b));
    EXPECT_FALSE(same(a, null_id));
    ASSERT_EQ(EtwActivityIdControl(EVENT_ACTIVITY_CTRL_GET_ID, &read), STATUS_SUCCESS);
    EXPECT_TRUE(same(read, id));

    // GET_SET: the thread takes the caller's value, the caller gets the old one.
    GUID swap = a;
    ASSERT_EQ(EtwActivityIdControl(EVENT_ACTIVITY_CTRL_GET_SET_ID, &swap), STATUS_SUCCESS);
    EXPECT_TRUE(same(swap, id));
    ASSERT_EQ(EtwActivityIdControl(EVENT_ACTIVITY_CTRL_GET_ID, &read), STATUS_SUCCESS);
    EXPECT_TRUE(same(read, a));

    // CREATE_SET: the caller gets the old one, the thread a new one.
    GUID old{};
    ASSERT_EQ(EtwActivityIdControl(EVENT_ACTIVITY_CTRL_CREATE_SET_ID, &old), STATUS_SUCCESS);
    EXPECT_TRUE(same(old, a));
    ASSERT_EQ(EtwActivityIdControl(EVENT_ACTIVITY_CTRL_GET_ID, &read), STATUS_SUCCESS);
    EXPECT_FALSE(same(read, a));
    EXPECT_FALSE(same(read, null_id));

    // Another thread has its own, GUID_NULL to begin with.
    GUID other;
    std::memset(&other, 0xFF, sizeof other);
    std::thread([&] { (void)EtwActivityIdControl(EVENT_ACTIVITY_CTRL_GET_ID, &other); }).join();
    EXPECT_TRUE(same(other, null_id));

    EXPECT_EQ(EtwActivityIdControl(0, &read), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(EtwActivityIdControl(6, &read), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(EtwActivityIdControl(EVENT_ACTIVITY_CTRL_GET_ID, nullptr), STATUS_INVALID_PARAMETER);
    ASSERT_EQ(EtwActivityIdControl(EVENT_ACTIVITY_CTRL_SET_ID, const_cast<GUID*>(&null_id)), STATUS_SUCCESS);
}

}  // namespace etw_test
